//! The state's file text, made again after every finished action of an
//! apply. Each entry's text is kept, and only the entries the caller says
//! changed ([`StateText::forget`]) are serialised again: one write then
//! costs a copy per entry, not a pass of serde over every record. The text
//! is exactly `serde_json::to_vec_pretty` of the state (a test holds them
//! equal), so the format still lives in [`super::format`] alone.
//!
//! Each kept text also keeps the record it was made from, and debug builds
//! check it against the record before reusing it: a change the caller did
//! not name fails every test that makes one.

use super::State;
use super::format::{self, Entry, VERSION};
use serde::Serialize;
use std::collections::HashMap;

/// The kept text of a state's entries, by address.
#[derive(Default)]
pub struct StateText {
    entries: HashMap<String, Kept>,
}

/// One entry's text and, in debug builds, the record it was made from.
struct Kept {
    /// Pretty JSON, indented for its place in the `resources` list.
    text: Vec<u8>,
    #[cfg(debug_assertions)]
    record: debug::Record,
}

/// Entries sit two levels deep: in the list, in the file's object.
const ENTRY_INDENT: &[u8] = b"    ";
/// The fields after `resources` sit one level deep.
const FIELD_INDENT: &[u8] = b"  ";

impl StateText {
    /// The state's text, as `serde_json::to_vec_pretty` writes it.
    pub fn render(&mut self, state: &State) -> Result<Vec<u8>, serde_json::Error> {
        let entries = format::entries(state);
        let size = self
            .entries
            .values()
            .map(|k| k.text.len() + 8)
            .sum::<usize>();
        let mut out = Vec::with_capacity(size + 256);
        out.extend_from_slice(b"{\n  \"version\": ");
        serde_json::to_writer(&mut out, &VERSION)?;
        out.extend_from_slice(b",\n  \"serial\": ");
        serde_json::to_writer(&mut out, &state.serial)?;
        out.extend_from_slice(b",\n  \"lineage\": ");
        serde_json::to_writer(&mut out, &state.lineage)?;
        out.extend_from_slice(b",\n  \"resources\": [");
        for (i, entry) in entries.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            out.extend_from_slice(ENTRY_INDENT);
            out.extend_from_slice(self.text_of(entry)?);
        }
        if !entries.is_empty() {
            out.extend_from_slice(b"\n  ");
        }
        out.push(b']');
        if !state.history.is_empty() {
            field(&mut out, "history", &state.history)?;
        }
        if !state.outputs.is_empty() {
            field(&mut out, "outputs", &state.outputs)?;
        }
        let pending = format::pending(state);
        if !pending.is_empty() {
            field(&mut out, "pending", &pending)?;
        }
        out.extend_from_slice(b"\n}");
        Ok(out)
    }

    /// The record of `address` changed (or is gone): its text is made
    /// again at the next render.
    pub fn forget(&mut self, address: &str) {
        self.entries.remove(address);
    }

    /// The entry's kept text, made when none is kept.
    fn text_of(&mut self, entry: &Entry) -> Result<&[u8], serde_json::Error> {
        let kept = self.entries.get(entry.address);
        #[cfg(debug_assertions)]
        if let Some(kept) = kept {
            assert!(
                kept.record.holds(entry),
                "{} changed, but its kept text was not forgotten",
                entry.address
            );
        }
        if kept.is_none() {
            let kept = Kept {
                text: indented(&serde_json::to_vec_pretty(entry)?, ENTRY_INDENT),
                #[cfg(debug_assertions)]
                record: debug::Record::of(entry),
            };
            self.entries.insert(entry.address.to_owned(), kept);
        }
        Ok(self
            .entries
            .get(entry.address)
            .map_or(&[][..], |kept| &kept.text))
    }
}

/// The copy of each record that lets debug builds catch a change the
/// caller did not name.
#[cfg(debug_assertions)]
mod debug {
    use super::super::format::Entry;
    use crate::object::Values;

    pub(super) struct Record {
        id: String,
        attributes: Values,
        prevent_destroy: bool,
        dependencies: Vec<String>,
    }

    impl Record {
        pub(super) fn of(entry: &Entry) -> Record {
            Record {
                id: entry.record.id.clone(),
                attributes: entry.record.attributes.clone(),
                prevent_destroy: entry.record.prevent_destroy,
                dependencies: entry.dependencies().to_vec(),
            }
        }

        /// Whether this is the entry's record as it is.
        pub(super) fn holds(&self, entry: &Entry) -> bool {
            self.attributes == entry.record.attributes
                && self.id == entry.record.id
                && self.prevent_destroy == entry.record.prevent_destroy
                && self.dependencies == entry.dependencies()
        }
    }
}

/// `,\n  "name": value`, the value pretty and indented one level.
fn field(out: &mut Vec<u8>, name: &str, value: &impl Serialize) -> serde_json::Result<()> {
    out.extend_from_slice(b",\n");
    out.extend_from_slice(FIELD_INDENT);
    serde_json::to_writer(&mut *out, name)?;
    out.extend_from_slice(b": ");
    out.extend_from_slice(&indented(&serde_json::to_vec_pretty(value)?, FIELD_INDENT));
    Ok(())
}

/// Pretty JSON moved right by `by` on every line after the first. A newline
/// in pretty JSON is always layout: inside a string it is escaped.
fn indented(text: &[u8], by: &[u8]) -> Vec<u8> {
    let lines = text.iter().filter(|&&b| b == b'\n').count();
    let mut out = Vec::with_capacity(text.len() + lines * by.len());
    for &b in text {
        out.push(b);
        if b == b'\n' {
            out.extend_from_slice(by);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::ObjectRecord;
    use crate::state::format::tests::every_field;
    use serde_json::{Map, json};

    fn assert_renders_as_serde(text: &mut StateText, state: &State) {
        let rendered = text.render(state).unwrap_or_default();
        let serde = serde_json::to_vec_pretty(state).unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&rendered),
            String::from_utf8_lossy(&serde)
        );
    }

    #[test]
    fn an_empty_state_renders_as_serde_writes_it() {
        assert_renders_as_serde(&mut StateText::default(), &State::default());
    }

    #[test]
    fn every_field_renders_as_serde_writes_it() {
        assert_renders_as_serde(&mut StateText::default(), &every_field());
    }

    /// A change, and the address it changes.
    type Change = (&'static str, fn(&mut State));

    fn changes() -> [Change; 8] {
        [
            ("kasm_image.web", |s| {
                if let Some(web) = s.objects.get_mut("kasm_image.web") {
                    web.prevent_destroy = false;
                }
            }),
            ("kasm_group.devs", |s| {
                if let Some(devs) = s.objects.get_mut("kasm_group.devs") {
                    devs.attributes.insert("priority".into(), json!(11));
                }
            }),
            ("kasm_group.devs", |s| {
                if let Some(devs) = s.objects.get_mut("kasm_group.devs") {
                    devs.prevent_destroy = false;
                }
            }),
            ("kasm_image.web", |s| {
                if let Some(web) = s.objects.get_mut("kasm_image.web") {
                    web.id = "a2".into();
                }
            }),
            ("kasm_image.web", |s| {
                s.dependencies.remove("kasm_image.web");
            }),
            ("kasm_user.alice", |s| {
                s.objects.remove("kasm_user.alice");
                s.pending.clear();
                s.history.clear();
            }),
            ("kasm_user.alice", |s| {
                let record = ObjectRecord {
                    id: "u2".into(),
                    attributes: Map::new().into(),
                    prevent_destroy: false,
                };
                s.objects.insert("kasm_user.alice".into(), record);
                s.outputs.clear();
            }),
            ("kasm_group_image.l", |s| {
                s.objects.remove("kasm_group_image.l");
            }),
        ]
    }

    #[test]
    fn kept_entries_follow_every_change_named() {
        let mut text = StateText::default();
        let mut state = every_field();
        assert_renders_as_serde(&mut text, &state);
        for (address, change) in changes() {
            change(&mut state);
            text.forget(address);
            assert_renders_as_serde(&mut text, &state);
        }
        state.objects.clear();
        assert_renders_as_serde(&mut text, &state);
    }

    #[cfg(debug_assertions)]
    #[test]
    fn a_change_not_named_fails_in_debug_builds() {
        for (address, change) in changes() {
            let mut text = StateText::default();
            let mut state = every_field();
            let _ = text.render(&state);
            change(&mut state);
            let unnamed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _ = text.render(&state);
            }));
            let still_there = state.objects.contains_key(address);
            assert_eq!(unnamed.is_err(), still_there, "{address}");
        }
    }

    #[test]
    fn an_unchanged_entry_is_not_serialised_again() {
        let mut text = StateText::default();
        let state = every_field();
        let _ = text.render(&state);
        // A kept text that no longer matches serde proves it was reused.
        if let Some(kept) = text.entries.get_mut("kasm_group.devs") {
            kept.text = b"\"kept\"".to_vec();
        }
        let again = String::from_utf8(text.render(&state).unwrap_or_default()).unwrap_or_default();
        assert!(again.contains("    \"kept\""), "{again}");
    }
}

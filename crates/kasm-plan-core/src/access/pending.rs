//! Creates an interrupted run sent but did not record (the state's
//! `pending`). Before anything is planned, each is looked for in what Kasm
//! lists now, as its type's search after a lost answer would look for it:
//! what is found is recorded under its address, and the plan then keeps,
//! changes or destroys it like any record; what is not found was never made,
//! and the address is planned as a create again.

use crate::address::RESOURCE_TYPE as IMAGE_TYPE;
use crate::diagnostic::{Code, Diagnostic};
use crate::group::{Access, same_id};
use crate::object::ObjectRecord;
use crate::schema::tables;
use crate::state::State;
use crate::state::recorded::{Answered, recorded, status_attribute};
use serde_json::Value;
use std::collections::BTreeMap;

/// Settles every pending create of `state` against `access` (Kasm's users
/// and sessions; `None` when they were not read, which settles images
/// only): answers each address with the id found (`None`: nothing was
/// made), and a warning for each.
pub fn settle(
    state: &mut State,
    access: Option<&Access>,
) -> (BTreeMap<String, Option<String>>, Vec<Diagnostic>) {
    let mut settled = BTreeMap::new();
    let mut notes = Vec::new();
    for (address, record) in std::mem::take(&mut state.pending) {
        // Recorded after all (the marker outlived its record): nothing to look for.
        if state.id_of(&address).is_some() {
            continue;
        }
        let type_name = crate::address::type_of(&address).unwrap_or_default();
        if type_name == IMAGE_TYPE {
            notes.push(image_note(&address));
            settled.insert(address, None);
            continue;
        }
        let Some(access) = access else {
            state.pending.insert(address, record);
            continue;
        };
        let found = find(type_name, &record, state, access);
        let message = match &found {
            Some((id, _)) => format!(
                "an earlier run was stopped after it asked Kasm to create {address}; Kasm has it (id {id}), so this plan records it instead of creating another"
            ),
            None => format!(
                "an earlier run was stopped after it asked Kasm to create {address}; Kasm has nothing it made, so it is created again"
            ),
        };
        notes.push(
            Diagnostic::warning(Code::InterruptedCreate, message)
                .at(&address, "")
                .help("nothing to do: the state is written when this plan is applied"),
        );
        if let Some((id, listed)) = &found {
            // Recorded as the create's call would have recorded it, with the
            // status its readiness poll would have seen (a session's).
            let told = Answered {
                id: Some(id.clone()),
                status: status_attribute(type_name)
                    .and_then(|key| listed.get(key)?.as_str())
                    .map(str::to_owned),
                ..Answered::default()
            };
            if let Ok(found) = recorded(&address, record, &told) {
                state.objects.insert(address.clone(), found);
            }
        }
        settled.insert(address, found.map(|(id, _)| id));
    }
    (settled, notes)
}

/// An image's pending create is settled by the plan itself: an unowned
/// image equal to its spec is adopted, and a create the apply sends again
/// first watches for the earlier one to land (it may still be running).
fn image_note(address: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::InterruptedCreate,
        format!(
            "an earlier run was stopped after it asked Kasm to create {address}; an identical image Kasm has is adopted, and otherwise the apply watches for that create to land before it creates the image again"
        ),
    )
    .at(address, "")
    .help("nothing to do: the state is written when this plan is applied")
}

/// Whether a pending create needs Kasm's users and sessions to be settled
/// (an image's needs only the images).
pub fn needs_users(address: &str) -> bool {
    crate::address::type_of(address).is_some_and(tables::reads_users)
}

/// The error of a plan without a refresh over a state with pending creates:
/// only Kasm can say whether they made anything.
pub fn unsettled(state: &State) -> Vec<Diagnostic> {
    state
        .pending
        .keys()
        .map(|address| {
            Diagnostic::error(
                Code::InterruptedCreate,
                format!(
                    "an earlier run was stopped after it asked Kasm to create {address}; without reading Kasm this plan cannot tell whether it was made"
                ),
            )
            .at(address, "")
            .help("plan with a refresh (without -refresh=false) so Kasm is searched for it")
        })
        .collect()
}

/// What Kasm lists of the type that the record's create would have made,
/// and that no other address records: its id and the listed object.
fn find(
    type_name: &str,
    record: &ObjectRecord,
    state: &State,
    access: &Access,
) -> Option<(String, serde_json::Map<String, Value>)> {
    let search = tables::managed(type_name)?
        .calls?
        .find_after_lost_create
        .as_ref()?;
    let listed = super::seen::listed(type_name, access);
    // The lookup's keys and the list's matching keys, each against the
    // argument the record holds.
    let keys: Vec<(&str, &str)> = search
        .body
        .iter()
        .map(|(argument, pointer)| (last(pointer), *argument))
        .chain(search.matching.iter().copied())
        .collect();
    let (id, item) = unowned_match(
        &listed,
        &keys,
        |argument| record.text(argument),
        &format!("/{}", last(search.answer_id)),
        state,
    )?;
    Some((id, item.clone()))
}

/// What a lost create made among `items` (what Kasm lists, or a find's
/// answer): the first item whose `keys` (item key, argument) hold the
/// arguments' values and whose id (at the pointer `id_at`, made canonical)
/// no record of `state` holds. The one rule of the plan's search and the apply's: ids
/// compared canonically, any other text exactly (a username is already as
/// Kasm stores it); an argument without a value matches nothing.
pub fn unowned_match<'a, 'v>(
    items: impl IntoIterator<Item = &'a Value>,
    keys: &[(&str, &str)],
    value_of: impl Fn(&str) -> Option<&'v str>,
    id_at: &str,
    state: &State,
) -> Option<(String, &'a serde_json::Map<String, Value>)> {
    items.into_iter().find_map(|item| {
        let object = item.as_object()?;
        let matches = keys.iter().all(|(key, argument)| {
            match (object.get(*key).and_then(Value::as_str), value_of(argument)) {
                (Some(a), Some(b)) => same_id(a, b),
                _ => false,
            }
        });
        if !matches {
            return None;
        }
        let id = item.pointer(id_at)?.as_str()?;
        let id = crate::model::canonical_id(id).into_owned();
        let owned = state.objects.values().any(|r| same_id(&r.id, &id));
        (!owned).then_some((id, object))
    })
}

/// A JSON pointer's last key.
fn last(pointer: &str) -> &str {
    pointer.rsplit('/').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::{Session, User};
    use serde_json::{Map, json};

    const ALICE: &str = "0b9a7a3c2d1e4f5a8b7c6d5e4f3a2b1c";
    const IMAGE: &str = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";

    fn pending(address: &str, attributes: Value) -> State {
        let mut state = State::default();
        let Value::Object(attributes) = attributes else {
            unreachable!()
        };
        state.pending.insert(
            address.into(),
            ObjectRecord {
                id: String::new(),
                attributes: attributes.into(),
                prevent_destroy: false,
            },
        );
        state
    }

    fn session(kasm_id: &str, status: &str) -> Session {
        Session {
            kasm_id: kasm_id.into(),
            user_id: ALICE.into(),
            image_id: IMAGE.into(),
            operational_status: status.into(),
        }
    }

    /// The apply's search uses this rule too: a name is matched exactly,
    /// an id in either form, and what a record holds is never taken.
    #[test]
    fn a_lost_create_is_matched_by_exact_names_and_canonical_ids() {
        let owned = "cccccccccccccccccccccccccccccccc";
        let mut state = State::default();
        state.objects.insert(
            "kasm_group.other".into(),
            ObjectRecord {
                id: owned.into(),
                attributes: Map::new().into(),
                prevent_destroy: false,
            },
        );
        let items = [
            json!({"group_id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "name": "dev", "image_id": IMAGE}),
            json!({"group_id": "cccccccc-cccc-cccc-cccc-cccccccccccc", "name": "Dev", "image_id": IMAGE}),
            json!({"group_id": "BBBBBBBB-BBBB-BBBB-BBBB-BBBBBBBBBBBB", "name": "Dev", "image_id": IMAGE}),
        ];
        let hyphenated = "a1a1a1a1-a1a1-a1a1-a1a1-a1a1a1a1a1a1";
        let value_of = |argument: &str| match argument {
            "name" => Some("Dev"),
            "image_id" => Some(hyphenated),
            _ => None,
        };
        let keys = [("name", "name"), ("image_id", "image_id")];
        let found = unowned_match(&items, &keys, value_of, "/group_id", &state);
        let (id, item) = found.unwrap_or_else(|| unreachable!("the third item matches"));
        assert_eq!(id, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
        assert_eq!(item["name"], "Dev");
        let unknown = [("name", "name"), ("priority", "priority")];
        assert!(unowned_match(&items, &unknown, value_of, "/group_id", &state).is_none());
    }

    #[test]
    fn a_session_kasm_started_is_recorded_and_one_it_is_ending_is_not() {
        let attributes = json!({"user_id": ALICE, "image_id": IMAGE});
        let mut state = pending("kasm_session.s", attributes);
        let access = Access {
            sessions: Some(vec![
                session("dddddddddddddddddddddddddddddddd", "deleting"),
                session("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "starting"),
            ]),
            users: Some(Vec::new()),
            ..Access::default()
        };
        let (settled, notes) = settle(&mut state, Some(&access));
        let id = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
        assert_eq!(settled["kasm_session.s"].as_deref(), Some(id));
        assert!(state.pending.is_empty());
        let record = &state.objects["kasm_session.s"];
        assert_eq!(record.id, id);
        assert_eq!(record.text("kasm_id"), Some(id));
        assert_eq!(record.text("operational_status"), Some("starting"));
        assert_eq!(notes[0].code, Code::InterruptedCreate);
    }

    #[test]
    fn a_session_another_address_records_is_not_taken() {
        let attributes = json!({"user_id": ALICE, "image_id": IMAGE});
        let mut state = pending("kasm_session.s", attributes);
        let other = "ffffffffffffffffffffffffffffffff";
        state.objects.insert(
            "kasm_session.other".into(),
            ObjectRecord {
                id: other.into(),
                attributes: serde_json::Map::new().into(),
                prevent_destroy: false,
            },
        );
        let access = Access {
            sessions: Some(vec![session(other, "running")]),
            users: Some(Vec::new()),
            ..Access::default()
        };
        let (settled, _) = settle(&mut state, Some(&access));
        assert_eq!(settled["kasm_session.s"], None);
        assert!(!state.objects.contains_key("kasm_session.s"));
        assert!(state.pending.is_empty());
    }

    #[test]
    fn a_user_is_found_by_its_username() {
        let mut state = pending("kasm_user.a", json!({"username": "alice"}));
        let access = Access {
            users: Some(vec![User {
                user_id: "0b9a7a3c-2d1e-4f5a-8b7c-6d5e4f3a2b1c".into(),
                username: "alice".into(),
                ..User::default()
            }]),
            sessions: Some(Vec::new()),
            ..Access::default()
        };
        let (settled, _) = settle(&mut state, Some(&access));
        assert_eq!(settled["kasm_user.a"].as_deref(), Some(ALICE));
        assert_eq!(state.objects["kasm_user.a"].text("user_id"), Some(ALICE));
    }
}

//! One resource instance's change or drift as `plan` prints it, for every
//! type; and the links of managed images that no `kasm_group_image` declares.

use super::values::Diff;
use crate::address::Instance;
use crate::change::{Action, Change, ExtraLink, Reason};
use crate::diagnostic::{Code, Diagnostic};
use crate::field::{Field, Kind};
use crate::model::REDACTED;
use crate::object::Values;
use crate::schema::tables;
use serde_json::Value;
use std::fmt::Write;

/// Whether a change is worth printing.
pub fn shown(c: &Change) -> bool {
    c.action != Action::NoOp || c.previous_address.is_some() || c.importing.is_some()
}

/// One change, as Terraform prints a resource; under a create, the object
/// Kasm already has by that name (its warning is among `notes`).
pub fn change(out: &mut String, c: &Change, notes: &[Diagnostic]) {
    let (mark, verb) = match c.action {
        Action::NoOp => return edited(out, c),
        Action::Create => ("+", "will be created"),
        Action::Update => ("~", "will be updated in-place"),
        Action::Replace => ("-/+", super::replaced(c.reason)),
        Action::Delete => ("-", "will be destroyed"),
    };
    let _ = writeln!(out, "\n  # {} {verb}", c.address);
    comments(out, c);
    let _ = writeln!(out, "{mark:>3} {} {{", block(c));
    if c.action != Action::Create {
        id_line(out, c);
    }
    let line_mark = match c.action {
        Action::Create => '+',
        Action::Delete => '-',
        _ => '~',
    };
    aligned(out, line_mark, &lines(c));
    out.push_str("    }\n");
    let namesake = notes
        .iter()
        .find(|d| d.code == Code::UnmanagedNamesake && d.address.as_ref() == Some(&c.address));
    if let Some(d) = namesake {
        let _ = writeln!(out, "    # Warning: {}", d.message);
    }
}

/// What the change's first line leaves unsaid: a move, an import, why, and
/// what Kasm does by itself on a create.
fn comments(out: &mut String, c: &Change) {
    if let Some(from) = &c.previous_address {
        let _ = writeln!(out, "  # (moved from {from})");
    }
    if let Some(id) = &c.importing {
        let _ = writeln!(out, "  # (imported from id {})", Text(&id.as_str().into()));
    }
    if let Some(why) = c.reason.and_then(|r| because(r, &c.address)) {
        let _ = writeln!(out, "  # ({why})");
    }
    let on_create = tables::resource(&c.resource_type).and_then(|t| t.on_create);
    if let Some(note) = on_create
        && matches!(c.action, Action::Create | Action::Replace)
    {
        let _ = writeln!(out, "  # ({note})");
    }
}

/// A change made outside kasm-plan, as drift is printed.
pub fn drift(out: &mut String, c: &Change) {
    if c.action == Action::Delete {
        let _ = writeln!(out, "\n  # {} has been deleted", c.address);
        return;
    }
    let id = c.id.as_deref().unwrap_or_default();
    let _ = writeln!(out, "\n  # {} has changed (id {id})", c.address);
    aligned(out, '~', &changed(c));
}

/// The lines of a change: what a create sets and what Kasm gives it, what
/// a delete removes, what an update or a replace changes.
fn lines(c: &Change) -> Vec<(&str, Shown<'_>)> {
    match c.action {
        Action::Create => {
            let set = c.changes.iter().map(|a| {
                (
                    a.attribute.as_ref(),
                    Shown::After(c, &a.attribute, &a.after),
                )
            });
            let given = c
                .after_unknown
                .iter()
                .filter(|k| k.as_ref() == "id" || !c.changes.iter().any(|a| &a.attribute == *k))
                .map(|k| (k.as_ref(), Shown::After(c, k, &Value::Null)));
            set.chain(given).collect()
        }
        Action::Delete => {
            let alias = tables::resource(&c.resource_type).and_then(|t| t.id_alias);
            c.before
                .iter()
                .flat_map(Values::iter)
                .filter(|(k, v)| !v.is_null() && *k != "id" && Some(*k) != alias)
                .map(|(k, v)| (k, Shown::Now(c, k, v)))
                .collect()
        }
        _ => changed(c),
    }
}

/// `old -> new` for each attribute that changes.
fn changed(c: &Change) -> Vec<(&str, Shown<'_>)> {
    c.changes
        .iter()
        .map(|a| {
            (
                a.attribute.as_ref(),
                Shown::Both(c, &a.attribute, &a.before, &a.after),
            )
        })
        .collect()
}

/// Why, said under the change's first line.
fn because(reason: Reason, address: &str) -> Option<String> {
    match reason {
        Reason::DeletedOutside => Some("it was deleted outside of kasm-plan".into()),
        Reason::RemovedFromConfig => Some(format!("because {address} is not in the configuration")),
        Reason::Drift => Some("to undo changes made outside of kasm-plan".into()),
        _ => None,
    }
}

/// `resource "<type>" "<name>"`.
fn block(c: &Change) -> String {
    let name = Instance::parse(&c.name).map_or_else(|| c.name.clone(), |i| i.name);
    format!("resource \"{}\" \"{name}\"", c.resource_type)
}

fn id_line(out: &mut String, c: &Change) {
    if let Some(id) = &c.id {
        let _ = writeln!(out, "        id = {}", Text(&id.as_str().into()));
    }
}

/// A move or an import with nothing else to change.
fn edited(out: &mut String, c: &Change) {
    match (&c.previous_address, &c.importing) {
        (Some(from), _) => {
            let _ = writeln!(out, "\n  # {from} has moved to {}", c.address);
        }
        (None, Some(id)) => {
            let _ = writeln!(
                out,
                "\n  # {} will be imported (id {})",
                c.address,
                Text(&id.as_str().into())
            );
        }
        (None, None) => return,
    }
    let _ = writeln!(out, "    {} {{", block(c));
    id_line(out, c);
    out.push_str("    }\n");
}

/// One line per attribute, the names aligned.
fn aligned(out: &mut String, mark: char, lines: &[(&str, Shown)]) {
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in lines {
        let _ = writeln!(out, "      {mark} {k:<width$} = {v}");
    }
}

/// An attribute's value on a line, written straight into the plan's text.
enum Shown<'a> {
    /// The value now.
    Now(&'a Change, &'a str, &'a Value),
    /// The value after apply; one known only then says what makes it known.
    After(&'a Change, &'a str, &'a Value),
    /// `old -> new`; a hidden value's change as one `(sensitive value)`.
    Both(&'a Change, &'a str, &'a Value, &'a Value),
}

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Shown::Now(c, attribute, v) if drawn(c, attribute, [v]) => {
                f.write_str(&Diff::of(Some(v), None).render_in_block())
            }
            Shown::After(c, attribute, v) if drawn(c, attribute, [v]) => {
                f.write_str(&Diff::of(None, Some(v)).render_in_block())
            }
            Shown::Both(c, attribute, before, after) if drawn(c, attribute, [before, after]) => {
                f.write_str(&Diff::of(Some(before), Some(after)).render_in_block())
            }
            Shown::Now(c, attribute, v) => write_value(f, c, attribute, v),
            Shown::After(c, attribute, v) => write_after(f, c, attribute, v),
            Shown::Both(c, attribute, _, _) if hidden(c, attribute) => f.write_str(REDACTED),
            Shown::Both(c, attribute, before, after) => {
                write_value(f, c, attribute, before)?;
                f.write_str(" -> ")?;
                write_after(f, c, attribute, after)
            }
        }
    }
}

/// Whether a value (or both of a change) is drawn part by part, as
/// Terraform draws a list or an object: none hidden or null, one a
/// collection with something in it.
fn drawn<const N: usize>(c: &Change, attribute: &str, values: [&Value; N]) -> bool {
    let filled = |v: &Value| match v {
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
        _ => false,
    };
    !hidden(c, attribute) && values.iter().all(|v| !v.is_null()) && values.iter().any(|v| filled(v))
}

fn write_after(
    f: &mut std::fmt::Formatter<'_>,
    c: &Change,
    attribute: &str,
    v: &Value,
) -> std::fmt::Result {
    if !v.is_null() {
        return write_value(f, c, attribute, v);
    }
    match c.waits_for.get(attribute) {
        Some(address) => write!(f, "(known after apply: {address})"),
        None if c.after_unknown.iter().any(|k| k == attribute) => {
            f.write_str("(known after apply)")
        }
        None => f.write_str("(null)"),
    }
}

fn hidden(c: &Change, attribute: &str) -> bool {
    c.sensitive.iter().any(|s| s == attribute)
}

fn write_value(
    f: &mut std::fmt::Formatter<'_>,
    c: &Change,
    attribute: &str,
    v: &Value,
) -> std::fmt::Result {
    write!(
        f,
        "{}",
        Written(&c.resource_type, attribute, hidden(c, attribute), v)
    )
}

/// A value as the configuration writes it: memory in MB, secrets hidden.
pub(super) struct Written<'a>(pub &'a str, pub &'a str, pub bool, pub &'a Value);

impl std::fmt::Display for Written<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Written(resource_type, attribute, hidden, v) = *self;
        match v {
            Value::Null => f.write_str("(null)"),
            _ if hidden => f.write_str(REDACTED),
            Value::Number(_) if in_megabytes(resource_type, attribute) => {
                write!(f, "{} MB", Text(v))
            }
            _ => write!(f, "{}", Text(v)),
        }
    }
}

/// Whether an attribute is a size Kasm keeps in bytes and a configuration
/// writes in MB.
fn in_megabytes(resource_type: &str, attribute: &str) -> bool {
    resource_type == crate::address::RESOURCE_TYPE
        && Field::from_spec_name(attribute).is_some_and(|f| matches!(f.kind(), Kind::MemoryMb))
}

/// A value as HCL writes it.
pub(super) struct Text<'a>(pub &'a Value);

impl std::fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Value::Null => f.write_str("(null)"),
            // A list as HCL writes it (a user's `groups`).
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", Text(item))?;
                }
                f.write_str("]")
            }
            v @ (Value::Number(_) | Value::Object(_)) => write!(f, "{}", super::whole(v)),
            other => write!(f, "{other}"),
        }
    }
}

/// Links of managed images that no `kasm_group_image` declares.
pub fn extra(out: &mut String, links: &[ExtraLink]) {
    for x in links {
        let group = x.group_name.as_ref().map_or_else(
            || x.group_id.clone(),
            |n| format!("\"{n}\" ({})", x.group_id),
        );
        let _ = match (x.revoke, &x.image_id) {
            (true, Some(_)) => writeln!(
                out,
                "\n  # {}: its link to group {group} will be removed (exclusive_group_links)",
                x.image_address
            ),
            (true, None) => writeln!(
                out,
                "\n  # {}: the link to group {group} that Kasm adds on create will be removed (exclusive_group_links)",
                x.image_address
            ),
            (false, _) => writeln!(
                out,
                "\n  # note: {} may also be launched by group {group}, a link no kasm_group_image declares;\n  #   set exclusive_group_links = true on it to remove such links",
                x.image_address
            ),
        };
    }
}

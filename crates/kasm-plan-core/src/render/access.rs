//! Group and link changes, and the links of managed images that no
//! `kasm_group_image` declares, as `plan` prints them.

use crate::access::{AccessChange, ExtraLink};
use crate::address::Instance;
use crate::plan::Action;
use serde_json::Value;
use std::fmt::Write;

/// Whether a change is worth printing.
pub fn shown(c: &AccessChange) -> bool {
    c.action != Action::NoOp || c.previous_address.is_some() || c.importing.is_some()
}

/// One group or link change, as Terraform prints a resource.
pub fn change(out: &mut String, c: &AccessChange) {
    let (mark, verb) = match c.action {
        Action::Create => ("+", "will be created"),
        Action::Update => ("~", "will be updated in-place"),
        Action::Replace => ("-/+", super::replaced(c.reason)),
        Action::Delete => ("-", "will be destroyed"),
        Action::NoOp => {
            if let Some(from) = &c.previous_address {
                let _ = writeln!(out, "\n  # {from} has moved to {}", c.address);
            } else if let Some(id) = &c.importing {
                let _ = writeln!(
                    out,
                    "\n  # {} will be imported (id {})",
                    c.address,
                    text(&id.as_str().into())
                );
            }
            return;
        }
    };
    let _ = writeln!(out, "\n  # {} {verb}", c.address);
    if let Some(from) = &c.previous_address {
        let _ = writeln!(out, "  # (moved from {from})");
    }
    if let Some(id) = &c.importing {
        let _ = writeln!(out, "  # (imported from id {})", text(&id.as_str().into()));
    }
    if c.reason == Some(crate::plan::Reason::DeletedOutside) {
        let _ = writeln!(out, "  # (it was deleted outside of kasm-plan)");
    }
    let on_create = crate::schema::tables::resource(&c.resource_type).and_then(|t| t.on_create);
    if let Some(note) = on_create
        && matches!(c.action, Action::Create | Action::Replace)
    {
        let _ = writeln!(out, "  # ({note})");
    }
    let name = Instance::parse(&c.name).map_or_else(|| c.name.clone(), |i| i.name);
    let _ = writeln!(
        out,
        "{mark:>3} resource \"{}\" \"{name}\" {{",
        c.resource_type
    );
    let lines: Vec<(String, String)> = match c.action {
        Action::Delete => c
            .before
            .iter()
            .flatten()
            .filter(|(k, _)| *k != "group_id")
            .map(|(k, v)| (k.clone(), text(v)))
            .collect(),
        Action::Create => c
            .changes
            .iter()
            .map(|a| (a.attribute.clone(), after(c, &a.attribute, &a.after)))
            .chain(
                c.after_unknown
                    .iter()
                    .filter(|k| k.as_str() == "id" || !c.changes.iter().any(|a| &a.attribute == *k))
                    .map(|k| (k.clone(), after(c, k, &Value::Null))),
            )
            .collect(),
        _ => c
            .changes
            .iter()
            .map(|a| {
                let line = if c.sensitive.contains(&a.attribute) {
                    SENSITIVE.to_owned()
                } else {
                    format!(
                        "{} -> {}",
                        text(&a.before),
                        after(c, &a.attribute, &a.after)
                    )
                };
                (a.attribute.clone(), line)
            })
            .collect(),
    };
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let line_mark = match c.action {
        Action::Create => '+',
        Action::Delete => '-',
        _ => '~',
    };
    for (k, v) in lines {
        let _ = writeln!(out, "      {line_mark} {k:<width$} = {v}");
    }
    out.push_str("    }\n");
}

/// A group or link changed or deleted outside kasm-plan, as drift is printed.
pub fn drift(out: &mut String, c: &AccessChange) {
    if c.action == Action::Delete {
        let _ = writeln!(out, "\n  # {} has been deleted", c.address);
        return;
    }
    let id = c.id.as_deref().unwrap_or_default();
    let _ = writeln!(out, "\n  # {} has changed (id {id})", c.address);
    let width = c
        .changes
        .iter()
        .map(|a| a.attribute.len())
        .max()
        .unwrap_or(0);
    for a in &c.changes {
        let _ = writeln!(
            out,
            "      ~ {:<width$} = {} -> {}",
            a.attribute,
            text(&a.before),
            text(&a.after)
        );
    }
}

/// How a write-only value is shown.
const SENSITIVE: &str = "(sensitive value)";

/// A value after apply; unknown ones name what makes them known.
fn after(c: &AccessChange, attribute: &str, v: &Value) -> String {
    if c.sensitive.iter().any(|s| s == attribute) {
        return SENSITIVE.into();
    }
    if !v.is_null() {
        return text(v);
    }
    match c.waits_for.get(attribute) {
        Some(address) => format!("(known after apply: {address})"),
        None => "(known after apply)".into(),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "(null)".into(),
        // A list as HCL writes it (a user's `groups`).
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(text).collect();
            format!("[{}]", items.join(", "))
        }
        other => super::whole(other).to_string(),
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

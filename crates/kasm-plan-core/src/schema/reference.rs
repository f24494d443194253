//! The argument reference of `docs/reference.md`, as Markdown.

use super::{Argument, BlockSchema, Presence, Schema};
use std::fmt::Write;

/// Every block's arguments as a table, then the diagnostic codes.
pub fn markdown(s: &Schema) -> String {
    let mut out = String::new();
    for (heading, blocks) in [
        ("Resources", &s.resources),
        ("Data sources", &s.data_sources),
    ] {
        let _ = writeln!(out, "## {heading}\n");
        for b in blocks {
            block(&mut out, b);
        }
    }
    out.push_str("## Diagnostic codes\n\n| Code | Meaning |\n|---|---|\n");
    for c in &s.codes {
        let code = serde_json::to_value(c.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = writeln!(out, "| `{code}` | {} |", cell(&c.description));
    }
    out
}

fn block(out: &mut String, b: &BlockSchema) {
    let _ = writeln!(out, "### `{}`\n\n{}\n", b.type_name, b.description);
    out.push_str("| Argument | Type | Use | Values | Description |\n|---|---|---|---|---|\n");
    for a in &b.arguments {
        let presence = match a.presence {
            Presence::Required => "required",
            Presence::Optional => "optional",
            Presence::Computed => "computed",
        };
        let sensitive = if a.sensitive { ", sensitive" } else { "" };
        let wire = a
            .wire_name
            .as_deref()
            .map(|w| format!(" Kasm's key: `{w}`."))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{}` | {} | {presence}{sensitive} | {} | {}{wire} |",
            a.name,
            a.value_type,
            values(a),
            cell(&a.description)
        );
    }
    out.push('\n');
}

/// Range, length, allowed values, default and unit, as short text.
fn values(a: &Argument) -> String {
    let unit = a
        .unit
        .as_deref()
        .map(|u| format!(" {u}"))
        .unwrap_or_default();
    let mut parts = Vec::new();
    match (a.minimum, a.maximum) {
        (Some(lo), Some(hi)) if a.exclusive_minimum => {
            parts.push(format!("above {lo} to {hi}{unit}"))
        }
        (Some(lo), Some(hi)) => parts.push(format!("{lo} to {hi}{unit}")),
        (Some(lo), None) => parts.push(format!("{lo} or more{unit}")),
        (None, Some(hi)) => parts.push(format!("at most {hi}{unit}")),
        (None, None) => {}
    }
    if let Some(max) = a.max_length {
        parts.push(format!("at most {max} characters"));
    }
    if !a.allowed.is_empty() {
        let list: Vec<String> = a.allowed.iter().map(|v| format!("`{v}`")).collect();
        parts.push(list.join(", "));
    }
    if let Some(d) = &a.default {
        parts.push(format!("default `{d}`"));
    }
    parts.join("; ")
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

//! Human output, modelled on Terraform's: diagnostics with the offending line,
//! plans with `+`/`~`/`-` per image and one line per changed field.

mod access;

use kasm_plan_core::address::Instance;
use kasm_plan_core::facade::SourceInput;
use kasm_plan_core::field::BYTES_PER_MB;
use kasm_plan_core::group::{Group, GroupImage};
use kasm_plan_core::model::REDACTED;
use kasm_plan_core::plan::{Action, Drift, FieldChange, Reason, ResourceChange};
use kasm_plan_core::{Diagnostic, Field, Image, Plan};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Source texts by file name, to quote the lines diagnostics point at.
type Texts<'a> = BTreeMap<&'a str, &'a str>;

/// Terraform's `-compact-warnings`: warnings in one line each. Set once,
/// from the command line, before anything is rendered.
static COMPACT_WARNINGS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Renders warnings in one line each from now on.
pub fn compact_warnings() {
    let _ = COMPACT_WARNINGS.set(true);
}

/// Every diagnostic, each as [`diagnostic`] renders it and a blank line,
/// quoting the lines of the sources they point into (a warning in one line
/// under `-compact-warnings`).
pub fn diagnostics(list: &[Diagnostic], sources: &[SourceInput]) -> String {
    let texts: Texts = sources
        .iter()
        .filter_map(|s| Some((s.file_name.as_deref()?, s.source.as_str())))
        .collect();
    let compact = COMPACT_WARNINGS.get().copied().unwrap_or(false);
    list.iter()
        .map(|d| {
            if compact && !d.is_error() {
                let place = place(d).map(|p| format!(" ({p})")).unwrap_or_default();
                format!("Warning: {} [{}]{place}\n", d.message, code(d))
            } else {
                diagnostic(d, &texts) + "\n"
            }
        })
        .collect()
}

/// `file:line:column`, or as much of it as the diagnostic has.
fn place(d: &Diagnostic) -> Option<String> {
    match (&d.file, d.location) {
        (Some(f), Some(l)) => Some(format!("{f}:{}:{}", l.start.line, l.start.column)),
        (Some(f), None) => Some(f.clone()),
        (None, Some(l)) => Some(format!("line {}, column {}", l.start.line, l.start.column)),
        (None, None) => None,
    }
}

/// A diagnostic's code as the core names it (`memory_out_of_range`).
pub fn code(d: &Diagnostic) -> String {
    serde_json::to_value(d.code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// One diagnostic: severity, message and code; then where (file:line:column and
/// the field path), the source line with a marker, and the help.
fn diagnostic(d: &Diagnostic, texts: &Texts) -> String {
    let mut out = String::new();
    let severity = if d.is_error() { "Error" } else { "Warning" };
    let _ = writeln!(out, "{severity}: {} [{}]", d.message, code(d));
    let place = place(d);
    let path = d
        .path
        .as_deref()
        .map(|p| format!(" ({p})"))
        .unwrap_or_default();
    if let Some(place) = place {
        let _ = writeln!(out, "  --> {place}{path}");
    } else if !path.is_empty() {
        let _ = writeln!(out, "  -->{path}");
    }
    let line = d.location.zip(d.file.as_deref()).and_then(|(l, f)| {
        let text = texts.get(f)?;
        let n = usize::try_from(l.start.line).ok()?;
        Some((l, text.lines().nth(n.checked_sub(1)?)?))
    });
    if let Some((l, text)) = line {
        let number = l.start.line.to_string();
        let pad = " ".repeat(number.len());
        let start = usize::try_from(l.start.column).unwrap_or(1).max(1);
        let width = text.chars().count();
        // The marker runs to the end of the stretch or of the line.
        let end = if l.end.line == l.start.line {
            usize::try_from(l.end.column).unwrap_or(start + 1)
        } else {
            width + 1
        };
        let marks = end
            .saturating_sub(start)
            .max(1)
            .min(width.saturating_sub(start - 1).max(1));
        let _ = writeln!(out, "   {pad} |");
        let _ = writeln!(out, "   {number} | {text}");
        let _ = writeln!(
            out,
            "   {pad} | {}{}",
            " ".repeat(start - 1),
            "^".repeat(marks)
        );
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "  help: {help}");
    }
    if let Some(fix) = &d.fix {
        let _ = writeln!(out, "  fix: {}", fix.title);
    }
    out
}

/// Counts, as `2 errors, 1 warning`.
pub fn counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// A plan: drift first, then the actions, then the `Plan:` line. `notes`:
/// the plan's diagnostics, of which those about a create are repeated next to it.
pub fn plan(plan: &Plan, notes: &[Diagnostic]) -> String {
    let mut out = String::new();
    if plan.has_drift() {
        drifted(&mut out, plan);
        out.push('\n');
    }
    let changes: Vec<&ResourceChange> = plan
        .resource_changes
        .iter()
        .filter(|c| {
            c.action != Action::NoOp || c.previous_address.is_some() || c.importing.is_some()
        })
        .collect();
    let duplicates: Vec<(&str, &str)> = plan
        .duplicates
        .iter()
        .filter(|d| d.delete)
        .flat_map(|d| {
            d.image_ids
                .iter()
                .map(|id| (d.address.as_str(), id.as_str()))
        })
        .collect();
    let access: Vec<_> = plan
        .access_changes
        .iter()
        .filter(|c| access::shown(c))
        .collect();
    let revokes = plan.extra_links.iter().any(|x| x.revoke);
    if changes.is_empty() && duplicates.is_empty() && access.is_empty() && !revokes {
        out.push_str("No changes. Kasm matches the configuration.\n");
        access::extra(&mut out, &plan.extra_links);
        return out;
    }
    out.push_str("kasm-plan will perform the following actions:\n");
    for c in changes {
        change(&mut out, c);
        namesake(&mut out, c, notes);
    }
    for c in access {
        access::change(&mut out, c);
    }
    access::extra(&mut out, &plan.extra_links);
    for (address, id) in duplicates {
        let _ = writeln!(
            out,
            "\n  # a duplicate of {address} will be destroyed (--delete-duplicates)\n  - image {}",
            Value::from(id)
        );
    }
    let _ = writeln!(out, "\nPlan: {}.", plan.summary);
    out
}

/// A plan as `plan` and `apply` show it: whole, or drift only.
pub fn planned(plan: &Plan, refresh_only: bool, notes: &[Diagnostic]) -> String {
    if refresh_only {
        self::refresh_only(plan)
    } else {
        self::plan(plan, notes)
    }
}

/// Under a create, the image Kasm already has by that name (its warning is above).
fn namesake(out: &mut String, c: &ResourceChange, notes: &[Diagnostic]) {
    let found = notes.iter().find(|d| {
        d.code == kasm_plan_core::Code::UnmanagedNamesake && d.address.as_ref() == Some(&c.address)
    });
    if let Some(d) = found {
        let _ = writeln!(out, "    # Warning: {}", d.message);
    }
}

/// A refresh-only plan: the drift, and what applying it does.
pub fn refresh_only(plan: &Plan) -> String {
    if !plan.has_drift() {
        return "No changes. The state matches Kasm.\n".to_owned();
    }
    let mut out = String::new();
    drifted(&mut out, plan);
    out.push_str("\nThis is a refresh-only plan: `apply --refresh-only` records these values in the state and changes nothing on Kasm.\n");
    out
}

/// What changed outside kasm-plan: images, then groups and links.
fn drifted(out: &mut String, plan: &Plan) {
    out.push_str("Note: Objects have changed outside of kasm-plan\n\n");
    out.push_str("kasm-plan detected the following changes made outside of kasm-plan since the last apply:\n");
    for d in &plan.resource_drift {
        drift(out, d);
    }
    for c in &plan.access_drift {
        access::drift(out, c);
    }
}

fn drift(out: &mut String, d: &Drift) {
    if d.deleted {
        let _ = writeln!(out, "\n  # {} has been deleted", d.address);
        return;
    }
    let _ = writeln!(out, "\n  # {} has changed (id {})", d.address, d.image_id);
    fields(out, &d.changes, '~', true, &Field::is_sensitive);
}

fn change(out: &mut String, c: &ResourceChange) {
    if c.action == Action::NoOp {
        return edited(out, c);
    }
    let (mark, verb) = match c.action {
        Action::Create => ('+', "will be created"),
        Action::Update => ('~', "will be updated in-place"),
        _ => ('-', "will be destroyed"),
    };
    let _ = writeln!(out, "\n  # {} {verb}", c.address);
    if let Some(from) = &c.previous_address {
        let _ = writeln!(out, "  # (moved from {from})");
    }
    if let Some(id) = &c.importing {
        let _ = writeln!(
            out,
            "  # (imported from image {})",
            Value::from(id.as_str())
        );
    }
    match c.reason {
        Some(Reason::DeletedOutside) => {
            let _ = writeln!(out, "  # (it was deleted outside of kasm-plan)");
        }
        Some(Reason::RemovedFromConfig) => {
            let _ = writeln!(
                out,
                "  # (because {} is not in the configuration)",
                c.address
            );
        }
        Some(Reason::Drift) => {
            let _ = writeln!(out, "  # (to undo changes made outside of kasm-plan)");
        }
        _ => {}
    }
    let name = Instance::from_address(&c.address).map_or_else(|| c.name.clone(), |i| i.name);
    let _ = writeln!(out, "  {mark} resource \"kasm_image\" \"{name}\" {{");
    match c.action {
        Action::Create => fields(out, &c.changes, '+', false, &|f| c.hides(f)),
        Action::Delete => {
            let shown: Vec<FieldChange> = [Field::Name, Field::FriendlyName]
                .into_iter()
                .filter_map(|field| {
                    let before = c.before.as_ref()?.get(field).clone();
                    (!before.is_null()).then_some(FieldChange {
                        field,
                        before,
                        after: Value::Null,
                    })
                })
                .collect();
            if let Some(id) = &c.image_id {
                let _ = writeln!(out, "        id = {}", Value::from(id.as_str()));
            }
            fields(out, &shown, '-', false, &|f| c.hides(f));
        }
        _ => {
            if let Some(id) = &c.image_id {
                let _ = writeln!(out, "        id = {}", Value::from(id.as_str()));
            }
            fields(out, &c.changes, '~', true, &|f| c.hides(f));
        }
    }
    out.push_str("    }\n");
}

/// A move or an import with nothing else to change.
fn edited(out: &mut String, c: &ResourceChange) {
    match (&c.previous_address, &c.importing) {
        (Some(from), _) => {
            let _ = writeln!(out, "\n  # {from} has moved to {}", c.address);
        }
        (None, Some(id)) => {
            let _ = writeln!(
                out,
                "\n  # {} will be imported (image {})",
                c.address,
                Value::from(id.as_str())
            );
        }
        (None, None) => return,
    }
    let name = Instance::from_address(&c.address).map_or_else(|| c.name.clone(), |i| i.name);
    let _ = writeln!(out, "    resource \"kasm_image\" \"{name}\" {{");
    if let Some(id) = &c.image_id {
        let _ = writeln!(out, "        id = {}", Value::from(id.as_str()));
    }
    out.push_str("    }\n");
}

/// One line per field, names aligned; `old -> new` when `both`; what the
/// change hides shown as `(sensitive value)`.
fn fields(
    out: &mut String,
    changes: &[FieldChange],
    mark: char,
    both: bool,
    hides: &dyn Fn(Field) -> bool,
) {
    let value = |field: Field, v: &Value| shown(field, v, hides(field));
    let width = changes
        .iter()
        .map(|f| f.field.spec_name().len())
        .max()
        .unwrap_or(0);
    for f in changes {
        let name = f.field.spec_name();
        let text = match (mark, both) {
            (_, true) => format!(
                "{} -> {}",
                value(f.field, &f.before),
                value(f.field, &f.after)
            ),
            ('-', false) => value(f.field, &f.before),
            _ => value(f.field, &f.after),
        };
        let _ = writeln!(out, "      {mark} {name:<width$} = {text}");
    }
}

/// A field value as the spec writes it: memory in MB, secrets hidden.
pub fn value(field: Field, v: &Value) -> String {
    shown(field, v, field.is_sensitive())
}

fn shown(field: Field, v: &Value, hidden: bool) -> String {
    match v {
        Value::Null => "(null)".into(),
        _ if hidden => REDACTED.into(),
        Value::Number(n) if field == Field::Memory => format!("{n} MB"),
        other => other.to_string(),
    }
}

/// Images as a table; memory in MB.
pub fn images(images: &[Image]) -> String {
    let rows: Vec<[String; 6]> = images
        .iter()
        .map(|i| {
            [
                i.name.clone().unwrap_or_default(),
                i.friendly_name.clone().unwrap_or_default(),
                i.enabled.to_string(),
                i.available.to_string(),
                format!("{} / {} MB", i.cores, mb(i.memory)),
                i.image_id.clone(),
            ]
        })
        .collect();
    let header = [
        "NAME",
        "FRIENDLY NAME",
        "ENABLED",
        "AVAILABLE",
        "CORES / MEMORY",
        "ID",
    ]
    .map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    let _ = writeln!(out, "\n{} image(s).", images.len());
    out
}

/// Groups as a table; with their image links (id and name), when read.
pub fn groups(groups: &[Group], links: Option<&[Vec<GroupImage>]>) -> String {
    let rows: Vec<[String; 4]> = groups
        .iter()
        .map(|g| {
            [
                g.name.clone(),
                g.priority.to_string(),
                if g.is_system { "yes" } else { "" }.to_owned(),
                g.group_id.clone(),
            ]
        })
        .collect();
    let header = ["NAME", "PRIORITY", "SYSTEM", "ID"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |row: &[String; 4]| -> String {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        cells.join("  ").trim_end().to_owned()
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", line(&header));
    for (i, row) in rows.iter().enumerate() {
        let _ = writeln!(out, "{}", line(row));
        if let Some(images) = links.and_then(|l| l.get(i)) {
            for link in images {
                let _ = writeln!(
                    out,
                    "    may launch {} ({})",
                    link.image_name.as_deref().unwrap_or("(unnamed image)"),
                    link.image_id
                );
            }
        }
    }
    let _ = writeln!(out, "\n{} group(s).", groups.len());
    out
}

/// Bytes as MB, without a fraction when whole.
fn mb(bytes: i64) -> String {
    if bytes % BYTES_PER_MB == 0 {
        (bytes / BYTES_PER_MB).to_string()
    } else {
        format!("{:.3}", bytes as f64 / BYTES_PER_MB as f64)
    }
}

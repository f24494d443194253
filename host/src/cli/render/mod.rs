//! Human output, modelled on Terraform's: diagnostics with the offending
//! line, image and group tables. Plans are rendered by the core
//! (`render_plan`), as the npm package's page shows them.

use kasm_plan_core::access::launch::{Grant, GrantChange};
use kasm_plan_core::facade::SourceInput;
use kasm_plan_core::field::BYTES_PER_MB;
use kasm_plan_core::group::{Group, GroupImage};
use kasm_plan_core::{Diagnostic, Image};
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
        let n = usize::try_from(l.start.line.get()).ok()?;
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
    let line = columns(["NAME", "PRIORITY", "SYSTEM", "ID"], &rows);
    let mut out = String::new();
    let _ = writeln!(out, "{}", line(None));
    for (i, row) in rows.iter().enumerate() {
        let _ = writeln!(out, "{}", line(Some(row)));
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

/// Who may launch what (`kasm-plan access`): a user and an image per
/// line, the groups that grant it, and what the plan does to it.
pub fn grants(grants: &[Grant]) -> String {
    let rows: Vec<[String; 4]> = grants
        .iter()
        .map(|g| {
            let change = match g.change {
                GrantChange::Kept => "",
                GrantChange::Added => "+ once applied",
                GrantChange::Removed => "- once applied",
            };
            [
                g.user.clone(),
                g.image.clone(),
                g.groups.join(", "),
                change.to_owned(),
            ]
        })
        .collect();
    let line = columns(["USER", "IMAGE", "THROUGH", ""], &rows);
    let mut out = String::new();
    let _ = writeln!(out, "{}", line(None));
    for row in &rows {
        let _ = writeln!(out, "{}", line(Some(row)));
    }
    let users: std::collections::BTreeSet<&str> = grants.iter().map(|g| g.user.as_str()).collect();
    let _ = writeln!(
        out,
        "\n{} grant(s) to {} user(s).",
        grants.len(),
        users.len()
    );
    out
}

/// Aligned columns: a line for the header (`None`) or a row, each cell as
/// wide as the column's widest.
fn columns<const N: usize>(
    header: [&str; N],
    rows: &[[String; N]],
) -> impl Fn(Option<&[String; N]>) -> String {
    let header = header.map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    move |row| {
        let cells: Vec<String> = row
            .unwrap_or(&header)
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        cells.join("  ").trim_end().to_owned()
    }
}

/// Bytes as MB, without a fraction when whole.
fn mb(bytes: i64) -> String {
    if bytes % BYTES_PER_MB == 0 {
        (bytes / BYTES_PER_MB).to_string()
    } else {
        format!("{:.3}", bytes as f64 / BYTES_PER_MB as f64)
    }
}

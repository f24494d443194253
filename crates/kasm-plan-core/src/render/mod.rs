//! Plans as text, modelled on Terraform's: drift first, `+`/`~`/`-` per
//! resource with one line per changed attribute (memory in MB, secrets as
//! `(sensitive value)`), then the `Plan:` line. The CLI prints it and the npm
//! package's page shows it, so both read alike.

mod resources;
pub mod state;

use crate::change::{Action, Change, Plan, Reason};
use crate::diagnostic::Diagnostic;
use crate::model::REDACTED;
use serde_json::Value;
use std::borrow::Cow;
use std::fmt::Write;

/// A plan: drift first, then the actions, then the `Plan:` line. `notes`:
/// the plan's diagnostics, of which those about a create are repeated next to it.
pub fn plan(plan: &Plan, notes: &[Diagnostic]) -> String {
    let mut out = String::new();
    if plan.has_drift() {
        drifted(&mut out, plan);
        out.push('\n');
    }
    let printed: Vec<Cow<Change>> = plan
        .resource_changes
        .iter()
        .filter(|c| resources::shown(c))
        .map(Change::printed)
        .collect();
    let changes: Vec<&Change> = printed.iter().map(AsRef::as_ref).collect();
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
    let revokes = plan.extra_links.iter().any(|x| x.revoke);
    if changes.is_empty() && duplicates.is_empty() && !revokes {
        if plan.has_output_changes() {
            outputs(&mut out, plan);
            out.push_str("\nYou can apply this plan to save these new output values to the state, without changing anything on Kasm.\n");
        } else {
            out.push_str("No changes. Kasm matches the configuration.\n");
        }
        resources::extra(&mut out, &plan.extra_links);
        return out;
    }
    out.push_str("kasm-plan will perform the following actions:\n");
    for c in changes {
        resources::change(&mut out, c, notes);
    }
    resources::extra(&mut out, &plan.extra_links);
    for (address, id) in duplicates {
        let _ = writeln!(
            out,
            "\n  # a duplicate of {address} will be destroyed (--delete-duplicates)\n  - image {}",
            Value::from(id)
        );
    }
    let _ = writeln!(out, "\nPlan: {}.", plan.summary);
    if plan.has_output_changes() {
        out.push('\n');
        outputs(&mut out, plan);
    }
    out
}

/// `Changes to Outputs:`, one line each, `=` aligned as Terraform aligns it.
fn outputs(out: &mut String, plan: &Plan) {
    out.push_str("Changes to Outputs:\n");
    let changed: Vec<_> = plan
        .output_changes
        .iter()
        .filter(|o| o.action != Action::NoOp)
        .collect();
    let width = changed
        .iter()
        .map(|o| o.name.chars().count())
        .max()
        .unwrap_or(0);
    for o in changed {
        let shown = |v: Option<&Value>, unknown: bool| match (o.sensitive, v) {
            (true, _) => REDACTED.to_owned(),
            (false, _) if unknown => "(known after apply)".to_owned(),
            (false, Some(v)) => v.to_string(),
            (false, None) => "null".to_owned(),
        };
        let before = shown(o.before.as_ref(), false);
        let after = shown(o.after.as_ref(), o.after_unknown);
        let (sign, text) = match o.action {
            Action::Create => ('+', after),
            Action::Delete => ('-', format!("{before} -> null")),
            _ => ('~', format!("{before} -> {after}")),
        };
        let _ = writeln!(out, "  {sign} {:<width$} = {text}", o.name);
    }
}

/// A plan as `plan` and `apply` show it: whole, or drift only.
pub fn planned(plan: &Plan, refresh_only: bool, notes: &[Diagnostic]) -> String {
    if refresh_only {
        self::refresh_only(plan)
    } else {
        self::plan(plan, notes)
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
    for c in &plan.resource_drift {
        resources::drift(out, c);
    }
}

/// How a replace is announced: Terraform says when `-replace` asked for it.
pub fn replaced(reason: Option<Reason>) -> &'static str {
    match reason {
        Some(Reason::ReplaceByRequest) => "will be replaced, as requested",
        _ => "must be replaced",
    }
}

/// A number with no fraction printed as Terraform prints it (`2`, not
/// `2.0`), at any depth: a plan that went through JavaScript, where `2.0`
/// becomes `2`, prints the same.
pub(super) fn whole(v: &Value) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: beyond it, floats skip integers
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < EXACT => Value::from(f as i64),
            _ => v.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(whole).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), whole(v))).collect())
        }
        other => other.clone(),
    }
}

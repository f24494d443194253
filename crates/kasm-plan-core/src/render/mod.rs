//! Plans as text, modelled on Terraform's: drift first, `+`/`~`/`-` per
//! resource with one line per changed attribute (memory in MB, secrets as
//! `(sensitive value)`, a list or an object drawn part by part), then the
//! `Plan:` line and the outputs' changes, drawn as Terraform draws them. The
//! CLI prints it and the npm package's page shows it, so both read alike.

mod hcl_value;
mod resources;
pub mod state;
mod values;

pub use hcl_value::hcl_value;

use crate::change::{Action, Change, OutputChange, Plan, Reason};
use crate::diagnostic::Diagnostic;
use serde_json::Value;
use std::borrow::Cow;
use std::fmt::Write;
use values::Act;

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

/// `Changes to Outputs:` as Terraform writes them: by name, each value's
/// change drawn part by part ([`values`]), `=` aligned over every output.
fn outputs(out: &mut String, plan: &Plan) {
    out.push_str("Changes to Outputs:\n");
    let mut all: Vec<&OutputChange> = plan.output_changes.iter().collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    let names: Vec<String> = all.iter().map(|o| values::key(&o.name)).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (o, name) in all.into_iter().zip(&names) {
        let diff = output_diff(o);
        if diff.action != Act::NoOp {
            let mark = values::mark(diff.action);
            let _ = writeln!(out, "{mark}{name:<width$} = {}", diff.render());
        }
    }
}

/// The `Outputs:` section `apply` ends with, as Terraform prints it: each
/// output by name (a null one is no output), its value in HCL's syntax, a
/// sensitive one as `<sensitive>`; empty when there is none.
pub fn applied_outputs(outputs: &[OutputChange]) -> String {
    let mut kept: Vec<&OutputChange> = outputs
        .iter()
        .filter(|o| o.action != Action::Delete && !o.is_null())
        .collect();
    if kept.is_empty() {
        return String::new();
    }
    kept.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = String::from("\nOutputs:\n\n");
    for o in kept {
        let value = match (&o.after, o.sensitive) {
            (_, true) => "<sensitive>".to_owned(),
            (Some(v), false) => hcl_value(v),
            (None, false) => "(known after apply)".to_owned(),
        };
        let _ = writeln!(out, "{} = {value}", o.name);
    }
    out
}

/// An output's change: hidden when sensitive, unknown until applied, else
/// its values compared.
fn output_diff(o: &OutputChange) -> values::Diff {
    if o.sensitive {
        let action = match o.action {
            Action::NoOp => Act::NoOp,
            Action::Create => Act::Create,
            Action::Delete => Act::Delete,
            _ => Act::Update,
        };
        values::Diff::sensitive(action)
    } else if o.after_unknown && o.action != Action::Delete {
        values::Diff::unknown(o.before.as_ref())
    } else {
        values::Diff::of(o.before.as_ref(), o.after.as_ref())
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn output(name: &str, after: Value, sensitive: bool) -> OutputChange {
        OutputChange {
            name: name.into(),
            action: Action::Create,
            before: None,
            after: Some(after),
            after_unknown: false,
            sensitive,
            fingerprint: None,
        }
    }

    #[test]
    fn applied_outputs_are_by_name_without_the_null_ones() {
        let outputs = [
            output("z", json!(["a"]), false),
            output("gone", Value::Null, false),
            output("a", json!("secret"), true),
        ];
        assert_eq!(
            applied_outputs(&outputs),
            "\nOutputs:\n\na = <sensitive>\nz = [\n  \"a\",\n]\n"
        );
        assert_eq!(applied_outputs(&outputs[1..2]), "");
    }
}

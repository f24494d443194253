//! Plans as text, modelled on Terraform's: drift first, `+`/`~`/`-` per
//! resource with one line per changed attribute (memory in MB, secrets as
//! `(sensitive value)`), then the `Plan:` line. The CLI prints it and the npm
//! package's page shows it, so both read alike.

mod access;

use crate::address::Instance;
use crate::diagnostic::{Code, Diagnostic};
use crate::field::Field;
use crate::model::REDACTED;
use crate::plan::{Action, Drift, FieldChange, Plan, Reason, ResourceChange};
use serde_json::Value;
use std::fmt::Write;

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
        if plan.has_output_changes() {
            outputs(&mut out, plan);
            out.push_str("\nYou can apply this plan to save these new output values to the state, without changing anything on Kasm.\n");
        } else {
            out.push_str("No changes. Kasm matches the configuration.\n");
        }
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

/// Under a create, the image Kasm already has by that name (its warning is above).
fn namesake(out: &mut String, c: &ResourceChange, notes: &[Diagnostic]) {
    let found = notes
        .iter()
        .find(|d| d.code == Code::UnmanagedNamesake && d.address.as_ref() == Some(&c.address));
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
        Action::Create => ("+", "will be created"),
        Action::Update => ("~", "will be updated in-place"),
        Action::Replace => ("-/+", replaced(c.reason)),
        _ => ("-", "will be destroyed"),
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
    let _ = writeln!(out, "{mark:>3} resource \"kasm_image\" \"{name}\" {{");
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

/// How a replace is announced: Terraform says when `-replace` asked for it.
pub fn replaced(reason: Option<Reason>) -> &'static str {
    match reason {
        Some(Reason::ReplaceByRequest) => "will be replaced, as requested",
        _ => "must be replaced",
    }
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
        Value::Number(_) if field == Field::Memory => format!("{} MB", whole(v)),
        other => whole(other).to_string(),
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

//! One resource instance's entries in Terraform's plan JSON, for every type:
//! its `resource_changes` (and `resource_drift`) entry, and its
//! `planned_values` and `prior_state` entries.

use super::{PROVIDER_NAME, instance_header};
use crate::change::{Action, Change, Reason};
use serde_json::{Map, Value, json};

/// One instance's entries: in `resource_changes`, in `planned_values`
/// (unless it is deleted) and in `prior_state` (when it exists).
pub struct Entries {
    /// The `resource_changes` entry.
    pub change: Value,
    /// The `planned_values` entry.
    pub planned: Option<Value>,
    /// The `prior_state` entry.
    pub prior: Option<Value>,
}

/// The entries of one change.
pub fn entries(c: &Change) -> Entries {
    let before = c.shown_before();
    let after = match c.action {
        Action::Delete => None,
        Action::NoOp => before.clone(),
        _ => c.shown_after(),
    };
    let prior = before.as_ref().map(|b| state_entry(c, Some(b.clone())));
    // An unchanged instance not read again has no values: listed with null.
    let planned = (c.action != Action::Delete)
        .then(|| state_entry(c, after.clone().or_else(|| before.clone())));
    Entries {
        change: change_entry(c, before, after),
        planned,
        prior,
    }
}

/// A `resource_drift` entry: a change made outside kasm-plan.
pub fn drift(c: &Change) -> Value {
    let before = c.shown_before();
    let after = match c.action {
        Action::Delete => None,
        _ => c.shown_after(),
    };
    change_entry(c, before, after)
}

fn change_entry(
    c: &Change,
    before: Option<Map<String, Value>>,
    after: Option<Map<String, Value>>,
) -> Value {
    let unknown: Map<String, Value> = c
        .after_unknown
        .iter()
        .map(|k| (k.to_string(), Value::Bool(true)))
        .collect();
    let mut change = Map::new();
    change.insert("actions".into(), c.action.terraform_actions());
    change.insert("before_sensitive".into(), marks(c, before.as_ref()));
    change.insert("after_sensitive".into(), marks(c, after.as_ref()));
    change.insert("before".into(), object(before));
    change.insert("after".into(), object(after));
    change.insert("after_unknown".into(), Value::Object(unknown));
    if let Some(id) = &c.importing {
        change.insert("importing".into(), json!({ "id": id }));
    }
    let mut out = header(c);
    out.insert("change".into(), Value::Object(change));
    if c.action == Action::Replace && c.reason != Some(Reason::ReplaceByRequest) {
        let paths: Vec<Value> = c.changes.iter().map(|a| json!([a.attribute])).collect();
        out.insert("replace_paths".into(), paths.into());
    }
    if let Some(from) = &c.previous_address {
        out.insert("previous_address".into(), from.clone().into());
    }
    if let Some(reason) = c.reason.and_then(super::terraform_reason) {
        out.insert("action_reason".into(), reason.into());
    }
    Value::Object(out)
}

fn state_entry(c: &Change, values: Option<Map<String, Value>>) -> Value {
    let mut out = header(c);
    out.insert("schema_version".into(), 0.into());
    out.insert("sensitive_values".into(), marks(c, values.as_ref()));
    out.insert("values".into(), object(values));
    Value::Object(out)
}

fn object(values: Option<Map<String, Value>>) -> Value {
    values.map_or(Value::Null, Value::Object)
}

/// Terraform marks the sensitive attributes that hold a value with `true`,
/// in an object beside the values; `false` when there are no values.
fn marks(c: &Change, values: Option<&Map<String, Value>>) -> Value {
    let Some(values) = values else {
        return Value::Bool(false);
    };
    let marked: Map<String, Value> = c
        .sensitive
        .iter()
        .filter(|k| values.get(k.as_ref()).is_some_and(|v| !v.is_null()))
        .map(|k| (k.to_string(), Value::Bool(true)))
        .collect();
    Value::Object(marked)
}

fn header(c: &Change) -> Map<String, Value> {
    let mut m = instance_header(&c.resource_type, &c.address, &c.name);
    m.insert("provider_name".into(), PROVIDER_NAME.into());
    m
}

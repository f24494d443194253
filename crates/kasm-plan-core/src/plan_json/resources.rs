//! One resource instance's entries in Terraform's plan JSON, for every type:
//! its `resource_changes` (and `resource_drift`) entry, and its
//! `planned_values` and `prior_state` entries.

use super::{PROVIDER_NAME, instance_header};
use crate::change::{AccessChange, Action, Reason};
use serde_json::{Map, Value, json};

/// The `resource_changes` entry; drift is written the same way.
pub fn resource_change(c: &AccessChange) -> Value {
    let before = c.before.as_ref();
    let after = match c.action {
        Action::Delete => None,
        Action::NoOp => before,
        _ => c.after.as_ref(),
    };
    let unknown: Map<String, Value> = c
        .after_unknown
        .iter()
        .map(|k| (k.clone(), Value::Bool(true)))
        .collect();
    let mut change = Map::new();
    change.insert("actions".into(), c.action.terraform_actions());
    change.insert("before".into(), object(before));
    change.insert("after".into(), object(after));
    change.insert("after_unknown".into(), Value::Object(unknown));
    change.insert("before_sensitive".into(), marks(c, before));
    change.insert("after_sensitive".into(), marks(c, after));
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

/// The `planned_values` entry, unless the change deletes: the values after,
/// or null when the plan has none (an unchanged instance not read again).
pub fn planned_value(c: &AccessChange) -> Option<Value> {
    (c.action != Action::Delete).then(|| state_entry(c, c.after.as_ref().or(c.before.as_ref())))
}

/// The `prior_state` entry, when the resource exists.
pub fn prior_value(c: &AccessChange) -> Option<Value> {
    c.before.as_ref().map(|values| state_entry(c, Some(values)))
}

fn state_entry(c: &AccessChange, values: Option<&Map<String, Value>>) -> Value {
    let mut out = header(c);
    out.insert("schema_version".into(), 0.into());
    out.insert("sensitive_values".into(), marks(c, values));
    out.insert("values".into(), object(values));
    Value::Object(out)
}

fn object(values: Option<&Map<String, Value>>) -> Value {
    values.map_or(Value::Null, |m| Value::Object(m.clone()))
}

/// Terraform marks the sensitive attributes that hold a value with `true`,
/// in an object beside the values; `false` when there are no values.
fn marks(c: &AccessChange, values: Option<&Map<String, Value>>) -> Value {
    let Some(values) = values else {
        return Value::Bool(false);
    };
    let marked: Map<String, Value> = c
        .sensitive
        .iter()
        .filter(|k| values.get(k.as_str()).is_some_and(|v| !v.is_null()))
        .map(|k| (k.clone(), Value::Bool(true)))
        .collect();
    Value::Object(marked)
}

fn header(c: &AccessChange) -> Map<String, Value> {
    let mut m = instance_header(&c.resource_type, &c.address, &c.name);
    m.insert("provider_name".into(), PROVIDER_NAME.into());
    m
}

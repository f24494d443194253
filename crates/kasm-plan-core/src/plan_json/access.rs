//! Group and link changes in Terraform's plan JSON: `resource_changes`,
//! `planned_values` and `prior_state` entries, as for images.

use super::{PROVIDER_NAME, instance_header};
use crate::access::AccessChange;
use crate::plan::Action;
use serde_json::{Map, Value, json};

/// The `resource_changes` entry.
pub fn resource_change(c: &AccessChange) -> Value {
    let before = c.before.clone().map(Value::Object);
    let after = match c.action {
        Action::Delete => None,
        Action::NoOp => before.clone(),
        _ => c.after.clone().map(Value::Object),
    };
    let actions = c.action.terraform_actions();
    let unknown: Map<String, Value> = c
        .after_unknown
        .iter()
        .map(|k| (k.clone(), Value::Bool(true)))
        .collect();
    // Write-only attributes are marked sensitive and never carry a value.
    let hidden: Map<String, Value> = c
        .sensitive
        .iter()
        .map(|k| (k.clone(), Value::Bool(true)))
        .collect();
    let marks = |v: &Option<Value>| {
        if v.is_some() {
            Value::Object(hidden.clone())
        } else {
            json!(false)
        }
    };
    let mut out = header(c);
    out.insert(
        "change".into(),
        json!({
            "actions": actions,
            "before": before.clone().unwrap_or(Value::Null),
            "after": after.clone().unwrap_or(Value::Null),
            "after_unknown": unknown,
            "before_sensitive": marks(&before),
            "after_sensitive": marks(&after),
        }),
    );
    if c.action == Action::Replace && c.reason != Some(crate::plan::Reason::ReplaceByRequest) {
        let paths: Vec<Value> = c.changes.iter().map(|a| json!([a.attribute])).collect();
        out.insert("replace_paths".into(), paths.into());
    }
    if let Some(from) = &c.previous_address {
        out.insert("previous_address".into(), from.clone().into());
    }
    if let (Some(id), Some(Value::Object(change))) = (&c.importing, out.get_mut("change")) {
        change.insert("importing".into(), json!({ "id": id }));
    }
    if let Some(reason) = c.reason.and_then(super::terraform_reason) {
        out.insert("action_reason".into(), reason.into());
    }
    Value::Object(out)
}

/// The `planned_values` entry, unless the change deletes.
pub fn planned_value(c: &AccessChange) -> Option<Value> {
    if c.action == Action::Delete {
        return None;
    }
    let values = c.after.as_ref().or(c.before.as_ref())?;
    Some(state_entry(c, values))
}

/// The `prior_state` entry, when the resource exists.
pub fn prior_value(c: &AccessChange) -> Option<Value> {
    Some(state_entry(c, c.before.as_ref()?))
}

fn state_entry(c: &AccessChange, values: &Map<String, Value>) -> Value {
    let mut out = header(c);
    out.insert("schema_version".into(), 0.into());
    out.insert("sensitive_values".into(), json!({}));
    out.insert("values".into(), Value::Object(values.clone()));
    Value::Object(out)
}

fn header(c: &AccessChange) -> Map<String, Value> {
    let mut m = instance_header(&c.resource_type, &c.address, &c.name);
    m.insert("provider_name".into(), PROVIDER_NAME.into());
    m
}

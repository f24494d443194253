//! A plan in the shape of `terraform show -json`, so tools that read Terraform
//! plans (Conftest, Checkov, Sentinel-style checks) read ours unchanged.
//! Attribute names and units are the `kasm_image` resource's (memory in MB).
//! Sensitive values are replaced, not just flagged.

mod access;
use crate::address::Instance;
use crate::address::RESOURCE_TYPE;
use crate::attributes::Attributes;
use crate::field::Field;
use crate::plan::{Action, Drift, Plan, Reason, ResourceChange};
use serde_json::{Map, Value, json};

/// Terraform's plan JSON format version this output follows.
pub const FORMAT_VERSION: &str = "1.2";
pub use crate::address::PROVIDER_NAME;

/// The version written as `terraform_version`: the Terraform language
/// version whose semantics kasm-plan follows (consumers check it as semver).
pub const TERRAFORM_VERSION: &str = "1.9.0";

/// Renders a plan as Terraform plan JSON: every top-level key Terraform
/// documents but `timestamp`, which needs a clock (the host adds it).
pub fn to_terraform_json(plan: &Plan) -> Value {
    let resources: Vec<Value> = plan
        .resource_changes
        .iter()
        .filter(|c| c.action != Action::Delete)
        .map(planned_value)
        .chain(plan.access_changes.iter().filter_map(access::planned_value))
        .collect();
    let drift: Vec<Value> = plan
        .resource_drift
        .iter()
        .map(drift)
        .chain(plan.access_drift.iter().map(access::resource_change))
        .collect();
    let changes: Vec<Value> = plan
        .resource_changes
        .iter()
        .map(resource_change)
        .chain(plan.access_changes.iter().map(access::resource_change))
        .collect();
    // Built by moving each part in: `json!` would copy them through `Serialize`.
    let out = Map::from_iter([
        ("format_version".to_owned(), FORMAT_VERSION.into()),
        ("terraform_version".to_owned(), TERRAFORM_VERSION.into()),
        (
            "variables".to_owned(),
            plan.variables.clone().unwrap_or_else(|| json!({})),
        ),
        ("planned_values".to_owned(), root_module(resources)),
        ("resource_drift".to_owned(), Value::Array(drift)),
        ("resource_changes".to_owned(), Value::Array(changes)),
        ("relevant_attributes".to_owned(), relevant_attributes(plan)),
        ("prior_state".to_owned(), prior_state(plan)),
        (
            "configuration".to_owned(),
            plan.configuration
                .clone()
                .unwrap_or_else(|| json!({ "root_module": {} })),
        ),
        ("applyable".to_owned(), plan.has_changes().into()),
        ("complete".to_owned(), (!plan.targeted).into()),
        ("errored".to_owned(), false.into()),
    ]);
    let mut out = Value::Object(out);
    if !plan.output_changes.is_empty() {
        add_outputs(&mut out, plan);
    }
    // Not a Terraform key: readers of plan JSON (and Rego policies) may look for it.
    if !plan.duplicates.is_empty()
        && let Some(o) = out.as_object_mut()
    {
        o.insert("duplicates".into(), json!(plan.duplicates));
    }
    out
}

/// `output_changes`, and the outputs of `planned_values` and `prior_state`.
/// A sensitive output's value is left out, not just flagged.
fn add_outputs(out: &mut Value, plan: &Plan) {
    let mut changes = Map::new();
    let mut planned = Map::new();
    let mut prior = Map::new();
    for o in &plan.output_changes {
        let sensitive = Value::Bool(o.sensitive);
        let before = o.before.clone().unwrap_or(Value::Null);
        let after = match o.action {
            Action::Delete => Value::Null,
            _ => o.after.clone().unwrap_or(Value::Null),
        };
        changes.insert(
            o.name.clone(),
            json!({
                "actions": o.action.terraform_actions(),
                "before": before,
                "after": after,
                "after_unknown": o.after_unknown,
                "before_sensitive": sensitive,
                "after_sensitive": sensitive,
            }),
        );
        if o.action != Action::Delete {
            let mut value = Map::from_iter([("sensitive".to_owned(), sensitive.clone())]);
            if let Some(v) = &o.after {
                value.insert("value".into(), v.clone());
            }
            planned.insert(o.name.clone(), Value::Object(value));
        }
        if o.action != Action::Create {
            let mut value = Map::from_iter([("sensitive".to_owned(), sensitive)]);
            if let Some(v) = &o.before {
                value.insert("value".into(), v.clone());
            }
            prior.insert(o.name.clone(), Value::Object(value));
        }
    }
    let Some(o) = out.as_object_mut() else { return };
    o.insert("output_changes".into(), Value::Object(changes));
    if let Some(p) = o.get_mut("planned_values").and_then(Value::as_object_mut) {
        p.insert("outputs".into(), Value::Object(planned));
    }
    if let Some(v) = o
        .get_mut("prior_state")
        .and_then(|p| p.get_mut("values"))
        .and_then(Value::as_object_mut)
    {
        v.insert("outputs".into(), Value::Object(prior));
    }
}

/// The state before the plan, refreshed: every address with Kasm's current values.
fn prior_state(plan: &Plan) -> Value {
    let resources: Vec<Value> = plan
        .resource_changes
        .iter()
        .filter_map(|c| {
            let attrs = c.before.as_ref()?;
            let vals = values(attrs, c.image_id.as_deref(), c.available, &c.sensitive);
            Some(state_value(c, vals))
        })
        .chain(plan.access_changes.iter().filter_map(access::prior_value))
        .collect();
    Value::Object(Map::from_iter([
        ("format_version".to_owned(), "1.0".into()),
        ("terraform_version".to_owned(), TERRAFORM_VERSION.into()),
        ("values".to_owned(), root_module(resources)),
    ]))
}

/// `{"root_module": {"resources": [...]}}`, the resources moved in.
fn root_module(resources: Vec<Value>) -> Value {
    let module = Map::from_iter([("resources".to_owned(), Value::Array(resources))]);
    Value::Object(Map::from_iter([(
        "root_module".to_owned(),
        Value::Object(module),
    )]))
}

/// The attributes whose drift the plan took into account.
fn relevant_attributes(plan: &Plan) -> Value {
    plan.resource_drift
        .iter()
        .flat_map(|d| {
            d.changes
                .iter()
                .map(|c| json!({ "resource": d.address, "attribute": [c.field.spec_name()] }))
        })
        .collect()
}

fn resource_change(c: &ResourceChange) -> Value {
    let hidden = &c.sensitive;
    let before = c
        .before
        .as_ref()
        .map(|b| values(b, c.image_id.as_deref(), c.available, hidden));
    let after = match c.action {
        Action::Delete => None,
        Action::NoOp => before.clone(),
        _ => c
            .after
            .as_ref()
            .map(|a| values(a, after_id(c), c.available, hidden)),
    };
    let mut change = Map::new();
    change.insert("actions".into(), c.action.terraform_actions());
    let before_sensitive = sensitive(before.as_ref(), hidden);
    let after_sensitive = sensitive(after.as_ref(), hidden);
    change.insert("before".into(), before.unwrap_or(Value::Null));
    change.insert("after".into(), after.unwrap_or(Value::Null));
    change.insert("after_unknown".into(), after_unknown(c));
    change.insert("before_sensitive".into(), before_sensitive);
    change.insert("after_sensitive".into(), after_sensitive);
    if let Some(id) = &c.importing {
        change.insert("importing".into(), json!({ "id": id }));
    }
    let mut out = header(&c.address, &c.name);
    if let Some(from) = &c.previous_address {
        out.insert("previous_address".into(), from.clone().into());
    }
    out.insert("change".into(), Value::Object(change));
    if let Some(reason) = c.reason.and_then(terraform_reason) {
        out.insert("action_reason".into(), reason.into());
    }
    Value::Object(out)
}

fn drift(d: &Drift) -> Value {
    let before = values(&d.before, Some(&d.image_id), None, &[]);
    let after = d
        .after
        .as_ref()
        .map(|a| values(a, Some(&d.image_id), None, &[]));
    let actions = if d.deleted {
        json!(["delete"])
    } else {
        json!(["update"])
    };
    let mut out = header(
        &d.address,
        d.address.rsplit('.').next().unwrap_or(&d.address),
    );
    let before_sensitive = sensitive(Some(&before), &[]);
    let after_sensitive = sensitive(after.as_ref(), &[]);
    let change = Map::from_iter([
        ("actions".to_owned(), actions),
        ("before".to_owned(), before),
        ("after".to_owned(), after.unwrap_or(Value::Null)),
        ("after_unknown".to_owned(), json!({})),
        ("before_sensitive".to_owned(), before_sensitive),
        ("after_sensitive".to_owned(), after_sensitive),
    ]);
    out.insert("change".into(), Value::Object(change));
    Value::Object(out)
}

/// The image's id after the change: a replaced image's is known only after apply.
fn after_id(c: &ResourceChange) -> Option<&str> {
    match c.action {
        Action::Replace => None,
        _ => c.image_id.as_deref(),
    }
}

fn planned_value(c: &ResourceChange) -> Value {
    let attrs = c.after.as_ref().or(c.before.as_ref());
    let vals = attrs
        .map(|a| values(a, after_id(c), c.available, &c.sensitive))
        .unwrap_or(Value::Null);
    state_value(c, vals)
}

/// An image instance with its values, as `prior_state` and `planned_values` list it.
fn state_value(c: &ResourceChange, vals: Value) -> Value {
    let mut out = header(&c.address, &c.name);
    out.insert("schema_version".into(), 0.into());
    out.insert(
        "sensitive_values".into(),
        sensitive(Some(&vals), &c.sensitive),
    );
    out.insert("values".into(), vals);
    Value::Object(out)
}

/// The keys naming an image instance, and its provider.
fn header(address: &str, name: &str) -> Map<String, Value> {
    let mut m = instance_header(RESOURCE_TYPE, address, name);
    m.insert("provider_name".into(), PROVIDER_NAME.into());
    m
}

/// The keys naming a resource instance: `name` is the resource's, `index`
/// the instance key under `count` or `for_each` (absent otherwise).
pub fn instance_header(resource_type: &str, address: &str, name: &str) -> Map<String, Value> {
    let instance = address
        .strip_prefix(resource_type)
        .and_then(|r| r.strip_prefix('.'))
        .and_then(Instance::parse);
    let mut m = Map::new();
    m.insert("address".into(), address.into());
    m.insert("mode".into(), "managed".into());
    m.insert("type".into(), resource_type.into());
    m.insert(
        "name".into(),
        instance.as_ref().map_or(name, |i| i.name.as_str()).into(),
    );
    if let Some(key) = instance.and_then(|i| i.key) {
        m.insert("index".into(), key.to_json());
    }
    m
}

/// The resource's attribute object: every argument plus `id`, `image_id`, `available`.
fn values(
    attrs: &Attributes,
    image_id: Option<&str>,
    available: Option<bool>,
    hidden: &[Field],
) -> Value {
    let Ok(Value::Object(mut m)) = serde_json::to_value(attrs.redacted(hidden)) else {
        return Value::Null;
    };
    m.insert("id".into(), image_id.map_or(Value::Null, Value::from));
    m.insert("image_id".into(), image_id.map_or(Value::Null, Value::from));
    m.insert(
        "available".into(),
        available.map_or(Value::Null, Value::from),
    );
    Value::Object(m)
}

fn after_unknown(c: &ResourceChange) -> Value {
    match c.action {
        Action::Create | Action::Replace => {
            json!({ "id": true, "image_id": true, "available": true })
        }
        _ => json!({}),
    }
}

/// Terraform marks sensitive attributes with `true` in a parallel object; `false` when there is no object.
fn sensitive(vals: Option<&Value>, hidden: &[Field]) -> Value {
    let Some(Value::Object(m)) = vals else {
        return Value::Bool(false);
    };
    let marks: Map<String, Value> = Field::ALL
        .iter()
        .filter(|f| {
            (f.is_sensitive() || hidden.contains(f))
                && m.get(f.spec_name()).is_some_and(|v| !v.is_null())
        })
        .map(|f| (f.spec_name().to_owned(), Value::Bool(true)))
        .collect();
    Value::Object(marks)
}

/// Terraform's `action_reason` values, where one fits; others are not emitted.
fn terraform_reason(r: Reason) -> Option<&'static str> {
    match r {
        Reason::RemovedFromConfig => Some("delete_because_no_resource_config"),
        Reason::ReplaceByRequest => Some("replace_by_request"),
        _ => None,
    }
}

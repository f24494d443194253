//! A plan in the shape of `terraform show -json`, so tools that read Terraform
//! plans (Conftest, Checkov, Sentinel-style checks) read ours unchanged.
//! Attribute names and units are the `kasm_image` resource's (memory in MB).
//! Sensitive values are replaced, not just flagged.

mod resources;
use crate::address::Instance;
use crate::change::{Action, Plan, Reason};
use crate::json_text::JsonText;
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
    let (mut changes, mut resources, mut prior) = (Vec::new(), Vec::new(), Vec::new());
    for entries in plan.resource_changes.iter().map(resources::entries) {
        changes.push(entries.change);
        resources.extend(entries.planned);
        prior.extend(entries.prior);
    }
    let drift: Vec<Value> = plan.resource_drift.iter().map(resources::drift).collect();
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
        ("prior_state".to_owned(), prior_state(prior)),
        (
            "configuration".to_owned(),
            plan.configuration
                .as_ref()
                .map(JsonText::value)
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
            planned.insert(o.name.clone(), output_value(o.sensitive, o.after.as_ref()));
        }
        if o.action != Action::Create {
            prior.insert(o.name.clone(), output_value(o.sensitive, o.before.as_ref()));
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

/// An output as Terraform's values describe it: `sensitive`, and the value
/// and its type when known (a sensitive value never is, here).
fn output_value(sensitive: bool, value: Option<&Value>) -> Value {
    let mut out = Map::from_iter([("sensitive".to_owned(), Value::Bool(sensitive))]);
    if let Some(v) = value {
        out.insert("type".into(), type_of(v));
        out.insert("value".into(), v.clone());
    }
    Value::Object(out)
}

/// A value's type as Terraform's JSON writes it: a literal list is a tuple,
/// an object an object, null `dynamic`.
pub fn type_of(v: &Value) -> Value {
    match v {
        Value::String(_) => "string".into(),
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Null => "dynamic".into(),
        Value::Array(items) => json!(["tuple", items.iter().map(type_of).collect::<Vec<_>>()]),
        Value::Object(map) => {
            let fields: Map<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), type_of(v))).collect();
            json!(["object", fields])
        }
    }
}

/// The state before the plan, refreshed: every address with Kasm's current values.
fn prior_state(resources: Vec<Value>) -> Value {
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
                .map(|c| json!({ "resource": d.address, "attribute": [c.attribute] }))
        })
        .collect()
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

/// Terraform's `action_reason` values, where one fits; others are not emitted.
fn terraform_reason(r: Reason) -> Option<&'static str> {
    match r {
        Reason::RemovedFromConfig => Some("delete_because_no_resource_config"),
        Reason::ReplaceByRequest => Some("replace_by_request"),
        _ => None,
    }
}

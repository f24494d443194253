//! The configuration as Terraform's plan JSON describes it: `configuration`
//! (resources with their expressions, variables with their declarations)
//! and `variables` (the values given).

use super::config::Config;
use super::eval::{Named, Scope, evaluate};
use super::expr::Expr;
use crate::address::PROVIDER_NAME;
use crate::field::Field;
use crate::model::REDACTED;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Terraform's `configuration` object for the root module.
pub fn configuration(config: &Config) -> Value {
    let resources: Vec<Value> = config
        .resources
        .iter()
        .map(|r| {
            let expressions: Map<String, Value> = r
                .attributes
                .iter()
                .map(|a| {
                    let secret = Field::from_spec_name(&a.name).is_some_and(Field::is_sensitive);
                    let described = if secret {
                        hidden(&a.expr)
                    } else {
                        expression(&a.expr)
                    };
                    (a.name.to_string(), described)
                })
                .collect();
            let mut o = block(
                r.address(),
                "managed",
                (r.kind.type_name(), &r.name),
                expressions,
            );
            if let Some(e) = &r.count {
                o.insert("count_expression".into(), expression(e));
            }
            if let Some(e) = &r.for_each {
                o.insert("for_each_expression".into(), expression(e));
            }
            // As Terraform writes it: the entries as written.
            if let Some(super::expr::ExprKind::Tuple(items)) =
                r.depends_on.as_ref().map(|a| &a.expr.kind)
            {
                let names: Vec<Value> = items
                    .iter()
                    .filter_map(|e| e.as_names())
                    .map(|n| Value::String(n.join(".")))
                    .collect();
                o.insert("depends_on".into(), Value::Array(names));
            }
            Value::Object(o)
        })
        .chain(config.data.iter().map(|d| {
            let expressions: Map<String, Value> = d
                .attributes
                .iter()
                .map(|a| (a.name.to_string(), expression(&a.expr)))
                .collect();
            Value::Object(block(
                d.address(),
                "data",
                (d.kind.type_name(), &d.name),
                expressions,
            ))
        }))
        .collect();
    let variables: Map<String, Value> = config
        .variables
        .values()
        .map(|v| {
            let mut out = Map::new();
            if let Some(default) = &v.default {
                let value = if v.sensitive {
                    Value::String(REDACTED.into())
                } else {
                    constant(default).unwrap_or(Value::Null)
                };
                out.insert("default".into(), value);
            }
            if v.sensitive {
                out.insert("sensitive".into(), true.into());
            }
            (v.name.clone(), Value::Object(out))
        })
        .collect();
    // Built by moving each part in: `json!` would copy them through `Serialize`.
    let mut root = Map::from_iter([
        ("resources".to_owned(), Value::Array(resources)),
        ("variables".to_owned(), Value::Object(variables)),
    ]);
    if !config.outputs.is_empty() {
        let outputs: Map<String, Value> = config
            .outputs
            .iter()
            .map(|o| {
                let mut out = Map::new();
                let described = if o.sensitive {
                    hidden(&o.value)
                } else {
                    expression(&o.value)
                };
                out.insert("expression".into(), described);
                if let Some(d) = &o.description {
                    out.insert("description".into(), d.clone().into());
                }
                if o.sensitive {
                    out.insert("sensitive".into(), true.into());
                }
                (o.name.clone(), Value::Object(out))
            })
            .collect();
        root.insert("outputs".into(), Value::Object(outputs));
    }
    let mut out = Map::from_iter([(
        "provider_config".to_owned(),
        json!({ "kasm": { "name": "kasm", "full_name": PROVIDER_NAME } }),
    )]);
    out.insert("root_module".into(), Value::Object(root));
    Value::Object(out)
}

/// A resource's or a data source's entry, its expressions moved in.
fn block(
    address: String,
    mode: &str,
    (type_name, name): (&str, &str),
    expressions: Map<String, Value>,
) -> Map<String, Value> {
    Map::from_iter([
        ("address".to_owned(), Value::String(address)),
        ("mode".to_owned(), mode.into()),
        ("type".to_owned(), type_name.into()),
        ("name".to_owned(), name.into()),
        ("provider_config_key".to_owned(), "kasm".into()),
        ("expressions".to_owned(), Value::Object(expressions)),
        ("schema_version".to_owned(), 0.into()),
    ])
}

/// Terraform's `variables` object: each variable's value, sensitive ones hidden.
pub fn values(vars: &BTreeMap<String, Named>) -> Value {
    let map: Map<String, Value> = vars
        .iter()
        .filter_map(|(name, named)| {
            let value = match (&named.value, named.sensitive) {
                (Some(_), true) => Value::String(REDACTED.into()),
                (Some(v), false) => v.to_json()?,
                (None, _) => return None,
            };
            Some((name.clone(), json!({ "value": value })))
        })
        .collect();
    Value::Object(map)
}

/// An expression as Terraform describes it: its constant value, or what it refers to.
fn expression(expr: &Expr) -> Value {
    let mut references: Vec<String> = Vec::new();
    expr.references(&mut |root, attr, _| {
        let text = attr.map_or_else(|| root.to_owned(), |a| format!("{root}.{a}"));
        if !references.contains(&text) {
            references.push(text);
        }
    });
    let (key, value) = match (references.is_empty(), constant(expr)) {
        (true, Some(value)) => ("constant_value", value),
        _ => (
            "references",
            Value::Array(references.into_iter().map(Value::String).collect()),
        ),
    };
    Value::Object(Map::from_iter([(key.to_owned(), value)]))
}

/// A secret argument (the registry token): what it refers to, never its value.
fn hidden(expr: &Expr) -> Value {
    match expression(expr) {
        Value::Object(o) if o.contains_key("constant_value") => {
            json!({ "constant_value": REDACTED })
        }
        other => other,
    }
}

fn constant(expr: &Expr) -> Option<Value> {
    evaluate(expr, &Scope::default()).ok()?.value.to_json()
}

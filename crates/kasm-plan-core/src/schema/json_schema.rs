//! The JSON Schema (draft-07, which editors read best) of `.json` specs: the
//! `{"images": {...}}` document, strictly, and Terraform's JSON syntax, where
//! any string may be an expression (`"${var.memory}"`).

use super::{Argument, BlockSchema, Presence, schema};
use serde_json::{Map, Value, json};

/// The schema document.
pub fn json_schema() -> Value {
    let s = schema();
    let mut definitions = Map::new();
    for block in &s.resources {
        definitions.insert(block.type_name.clone(), object(block, false));
        definitions.insert(
            format!("{}_expressions", block.type_name),
            object(block, true),
        );
    }
    let resources: Map<String, Value> = s
        .resources
        .iter()
        .map(|b| {
            let named = json!({ "$ref": format!("#/definitions/{}_expressions", b.type_name) });
            (b.type_name.clone(), json!({
                "description": b.description,
                "type": "object",
                "additionalProperties": { "anyOf": [named, { "type": "array", "items": named }] },
            }))
        })
        .collect();
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "kasm-plan specs",
        "description": "A kasm-plan `.json` spec: `{\"images\": {...}}`, or Terraform's JSON syntax (`.tf.json`). Generated from kasm-plan's schema (`kasm-plan schema --json-schema`).",
        "anyOf": [
            {
                "type": "object",
                "required": ["images"],
                "additionalProperties": false,
                "properties": {
                    "images": {
                        "description": "kasm_image resources by name.",
                        "type": "object",
                        "additionalProperties": { "$ref": "#/definitions/kasm_image" },
                    },
                },
            },
            {
                "type": "object",
                "required": ["resource"],
                "properties": {
                    "resource": { "type": "object", "properties": resources },
                },
            },
        ],
        "definitions": definitions,
    })
}

/// A resource's arguments as an object; `expressions`: any value may be an expression string.
fn object(block: &BlockSchema, expressions: bool) -> Value {
    let mut properties: Map<String, Value> = block
        .arguments
        .iter()
        .filter(|a| a.presence != Presence::Computed)
        .map(|a| (a.name.clone(), argument(a, expressions)))
        .collect();
    properties.insert("lifecycle".into(), json!({
        "description": "prevent_destroy, ignore_changes, create_before_destroy (Terraform's lifecycle block).",
        "type": ["object", "array"],
    }));
    if expressions {
        for meta in ["count", "for_each", "depends_on", "provider"] {
            properties.insert(
                meta.into(),
                json!({ "description": format!("Terraform's `{meta}` meta-argument.") }),
            );
        }
    }
    let required: Vec<&str> = block
        .arguments
        .iter()
        .filter(|a| a.presence == Presence::Required)
        .map(|a| a.name.as_str())
        .collect();
    json!({
        "description": block.description,
        "type": "object",
        "required": required,
        "additionalProperties": false,
        "properties": properties,
    })
}

fn argument(a: &Argument, expressions: bool) -> Value {
    let mut value = Map::new();
    let kind = match a.value_type.as_str() {
        "number" if a.integer => "integer",
        "bool" => "boolean",
        "list(string)" => {
            value.insert("items".into(), json!({ "type": "string" }));
            "array"
        }
        "map(string)" => {
            value.insert("additionalProperties".into(), json!({ "type": "string" }));
            "object"
        }
        other => other,
    };
    value.insert("type".into(), json!(kind));
    let bound = |v: f64| if a.integer { json!(v as i64) } else { json!(v) };
    if let Some(min) = a.minimum {
        let key = if a.exclusive_minimum {
            "exclusiveMinimum"
        } else {
            "minimum"
        };
        value.insert(key.into(), bound(min));
    }
    if let Some(max) = a.maximum {
        value.insert("maximum".into(), bound(max));
    }
    if let Some(max) = a.max_length {
        value.insert("maxLength".into(), json!(max));
    }
    if !a.allowed.is_empty() {
        value.insert("enum".into(), json!(a.allowed));
    }
    let shape = if a.value_type == "object" {
        // An object, or its JSON text.
        json!({ "anyOf": [Value::Object(value), { "type": "string" }] })
    } else if expressions && kind != "string" {
        json!({ "anyOf": [Value::Object(value), { "type": "string", "pattern": "\\$\\{" }] })
    } else {
        Value::Object(value)
    };
    let mut described = match shape {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    described.insert("description".into(), json!(a.description));
    if let Some(d) = &a.default {
        described.insert("default".into(), d.clone());
    }
    Value::Object(described)
}

//! The core's facade for JavaScript. Thin: each export turns its JS arguments
//! into the facade's JSON request (serde-wasm-bindgen, to a `serde_json::Value`),
//! runs `kasm_plan_core::facade::call`, and returns the answer as plain JS
//! values; bad arguments raise a JS `Error`.
//!
//! Everything goes through `call` on purpose: serde code is generated once per
//! type, for one JSON reader, which keeps the `.wasm` small.

use kasm_plan_core::facade;
use serde::Serialize;
use serde_json::{Map, Value, json};
use wasm_bindgen::prelude::*;

/// A JS value as JSON; `undefined` and `null` are `null`.
fn value(js: JsValue, what: &str) -> Result<Value, JsError> {
    if js.is_undefined() || js.is_null() {
        return Ok(Value::Null);
    }
    serde_wasm_bindgen::from_value(js).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

/// An options object (camelCase keys), or an empty one.
fn options(js: JsValue) -> Result<Map<String, Value>, JsError> {
    match value(js, "options")? {
        Value::Null => Ok(Map::new()),
        Value::Object(o) => Ok(o),
        _ => Err(JsError::new("options: expected an object")),
    }
}

/// Runs a facade operation; an answer that is only an `invalid_request`
/// diagnostic (the arguments did not decode) raises instead, naming `what`.
fn run(operation: &str, request: &Value, what: &str) -> Result<Value, JsError> {
    let answer = facade::call(operation, &request.to_string());
    let answer: Value = serde_json::from_str(&answer)
        .map_err(|e| JsError::new(&format!("cannot read the answer: {e}")))?;
    if let Some([only]) = answer
        .get("diagnostics")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        && only.get("code").and_then(Value::as_str) == Some("invalid_request")
        && answer.as_object().is_some_and(|o| o.len() == 1)
    {
        let message = only
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("invalid request");
        return Err(JsError::new(&format!("{what}: {message}")));
    }
    Ok(answer)
}

fn to_js(v: &Value) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("cannot encode the answer: {e}")))
}

/// A source request: `{source, format?, file_name?}` from text and options.
fn source_request(text: String, o: &Map<String, Value>) -> Value {
    json!({
        "source": text,
        "format": o.get("format"),
        "file_name": o.get("fileName"),
    })
}

/// The facade's `desired`: from source text (`text` makes the request), files
/// (`[{source, format?, fileName?}]`) or a spec document (`{images: {...}}`).
fn desired_request(js: JsValue, text: impl FnOnce(String) -> Value) -> Result<Value, JsError> {
    match value(js, "desired")? {
        Value::String(source) => Ok(text(source)),
        Value::Array(files) => {
            let sources: Vec<Value> = files
                .into_iter()
                .map(|f| {
                    json!({
                        "source": f.get("source"),
                        "format": f.get("format"),
                        "file_name": f.get("fileName"),
                    })
                })
                .collect();
            Ok(json!({ "sources": sources }))
        }
        doc @ Value::Object(_) if doc.get("images").is_some_and(Value::is_object) => Ok(doc),
        _ => Err(JsError::new(
            "desired: expected text, files or {images: {...}}",
        )),
    }
}

/// Validates a spec source: every diagnostic at once, with line and column.
#[wasm_bindgen]
pub fn validate(text: String, opts: JsValue) -> Result<JsValue, JsError> {
    let o = options(opts)?;
    let mut request = source_request(text, &o);
    request["strict"] = Value::Bool(o.get("strict").and_then(Value::as_bool).unwrap_or(false));
    to_js(&run("validate", &request, "validate")?)
}

/// Parses and types a spec source: specs by name, and parse and type errors.
#[wasm_bindgen]
pub fn parse(text: String, opts: JsValue) -> Result<JsValue, JsError> {
    let o = options(opts)?;
    to_js(&run("parse", &source_request(text, &o), "parse")?)
}

/// The `kasm_images` data source: the images whose name (exact or glob) and
/// `enabled` match, in order. An invalid pattern raises.
#[wasm_bindgen(js_name = filterImages)]
pub fn filter_images(images: JsValue, filter: JsValue) -> Result<JsValue, JsError> {
    let images = value(images, "images")?;
    if !images.is_array() {
        return Err(JsError::new("images: expected an array of images"));
    }
    let f = options(filter)?;
    let answer = run(
        "filter",
        &json!({ "images": images, "name": f.get("name"), "enabled": f.get("enabled") }),
        "images",
    )?;
    if let Some(d) = answer.get("diagnostics").and_then(|d| d.get(0)) {
        let message = d
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("invalid filter");
        return Err(JsError::new(message));
    }
    to_js(answer.get("images").unwrap_or(&Value::Null))
}

/// Plans desired specs (source text, `{images: {...}}`, or `[{source, fileName}]`)
/// against the state and the images on Kasm.
#[wasm_bindgen]
pub fn plan(
    desired: JsValue,
    state: JsValue,
    observed: JsValue,
    opts: JsValue,
) -> Result<JsValue, JsError> {
    let o = options(opts)?;
    let desired = desired_request(desired, |text| source_request(text, &o))?;
    let mut request = json!({
        "desired": desired,
        "strict": o.get("strict").and_then(Value::as_bool).unwrap_or(false),
        "unchanged_values": o.get("unchangedValues").and_then(Value::as_bool).unwrap_or(false),
    });
    match value(state, "state")? {
        Value::Null => {}
        s => request["state"] = s,
    }
    match value(observed, "observed")? {
        Value::Null => {}
        images => request["observed"] = images,
    }
    to_js(&run("plan", &request, "plan")?)
}

/// Checks a policy (one file's text, or a policy set: `[{source, fileName?,
/// format?}]`) on the desired specs and, when given, a plan (or `state` and
/// `observed` to plan against).
#[wasm_bindgen(js_name = checkPolicy)]
pub fn check_policy(policy: JsValue, desired: JsValue, opts: JsValue) -> Result<JsValue, JsError> {
    let o = options(opts)?;
    let file = |f: &Value| json!({ "source": f.get("source"), "format": f.get("format"), "file_name": f.get("fileName") });
    let mut request = json!({
        "desired": desired_request(desired, |text| json!({ "source": text }))?,
        "plan": o.get("plan"),
        "state": o.get("state"),
        "observed": o.get("observed"),
        "overrides": o.get("overrides").cloned().unwrap_or_else(|| json!([])),
        "max_steps": o.get("maxSteps"),
    });
    match value(policy, "policy")? {
        // A lone text: the options' format and file name are the policy's, not the specs'.
        Value::String(source) => {
            request["policy"] = json!({ "source": source, "format": o.get("format"), "file_name": o.get("fileName") });
        }
        Value::Array(files) => request["policies"] = files.iter().map(file).collect(),
        _ => {
            return Err(JsError::new(
                "policy: expected the text of a policy file, or an array of {source, fileName?, format?}",
            ));
        }
    }
    to_js(&run("policy_check", &request, "policy")?)
}

/// Terraform-shaped plan JSON for a plan from `plan`.
#[wasm_bindgen(js_name = planToJson)]
pub fn plan_to_json(plan: JsValue) -> Result<JsValue, JsError> {
    let plan = value(plan, "plan")?;
    to_js(&run("plan_to_json", &plan, "plan")?)
}

/// The JSON-in/JSON-out facade: any operation by name, on JSON text.
#[wasm_bindgen]
pub fn call(operation: &str, request_json: &str) -> String {
    facade::call(operation, request_json)
}

//! The core's facade for JavaScript. Thin: each export decodes its arguments
//! with serde-wasm-bindgen, calls `kasm_plan_core::facade`, and encodes the
//! answer as plain objects; bad arguments raise a JS `Error`.

use kasm_plan_core::facade::{
    self, Desired, FilterRequest, PlanRequest, SourceInput, Sources, ValidateRequest,
};
use kasm_plan_core::filter::ImageFilter;
use kasm_plan_core::plan::PlanOptions;
use kasm_plan_core::{Format, Image, Plan, State};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

/// Options of `validate` and `parse`.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SourceOptions {
    format: Option<Format>,
    file_name: Option<String>,
    strict: bool,
}

/// Options of `plan`.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PlanCallOptions {
    strict: bool,
    unchanged_values: bool,
    format: Option<Format>,
    file_name: Option<String>,
}

/// The desired images as JS gives them: source text, a spec document, or files.
#[derive(Deserialize)]
#[serde(untagged)]
enum DesiredArg {
    Text(String),
    Files(Vec<FileArg>),
    Document(serde_json::Map<String, serde_json::Value>),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileArg {
    source: String,
    #[serde(default)]
    format: Option<Format>,
    #[serde(default)]
    file_name: Option<String>,
}

fn arg<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

fn optional<T: DeserializeOwned + Default>(value: JsValue, what: &str) -> Result<T, JsError> {
    if value.is_undefined() || value.is_null() {
        Ok(T::default())
    } else {
        arg(value, what)
    }
}

fn answer<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("cannot encode the answer: {e}")))
}

fn source(text: String, format: Option<Format>, file_name: Option<String>) -> SourceInput {
    SourceInput {
        source: text,
        format,
        file_name,
    }
}

/// Validates a spec source: every diagnostic at once, with line and column.
#[wasm_bindgen]
pub fn validate(text: String, options: JsValue) -> Result<JsValue, JsError> {
    let o: SourceOptions = optional(options, "options")?;
    answer(&facade::validate(&ValidateRequest {
        input: Sources::One(source(text, o.format, o.file_name)),
        strict: o.strict,
    }))
}

/// Parses and types a spec source: specs by name, and parse and type errors.
#[wasm_bindgen]
pub fn parse(text: String, options: JsValue) -> Result<JsValue, JsError> {
    let o: SourceOptions = optional(options, "options")?;
    answer(&facade::parse(&source(text, o.format, o.file_name)))
}

/// The `kasm_images` data source: the images whose name (exact or glob) and
/// `enabled` match, in order. An invalid pattern raises.
#[wasm_bindgen(js_name = filterImages)]
pub fn filter_images(images: JsValue, filter: JsValue) -> Result<JsValue, JsError> {
    let images: Vec<Image> = arg(images, "images")?;
    let filter: ImageFilter = optional(filter, "filter")?;
    let found = facade::filter(&FilterRequest { images, filter });
    match found.diagnostics.first() {
        Some(d) => Err(JsError::new(&d.message)),
        None => answer(&found.images),
    }
}

/// Plans desired specs (source text, `{images: {...}}`, or `[{source, fileName}]`)
/// against the state and the images on Kasm.
#[wasm_bindgen]
pub fn plan(
    desired: JsValue,
    state: JsValue,
    observed: JsValue,
    options: JsValue,
) -> Result<JsValue, JsError> {
    let o: PlanCallOptions = optional(options, "options")?;
    let desired = match arg::<DesiredArg>(desired, "desired")? {
        DesiredArg::Text(text) => Desired::Source(source(text, o.format, o.file_name)),
        DesiredArg::Files(files) => Desired::Sources {
            sources: files
                .into_iter()
                .map(|f| source(f.source, f.format, f.file_name))
                .collect(),
        },
        DesiredArg::Document(mut doc) => match doc.remove("images") {
            Some(serde_json::Value::Object(images)) => Desired::Document { images },
            _ => {
                return Err(JsError::new(
                    "desired: expected text, files or {images: {...}}",
                ));
            }
        },
    };
    let state: State = optional(state, "state")?;
    let observed: Vec<Image> = optional(observed, "observed")?;
    answer(&facade::plan(&PlanRequest {
        desired,
        state,
        observed,
        strict: o.strict,
        options: PlanOptions {
            unchanged_values: o.unchanged_values,
        },
        from_state: false,
        refresh_only: false,
    }))
}

/// Terraform-shaped plan JSON for a plan from `plan`.
#[wasm_bindgen(js_name = planToJson)]
pub fn plan_to_json(plan: JsValue) -> Result<JsValue, JsError> {
    let plan: Plan = arg(plan, "plan")?;
    answer(&facade::plan_to_json(&plan))
}

/// The JSON-in/JSON-out facade: any operation by name, on JSON text.
#[wasm_bindgen]
pub fn call(operation: &str, request_json: &str) -> String {
    facade::call(operation, request_json)
}

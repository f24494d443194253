//! The core for JavaScript: the facade's `call`, one JSON reader for every
//! operation (which keeps the `.wasm` small). The package's functions
//! (`js/api.js`) build each request and read each answer as JSON. Built with
//! the `editor` feature it has the editor's operations alone (the package's
//! `kasm-plan/editor` entry, which the editor page loads once the editor
//! is up); with `schema`, the schema alone (`kasm-plan/schema`, what the
//! editor page loads first, for completion and hover).
//!
//! A request the core cannot read is thrown as a real `Error` named
//! `KasmPlanError` whose properties carry the diagnostic (`code`, `path`,
//! `help`, `diagnostics`), so callers can branch on `err.code`.

use js_sys::{Array, Error, JSON, Reflect};
use kasm_plan_core::{Diagnostic, facade};
use wasm_bindgen::prelude::*;

/// Runs an operation on a JSON request and returns the JSON answer; throws a
/// `KasmPlanError` for a request the core cannot read.
#[wasm_bindgen]
pub fn call(operation: &str, request_json: &str) -> Result<String, JsValue> {
    #[cfg(feature = "schema")]
    let answer = facade::call_schema_entry(operation, request_json);
    #[cfg(all(feature = "editor", not(feature = "schema")))]
    let answer = facade::call_editor(operation, request_json);
    #[cfg(not(any(feature = "editor", feature = "schema")))]
    let answer = facade::call(operation, request_json);
    answer.map_err(|d| error_of(&d))
}

/// The `KasmPlanError` for a diagnostic given as JSON text (the package
/// throws it for answers that are errors too, e.g. a bad image filter).
#[wasm_bindgen(js_name = diagnosticError)]
pub fn diagnostic_error(diagnostic_json: &str) -> JsValue {
    match serde_json::from_str::<Diagnostic>(diagnostic_json) {
        Ok(d) => error_of(&d),
        Err(e) => Error::new(&format!("not a diagnostic: {e}")).into(),
    }
}

/// An `Error` carrying the diagnostic: its message, and `code`, `path`,
/// `help` and `diagnostics` (the diagnostic itself) as properties.
fn error_of(d: &Diagnostic) -> JsValue {
    let error = Error::new(&d.message);
    error.set_name("KasmPlanError");
    let value = serde_json::to_string(d)
        .ok()
        .and_then(|text| JSON::parse(&text).ok())
        .unwrap_or(JsValue::NULL);
    let property = |key: &str| Reflect::get(&value, &key.into()).unwrap_or(JsValue::UNDEFINED);
    for key in ["code", "path", "help"] {
        let _ = Reflect::set(&error, &key.into(), &property(key));
    }
    let _ = Reflect::set(&error, &"diagnostics".into(), &Array::of1(&value));
    error.into()
}

//! Runs every shared vector in `tests/vectors/` against the facade.
//! The format and matching rule are in `tests/vectors/README.md`.

use kasm_plan_core::facade;
use serde_json::Value;
use std::path::PathBuf;

fn vector_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

/// Joins `source` line arrays, as the format allows.
fn prepare(mut request: Value) -> Value {
    for pointer in ["/source", "/desired/source"] {
        if let Some(slot @ Value::Array(_)) = request.pointer_mut(pointer) {
            let text: Vec<&str> = slot
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            *slot = Value::String(text.join("\n"));
        }
    }
    request
}

fn check(expect: &Value, actual: &Value, path: &str, errors: &mut Vec<String>) {
    match (expect, actual) {
        (Value::Object(e), _) if e.len() == 1 && e.contains_key("$contains") => {
            let needle = e
                .get("$contains")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !actual.as_str().is_some_and(|s| s.contains(needle)) {
                errors.push(format!(
                    "{path}: expected text containing {needle:?}, got {actual}"
                ));
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                check(
                    v,
                    a.get(k).unwrap_or(&Value::Null),
                    &format!("{path}.{k}"),
                    errors,
                );
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                errors.push(format!(
                    "{path}: expected {} items, got {}: {actual}",
                    e.len(),
                    a.len()
                ));
                return;
            }
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                check(x, y, &format!("{path}[{i}]"), errors);
            }
        }
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => {}
        _ if expect == actual => {}
        _ => errors.push(format!("{path}: expected {expect}, got {actual}")),
    }
}

#[test]
fn shared_vectors() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vector_dir())
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    assert!(
        files.len() >= 40,
        "expected at least 40 vectors, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let case: Value = match std::fs::read_to_string(file).map(|t| serde_json::from_str(&t)) {
            Ok(Ok(v)) => v,
            other => {
                failures.push(format!("{name}: unreadable: {other:?}"));
                continue;
            }
        };
        let op = case
            .get("operation")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let request = prepare(case.get("request").cloned().unwrap_or(Value::Null));
        let answer: Value =
            serde_json::from_str(&facade::call(op, &request.to_string())).unwrap_or(Value::Null);
        let mut errors = Vec::new();
        check(
            case.get("expect").unwrap_or(&Value::Null),
            &answer,
            "$",
            &mut errors,
        );
        if !errors.is_empty() {
            failures.push(format!(
                "{name}:\n    {}\n    answer: {answer}",
                errors.join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

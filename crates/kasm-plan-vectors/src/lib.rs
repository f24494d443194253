//! The shared test vectors (`tests/vectors/`, format in its README): loading,
//! preparing requests, and matching answers. Every Rust runner uses this; the
//! npm package's runner implements the same few rules.

pub mod synthetic;

use kasm_plan_core::Diagnostic;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One vector, ready to run.
#[derive(Clone, Debug)]
pub struct Case {
    /// File name, for messages.
    pub name: String,
    /// The facade operation.
    pub operation: String,
    /// The request as JSON text, source line arrays joined.
    pub request: String,
    /// What the answer must contain.
    pub expect: Value,
}

/// The repository's root, found when the test runs: the closest ancestor of
/// the running package's directory that holds `tests/vectors`. A path fixed at
/// compile time would point into whichever checkout built the binary: one
/// target dir serves several checkouts, and cargo reuses binaries across them.
pub fn repository() -> PathBuf {
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default();
    start
        .ancestors()
        .find(|d| d.join("tests/vectors").is_dir())
        .map_or(start.clone(), Path::to_path_buf)
}

/// `tests/vectors/` of this repository.
pub fn dir() -> PathBuf {
    repository().join("tests/vectors")
}

/// The shared policy cases (same format, operation `policy_check`).
pub fn policy_dir() -> PathBuf {
    repository().join("tests/policies")
}

/// The policy text of a shared policy case (e.g. the runaway policy, which
/// the benches time at the default step budget).
pub fn policy_source(case: &str) -> Result<String, String> {
    let path = policy_dir().join(case);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let case: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let request = prepare(case.get("request").cloned().unwrap_or(Value::Null));
    request
        .pointer("/policy/source")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{}: no request.policy.source", path.display()))
}

/// Every vector and policy case, sorted by file name (names are unique across
/// both folders). Unreadable files are returned as errors.
pub fn load() -> Result<Vec<Case>, String> {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [dir(), policy_dir()] {
        files.extend(
            std::fs::read_dir(&dir)
                .map_err(|e| format!("{}: {e}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json")),
        );
    }
    files.sort_by_key(|p| p.file_name().map(|n| n.to_owned()));
    files
        .into_iter()
        .map(|file| {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{name}: {e}"))?;
            let case: Value = serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
            let operation = case
                .get("operation")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let request = prepare(case.get("request").cloned().unwrap_or(Value::Null)).to_string();
            let expect = case.get("expect").cloned().unwrap_or(Value::Null);
            Ok(Case {
                name,
                operation,
                request,
                expect,
            })
        })
        .collect()
}

/// Joins `source` line arrays, as the format allows.
fn prepare(mut request: Value) -> Value {
    let count = |list: &str| {
        request
            .pointer(list)
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    };
    let lists = [
        "/sources",
        "/desired/sources",
        "/policies",
        "/variables",
        "/desired/variables",
    ]
    .map(|l| (l, count(l)));
    let singles = ["/source", "/desired/source", "/policy/source"].map(str::to_owned);
    let pointers = singles.into_iter().chain(
        lists
            .into_iter()
            .flat_map(|(l, n)| (0..n).map(move |i| format!("{l}/{i}/source"))),
    );
    for pointer in pointers {
        if let Some(slot @ Value::Array(_)) = request.pointer_mut(&pointer) {
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

/// What a case's expectation is matched against: the answer, or for a
/// request the facade could not read, `{"refused": <diagnostic>}`.
pub fn outcome(result: &Result<String, Box<Diagnostic>>) -> Value {
    match result {
        Ok(answer) => serde_json::from_str(answer).unwrap_or(Value::Null),
        Err(refusal) => serde_json::json!({ "refused": refusal }),
    }
}

/// The mismatches between an expectation and an answer (empty: it matches).
pub fn mismatches(expect: &Value, actual: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(expect, actual, "$", &mut errors);
    errors
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matching_rules() {
        assert!(mismatches(&json!({"a": 1}), &json!({"a": 1.0, "b": 2})).is_empty());
        assert!(!mismatches(&json!({"a": [1]}), &json!({"a": [1, 2]})).is_empty());
        assert!(mismatches(&json!({"m": {"$contains": "ell"}}), &json!({"m": "hello"})).is_empty());
        assert!(!mismatches(&json!({"m": null, "n": 1}), &json!({"n": 2})).is_empty());
        assert!(mismatches(&json!({"m": null}), &json!({})).is_empty());
    }
}

//! Rego policies, evaluated by regorus (no_std: no clock, no randomness; the
//! host's epoch deadline and memory cap stop a policy that runs away).
//!
//! Conftest conventions: `deny` and `violation` (hard-mandatory) and `warn`
//! (advisory) are sets of messages (strings, or objects with `msg`), in the
//! policy's own package, read against Terraform-shaped plan JSON.

use crate::diagnostic::{Code, Diagnostic};
use crate::policy::{Level, PolicyReport, PolicyResult};
use serde_json::Value;

/// Largest policy text accepted, in bytes.
pub const MAX_POLICY_BYTES: usize = 256 * 1024;

/// The rules read, and how a message from each counts.
const RULES: &[(&str, Level)] = &[
    ("deny", Level::HardMandatory),
    ("violation", Level::HardMandatory),
    ("warn", Level::Advisory),
];

/// Evaluates a Rego policy file against `input` (plan JSON, or the specs).
pub fn evaluate(file: &str, rego: &str, input: &Value) -> Result<PolicyReport, Box<Diagnostic>> {
    let bad = |e: &dyn std::fmt::Display| {
        Box::new(
            Diagnostic::error(Code::InvalidPolicy, format!("the Rego policy failed: {e}"))
                .help("Conftest style: `package main`, `deny contains msg if { ... }`, `warn contains msg if { ... }`"),
        )
    };
    if rego.len() > MAX_POLICY_BYTES {
        return Err(bad(&format!(
            "it is {} bytes; at most {MAX_POLICY_BYTES} are accepted",
            rego.len()
        )));
    }
    let mut engine = regorus::Engine::new();
    let package = engine
        .add_policy(file.to_owned(), rego.to_owned())
        .map_err(|e| bad(&e))?;
    engine
        .set_input_json(&input.to_string())
        .map_err(|e| bad(&e))?;
    let mut report = PolicyReport::default();
    for (rule, level) in RULES {
        // A query, not `eval_rule`: a rule the policy does not define is simply undefined.
        let results = engine
            .eval_query(format!("{package}.{rule}"), false)
            .map_err(|e| bad(&e))?;
        let Some(value) = results
            .result
            .first()
            .and_then(|r| r.expressions.first())
            .map(|e| &e.value)
        else {
            continue;
        };
        let json: Value =
            serde_json::from_str(&value.to_json_str().map_err(|e| bad(&e))?).unwrap_or(Value::Null);
        let Value::Array(messages) = json else {
            continue;
        };
        let id = format!("{file}:{rule}");
        if messages.is_empty() {
            report.results.push(PolicyResult::pass(&id, *level));
            continue;
        }
        report.blocking |= *level != Level::Advisory;
        for m in messages {
            let message = match &m {
                Value::String(s) => s.clone(),
                other => other
                    .get("msg")
                    .and_then(Value::as_str)
                    .map_or_else(|| other.to_string(), str::to_owned),
            };
            report.results.push(PolicyResult {
                rule: id.clone(),
                level: *level,
                passed: false,
                address: m.get("address").and_then(Value::as_str).map(str::to_owned),
                path: None,
                message,
                overridden: false,
            });
        }
    }
    Ok(report)
}

//! The language against the real thing: every expression in
//! `tests/terraform/expressions.txt` is evaluated by kasm-plan and by the
//! Terraform binary on PATH (as the outputs of a configuration without
//! resources, which plans offline), and the values must agree. Where no
//! `terraform` is on PATH the test says loudly that it compared nothing.

#![allow(clippy::panic, clippy::indexing_slicing)] // test code: a failure should stop the test

use kasm_plan_core::lang::{eval, hcl};
use serde_json::Value;
use std::process::Command;

fn expressions() -> Vec<String> {
    let path = kasm_plan_vectors::repository().join("tests/terraform/expressions.txt");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// kasm-plan's value of an expression, as JSON.
fn ours(expr: &str) -> Result<Value, String> {
    let parsed = hcl::parse_expr(expr).map_err(|d| d.message)?;
    let evaluated =
        eval::evaluate(&parsed, &eval::Scope::default()).map_err(|f| format!("{f:?}"))?;
    evaluated.value.to_json().ok_or_else(|| "not known".into())
}

/// Terraform's values of the expressions, by index.
fn terraform(expressions: &[String]) -> Option<Vec<Value>> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config: String = expressions
        .iter()
        .enumerate()
        .map(|(i, e)| format!("output \"e{i}\" {{\n  value = {e}\n}}\n"))
        .collect();
    std::fs::write(dir.path().join("main.tf"), config).unwrap_or_else(|e| panic!("{e}"));
    let run = |args: &[&str]| {
        Command::new("terraform")
            .args(args)
            .current_dir(dir.path())
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .env("TF_IN_AUTOMATION", "1")
            .output()
    };
    let init = run(&["init", "-input=false", "-no-color"]).ok()?;
    assert!(
        init.status.success(),
        "terraform init: {}",
        String::from_utf8_lossy(&init.stderr)
    );
    let plan = run(&["plan", "-input=false", "-no-color", "-out=p"]).ok()?;
    assert!(
        plan.status.success(),
        "terraform plan: {}",
        String::from_utf8_lossy(&plan.stderr)
    );
    let show = run(&["show", "-json", "p"]).ok()?;
    let json: Value = serde_json::from_slice(&show.stdout).unwrap_or_else(|e| panic!("{e}"));
    Some(
        (0..expressions.len())
            .map(|i| json["planned_values"]["outputs"][format!("e{i}")]["value"].clone())
            .collect(),
    )
}

/// Equal, numbers within a rounding error.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            (x - y).abs() <= 1e-9 * x.abs().max(1.0)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn every_expression_evaluates_as_terraform_evaluates_it() {
    let expressions = expressions();
    assert!(expressions.len() >= 90, "{} expressions", expressions.len());
    if Command::new("terraform").arg("version").output().is_err() {
        eprintln!(
            "SKIPPED: no `terraform` on PATH, so {} expressions were not compared with Terraform",
            expressions.len()
        );
        return;
    }
    let theirs = terraform(&expressions).unwrap_or_else(|| panic!("terraform could not be run"));
    let mut differ = Vec::new();
    for (expr, theirs) in expressions.iter().zip(&theirs) {
        match ours(expr) {
            Ok(v) if same(&v, theirs) => {}
            Ok(v) => differ.push(format!(
                "{expr}\n    kasm-plan: {v}\n    terraform: {theirs}"
            )),
            Err(e) => differ.push(format!(
                "{expr}\n    kasm-plan: error {e}\n    terraform: {theirs}"
            )),
        }
    }
    eprintln!("compared {} expressions with Terraform", expressions.len());
    assert!(
        differ.is_empty(),
        "{} of {} differ:\n{}",
        differ.len(),
        expressions.len(),
        differ.join("\n")
    );
}

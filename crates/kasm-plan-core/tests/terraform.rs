//! The language against the real thing: every expression in
//! `tests/terraform/expressions.txt` is evaluated by kasm-plan and by the
//! Terraform binary on PATH (as the outputs of a configuration without
//! resources, which plans offline), and the values must agree. Where no
//! `terraform` is on PATH the test says loudly that it compared nothing.
//! A line `var NAME [sensitive] [ephemeral] = EXPR` declares a variable with
//! that default, for the expressions that need a reference.

#![allow(clippy::panic, clippy::indexing_slicing)] // test code: a failure should stop the test

use kasm_plan_core::lang::{eval, functions, hcl};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

/// A variable the expressions may refer to.
struct Var {
    name: String,
    sensitive: bool,
    ephemeral: bool,
    default: String,
}

/// The file's variables and expressions.
fn read() -> (Vec<Var>, Vec<String>) {
    let path = kasm_plan_vectors::repository().join("tests/terraform/expressions.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (mut vars, mut expressions) = (Vec::new(), Vec::new());
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let Some(declaration) = line.strip_prefix("var ") else {
            expressions.push(line.to_owned());
            continue;
        };
        let (head, default) = declaration
            .split_once(" = ")
            .unwrap_or_else(|| panic!("{line}: no ` = `"));
        let mut words = head.split_whitespace();
        let name = words
            .next()
            .unwrap_or_else(|| panic!("{line}: no name"))
            .to_owned();
        let flags: Vec<&str> = words.collect();
        vars.push(Var {
            name,
            sensitive: flags.contains(&"sensitive"),
            ephemeral: flags.contains(&"ephemeral"),
            default: default.to_owned(),
        });
    }
    (vars, expressions)
}

/// kasm-plan's values of the variables.
fn our_vars(vars: &[Var]) -> BTreeMap<String, eval::Named> {
    vars.iter()
        .map(|v| {
            let parsed =
                hcl::parse_expr(&v.default).unwrap_or_else(|d| panic!("{}: {}", v.name, d.message));
            let value = eval::evaluate(&parsed, &eval::Scope::default())
                .unwrap_or_else(|f| panic!("{}: {f:?}", v.name))
                .value;
            let named = eval::Named {
                value: Some(value),
                sensitive: v.sensitive,
                ephemeral: v.ephemeral,
            };
            (v.name.clone(), named)
        })
        .collect()
}

/// kasm-plan's value of an expression, as JSON.
fn ours(expr: &str, vars: &BTreeMap<String, eval::Named>) -> Result<Value, String> {
    let parsed = hcl::parse_expr(expr).map_err(|d| d.message)?;
    let scope = eval::Scope {
        vars: Some(vars),
        ..eval::Scope::default()
    };
    let evaluated = eval::evaluate(&parsed, &scope).map_err(|f| format!("{f:?}"))?;
    evaluated.value.to_json().ok_or_else(|| "not known".into())
}

/// Terraform's values of the expressions, by index.
fn terraform(vars: &[Var], expressions: &[String]) -> Option<Vec<Value>> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let declarations = vars.iter().map(|v| {
        format!(
            "variable \"{}\" {{\n  sensitive = {}\n  ephemeral = {}\n  default = {}\n}}\n",
            v.name, v.sensitive, v.ephemeral, v.default
        )
    });
    let outputs = expressions
        .iter()
        .enumerate()
        .map(|(i, e)| format!("output \"e{i}\" {{\n  value = {e}\n}}\n"));
    let config: String = declarations.chain(outputs).collect();
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
fn every_function_is_among_the_expressions() {
    let (_, expressions) = read();
    let text = expressions.join("\n");
    let missing: Vec<&str> = functions::names()
        .filter(|name| {
            !text
                .match_indices(&format!("{name}("))
                .any(|(i, _)| !text[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
        })
        .collect();
    assert!(missing.is_empty(), "no expression calls {missing:?}");
}

/// Every function Terraform lists (`terraform metadata functions -json`) is
/// offered, or is one that reads files, the clock or randomness.
#[test]
fn every_function_terraform_has_is_offered_or_explained() {
    let Ok(listed) = Command::new("terraform")
        .args(["metadata", "functions", "-json"])
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
    else {
        eprintln!("SKIPPED: no `terraform` on PATH, so its function list was not compared");
        return;
    };
    let json: Value = serde_json::from_slice(&listed.stdout).unwrap_or_else(|e| panic!("{e}"));
    let ours: Vec<&str> = functions::names().collect();
    let names = json["function_signatures"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert!(names.len() > 100, "{} functions listed", names.len());
    let missing: Vec<&String> = names
        .keys()
        .filter(|n| {
            let plain = n.strip_prefix("core::").unwrap_or(n);
            !ours.contains(&plain) && functions::not_offered(plain).is_none()
        })
        .collect();
    assert!(missing.is_empty(), "Terraform has {missing:?}");
}

#[test]
fn every_function_is_in_the_language_guide() {
    let path = kasm_plan_vectors::repository().join("docs/language.md");
    let guide =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let missing: Vec<&str> = functions::names()
        .filter(|name| !guide.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/language.md does not list {missing:?}"
    );
}

#[test]
fn every_expression_evaluates_as_terraform_evaluates_it() {
    let (vars, expressions) = read();
    assert!(
        expressions.len() >= 200,
        "{} expressions",
        expressions.len()
    );
    if Command::new("terraform").arg("version").output().is_err() {
        eprintln!(
            "SKIPPED: no `terraform` on PATH, so {} expressions were not compared with Terraform",
            expressions.len()
        );
        return;
    }
    let theirs =
        terraform(&vars, &expressions).unwrap_or_else(|| panic!("terraform could not be run"));
    let mut differ = Vec::new();
    let our_vars = our_vars(&vars);
    for (expr, theirs) in expressions.iter().zip(&theirs) {
        match ours(expr, &our_vars) {
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

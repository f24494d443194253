//! `Changes to Outputs:` against the real thing: each case of
//! `tests/terraform/output-changes.txt` is an output's value before and
//! after; the Terraform binary on PATH applies the values before and plans
//! the values after (a configuration without resources plans offline), and
//! kasm-plan's rendered plan must show the same lines; then the values after
//! must print as `terraform output` prints them. Where no `terraform` is on
//! PATH the tests say loudly that they compared nothing.

#![allow(clippy::panic, clippy::indexing_slicing)] // test code: a failure should stop the test

use kasm_plan_core::change::{OutputChange, PLAN_FORMAT, Summary};
use kasm_plan_core::lang::{eval, hcl};
use kasm_plan_core::{Action, Plan};
use serde_json::Value;
use std::process::Command;

/// One output's case.
struct Case {
    name: String,
    sensitive: bool,
    before: Option<String>,
    after: Option<String>,
}

fn read() -> Vec<Case> {
    let path = kasm_plan_vectors::repository().join("tests/terraform/output-changes.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let side = |s: &str| (s.trim() != "-").then(|| s.trim().to_owned());
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (head, change) = line
                .split_once(": ")
                .unwrap_or_else(|| panic!("{line}: no `: `"));
            let (before, after) = change
                .split_once(" => ")
                .unwrap_or_else(|| panic!("{line}: no ` => `"));
            let mut words = head.split_whitespace();
            Case {
                name: words
                    .next()
                    .unwrap_or_else(|| panic!("{line}: no name"))
                    .to_owned(),
                sensitive: words.next() == Some("sensitive"),
                before: side(before),
                after: side(after),
            }
        })
        .collect()
}

/// kasm-plan's value of an expression, as JSON.
fn value(expr: &str) -> Value {
    let parsed = hcl::parse_expr(expr).unwrap_or_else(|d| panic!("{expr}: {}", d.message));
    let evaluated = eval::evaluate(&parsed, &eval::Scope::default())
        .unwrap_or_else(|f| panic!("{expr}: {f:?}"));
    evaluated
        .value
        .to_json()
        .unwrap_or_else(|| panic!("{expr}: not known"))
}

/// The change kasm-plan's plan holds for a case: a sensitive value is
/// never in it, only whether it changed.
fn change(case: &Case) -> OutputChange {
    let before = case.before.as_deref().map(value);
    let after = case.after.as_deref().map(value);
    let action = match (&before, &after) {
        (None, Some(Value::Null)) => Action::NoOp,
        (None, _) => Action::Create,
        (_, None) => Action::Delete,
        (Some(b), Some(a)) if b == a => Action::NoOp,
        _ => Action::Update,
    };
    let hidden = |v: Option<Value>| v.filter(|_| !case.sensitive);
    OutputChange {
        name: case.name.clone(),
        action,
        before: hidden(before),
        after: hidden(after),
        after_unknown: false,
        sensitive: case.sensitive,
        fingerprint: None,
    }
}

/// kasm-plan's rendered plan of the cases.
fn ours(cases: &[Case]) -> String {
    let plan = Plan {
        format_version: PLAN_FORMAT,
        state_lineage: String::new(),
        state_serial: 0,
        resource_changes: Vec::new(),
        resource_drift: Vec::new(),
        summary: Summary::default(),
        duplicates: Vec::new(),
        extra_links: Vec::new(),
        configuration: None,
        variables: None,
        targeted: false,
        output_changes: cases.iter().map(change).collect(),
    };
    kasm_plan_core::render::plan(&plan, &[])
}

/// A configuration declaring each case's side that is there.
fn configuration(cases: &[Case], side: fn(&Case) -> Option<&String>) -> String {
    cases
        .iter()
        .filter_map(|c| {
            side(c).map(|v| {
                format!(
                    "output \"{}\" {{\n  value     = {v}\n  sensitive = {}\n}}\n",
                    c.name, c.sensitive
                )
            })
        })
        .collect()
}

/// Terraform's plan after applying the values before, and its `output`
/// after applying the values after.
fn terraform(cases: &[Case]) -> Option<(String, String)> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = |args: &[&str]| {
        let out = Command::new("terraform")
            .args(args)
            .current_dir(dir.path())
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .env("TF_IN_AUTOMATION", "1")
            .output()
            .ok()?;
        assert!(
            out.status.success(),
            "terraform {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let write = |text: String| {
        std::fs::write(dir.path().join("main.tf"), text).unwrap_or_else(|e| panic!("{e}"));
    };
    write(configuration(cases, |c| c.before.as_ref()));
    run(&["init", "-input=false", "-no-color"])?;
    run(&["apply", "-input=false", "-no-color", "-auto-approve"])?;
    write(configuration(cases, |c| c.after.as_ref()));
    let plan = run(&["plan", "-input=false", "-no-color"])?;
    run(&["apply", "-input=false", "-no-color", "-auto-approve"])?;
    Some((plan, run(&["output", "-no-color"])?))
}

/// The values after as kasm-plan prints them (`output`, and `apply`'s
/// `Outputs:`): by name, null ones left out.
fn our_output(cases: &[Case]) -> String {
    let mut printed: Vec<(&str, String)> = cases
        .iter()
        .filter_map(|c| {
            let value = value(c.after.as_deref()?);
            let text = match (c.sensitive, &value) {
                (true, _) => "<sensitive>".to_owned(),
                (false, Value::Null) => return None,
                (false, v) => kasm_plan_core::render::hcl_value(v),
            };
            Some((c.name.as_str(), text))
        })
        .collect();
    printed.sort();
    printed
        .iter()
        .map(|(name, text)| format!("{name} = {text}\n"))
        .collect()
}

/// The lines under `Changes to Outputs:`, up to the first blank line.
fn outputs_section(text: &str) -> String {
    let (_, rest) = text
        .split_once("Changes to Outputs:\n")
        .unwrap_or_else(|| panic!("no outputs section in:\n{text}"));
    rest.split("\n\n")
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

#[test]
fn outputs_are_drawn_and_printed_as_terraform_does() {
    let cases = read();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    if Command::new("terraform").arg("version").output().is_err() {
        eprintln!(
            "SKIPPED: no `terraform` on PATH, so {} output changes were not compared with Terraform",
            cases.len()
        );
        return;
    }
    let (plan, output) = terraform(&cases).unwrap_or_else(|| panic!("terraform could not be run"));
    let (ours, theirs) = (outputs_section(&ours(&cases)), outputs_section(&plan));
    eprintln!("compared {} output changes with Terraform", cases.len());
    assert_eq!(
        our_output(&cases),
        output,
        "the values print otherwise than `terraform output`'s"
    );
    if ours != theirs {
        let diff: Vec<String> = ours
            .lines()
            .zip(theirs.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(10)
            .map(|(i, (a, b))| format!("line {}:\n  kasm-plan: {a}\n  terraform: {b}", i + 1))
            .collect();
        panic!(
            "the outputs differ ({} lines against {}):\n{}\n\nkasm-plan:\n{ours}\n\nterraform:\n{theirs}",
            ours.lines().count(),
            theirs.lines().count(),
            diff.join("\n")
        );
    }
}

//! Validates spec files and prints a Terraform-style plan against a saved
//! image list and state. The host CLI will take over this job; until then this
//! is the README's demo.
//!
//! `cargo run -p kasm-plan-core --example demo -- SPEC... --observed FILE [--state FILE]`

use kasm_plan_core::diagnostic::has_errors;
use kasm_plan_core::facade::{SourceInput, validate_source};
use kasm_plan_core::model::REDACTED;
use kasm_plan_core::plan::{Action, PlanOptions, plan};
use kasm_plan_core::{Field, Image, State};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("Error: {message}");
            ExitCode::from(1)
        }
    }
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

fn run() -> Result<ExitCode, String> {
    let mut args = std::env::args().skip(1);
    let (mut specs, mut observed_path, mut state_path) = (Vec::new(), None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--observed" => observed_path = args.next(),
            "--state" => state_path = args.next(),
            _ => specs.push(arg),
        }
    }
    let mut desired = BTreeMap::new();
    let mut failed = false;
    for path in &specs {
        let input = SourceInput {
            source: read(path)?,
            format: None,
            file_name: Some(path.clone()),
        };
        let (resources, diagnostics) = validate_source(&input, false);
        for d in &diagnostics {
            let at = d
                .location
                .map(|l| format!(":{}:{}", l.start.line, l.start.column))
                .unwrap_or_default();
            println!(
                "{}: {path}{at}: {} [{}]",
                severity(d),
                d.message,
                serde_json::to_string(&d.code)
                    .unwrap_or_default()
                    .trim_matches('"')
            );
            if let Some(help) = &d.help {
                println!("  help: {help}");
            }
        }
        failed |= has_errors(&diagnostics);
        desired.extend(resources.into_iter().map(|r| (r.name, r.spec)));
    }
    if failed {
        return Err("the specs have errors; nothing was planned".into());
    }
    println!(
        "Validated {} image(s) from {} file(s).\n",
        desired.len(),
        specs.len()
    );
    let observed: Vec<Image> = match &observed_path {
        Some(p) => {
            let v: Value =
                serde_json::from_str(&read(p)?).map_err(|e| format!("{p}: invalid JSON: {e}"))?;
            serde_json::from_value(v.get("images").cloned().unwrap_or(v))
                .map_err(|e| format!("{p}: not an image list: {e}"))?
        }
        None => Vec::new(),
    };
    let state: State = match &state_path {
        Some(p) => {
            serde_json::from_str(&read(p)?).map_err(|e| format!("{p}: invalid state: {e}"))?
        }
        None => State::default(),
    };
    let plan = plan(&desired, &state, &observed, &PlanOptions::default()).map_err(|errors| {
        errors
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    for d in &plan.resource_drift {
        let what = if d.deleted {
            "has been deleted".to_owned()
        } else {
            format!(
                "has changed outside kasm-plan ({} field(s))",
                d.changes.len()
            )
        };
        println!("Note: {} {what}", d.address);
    }
    for c in plan
        .resource_changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
    {
        let (mark, verb) = match c.action {
            Action::Create => ("+", "will be created"),
            Action::Update => ("~", "will be updated in-place"),
            _ => ("-", "will be destroyed"),
        };
        println!("\n  # {} {verb}", c.address);
        println!("  {mark} resource \"kasm_image\" \"{}\" {{", c.name);
        if let (Action::Delete, Some(before)) = (c.action, &c.before) {
            for field in [Field::Name, Field::FriendlyName] {
                println!(
                    "      - {:<20} = {}",
                    field.spec_name(),
                    show(field, before.get(field))
                );
            }
        }
        for f in &c.changes {
            let (old, new) = (show(f.field, &f.before), show(f.field, &f.after));
            match c.action {
                Action::Create => println!("      + {:<20} = {new}", f.field.spec_name()),
                _ => println!("      ~ {:<20} = {old} -> {new}", f.field.spec_name()),
            }
        }
        println!("    }}");
    }
    println!("\nPlan: {}.", plan.summary);
    Ok(ExitCode::SUCCESS)
}

fn severity(d: &kasm_plan_core::Diagnostic) -> &'static str {
    if d.is_error() { "Error" } else { "Warning" }
}

fn show(field: Field, v: &Value) -> String {
    match v {
        Value::Null => "(null)".into(),
        _ if field.is_sensitive() => REDACTED.into(),
        Value::Number(n) if field == Field::Memory => format!("{n} MB"),
        other => other.to_string(),
    }
}

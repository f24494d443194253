//! Every shared vector's whole answer, byte for byte: the vectors themselves
//! match by subset (so an answer can gain a key unnoticed), these catch any
//! change. For a plan case the golden file also holds what the plan becomes:
//! its Terraform plan JSON, its text as `plan` prints it (one line per
//! entry) and the apply steps of the same request.
//! `KASM_PLAN_BLESS=1` rewrites the files; a commit that does so names the
//! answers it changes on purpose.

#![allow(clippy::panic)]

use kasm_plan_core::facade;
use serde_json::{Map, Value, json};

/// The golden record of one case.
fn record(operation: &str, request: &str) -> Value {
    let answer = kasm_plan_vectors::outcome(&facade::call(operation, request));
    let mut out = Map::from_iter([("answer".to_owned(), answer.clone())]);
    if operation == "plan" {
        if let Some(plan) = answer.get("plan") {
            let json = facade::call("plan_to_json", &plan.to_string());
            out.insert("plan_json".into(), kasm_plan_vectors::outcome(&json));
            let refresh_only = serde_json::from_str::<Value>(request)
                .ok()
                .and_then(|r| r.get("refresh_only").and_then(Value::as_bool))
                .unwrap_or(false);
            let render = json!({
                "plan": plan,
                "refresh_only": refresh_only,
                "diagnostics": answer.get("diagnostics").cloned().unwrap_or(json!([])),
            });
            let rendered =
                kasm_plan_vectors::outcome(&facade::call("render_plan", &render.to_string()));
            let lines: Vec<Value> = rendered
                .get("text")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .lines()
                .map(Value::from)
                .collect();
            out.insert("rendered".into(), lines.into());
        }
        let steps = facade::call("apply_steps", request);
        out.insert("apply_steps".into(), kasm_plan_vectors::outcome(&steps));
    }
    Value::Object(out)
}

#[test]
fn every_answer_is_its_golden_file() {
    let cases = kasm_plan_vectors::load().unwrap_or_else(|e| panic!("{e}"));
    let dir = kasm_plan_vectors::repository().join("tests/golden");
    let bless = std::env::var_os("KASM_PLAN_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut stale = Vec::new();
    for case in &cases {
        let fresh = serde_json::to_string_pretty(&record(&case.operation, &case.request))
            .unwrap_or_else(|e| panic!("{}: {e}", case.name))
            + "\n";
        let path = dir.join(&case.name);
        if bless {
            std::fs::write(&path, &fresh).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(fresh.as_str()) {
            stale.push(case.name.clone());
        }
    }
    // A golden file whose vector is gone is stale too (`host/` holds the
    // CLI's scenarios, host/tests/scenarios.rs).
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    let files = std::fs::read_dir(&dir).into_iter().flatten().flatten();
    for entry in files.filter(|e| e.path().is_file()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !names.contains(&name.as_str()) {
            stale.push(format!("{name} (no such vector)"));
        }
    }
    assert!(
        stale.is_empty(),
        "{} golden answer(s) differ: {}\nIf the change is meant, run `KASM_PLAN_BLESS=1 cargo test -p kasm-plan-core --test golden` and name the answers in the commit.",
        stale.len(),
        json!(stale)
    );
}

//! The host's figures: instantiating the precompiled component and one call,
//! the 10k-vs-10k plan through the component against the same call run
//! natively, the CLI's cold start with a warm cache, and how soon the default
//! step budget stops a runaway Rego policy in the component.
//!
//! `cargo bench -p kasm-plan --bench host`

use criterion::{Criterion, criterion_group, criterion_main};
use kasm_plan::{COMPONENT, Engine, Limits};
use kasm_plan_core::facade;
use kasm_plan_core::synthetic;
use serde_json::json;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;

const N: usize = 10_000;

fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kasm-plan-cache")
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

fn engine() -> Engine {
    Engine::cached(COMPONENT, Limits::default(), &cache_dir())
        .unwrap_or_else(|e| unreachable!("{e}"))
        .0
}

fn bench_instantiate(c: &mut Criterion) {
    let engine = engine();
    let text = std::fs::read_to_string(example("images.tf")).unwrap_or_default();
    let request = json!({ "source": text, "file_name": "images.tf" }).to_string();
    c.bench_function("component/instantiate_and_validate_one_file", |b| {
        b.iter(|| {
            let mut instance = engine.instantiate().unwrap_or_else(|e| unreachable!("{e}"));
            let answer = instance
                .call("validate", black_box(&request))
                .unwrap_or_else(|e| unreachable!("{e}"));
            assert!(answer.contains("\"valid\":true"));
        })
    });
}

/// The facade's `plan` request: 10k JSON specs, 10k bound in state, 10k on Kasm.
fn plan_request() -> String {
    let (_, state, observed) = synthetic::plan_inputs(N);
    json!({
        "desired": { "source": synthetic::json_source(N), "format": "json" },
        "state": state,
        "observed": observed,
    })
    .to_string()
}

fn bench_plan(c: &mut Criterion) {
    let request = plan_request();
    let expected = format!("\"change\":{}", N / 10);
    let mut group = c.benchmark_group("plan_10k_vs_10k");
    group.sample_size(10);
    group.bench_function("native", |b| {
        b.iter(|| {
            let answer = facade::call("plan", black_box(&request));
            assert!(answer.contains(&expected));
        })
    });
    let engine = engine();
    let mut instance = engine.instantiate().unwrap_or_else(|e| unreachable!("{e}"));
    group.bench_function("component", |b| {
        b.iter(|| {
            let answer = instance
                .call("plan", black_box(&request))
                .unwrap_or_else(|e| unreachable!("{e}"));
            assert!(answer.contains(&expected));
        })
    });
    group.finish();
}

fn bench_cold_start(c: &mut Criterion) {
    let run = || {
        let out = Command::new(env!("CARGO_BIN_EXE_kasm-plan"))
            .arg("validate")
            .arg(example("images.tf"))
            .env("KASM_PLAN_CACHE_DIR", cache_dir())
            .output()
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert!(out.status.success());
    };
    run(); // warms the cache
    c.bench_function("cli/cold_start_validate_one_file", |b| b.iter(run));
}

fn bench_runaway_rego(c: &mut Criterion) {
    // The shared runaway case's policy, at the default budget instead of the case's small one.
    let runaway = kasm_plan_vectors::policy_source("policy-rego-runaway.json")
        .unwrap_or_else(|e| unreachable!("{e}"));
    let request = json!({
        "policy": { "source": runaway, "file_name": "runaway.rego" },
        "desired": { "source": std::fs::read_to_string(example("images.tf")).unwrap_or_default() },
    })
    .to_string();
    let engine = engine();
    let mut instance = engine.instantiate().unwrap_or_else(|e| unreachable!("{e}"));
    let mut group = c.benchmark_group("component");
    group.sample_size(10);
    group.bench_function("runaway_rego_stopped_by_the_step_budget", |b| {
        b.iter(|| {
            let answer = instance
                .call("policy_check", black_box(&request))
                .unwrap_or_else(|e| unreachable!("{e}"));
            assert!(answer.contains("was stopped"));
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_instantiate,
    bench_plan,
    bench_cold_start,
    bench_runaway_rego
);
criterion_main!(benches);

//! The host's figures: instantiating the precompiled component and one call,
//! the 10k-vs-10k plan through the component (JSON `call`, and the typed
//! function the CLI uses) against the same call run natively, the CLI's cold start with a warm cache, and how soon the default
//! step budget stops a runaway Rego policy in the component.
//!
//! `cargo bench -p kasm-plan --bench host`

use criterion::{Criterion, criterion_group, criterion_main};
use kasm_plan::{COMPONENT, COMPONENT_DIGEST, Core, Limits, Sandbox};
use kasm_plan_core::facade;
use kasm_plan_vectors::synthetic;
use serde_json::json;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;

const N: usize = 10_000;

fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kasm-plan-cache")
}

fn example(name: &str) -> PathBuf {
    kasm_plan_vectors::repository().join("examples").join(name)
}

fn core() -> Core {
    Sandbox::cached(
        (COMPONENT, COMPONENT_DIGEST),
        Limits::default(),
        &cache_dir(),
    )
    .and_then(|(sandbox, _)| sandbox.instantiate())
    .unwrap_or_else(|e| unreachable!("{e}"))
}

/// A JSON call's answer text.
fn call(core: &mut Core, operation: &str, request: &str) -> String {
    core.call(operation, request)
        .unwrap_or_else(|e| unreachable!("{e}"))
        .unwrap_or_else(|d| unreachable!("{}", d.message))
}

fn bench_instantiate(c: &mut Criterion) {
    let sandbox = Sandbox::cached(
        (COMPONENT, COMPONENT_DIGEST),
        Limits::default(),
        &cache_dir(),
    )
    .unwrap_or_else(|e| unreachable!("{e}"))
    .0;
    let text = std::fs::read_to_string(example("images.tf")).unwrap_or_default();
    let request = json!({ "source": text, "file_name": "images.tf" }).to_string();
    c.bench_function("component/instantiate_and_validate_one_file", |b| {
        b.iter(|| {
            let mut core = sandbox
                .instantiate()
                .unwrap_or_else(|e| unreachable!("{e}"));
            let answer = call(&mut core, "validate", black_box(&request));
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
            assert!(answer.is_ok_and(|a| a.contains(&expected)));
        })
    });
    let mut core = core();
    group.bench_function("component", |b| {
        b.iter(|| {
            let answer = call(&mut core, "plan", black_box(&request));
            assert!(answer.contains(&expected));
        })
    });
    // What the CLI would pay for the JSON call: its answer read into the
    // types the typed call hands back.
    group.bench_function("component_read", |b| {
        b.iter(|| {
            let answer = call(&mut core, "plan", black_box(&request));
            let read: facade::PlanResponse =
                serde_json::from_str(&answer).unwrap_or_else(|e| unreachable!("{e}"));
            assert!(read.plan.is_some_and(|p| p.summary.change == N / 10));
        })
    });
    let typed: facade::PlanRequest =
        serde_json::from_str(&request).unwrap_or_else(|e| unreachable!("{e}"));
    // The JSON call as the CLI would make it: from the request it holds
    // (typed) to the answer it reads (typed), as the typed call goes.
    group.bench_function("component_json_from_typed", |b| {
        b.iter_batched(
            || typed.clone(),
            |request| {
                let text = serde_json::to_string(&request).unwrap_or_else(|e| unreachable!("{e}"));
                drop(request);
                let answer = call(&mut core, "plan", black_box(&text));
                let read: facade::PlanResponse =
                    serde_json::from_str(&answer).unwrap_or_else(|e| unreachable!("{e}"));
                assert!(read.plan.is_some_and(|p| p.summary.change == N / 10));
            },
            criterion::BatchSize::LargeInput,
        )
    });
    // The request is cloned outside the timing: the CLI builds its request
    // once and hands it over, as the JSON call hands over its text.
    group.bench_function("component_typed", |b| {
        b.iter_batched(
            || typed.clone(),
            |request| {
                let answer = core
                    .plan(black_box(request))
                    .unwrap_or_else(|e| unreachable!("{e}"));
                assert!(answer.plan.is_some_and(|p| p.summary.change == N / 10));
            },
            criterion::BatchSize::LargeInput,
        )
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
    let mut core = core();
    let mut group = c.benchmark_group("component");
    group.sample_size(10);
    group.bench_function("runaway_rego_stopped_by_the_step_budget", |b| {
        b.iter(|| {
            let answer = call(&mut core, "policy_check", black_box(&request));
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

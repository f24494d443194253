//! Benchmarks with the targets of docs/performance.md: validate 10,000 specs (> 200k specs/s)
//! and plan 10,000 desired against 10,000 observed (< 10 ms).
//!
//! `cargo bench -p kasm-plan-core --bench core`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kasm_plan_core::State;
use kasm_plan_core::facade::{self, Desired, PlanRequest, SourceInput, validate_source};
use kasm_plan_core::plan::{PlanOptions, plan};
use kasm_plan_vectors::synthetic;
use std::hint::black_box;

const N: usize = 10_000;

fn bench_validate(c: &mut Criterion) {
    let (json_text, hcl) = (synthetic::json_source(N), synthetic::hcl_source(N));
    let mut group = c.benchmark_group("validate");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(20);
    // The last: the HCL bench's specs written as JSON, the format's cost
    // apart from the spec's.
    let inputs = [
        ("json", "json", json_text),
        ("hcl", "hcl", hcl),
        ("hcl_specs_as_json", "json", synthetic::hcl_specs_as_json(N)),
    ];
    for (label, extension, text) in inputs {
        let input = SourceInput {
            source: text,
            format: None,
            file_name: Some(format!("specs.{extension}")),
        };
        group.bench_with_input(BenchmarkId::new("10k_specs", label), &input, |b, input| {
            b.iter(|| {
                let (resources, diagnostics) = validate_source(black_box(input), false);
                assert_eq!(resources.len(), N);
                assert!(diagnostics.is_empty());
            })
        });
    }
    // The checks alone, on specs already parsed and typed.
    let (resources, _) = validate_source(
        &SourceInput {
            source: synthetic::json_source(N),
            format: None,
            file_name: None,
        },
        false,
    );
    group.bench_function("10k_specs/checks_only", |b| {
        b.iter(|| {
            let found: usize = black_box(&resources)
                .iter()
                .map(|r| kasm_plan_core::validate::diagnose(r).len())
                .sum();
            assert_eq!(found, 0);
        })
    });
    // Two floors for `json`, not targets: making (and dropping) the typed
    // specs validation hands back, and reading the same document into
    // serde_json's values, as any reader that keeps owned values must.
    group.bench_function("10k_specs/output_only", |b| {
        b.iter(|| black_box(&resources).clone())
    });
    let json_text = synthetic::json_source(N);
    group.bench_function("10k_specs/json_to_value", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&json_text)).ok())
    });
    group.finish();
}

/// A configuration of 1,000 images: 1,000 static blocks against one
/// `for_each` block over a variable, validated and planned (the language's cost).
fn bench_language(c: &mut Criterion) {
    const K: usize = 1_000;
    let mut group = c.benchmark_group("language");
    group.throughput(Throughput::Elements(K as u64));
    group.sample_size(20);
    for (label, text) in [
        ("static", synthetic::hcl_source(K)),
        ("for_each", synthetic::for_each_source(K)),
    ] {
        let input = SourceInput {
            source: text,
            format: None,
            file_name: Some("main.tf".into()),
        };
        group.bench_with_input(
            BenchmarkId::new("validate_1k", label),
            &input,
            |b, input| {
                b.iter(|| {
                    let (resources, diagnostics) = validate_source(black_box(input), false);
                    assert_eq!(resources.len(), K);
                    assert!(diagnostics.is_empty(), "{diagnostics:?}");
                })
            },
        );
        let request = PlanRequest::new(Desired::Source(input.clone()));
        group.bench_with_input(
            BenchmarkId::new("plan_1k", label),
            &request,
            |b, request| {
                b.iter(|| {
                    let answer = facade::plan(black_box(request));
                    assert_eq!(answer.plan.map(|p| p.summary.add), Some(K));
                })
            },
        );
    }
    group.finish();
}

/// 1,000 new images (one `for_each` block), a new group and a link per image
/// (`for_each` over the images): every id known only after apply.
fn bench_access(c: &mut Criterion) {
    const K: usize = 1_000;
    let source = format!(
        "{}resource \"kasm_group\" \"g\" {{\n  name = \"Apps\"\n  priority = 10\n}}\n\
resource \"kasm_group_image\" \"app\" {{\n  for_each = kasm_image.app\n  group_id = kasm_group.g.id\n  image_id = each.value.id\n}}\n",
        synthetic::for_each_source(K)
    );
    let request = PlanRequest {
        access: Some(kasm_plan_core::access::Access {
            groups: vec![kasm_plan_core::group::Group {
                group_id: kasm_plan_core::group::ALL_USERS.into(),
                name: "All Users".into(),
                priority: 1000,
                is_system: true,
                ..Default::default()
            }],
            ..Default::default()
        }),
        ..PlanRequest::new(Desired::Source(SourceInput {
            source,
            format: None,
            file_name: Some("main.tf".into()),
        }))
    };
    let mut group = c.benchmark_group("access");
    group.throughput(Throughput::Elements(K as u64));
    group.sample_size(20);
    group.bench_function("plan_1k_images_1k_links", |b| {
        b.iter(|| {
            let answer = facade::plan(black_box(&request));
            assert_eq!(answer.plan.map(|p| p.summary.add), Some(2 * K + 1));
        })
    });
    group.bench_function("apply_steps_1k_images_1k_links", |b| {
        b.iter(|| {
            let answer = facade::apply_steps(black_box(&request));
            assert_eq!(answer.steps.len(), 2 * K + 1);
        })
    });
    group.finish();
}

fn bench_plan(c: &mut Criterion) {
    let (desired, state, observed) = synthetic::plan_inputs(N);
    let mut group = c.benchmark_group("plan");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(20);
    for (label, unchanged_values) in [("10k_vs_10k", false), ("10k_vs_10k_unchanged_values", true)]
    {
        let options = PlanOptions {
            unchanged_values,
            ..PlanOptions::default()
        };
        group.bench_function(label, |b| {
            b.iter(|| {
                let p = plan(
                    black_box(&desired),
                    black_box(&state),
                    black_box(&observed),
                    &options,
                )
                .unwrap_or_else(|e| unreachable!("{e:?}"));
                assert_eq!(p.summary.change, N / 10);
            })
        });
    }
    group.finish();
}

/// What a plan of 10,000 new images becomes: its plan JSON and its text.
fn bench_outputs(c: &mut Criterion) {
    let (desired, _, _) = synthetic::plan_inputs(N);
    let creates = plan(&desired, &State::default(), &[], &PlanOptions::default())
        .unwrap_or_else(|e| unreachable!("{e:?}"));
    let mut group = c.benchmark_group("outputs");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(10);
    group.bench_function("plan_json_10k_creates", |b| {
        b.iter(|| {
            let json = kasm_plan_core::plan_json::to_terraform_json(black_box(&creates));
            assert!(json.get("resource_changes").is_some());
        })
    });
    group.bench_function("render_10k_creates", |b| {
        b.iter(|| {
            let text = kasm_plan_core::render::plan(black_box(&creates), &[]);
            assert!(text.ends_with("Plan: 10000 to add, 0 to change, 0 to destroy.\n"));
        })
    });
    group.finish();
}

/// 20 built-in rules over 1,000 desired images and their plan.
fn bench_policy(c: &mut Criterion) {
    use kasm_plan_core::parse::Format;
    use kasm_plan_core::policy::{evaluate, parse_policy};
    let (desired, state, observed) = synthetic::plan_inputs(1000);
    let planned = plan(&desired, &state, &observed, &PlanOptions::default())
        .unwrap_or_else(|e| unreachable!("{e:?}"));
    let checks = [
        r#""check": "max_memory", "max_mb": 8192"#,
        r#""check": "max_cores", "max": 8"#,
        r#""check": "allowed_registries", "patterns": ["docker.io", "registry.example.com"]"#,
        r#""check": "allowed_repositories", "patterns": ["kasmweb/*"]"#,
        r#""check": "forbidden_tags", "tags": ["latest", "untagged"]"#,
        r#""check": "require_description""#,
        r#""check": "friendly_name_pattern", "pattern": "App *""#,
        r#""check": "protected", "addresses": ["kasm_image.prod_*"]"#,
        r#""check": "forbidden_actions", "actions": ["delete"]"#,
        r#""check": "require_restriction", "level": "advisory""#,
    ];
    let rules: Vec<String> = checks
        .iter()
        .cycle()
        .take(20)
        .enumerate()
        .map(|(i, check)| format!(r#"{{"id": "rule-{i}", {check}}}"#))
        .collect();
    let policy = parse_policy(
        &format!(r#"{{"rules": [{}]}}"#, rules.join(",")),
        Format::Json,
    )
    .unwrap_or_else(|e| unreachable!("{e:?}"));
    let mut group = c.benchmark_group("policy");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("20_builtin_rules_1000_images", |b| {
        b.iter(|| {
            let report = evaluate(black_box(&policy), black_box(&desired), Some(&planned), &[]);
            assert_eq!(
                report.results.len() - report.results.iter().filter(|r| !r.passed).count(),
                18
            );
        })
    });
    group.finish();
}

/// A 10-rule Rego policy over the plan JSON of 1,000 images.
fn bench_rego(c: &mut Criterion) {
    use kasm_plan_core::facade::DEFAULT_MAX_STEPS;
    use kasm_plan_core::policy::RegoModule;
    use kasm_plan_core::rego::evaluate;
    let (desired, state, observed) = synthetic::plan_inputs(1000);
    let options = PlanOptions {
        unchanged_values: true,
        ..PlanOptions::default()
    };
    let planned =
        plan(&desired, &state, &observed, &options).unwrap_or_else(|e| unreachable!("{e:?}"));
    let input = kasm_plan_core::plan_json::to_terraform_json(&planned);
    let conditions = [
        "rc.change.after.memory > 100000",
        "rc.change.after.cores > 64",
        "rc.change.after.friendly_name == \"\"",
        "rc.change.after.description == null",
        "endswith(rc.change.after.name, \":latest\")",
        "not startswith(rc.change.after.name, \"kasmweb/\")",
        "\"delete\" in rc.change.actions",
        "rc.change.after.enabled == false",
        "rc.change.after.image_type == \"Link\"",
        "count(rc.change.after.volume_mapping) > 10",
    ];
    let mut rego = String::from("package main\n\nimport rego.v1\n");
    for (i, condition) in conditions.iter().enumerate() {
        rego.push_str(&format!(
            "\ndeny contains msg if {{\n  some rc in input.resource_changes\n  {condition}\n  msg := sprintf(\"rule {i}: %s\", [rc.address])\n}}\n"
        ));
    }
    c.bench_function("policy/10_rego_rules_1000_images", |b| {
        b.iter(|| {
            let module = RegoModule {
                file: "bench.rego",
                text: black_box(&rego),
            };
            let (outcomes, _) = evaluate(
                &[module],
                &[],
                &input,
                DEFAULT_MAX_STEPS,
                Default::default(),
            )
            .unwrap_or_else(|e| unreachable!("{e:?}"));
            assert!(outcomes.iter().all(|o| o.failures.is_empty()));
        })
    });
}

/// How soon the default step budget stops the shared runaway policy, natively.
fn bench_runaway_rego(c: &mut Criterion) {
    let runaway = kasm_plan_vectors::policy_source("policy-rego-runaway.json")
        .unwrap_or_else(|e| unreachable!("{e}"));
    let request = serde_json::json!({
        "policy": { "source": runaway, "file_name": "runaway.rego" },
        "desired": { "images": {} },
    })
    .to_string();
    let mut group = c.benchmark_group("policy");
    group.sample_size(10);
    group.bench_function("runaway_rego_stopped_by_the_step_budget", |b| {
        b.iter(|| {
            let answer = kasm_plan_core::facade::call("policy_check", black_box(&request));
            assert!(answer.is_ok_and(|a| a.contains("was stopped")));
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_validate,
    bench_language,
    bench_access,
    bench_plan,
    bench_outputs,
    bench_policy,
    bench_rego,
    bench_runaway_rego
);
criterion_main!(benches);

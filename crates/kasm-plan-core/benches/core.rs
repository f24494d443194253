//! Benchmarks with the README's targets: validate 10,000 specs (> 200k specs/s)
//! and plan 10,000 desired against 10,000 observed (< 10 ms).
//!
//! `cargo bench -p kasm-plan-core --bench core`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kasm_plan_core::facade::{SourceInput, validate_source};
use kasm_plan_core::model::{Image, ImageSpec};
use kasm_plan_core::plan::{PlanOptions, address_of, plan};
use kasm_plan_core::state::{State, StateResource};
use kasm_plan_core::wire::create_body;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::hint::black_box;

const N: usize = 10_000;

fn spec_json(i: usize) -> Value {
    json!({
        "name": format!("kasmweb/app-{}:1.18.{}", i % 97, i % 7),
        "image_src": format!("img/thumbnails/app-{i}.png"),
        "friendly_name": format!("App {i}"),
        "description": "A workspace image used for benchmarking",
        "memory": 2768 + (i % 10) as i64 * 256,
        "cores": 1 + (i % 4) as i64,
        "image_type": "Container",
        "run_config": { "hostname": format!("app{i}") },
        "volume_mapping": { "/data": { "bind": "/data", "mode": "rw", "uid": 1000, "gid": 1000 } }
    })
}

fn sources() -> (String, String) {
    let images: serde_json::Map<String, Value> =
        (0..N).map(|i| (format!("app_{i}"), spec_json(i))).collect();
    let json_text = json!({ "images": images }).to_string();
    let mut hcl = String::new();
    for i in 0..N {
        hcl.push_str(&format!(
            "resource \"kasm_image\" \"app_{i}\" {{\n  name = \"kasmweb/app-{}:1.18.0\"\n  image_src = \"img/thumbnails/app-{i}.png\"\n  friendly_name = \"App {i}\"\n  memory = 2768\n  cores = 2\n  run_config = {{ hostname = \"app{i}\" }}\n}}\n",
            i % 97
        ));
    }
    (json_text, hcl)
}

fn bench_validate(c: &mut Criterion) {
    let (json_text, hcl) = sources();
    let mut group = c.benchmark_group("validate");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(20);
    for (label, text) in [("json", json_text), ("hcl", hcl)] {
        let input = SourceInput {
            source: text,
            format: None,
            file_name: Some(format!("specs.{label}")),
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
            source: sources().0,
            format: None,
            file_name: None,
        },
        false,
    );
    group.bench_function("10k_specs/checks_only", |b| {
        b.iter(|| {
            let found: usize = black_box(&resources)
                .iter()
                .map(|r| kasm_plan_core::validate::check(r).len())
                .sum();
            assert_eq!(found, 0);
        })
    });
    group.finish();
}

/// 10k desired, 10k observed and bound in state; every tenth image changed on Kasm.
fn plan_inputs() -> (BTreeMap<String, ImageSpec>, State, Vec<Image>) {
    let mut desired = BTreeMap::new();
    let mut state = State::default();
    let mut observed = Vec::with_capacity(N);
    for i in 0..N {
        let name = format!("app_{i}");
        let spec: ImageSpec =
            serde_json::from_value(spec_json(i)).unwrap_or_else(|e| unreachable!("{e}"));
        let address = address_of(&name);
        let body = create_body(&spec, &address);
        let mut merged = serde_json::to_value(Image::default()).unwrap_or_default();
        if let Some(obj) = merged.as_object_mut() {
            obj.extend(body);
            obj.insert("image_id".into(), json!(format!("{i:032x}")));
        }
        let mut image: Image =
            serde_json::from_value(merged).unwrap_or_else(|e| unreachable!("{e}"));
        state.resources.insert(
            address.clone(),
            StateResource::applied(&address, &spec, &image),
        );
        if i % 10 == 0 {
            image.memory += 1_000_000_000;
        }
        observed.push(image);
        desired.insert(name, spec);
    }
    (desired, state, observed)
}

fn bench_plan(c: &mut Criterion) {
    let (desired, state, observed) = plan_inputs();
    let mut group = c.benchmark_group("plan");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(20);
    for (label, unchanged_values) in [("10k_vs_10k", false), ("10k_vs_10k_unchanged_values", true)]
    {
        let options = PlanOptions { unchanged_values };
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

criterion_group!(benches, bench_validate, bench_plan);
criterion_main!(benches);

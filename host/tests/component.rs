//! The component: it imports nothing, and run under wasmtime it answers every
//! shared vector exactly as the core does natively.

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::cache_dir;
use kasm_plan::{COMPONENT, Cached, Engine, Limits, api, cache};
use kasm_plan_core::facade;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// One compiled engine for the whole test binary.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::cached(COMPONENT, Limits::default(), &cache_dir())
            .unwrap_or_else(|e| panic!("{e}"))
            .0
    })
}

#[test]
fn imports_nothing_and_exports_the_core() {
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    let mut depth = 0usize;
    for payload in wasmparser::Parser::new(0).parse_all(COMPONENT) {
        match payload {
            Ok(
                wasmparser::Payload::ModuleSection { .. }
                | wasmparser::Payload::ComponentSection { .. },
            ) => depth += 1,
            Ok(wasmparser::Payload::End(_)) => depth = depth.saturating_sub(1),
            // Only the outermost component's imports and exports are its interface.
            Ok(wasmparser::Payload::ComponentImportSection(section)) if depth == 0 => {
                imports.extend(
                    section
                        .into_iter()
                        .filter_map(Result::ok)
                        .map(|i| i.name.name.to_owned()),
                );
            }
            Ok(wasmparser::Payload::ComponentExportSection(section)) if depth == 0 => {
                exports.extend(
                    section
                        .into_iter()
                        .filter_map(Result::ok)
                        .map(|e| e.name.name.to_owned()),
                );
            }
            Ok(_) => {}
            Err(e) => panic!("invalid component: {e}"),
        }
    }
    assert!(
        imports.is_empty(),
        "the component must import nothing, found {imports:?}"
    );
    assert_eq!(exports, ["kasm:plan/core@0.1.0"]);
}

#[test]
fn vectors_agree_exactly_with_the_native_core() {
    let engine = engine();
    let cases = kasm_plan_vectors::load().unwrap_or_else(|e| panic!("{e}"));
    assert!(cases.len() >= 40, "found {} vectors", cases.len());
    let mut instance = engine.instantiate().unwrap_or_else(|e| panic!("{e}"));
    for case in &cases {
        let native = facade::call(&case.operation, &case.request);
        let in_wasm = instance
            .call(&case.operation, &case.request)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(in_wasm, native, "{}", case.name);
    }
}

#[test]
fn typed_validate_matches_the_facade() {
    let engine = Engine::new(COMPONENT, Limits::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut instance = engine.instantiate().unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/seed.tf"))
        .unwrap_or_default();
    let source = api::Source {
        text: text.clone(),
        format: Some(api::Format::Hcl),
        file_name: None,
    };
    let typed = instance
        .validate(&source, false)
        .unwrap_or_else(|e| panic!("{e}"));
    let native = facade::validate(&facade::ValidateRequest {
        input: facade::SourceInput {
            source: text,
            format: Some(kasm_plan_core::Format::Hcl),
            file_name: None,
        }
        .into(),
        strict: false,
    });
    assert_eq!(typed.valid, native.valid);
    assert_eq!(typed.warnings as usize, native.warnings);
    let codes: Vec<String> = typed.diagnostics.iter().map(|d| d.code.clone()).collect();
    assert_eq!(
        codes,
        [
            "name_not_image_reference",
            "name_not_image_reference",
            "image_tag_latest"
        ]
    );
    let first = &typed.diagnostics[0];
    assert_eq!(
        first.location.map(|l| (l.start.line, l.start.column)),
        Some((4, 3))
    );
    assert_eq!(first.severity, api::Severity::Warning);
}

#[test]
fn memory_cap_is_a_clear_error_not_a_crash() {
    // A 16 MiB source cannot even be copied into an instance capped at 8 MiB.
    let engine = engine().with_limits(Limits {
        memory: 8 << 20,
        ..Limits::default()
    });
    let mut instance = engine.instantiate().unwrap_or_else(|e| panic!("{e}"));
    let huge = api::Source {
        text: " ".repeat(16 << 20),
        format: Some(api::Format::Hcl),
        file_name: None,
    };
    let Err(err) = instance.validate(&huge, false) else {
        panic!("expected the memory cap to stop the call")
    };
    assert!(
        matches!(err, kasm_plan::HostError::MemoryLimit(m) if m == 8 << 20),
        "a memory-limit error, got {err}"
    );
    assert!(err.to_string().contains("--max-memory"), "{err}");
    // A small input in a fresh instance still works: the host survived.
    let mut fresh = engine.instantiate().unwrap_or_else(|e| panic!("{e}"));
    let ok = fresh
        .call("validate", r#"{"source": "{\"images\": {}}"}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ok.contains("\"valid\":true"), "{ok}");
}

#[test]
fn time_cap_interrupts_long_work() {
    // Thousands of resources take far longer than 20 ms to check; the deadline stops the call.
    let engine = engine().with_limits(Limits {
        time: Duration::from_millis(20),
        ..Limits::default()
    });
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!("resource \"kasm_image\" \"r{i}\" {{\n  name = \"kasmweb/t:1\"\n  image_src = \"a.png\"\n  friendly_name = \"T\"\n}}\n"));
    }
    let source = api::Source {
        text,
        format: Some(api::Format::Hcl),
        file_name: None,
    };
    let mut instance = engine.instantiate().unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let result = instance.validate(&source, false);
    assert!(
        matches!(result, Err(kasm_plan::HostError::TimeLimit(_))),
        "expected the time cap to interrupt the call, got {result:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopped promptly: {:?}",
        started.elapsed()
    );
}

#[test]
fn the_cache_serves_a_stored_artifact_and_replaces_a_damaged_one() {
    let shared = engine();
    drop(shared.instantiate().unwrap_or_else(|e| panic!("{e}")));
    // Copy the shared artifact into a fresh directory: a hit, no compilation.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let probe = shared.wasmtime();
    let source = cache::artifact_path(probe, COMPONENT, &cache_dir());
    let copy = cache::artifact_path(probe, COMPONENT, dir.path());
    assert_eq!(source.file_name(), copy.file_name());
    std::fs::copy(&source, &copy).unwrap_or_else(|e| panic!("{e}"));
    let (engine, how) =
        Engine::cached(COMPONENT, Limits::default(), dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(how, Cached::Hit(copy.clone()));
    let answer = engine
        .instantiate()
        .and_then(|mut i| i.call("validate", r#"{"source": "{\"images\": {}}"}"#))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(answer.contains("\"valid\":true"), "{answer}");
    // A damaged artifact is not loaded: it is compiled again and replaced.
    drop(engine);
    std::fs::write(&copy, b"not an artifact").unwrap_or_else(|e| panic!("{e}"));
    let (engine, how) =
        Engine::cached(COMPONENT, Limits::default(), dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(how, Cached::Stored(copy.clone()));
    assert!(std::fs::metadata(&copy).map(|m| m.len()).unwrap_or(0) > 1000);
    let answer = engine
        .instantiate()
        .and_then(|mut i| i.call("validate", r#"{"source": "{\"images\": {}}"}"#))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(answer.contains("\"valid\":true"), "{answer}");
}

#[test]
fn another_component_gets_its_own_artifact() {
    let probe = engine().wasmtime();
    let mut other = COMPONENT.to_vec();
    other.push(0);
    let dir = cache_dir();
    assert_ne!(
        cache::artifact_path(probe, COMPONENT, &dir),
        cache::artifact_path(probe, &other, &dir)
    );
    // Another engine configuration is another key too.
    let plain = wasmtime::Engine::default();
    assert_ne!(
        cache::artifact_path(probe, COMPONENT, &dir),
        cache::artifact_path(&plain, COMPONENT, &dir)
    );
}

#[test]
fn typed_plan_takes_several_files() {
    let mut instance = engine().instantiate().unwrap_or_else(|e| panic!("{e}"));
    let file = |name: &str| api::Source {
        text: std::fs::read_to_string(format!("{}/../examples/{name}", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_default(),
        format: None,
        file_name: Some(name.to_owned()),
    };
    let empty = api::State {
        version: 1,
        serial: 0,
        lineage: String::new(),
        resources: Vec::new(),
    };
    let options = api::PlanOptions {
        strict: false,
        unchanged_values: false,
    };
    let planned = instance
        .plan(
            &[file("images.tf"), file("images.json")],
            &empty,
            &[],
            options,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(planned.ok, "{:?}", planned.diagnostics);
    let plan = planned.plan.unwrap_or_else(|| panic!("no plan"));
    let addresses: Vec<&str> = plan
        .resource_changes
        .iter()
        .map(|c| c.address.as_str())
        .collect();
    assert_eq!(
        addresses,
        [
            "kasm_image.chrome",
            "kasm_image.firefox",
            "kasm_image.terminal",
            "kasm_image.vscode"
        ]
    );
    assert_eq!(plan.summary.add, 4);
    // The same file twice: every name is a duplicate, reported in the second file.
    let twice = instance
        .plan(
            &[file("images.tf"), file("images.tf")],
            &empty,
            &[],
            options,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!twice.ok);
    assert_eq!(twice.diagnostics.len(), 3);
    assert!(
        twice
            .diagnostics
            .iter()
            .all(|d| d.code == "duplicate_address" && d.file.as_deref() == Some("images.tf"))
    );
}

/// Every shared policy case that needs no Kasm images runs through the typed
/// `check-policy` too, and answers as the facade does.
#[test]
fn typed_check_policy_matches_the_facade() {
    use kasm_plan_core::policy::{Level, PolicyResult};
    use serde_json::Value;
    let mut instance = engine().instantiate().unwrap_or_else(|e| panic!("{e}"));
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let mut checked = 0;
    for case in kasm_plan_vectors::load().unwrap_or_else(|e| panic!("{e}")) {
        let request: Value = serde_json::from_str(&case.request).unwrap_or_default();
        let observed = request.get("observed").and_then(Value::as_array);
        let needs_images = observed.is_some_and(|o| !o.is_empty());
        if case.operation != "policy_check" || needs_images || request.get("state").is_some() {
            continue;
        }
        let files = request.get("policy").into_iter().chain(
            request
                .get("policies")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
        let policies: Vec<api::PolicyFile> = files
            .map(|f| api::PolicyFile {
                text: text(&f["source"]).unwrap_or_default(),
                format: None,
                file_name: text(&f["file_name"]),
            })
            .collect();
        let subject = api::PolicySubject {
            desired: vec![api::Source {
                // Source text, or an `{"images": ...}` document as JSON text.
                text: text(&request["desired"]["source"])
                    .unwrap_or_else(|| request["desired"].to_string()),
                format: None,
                file_name: None,
            }],
            plan: None,
            state: None,
            observed: observed.map(|_| Vec::new()),
            overrides: request["overrides"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(text)
                .collect(),
            max_steps: request["max_steps"].as_u64(),
        };
        let typed = instance
            .check_policy(&policies, &subject)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let native: facade::PolicyResponse =
            serde_json::from_str(&facade::call(&case.operation, &case.request))
                .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(typed.ok, native.ok, "{}", case.name);
        let typed_messages: Vec<_> = typed.diagnostics.iter().map(|d| &d.message).collect();
        let native_messages: Vec<_> = native.diagnostics.iter().map(|d| &d.message).collect();
        assert_eq!(typed_messages, native_messages, "{}", case.name);
        assert_eq!(
            typed.report.is_some(),
            native.report.is_some(),
            "{}",
            case.name
        );
        if let (Some(t), Some(n)) = (typed.report, native.report) {
            assert_eq!(
                (t.blocking, &t.overridden),
                (n.blocking, &n.overridden),
                "{}",
                case.name
            );
            let typed_results: Vec<PolicyResult> = t
                .results
                .into_iter()
                .map(|r| PolicyResult {
                    level: match r.level {
                        api::PolicyLevel::Advisory => Level::Advisory,
                        api::PolicyLevel::SoftMandatory => Level::SoftMandatory,
                        api::PolicyLevel::HardMandatory => Level::HardMandatory,
                    },
                    rule: r.rule,
                    passed: r.passed,
                    address: r.address,
                    path: r.path,
                    message: r.message,
                    overridden: r.overridden,
                    file: r.file,
                    query: r.query,
                })
                .collect();
            assert_eq!(typed_results, n.results, "{}", case.name);
        }
        checked += 1;
    }
    assert!(
        checked >= 8,
        "only {checked} policy cases ran through check-policy"
    );
}

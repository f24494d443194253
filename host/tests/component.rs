//! The component: it imports nothing, and run under wasmtime it answers every

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test
//! shared vector exactly as the core does natively.

use kasm_plan::{COMPONENT, Engine, Limits, api};
use kasm_plan_core::facade;
use std::time::{Duration, Instant};

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
    let engine = Engine::new(COMPONENT, Limits::default()).unwrap_or_else(|e| panic!("{e}"));
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
        },
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
    let engine = Engine::new(
        COMPONENT,
        Limits {
            memory: 8 << 20,
            ..Limits::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut instance = engine.instantiate().unwrap_or_else(|e| panic!("{e}"));
    let huge = api::Source {
        text: " ".repeat(16 << 20),
        format: Some(api::Format::Hcl),
        file_name: None,
    };
    let Err(err) = instance.validate(&huge, false) else {
        panic!("expected the memory cap to stop the call")
    };
    assert!(!err.to_string().is_empty());
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
    let engine = Engine::new(
        COMPONENT,
        Limits {
            time: Duration::from_millis(20),
            ..Limits::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
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
        result.is_err(),
        "expected the time cap to interrupt the call"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopped promptly: {:?}",
        started.elapsed()
    );
}

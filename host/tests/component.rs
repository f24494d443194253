//! The component: it imports nothing, and run under wasmtime it answers every
//! shared vector exactly as the core does natively, through `call` and
//! through the typed functions the CLI uses.

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::cache_dir;
use kasm_plan::{
    COMPONENT, COMPONENT_DIGEST, Cached, Core, CoreError, Limits, Sandbox, SandboxError, cache,
};
use kasm_plan_core::facade::{self, Configuration, SourceInput, ValidateRequest};
use kasm_plan_core::{Diagnostic, Format};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// One compiled component for the whole test binary.
fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        Sandbox::cached(
            (COMPONENT, COMPONENT_DIGEST),
            Limits::default(),
            &cache_dir(),
        )
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
    let cases = kasm_plan_vectors::load().unwrap_or_else(|e| panic!("{e}"));
    assert!(cases.len() >= 40, "found {} vectors", cases.len());
    let mut core = sandbox().instantiate().unwrap_or_else(|e| panic!("{e}"));
    for case in &cases {
        let native = facade::call(&case.operation, &case.request);
        let in_wasm = core
            .call(&case.operation, &case.request)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(in_wasm, native, "{}", case.name);
    }
}

/// A vector's request run through the typed function of its operation, the
/// answer encoded as the facade encodes it; `None` for a request that does
/// not decode (the facade refuses it).
fn typed(core: &mut Core, operation: &str, request: &str) -> Option<Result<String, CoreError>> {
    fn run<Req: DeserializeOwned, Res: Serialize>(
        request: &str,
        operation: impl FnOnce(Req) -> Result<Res, CoreError>,
    ) -> Option<Result<String, CoreError>> {
        let request = serde_json::from_str(request).ok()?;
        Some(operation(request).map(|a| serde_json::to_string(&a).unwrap_or_default()))
    }
    match operation {
        "validate" => run(request, |r| core.validate(r)),
        "parse" => run(request, |r| core.parse(r)),
        "filter" => run(request, |r| core.filter(r)),
        "filter_groups" => run(request, |r| core.filter_groups(r)),
        "plan" => run(request, |r| core.plan(r)),
        "plan_to_json" => run(request, |r| core.plan_to_json(r)),
        "render_plan" => run(request, |r| {
            core.render_plan(r)
                .map(|text| facade::RenderResponse { text })
        }),
        "apply_steps" => run(request, |r| core.apply_steps(r)),
        "outputs" => run(request, |r| core.outputs(r)),
        "who_may_launch" => run(request, |r| core.who_may_launch(r)),
        "record" => run(request, |r| core.record(r)),
        "recognise" => run(request, |r| core.recognise(r)),
        "import" => run(request, |r| core.import(r)),
        "policy_check" => run(request, |r| core.policy_check(r)),
        "adopt" => run(request, |r| core.adopt(r)),
        "format" => run(request, |r| core.format(r)),
        "read_terraform_state" => run(request, |r| core.read_terraform_state(r)),
        "schema" => run(request, |_: facade::SchemaRequest| core.schema()),
        "json_schema" => run(request, |_: facade::SchemaRequest| core.json_schema()),
        other => panic!("no typed function for `{other}`"),
    }
}

/// The typed surface loses nothing: every vector's answer through the typed
/// functions is byte for byte the native answer.
#[test]
fn typed_functions_agree_exactly_with_the_native_core() {
    let cases = kasm_plan_vectors::load().unwrap_or_else(|e| panic!("{e}"));
    let mut core = sandbox().instantiate().unwrap_or_else(|e| panic!("{e}"));
    let mut checked = std::collections::BTreeSet::new();
    for case in &cases {
        let native = facade::call(&case.operation, &case.request);
        match typed(&mut core, &case.operation, &case.request) {
            Some(answer) => {
                let answer = answer.unwrap_or_else(|e| panic!("{}: {e}", case.name));
                assert_eq!(Ok(answer), native, "{}", case.name);
                checked.insert(case.operation.clone());
            }
            None => assert!(
                native.is_err(),
                "{}: the request decodes natively",
                case.name
            ),
        }
    }
    let every: std::collections::BTreeSet<String> =
        facade::OPERATIONS.iter().map(|s| s.to_string()).collect();
    assert_eq!(checked, every, "operations without a shared vector");
}

fn source(text: String) -> ValidateRequest {
    ValidateRequest {
        input: SourceInput {
            source: text,
            format: Some(Format::Hcl),
            file_name: None,
        }
        .into(),
        strict: false,
        unset_variables_unknown: false,
    }
}

#[test]
fn a_refusal_is_the_core_s_diagnostic() {
    let mut core = sandbox().instantiate().unwrap_or_else(|e| panic!("{e}"));
    let refused = core
        .call("validate", r#"{"sauce": "x"}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let Err(d) = refused else {
        panic!("expected a refusal")
    };
    assert_eq!(d.code, kasm_plan_core::Code::InvalidRequest);
    let unknown = core.call("nope", "{}").unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(unknown, Err(d) if d.message.contains("unknown operation `nope`")));
}

#[test]
fn memory_cap_is_a_clear_error_not_a_crash() {
    // A 16 MiB source cannot even be copied into an instance capped at 8 MiB.
    let capped = sandbox().with_limits(Limits {
        memory: 8 << 20,
        ..Limits::default()
    });
    let mut core = capped.instantiate().unwrap_or_else(|e| panic!("{e}"));
    let Err(err) = core.validate(source(" ".repeat(16 << 20))) else {
        panic!("expected the memory cap to stop the call")
    };
    assert!(
        matches!(err, CoreError::Sandbox(SandboxError::MemoryLimit(m)) if m == 8 << 20),
        "a memory-limit error, got {err}"
    );
    assert!(err.to_string().contains("--max-memory"), "{err}");
    // A small input in a fresh instance still works: the host survived.
    let mut fresh = capped.instantiate().unwrap_or_else(|e| panic!("{e}"));
    let ok = fresh
        .validate(source(String::new()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ok.valid);
}

#[test]
fn time_cap_interrupts_long_work() {
    // Thousands of resources take far longer than 20 ms to check; the deadline stops the call.
    let capped = sandbox().with_limits(Limits {
        time: Duration::from_millis(20),
        ..Limits::default()
    });
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!("resource \"kasm_image\" \"r{i}\" {{\n  name = \"kasmweb/t:1\"\n  image_src = \"a.png\"\n  friendly_name = \"T\"\n}}\n"));
    }
    let mut core = capped.instantiate().unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let result = core.validate(source(text));
    assert!(
        matches!(result, Err(CoreError::Sandbox(SandboxError::TimeLimit(_)))),
        "expected the time cap to interrupt the call, got {result:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopped promptly: {:?}",
        started.elapsed()
    );
}

/// `validate` of an empty document through `call`, as JSON text.
fn call_validate(core: &mut Core) -> String {
    core.call("validate", r#"{"source": "{\"images\": {}}"}"#)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|d: Box<Diagnostic>| panic!("{}", d.message))
}

#[test]
fn the_cache_serves_a_stored_artifact_and_replaces_a_damaged_one() {
    let shared = sandbox();
    drop(shared.instantiate().unwrap_or_else(|e| panic!("{e}")));
    // Copy the shared artifact into a fresh directory: a hit, no compilation.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let probe = shared.wasmtime();
    let source = cache::artifact_path(probe, COMPONENT_DIGEST, &cache_dir());
    let copy = cache::artifact_path(probe, COMPONENT_DIGEST, dir.path());
    assert_eq!(source.file_name(), copy.file_name());
    std::fs::copy(&source, &copy).unwrap_or_else(|e| panic!("{e}"));
    let (loaded, how) =
        Sandbox::cached((COMPONENT, COMPONENT_DIGEST), Limits::default(), dir.path())
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(how, Cached::Hit(copy.clone()));
    let mut core = loaded.instantiate().unwrap_or_else(|e| panic!("{e}"));
    assert!(call_validate(&mut core).contains("\"valid\":true"));
    // A damaged artifact is not loaded: it is compiled again and replaced.
    drop((core, loaded));
    std::fs::write(&copy, b"not an artifact").unwrap_or_else(|e| panic!("{e}"));
    let (loaded, how) =
        Sandbox::cached((COMPONENT, COMPONENT_DIGEST), Limits::default(), dir.path())
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(how, Cached::Stored(copy.clone()));
    assert!(std::fs::metadata(&copy).map(|m| m.len()).unwrap_or(0) > 1000);
    let mut core = loaded.instantiate().unwrap_or_else(|e| panic!("{e}"));
    assert!(call_validate(&mut core).contains("\"valid\":true"));
}

#[test]
fn another_component_gets_its_own_artifact() {
    let probe = sandbox().wasmtime();
    let mut other = COMPONENT.to_vec();
    other.push(0);
    let dir = cache_dir();
    assert_ne!(
        cache::artifact_path(probe, COMPONENT_DIGEST, &dir),
        cache::artifact_path(probe, &cache::digest(&other), &dir)
    );
    // The digest build.rs computed is the embedded component's.
    assert_eq!(&cache::digest(COMPONENT), COMPONENT_DIGEST);
    // Another engine configuration is another key too.
    let plain = wasmtime::Engine::default();
    assert_ne!(
        cache::artifact_path(probe, COMPONENT_DIGEST, &dir),
        cache::artifact_path(&plain, COMPONENT_DIGEST, &dir)
    );
}

#[test]
fn typed_plan_takes_several_files() {
    use kasm_plan_core::facade::{Desired, PlanRequest};
    let mut core = sandbox().instantiate().unwrap_or_else(|e| panic!("{e}"));
    let file = |name: &str| SourceInput {
        source: std::fs::read_to_string(
            kasm_plan_vectors::repository().join("examples").join(name),
        )
        .unwrap_or_default(),
        format: None,
        file_name: Some(name.to_owned()),
    };
    let request = |sources: Vec<SourceInput>| PlanRequest {
        desired: Desired::Sources(Configuration {
            sources,
            variables: Vec::new(),
            workspace: None,
        }),
        state: Default::default(),
        observed: Vec::new(),
        access: None,
        strict: false,
        options: Default::default(),
        from_state: false,
        refresh_only: false,
        render: false,
    };
    let planned = core
        .plan(request(vec![file("images.tf"), file("images.json")]))
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
    let twice = core
        .plan(request(vec![file("images.tf"), file("images.tf")]))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!twice.ok);
    assert_eq!(twice.diagnostics.len(), 3);
    assert!(twice.diagnostics.iter().all(|d| {
        d.code == kasm_plan_core::Code::DuplicateAddress && d.file.as_deref() == Some("images.tf")
    }));
}

/// Hostile input reaches the component as request text: every fuzz seed of the
/// facade target, and junk, must end as an answer or a refusal, never a trap
/// or a host crash (the fuzz targets run the same bytes natively).
#[test]
fn hostile_requests_end_as_answers_or_refusals() {
    let mut core = sandbox().instantiate().unwrap_or_else(|e| panic!("{e}"));
    let mut seeds = kasm_plan_fuzz::seeds::of("facade").unwrap_or_else(|e| panic!("{e}"));
    seeds.extend([
        b"\x00".to_vec(),
        b"\x05{".to_vec(),
        b"\x03[[[[[[[[[[".to_vec(),
    ]);
    for seed in &seeds {
        let Some((&pick, request)) = seed.split_first() else {
            continue;
        };
        let operation = facade::OPERATIONS[usize::from(pick) % facade::OPERATIONS.len()];
        let text = String::from_utf8_lossy(request);
        let native = facade::call(operation, &text);
        let in_wasm = core
            .call(operation, &text)
            .unwrap_or_else(|e| panic!("{operation}: the component failed: {e}"));
        assert_eq!(in_wasm, native, "{operation}: {text}");
    }
    assert!(seeds.len() > 100, "{} seeds", seeds.len());
}

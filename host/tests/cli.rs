//! The `kasm-plan` binary, run as a process: every command, exit code and
//! error path.

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::{code, out, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    kasm_plan_vectors::repository()
}

fn example(name: &str) -> String {
    root().join("examples").join(name).display().to_string()
}

/// Runs the binary in `dir` with a shared compiled-component cache.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kasm-plan"))
        .args(args)
        .current_dir(dir)
        .env("KASM_PLAN_CACHE_DIR", common::cache_dir())
        .env_remove("KASM_PLAN_COMPONENT")
        .output()
        .unwrap_or_else(|e| panic!("cannot run kasm-plan: {e}"))
}

fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    path.display().to_string()
}

const BAD_TF: &str = r#"resource "kasm_image" "t" {
  name          = "kasmweb/terminal:1.18.0"
  image_src     = "img/thumbnails/terminal.png"
  friendly_name = "Terminal"
  memory        = 10
  cores         = "two"
  memry         = 5
}
"#;

const ONE_TF: &str = r#"resource "kasm_image" "t" {
  name          = "kasmweb/terminal:1.18.0"
  image_src     = "img/thumbnails/terminal.png"
  friendly_name = "Terminal"
  memory        = 2048
  cores         = 1
  docker_registry = "https://index.docker.io/v1/"
  docker_user     = "robot"
  docker_token    = "tok-9f8e7d6c5b4a"
}
"#;

#[test]
fn validate_accepts_the_examples() {
    let o = run(&["validate", &example("images.tf"), &example("images.json")]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("Success! The configuration is valid"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn validate_reports_every_problem_with_file_line_column_code_and_help() {
    let dir = temp();
    let bad = write(dir.path(), "bad.tf", BAD_TF);
    let o = run(&["validate", &bad]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    for expected in [
        "Error: memory is 10 MB; Kasm allows 256 to 256000 MB [memory_out_of_range]",
        &format!("--> {bad}:5:3 (kasm_image.t.memory)"),
        "   5 |   memory        = 10",
        &format!("--> {bad}:6:3 (kasm_image.t.cores)"),
        "[wrong_type]",
        &format!("--> {bad}:7:3"),
        "help: did you mean `memory`?",
        "The configuration is not valid: 3 errors, 0 warnings.",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}

#[test]
fn validate_json_lists_diagnostics_with_their_file() {
    let dir = temp();
    let bad = write(dir.path(), "bad.tf", BAD_TF);
    let o = run(&["validate", "--json", &bad]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"], 3);
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| d["code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        codes,
        ["memory_out_of_range", "wrong_type", "unknown_attribute"]
    );
    assert_eq!(v["diagnostics"][0]["file"], bad.as_str());
    assert_eq!(v["diagnostics"][0]["location"]["start"]["line"], 5);
}

#[test]
fn validate_formats_for_ci_say_the_same_findings() {
    let dir = temp();
    write(dir.path(), "bad.tf", BAD_TF);
    let github = run_in(dir.path(), &["validate", "--format", "github", "bad.tf"]);
    assert_eq!(code(&github), 1);
    let lines: Vec<String> = stdout(&github).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[0].starts_with("::error file=bad.tf,line=5,col=")
            && lines[0].contains("title=memory_out_of_range kasm_image."),
        "{}",
        lines[0]
    );
    assert!(lines.iter().all(|l| !l.contains('\n')), "one line each");
    let sarif = run_in(dir.path(), &["validate", "--format", "sarif", "bad.tf"]);
    assert_eq!(code(&sarif), 1);
    let log: Value = serde_json::from_str(&stdout(&sarif)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(log["version"], "2.1.0");
    let ids: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["ruleId"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        ids,
        ["memory_out_of_range", "wrong_type", "unknown_attribute"]
    );
    let junit = stdout(&run_in(
        dir.path(),
        &["validate", "--format", "junit", "bad.tf"],
    ));
    assert!(junit.contains("failures=\"1\""), "{junit}");
    let clean = run(&["validate", "--format", "sarif", &example("images.tf")]);
    assert_eq!(code(&clean), 0);
    let log: Value = serde_json::from_str(&stdout(&clean)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn validate_strict_fails_on_warnings() {
    let dir = temp();
    let latest = write(
        dir.path(),
        "latest.tf",
        &ONE_TF.replace(":1.18.0", ":latest"),
    );
    assert_eq!(code(&run(&["validate", &latest])), 0);
    let o = run(&["validate", "--strict", &latest]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("[image_tag_latest]"), "{}", stdout(&o));
}

#[test]
fn validate_treats_files_as_one_configuration() {
    let dir = temp();
    let a = write(dir.path(), "a.tf", ONE_TF);
    let b = write(dir.path(), "b.tf", ONE_TF);
    let o = run(&["validate", &a, &b]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains(&format!("--> {b}:1:1")), "{out}");
    assert!(out.contains(&format!("first in {a}")), "{out}");
}

#[test]
fn unreadable_and_malformed_inputs_name_the_file() {
    let dir = temp();
    let missing = dir.path().join("nope.tf").display().to_string();
    let o = run(&["validate", &missing]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!("Error: cannot read {missing}")),
        "{}",
        stderr(&o)
    );

    let broken = write(
        dir.path(),
        "broken.json",
        "{\"images\": {\"t\": {\"name\": }}}",
    );
    let o = run(&["validate", &broken]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains(&format!("--> {broken}:1:")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn usage_errors_exit_1_not_2() {
    // 2 means "changes" under --detailed-exitcode; a typo must not look like that.
    let o = run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(code(&run(&["frobnicate"])), 1);
    assert_eq!(code(&run(&["--help"])), 0);
}

fn example_plan(extra: &[&str]) -> Output {
    let mut args = vec![
        "plan",
        "examples/images.tf",
        "examples/images.json",
        "--observed",
        "examples/observed-images.json",
        "--state",
        "examples/state.json",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn plan_prints_each_change_like_terraform() {
    let o = example_plan(&[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    for expected in [
        "  # kasm_image.chrome will be updated in-place",
        "  ~ resource \"kasm_image\" \"chrome\" {",
        "      ~ memory = 2768 MB -> 4096 MB",
        "  # kasm_image.firefox will be created",
        "      + friendly_name = \"Firefox\"",
        "  # kasm_image.old_desktop will be destroyed",
        "  # (because kasm_image.old_desktop is not in the configuration)",
        "      - name                 = \"kasmweb/desktop:1.16.0\"",
        "Plan: 2 to add, 1 to change, 1 to destroy.",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    // Unchanged images are not listed.
    assert!(!out.contains("kasm_image.terminal"), "{out}");
}

#[test]
fn detailed_exitcode_is_2_with_changes_and_0_without() {
    assert_eq!(code(&example_plan(&["--detailed-exitcode"])), 2);
    let dir = temp();
    let empty = write(dir.path(), "none.json", r#"{"images": {}}"#);
    let observed = write(dir.path(), "observed.json", r#"{"images": []}"#);
    let o = run_in(
        dir.path(),
        &[
            "plan",
            &empty,
            "--observed",
            &observed,
            "--detailed-exitcode",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("No changes."), "{}", stdout(&o));
}

#[test]
fn saved_plan_shows_the_same_plan_and_terraform_json() {
    let dir = temp();
    let out = dir.path().join("plan.json").display().to_string();
    let planned = example_plan(&["--out", &out]);
    assert_eq!(code(&planned), 0, "{}", stderr(&planned));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(saved["kind"], "kasm-plan/saved-plan");
    assert_eq!(saved["plan"]["summary"]["add"], 2);
    assert_eq!(saved["sources"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        saved["sources"][0]["sha256"].as_str().map(str::len),
        Some(64)
    );

    let shown = run(&["show", &out]);
    assert_eq!(code(&shown), 0, "{}", stderr(&shown));
    // The rendering after the header is the plan's own.
    let plan_text = stdout(&planned);
    let plan_text = plan_text.split("\nSaved the plan").next().unwrap_or("");
    assert!(
        stdout(&shown).contains(plan_text),
        "{}\n---\n{plan_text}",
        stdout(&shown)
    );

    let json = run(&["show", "--json", &out]);
    assert_eq!(code(&json), 0, "{}", stderr(&json));
    let v: Value = serde_json::from_str(&stdout(&json)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["format_version"], "1.2");
    let actions: Vec<String> = v["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            format!(
                "{}:{}",
                c["address"].as_str().unwrap_or(""),
                c["change"]["actions"]
            )
        })
        .collect();
    assert!(
        actions.contains(&"kasm_image.firefox:[\"create\"]".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"kasm_image.terminal:[\"no-op\"]".to_owned()),
        "{actions:?}"
    );
    // plan --json prints the same document, but for when it was made.
    let direct = example_plan(&["--json"]);
    let mut direct: Value =
        serde_json::from_str(&stdout(&direct)).unwrap_or_else(|e| panic!("{e}"));
    let mut saved = v.clone();
    for doc in [&mut direct, &mut saved] {
        let stamp = doc
            .as_object_mut()
            .and_then(|o| o.remove("timestamp"))
            .unwrap_or_default();
        let stamp = stamp.as_str().unwrap_or("");
        assert!(
            stamp.len() == 20 && stamp.ends_with('Z') && stamp.get(10..11) == Some("T"),
            "an RFC 3339 UTC timestamp: {stamp:?}"
        );
    }
    assert_eq!(direct, saved);
}

#[test]
fn an_invalid_plan_writes_nothing() {
    let dir = temp();
    let bad = write(dir.path(), "bad.tf", BAD_TF);
    let out = dir.path().join("plan.json");
    let o = run(&[
        "plan",
        &bad,
        "--observed",
        &example("observed-images.json"),
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("[memory_out_of_range]"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("nothing was planned"), "{}", stderr(&o));
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path())
            .map(Iterator::count)
            .unwrap_or(0),
        1
    );
}

#[test]
fn bad_observed_and_state_files_are_named_with_their_position() {
    let dir = temp();
    let spec = write(dir.path(), "one.tf", ONE_TF);
    let out = dir.path().join("plan.json").display().to_string();
    let broken = write(
        dir.path(),
        "observed.json",
        "{\"images\": [\n  {\"image_id\": 5,}\n]}",
    );
    let o = run(&["plan", &spec, "--observed", &broken, "--out", &out]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!("{broken}:2:")),
        "{}",
        stderr(&o)
    );

    let wrong = write(
        dir.path(),
        "wrong.json",
        r#"[{"image_id": "a", "memory": "lots"}]"#,
    );
    let o = run(&["plan", &spec, "--observed", &wrong, "--out", &out]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!("{wrong}: images[0] is not a Kasm image")),
        "{}",
        stderr(&o)
    );

    let observed = write(dir.path(), "ok.json", "[]");
    let state = write(
        dir.path(),
        "state.json",
        "{\"version\": 1,\n \"serial\": \"x\"}",
    );
    let o = run(&[
        "plan",
        &spec,
        "--observed",
        &observed,
        "--state",
        &state,
        "--out",
        &out,
    ]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!("{state}:2:")),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("not a kasm-plan state"),
        "{}",
        stderr(&o)
    );
    assert!(!Path::new(&out).exists());
}

#[test]
fn secrets_never_reach_output_or_saved_plans() {
    let dir = temp();
    let spec = write(dir.path(), "one.tf", ONE_TF);
    let observed = write(dir.path(), "observed.json", "[]");
    let out = dir.path().join("plan.json").display().to_string();
    let human = run(&["plan", &spec, "--observed", &observed, "--out", &out]);
    assert_eq!(code(&human), 0, "{}", stderr(&human));
    assert!(
        stdout(&human).contains("+ docker_token    = (sensitive value)"),
        "{}",
        stdout(&human)
    );
    let json = run(&["plan", &spec, "--observed", &observed, "--json"]);
    let shown = run(&["show", &out]);
    let saved = std::fs::read_to_string(&out).unwrap_or_default();
    for text in [
        stdout(&human),
        stderr(&human),
        stdout(&json),
        stdout(&shown),
        saved,
    ] {
        assert!(
            !text.contains("tok-9f8e7d6c5b4a"),
            "the token leaked:\n{text}"
        );
    }
}

#[test]
fn images_filters_a_saved_list() {
    let all = run(&["images", "--from", &example("observed-images.json")]);
    assert_eq!(code(&all), 0, "{}", stderr(&all));
    assert!(stdout(&all).contains("3 image(s)."), "{}", stdout(&all));
    assert!(stdout(&all).contains("2 / 2768 MB"), "{}", stdout(&all));

    let o = run(&[
        "images",
        "--from",
        &example("observed-images.json"),
        "--name",
        "kasmweb/*:1.18.0",
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = v["images"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| i["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["kasmweb/terminal:1.18.0", "kasmweb/chrome:1.18.0"]);
    // Memory stays in bytes, as the server sends it.
    assert_eq!(v["images"][0]["memory"], 2_768_000_000_i64);

    // The JSON output is an image list `plan --observed` reads.
    let dir = temp();
    let saved = write(dir.path(), "images.json", &stdout(&o));
    let again = run(&["images", "--from", &saved, "--enabled", "false"]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(stdout(&again).contains("0 image(s)."), "{}", stdout(&again));

    let disabled = run(&[
        "images",
        "--from",
        &example("observed-images.json"),
        "--enabled",
        "false",
    ]);
    assert!(
        stdout(&disabled).contains("Old Desktop"),
        "{}",
        stdout(&disabled)
    );
    assert!(
        stdout(&disabled).contains("1 image(s)."),
        "{}",
        stdout(&disabled)
    );

    let bad = run(&[
        "images",
        "--from",
        &example("observed-images.json"),
        "--name",
        "kasmweb/[x",
    ]);
    assert_eq!(code(&bad), 1);
    assert!(stderr(&bad).contains("Error: --name:"), "{}", stderr(&bad));
}

#[test]
fn show_refuses_files_that_are_not_saved_plans() {
    let o = run(&["show", &example("state.json")]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("is not a saved plan"), "{}", stderr(&o));
}

#[test]
fn another_component_can_be_loaded_and_a_bad_one_is_refused() {
    let dir = temp();
    let missing = dir.path().join("missing.wasm").display().to_string();
    let o = run(&["--component", &missing, "validate", &example("images.tf")]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("cannot read the component"),
        "{}",
        stderr(&o)
    );

    let junk = write(dir.path(), "junk.wasm", "not wasm");
    let o = run(&["--component", &junk, "validate", &example("images.tf")]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!("cannot load the component {junk}")),
        "{}",
        stderr(&o)
    );

    let copy = dir.path().join("copy.wasm");
    std::fs::write(&copy, kasm_plan::COMPONENT).unwrap_or_else(|e| panic!("{e}"));
    let o = run(&[
        "--component",
        &copy.display().to_string(),
        "validate",
        &example("images.tf"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn limits_stop_hostile_inputs_with_a_clear_error() {
    let dir = temp();
    let mut many = String::new();
    for i in 0..20_000 {
        many.push_str(&format!(
            "resource \"kasm_image\" \"r{i}\" {{\n  name = \"kasmweb/t:1\"\n  image_src = \"a.png\"\n  friendly_name = \"T\"\n}}\n"
        ));
    }
    let big = write(dir.path(), "many.tf", &many);
    let o = run(&["--timeout", "0.02", "validate", &big]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("raise --timeout"), "{}", stderr(&o));

    let o = run(&["--max-memory", "2", "validate", &big]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("more than 2 MiB"), "{}", stderr(&o));

    let o = run(&["--timeout", "-1", "validate", &big]);
    assert_eq!(code(&o), 1);
}

const POLICY: &str = r#"{"rules": [
  {"id": "memory-cap", "check": "max_memory", "max_mb": 4096, "level": "soft-mandatory"},
  {"id": "describe", "check": "require_description", "level": "advisory"},
  {"id": "no-deletes", "check": "forbidden_actions", "actions": ["delete"]}
]}"#;

#[test]
fn policy_check_exits_0_1_or_3_and_names_rules_and_places() {
    let dir = temp();
    let policy = write(dir.path(), "policy.json", POLICY);
    let big = write(dir.path(), "big.tf", &ONE_TF.replace("2048", "8192"));
    let o = run(&["policy", "check", "--policy", &policy, &big]);
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("FAIL memory-cap (soft-mandatory) kasm_image.t.memory: memory is 8192 MB; at most 4096 MB is allowed"), "{out}");
    assert!(
        out.contains("FAIL describe (advisory) kasm_image.t.description"),
        "{out}"
    );
    assert!(out.contains("Result: blocked."), "{out}");
    // The soft rule overridden: allowed, and the override is said.
    let o = run(&[
        "policy",
        "check",
        "--policy",
        &policy,
        &big,
        "--override-policy",
        "memory-cap",
    ]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("Override: soft-mandatory rule `memory-cap`"),
        "{}",
        stdout(&o)
    );
    // JSON results.
    let o = run(&["policy", "check", "--policy", &policy, &big, "--json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["report"]["blocking"], true);
    assert_eq!(v["report"]["results"][0]["path"], "kasm_image.t.memory");
    // A broken policy file is an error (1), naming the file.
    let broken = write(
        dir.path(),
        "broken.json",
        r#"{"rules": [{"id": "x", "check": "max_ram"}]}"#,
    );
    let o = run(&["policy", "check", "--policy", &broken, &big]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{broken}: the policy cannot be read")),
        "{}",
        stderr(&o)
    );
}

#[test]
fn plan_with_a_policy_blocks_on_actions_and_saved_plans_can_be_checked() {
    let dir = temp();
    let policy = write(dir.path(), "policy.json", POLICY);
    let out = dir.path().join("plan.json").display().to_string();
    // The example plan destroys old_desktop: a hard-mandatory failure.
    let o = example_plan(&["--policy", &policy, "--override-policy", "memory-cap"]);
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("FAIL no-deletes (hard-mandatory) kasm_image.old_desktop"),
        "{}",
        stdout(&o)
    );
    assert!(stderr(&o).contains("a policy failed"), "{}", stderr(&o));
    // The same check on a saved plan.
    assert_eq!(code(&example_plan(&["--out", &out])), 0);
    let o = run(&[
        "policy",
        "check",
        "--policy",
        &policy,
        &out,
        "--override-policy",
        "memory-cap",
    ]);
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("FAIL no-deletes"), "{}", stdout(&o));
}

#[test]
fn rego_policies_run_and_a_runaway_one_is_stopped() {
    let dir = temp();
    let big = write(dir.path(), "big.tf", &ONE_TF.replace("2048", "8192"));
    let rego = write(
        dir.path(),
        "kasm.rego",
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n  some rc in input.resource_changes\n  rc.change.after.memory > 4096\n  msg := sprintf(\"%s: too much memory\", [rc.address])\n}\n",
    );
    let observed = write(dir.path(), "observed.json", "[]");
    let o = run(&[
        "policy",
        "check",
        "--policy",
        &rego,
        &big,
        "--observed",
        &observed,
    ]);
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains(&format!(
            "FAIL main.deny (hard-mandatory): kasm_image.t: too much memory [data.main.deny in {rego}]"
        )),
        "{}",
        stdout(&o)
    );
    // A policy that would run for ages: the interpreter's step budget stops it first...
    let text = kasm_plan_vectors::policy_source("policy-rego-runaway.json")
        .unwrap_or_else(|e| panic!("{e}"));
    let runaway = write(dir.path(), "runaway.rego", &text);
    let o = run(&["policy", "check", "--policy", &runaway, &big]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("ran more than 4000000 steps, and `data.main.deny` was stopped"),
        "{}",
        stderr(&o)
    );
    // ...and with the budget raised out of reach, the host's time cap.
    let started = std::time::Instant::now();
    let o = run(&[
        "--timeout",
        "1",
        "policy",
        "check",
        "--policy-max-steps",
        "1000000000000",
        "--policy",
        &runaway,
        &big,
    ]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("ran longer than 1s"), "{}", stderr(&o));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// A policy set as a folder: `policies.hcl` gives a Rego query its id and a
/// soft-mandatory level, so it blocks until the run overrides it by that id.
#[test]
fn a_policy_folder_sets_rego_levels_and_soft_failures_can_be_overridden() {
    let dir = temp();
    let set = dir.path().join("policies");
    std::fs::create_dir(&set).unwrap_or_else(|e| panic!("{e}"));
    write(
        &set,
        "policies.hcl",
        "policy \"memory\" {\n  query             = \"data.kasm.deny\"\n  enforcement_level = \"soft-mandatory\"\n}\n",
    );
    let rego = write(
        &set,
        "kasm.rego",
        "package kasm\n\nimport rego.v1\n\ndeny contains {\"msg\": \"too much memory\", \"address\": rc.address} if {\n  some rc in input.resource_changes\n  rc.change.after.memory > 4096\n}\n",
    );
    write(&set, "notes.txt", "not a policy");
    let big = write(dir.path(), "big.tf", &ONE_TF.replace("2048", "8192"));
    let observed = write(dir.path(), "observed.json", "[]");
    let folder = set.display().to_string();
    let check = |extra: &[&str]| {
        let mut args = vec![
            "policy",
            "check",
            "--policy",
            &folder,
            &big,
            "--observed",
            &observed,
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let o = check(&[]);
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains(&format!(
            "FAIL memory (soft-mandatory) kasm_image.t: too much memory [data.kasm.deny in {rego}]"
        )),
        "{}",
        stdout(&o)
    );
    let o = check(&["--override-policy", "memory", "--json"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let answer: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
    assert_eq!(
        answer["report"]["overridden"],
        serde_json::json!(["memory"])
    );
    assert_eq!(answer["report"]["results"][0]["overridden"], true);
    assert_eq!(answer["report"]["results"][0]["query"], "data.kasm.deny");
    // A folder without policy files is an error, not an empty pass.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap_or_else(|e| panic!("{e}"));
    let o = run(&[
        "policy",
        "check",
        "--policy",
        &empty.display().to_string(),
        &big,
    ]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("holds no policy file"),
        "{}",
        stderr(&o)
    );
}

/// The example policy set passes the example specs, but blocks the example
/// plan's delete (soft-mandatory, from `policies.hcl`) until it is overridden.
#[test]
fn the_example_policy_set_blocks_the_example_delete_until_overridden() {
    let policies = example("policies");
    let o = example_plan(&["--policy", &policies]);
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("FAIL no-deletes (soft-mandatory) kasm_image.old_desktop"),
        "{}",
        stdout(&o)
    );
    let o = example_plan(&["--policy", &policies, "--override-policy", "no-deletes"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("OVERRIDDEN no-deletes"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("Result: allowed."), "{}", stdout(&o));
    // A mistyped override is pointed out, and overrides nothing.
    let o = example_plan(&["--policy", &policies, "--override-policy", "no-delete"]);
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("the override `no-delete` names no rule"),
        "{}",
        stderr(&o)
    );
}

/// `plan --json --policy` prints one JSON document: the plan JSON with the
/// policy report beside Terraform's keys, and still exits 3 when it blocks.
#[test]
fn plan_json_with_a_policy_stays_one_json_document() {
    let o = example_plan(&["--json", "--policy", &example("policies")]);
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}\n{}", stdout(&o)));
    assert!(json["resource_changes"].is_array());
    assert_eq!(json["policy_report"]["blocking"], true);
    let failed: Vec<&str> = json["policy_report"]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["passed"] == false)
        .filter_map(|r| r["rule"].as_str())
        .collect();
    assert_eq!(failed, ["no-deletes"]);
}

#[test]
fn a_closed_output_pipe_ends_quietly() {
    let dir = temp();
    let images: Vec<serde_json::Value> = (0..3000)
        .map(|i| serde_json::json!({"image_id": format!("{i:032x}"), "name": format!("kasmweb/app-{i}:1.18.0"), "friendly_name": format!("App {i}")}))
        .collect();
    let list = write(
        dir.path(),
        "images.json",
        &serde_json::json!({ "images": images }).to_string(),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_kasm-plan"))
        .args(["images", "--from", &list])
        .env("KASM_PLAN_CACHE_DIR", common::cache_dir())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // The reader goes away at once, as `| head -0` would.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(matches!(code(&o), 0 | 141), "exit {}", code(&o));
}

/// A Conftest policy written before OPA 1.0, with an exception and a YAML
/// data file, runs unchanged; `--rego-version v1` refuses it with the reason.
#[test]
fn conftest_policies_run_unchanged_with_their_data_and_exceptions() {
    let dir = temp();
    let d = dir.path();
    write(
        d,
        "images.tf",
        "resource \"kasm_image\" \"good\" {\n  name = \"kasmweb/terminal:1.18.0\"\n  image_src = \"img/t.png\"\n  friendly_name = \"Terminal\"\n}\nresource \"kasm_image\" \"pinned\" {\n  name = \"docker.io/someone/tool:2.0\"\n  image_src = \"img/t.png\"\n  friendly_name = \"Tool\"\n}\n",
    );
    write(
        d,
        "registries.yaml",
        "registries:\n  - kasmweb/\n  - registry.example.com/\n",
    );
    write(
        d,
        "policy.rego",
        "package main\n\ndeny_registry[msg] {\n  spec := input.specs[name]\n  not allowed(spec.name)\n  msg := sprintf(\"%s is not from an allowed registry\", [spec.name])\n}\n\nallowed(image) {\n  startswith(image, data.registries[_])\n}\n\nexception[rules] {\n  input.specs.pinned.name == \"docker.io/someone/tool:2.0\"\n  rules := [\"nothing\"]\n}\n",
    );
    let check = |extra: &[&str]| {
        let args = [
            "policy",
            "check",
            "--policy",
            "policy.rego",
            "--data",
            "registries.yaml",
        ];
        run_in(d, &[&args[..], extra, &["images.tf"]].concat())
    };
    let o = check(&[]);
    assert_eq!(code(&o), 3, "{}", out(&o));
    assert!(
        stdout(&o).contains("docker.io/someone/tool:2.0 is not from an allowed registry"),
        "{}",
        out(&o)
    );
    // The exception names another rule: this one still blocks. Naming it excepts it.
    write(
        d,
        "policy.rego",
        &std::fs::read_to_string(d.join("policy.rego"))
            .unwrap_or_default()
            .replace("[\"nothing\"]", "[\"registry\"]"),
    );
    let o = check(&[]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = check(&["--rego-version", "v1"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("`if` keyword is required"),
        "{}",
        out(&o)
    );
}

/// Completion scripts and the manual page come from the CLI's definition:
/// every command is in them, the bash script parses, and groff renders the
/// page without a warning.
#[test]
fn completions_and_the_manual_page_cover_every_command() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = run(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}: {}", out(&o));
        for command in ["validate", "plan", "apply", "adopt", "workspace", "groups"] {
            assert!(stdout(&o).contains(command), "{shell} lacks {command}");
        }
    }
    let bash = run(&["completions", "bash"]);
    let mut check = std::process::Command::new("bash")
        .arg("-n")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(stdin) = check.stdin.as_mut() {
        std::io::Write::write_all(stdin, &bash.stdout).unwrap_or_else(|e| panic!("{e}"));
    }
    let status = check.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        status.success(),
        "the bash completion script does not parse"
    );

    let page = run(&["man"]);
    assert_eq!(code(&page), 0, "{}", out(&page));
    assert!(stdout(&page).starts_with(".ie"), "{}", out(&page));
    assert!(stdout(&page).contains(".TH kasm-plan 1"));
    let mut groff = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("groff (apt-get install groff-base): {e}"));
    if let Some(stdin) = groff.stdin.as_mut() {
        std::io::Write::write_all(stdin, &page.stdout).unwrap_or_else(|e| panic!("{e}"));
    }
    let rendered = groff.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(rendered.status.success());
    assert_eq!(String::from_utf8_lossy(&rendered.stderr), "", "groff warns");
}

#[test]
fn fmt_checks_diffs_rewrites_and_reads_standard_input() {
    let examples = root().join("examples");
    let examples = examples.to_string_lossy();
    let clean = run(&["fmt", "-check", "-recursive", &examples]);
    assert_eq!(code(&clean), 0, "{}", out(&clean));
    assert_eq!(stdout(&clean), "");

    let dir = temp();
    let messy = "resource \"kasm_image\" \"t\" {\nname=\"kasmweb/terminal:1.18.0\" # pulled\n      friendly_name = \"Terminal\"\n  image_src=\"img/t.png\"\n}\n";
    let tidy = "resource \"kasm_image\" \"t\" {\n  name          = \"kasmweb/terminal:1.18.0\" # pulled\n  friendly_name = \"Terminal\"\n  image_src     = \"img/t.png\"\n}\n";
    let file = write(dir.path(), "main.tf", messy);
    write(dir.path(), "notes.txt", "left alone");
    let check = run_in(dir.path(), &["fmt", "-check", "-diff"]);
    assert_eq!(code(&check), 3, "{}", out(&check));
    assert!(
        stdout(&check).contains("main.tf\n--- old/main.tf\n+++ new/main.tf"),
        "{}",
        stdout(&check)
    );
    assert!(stdout(&check).contains("+  name          = \"kasmweb/terminal:1.18.0\" # pulled"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap_or_default(),
        messy,
        "-check writes nothing"
    );

    let rewrite = run_in(dir.path(), &["fmt"]);
    assert_eq!(
        (code(&rewrite), stdout(&rewrite)),
        (0, "main.tf\n".to_owned())
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap_or_default(), tidy);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap_or_default(),
        "left alone"
    );
    let again = run_in(dir.path(), &["fmt", "-check"]);
    assert_eq!(code(&again), 0);

    let mut child = Command::new(env!("CARGO_BIN_EXE_kasm-plan"))
        .args(["fmt", "-"])
        .env("KASM_PLAN_CACHE_DIR", common::cache_dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin
            .write_all(messy.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let piped = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((code(&piped), stdout(&piped)), (0, tidy.to_owned()));

    let broken = write(
        dir.path(),
        "broken.tf",
        "resource \"kasm_image\" \"t\" {\n  name = \n",
    );
    let refused = run(&["fmt", &broken]);
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).contains("syntax_error"),
        "{}",
        out(&refused)
    );
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap_or_default(),
        "resource \"kasm_image\" \"t\" {\n  name = \n"
    );
}

#[test]
fn validate_needs_no_variable_values_but_plan_does() {
    let dir = temp();
    write(
        dir.path(),
        "main.tf",
        "variable \"token\" {\n  type      = string\n  sensitive = true\n}\nvariable \"memory\" {\n  type = number\n}\nresource \"kasm_image\" \"t\" {\n  name          = \"registry.example.com/team/t:1.0\"\n  friendly_name = \"T\"\n  image_src     = \"img/t.png\"\n  memory        = var.memory\n  docker_registry = \"https://registry.example.com\"\n  docker_user     = \"ci\"\n  docker_token    = var.token\n}\n",
    );
    // As `terraform validate`: unset values are unknown, not errors.
    let o = run_in(dir.path(), &["validate"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    // What is checked still is: a wrong literal beside the unknown values.
    let text = std::fs::read_to_string(dir.path().join("main.tf")).unwrap_or_default();
    write(
        dir.path(),
        "main.tf",
        &text.replace("\"img/t.png\"", "\"\""),
    );
    let o = run_in(dir.path(), &["validate"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(!stdout(&o).contains("missing_variable"), "{}", out(&o));
    write(dir.path(), "main.tf", &text);
    // A plan needs every value, and says which is missing, where.
    let o = run_in(
        dir.path(),
        &["plan", "--observed", &example("observed-images.json")],
    );
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("[missing_variable]") && stderr(&o).contains("main.tf:1:1"),
        "{}",
        out(&o)
    );
}

#[test]
fn version_and_quick_fixes_in_text() {
    let o = run(&["version"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).starts_with(&format!("kasm-plan v{}\n", env!("CARGO_PKG_VERSION"))),
        "{}",
        out(&o)
    );
    let o = run(&["version", "-json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["kasm_plan_version"], env!("CARGO_PKG_VERSION"));
    assert!(
        v["state_format"].is_u64() && v["plan_format"].is_u64(),
        "{v}"
    );
    // The text output shows the fix the editor and --json offer.
    let dir = temp();
    write(
        dir.path(),
        "main.tf",
        "resource \"kasm_image\" \"t\" {\n  name          = \"kasmweb/terminal:1.18.0\"\n  image_src     = \"img/t.png\"\n  friendly_name = \"T\"\n  memroy        = 2768\n}\n",
    );
    let o = run_in(dir.path(), &["validate"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stdout(&o).contains("  fix: Rename to `memory`"),
        "{}",
        out(&o)
    );
}

//! Configurations as Terraform reads them, through the binary: a directory
//! (the current one by default), variable values from the environment,
//! tfvars files and the command line in Terraform's precedence, and saved
//! plans that keep variable values out of the file.

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::{code, stderr, stdout};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kasm-plan"));
    cmd.args(args)
        .current_dir(dir)
        .env("KASM_PLAN_CACHE_DIR", common::cache_dir())
        .env_remove("KASM_PLAN_COMPONENT");
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("TF_VAR_")) {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run kasm-plan: {e}"))
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{e}"));
}

const VARIABLES: &str = r#"variable "memory" {
  type = number
  validation {
    condition     = var.memory >= 256
    error_message = "Kasm needs at least 256 MB."
  }
}
variable "token" {
  type      = string
  sensitive = true
  default   = "tok-0a1b2c3d"
}
variable "browsers" {
  type    = set(string)
  default = ["chrome", "firefox"]
}
"#;

const IMAGES: &str = r#"resource "kasm_image" "browser" {
  for_each        = var.browsers
  name            = "kasmweb/${each.key}:1.18.0"
  image_src       = "img/thumbnails/${each.key}.png"
  friendly_name   = title(each.key)
  memory          = var.memory
  docker_registry = "https://index.docker.io/v1/"
  docker_user     = "robot"
  docker_token    = var.token
}
"#;

/// A directory holding the configuration, with an empty image list beside it.
fn configuration() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "variables.tf", VARIABLES);
    write(dir.path(), "images.tf", IMAGES);
    write(dir.path(), "README.md", "not configuration");
    write(dir.path(), "observed.json", r#"{"images": []}"#);
    dir
}

/// The memory each planned instance gets, from `plan --json`.
fn planned_memory(o: &Output) -> Vec<(String, i64)> {
    let json: Value =
        serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)));
    json["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["address"].as_str().unwrap_or("").to_owned(),
                c["change"]["after"]["memory"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

#[test]
fn the_current_directory_is_the_configuration_and_a_missing_variable_is_named() {
    let dir = configuration();
    // validate needs no values (as terraform validate); a plan names the missing one.
    let o = run_in(dir.path(), &["validate"], &[]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let o = run_in(dir.path(), &["plan", "--observed", "observed.json"], &[]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("variable `memory` has no value"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("variables.tf:1:1"), "{}", stderr(&o));
    let o = run_in(dir.path(), &["validate", "."], &[("TF_VAR_memory", "2048")]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    // A named directory works from elsewhere.
    let parent = dir.path().parent().unwrap_or(dir.path());
    let name = dir.path().display().to_string();
    let o = run_in(parent, &["validate", &name], &[("TF_VAR_memory", "2048")]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    // A directory without configuration files is a clear error.
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let o = run_in(empty.path(), &["validate"], &[]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("holds no configuration files"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn variable_values_follow_terraforms_precedence() {
    let dir = configuration();
    let plan = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["plan", "--observed", "observed.json", "--json"];
        all.extend_from_slice(args);
        let o = run_in(dir.path(), &all, env);
        assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
        planned_memory(&o)
    };
    let env = [("TF_VAR_memory", "1000")];
    assert_eq!(plan(&[], &env)[0].1, 1000, "the environment");
    write(dir.path(), "terraform.tfvars", "memory = 2000\n");
    assert_eq!(
        plan(&[], &env)[0].1,
        2000,
        "terraform.tfvars over the environment"
    );
    write(dir.path(), "terraform.tfvars.json", r#"{"memory": 3000}"#);
    assert_eq!(
        plan(&[], &env)[0].1,
        3000,
        "terraform.tfvars.json over terraform.tfvars"
    );
    write(dir.path(), "a.auto.tfvars", "memory = 4000\n");
    write(dir.path(), "b.auto.tfvars.json", r#"{"memory": 5000}"#);
    assert_eq!(plan(&[], &env)[0].1, 5000, "*.auto.tfvars in lexical order");
    write(dir.path(), "late.tfvars", "memory = 7000\n");
    // Terraform's single-dash flags, in command-line order: the last wins.
    assert_eq!(
        plan(&["-var", "memory=6000", "-var-file", "late.tfvars"], &env)[0].1,
        7000
    );
    assert_eq!(
        plan(&["-var-file=late.tfvars", "--var", "memory=6000"], &env)[0].1,
        6000
    );
    let all = plan(&["--var", "browsers=[\"edge\"]"], &env);
    assert_eq!(all, vec![("kasm_image.browser[\"edge\"]".to_owned(), 5000)]);
}

#[test]
fn bad_values_are_errors_naming_where_they_came_from() {
    let dir = configuration();
    let o = run_in(dir.path(), &["validate", "--var", "memory=lots"], &[]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("from -var memory"), "{}", stdout(&o));
    let o = run_in(dir.path(), &["validate", "--var", "memory=100"], &[]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("Kasm needs at least 256 MB."),
        "{}",
        stdout(&o)
    );
    let o = run_in(
        dir.path(),
        &["validate", "--var", "memory=512", "--var", "memroy=1"],
        &[],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("did you mean `memory`?"),
        "{}",
        stdout(&o)
    );
    let o = run_in(dir.path(), &["validate", "--var", "memory"], &[]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("expected NAME=VALUE"), "{}", stderr(&o));
    write(dir.path(), "terraform.tfvars", "memory = 512\nunused = 1\n");
    let o = run_in(dir.path(), &["validate"], &[]);
    assert_eq!(
        code(&o),
        0,
        "an undeclared value in a file is a warning: {}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("terraform.tfvars:2"), "{}", stdout(&o));
}

#[test]
fn a_saved_plan_keeps_variable_values_out_and_needs_the_same_ones_to_apply() {
    let dir = configuration();
    let o = run_in(
        dir.path(),
        &[
            "plan",
            "--observed",
            "observed.json",
            "--var",
            "memory=2048",
            "--out",
            "plan.json",
        ],
        &[],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let saved = std::fs::read_to_string(dir.path().join("plan.json")).unwrap_or_default();
    assert!(
        !saved.contains("tok-0a1b2c3d"),
        "the sensitive default is not in the plan"
    );
    assert!(
        saved.contains("\"argument\""),
        "the --var is recorded by digest: {saved}"
    );
    assert!(!saved.contains("\"2048\""), "the --var value itself is not");
    let o = run_in(
        dir.path(),
        &["policy", "check", "plan.json", "--policy", "missing.json"],
        &[],
    );
    assert!(stderr(&o).contains("--var memory"), "{}", stderr(&o));
    let o = run_in(
        dir.path(),
        &[
            "policy",
            "check",
            "plan.json",
            "--var",
            "memory=4096",
            "--policy",
            "missing.json",
        ],
        &[],
    );
    assert!(stderr(&o).contains("give the same value"), "{}", stderr(&o));
}

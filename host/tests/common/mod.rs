//! Helpers the CLI test files share: reading a finished process and the
//! compiled-component cache they all use.

// Each test file compiles this module and uses only part of it.
#![allow(dead_code)]

pub mod http_backend;
pub mod kasm;
pub mod postgres;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The cache every test shares, so the component is compiled once.
pub fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("kasm-plan-cache")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A finished process, for assertion messages.
pub fn out(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// `n` images named App 0..n, with `memory` MB each.
pub fn specs(n: usize, memory: u32) -> String {
    (0..n)
        .map(|i| {
            format!(
                "resource \"kasm_image\" \"app_{i}\" {{\n  name = \"kasmweb/app-{i}:1.18.0\"\n  image_src = \"img/app.png\"\n  friendly_name = \"App {i}\"\n  memory = {memory}\n  cores = 1\n}}\n"
            )
        })
        .collect()
}

/// Starts every command at once, then waits for each: runs racing for the
/// same lock or the same first write.
pub fn together(commands: impl IntoIterator<Item = Command>) -> Vec<Output> {
    let running: Vec<_> = commands
        .into_iter()
        .map(|mut c| {
            c.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    running
        .into_iter()
        .map(|r| r.wait_with_output().unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// Runs a prepared command to its end.
pub fn output(c: &mut Command) -> Output {
    c.output().unwrap_or_else(|e| panic!("{e}"))
}

/// A state file's records by type, as the engine reads them (format 1 or
/// 2): `resources` (images), `groups` and `links` (typed), and `objects`
/// (the other table-driven types) by address, and each instance's `dependencies`. Null when the text is not a state.
pub fn by_type(text: &str) -> serde_json::Value {
    let Ok(state) = kasm_plan_core::state::format::decode(text) else {
        return serde_json::Value::Null;
    };
    let groups: std::collections::BTreeMap<&String, _> = state.groups().collect();
    let links: std::collections::BTreeMap<&String, _> = state.links().collect();
    let images: std::collections::BTreeMap<&String, _> = state
        .images()
        .map(|(address, r)| {
            let mut image = serde_json::json!({"image_id": r.id, "attributes": r.attributes});
            if r.prevent_destroy {
                image["prevent_destroy"] = true.into();
            }
            (address, image)
        })
        .collect();
    let objects: std::collections::BTreeMap<&String, _> = state
        .objects
        .iter()
        .filter(|(address, _)| {
            ["kasm_image.", "kasm_group.", "kasm_group_image."]
                .iter()
                .all(|t| !address.starts_with(t))
        })
        .collect();
    serde_json::json!({
        "version": state.version,
        "serial": state.serial,
        "lineage": state.lineage,
        "resources": images,
        "groups": groups,
        "links": links,
        "objects": objects,
        "history": state.history,
        "outputs": state.outputs,
        "dependencies": state.dependencies,
        "pending": state.pending,
    })
}

/// The text format 1 wrote for the records of a [`by_type`] view: what
/// users of an older kasm-plan have.
pub fn format_1(view: &serde_json::Value) -> String {
    let v1 = serde_json::json!({
        "version": 1,
        "serial": view["serial"],
        "lineage": view["lineage"],
        "resources": view["resources"],
        "groups": view["groups"],
        "links": view["links"],
    });
    serde_json::to_string_pretty(&v1).unwrap_or_default() + "\n"
}

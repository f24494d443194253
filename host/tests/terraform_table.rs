//! docs/cli.md's "Coming from Terraform" table, run: every row marked
//! `works` is one command of a session in a fresh directory against the
//! simulator, in the table's order, and must exit as the table says.

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::kasm::Kasm;
use common::{code, out};
use serde_json::Value;
use std::collections::BTreeMap;

/// One `works` row: the command line and the exit it must return.
struct Row {
    command: String,
    exit: i32,
}

/// The rows of the table under "## Coming from Terraform" marked `works`.
fn rows(doc: &str) -> Vec<Row> {
    let section = doc
        .split("## Coming from Terraform")
        .nth(1)
        .unwrap_or_else(|| panic!("docs/cli.md has no \"Coming from Terraform\" section"));
    let table = section.split("\n## ").next().unwrap_or_default();
    table
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split(" | ").map(str::trim).collect();
            let [_, command, status, exit] = cells.as_slice() else {
                return None;
            };
            (*status == "works").then(|| Row {
                command: first_code(command)
                    .unwrap_or_else(|| panic!("a works row without a command: {line}")),
                exit: exit
                    .trim_end_matches('|')
                    .trim()
                    .parse()
                    .unwrap_or_else(|e| panic!("{line}: exit: {e}")),
            })
        })
        .collect()
}

/// The first `code span` of a cell.
fn first_code(cell: &str) -> Option<String> {
    let start = cell.find('`')? + 1;
    let len = cell.get(start..)?.find('`')?;
    cell.get(start..start + len).map(str::to_owned)
}

/// Every id the state has recorded so far, by address: an image's, a
/// group's, and a link's `group_id:image_id` (as `import` takes them).
fn remember_ids(k: &Kasm, ids: &mut BTreeMap<String, String>) {
    let Ok(text) = std::fs::read_to_string(k.path("kasm-plan.state.json")) else {
        return;
    };
    let state: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    for entry in state["resources"].as_array().into_iter().flatten() {
        let text = |key: &str| entry[key].as_str().unwrap_or_default().to_owned();
        ids.insert(text("address"), text("id"));
    }
}

/// `ID(kasm_image.x)` → the id recorded for it.
fn with_ids(word: &str, ids: &BTreeMap<String, String>) -> String {
    match word.strip_prefix("ID(").and_then(|w| w.strip_suffix(')')) {
        Some(address) => ids
            .get(address)
            .unwrap_or_else(|| panic!("no id recorded for {address}"))
            .clone(),
        None => word.to_owned(),
    }
}

#[test]
fn every_row_that_works_runs_as_documented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let doc = std::fs::read_to_string(root.join("docs/cli.md")).unwrap_or_else(|e| panic!("{e}"));
    let config = std::fs::read_to_string(root.join("host/tests/terraform_table.tf"))
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = rows(&doc);
    assert!(rows.len() >= 30, "only {} rows say works", rows.len());
    let k = Kasm::start();
    k.write("main.tf", &config);
    k.write("session.tfvars", "memory = 3072\n");
    let mut ids = BTreeMap::new();
    for row in &rows {
        remember_ids(&k, &mut ids);
        let words: Vec<String> = row
            .command
            .split_whitespace()
            .map(|w| with_ids(w, &ids))
            .collect();
        assert_eq!(
            words.first().map(String::as_str),
            Some("kasm-plan"),
            "{}",
            row.command
        );
        let args: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
        let o = k.run(&args);
        assert_eq!(code(&o), row.exit, "`{}`\n{}", row.command, out(&o));
    }
}

//! The examples applied on the simulator, as the demo applies them, against
//! golden files (`tests/golden/host/`): the plan each prints first and the
//! state each leaves. Ids Kasm makes, the lineage, serial and times are replaced by
//! placeholders; everything else must stay byte for byte, so a refactor of
//! the engine shows every answer it changes. `KASM_PLAN_BLESS=1` rewrites
//! the files; a commit that does so names them.

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::kasm::Kasm;
use common::{code, out, stdout};
use regex_lite::Regex;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Kasm's ids (32 hex digits, with or without hyphens), numbered by first
/// appearance; the lineage and times as placeholders.
struct Placeholders {
    ids: BTreeMap<String, usize>,
    id: Regex,
    time: Regex,
}

impl Placeholders {
    fn new() -> Self {
        Placeholders {
            ids: BTreeMap::new(),
            id: Regex::new(r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b")
                .unwrap_or_else(|e| panic!("{e}")),
            time: Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
                .unwrap_or_else(|e| panic!("{e}")),
        }
    }

    fn text(&mut self, text: &str) -> String {
        let timeless = self.time.replace_all(text, "<time>").into_owned();
        let mut out = String::new();
        let mut last = 0;
        for m in self.id.find_iter(&timeless) {
            let canonical = m.as_str().replace('-', "");
            let next = self.ids.len() + 1;
            let n = *self.ids.entry(canonical).or_insert(next);
            out.push_str(&timeless[last..m.start()]);
            out.push_str(&format!("<id {n}>"));
            last = m.end();
        }
        out.push_str(&timeless[last..]);
        out
    }

    fn state(&mut self, mut state: Value) -> Value {
        state["lineage"] = json!("<lineage>");
        // How many writes an apply makes depends on how its actions finish
        // together (group commit): at least one.
        assert!(state["serial"].as_u64().is_some_and(|n| n >= 1), "{state}");
        state["serial"] = json!("<serial>");
        let text = serde_json::to_string_pretty(&state).unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_str(&self.text(&text)).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Plans and applies one example, copied into its own directory with its own
/// state (so no path of this machine shows), and checks that a second plan
/// has nothing to do.
fn scenario(k: &Kasm, name: &str, files: &[&str]) -> Value {
    let dir = k.path(name);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut args = vec![format!("-chdir={name}")];
    for file in files {
        let from = root().join(file);
        let base = from
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        std::fs::copy(&from, dir.join(&base)).unwrap_or_else(|e| panic!("{file}: {e}"));
        // Variables files are read from the directory, as Terraform reads them.
        if !base.ends_with(".tfvars") {
            args.push(base);
        }
    }
    let run = |verb: &str, extra: &[&str]| {
        let mut words: Vec<&str> = vec![&args[0], verb];
        words.extend(args[1..].iter().map(String::as_str));
        words.extend(extra);
        k.run(&words)
    };
    let planned = run("plan", &[]);
    assert_eq!(code(&planned), 0, "{}", out(&planned));
    let applied = run("apply", &["--auto-approve"]);
    assert_eq!(code(&applied), 0, "{}", out(&applied));
    let again = run("plan", &["--detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}", out(&again));
    let text =
        std::fs::read_to_string(dir.join("kasm-plan.state.json")).unwrap_or_else(|e| panic!("{e}"));
    let mut placeholders = Placeholders::new();
    let plan: Vec<String> = placeholders
        .text(&stdout(&planned))
        .lines()
        .map(str::to_owned)
        .collect();
    let state = placeholders.state(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}")));
    json!({ "plan": plan, "state": state })
}

#[test]
fn the_examples_apply_to_their_golden_plans_and_states() {
    let k = Kasm::start();
    let bless = std::env::var_os("KASM_PLAN_BLESS").is_some();
    let mut differ = Vec::new();
    for (name, paths) in [
        (
            "images",
            &["examples/images.tf", "examples/images.json"][..],
        ),
        ("seed", &["examples/seed.tf"][..]),
        (
            "workspaces",
            &[
                "examples/workspaces/main.tf",
                "examples/workspaces/variables.tf",
                "examples/workspaces/terraform.tfvars",
            ][..],
        ),
        ("authorization", &["examples/authorization/main.tf"][..]),
    ] {
        let answer = scenario(&k, name, paths);
        let file = root().join(format!("tests/golden/host/{name}.json"));
        let fresh = serde_json::to_string_pretty(&answer).unwrap_or_else(|e| panic!("{e}")) + "\n";
        if bless {
            std::fs::create_dir_all(file.parent().unwrap_or(&root()))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(&file, &fresh).unwrap_or_else(|e| panic!("{e}"));
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(fresh.as_str()) {
            differ.push(format!("{name}:\n{fresh}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} scenario(s) differ from tests/golden/host/ (if meant, run with KASM_PLAN_BLESS=1 and name them in the commit):\n{}",
        differ.len(),
        differ.join("\n")
    );
}

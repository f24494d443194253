//! `Changes to Outputs:` against the real thing: each case of
//! `tests/terraform/output-changes.txt` is an output's value before and
//! after; the Terraform binary on PATH applies the values before and plans
//! the values after (a configuration without resources plans offline), and
//! kasm-plan's rendered plan must show the same lines; then the values after
//! must print as `terraform output` prints them. Where no `terraform` is on
//! PATH the tests say loudly that they compared nothing.

#![allow(clippy::panic, clippy::indexing_slicing)] // test code: a failure should stop the test

use kasm_plan_core::facade::{self, Desired, PlanRequest, SourceInput};
use kasm_plan_core::lang::{eval, hcl};
use kasm_plan_core::state::StateOutput;
use kasm_plan_core::{Plan, Secret, State};
use serde_json::Value;
use std::process::Command;

/// One output's case.
struct Case {
    name: String,
    sensitive: bool,
    before: Option<String>,
    after: Option<String>,
}

fn read() -> Vec<Case> {
    let path = kasm_plan_vectors::repository().join("tests/terraform/output-changes.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let side = |s: &str| (s.trim() != "-").then(|| s.trim().to_owned());
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (head, change) = line
                .split_once(": ")
                .unwrap_or_else(|| panic!("{line}: no `: `"));
            let (before, after) = change
                .split_once(" => ")
                .unwrap_or_else(|| panic!("{line}: no ` => `"));
            let mut words = head.split_whitespace();
            Case {
                name: words
                    .next()
                    .unwrap_or_else(|| panic!("{line}: no name"))
                    .to_owned(),
                sensitive: words.next() == Some("sensitive"),
                before: side(before),
                after: side(after),
            }
        })
        .collect()
}

/// kasm-plan's value of an expression, as JSON.
fn value(expr: &str) -> Value {
    let parsed = hcl::parse_expr(expr).unwrap_or_else(|d| panic!("{expr}: {}", d.message));
    let evaluated = eval::evaluate(&parsed, &eval::Scope::default())
        .unwrap_or_else(|f| panic!("{expr}: {f:?}"));
    evaluated
        .value
        .to_json()
        .unwrap_or_else(|| panic!("{expr}: not known"))
}

/// kasm-plan's plan of the values after against a state that recorded the
/// values before (as an apply records them: a null output not at all, a
/// sensitive one by its fingerprint): the plan operation, as the CLI calls it.
fn our_plan(cases: &[Case]) -> Plan {
    let mut state = State::default();
    for c in cases {
        let Some(before) = c.before.as_deref().map(value).filter(|v| !v.is_null()) else {
            continue;
        };
        let fingerprint = c
            .sensitive
            .then(|| Secret::new(before.to_string()).fingerprint(&format!("output.{}", c.name)));
        let recorded = StateOutput {
            value: (!c.sensitive).then_some(before),
            sensitive: c.sensitive,
            fingerprint,
        };
        state.outputs.insert(c.name.clone(), recorded);
    }
    let request = PlanRequest {
        state,
        ..PlanRequest::new(Desired::Source(SourceInput {
            source: configuration(cases, |c| c.after.as_ref()),
            format: None,
            file_name: Some("main.tf".into()),
        }))
    };
    let answer = facade::plan(&request);
    answer
        .plan
        .unwrap_or_else(|| panic!("no plan: {:?}", answer.diagnostics))
}

/// A configuration declaring each case's side that is there.
fn configuration(cases: &[Case], side: fn(&Case) -> Option<&String>) -> String {
    cases
        .iter()
        .filter_map(|c| {
            side(c).map(|v| {
                format!(
                    "output \"{}\" {{\n  value     = {v}\n  sensitive = {}\n}}\n",
                    c.name, c.sensitive
                )
            })
        })
        .collect()
}

/// What Terraform says after applying the values before: its plan of the
/// values after, as text and as JSON; then, the values after applied, its
/// `output`.
struct Terraform {
    plan: String,
    plan_json: Value,
    output: String,
}

fn terraform(cases: &[Case]) -> Option<Terraform> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = |args: &[&str]| {
        let out = Command::new("terraform")
            .args(args)
            .current_dir(dir.path())
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .env("TF_IN_AUTOMATION", "1")
            .output()
            .ok()?;
        assert!(
            out.status.success(),
            "terraform {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let write = |text: String| {
        std::fs::write(dir.path().join("main.tf"), text).unwrap_or_else(|e| panic!("{e}"));
    };
    write(configuration(cases, |c| c.before.as_ref()));
    run(&["init", "-input=false", "-no-color"])?;
    run(&["apply", "-input=false", "-no-color", "-auto-approve"])?;
    write(configuration(cases, |c| c.after.as_ref()));
    let plan = run(&["plan", "-input=false", "-no-color", "-out=p"])?;
    let shown = run(&["show", "-json", "p"])?;
    let plan_json = serde_json::from_str(&shown).unwrap_or_else(|e| panic!("{e}"));
    run(&["apply", "-input=false", "-no-color", "-auto-approve"])?;
    let output = run(&["output", "-no-color"])?;
    Some(Terraform {
        plan,
        plan_json,
        output,
    })
}

/// The outputs of plan JSON that a sensitive value does not make differ
/// (kasm-plan never writes one; Terraform's plan JSON does): `output_changes`
/// and `planned_values.outputs`, by name.
fn json_outputs(plan_json: &Value, cases: &[Case]) -> Value {
    let pick = |section: &Value| {
        let kept: serde_json::Map<String, Value> = cases
            .iter()
            .filter(|c| !c.sensitive)
            .filter_map(|c| Some((c.name.clone(), section.get(&c.name)?.clone())))
            .collect();
        Value::Object(kept)
    };
    serde_json::json!({
        "output_changes": pick(&plan_json["output_changes"]),
        "planned_values": pick(&plan_json["planned_values"]["outputs"]),
    })
}

/// The values after as kasm-plan prints them (`output`, and `apply`'s
/// `Outputs:`): by name, null ones left out.
fn our_output(cases: &[Case]) -> String {
    let mut printed: Vec<(&str, String)> = cases
        .iter()
        .filter_map(|c| {
            let value = value(c.after.as_deref()?);
            let text = match (c.sensitive, &value) {
                (true, _) => "<sensitive>".to_owned(),
                (false, Value::Null) => return None,
                (false, v) => kasm_plan_core::render::hcl_value(v),
            };
            Some((c.name.as_str(), text))
        })
        .collect();
    printed.sort();
    printed
        .iter()
        .map(|(name, text)| format!("{name} = {text}\n"))
        .collect()
}

/// The lines under `Changes to Outputs:`, up to the first blank line.
fn outputs_section(text: &str) -> String {
    let (_, rest) = text
        .split_once("Changes to Outputs:\n")
        .unwrap_or_else(|| panic!("no outputs section in:\n{text}"));
    rest.split("\n\n")
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

/// Draws and prints the cases with kasm-plan and with Terraform; `Err` says
/// where they differ.
fn compare(cases: &[Case]) -> Result<(), String> {
    let theirs = terraform(cases).unwrap_or_else(|| panic!("terraform could not be run"));
    let ours_printed = our_output(cases);
    if ours_printed != theirs.output {
        return Err(format!(
            "the values print otherwise than `terraform output`'s:\nkasm-plan:\n{ours_printed}\nterraform:\n{}",
            theirs.output
        ));
    }
    let plan = our_plan(cases);
    let our_json = json_outputs(&kasm_plan_core::plan_json::to_terraform_json(&plan), cases);
    let their_json = json_outputs(&theirs.plan_json, cases);
    if our_json != their_json {
        return Err(format!(
            "plan JSON's outputs differ:\nkasm-plan: {our_json:#}\nterraform: {their_json:#}"
        ));
    }
    let ours = outputs_section(&kasm_plan_core::render::plan(&plan, &[]));
    let theirs = outputs_section(&theirs.plan);
    if ours == theirs {
        return Ok(());
    }
    let diff: Vec<String> = ours
        .lines()
        .zip(theirs.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .take(10)
        .map(|(i, (a, b))| format!("line {}:\n  kasm-plan: {a}\n  terraform: {b}", i + 1))
        .collect();
    Err(format!(
        "the outputs differ ({} lines against {}):\n{}\n\nkasm-plan:\n{ours}\n\nterraform:\n{theirs}",
        ours.lines().count(),
        theirs.lines().count(),
        diff.join("\n")
    ))
}

fn terraform_missing(what: &str) -> bool {
    let missing = Command::new("terraform").arg("version").output().is_err();
    if missing {
        eprintln!("SKIPPED: no `terraform` on PATH, so {what} were not compared with Terraform");
    }
    missing
}

#[test]
fn outputs_are_drawn_and_printed_as_terraform_does() {
    let cases = read();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    if terraform_missing(&format!("{} output changes", cases.len())) {
        return;
    }
    compare(&cases).unwrap_or_else(|e| panic!("{e}"));
    eprintln!("compared {} output changes with Terraform", cases.len());
}

/// Values made up from a fixed seed, each changed a little (an element
/// added, removed, moved or changed; a key added, removed or changed; a
/// value replaced), drawn by both as the cases of the file are.
#[test]
fn made_up_output_changes_are_drawn_as_terraform_draws_them() {
    const SEEDS: [u64; 3] = [7, 1_234, 99_991];
    const OUTPUTS: usize = 60;
    if terraform_missing("made-up output changes") {
        return;
    }
    for seed in SEEDS {
        let mut rng = Rng(seed);
        let cases: Vec<Case> = (0..OUTPUTS)
            .map(|i| {
                let before = made_up(&mut rng, 0);
                let (before, after) = match rng.below(10) {
                    0 => (None, Some(before)),
                    1 => (Some(before), None),
                    2 => (Some(before.clone()), Some(before)),
                    _ => {
                        let after = changed(&mut rng, &before, 0);
                        (Some(before), Some(after))
                    }
                };
                Case {
                    name: format!("o{i}"),
                    sensitive: false,
                    before: before.as_ref().map(hcl),
                    after: after.as_ref().map(hcl),
                }
            })
            .collect();
        compare(&cases).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
    eprintln!(
        "compared {} made-up output changes with Terraform",
        SEEDS.len() * OUTPUTS
    );
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

const TEXTS: [&str; 12] = [
    "a",
    "b",
    "kasm",
    "",
    "say \"hi\"",
    "back\\slash",
    "tab\there",
    "héllo ✓",
    "line1\nline2",
    "line1\nline3\nline4",
    "{\"a\":1,\"b\":[1,2]}",
    "[1,2]",
];
const KEYS: [&str; 7] = ["a", "b", "id", "name", "x y", "/data", "n"];

fn made_up(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth >= 3 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => Value::from(rng.below(100)),
        3 => Value::from(rng.below(20) as f64 + 0.5),
        4 => Value::from(rng.pick(&TEXTS)),
        5 => Value::Array((0..rng.below(5)).map(|_| made_up(rng, depth + 1)).collect()),
        _ => Value::Object(
            (0..rng.below(5))
                .map(|_| (rng.pick(&KEYS).to_owned(), made_up(rng, depth + 1)))
                .collect(),
        ),
    }
}

fn changed(rng: &mut Rng, value: &Value, depth: usize) -> Value {
    match value {
        Value::Array(items) if !items.is_empty() && rng.below(4) != 0 => {
            let mut items = items.clone();
            let at = rng.below(items.len() as u64) as usize;
            match rng.below(4) {
                0 => items.insert(at, made_up(rng, depth + 1)),
                1 => drop(items.remove(at)),
                2 => {
                    let last = items.len() - 1;
                    items.swap(at, last);
                }
                _ => items[at] = changed(rng, &items[at], depth + 1),
            }
            Value::Array(items)
        }
        Value::Object(map) if !map.is_empty() && rng.below(4) != 0 => {
            let mut map = map.clone();
            let key = map
                .keys()
                .nth(rng.below(map.len() as u64) as usize)
                .cloned()
                .unwrap_or_default();
            match rng.below(3) {
                0 => drop(map.insert(rng.pick(&KEYS).to_owned(), made_up(rng, depth + 1))),
                1 => drop(map.remove(&key)),
                _ => {
                    let new = changed(rng, &map[&key], depth + 1);
                    map.insert(key, new);
                }
            }
            Value::Object(map)
        }
        _ => made_up(rng, depth),
    }
}

/// A value as an HCL expression.
fn hcl(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let escaped = s
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
                .replace('\t', "\\t")
                .replace("${", "$${")
                .replace("%{", "%%{");
            format!("\"{escaped}\"")
        }
        Value::Array(items) => {
            format!("[{}]", items.iter().map(hcl).collect::<Vec<_>>().join(", "))
        }
        Value::Object(map) => {
            let members: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{} = {}", hcl(&Value::from(k.as_str())), hcl(v)))
                .collect();
            format!("{{ {} }}", members.join(", "))
        }
        other => other.to_string(),
    }
}

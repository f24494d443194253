//! The bench gate's measurements (scripts/bench-gate.sh): a few of the core's
//! workloads, each timed right after a calibration workload that runs no code
//! of this project (sorting a fixed million numbers), in alternation, many
//! rounds. The median of the per-round ratios is steady on a shared machine
//! whose speed drifts: both halves of a round meet the same load. Writes
//! `{"name": ratio, ...}` as JSON to the file named by KASM_PLAN_GATE_OUT.
//!
//! `KASM_PLAN_GATE_OUT=ratios.json cargo bench -p kasm-plan-core --bench gate`

use kasm_plan_core::facade::{self, Desired, PlanRequest, SourceInput, validate_source};
use kasm_plan_core::plan::{PlanOptions, plan};
use kasm_plan_core::state::text::StateText;
use kasm_plan_vectors::synthetic;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

const ROUNDS: usize = 15;

/// A named workload.
type Workload<'a> = (&'static str, Box<dyn FnMut() + 'a>);

/// Seconds per call of `f`, over `calls` calls.
fn seconds(f: &mut dyn FnMut(), calls: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        f();
    }
    start.elapsed().as_secs_f64() / f64::from(calls)
}

/// How many calls of `f` take about 40 ms.
fn calls_for(f: &mut dyn FnMut()) -> u32 {
    let once = seconds(f, 1).max(1e-6);
    ((0.04 / once).ceil() as u32).clamp(1, 10_000)
}

fn source(text: String, name: &str) -> SourceInput {
    SourceInput {
        source: text,
        format: None,
        file_name: Some(name.into()),
    }
}

fn request(desired: SourceInput) -> PlanRequest {
    PlanRequest::new(Desired::Source(desired))
}

/// `n` new users (one `for_each` over a variable) and a membership of each
/// in one new group, against a Kasm that has only All Users.
fn users_request(n: usize) -> PlanRequest {
    let users: String = (0..n)
        .map(|i| format!("    u{i} = \"user{i}@example.com\"\n"))
        .collect();
    let text = format!(
        "variable \"users\" {{\n  default = {{\n{users}  }}\n}}\n\
resource \"kasm_group\" \"g\" {{\n  name = \"G\"\n  priority = 10\n}}\n\
resource \"kasm_user\" \"u\" {{\n  for_each = var.users\n  username = each.value\n}}\n\
resource \"kasm_group_membership\" \"m\" {{\n  for_each = kasm_user.u\n  group_id = kasm_group.g.id\n  user_id = each.value.id\n}}\n"
    );
    let access = serde_json::from_value(serde_json::json!({
        "groups": [{"group_id": "68d557ac4cac42cca9f31c7c853de0f3", "name": "All Users",
                    "priority": 1000, "is_system": true}],
        "links": [], "users": [], "sessions": []
    }))
    .ok();
    PlanRequest {
        access,
        ..request(source(text, "main.tf"))
    }
}

/// `n` new groups (one `for_each` over a variable) and a link of each to
/// one image Kasm has, against a Kasm that has only All Users.
fn groups_and_links_request(n: usize) -> PlanRequest {
    const IMAGE: &str = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1";
    let teams: String = (0..n).map(|i| format!("    t{i} = {}\n", 10 + i)).collect();
    let text = format!(
        "variable \"teams\" {{\n  default = {{\n{teams}  }}\n}}\n\
resource \"kasm_group\" \"g\" {{\n  for_each = var.teams\n  name = each.key\n  priority = each.value\n}}\n\
resource \"kasm_group_image\" \"l\" {{\n  for_each = kasm_group.g\n  group_id = each.value.id\n  image_id = \"{IMAGE}\"\n}}\n"
    );
    let access = serde_json::from_value(serde_json::json!({
        "groups": [{"group_id": "68d557ac4cac42cca9f31c7c853de0f3", "name": "All Users",
                    "priority": 1000, "is_system": true}],
        "links": []
    }))
    .ok();
    let observed = serde_json::from_value(serde_json::json!([{
        "image_id": IMAGE, "name": "kasmweb/terminal:1.18.0", "friendly_name": "Terminal",
        "image_src": "img/x.png", "memory": 2048000000, "cores": 1, "enabled": true
    }]))
    .unwrap_or_default();
    PlanRequest {
        access,
        observed,
        ..request(source(text, "main.tf"))
    }
}

fn main() -> std::io::Result<()> {
    const N: usize = 10_000;
    let numbers: Vec<u64> = {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..1_000_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            })
            .collect()
    };
    let mut calibrate = || {
        let mut v = black_box(&numbers).clone();
        v.sort_unstable();
        black_box(v.first().copied());
    };
    let json = source(synthetic::json_source(N), "specs.json");
    let hcl = source(synthetic::hcl_source(N), "specs.tf");
    // The same one-line document with one character outside ASCII: every
    // column is counted in characters (it once cost the line's length).
    let non_ascii = source(
        synthetic::json_source(N).replacen("App 1", "Café 1", 1),
        "specs.json",
    );
    let (typed, _) = validate_source(&json, false);
    let (desired, state, observed) = synthetic::plan_inputs(N);
    let static_1k = source(synthetic::hcl_source(1_000), "main.tf");
    let for_each_1k = request(source(synthetic::for_each_source(1_000), "main.tf"));
    let users_2k = users_request(2_000);
    let groups_1k = groups_and_links_request(1_000);
    // An apply writes the state after every finished action: one changed
    // record in 10,000 must not cost a serialisation of all of them.
    let mut written = state.clone();
    let mut text = StateText::default();
    let one = written
        .objects
        .keys()
        .nth(N / 2)
        .cloned()
        .unwrap_or_default();
    let mut workloads: Vec<Workload> = vec![
        (
            "validate/10k_specs/json",
            Box::new(|| assert_eq!(validate_source(black_box(&json), false).0.len(), N)),
        ),
        (
            "validate/10k_specs/json_one_line_non_ascii",
            Box::new(|| assert_eq!(validate_source(black_box(&non_ascii), false).0.len(), N)),
        ),
        (
            "validate/10k_specs/hcl",
            Box::new(|| assert_eq!(validate_source(black_box(&hcl), false).0.len(), N)),
        ),
        (
            "validate/10k_specs/checks_only",
            Box::new(|| {
                let found: usize = black_box(&typed)
                    .iter()
                    .map(|r| kasm_plan_core::validate::diagnose(r).len())
                    .sum();
                assert_eq!(found, 0);
            }),
        ),
        (
            "plan/10k_vs_10k",
            Box::new(|| {
                let p = plan(&desired, &state, &observed, &PlanOptions::default());
                assert!(black_box(p).is_ok());
            }),
        ),
        (
            "language/validate_1k/static",
            Box::new(|| assert_eq!(validate_source(black_box(&static_1k), false).0.len(), 1_000)),
        ),
        (
            "language/plan_1k/for_each",
            Box::new(|| assert!(facade::plan(black_box(&for_each_1k)).ok)),
        ),
        (
            "access/apply_steps_2k_users",
            Box::new(|| assert!(facade::apply_steps(black_box(&users_2k)).ok)),
        ),
        (
            "access/apply_steps_1k_groups_and_links",
            Box::new(|| {
                let answer = facade::apply_steps(black_box(&groups_1k));
                assert!(answer.ok && answer.steps.len() == 2_000);
            }),
        ),
        (
            "state/write_10k_one_change",
            Box::new(move || {
                if let Some(r) = written.objects.get_mut(&one) {
                    r.prevent_destroy = !r.prevent_destroy;
                }
                text.forget(&one);
                assert!(black_box(text.render(&written)).is_ok());
            }),
        ),
    ];
    // `cargo test --benches` runs each workload once, as a test.
    if !std::env::args().any(|a| a == "--bench") {
        for (_, work) in &mut workloads {
            work();
        }
        println!("gate: {} workloads run once", workloads.len());
        return Ok(());
    }
    let calibration_calls = calls_for(&mut calibrate);
    let mut ratios: BTreeMap<&str, f64> = BTreeMap::new();
    for (name, work) in &mut workloads {
        let calls = calls_for(work.as_mut());
        let mut round: Vec<f64> = (0..ROUNDS)
            .map(|_| seconds(work.as_mut(), calls) / seconds(&mut calibrate, calibration_calls))
            .collect();
        round.sort_by(f64::total_cmp);
        let median = round.get(ROUNDS / 2).copied().unwrap_or(f64::NAN);
        println!("{name}: {median:.3}");
        ratios.insert(name, median);
    }
    if let Some(out) = std::env::var_os("KASM_PLAN_GATE_OUT") {
        let text = serde_json::to_string_pretty(&ratios).unwrap_or_default();
        std::fs::write(&out, text)?;
    }
    Ok(())
}

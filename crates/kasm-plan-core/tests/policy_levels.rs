//! Property test of enforcement levels: for any rules, levels, specs and
//! overrides, a run blocks exactly when a hard-mandatory rule fails or a
//! soft-mandatory one fails without being overridden; advisory never blocks.

#![allow(clippy::indexing_slicing)] // levels are drawn from 0..3; a result list is checked non-empty first

use kasm_plan_core::facade::{Desired, PolicyRequest, PolicyResponse, SourceInput, policy_check};
use kasm_plan_core::policy::Level;
use kasm_plan_core::policy_set::PolicyFile;
use proptest::prelude::*;

const LEVELS: [(Level, &str); 3] = [
    (Level::Advisory, "advisory"),
    (Level::SoftMandatory, "soft-mandatory"),
    (Level::HardMandatory, "hard-mandatory"),
];

/// A rule: its memory cap, its level, and whether the run overrides it.
fn rule() -> impl Strategy<Value = (i64, usize, bool)> {
    (1024i64..8192, 0usize..3, any::<bool>())
}

fn check(rules: &[(i64, usize, bool)], memories: &[i64]) -> PolicyResponse {
    let mut policy = String::new();
    for (i, (cap, level, _)) in rules.iter().enumerate() {
        let level = LEVELS[*level].1;
        policy.push_str(&format!(
            "rule \"cap-{i}\" {{\n  check = \"max_memory\"\n  max_mb = {cap}\n  level = \"{level}\"\n}}\n"
        ));
    }
    let specs: String = memories
        .iter()
        .enumerate()
        .map(|(i, m)| {
            format!(
                "resource \"kasm_image\" \"i{i}\" {{\n  name = \"kasmweb/terminal:1.18.0\"\n  image_src = \"t.png\"\n  friendly_name = \"T\"\n  memory = {m}\n}}\n"
            )
        })
        .collect();
    let overrides = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.2)
        .map(|(i, _)| format!("cap-{i}"))
        .collect();
    policy_check(&PolicyRequest {
        policy: Some(PolicyFile {
            source: policy,
            format: None,
            file_name: Some("policy.hcl".into()),
        }),
        policies: Vec::new(),
        desired: Desired::Source(SourceInput {
            source: specs,
            format: None,
            file_name: Some("images.tf".into()),
        }),
        state: None,
        observed: None,
        access: None,
        overrides,
        rego_version: None,
        data: None,
        plan: None,
        max_steps: None,
    })
}

proptest! {
    #[test]
    fn blocking_follows_levels_and_overrides(
        rules in prop::collection::vec(rule(), 1..6),
        memories in prop::collection::vec(512i64..10_000, 1..5),
    ) {
        let answer = check(&rules, &memories);
        let report = answer.report.clone();
        prop_assert!(report.is_some(), "{:?}", answer.diagnostics);
        let report = report.unwrap_or_default();
        let mut blocking = false;
        let mut overridden = Vec::new();
        for (i, (cap, level, named)) in rules.iter().enumerate() {
            let id = format!("cap-{i}");
            let level = LEVELS[*level].0;
            let failures = memories.iter().filter(|m| *m > cap).count();
            let results: Vec<_> = report.results.iter().filter(|r| r.rule == id).collect();
            let waived = level == Level::SoftMandatory && *named;
            if failures == 0 {
                prop_assert_eq!(results.len(), 1);
                prop_assert!(results[0].passed && !results[0].overridden);
                continue;
            }
            prop_assert_eq!(results.len(), failures);
            for r in &results {
                prop_assert!(!r.passed);
                prop_assert_eq!(r.level, level);
                prop_assert_eq!(r.overridden, waived);
                prop_assert_eq!(r.file.as_deref(), Some("policy.hcl"));
            }
            blocking |= level == Level::HardMandatory || (level == Level::SoftMandatory && !named);
            if waived {
                overridden.push(id);
            }
        }
        prop_assert_eq!(report.blocking, blocking);
        prop_assert_eq!(answer.ok, !blocking);
        prop_assert_eq!(report.overridden, overridden);
    }
}

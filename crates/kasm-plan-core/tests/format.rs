//! `format` never changes meaning and is idempotent: every HCL source in the
//! shared vectors validates the same before and after, and the examples with
//! their whitespace scrambled format to the same text.

#![allow(clippy::indexing_slicing, clippy::panic)]

use kasm_plan_core::facade::{self, SourceInput, ValidateRequest};
use kasm_plan_core::format::format_hcl;
use proptest::prelude::*;
use serde_json::Value;

/// What validation says, without positions (formatting moves text).
fn findings(source: &str) -> Vec<(String, Option<String>, String)> {
    let answer = facade::validate(&ValidateRequest {
        input: SourceInput {
            source: source.into(),
            file_name: Some("main.tf".into()),
            ..Default::default()
        }
        .into(),
        strict: false,
        unset_variables_unknown: false,
    });
    answer
        .diagnostics
        .iter()
        .map(|d| (format!("{:?}", d.code), d.path.clone(), d.message.clone()))
        .collect()
}

#[test]
fn every_hcl_source_in_the_vectors_keeps_its_meaning() {
    let cases = kasm_plan_vectors::load().unwrap_or_else(|e| panic!("{e}"));
    let mut checked = 0;
    for case in cases.iter().filter(|c| c.operation == "validate") {
        let request: Value = serde_json::from_str(&case.request).unwrap_or_default();
        let Some(source) = request["source"].as_str() else {
            continue;
        };
        if request["format"] == "json" || source.trim_start().starts_with('{') {
            continue;
        }
        let Ok(formatted) = format_hcl(source) else {
            continue;
        };
        assert_eq!(
            format_hcl(&formatted).ok().as_deref(),
            Some(formatted.as_str()),
            "{}: not idempotent",
            case.name
        );
        assert_eq!(
            findings(source),
            findings(&formatted),
            "{}: meaning changed:\n{formatted}",
            case.name
        );
        let parsed = |s: &str| {
            facade::parse(&SourceInput {
                source: s.into(),
                ..Default::default()
            })
            .specs
        };
        assert_eq!(parsed(source), parsed(&formatted), "{}", case.name);
        checked += 1;
    }
    assert!(checked > 40, "only {checked} HCL sources checked");
}

#[test]
fn the_examples_are_formatted() {
    let root = kasm_plan_vectors::repository().join("examples");
    for file in [
        "images.tf",
        "seed.tf",
        "authorization/main.tf",
        "workspaces/main.tf",
        "workspaces/variables.tf",
        "workspaces/terraform.tfvars",
    ] {
        let text =
            std::fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            format_hcl(&text).ok().as_deref(),
            Some(text.as_str()),
            "examples/{file} is not formatted: run kasm-plan fmt -recursive examples"
        );
    }
}

/// An example's lines with indentation and the spaces around each line's
/// first `=` scrambled (both outside strings).
fn scrambled(text: &str, seeds: &[(usize, usize, usize)]) -> String {
    text.lines()
        .zip(seeds.iter().cycle())
        .map(|(line, &(indent, before, after))| {
            let trimmed = line.trim_start();
            let assignment = trimmed.find(" = ").filter(|&at| {
                trimmed[..at]
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '"' || c == ' ')
            });
            let body = match assignment {
                Some(at) => format!(
                    "{}{}={}{}",
                    trimmed[..at].trim_end(),
                    " ".repeat(before),
                    " ".repeat(after),
                    &trimmed[at + 3..]
                ),
                None => trimmed.to_owned(),
            };
            format!("{}{body}", " ".repeat(indent))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn scrambled_whitespace_formats_to_the_same_text(
        file in prop::sample::select(vec!["images.tf", "authorization/main.tf", "workspaces/main.tf", "workspaces/variables.tf"]),
        seeds in prop::collection::vec((0usize..9, 0usize..4, 0usize..4), 1..40),
    ) {
        let text = std::fs::read_to_string(kasm_plan_vectors::repository().join("examples").join(file)).unwrap_or_default();
        let canonical = format_hcl(&text).unwrap_or_default();
        let messy = scrambled(&text, &seeds);
        let formatted = format_hcl(&messy).unwrap_or_else(|d| panic!("{}\n{messy}", d.message));
        prop_assert_eq!(&formatted, &canonical);
        prop_assert_eq!(format_hcl(&formatted).unwrap_or_default(), formatted);
    }
}

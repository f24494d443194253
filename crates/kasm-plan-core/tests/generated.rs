//! Files generated from the schema are current: the JSON Schema of `.json`
//! specs and the argument reference in the docs. `KASM_PLAN_BLESS=1`
//! rewrites them.

#![allow(clippy::panic)]

use kasm_plan_core::schema;

/// Where the generated part of docs/reference.md starts; the text above it is written by hand.
const MARKER: &str = "<!-- generated from the core's schema: edit crates/kasm-plan-core/src/field.rs or schema/tables.rs -->\n";

fn check(relative: &str, fresh: &str) {
    let path = kasm_plan_vectors::repository().join(relative);
    if std::env::var_os("KASM_PLAN_BLESS").is_some() {
        std::fs::write(&path, fresh).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{relative} is out of date: run `KASM_PLAN_BLESS=1 cargo test -p kasm-plan-core --test generated`"
    );
}

#[test]
fn json_schema_is_current() {
    let text = serde_json::to_string_pretty(&schema::json_schema()).unwrap_or_default();
    check("schemas/kasm-plan.schema.json", &format!("{text}\n"));
}

#[test]
fn argument_reference_is_current() {
    let path = kasm_plan_vectors::repository().join("docs/reference.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let head = committed.split(MARKER).next().unwrap_or_default();
    let fresh = format!("{head}{MARKER}\n{}", schema::markdown(&schema::schema()));
    check("docs/reference.md", &fresh);
}

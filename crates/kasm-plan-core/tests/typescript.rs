//! The npm package's type declarations (`js/generated.d.ts`) are the ones
//! the core's types give; `KASM_PLAN_BLESS=1` rewrites the file.

#![cfg(feature = "typescript")]

#[test]
fn generated_declarations_are_current() {
    let path = kasm_plan_vectors::repository().join("js/generated.d.ts");
    let fresh = kasm_plan_core::typescript::declarations();
    if std::env::var_os("KASM_PLAN_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is out of date: run `KASM_PLAN_BLESS=1 cargo test -p kasm-plan-core --features typescript --test typescript`",
        path.display()
    );
}

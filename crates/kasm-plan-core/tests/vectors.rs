//! Runs every shared vector in `tests/vectors/` against the facade.

use kasm_plan_core::facade;

#[test]
fn shared_vectors() {
    let cases = kasm_plan_vectors::load().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        cases.len() >= 40,
        "expected at least 40 vectors, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let answer = kasm_plan_vectors::outcome(&facade::call(&case.operation, &case.request));
        let errors = kasm_plan_vectors::mismatches(&case.expect, &answer);
        if !errors.is_empty() {
            failures.push(format!(
                "{}:\n    {}\n    answer: {answer}",
                case.name,
                errors.join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The editor entry's dispatch answers its operations' vectors exactly as
/// the full one, and refuses every other operation, saying where it is.
#[test]
fn the_editor_dispatch_answers_its_vectors_as_the_full_one() {
    let cases = kasm_plan_vectors::load().unwrap_or_else(|e| panic!("{e}"));
    let mut editor = 0;
    for case in &cases {
        let full = facade::call(&case.operation, &case.request);
        let lean = facade::call_editor(&case.operation, &case.request);
        if facade::EDITOR_OPERATIONS.contains(&case.operation.as_str()) {
            editor += 1;
            assert_eq!(lean, full, "{}", case.name);
        } else {
            let refusal = lean.expect_err(&case.name);
            assert!(
                refusal.message.contains("not in the editor entry"),
                "{}: {}",
                case.name,
                refusal.message
            );
        }
    }
    assert!(
        editor >= 20,
        "only {editor} vectors of the editor's operations"
    );
    assert!(
        facade::EDITOR_OPERATIONS
            .iter()
            .all(|op| facade::OPERATIONS.contains(op))
    );
}

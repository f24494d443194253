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

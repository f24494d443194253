//! Prints the native core's answer to every shared vector, as one JSON object
//! `{"<vector file>": {"answer": "<answer JSON text>"} | {"refused": "<diagnostic JSON text>"}}`:
//! the reference the npm package's tests compare against byte for byte.
//!
//! `cargo run -p kasm-plan-core --example vector_answers > answers.json`

use std::process::ExitCode;

fn main() -> ExitCode {
    let cases = match kasm_plan_vectors::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("Error: {e}");
            return ExitCode::from(1);
        }
    };
    let answers: serde_json::Map<String, serde_json::Value> = cases
        .iter()
        .map(|c| {
            let outcome = match kasm_plan_core::facade::call(&c.operation, &c.request) {
                Ok(answer) => serde_json::json!({ "answer": answer }),
                Err(refusal) => {
                    serde_json::json!({ "refused": serde_json::to_string(&refusal).unwrap_or_default() })
                }
            };
            (c.name.clone(), outcome)
        })
        .collect();
    println!("{}", serde_json::Value::Object(answers));
    ExitCode::SUCCESS
}

//! Prints the native core's answer to every shared vector, as one JSON object
//! `{"<vector file>": "<answer JSON text>"}`: the reference the npm package's
//! tests compare against byte for byte.
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
            let answer = kasm_plan_core::facade::call(&c.operation, &c.request);
            (c.name.clone(), serde_json::Value::String(answer))
        })
        .collect();
    println!("{}", serde_json::Value::Object(answers));
    ExitCode::SUCCESS
}

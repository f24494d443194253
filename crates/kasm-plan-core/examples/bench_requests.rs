//! Writes the requests the npm package's bench times (validate 10,000 specs;
//! plan 10,000 vs 10,000) into a directory, and prints the native core's time
//! for the same calls (best of 5, this build), as JSON.
//!
//! `cargo run --release -p kasm-plan-core --example bench_requests -- DIR`

use kasm_plan_core::facade;
use kasm_plan_vectors::synthetic;
use serde_json::json;
use std::process::ExitCode;
use std::time::Instant;

const N: usize = 10_000;

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: bench_requests DIR");
        return ExitCode::from(1);
    };
    let (_, state, observed) = synthetic::plan_inputs(N);
    let validate = json!({ "source": synthetic::json_source(N), "format": "json" }).to_string();
    let plan = json!({
        "desired": { "source": synthetic::json_source(N), "format": "json" },
        "state": state,
        "observed": observed,
    })
    .to_string();
    let mut native = serde_json::Map::new();
    for (name, op, request) in [("validate", "validate", &validate), ("plan", "plan", &plan)] {
        if let Err(e) = std::fs::write(format!("{dir}/{name}-10k.json"), request) {
            eprintln!("Error: cannot write {dir}/{name}-10k.json: {e}");
            return ExitCode::from(1);
        }
        let best = (0..5)
            .map(|_| {
                let started = Instant::now();
                let answer = facade::call(op, request);
                let took = started.elapsed().as_secs_f64() * 1000.0;
                let _answer = std::hint::black_box(answer);
                took
            })
            .fold(f64::INFINITY, f64::min);
        native.insert(name.to_owned(), json!(best));
    }
    println!("{}", serde_json::Value::Object(native));
    ExitCode::SUCCESS
}

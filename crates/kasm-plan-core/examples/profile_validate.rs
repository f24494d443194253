//! Validates 10,000 synthetic specs from HCL (or JSON with `json`) in a loop,
//! for a profiler: `cargo run --release --example profile_validate -- hcl 20`.

use kasm_plan_core::facade::{SourceInput, validate_source};
use kasm_plan_vectors::synthetic;

fn main() {
    let mut args = std::env::args().skip(1);
    let format = args.next().unwrap_or_else(|| "hcl".into());
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(20);
    let source = match format.as_str() {
        "json" => synthetic::json_source(10_000),
        _ => synthetic::hcl_source(10_000),
    };
    let input = SourceInput {
        source,
        format: None,
        file_name: Some(format!("specs.{format}")),
    };
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        let (resources, _) = validate_source(std::hint::black_box(&input), false);
        std::hint::black_box(resources);
    }
    let each = started.elapsed() / u32::try_from(rounds).unwrap_or(1);
    eprintln!("{format}: {each:?} per 10,000 specs");
}

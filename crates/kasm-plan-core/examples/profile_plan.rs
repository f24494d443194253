//! Plans 10,000 desired images against 10,000 bound and observed (the
//! `plan/10k_vs_10k` bench's inputs) in a loop, for a profiler:
//! `cargo run --release --example profile_plan -- 20`.

use kasm_plan_core::plan::{PlanOptions, plan};
use kasm_plan_vectors::synthetic;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let (desired, state, observed) = synthetic::plan_inputs(10_000);
    let options = PlanOptions::default();
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        let planned = plan(std::hint::black_box(&desired), &state, &observed, &options);
        std::hint::black_box(planned.map(|p| p.summary.change).unwrap_or_default());
    }
    let each = started.elapsed() / u32::try_from(rounds).unwrap_or(1);
    eprintln!("plan: {each:?} per 10,000 vs 10,000");
}

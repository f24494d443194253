//! Fuzzes the component through the host: the facade fuzz target's seeds (the
//! shared vectors' requests, the first byte picking the operation), mutated at
//! random and sent through the component's `call` in wasmtime under the CLI's
//! limits. Every answer must be an answer, a refusal, or a limit reached; a
//! trap (a panic inside the core) or a host panic is a finding: the input is
//! written to `fuzz/artifacts/component/` and the run exits 1.
//!
//! cargo-fuzz cannot build wasmtime under its sanitizers within these
//! machines' budget, so this loop is blind: random mutations, no coverage.
//!
//! `cargo run --release -p kasm-plan --example fuzz_component -- SECONDS [SEED]`

use kasm_plan::{COMPONENT, COMPONENT_DIGEST, Limits, Sandbox, SandboxError};
use kasm_plan_core::facade::OPERATIONS;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Bytes that reach deep in HCL, JSON and Rego when spliced in.
const TOKENS: &[&[u8]] = &[
    b"[",
    b"]",
    b"{",
    b"}",
    b"(",
    b")",
    b"\"",
    b"${",
    b"%{",
    b"}",
    b"\\",
    b"\n",
    b":",
    b",",
    b"=",
    b"?",
    b"*",
    b"..",
    b"null",
    b"true",
    b"-1",
    b"1e400",
    b"var.",
    b"each.key",
    b"for x in",
    b"<<EOT\n",
    b"\nEOT\n",
    b"\xff",
    b"\0",
];

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let seeds = match kasm_plan_fuzz::seeds::of("facade") {
        Ok(s) if !s.is_empty() => s,
        Ok(_) => return fail("no seeds"),
        Err(e) => return fail(&e),
    };
    let limits = Limits {
        memory: 256 << 20,
        time: Duration::from_secs(2),
    };
    let cache = std::env::temp_dir().join("kasm-plan-fuzz-component");
    let sandbox = match Sandbox::cached((COMPONENT, COMPONENT_DIGEST), limits, &cache) {
        Ok((s, _)) => s,
        Err(e) => return fail(&e.to_string()),
    };
    let mut rng = fastrand::Rng::with_seed(seed);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut runs, mut limited) = (0u64, 0u64);
    let mut core = None;
    while Instant::now() < deadline {
        let input = mutate(&mut rng, &seeds);
        let (pick, request) = input.split_first().map_or((0, &[][..]), |(p, r)| (*p, r));
        let operation = OPERATIONS
            .get(usize::from(pick) % OPERATIONS.len())
            .copied()
            .unwrap_or("validate");
        let request = String::from_utf8_lossy(request);
        let instance = match core.take() {
            Some(c) => c,
            None => match sandbox.instantiate() {
                Ok(c) => c,
                Err(e) => return fail(&e.to_string()),
            },
        };
        let mut instance = instance;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let answer = instance.call(operation, &request);
            (instance, answer)
        }));
        runs += 1;
        match outcome {
            Ok((instance, Ok(_))) => core = Some(instance),
            // A limit reached is a clean, named error; the instance is spent.
            Ok((_, Err(SandboxError::MemoryLimit(_) | SandboxError::TimeLimit(_)))) => limited += 1,
            Ok((_, Err(SandboxError::Wasm(trap)))) => {
                return finding(&input, &format!("{operation}: a trap: {trap:#}"));
            }
            Err(_) => return finding(&input, &format!("{operation}: the host panicked")),
        }
    }
    println!(
        "fuzz component: {seconds}s, {runs} executions, {limited} stopped by a limit, seed {seed}, no finding"
    );
    ExitCode::SUCCESS
}

/// A seed with 1 to 8 random edits: flips, inserts, deletes, repeats, splices, tokens.
fn mutate(rng: &mut fastrand::Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds
        .get(rng.usize(..seeds.len()))
        .cloned()
        .unwrap_or_default();
    for _ in 0..rng.usize(1..=8) {
        let at = rng.usize(..=data.len());
        match rng.u8(..6) {
            0 if !data.is_empty() => {
                let i = at.min(data.len() - 1);
                if let Some(b) = data.get_mut(i) {
                    *b ^= 1 << rng.u8(..8);
                }
            }
            1 => data.insert(at, rng.u8(..)),
            2 if at < data.len() => {
                let end = (at + rng.usize(1..16)).min(data.len());
                data.drain(at..end);
            }
            3 if at < data.len() => {
                let end = (at + rng.usize(1..64)).min(data.len());
                let chunk: Vec<u8> = data.get(at..end).map(<[u8]>::to_vec).unwrap_or_default();
                for _ in 0..rng.usize(1..8) {
                    data.splice(at..at, chunk.iter().copied());
                }
            }
            4 => {
                let other = seeds
                    .get(rng.usize(..seeds.len()))
                    .cloned()
                    .unwrap_or_default();
                let from = rng.usize(..=other.len());
                data.splice(
                    at..at,
                    other.get(from..).unwrap_or_default().iter().copied(),
                );
            }
            _ => {
                let token = TOKENS
                    .get(rng.usize(..TOKENS.len()))
                    .copied()
                    .unwrap_or(b"[");
                data.splice(at..at, token.iter().copied());
            }
        }
    }
    data.truncate(1 << 16);
    data
}

fn finding(input: &[u8], what: &str) -> ExitCode {
    let dir = kasm_plan_vectors::repository().join("fuzz/artifacts/component");
    let name = format!("crash-{:016x}", fastrand::u64(..));
    let saved = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(dir.join(&name), input));
    eprintln!(
        "fuzz component: finding: {what}; input {}",
        match saved {
            Ok(()) => dir.join(name).display().to_string(),
            Err(e) => format!("not saved: {e}"),
        }
    );
    ExitCode::from(1)
}

fn fail(why: &str) -> ExitCode {
    eprintln!("fuzz component: {why}");
    ExitCode::from(1)
}

//! What the state's backend costs an apply: 500 new images applied by the
//! CLI to the Kasm simulator, with the state in a local file, in a real
//! PostgreSQL (`pg`), and behind an HTTP backend server (`http`).

#![allow(clippy::indexing_slicing, clippy::panic)] // a bench that cannot set up should stop

#[path = "../tests/common/mod.rs"]
mod common;

use common::http_backend::{HttpBackend, PASSWORD, USER};
use common::kasm::Kasm;
use common::postgres::Postgres;
use criterion::{Criterion, criterion_group, criterion_main};
use std::process::Command;
use std::time::{Duration, Instant};

const IMAGES: usize = 500;

/// One apply of the 500 images to an empty simulator, timed.
fn apply(configure: &dyn Fn(&mut Command, usize), round: usize) -> Duration {
    let k = Kasm::start();
    let file = k.write("images.tf", &common::specs(IMAGES, 2048));
    let mut command = k.command(&["apply", &file, "--auto-approve", "--parallelism", "20"]);
    configure(&mut command, round);
    let started = Instant::now();
    let out = command.output().unwrap_or_else(|e| panic!("{e}"));
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("backends");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    let mut time = |name: &str, configure: &dyn Fn(&mut Command, usize)| {
        group.bench_function(format!("apply_{IMAGES}_images/{name}"), |b| {
            b.iter_custom(|rounds| {
                (0..usize::try_from(rounds).unwrap_or(1))
                    .map(|round| apply(configure, round))
                    .sum()
            });
        });
    };
    time("local", &|_, _| {});
    let pg = Postgres::start();
    time("pg", &|c, round| {
        c.env("KASM_PLAN_BACKEND", "pg")
            .env("PG_CONN_STR", pg.conn_str())
            .env(
                "KASM_PLAN_WORKSPACE",
                format!("bench-{round}-{}", fastrand::u32(..)),
            );
    });
    let server = HttpBackend::start();
    time("http", &|c, _| {
        server.stored().data = None;
        c.env("KASM_PLAN_BACKEND", "http")
            .env("TF_HTTP_ADDRESS", &server.url)
            .env("TF_HTTP_LOCK_ADDRESS", &server.url)
            .env("TF_HTTP_USERNAME", USER)
            .env("TF_HTTP_PASSWORD", PASSWORD);
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Faults on demand, set at run time through `/_sim/faults`, seen over real HTTP.

#![allow(clippy::panic)] // test helpers: a failure should stop the test

use kasm_sim::{ApiKey, Config, Simulator};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn start() -> (Simulator, reqwest::Client) {
    let config = Config {
        keys: vec![ApiKey::admin("k", "s")],
        agent_delay: None,
        ..Config::default()
    };
    let sim = Simulator::start(config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (sim, reqwest::Client::new())
}

async fn set_faults(sim: &Simulator, http: &reqwest::Client, faults: Value) {
    let r = http
        .post(format!("{}/_sim/faults", sim.url()))
        .json(&faults)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 200);
}

fn create(sim: &Simulator, http: &reqwest::Client, name: &str) -> reqwest::RequestBuilder {
    let body = json!({"api_key": "k", "api_key_secret": "s", "target_image": {"name": name}});
    http.post(format!("{}/api/admin/create_image", sim.url()))
        .json(&body)
}

#[tokio::test]
async fn error_statuses_store_nothing() {
    let (sim, http) = start().await;
    set_faults(&sim, &http, json!({"fail_next": 3})).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let r = create(&sim, &http, "kasmweb/a:1")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [500, 502, 503, 200]);
    assert_eq!(sim.images().len(), 1, "only the last create happened");
}

#[tokio::test]
async fn a_lost_answer_still_creates_the_image() {
    let (sim, http) = start().await;
    set_faults(&sim, &http, json!({"drop_next": 1})).await;
    let lost = create(&sim, &http, "kasmweb/a:1").send().await;
    assert!(lost.is_err(), "the client hears nothing: {lost:?}");
    assert_eq!(sim.images().len(), 1, "but the server did the work");
    let ok = create(&sim, &http, "kasmweb/b:1")
        .send()
        .await
        .map(|r| r.status().as_u16());
    assert_eq!(ok.ok(), Some(200));
}

#[tokio::test]
async fn a_hang_outlasts_the_client_then_happens() {
    let (sim, http) = start().await;
    set_faults(&sim, &http, json!({"hang_rate": 1.0, "hang_ms": 1500})).await;
    let r = create(&sim, &http, "kasmweb/a:1")
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    assert!(r.is_err_and(|e| e.is_timeout()));
    assert!(sim.images().is_empty(), "not yet");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        sim.images().len(),
        1,
        "the hung request went through after the client gave up"
    );
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let (sim, http) = start().await;
    set_faults(&sim, &http, json!({"rate_limit": 2})).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let r = create(&sim, &http, "kasmweb/a:1")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        seen.push((
            r.status().as_u16(),
            r.headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap_or("").to_owned()),
        ));
    }
    assert_eq!(seen[2], (429, Some("1".to_owned())));
    assert_eq!(sim.images().len(), 2);
}

#[tokio::test]
async fn latency_and_counters() {
    let config = Config {
        keys: vec![ApiKey::admin("k", "s")],
        agent_delay: None,
        faults: kasm_sim::Faults {
            latency_ms: 150,
            ..Default::default()
        },
        ..Config::default()
    };
    let sim = Simulator::start(config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let http = reqwest::Client::new();
    let t = Instant::now();
    let r = create(&sim, &http, "kasmweb/a:1")
        .send()
        .await
        .map(|r| r.status().as_u16());
    assert_eq!(r.ok(), Some(200));
    assert!(t.elapsed() >= Duration::from_millis(150));
    let counts: Value = http
        .get(format!("{}/_sim/requests", sim.url()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(counts["/api/admin/create_image"], json!(1));
    let current: Value = http
        .get(format!("{}/_sim/faults", sim.url()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(current["latency_ms"], json!(150));
    let bad = http
        .post(format!("{}/_sim/faults", sim.url()))
        .json(&json!({"latency": 1}))
        .send()
        .await
        .map(|r| r.status().as_u16());
    assert_eq!(bad.ok(), Some(400), "unknown fault names are refused");
}

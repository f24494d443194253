//! The `kasm-sim` binary: prints where it listens, serves a seed, keeps a data file.

#![allow(clippy::panic)] // test helpers: a failure should stop the test

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the simulator on a free port (tests run in parallel).
fn spawn(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kasm-sim"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("read: {e}"));
    if line.is_empty() {
        // It stopped before saying where it listens: show why.
        let mut why = String::new();
        if let Some(err) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut BufReader::new(err), &mut why);
        }
        let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
        panic!("kasm-sim {args:?} exited ({status}) without a URL: {why}");
    }
    (Running(child), line.trim().to_owned())
}

/// POSTs `body` with the key's credentials added; status and JSON answer.
async fn post(url: &str, path: &str, key: &str, secret: &str, mut body: Value) -> (u16, Value) {
    if let Some(obj) = body.as_object_mut() {
        obj.insert("api_key".into(), json!(key));
        obj.insert("api_key_secret".into(), json!(secret));
    }
    let r = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

async fn list(url: &str, key: &str, secret: &str) -> (u16, Value) {
    post(url, "/api/public/get_images", key, secret, json!({})).await
}

#[tokio::test]
async fn serves_the_seed_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().join("kasm.json");
    // Found when the test runs: one target dir serves several checkouts.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|e| panic!("{e}"));
    let seed = format!("{manifest}/../../examples/observed-images.json");
    let seed = seed.as_str();
    let data_arg = data.to_string_lossy().into_owned();
    let (sim, url) = spawn(&[
        "--seed",
        seed,
        "--data",
        &data_arg,
        "--api-key",
        "k",
        "--api-secret",
        "s",
    ]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let (status, body) = list(&url, "k", "s").await;
    assert_eq!(status, 200);
    assert_eq!(body["images"].as_array().map(Vec::len), Some(3));
    let target = json!({"target_image": {"image_id": "50faa5439c574b518cd868dac9256e4b"}});
    let (status, _) = post(&url, "/api/admin/delete_image", "k", "s", target).await;
    assert_eq!(status, 200);
    drop(sim);
    // Restarted on the same data file, the seed is not read again.
    let (_sim, url) = spawn(&[
        "--seed",
        seed,
        "--data",
        &data_arg,
        "--api-key",
        "k",
        "--api-secret",
        "s",
    ]);
    assert_eq!(
        list(&url, "k", "s").await.1["images"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn key_flags() {
    let (_sim, url) = spawn(&[
        "--api-key",
        "k",
        "--api-secret",
        "s",
        "--permissions",
        "view",
        "--read-only",
    ]);
    assert_eq!(list(&url, "k", "s").await.0, 200);
    let create = json!({"target_image": {"name": "x"}});
    assert_eq!(
        post(&url, "/api/admin/create_image", "k", "s", create)
            .await
            .0,
        401
    );
    let (_sim, url) = spawn(&["--api-key", "k", "--api-secret", "s", "--expired"]);
    let (status, body) = list(&url, "k", "s").await;
    assert_eq!(
        (status, body["error_message"].clone()),
        (401, json!("Access has expired"))
    );
}

#[test]
fn bad_arguments_fail_clearly() {
    let out = Command::new(env!("CARGO_BIN_EXE_kasm-sim"))
        .args(["--seed", "/nonexistent/seed.json"])
        .output();
    let out = out.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/seed.json"));
    let out = Command::new(env!("CARGO_BIN_EXE_kasm-sim"))
        .args(["--faults", "{\"nope\": 1}"])
        .output();
    assert_eq!(
        out.map(|o| o.status.code()).ok().flatten(),
        Some(2),
        "clap rejects bad faults JSON"
    );
}

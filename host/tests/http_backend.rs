//! The `http` state backend against a server that follows Terraform's HTTP
//! backend protocol strictly, with the CLI applying to the Kasm simulator.

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::http_backend::{HttpBackend, PASSWORD, USER};
use common::kasm::Kasm;
use common::{code, out, output, specs, stderr, stdout, together};
use serde_json::{Value, json};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A kasm-plan command with the http backend, configured as Terraform's is:
/// `TF_HTTP_*` in the environment.
fn with_http(k: &Kasm, server: &HttpBackend, args: &[&str]) -> Command {
    let mut c = k.command(args);
    c.env("KASM_PLAN_BACKEND", "http")
        .env("TF_HTTP_ADDRESS", &server.url)
        .env("TF_HTTP_LOCK_ADDRESS", &server.url)
        .env("TF_HTTP_USERNAME", USER)
        .env("TF_HTTP_PASSWORD", PASSWORD)
        .env("TF_HTTP_RETRY_WAIT_MIN", "0");
    c
}

fn stored_state(server: &HttpBackend) -> Value {
    server
        .stored()
        .data
        .as_deref()
        .map(common::by_type)
        .unwrap_or_default()
}

#[test]
fn applies_keep_their_state_behind_the_endpoint_under_its_lock() {
    let server = HttpBackend::start();
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(3, 2048));
    let o = output(&mut with_http(
        &k,
        &server,
        &["apply", &file, "--auto-approve"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(!k.path("kasm-plan.state.json").exists());
    assert_eq!(
        stored_state(&server)["resources"]
            .as_object()
            .map(|r| r.len()),
        Some(3)
    );
    {
        let s = server.stored();
        assert!(s.lock.is_none(), "the lock is released at the end");
        assert!(s.writes >= 1);
        assert_eq!(
            s.write_ids.len() as u32,
            s.writes,
            "every write names its lock"
        );
    }
    let o = output(&mut with_http(
        &k,
        &server,
        &["plan", &file, "--detailed-exitcode"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));

    // Wrong credentials: a clear error, nothing applied.
    let o = output(with_http(&k, &server, &["plan", &file]).env("TF_HTTP_PASSWORD", "wrong"));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("answered 401"), "{}", out(&o));
    assert!(!stderr(&o).contains("wrong"), "{}", out(&o));

    // 503s are retried.
    server.stored().fail_next = 2;
    let o = output(&mut with_http(
        &k,
        &server,
        &["plan", &file, "--detailed-exitcode"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));

    // A password in the configuration is refused.
    k.write(
        "main.tf",
        &format!(
            "terraform {{\n  backend \"http\" {{\n    address  = \"{}\"\n    password = \"hunter2\"\n  }}\n}}\n{}",
            server.url,
            specs(1, 2048)
        ),
    );
    let o = k.run(&["plan"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("TF_HTTP_PASSWORD"), "{}", out(&o));
    assert!(!stderr(&o).contains("hunter2"), "{}", out(&o));
    // Workspaces: only the default one, as Terraform's http backend.
    let o = output(with_http(&k, &server, &["plan", &file]).env("KASM_PLAN_WORKSPACE", "qa"));
    assert_eq!(code(&o), 1, "{}", out(&o));
}

#[test]
fn a_held_lock_names_its_holder_and_only_its_id_releases_it() {
    let server = HttpBackend::start();
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(1, 2048));
    server.stored().lock = Some(json!({
        "ID": "3f1b-lock", "Operation": "OperationTypeApply", "Who": "bob@ci-runner",
        "Version": "1.9.0", "Created": "2026-11-27T10:00:00Z", "Info": "", "Path": ""
    }));
    let o = output(&mut with_http(
        &k,
        &server,
        &["apply", &file, "--auto-approve"],
    ));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains(
            "lock 3f1b-lock, `OperationTypeApply` by bob@ci-runner, since 2026-11-27T10:00:00Z"
        ),
        "{}",
        out(&o)
    );
    assert_eq!(k.images().len(), 0);
    let o = output(&mut with_http(
        &k,
        &server,
        &["state", "force-unlock", "not-the-id"],
    ));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("answered 409"), "{}", out(&o));
    let o = output(&mut with_http(
        &k,
        &server,
        &["state", "force-unlock", "3f1b-lock"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = output(&mut with_http(
        &k,
        &server,
        &["apply", &file, "--auto-approve"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));
}

#[test]
fn two_concurrent_applies_never_both_write() {
    let server = HttpBackend::start();
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(15, 2048));
    k.faults(json!({"latency_ms": 20}));
    let apply = || {
        with_http(
            &k,
            &server,
            &["apply", &file, "--auto-approve", "--lock-timeout", "60"],
        )
    };
    let [a, b] =
        <[_; 2]>::try_from(together([apply(), apply()])).unwrap_or_else(|_| panic!("two runs"));
    assert_eq!((code(&a), code(&b)), (0, 0), "{}\n{}", out(&a), out(&b));
    let created = [&a, &b]
        .iter()
        .filter(|o| stdout(o).contains("Apply complete! Resources: 15 added"))
        .count();
    assert_eq!(created, 1, "{}\n{}", out(&a), out(&b));
    assert_eq!(k.images().len(), 15);
}

#[test]
fn a_killed_apply_leaves_its_lock_which_force_unlock_releases_then_the_run_converges() {
    let server = HttpBackend::start();
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(80, 2048));
    k.faults(json!({"latency_ms": 15}));
    let mut child = with_http(&k, &server, &["apply", &file, "--auto-approve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    while k.images().len() < 10 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(k.images().len() < 80, "the kill came after the end");
    let id = server
        .stored()
        .lock
        .as_ref()
        .map(|l| l["ID"].as_str().unwrap_or("").to_owned());
    let id = id.unwrap_or_else(|| panic!("a killed run leaves the lock held"));
    k.faults(json!({}));
    let o = output(&mut with_http(
        &k,
        &server,
        &["apply", &file, "--auto-approve"],
    ));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains(&format!("lock {id}, `kasm-plan apply`")),
        "{}",
        out(&o)
    );
    let o = output(&mut with_http(&k, &server, &["state", "force-unlock", &id]));
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = output(&mut with_http(
        &k,
        &server,
        &["apply", &file, "--auto-approve"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.images().len(), 80, "no duplicates");
    assert_eq!(
        stored_state(&server)["resources"]
            .as_object()
            .map(|r| r.len()),
        Some(80)
    );
}

/// A state of format 1 behind the endpoint is upgraded by the first write;
/// the protocol has no second place, so its text is kept in the working
/// directory.
#[test]
fn a_format_1_state_is_upgraded_and_kept_in_the_working_directory() {
    let server = HttpBackend::start();
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(2, 2048));
    let o = output(&mut with_http(
        &k,
        &server,
        &["apply", &file, "--auto-approve"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));
    let v1 = common::format_1(&stored_state(&server));
    server.stored().data = Some(v1.clone());
    let file = k.write("images.tf", &specs(3, 2048));
    let o = output(&mut with_http(
        &k,
        &server,
        &["apply", &file, "--auto-approve"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stderr(&o).contains("kept in kasm-plan.http.v1.backup"),
        "{}",
        out(&o)
    );
    assert_eq!(k.read("kasm-plan.http.v1.backup"), v1);
    let raw: Value =
        serde_json::from_str(server.stored().data.as_deref().unwrap_or("")).unwrap_or_default();
    assert_eq!(raw["version"], 4);
    assert_eq!(
        stored_state(&server)["resources"]
            .as_object()
            .map(|r| r.len()),
        Some(3)
    );
}

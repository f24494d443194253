//! `kasm-plan apply`, `import`, `state`, live `plan` and `images`, run as a
//! process against the Kasm simulator over real HTTP.

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::kasm::{KEY, Kasm, SECRET};
use common::{code, out, output, specs, stderr, stdout, together};
use kasm_sim::{ApiKey, Config};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn apply(k: &Kasm, file: &str) -> Output {
    k.run(&["apply", file, "--auto-approve"])
}

#[test]
fn create_then_nothing_to_do_then_update_then_delete() {
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(3, 2048));
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Apply complete! Resources: 3 added, 0 changed, 0 destroyed."),
        "{}",
        out(&o)
    );
    assert_eq!(
        k.names(),
        BTreeMap::from([
            ("App 0".into(), 1),
            ("App 1".into(), 1),
            ("App 2".into(), 1)
        ])
    );
    assert!(k.images().iter().all(|i| i.memory == 2_048_000_000));
    let state = k.state();
    assert_eq!(state["resources"].as_object().map(|r| r.len()), Some(3));
    let serial = state["serial"].as_u64().unwrap_or(0);
    assert!(
        (1..=6).contains(&serial),
        "at most two writes per create (its pending mark, then its record): {serial}"
    );
    assert!(nothing_pending(&state), "{state}");

    // Second run: nothing to do, no write request.
    let creates = k.sim().request_count("/api/public/create_image");
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(stdout(&o).contains("No changes."), "{}", out(&o));
    assert!(
        stdout(&o).contains("0 added, 0 changed, 0 destroyed"),
        "{}",
        out(&o)
    );
    assert_eq!(k.sim().request_count("/api/public/create_image"), creates);
    assert_eq!(k.sim().request_count("/api/public/update_image"), 0);

    // Update: memory up; `plan --detailed-exitcode` sees it first.
    k.write("images.tf", &specs(3, 4096));
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 2, "{}", out(&o));
    assert!(
        stdout(&o).contains("~ memory = 2048 MB -> 4096 MB"),
        "{}",
        out(&o)
    );
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("0 added, 3 changed, 0 destroyed"),
        "{}",
        out(&o)
    );
    assert!(k.images().iter().all(|i| i.memory == 4_096_000_000));
    assert!(k.path("kasm-plan.state.json.backup").exists());

    // Delete: one resource leaves the config.
    k.write("images.tf", &specs(2, 4096));
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("0 added, 0 changed, 1 destroyed"),
        "{}",
        out(&o)
    );
    assert_eq!(k.names().len(), 2);
    assert!(k.state()["resources"].get("kasm_image.app_2").is_none());
}

#[test]
fn drift_is_shown_and_corrected() {
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(1, 2048));
    assert_eq!(code(&apply(&k, &file)), 0);
    let id = k.images()[0].image_id.clone();
    // Someone changes memory in Kasm's UI (a full update, as the UI sends).
    let mut changed = serde_json::to_value(&k.images()[0]).unwrap_or_default();
    let _ = changed.as_object_mut().map(|o| {
        o.retain(|key, _| {
            ["image_id", "name", "friendly_name", "image_src", "cores"].contains(&key.as_str())
        })
    });
    changed["memory"] = json!(8_192_000_000_i64);
    let answer = k.post("update_image", changed);
    assert!(answer.get("image").is_some(), "{answer}");
    let o = k.run(&["plan", &file]);
    assert!(
        stdout(&o).contains("Objects have changed outside of kasm-plan"),
        "{}",
        out(&o)
    );
    assert!(
        stdout(&o).contains("~ memory = 2048 MB -> 8192 MB"),
        "{}",
        out(&o)
    );
    assert!(
        stdout(&o).contains("~ memory = 8192 MB -> 2048 MB"),
        "{}",
        out(&o)
    );
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let image = k
        .images()
        .into_iter()
        .find(|i| i.image_id == id)
        .unwrap_or_else(|| panic!("gone"));
    assert_eq!(image.memory, 2_048_000_000);
}

#[test]
fn import_adopts_an_image_and_refuses_a_second_binding() {
    let k = Kasm::start();
    let made = k.post(
        "create_image",
        json!({"name": "kasmweb/app-0:1.18.0", "friendly_name": "App 0",
        "image_src": "img/app.png", "memory": 2_048_000_000_i64, "cores": 1}),
    );
    let id = made["image"]["image_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let file = k.write("images.tf", &specs(1, 2048));
    // An address the configuration does not declare (a typo): refused, as
    // Terraform refuses it, and the state is untouched.
    let o = k.run(&["import", "kasm_image.app_O", &id]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("the configuration does not declare kasm_image.app_O")
            && stderr(&o).contains("resource \"kasm_image\" \"app_O\""),
        "{}",
        out(&o)
    );
    assert_eq!(k.state()["resources"].as_object().map_or(0, |r| r.len()), 0);
    let o = k.run(&["import", "kasm_image.app_0", &id]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(stdout(&o).contains("Import successful!"), "{}", out(&o));
    assert_eq!(
        k.state()["resources"]["kasm_image.app_0"]["image_id"],
        id.as_str()
    );
    // The config matching the image: nothing to create.
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    // The same id under another declared address, or with hyphens: refused.
    let other = "resource \"kasm_image\" \"other\" {\n  name = \"kasmweb/other:1.18.0\"\n  image_src = \"img/o.png\"\n  friendly_name = \"Other\"\n}\n";
    k.write("images.tf", &format!("{}{other}", specs(1, 2048)));
    let hyphenated = format!(
        "{}-{}-{}-{}-{}",
        &id[..8],
        &id[8..12],
        &id[12..16],
        &id[16..20],
        &id[20..]
    );
    let o = k.run(&["import", "kasm_image.other", &hyphenated]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("already bound to kasm_image.app_0"),
        "{}",
        out(&o)
    );
    let o = k.run(&[
        "import",
        "kasm_image.other",
        "00000000000000000000000000000000",
    ]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("Kasm has no image with id"),
        "{}",
        out(&o)
    );
    // state list / show / rm
    let o = k.run(&["state", "list"]);
    assert_eq!(stdout(&o).trim(), "kasm_image.app_0");
    let o = k.run(&["state", "show", "kasm_image.app_0"]);
    assert!(
        stdout(&o).contains("    memory ") && stdout(&o).contains("= 2048 MB"),
        "{}",
        out(&o)
    );
    let o = k.run(&["state", "rm", "kasm_image.app_0"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.state()["resources"], json!({}));
    assert_eq!(k.images().len(), 1, "rm leaves the image on Kasm");
}

#[test]
fn prevent_destroy_refuses_the_apply_and_changes_nothing() {
    let k = Kasm::start();
    let guarded = specs(2, 2048).replacen(
        "  cores = 1\n}",
        "  cores = 1\n  lifecycle {\n    prevent_destroy = true\n  }\n}",
        1,
    );
    let file = k.write("images.tf", &guarded);
    assert_eq!(code(&apply(&k, &file)), 0);
    k.write("images.tf", "");
    let o = apply(&k, &file);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("prevent_destroy"), "{}", out(&o));
    assert_eq!(k.images().len(), 2);
    assert_eq!(k.sim().request_count("/api/public/delete_image"), 0);
}

#[test]
fn prevent_destroy_is_recorded_when_added_and_when_cleared() {
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(1, 2048));
    assert_eq!(code(&apply(&k, &file)), 0);
    let guard = |on: bool| {
        specs(1, 2048).replacen(
            "  cores = 1\n}",
            &format!("  cores = 1\n  lifecycle {{\n    prevent_destroy = {on}\n  }}\n}}"),
            1,
        )
    };
    // Added to an applied image: an apply that changes nothing records it...
    k.write("images.tf", &guard(true));
    let o = apply(&k, &file);
    assert!(stdout(&o).contains("0 added, 0 changed"), "{}", out(&o));
    assert_eq!(
        k.state()["resources"]["kasm_image.app_0"]["prevent_destroy"],
        true
    );
    // ...so removing the block is refused, and says what the refusal is.
    k.write("images.tf", "");
    let o = apply(&k, &file);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains(
            "Error: kasm_image.app_0 has lifecycle.prevent_destroy set, but the plan would delete it; nothing was applied"
        ),
        "{}",
        out(&o)
    );
    let o = k.run(&["plan", &file]);
    assert!(
        stderr(&o).contains("; nothing was planned") && !stderr(&o).contains("not valid"),
        "{}",
        out(&o)
    );
    assert_eq!(k.images().len(), 1);
    // The refusal's help is true: prevent_destroy = false, applied, then removal deletes.
    k.write("images.tf", &guard(false));
    assert_eq!(code(&apply(&k, &file)), 0);
    assert!(
        k.state()["resources"]["kasm_image.app_0"]
            .get("prevent_destroy")
            .is_none_or(|v| v == false)
    );
    k.write("images.tf", "");
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(stdout(&o).contains("1 destroyed"), "{}", out(&o));
    assert_eq!(k.images().len(), 0);
}

#[test]
fn a_saved_plan_applies_exactly_or_is_refused_as_stale() {
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(2, 2048));
    let o = k.run(&["plan", &file, "--out", "plan.json"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = k.run(&["apply", "plan.json", "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.images().len(), 2);

    // A plan made, then the server changes: refused, nothing applied.
    k.write("images.tf", &specs(3, 2048));
    assert_eq!(code(&k.run(&["plan", &file, "--out", "plan.json"])), 0);
    k.post(
        "create_image",
        json!({"name": "kasmweb/other:1", "friendly_name": "Other"}),
    );
    let _ = k.post("delete_image", json!({"image_id": k.images()[0].image_id}));
    let o = k.run(&["apply", "plan.json", "--auto-approve"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("stale plan"), "{}", out(&o));
    // Two creates from the first plan, one by the other admin, none from the stale plan.
    assert_eq!(k.sim().request_count("/api/public/create_image"), 3);

    // A plan made, then the spec file changes: refused.
    assert_eq!(code(&k.run(&["plan", &file, "--out", "plan.json"])), 0);
    k.write("images.tf", &specs(4, 2048));
    let o = k.run(&["apply", "plan.json", "--auto-approve"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("stale plan: images.tf changed"),
        "{}",
        out(&o)
    );

    // A plan saved in another format (an older or newer kasm-plan): refused.
    assert_eq!(code(&k.run(&["plan", &file, "--out", "plan.json"])), 0);
    let saved: Value = serde_json::from_str(&k.read("plan.json")).unwrap_or_default();
    assert_eq!(saved["version"], 4);
    let before = k.images().len();
    for (version, why) in [(3, "older kasm-plan"), (5, "newer kasm-plan")] {
        let mut other = saved.clone();
        other["version"] = json!(version);
        k.write("other.json", &other.to_string());
        let o = k.run(&["apply", "other.json", "--auto-approve"]);
        assert_eq!(code(&o), 1, "{}", out(&o));
        assert!(
            stderr(&o).contains(why) && stderr(&o).contains("plan --out"),
            "{}",
            out(&o)
        );
    }
    assert_eq!(
        k.images().len(),
        before,
        "nothing applied from the refused plans"
    );
}

#[test]
fn a_second_apply_fails_cleanly_while_the_first_holds_the_lock() {
    let k = Kasm::start();
    k.faults(json!({"latency_ms": 300}));
    let file = k.write("images.tf", &specs(6, 2048));
    let mut first = k
        .command(&["apply", &file, "--auto-approve", "--parallelism", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // Wait until the first run holds the lock (it has written its holder line).
    let lock = k.path("kasm-plan.state.json.lock");
    for _ in 0..200 {
        if std::fs::read_to_string(&lock).is_ok_and(|t| t.contains("apply")) {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let second = apply(&k, &file);
    assert_eq!(code(&second), 1, "{}", out(&second));
    assert!(
        stderr(&second).contains("is locked by another run (pid")
            && stderr(&second).contains("`kasm-plan apply`, since 20")
            && stderr(&second).contains("waited 0s"),
        "{}",
        out(&second)
    );
    let first = first.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(first.success());
    assert_eq!(k.names().len(), 6);
    assert!(k.names().values().all(|n| *n == 1), "{:?}", k.names());
    assert!(!lock.exists(), "no lock file outlives its run");
    // With a wait, runs queue behind each other: three at once, each image once.
    k.faults(json!({"latency_ms": 20}));
    let file = k.write("images.tf", &specs(9, 2048));
    let apply = || k.command(&["apply", &file, "-auto-approve", "-lock-timeout=60s"]);
    for o in together([apply(), apply(), apply()]) {
        assert_eq!(code(&o), 0, "{}", out(&o));
    }
    assert_eq!(k.names().len(), 9);
    assert!(k.names().values().all(|n| *n == 1), "{:?}", k.names());
    assert!(!lock.exists(), "no lock file outlives its run");
}

#[test]
fn error_and_rate_limit_storms_are_survived_without_duplicates() {
    let k = Kasm::start();
    k.faults(
        json!({"error_rate": 0.3, "error_statuses": [500, 502, 503], "rate_limit": 40, "seed": 7}),
    );
    let file = k.write("images.tf", &specs(30, 2048));
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.names().len(), 30);
    assert!(k.names().values().all(|n| *n == 1), "{:?}", k.names());
    k.faults(json!({}));
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
}

#[test]
fn lost_answers_never_make_duplicates() {
    let k = Kasm::start();
    k.faults(json!({"drop_rate": 0.4, "seed": 3}));
    let file = k.write("images.tf", &specs(20, 2048));
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("recognised after a lost answer"),
        "{}",
        out(&o)
    );
    assert_eq!(k.names().len(), 20);
    assert!(k.names().values().all(|n| *n == 1), "{:?}", k.names());
    assert_eq!(
        k.state()["resources"].as_object().map(|r| r.len()),
        Some(20)
    );
}

/// A state this build cannot read faithfully is refused and left as it is.
#[test]
fn a_newer_or_unknown_state_is_refused_and_left_alone() {
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(1, 2048));
    let before = k.images().len();
    let cases = [
        (
            r#"{"version": 99, "serial": 3, "lineage": "l", "resources": {}}"#,
            "format version 99, written by a newer kasm-plan",
        ),
        (
            r#"{"version": 1, "serial": 3, "lineage": "l", "resources": {}, "check_results": {}}"#,
            "unknown field `check_results`",
        ),
    ];
    for (text, why) in cases {
        k.write("kasm-plan.state.json", text);
        for args in [
            vec!["apply", file.as_str(), "--auto-approve"],
            vec!["plan", file.as_str()],
            vec!["state", "list"],
        ] {
            let o = k.run(&args);
            assert_eq!(code(&o), 1, "{args:?}: {}", out(&o));
            assert!(stderr(&o).contains(why), "{args:?}: {}", out(&o));
        }
        let now = std::fs::read_to_string(k.path("kasm-plan.state.json")).unwrap_or_default();
        assert_eq!(now, text, "the state is untouched");
        assert!(!k.path("kasm-plan.state.json.backup").exists());
    }
    assert_eq!(k.images().len(), before, "nothing was applied");
}

/// The backup of the state is as private as the state.
#[cfg(unix)]
#[test]
fn the_backup_has_the_state_s_mode() {
    use std::os::unix::fs::PermissionsExt;
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(1, 2048));
    assert_eq!(code(&apply(&k, &file)), 0);
    let file = k.write("images.tf", &specs(2, 2048));
    assert_eq!(code(&apply(&k, &file)), 0);
    for name in ["kasm-plan.state.json", "kasm-plan.state.json.backup"] {
        let mode = std::fs::metadata(k.path(name))
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_default();
        assert_eq!(mode, 0o600, "{name}");
    }
}

/// An image nobody manages that equals a managed one is reported, never silently kept.
#[test]
fn a_hand_made_duplicate_is_reported_by_plan() {
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(2, 2048));
    assert_eq!(code(&apply(&k, &file)), 0);
    let made = k.post(
        "create_image",
        json!({"name": "kasmweb/app-1:1.18.0", "friendly_name": "App 1",
        "image_src": "img/app.png", "memory": 2_048_000_000_i64, "cores": 1, "enabled": true}),
    );
    let extra = made["image"]["image_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "nothing to change: {}", out(&o));
    assert!(
        stdout(&o).contains(&format!(
            "Kasm holds 1 image(s) equal to kasm_image.app_1 that no address manages: {extra}"
        )),
        "{}",
        out(&o)
    );
    let o = k.run(&["plan", &file, "--json"]);
    let json: Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
    assert_eq!(
        json["duplicates"],
        json!([{"address": "kasm_image.app_1", "image_ids": [extra]}])
    );
    assert_eq!(k.images().len(), 3, "never removed unasked");
    // Asked for: planned as a destroy, deleted, and the state is untouched.
    let o = k.run(&["plan", &file, "--delete-duplicates", "--detailed-exitcode"]);
    assert_eq!(code(&o), 2, "{}", out(&o));
    assert!(
        stdout(&o).contains("a duplicate of kasm_image.app_1 will be destroyed"),
        "{}",
        out(&o)
    );
    let state = k.state();
    let o = k.run(&["apply", &file, "--auto-approve", "--delete-duplicates"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("0 added, 0 changed, 1 destroyed"),
        "{}",
        out(&o)
    );
    assert_eq!(k.images().len(), 2);
    assert!(k.images().iter().all(|i| i.image_id != extra));
    assert_eq!(k.state()["resources"], state["resources"]);
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(!stdout(&o).contains("no address manages"), "{}", out(&o));
}

/// Creates that time out may still land: they are watched for, never sent again.
#[test]
fn hung_creates_never_make_duplicates() {
    let k = Kasm::start();
    k.faults(json!({"hang_rate": 0.05, "hang_ms": 3000, "seed": 11}));
    let file = k.write("images.tf", &specs(120, 2048));
    let o = k.run(&["apply", &file, "--auto-approve", "--request-timeout", "1"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("recognised after a lost answer"),
        "no create hung: {}",
        out(&o)
    );
    // Hung requests still running on the simulator land within hang_ms.
    std::thread::sleep(Duration::from_millis(3500));
    assert_eq!(k.images().len(), 120, "{:?}", k.names());
    assert!(k.names().values().all(|n| *n == 1), "{:?}", k.names());
    assert_eq!(
        k.state()["resources"].as_object().map(|r| r.len()),
        Some(120)
    );
}

/// A create that hangs longer than the client watches for it is left for the
/// next run, which adopts the image it made.
#[test]
fn a_create_hanging_past_the_watch_is_adopted_by_the_next_run() {
    let k = Kasm::start();
    k.faults(json!({"hang_rate": 0.2, "hang_ms": 7000, "seed": 5}));
    let file = k.write("images.tf", &specs(10, 2048));
    let o = k.run(&["apply", &file, "--auto-approve", "--request-timeout", "1"]);
    k.faults(json!({}));
    assert_eq!(code(&o), 1, "a create hung past the watch: {}", out(&o));
    assert!(
        stderr(&o).contains("it adopts the image if the create completed"),
        "{}",
        out(&o)
    );
    std::thread::sleep(Duration::from_millis(7500));
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.images().len(), 10, "{:?}", k.names());
    assert!(k.names().values().all(|n| *n == 1), "{:?}", k.names());
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
}

#[test]
fn a_killed_apply_converges_on_the_next_run() {
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(200, 2048));
    k.faults(json!({"latency_ms": 15}));
    for round in 0..3u64 {
        let mut child = k
            .command(&["apply", &file, "--auto-approve"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        // A different point each round, somewhere in the middle of the creates.
        std::thread::sleep(Duration::from_millis(
            150 + fastrand::u64(0..250) + round * 60,
        ));
        let _ = child.kill();
        let _ = child.wait();
        let made = k.images().len();
        assert!(
            made < 200 || round > 0,
            "round {round}: the kill came after the end ({made})"
        );
    }
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.names().len(), 200);
    assert!(
        k.names().values().all(|n| *n == 1),
        "duplicates: {:?}",
        k.names()
            .iter()
            .filter(|(_, n)| **n > 1)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        k.state()["resources"].as_object().map(|r| r.len()),
        Some(200)
    );
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
}

#[test]
fn wrong_or_read_only_keys_are_clear_errors_and_change_nothing() {
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(2, 2048));
    let o = k
        .command(&["apply", &file, "--auto-approve"])
        .env("KASM_API_KEY_SECRET", "wrong")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("Access Denied"), "{}", out(&o));
    let o = k
        .command(&["apply", &file, "--auto-approve"])
        .env("KASM_API_KEY", "ro-key")
        .env("KASM_API_KEY_SECRET", "ro-secret")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("Unauthorized"), "{}", out(&o));
    assert!(k.images().is_empty());
    // A create's pending mark may have written the state; the refusal took it
    // out again, so nothing is bound and nothing is pending.
    if k.path("kasm-plan.state.json").exists() {
        let state = k.state();
        assert!(
            state["resources"].as_object().is_none_or(|r| r.is_empty()),
            "{state}"
        );
        assert!(nothing_pending(&state), "{state}");
    }
    let o = k
        .command(&["plan", &file])
        .env_remove("KASM_API_KEY")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("set KASM_API_KEY and KASM_API_KEY_SECRET"),
        "{}",
        out(&o)
    );
}

#[test]
fn basic_auth_works_and_secrets_stay_out_of_output_and_state() {
    let k = Kasm::start();
    let spec = "resource \"kasm_image\" \"private\" {\n  name = \"registry.example.com/team/app:2.0\"\n  image_src = \"img/app.png\"\n  friendly_name = \"Private\"\n  docker_registry = \"https://registry.example.com\"\n  docker_user = \"robot\"\n  docker_token = \"tok-5e6f7a8b9c0d\"\n}\n";
    let file = k.write("images.tf", spec);
    let o = k.run(&["apply", &file, "--auto-approve", "--auth", "basic"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let state = std::fs::read_to_string(k.path("kasm-plan.state.json")).unwrap_or_default();
    for text in [stdout(&o), stderr(&o), state.clone()] {
        assert!(!text.contains("tok-5e6f7a8b9c0d"), "token leaked: {text}");
        assert!(!text.contains(SECRET), "API secret leaked: {text}");
    }
    assert!(
        state.contains("sha256:"),
        "the token is kept as a fingerprint"
    );
    assert_eq!(
        k.images()[0].docker_token.as_deref(),
        Some("tok-5e6f7a8b9c0d"),
        "Kasm got the token"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(k.path("kasm-plan.state.json"))
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o600);
    }
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
}

#[test]
fn apply_without_a_terminal_needs_auto_approve() {
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(1, 2048));
    let o = k.run(&["apply", &file]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("-auto-approve"), "{}", out(&o));
    assert!(k.images().is_empty());
}

#[test]
fn terraform_spellings_plan_out_then_apply_the_saved_plan_without_asking() {
    let k = Kasm::start();
    k.write("images.tf", &specs(2, 2048));
    // Terraform's single-dash flags, `-flag=value` and durations.
    let o = k.run(&[
        "plan",
        "-out=tfplan",
        "-lock-timeout=10s",
        "-input=false",
        "-no-color",
    ]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    // A saved plan is applied as Terraform applies one: reviewed already, no prompt.
    let o = k.run(&["apply", "-input=false", "tfplan"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(stdout(&o).contains("2 added"), "{}", out(&o));
    assert_eq!(k.images().len(), 2);
    // -input=false without -auto-approve refuses to ask.
    k.write("images.tf", &specs(3, 2048));
    let o = k.run(&["apply", "-input=false", "-lock-timeout", "1m30s"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert_eq!(k.images().len(), 2);
    // A bad duration says what it wants; a mistyped flag gets the right one.
    let o = k.run(&["plan", "-lock-timeout=soon"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("write e.g. 10s, 1m30s or 500ms"),
        "{}",
        out(&o)
    );
    let o = k.run(&["apply", "-auto-aprove"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("--auto-approve"), "{}", out(&o));
    assert!(!stderr(&o).contains("'-- -a'"), "{}", out(&o));
    // -compact-warnings: one line per warning.
    k.write("images.tf", &specs(1, 2048).replace("1.18.0", "latest"));
    let o = k.run(&["plan", "-compact-warnings"]);
    assert!(
        stdout(&o)
            .lines()
            .any(|l| l.starts_with("Warning: ") && l.contains("[image_tag_latest] (images.tf:")),
        "{}",
        out(&o)
    );
}

#[test]
fn wait_available_waits_for_the_agents() {
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(2, 2048));
    let o = k.run(&["apply", &file, "--auto-approve", "--wait-available=20"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("All 2 new image(s) are available."),
        "{}",
        out(&o)
    );
    assert!(k.images().iter().all(|i| i.available));
}

#[test]
fn images_lists_the_live_server() {
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(3, 2048));
    assert_eq!(code(&apply(&k, &file)), 0);
    let o = k.run(&["images", "--name", "kasmweb/app-[01]:*", "--json"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["images"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["images"][0]["memory"], 2_048_000_000_i64);
}

#[test]
fn without_a_url_the_embedded_simulator_is_used_and_said_so() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("images.tf"), specs(2, 2048)).unwrap_or_else(|e| panic!("{e}"));
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kasm-plan"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("KASM_API_URL")
            .env("KASM_PLAN_CACHE_DIR", common::cache_dir())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let o = run(&["apply", "images.tf", "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stderr(&o).contains("uses the embedded Kasm simulator"),
        "{}",
        out(&o)
    );
    assert!(dir.path().join("kasm-plan.sim.json").exists());
    let o = run(&["plan", "images.tf", "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stderr(&o).contains("uses the embedded Kasm simulator"),
        "{}",
        out(&o)
    );
    let o = run(&["images", "--json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        v["images"].as_array().map(Vec::len),
        Some(4),
        "2 stock + 2 applied"
    );
}

/// A simulator serving HTTPS with a certificate from a private CA; returns the CA's PEM.
fn tls_kasm() -> (Kasm, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut ca_params =
        rcgen::CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| panic!("{e}"));
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "kasm-plan test CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca = ca_params
        .self_signed(&ca_key)
        .unwrap_or_else(|e| panic!("{e}"));
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .and_then(|p| p.signed_by(&key, &issuer))
        .unwrap_or_else(|e| panic!("{e}"));
    let k = Kasm::with(Config {
        keys: vec![ApiKey::admin(KEY, SECRET)],
        tls: Some(kasm_sim::Tls {
            cert_pem: cert.pem().into_bytes(),
            key_pem: key.serialize_pem().into_bytes(),
        }),
        ..Config::default()
    });
    (k, ca.pem())
}

#[test]
fn tls_is_verified_unless_told_otherwise() {
    let (k, ca) = tls_kasm();
    assert!(k.sim().url().starts_with("https://"));
    let file = k.write("images.tf", &specs(1, 2048));
    // An unknown CA: refused before any request.
    let o = k.run(&["plan", &file]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).to_lowercase().contains("certificate"),
        "{}",
        out(&o)
    );
    // Trusting the private CA: works.
    k.write("ca.pem", &ca);
    let o = k.run(&["apply", &file, "--auto-approve", "--ca-cert", "ca.pem"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.images().len(), 1);
    // --insecure works too, and says what it costs.
    let o = k.run(&["plan", &file, "--insecure", "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(stderr(&o).contains("Warning: --insecure"), "{}", out(&o));
    // A file that is not a certificate is a clear error.
    let o = k.run(&["plan", &file, "--ca-cert", "images.tf"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("--ca-cert"), "{}", out(&o));
}

/// A certificate as Kasm's installer makes it (`openssl req -x509 -nodes
/// -newkey ... -subj "/CN=<host>"`): self-signed, `CA:TRUE`, a CN and no
/// subject alternative name. Returns its PEM and its DER.
fn installer_certificate() -> (rcgen::KeyPair, String, Vec<u8>) {
    let key = rcgen::KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut params =
        rcgen::CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| panic!("{e}"));
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    let cert = params.self_signed(&key).unwrap_or_else(|e| panic!("{e}"));
    let (pem, der) = (cert.pem(), cert.der().to_vec());
    (key, pem, der)
}

fn sha256_pin(der: &[u8]) -> String {
    use sha2::Digest;
    let hex: String = sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}:"))
        .collect();
    format!("sha256:{}", hex.trim_end_matches(':'))
}

#[test]
fn an_installer_certificate_is_trusted_when_given_or_pinned_and_nothing_else_is() {
    let (key, pem, der) = installer_certificate();
    let k = Kasm::with(Config {
        keys: vec![ApiKey::admin(KEY, SECRET)],
        tls: Some(kasm_sim::Tls {
            cert_pem: pem.clone().into_bytes(),
            key_pem: key.serialize_pem().into_bytes(),
        }),
        ..Config::default()
    });
    let file = k.write("images.tf", &specs(1, 2048));
    // Unknown: refused, and the error names the fingerprint to pin.
    let o = k.run(&["plan", &file]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    let pin = sha256_pin(&der)
        .replace(':', "")
        .to_lowercase()
        .replacen("sha256", "sha256:", 1);
    assert!(stderr(&o).contains(&pin), "{pin} in {}", out(&o));
    // The certificate itself, as curl's --cacert takes it: trusted.
    k.write("kasm.pem", &pem);
    let o = k.run(&["apply", &file, "--auto-approve", "--ca-cert", "kasm.pem"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    // Its fingerprint, as openssl prints it, on the command line or in the environment.
    let o = k.run(&[
        "plan",
        &file,
        "--detailed-exitcode",
        "--tls-fingerprint",
        &sha256_pin(&der),
    ]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = k
        .command(&["plan", &file, "--detailed-exitcode"])
        .env("KASM_API_TLS_FINGERPRINT", &pin)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&o), 0, "{}", out(&o));
    // Another certificate of the same kind, given or pinned: refused.
    let (_, other_pem, other_der) = installer_certificate();
    k.write("other.pem", &other_pem);
    for trust in [
        vec!["--ca-cert", "other.pem"],
        vec!["--tls-fingerprint", &sha256_pin(&other_der)],
    ] {
        let mut args = vec!["plan", file.as_str()];
        args.extend(trust.iter().copied());
        let o = k.run(&args);
        assert_eq!(code(&o), 1, "{args:?}: {}", out(&o));
        assert!(stderr(&o).contains(&pin), "{args:?}: {}", out(&o));
    }
    // A malformed pin is a clear error.
    let o = k.run(&["plan", &file, "--tls-fingerprint", "sha256:abc"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("--tls-fingerprint"), "{}", out(&o));
}

#[test]
fn a_pin_trusts_the_server_certificate_not_its_ca() {
    let (k, ca) = tls_kasm();
    let file = k.write("images.tf", &specs(1, 2048));
    let ca_der = pem_der(&ca);
    let o = k.run(&["plan", &file, "--tls-fingerprint", &sha256_pin(&ca_der)]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("fingerprint is sha256:"), "{}", out(&o));
}

/// The DER of a one-certificate PEM.
fn pem_der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn refresh_false_and_refresh_only() {
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(1, 2048));
    assert_eq!(code(&apply(&k, &file)), 0);
    let image = serde_json::to_value(&k.images()[0]).unwrap_or_default();
    let answer = k.post("update_image", json!({"image_id": image["image_id"], "name": image["name"],
        "friendly_name": image["friendly_name"], "image_src": image["image_src"], "memory": 3_000_000_000_i64}));
    assert!(answer.get("image").is_some(), "{answer}");
    // Without a refresh the change on Kasm is not seen, and Kasm is not asked.
    let reads = k.sim().request_count("/api/public/get_images");
    let o = k.run(&["plan", &file, "--refresh=false", "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.sim().request_count("/api/public/get_images"), reads);
    // Refresh-only shows the drift and changes no image.
    let o = k.run(&["plan", &file, "--refresh-only"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("~ memory = 2048 MB -> 3000 MB"),
        "{}",
        out(&o)
    );
    assert!(stdout(&o).contains("refresh-only plan"), "{}", out(&o));
    let o = k.run(&["apply", &file, "--refresh-only", "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(
        k.sim().request_count("/api/public/update_image"),
        1,
        "only the other admin's update"
    );
    assert_eq!(
        k.state()["resources"]["kasm_image.app_0"]["attributes"]["memory"],
        3000
    );
    // Now the plan is an ordinary config change, with no drift to report.
    let o = k.run(&["plan", &file]);
    assert!(
        stdout(&o).contains("~ memory = 3000 MB -> 2048 MB"),
        "{}",
        out(&o)
    );
    assert!(!stdout(&o).contains("changed outside"), "{}", out(&o));
}

#[cfg(unix)]
#[test]
fn ctrl_c_finishes_the_requests_in_flight_and_records_them() {
    let k = Kasm::start();
    k.faults(json!({"latency_ms": 50}));
    let file = k.write("images.tf", &specs(60, 2048));
    let child = k
        .command(&["apply", &file, "--auto-approve", "--parallelism", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // Interrupt once some creates are done.
    for _ in 0..200 {
        if k.images().len() >= 4 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success());
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("Interrupt received"), "{}", out(&o));
    assert!(stderr(&o).contains("were not started"), "{}", out(&o));
    let made = k.images().len();
    assert!(made < 60, "stopped early: {made}");
    assert_eq!(
        k.state()["resources"].as_object().map(|r| r.len()),
        Some(made),
        "every image made is in the state"
    );
    k.faults(json!({}));
    assert_eq!(code(&apply(&k, &file)), 0);
    assert_eq!(k.names().len(), 60);
    assert!(k.names().values().all(|n| *n == 1));
}

#[test]
fn a_blocking_policy_stops_apply_before_any_change() {
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(2, 8192));
    let policy = k.write(
        "policy.hcl",
        "rule \"memory-cap\" {\n  check  = \"max_memory\"\n  max_mb = 4096\n  level  = \"soft-mandatory\"\n}\n",
    );
    let o = k.run(&["apply", &file, "--auto-approve", "--policy", &policy]);
    assert_eq!(code(&o), 3, "{}", out(&o));
    assert!(
        stdout(&o).contains("FAIL memory-cap (soft-mandatory)"),
        "{}",
        out(&o)
    );
    assert!(k.images().is_empty());
    let o = k.run(&[
        "apply",
        &file,
        "--auto-approve",
        "--policy",
        &policy,
        "--override-policy",
        "memory-cap",
    ]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Override: soft-mandatory rule `memory-cap`"),
        "{}",
        out(&o)
    );
    assert_eq!(k.images().len(), 2);
}

/// A `for_each` resource over a variable, named `kind`, for `apps`.
fn browsers(kind: &str, apps: &[&str]) -> String {
    let list: Vec<String> = apps.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        "variable \"apps\" {{\n  type    = set(string)\n  default = [{}]\n}}\nresource \"kasm_image\" \"{kind}\" {{\n  for_each      = var.apps\n  name          = \"kasmweb/${{each.key}}:1.18.0\"\n  image_src     = \"img/${{each.key}}.png\"\n  friendly_name = title(each.key)\n  memory        = 2048\n}}\n",
        list.join(", ")
    )
}

/// Image ids by friendly name.
fn ids(k: &Kasm) -> BTreeMap<String, String> {
    k.images()
        .into_iter()
        .map(|i| (i.friendly_name.unwrap_or_default(), i.image_id))
        .collect()
}

#[test]
fn for_each_keys_moves_and_imports_keep_every_image_they_can() {
    let k = Kasm::start();
    let file = k.write("main.tf", &browsers("b", &["chrome", "firefox"]));
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("kasm_image.b[\"chrome\"]: Creation complete"),
        "{}",
        out(&o)
    );
    let first = ids(&k);

    // A changed key replaces that instance only.
    k.write("main.tf", &browsers("b", &["chrome", "edge"]));
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        out(&o)
    );
    let second = ids(&k);
    assert_eq!(
        second.get("Chrome"),
        first.get("Chrome"),
        "chrome kept its image"
    );
    assert!(!second.contains_key("Firefox"));

    // A renamed resource with a moved block keeps every image.
    let moved = format!(
        "{}moved {{\n  from = kasm_image.b\n  to   = kasm_image.browser\n}}\n",
        browsers("browser", &["chrome", "edge"])
    );
    k.write("main.tf", &moved);
    let o = k.run(&["plan", &file]);
    assert!(
        stdout(&o)
            .contains("# kasm_image.b[\"chrome\"] has moved to kasm_image.browser[\"chrome\"]"),
        "{}",
        out(&o)
    );
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("0 added, 0 changed, 0 destroyed"),
        "{}",
        out(&o)
    );
    assert_eq!(ids(&k), second);
    let state = k.state();
    let addresses: Vec<&String> = state["resources"]
        .as_object()
        .map(|r| r.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        addresses,
        [
            "kasm_image.browser[\"chrome\"]",
            "kasm_image.browser[\"edge\"]"
        ]
    );
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(
        code(&o),
        0,
        "the moved block has done its work: {}",
        out(&o)
    );

    // An image made outside is imported by an import block, not created again.
    let made = k.post("create_image", json!({"name": "kasmweb/gimp:1.18.0", "image_src": "img/gimp.png", "friendly_name": "Gimp", "memory": 2_048_000_000_i64, "cores": 1.0}));
    let gimp = made["image"]["image_id"].as_str().unwrap_or("").to_owned();
    assert_eq!(gimp.len(), 32, "{made}");
    let imported = format!(
        "{}import {{\n  to = kasm_image.browser[\"gimp\"]\n  id = \"{gimp}\"\n}}\n",
        browsers("browser", &["chrome", "edge", "gimp"])
    );
    k.write("main.tf", &imported);
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Resources: 1 imported, 0 added"),
        "{}",
        out(&o)
    );
    assert_eq!(
        k.names().get("Gimp"),
        Some(&1),
        "imported, not created again"
    );
    assert_eq!(
        k.state()["resources"]["kasm_image.browser[\"gimp\"]"]["image_id"],
        json!(gimp)
    );
}

#[test]
fn groups_lists_groups_and_the_images_each_may_launch() {
    let k = Kasm::start();
    let o = k.run(&["groups"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("All Users       1000      yes     68d557ac4cac42cca9f31c7c853de0f3"),
        "{}",
        out(&o)
    );
    let file = k.write("images.tf", &specs(1, 2048));
    assert_eq!(code(&apply(&k, &file)), 0);
    let image = k.images()[0].image_id.clone();
    let group = k.call(
        "create_group",
        json!({"target_group": {"name": "dev-team", "priority": 10}}),
    )["group"]["group_id"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    for _ in 0..2 {
        k.call(
            "add_images_group",
            json!({"target_group": {"group_id": group}, "target_image": {"image_id": image}}),
        );
    }
    let o = k.run(&["groups", "--name", "dev-*", "--images", "--json"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let listed: Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
    let groups = listed["groups"].as_array().cloned().unwrap_or_default();
    assert_eq!(groups.len(), 1, "{listed}");
    assert_eq!(groups[0]["name"], json!("dev-team"));
    let rows: Vec<&Value> = groups[0]["images"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(
        rows.len(),
        2,
        "both rows of the duplicated link are shown: {listed}"
    );
    assert!(rows.iter().all(|r| r["image_id"] == json!(image)));
    // Kasm linked the new image to All Users by itself.
    let o = k.run(&["groups", "--name", "All Users", "--images"]);
    assert!(
        stdout(&o).contains(&format!("may launch kasmweb/app-0:1.18.0 ({image})")),
        "{}",
        out(&o)
    );
    // A key without group permissions is an error, never an empty list.
    k.sim().add_key(ApiKey {
        permissions: vec![kasm_sim::Permission::ImagesView],
        ..ApiKey::admin("img-only", "img-secret")
    });
    let o = k
        .command(&["groups"])
        .env("KASM_API_KEY", "img-only")
        .env("KASM_API_KEY_SECRET", "img-secret")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("cannot read the groups") && stderr(&o).contains("Unauthorized"),
        "{}",
        out(&o)
    );
    let o = k.run(&["groups", "--name", "dev-[*"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("--name"), "{}", out(&o));
}

#[test]
fn a_plan_from_another_directory_names_its_state_and_warns_of_unmanaged_namesakes() {
    let k = Kasm::start();
    for dir in ["fleet", "other", "ci"] {
        std::fs::create_dir(k.path(dir)).unwrap_or_else(|e| panic!("{e}"));
    }
    k.write("fleet/images.tf", &specs(2, 2048));
    k.write("other/images.tf", &specs(2, 4096));
    let o = output(&mut k.command(&["-chdir=fleet", "apply", "--auto-approve"]));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(k.path("fleet/kasm-plan.state.json").is_file());
    assert!(!k.path("kasm-plan.state.json").exists());
    let ids: Vec<String> = k.images().iter().map(|i| i.image_id.clone()).collect();
    let ci = k.path("ci");

    // From ci, fleet's configuration with ci's (empty) state: the header says
    // whose state it is, and each create says Kasm already has the image.
    let o = output(k.command(&["plan", "../fleet"]).current_dir(&ci));
    assert_eq!(code(&o), 0, "{}", out(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("Configuration: ../fleet\nState: kasm-plan.state.json (in ")
            && text.contains("-chdir=../fleet plans with the state there"),
        "{text}"
    );
    for id in &ids {
        assert!(
            text.contains(&format!("Kasm already has image {id}")),
            "{id}: {text}"
        );
    }
    assert!(
        text.contains("apply records it for kasm_image.app_0 instead of creating another"),
        "{text}"
    );
    assert!(
        text.contains("images.tf:1:1"),
        "the warning points at the block: {text}"
    );
    assert!(text.contains("import { to = kasm_image.app_1"), "{text}");

    // Same names, other values: the plan says it creates a second image beside each.
    let o = output(k.command(&["plan", "../other"]).current_dir(&ci));
    assert!(
        stdout(&o).contains("this plan creates another beside them"),
        "{}",
        out(&o)
    );

    // -chdir uses the configuration directory's own state: nothing to do.
    let o = output(
        k.command(&["-chdir=../fleet", "plan", "--detailed-exitcode"])
            .current_dir(&ci),
    );
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(!stdout(&o).contains("Configuration:"), "{}", out(&o));
    assert_eq!(k.images().len(), 2);
}

#[test]
fn a_plan_reads_kasm_once() {
    let k = Kasm::start();
    let file = k.write(
        "main.tf",
        &format!(
            "{}resource \"kasm_group\" \"g\" {{\n  name     = \"G\"\n  priority = 50\n}}\n",
            specs(1, 2048)
        ),
    );
    let images = k.sim().request_count("/api/public/get_images");
    let groups = k.sim().request_count("/api/public/get_groups");
    let o = k.run(&["plan", &file]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.sim().request_count("/api/public/get_images"), images + 1);
    assert_eq!(k.sim().request_count("/api/public/get_groups"), groups + 1);
}

#[test]
fn workspace_new_works_in_a_fresh_directory() {
    let k = Kasm::start();
    let o = k.run(&["workspace", "new", "staging"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Created and switched to workspace staging."),
        "{}",
        out(&o)
    );
    assert!(
        k.path("kasm-plan.state.json.d/staging/kasm-plan.state.json")
            .is_file()
    );
    let o = k.run(&["workspace", "list"]);
    assert_eq!(stdout(&o), "  default\n* staging\n", "{}", out(&o));
}

#[test]
fn state_list_rm_and_mv_take_resource_addresses_as_terraform() {
    let k = Kasm::start();
    let config = |name: &str| {
        format!(
            "resource \"kasm_image\" \"{name}\" {{\n  count         = 2\n  name          = \"kasmweb/pool-${{count.index}}:1.18.0\"\n  image_src     = \"img/p.png\"\n  friendly_name = \"Pool ${{count.index}}\"\n}}\nresource \"kasm_image\" \"single\" {{\n  name          = \"kasmweb/single:1.18.0\"\n  image_src     = \"img/s.png\"\n  friendly_name = \"Single\"\n}}\n"
        )
    };
    k.write("main.tf", &config("pool"));
    let o = k.run(&["apply", "-auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = k.run(&["state", "list", "kasm_image.pool"]);
    assert_eq!(
        stdout(&o),
        "kasm_image.pool[0]\nkasm_image.pool[1]\n",
        "{}",
        out(&o)
    );
    // `show` without a plan shows the state, every address as `state show` does.
    let o = k.run(&["show"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(
        stdout(&o).matches("resource \"kasm_image\"").count(),
        3,
        "{}",
        out(&o)
    );
    assert!(stdout(&o).contains("# kasm_image.pool[1]:"), "{}", out(&o));
    let o = k.run(&["show", "-json"]);
    let shown: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shown["resources"], k.state_file()["resources"]);
    // A rename of the whole resource keeps each instance's key; the next plan is empty.
    let o = k.run(&["state", "mv", "kasm_image.pool", "kasm_image.fleet"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Successfully moved 2 object(s)."),
        "{}",
        out(&o)
    );
    assert!(k.path("kasm-plan.state.json.backup").exists());
    k.write("main.tf", &config("fleet"));
    let o = k.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    // Across types, or onto a taken address: refused.
    let o = k.run(&["state", "mv", "kasm_image.single", "kasm_group.single"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    let o = k.run(&["state", "mv", "kasm_image.single", "kasm_image.fleet[0]"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("already in the state"), "{}", out(&o));
    // rm of several addresses; one that names nothing removes nothing.
    let o = k.run(&["state", "rm", "kasm_image.fleet", "kasm_image.nothere"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert_eq!(k.state()["resources"].as_object().map_or(0, |r| r.len()), 3);
    let o = k.run(&["state", "rm", "kasm_image.fleet", "kasm_image.single"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Successfully removed 3 resource instance(s)."),
        "{}",
        out(&o)
    );
    assert_eq!(k.state()["resources"], json!({}));
    let ours = k
        .images()
        .iter()
        .filter(|i| {
            i.friendly_name
                .as_deref()
                .is_some_and(|n| n.starts_with("Pool") || n == "Single")
        })
        .count();
    assert_eq!(ours, 3, "rm leaves the images on Kasm");
}

/// A state of format 1 (what users of the previous release have) is read as
/// it is, upgraded to format 2 by the first write, and its text kept for
/// good beside it; the dependencies of each instance are recorded from then on.
#[test]
fn a_format_1_state_is_upgraded_by_the_first_write_and_kept() {
    let k = Kasm::start();
    // With `more`, an extra image the group depends on.
    let config = |more: bool| {
        let (extra, depends) = if more {
            (
                "resource \"kasm_image\" \"extra\" {\n  name          = \"kasmweb/extra:1.0\"\n  image_src     = \"img/e.png\"\n  friendly_name = \"Extra\"\n}\n",
                "  depends_on = [kasm_image.extra]\n",
            )
        } else {
            ("", "")
        };
        format!(
            "{}{extra}resource \"kasm_group\" \"devs\" {{\n  name     = \"Devs\"\n  priority = 50\n{depends}}}\nresource \"kasm_group_image\" \"devs_app\" {{\n  group_id = kasm_group.devs.id\n  image_id = kasm_image.app_0.id\n}}\n",
            specs(2, 2048)
        )
    };
    let file = k.write("main.tf", &config(false));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let written = k.state();
    let v1 = common::format_1(&written);
    k.write("kasm-plan.state.json", &v1);

    // Read as it is: nothing to change, nothing written.
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = k.run(&["state", "list"]);
    assert_eq!(stdout(&o).lines().count(), 4, "{}", out(&o));
    assert_eq!(k.read("kasm-plan.state.json"), v1, "a plan writes nothing");

    // The first write upgrades it and keeps the format-1 text.
    let file = k.write("main.tf", &config(true));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stderr(&o).contains("from format 1 to 4; the format-1 state is kept in")
            && stderr(&o).contains("kasm-plan.state.json.v1.backup"),
        "{}",
        out(&o)
    );
    assert_eq!(k.read("kasm-plan.state.json.v1.backup"), v1);
    let file_now = k.state_file();
    assert_eq!(file_now["version"], 4);
    // An apply writes at least once (finished actions share writes).
    assert!(file_now["serial"].as_u64() > written["serial"].as_u64());
    assert_eq!(file_now["lineage"], written["lineage"]);
    let entries = file_now["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let entry = |address: &str| {
        entries
            .iter()
            .find(|e| e["address"] == address)
            .cloned()
            .unwrap_or_else(|| panic!("no {address}: {file_now}"))
    };
    assert_eq!(entries.len(), 5, "{file_now}");
    assert_eq!(entry("kasm_group.devs")["type"], "kasm_group");
    assert_eq!(
        entry("kasm_group_image.devs_app")["dependencies"],
        json!(["kasm_group.devs", "kasm_image.app_0"])
    );
    assert_eq!(
        entry("kasm_group.devs")["dependencies"],
        json!(["kasm_image.extra"])
    );
    assert!(entry("kasm_image.app_1").get("dependencies").is_none());

    // Later writes leave the kept text alone and say nothing of an upgrade.
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(!stderr(&o).contains("Upgraded"), "{}", out(&o));
    assert_eq!(k.read("kasm-plan.state.json.v1.backup"), v1);

    // The configuration gone, the recorded dependencies order the destroy:
    // the group (which depended on extra) goes before extra.
    let file = k.write("main.tf", "");
    let o = k.run(&["apply", &file, "--auto-approve", "--parallelism", "1"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let text = stdout(&o);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?}: {}", out(&o)))
    };
    assert!(
        at("kasm_group.devs: Destruction complete") < at("kasm_image.extra: Destruction complete"),
        "{}",
        out(&o)
    );
    assert_eq!(k.state_file()["resources"], json!([]));
}

/// A state of format 3 (the previous release's) or 2 is read as it is and
/// upgraded to format 4 by the first write, its text kept beside it.
#[test]
fn a_format_2_or_3_state_is_upgraded_by_the_first_write_and_kept() {
    for from in [2, 3] {
        let k = Kasm::start();
        let file = k.write("main.tf", &specs(2, 2048));
        let o = k.run(&["apply", &file, "--auto-approve"]);
        assert_eq!(code(&o), 0, "{}", out(&o));
        let mut older = k.state_file();
        older["version"] = json!(from);
        let older = serde_json::to_string_pretty(&older).unwrap_or_default();
        k.write("kasm-plan.state.json", &older);
        let o = k.run(&["plan", &file, "--detailed-exitcode"]);
        assert_eq!(code(&o), 0, "read as it is: {}", out(&o));
        assert_eq!(
            k.read("kasm-plan.state.json"),
            older,
            "a plan writes nothing"
        );
        let o = k.run(&["state", "rm", "kasm_image.app_1"]);
        assert_eq!(code(&o), 0, "{}", out(&o));
        let backup = format!("kasm-plan.state.json.v{from}.backup");
        assert!(
            stderr(&o).contains(&format!(
                "from format {from} to 4; the format-{from} state is kept in"
            )) && stderr(&o).contains(&backup),
            "{}",
            out(&o)
        );
        assert_eq!(k.read(&backup), older);
        assert_eq!(k.state_file()["version"], 4);
    }
}

/// Whether a state view lists no pending create.
fn nothing_pending(state: &serde_json::Value) -> bool {
    state
        .get("pending")
        .is_none_or(|p| p.as_object().is_none_or(serde_json::Map::is_empty))
}

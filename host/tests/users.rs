//! Users and group memberships (`kasm_user`, `kasm_group_membership`)
//! planned and applied by the CLI against the Kasm simulator over real HTTP:
//! the password is sent and never shown or stored, memberships are added
//! once and removed, a plan after an apply is empty.

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::kasm::Kasm;
use common::{code, out, stdout};

const ALL_USERS: &str = "68d557ac4cac42cca9f31c7c853de0f3";

fn config(password: &str, organization: &str, member: bool) -> String {
    let membership = if member {
        r#"
resource "kasm_group_membership" "alice_devs" {
  group_id = kasm_group.devs.id
  user_id  = kasm_user.alice.id
}
"#
    } else {
        ""
    };
    format!(
        r#"
variable "password" {{
  type      = string
  sensitive = true
  default   = "{password}"
}}

resource "kasm_group" "devs" {{
  name     = "Developers"
  priority = 20
}}

resource "kasm_user" "alice" {{
  username     = "alice"
  password     = var.password
  first_name   = "Alice"
  organization = "{organization}"
  groups       = []
  lifecycle {{
    ignore_changes = [groups]
  }}
}}
{membership}"#
    )
}

fn user_id(k: &Kasm, name: &str) -> Option<String> {
    k.sim()
        .users()
        .into_iter()
        .find(|u| u.username == name)
        .map(|u| u.user_id)
}

fn groups_of(k: &Kasm, user: &str) -> Vec<String> {
    k.sim()
        .memberships()
        .into_iter()
        .filter(|m| m.user_id == user)
        .map(|m| m.group_id)
        .collect()
}

#[test]
fn users_and_memberships_apply_and_the_password_stays_secret() {
    let k = Kasm::start();
    let first = "Initial-Passw0rd!";
    let file = k.write("main.tf", &config(first, "Research", true));

    let o = k.run(&["plan", &file]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("kasm_user.alice will be created"),
        "{}",
        out(&o)
    );
    assert!(
        stdout(&o).contains("password     = (sensitive value)"),
        "{}",
        out(&o)
    );
    assert!(
        stdout(&o).contains("user_id  = (known after apply: kasm_user.alice)"),
        "{}",
        out(&o)
    );

    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Apply complete! Resources: 3 added, 0 changed, 0 destroyed."),
        "{}",
        out(&o)
    );
    let alice = user_id(&k, "alice").unwrap_or_else(|| panic!("{}", out(&o)));
    let user = k.sim().users().into_iter().find(|u| u.user_id == alice);
    assert!(
        user.is_some_and(|u| u.password_is(first)),
        "Kasm has the password"
    );
    let devs = k.group_id("Developers").unwrap_or_default();
    assert_eq!(groups_of(&k, &alice), [ALL_USERS.to_owned(), devs.clone()]);
    let state = k.read("kasm-plan.state.json");
    assert!(!state.contains(first), "no password in the state: {state}");
    assert!(!out(&o).contains(first), "no password in the output");
    let view = k.state();
    assert_eq!(view["objects"]["kasm_user.alice"]["id"], alice.as_str());
    assert_eq!(
        view["objects"]["kasm_group_membership.alice_devs"]["id"],
        format!("{devs}:{alice}")
    );

    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "nothing left to do: {}", out(&o));
    let o = k.run(&["state", "show", "kasm_user.alice"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("password     = (sensitive value)"),
        "{}",
        out(&o)
    );
    assert!(
        stdout(&o).contains(&format!("user_id      = \"{alice}\"")),
        "{}",
        out(&o)
    );

    // A new password and organization: one update, the password checked first.
    let weak = k.write("main.tf", &config("short", "Research", true));
    let o = k.run(&["plan", &weak]);
    assert_ne!(code(&o), 0, "{}", out(&o));
    assert!(out(&o).contains("password_rules"), "{}", out(&o));
    assert!(
        !out(&o).contains("short\""),
        "the password is not echoed: {}",
        out(&o)
    );

    let second = "Second-Passw0rd#";
    let file = k.write("main.tf", &config(second, "Platform", true));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Apply complete! Resources: 0 added, 1 changed, 0 destroyed."),
        "{}",
        out(&o)
    );
    assert!(!out(&o).contains(second));
    let user = k.sim().users().into_iter().find(|u| u.user_id == alice);
    assert!(
        user.as_ref().is_some_and(|u| u.password_is(second)),
        "the new password is set"
    );
    assert_eq!(
        user.and_then(|u| u.organization).as_deref(),
        Some("Platform")
    );
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "nothing left to do: {}", out(&o));

    // The membership removed from the configuration is removed from Kasm.
    let file = k.write("main.tf", &config(second, "Platform", false));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Apply complete! Resources: 0 added, 0 changed, 1 destroyed."),
        "{}",
        out(&o)
    );
    assert_eq!(groups_of(&k, &alice), [ALL_USERS.to_owned()]);
}

#[test]
fn a_username_kasm_has_is_refused_with_how_to_import_it() {
    let k = Kasm::start();
    k.call(
        "create_user",
        serde_json::json!({"target_user": {"username": "alice", "password": "x"}}),
    );
    let file = k.write("main.tf", &config("Initial-Passw0rd!", "Research", false));
    let o = k.run(&["plan", &file]);
    assert_ne!(code(&o), 0, "{}", out(&o));
    assert!(out(&o).contains("user_exists"), "{}", out(&o));
    assert!(out(&o).contains("import {"), "{}", out(&o));
}

/// Kasm's users are read a page of 500 at a time, as the user table's list
/// says: a username Kasm has on a later page is found as surely as one on
/// the first.
#[test]
fn a_username_on_a_later_page_of_kasms_users_is_still_found() {
    let k = Kasm::start();
    for i in 0..520 {
        let username = format!("user-{i:04}");
        k.call(
            "create_user",
            serde_json::json!({"target_user": {"username": username, "password": "x"}}),
        );
    }
    k.call(
        "create_user",
        serde_json::json!({"target_user": {"username": "zed", "password": "x"}}),
    );
    let file = k.write(
        "main.tf",
        "resource \"kasm_user\" \"zed\" {\n  username = \"zed\"\n}\n",
    );
    let o = k.run(&["plan", &file]);
    assert_ne!(code(&o), 0, "{}", out(&o));
    assert!(out(&o).contains("user_exists"), "{}", out(&o));
}

#[test]
fn a_user_deleted_outside_is_created_again_and_removing_it_deletes_it() {
    let k = Kasm::start();
    let file = k.write("main.tf", &config("Initial-Passw0rd!", "Research", true));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let alice = user_id(&k, "alice").unwrap_or_default();
    k.call(
        "delete_user",
        serde_json::json!({"target_user": {"user_id": alice}, "force": true}),
    );
    let o = k.run(&["plan", &file]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("it was deleted outside of kasm-plan"),
        "{}",
        out(&o)
    );
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let again = user_id(&k, "alice").unwrap_or_else(|| panic!("made again: {}", out(&o)));
    assert_ne!(again, alice);
    assert_eq!(groups_of(&k, &again).len(), 2, "All Users and the group");

    // Without its blocks, the membership goes first, then the user.
    let file = k.write("main.tf", "");
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(user_id(&k, "alice").is_none(), "{}", out(&o));
    assert!(
        k.state()["objects"]
            .as_object()
            .is_some_and(|o| o.is_empty())
    );
}

/// A group authorized for an image on Kasm, a user in it, and (`session`) a
/// session of the user on the image; `linked`: whether the link is declared.
fn launch(image: &str, linked: bool, session: bool) -> String {
    let link = if linked {
        format!(
            r#"
resource "kasm_group_image" "devs_terminal" {{
  group_id = kasm_group.devs.id
  image_id = "{image}"
}}
"#
        )
    } else {
        String::new()
    };
    let session = if session {
        format!(
            r#"
resource "kasm_session" "alice_terminal" {{
  user_id  = kasm_user.alice.id
  image_id = "{image}"
}}
"#
        )
    } else {
        String::new()
    };
    format!(
        r#"
resource "kasm_group" "devs" {{
  name     = "Developers"
  priority = 20
}}

resource "kasm_user" "alice" {{
  username = "alice"
}}

resource "kasm_group_membership" "alice_devs" {{
  group_id = kasm_group.devs.id
  user_id  = kasm_user.alice.id
}}
{link}{session}"#
    )
}

/// An image made on Kasm outside of kasm-plan, linked to no group (Kasm
/// links it to All Users; that link is removed here).
fn lone_image(k: &Kasm) -> String {
    let made = k.post(
        "create_image",
        serde_json::json!({"name": "kasmweb/terminal:1.18.0", "friendly_name": "Terminal",
               "image_src": "img/t.png", "memory": 2_048_000_000_i64, "cores": 1, "enabled": true}),
    );
    let image = made["image"]["image_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    k.call(
        "remove_images_group",
        serde_json::json!({"target_group": {"group_id": ALL_USERS}, "target_image": {"image_id": image}}),
    );
    image
}

#[test]
fn a_session_kasm_would_refuse_is_an_error_before_anything_changes() {
    let k = Kasm::start();
    let image = lone_image(&k);
    let file = k.write("main.tf", &launch(&image, false, true));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_ne!(code(&o), 0, "{}", out(&o));
    assert!(out(&o).contains("session_not_authorized"), "{}", out(&o));
    assert!(
        out(&o).contains("resource \"kasm_group_image\""),
        "{}",
        out(&o)
    );
    assert!(
        user_id(&k, "alice").is_none(),
        "nothing was made: {}",
        out(&o)
    );
    assert!(k.sim().sessions().is_empty());
}

#[test]
fn a_session_starts_once_is_made_again_when_gone_and_is_destroyed_with_its_block() {
    let k = Kasm::start();
    let image = lone_image(&k);
    let file = k.write("main.tf", &launch(&image, true, true));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let sessions = k.sim().sessions();
    assert_eq!(sessions.len(), 1, "{}", out(&o));
    let first = sessions[0].kasm_id.clone();
    let view = k.state();
    let recorded = &view["objects"]["kasm_session.alice_terminal"];
    assert_eq!(recorded["id"], first.as_str());
    assert_eq!(
        recorded["attributes"]["operational_status"], "running",
        "the apply waited"
    );
    let text = k.read("kasm-plan.state.json");
    assert!(
        !text.contains("kasm_url") && !text.contains("session_token"),
        "{text}"
    );
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "nothing left to do: {}", out(&o));

    // Destroyed outside: made again, with that reason.
    k.call(
        "destroy_kasm",
        serde_json::json!({"kasm_id": first, "user_id": sessions[0].user_id}),
    );
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("it was deleted outside of kasm-plan"),
        "{}",
        out(&o)
    );
    let live: Vec<String> = k
        .sim()
        .sessions()
        .into_iter()
        .map(|s| s.kasm_id)
        .filter(|id| *id != first)
        .collect();
    assert_eq!(live.len(), 1, "one new session: {}", out(&o));

    // Without its block, the session is destroyed.
    let file = k.write("main.tf", &launch(&image, true, false));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Apply complete! Resources: 0 added, 0 changed, 1 destroyed."),
        "{}",
        out(&o)
    );
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
}

#[test]
fn lost_answers_never_leave_two_sessions_for_one_address() {
    let k = Kasm::start();
    let image = lone_image(&k);
    let file = k.write("main.tf", &launch(&image, true, true));
    // Every other answer is lost, reads and request_kasm alike; each run
    // goes as far as it can, and runs are repeated until one finishes.
    k.faults(serde_json::json!({"drop_rate": 0.5, "seed": 7}));
    let finished = (0..12).any(|_| code(&k.run(&["apply", &file, "--auto-approve"])) == 0);
    k.faults(serde_json::json!({}));
    assert!(finished, "an apply finished under lost answers");
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "converged: {}", out(&o));
    let users = k.sim().users();
    assert_eq!(users.iter().filter(|u| u.username == "alice").count(), 1);
    assert_eq!(k.sim().sessions().len(), 1, "one session, never two");
    let recorded = k.state()["objects"]["kasm_session.alice_terminal"]["id"].clone();
    assert_eq!(recorded, k.sim().sessions()[0].kasm_id.as_str());
}

#[test]
fn users_memberships_and_sessions_are_imported_and_the_next_plan_is_empty() {
    let k = Kasm::start();
    let image = lone_image(&k);
    let file = k.write("main.tf", &launch(&image, true, true));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let alice = user_id(&k, "alice").unwrap_or_else(|| panic!("{}", out(&o)));
    let group = k.group_id("Developers").unwrap_or_default();
    let session = k.sim().sessions()[0].kasm_id.clone();
    let addresses = [
        "kasm_user.alice",
        "kasm_group_membership.alice_devs",
        "kasm_session.alice_terminal",
    ];
    let o = k.run(&[&["state", "rm"][..], &addresses[..]].concat());
    assert_eq!(code(&o), 0, "{}", out(&o));

    let membership = format!("{group}:{alice}");
    for (address, id) in addresses
        .iter()
        .zip(["username:alice", &membership, &session])
    {
        let o = k.run(&["import", address, id]);
        assert_eq!(code(&o), 0, "{address} {id}: {}", out(&o));
    }
    let o = k.run(&["import", "kasm_session.alice_terminal", &session]);
    assert_ne!(code(&o), 0, "bound twice: {}", out(&o));
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "nothing to do after the imports: {}", out(&o));
    assert_eq!(k.sim().sessions().len(), 1);
}

/// Waits until `done` holds (a state, never a time), failing with `what`
/// if it has not after two minutes.
fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "{what}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Runs `apply FILE` and kills it (SIGKILL: nothing is flushed or cleaned
/// up) as soon as `reached` holds.
fn apply_killed_when(k: &Kasm, file: &str, what: &str, reached: impl Fn() -> bool) {
    let mut child = k
        .command(&["apply", file, "--auto-approve"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for(what, reached);
    let _ = child.kill();
    let _ = child.wait();
}

/// Stopped (SIGKILL) after Kasm accepted `request_kasm` and before the
/// session was recorded, an apply leaves the create pending in the state.
/// The next run finds the session Kasm started and records it instead of
/// requesting a second one; once its block is gone, it is destroyed.
#[test]
fn a_run_killed_after_request_kasm_leaves_no_second_session_and_no_orphan() {
    let k = Kasm::with(kasm_sim::Config {
        keys: vec![kasm_sim::ApiKey::admin(
            common::kasm::KEY,
            common::kasm::SECRET,
        )],
        // The apply waits for `running`: it is killed during that wait.
        session_start: std::time::Duration::from_secs(3600),
        ..kasm_sim::Config::default()
    });
    let image = lone_image(&k);
    let file = k.write("main.tf", &launch(&image, true, true));
    apply_killed_when(&k, &file, "no session was requested", || {
        !k.sim().sessions().is_empty()
    });
    let started = k.sim().sessions()[0].kasm_id.clone();
    let view = k.state();
    assert!(
        view["pending"]["kasm_session.alice_terminal"].is_object(),
        "the create is pending: {view}"
    );
    assert!(view["objects"]["kasm_session.alice_terminal"].is_null());
    let o = k.run(&["state", "list"]);
    assert!(
        common::stderr(&o)
            .contains("kasm_session.alice_terminal: an earlier run asked Kasm to create it")
            && !stdout(&o).contains("kasm_session"),
        "{}",
        out(&o)
    );

    let o = k.run(&["plan", &file]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        out(&o).contains(&format!("Kasm has it (id {started})"))
            && stdout(&o).contains("No changes."),
        "{}",
        out(&o)
    );
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.sim().sessions().len(), 1, "never a second session");
    let view = k.state();
    assert_eq!(
        view["objects"]["kasm_session.alice_terminal"]["id"],
        started.as_str()
    );
    assert!(view["pending"].as_object().is_some_and(|p| p.is_empty()));
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        !out(&o).contains("interrupted"),
        "settled once: {}",
        out(&o)
    );

    // Killed again on a second session, whose block is then removed: the
    // session it started is found and destroyed, not left running.
    let o = k.run(&[
        "apply",
        &k.write("main.tf", &launch(&image, true, false)),
        "--auto-approve",
    ]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let live = || {
        k.sim()
            .sessions()
            .into_iter()
            .filter(|s| s.deleting_since.is_none())
            .count()
    };
    let file = k.write("main.tf", &launch(&image, true, true));
    apply_killed_when(&k, &file, "no session was requested", || live() > 0);
    let o = k.run(&[
        "apply",
        &k.write("main.tf", &launch(&image, true, false)),
        "--auto-approve",
    ]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("1 destroyed"),
        "the orphan is destroyed: {}",
        out(&o)
    );
    assert_eq!(live(), 0, "no session left running");
}

/// An `import` block binds a user Kasm already has: the apply writes the
/// record, so the binding outlives the block (Terraform's import blocks are
/// removed once applied).
#[test]
fn an_import_block_binds_a_user_and_the_binding_outlives_the_block() {
    let k = Kasm::start();
    k.call(
        "create_user",
        serde_json::json!({"target_user": {"username": "alice", "password": "Initial-Passw0rd!"}}),
    );
    let alice = user_id(&k, "alice").unwrap_or_default();
    let config = config("Initial-Passw0rd!", "Research", false);
    let file = k.write(
        "main.tf",
        &format!("{config}\nimport {{\n  to = kasm_user.alice\n  id = \"username:alice\"\n}}\n"),
    );
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let recorded = k.state()["objects"]["kasm_user.alice"]["id"].clone();
    let canonical = alice.replace('-', "");
    assert_eq!(recorded, canonical.as_str(), "{}", out(&o));

    // The block removed: the user stays bound, nothing is created.
    let file = k.write("main.tf", &config);
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(
        k.sim()
            .users()
            .iter()
            .filter(|u| u.username == "alice")
            .count(),
        1
    );
}

/// Stopped while `create_user` is on its way (Kasm makes the user after the
/// run is gone), an apply leaves the create pending: the next run finds the
/// user by its username and records it, instead of stopping at `user_exists`
/// or making it twice.
#[test]
fn a_run_killed_during_create_user_finds_the_user_next_time() {
    let k = Kasm::start();
    let file = k.write(
        "main.tf",
        "resource \"kasm_user\" \"alice\" {\n  username = \"alice\"\n}\n",
    );
    // Every request is answered late: the user is made after the kill.
    k.faults(serde_json::json!({"hang_rate": 1.0, "hang_ms": 1000}));
    // Killed once the request has reached Kasm (the mark is written before
    // it is sent): a kill before that would leave nothing to find.
    apply_killed_when(&k, &file, "the create was never marked and sent", || {
        k.sim().request_count("/api/public/create_user") > 0
            && k.state()["pending"]["kasm_user.alice"].is_object()
    });
    wait_for("Kasm never made the user", || {
        user_id(&k, "alice").is_some()
    });
    k.faults(serde_json::json!({}));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(out(&o).contains("Kasm has it"), "{}", out(&o));
    let alice = user_id(&k, "alice").unwrap_or_default().replace('-', "");
    assert_eq!(
        k.state()["objects"]["kasm_user.alice"]["id"],
        alice.as_str()
    );
    assert_eq!(
        k.sim()
            .users()
            .iter()
            .filter(|u| u.username == "alice")
            .count(),
        1
    );
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
}

fn listed_groups(image: &str, groups: &str) -> String {
    format!(
        r#"
resource "kasm_group" "devs" {{
  name     = "Developers"
  priority = 20
}}

resource "kasm_group_image" "devs_terminal" {{
  group_id = kasm_group.devs.id
  image_id = "{image}"
}}

resource "kasm_user" "alice" {{
  username = "alice"
  groups   = {groups}
}}
"#
    )
}

#[test]
fn a_users_groups_list_joins_and_leaves_its_groups_and_keeps_all_users() {
    let k = Kasm::start();
    let image = lone_image(&k);
    let session = format!(
        r#"
resource "kasm_session" "alice_terminal" {{
  user_id  = kasm_user.alice.id
  image_id = "{image}"
}}
"#
    );
    let with_devs = listed_groups(&image, "[kasm_group.devs.name]") + &session;
    let file = k.write("main.tf", &with_devs);
    let o = k.run(&["plan", &file]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("\"All Users\"") && stdout(&o).contains("\"Developers\""),
        "the plan shows the groups the user will be in, All Users too: {}",
        out(&o)
    );
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Resources: 4 added, 0 changed, 0 destroyed."),
        "the group call is part of the user's create: {}",
        out(&o)
    );
    let alice = user_id(&k, "alice").unwrap_or_default();
    let devs = k.group_id("Developers").unwrap_or_default();
    let mut groups = groups_of(&k, &alice);
    groups.sort();
    let mut want = vec![ALL_USERS.to_owned(), devs.clone()];
    want.sort();
    assert_eq!(groups, want, "in Developers once, and in All Users");
    assert_eq!(
        k.sim().sessions().len(),
        1,
        "the session waited for the group"
    );
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "nothing left to do: {}", out(&o));
    let o = k.run(&["plan", &file, "-refresh=false", "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "the state knows the groups: {}", out(&o));

    // Added outside: the next plan takes the user out again.
    let qa = k.call(
        "create_group",
        serde_json::json!({"target_group": {"name": "QA", "priority": 30}}),
    );
    let qa = qa["group"]["group_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    k.call(
        "add_user_group",
        serde_json::json!({"target_group": {"group_id": qa}, "target_user": {"user_id": alice}}),
    );
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Resources: 0 added, 1 changed, 0 destroyed."),
        "{}",
        out(&o)
    );
    assert!(!groups_of(&k, &alice).contains(&qa), "{}", out(&o));

    // An empty list leaves Developers; All Users stays. Without the
    // session, which Developers granted.
    let file = k.write("main.tf", &listed_groups(&image, "[]"));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(
        groups_of(&k, &alice),
        vec![ALL_USERS.to_owned()],
        "{}",
        out(&o)
    );
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "nothing left to do: {}", out(&o));
}

#[test]
fn a_refresh_only_apply_records_a_user_changed_on_kasm() {
    let k = Kasm::start();
    let file = k.write("main.tf", &config("Initial-Passw0rd!", "Research", false));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let alice = user_id(&k, "alice").unwrap_or_else(|| panic!("{}", out(&o)));
    k.call(
        "update_user",
        serde_json::json!({"target_user": {"user_id": alice, "username": "alice", "organization": "Elsewhere"}}),
    );

    let o = k.run(&["plan", &file, "-refresh-only"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("organization = \"Research\" -> \"Elsewhere\""),
        "{}",
        out(&o)
    );
    let o = k.run(&["apply", &file, "-refresh-only", "-auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let recorded = &k.state()["objects"]["kasm_user.alice"]["attributes"];
    assert_eq!(recorded["organization"], "Elsewhere", "{}", out(&o));
    assert_eq!(recorded["first_name"], "Alice", "{}", out(&o));

    // Recorded as Kasm has it: drift is reported once, and the next plan is
    // the configuration's change back, not drift again.
    let o = k.run(&["plan", &file, "-refresh-only", "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "no drift left: {}", out(&o));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        out(&o)
    );
    let user = k.sim().users().into_iter().find(|u| u.user_id == alice);
    assert_eq!(
        user.map(|u| (u.organization, u.first_name)),
        Some((Some("Research".to_owned()), Some("Alice".to_owned())))
    );
}

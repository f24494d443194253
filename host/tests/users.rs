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
    let devs = k
        .sim()
        .groups()
        .into_iter()
        .find(|g| g.name == "Developers")
        .map(|g| g.group_id)
        .unwrap_or_default();
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

//! Groups and image authorization (`kasm_group`, `kasm_group_image`, the
//! `kasm_images` data source) planned and applied by the CLI against the
//! Kasm simulator over real HTTP.

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::kasm::Kasm;
use common::{code, out, stderr, stdout};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::process::Output;

const ALL_USERS: &str = "68d557ac4cac42cca9f31c7c853de0f3";

fn apply(k: &Kasm, path: &str) -> Output {
    k.run(&["apply", path, "--auto-approve"])
}

/// An image made on Kasm outside of kasm-plan; returns its id.
fn outside_image(k: &Kasm, name: &str) -> String {
    let made = k.post(
        "create_image",
        json!({"name": name, "friendly_name": name, "image_src": "img/x.png",
               "memory": 2_048_000_000_i64, "cores": 1, "enabled": true}),
    );
    made["image"]["image_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Rows per (group, image) pair on the simulator.
fn rows(k: &Kasm) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for l in k.sim().group_links() {
        *out.entry((l.group_id, l.image_id)).or_default() += 1;
    }
    out
}

fn image_id(k: &Kasm, name: &str) -> String {
    k.images()
        .into_iter()
        .find(|i| i.name.as_deref() == Some(name))
        .map(|i| i.image_id)
        .unwrap_or_default()
}

/// The authorization workflow of the `kasm_images` data source's
/// documentation: a data source finds the images, a new group is authorized
/// for the first one, a user is made and put in the group, and a session of
/// the user on that image is started.
const WORKFLOW: &str = r#"
data "kasm_images" "available" {}

resource "kasm_group" "workspace_users" {
  name        = "WorkspaceUsers"
  priority    = 1
  description = "Users with access to workspace images"
}

resource "kasm_group_image" "workspace_access" {
  group_id = kasm_group.workspace_users.id
  image_id = data.kasm_images.available.images[0].id
}

resource "kasm_user" "developer" {
  username = "developer"
  groups   = []
  lifecycle {
    ignore_changes = [groups]
  }
}

resource "kasm_group_membership" "developer_access" {
  group_id = kasm_group.workspace_users.id
  user_id  = kasm_user.developer.id
}

resource "kasm_session" "developer_workspace" {
  depends_on = [kasm_group_membership.developer_access, kasm_group_image.workspace_access]
  image_id   = data.kasm_images.available.images[0].id
  user_id    = kasm_user.developer.id
}
"#;

#[test]
fn the_documented_workflow_plans_and_applies() {
    let k = Kasm::start();
    let first = outside_image(&k, "kasmweb/terminal:1.18.0");
    let file = k.write("main.tf", WORKFLOW);
    let o = k.run(&["plan", &file]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    for managed in [
        "kasm_user.developer",
        "kasm_group_membership.developer_access",
        "kasm_session.developer_workspace",
    ] {
        assert!(
            stdout(&o).contains(&format!("{managed} will be created")),
            "{}",
            out(&o)
        );
    }
    assert!(
        stdout(&o).contains("# (Kasm also puts the new user in group \"All Users\")"),
        "the membership Kasm adds is shown: {}",
        out(&o)
    );
    assert!(
        stdout(&o).contains("kasm_group.workspace_users will be created"),
        "{}",
        out(&o)
    );
    assert!(
        stdout(&o).contains("group_id = (known after apply: kasm_group.workspace_users)"),
        "{}",
        out(&o)
    );
    assert!(
        stdout(&o).contains(&format!("image_id = \"{first}\"")),
        "{}",
        out(&o)
    );

    // Who may launch what once it is applied.
    let o = k.run(&["access", &file, "--image", "kasmweb/terminal:*"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let line = stdout(&o)
        .lines()
        .find(|l| l.starts_with("developer "))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("{}", out(&o)));
    for part in [
        "kasmweb/terminal:1.18.0",
        "WorkspaceUsers",
        "+ once applied",
    ] {
        assert!(line.contains(part), "{part}: {}", out(&o));
    }

    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Apply complete! Resources: 5 added, 0 changed, 0 destroyed."),
        "{}",
        out(&o)
    );
    let group = k
        .group_id("WorkspaceUsers")
        .unwrap_or_else(|| panic!("{}", out(&o)));
    let developer = k
        .sim()
        .users()
        .into_iter()
        .find(|u| u.username == "developer")
        .map(|u| u.user_id)
        .unwrap_or_else(|| panic!("the user is made: {}", out(&o)));
    let memberships: Vec<String> = k
        .sim()
        .memberships()
        .into_iter()
        .filter(|m| m.user_id == developer)
        .map(|m| m.group_id)
        .collect();
    assert_eq!(
        memberships,
        [ALL_USERS.to_owned(), group.clone()],
        "All Users by Kasm, then the group"
    );
    let sessions = k.sim().sessions();
    assert_eq!(sessions.len(), 1, "{}", out(&o));
    assert_eq!(
        (sessions[0].user_id.as_str(), sessions[0].image_id.as_str()),
        (developer.as_str(), first.as_str())
    );
    assert_eq!(rows(&k).get(&(group.clone(), first.clone())), Some(&1));
    let state = k.state();
    assert_eq!(
        state["groups"]["kasm_group.workspace_users"]["group_id"],
        json!(group)
    );
    assert_eq!(
        state["links"]["kasm_group_image.workspace_access"],
        json!({"group_id": group, "image_id": first})
    );

    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "nothing left to do: {}", out(&o));
    let o = k.run(&["access", &file, "--user", "developer", "--json"]);
    let grants: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", out(&o)));
    let through_group: Vec<&Value> = grants["grants"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|g| {
            g["groups"]
                .as_array()
                .is_some_and(|gs| gs.contains(&json!("WorkspaceUsers")))
        })
        .collect();
    assert_eq!(through_group.len(), 1, "{grants}");
    assert_eq!(through_group[0]["image_id"], json!(first));
    // get_users gives ids hyphenated.
    let user_id = through_group[0]["user_id"]
        .as_str()
        .unwrap_or_default()
        .replace('-', "");
    assert_eq!(user_id, developer);
    assert_eq!(through_group[0]["change"], json!("kept"));

    // Without its block, the session is destroyed and nothing else.
    let session_block = WORKFLOW
        .find("resource \"kasm_session\"")
        .expect("the workflow has a session");
    let file = k.write("main.tf", &WORKFLOW[..session_block]);
    let o = apply(&k, &file);
    assert!(
        stdout(&o).contains("Resources: 0 added, 0 changed, 1 destroyed."),
        "{}",
        out(&o)
    );
    // Kasm keeps a destroyed session's row while it is deleted.
    assert!(
        k.sim()
            .sessions()
            .iter()
            .all(|s| s.deleting_since.is_some()),
        "{}",
        out(&o)
    );
    assert!(k.sim().users().iter().any(|u| u.username == "developer"));
    assert_eq!(rows(&k).get(&(group.clone(), first.clone())), Some(&1));

    // `destroy` removes everything it made, each after what depends on it;
    // the image it did not make stays.
    let o = k.run(&["plan", &file, "-destroy"]);
    assert!(
        stdout(&o).contains("Plan: 0 to add, 0 to change, 4 to destroy."),
        "{}",
        out(&o)
    );
    let o = k.run(&["destroy", &file, "-auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Destroy complete! Resources: 4 destroyed."),
        "{}",
        out(&o)
    );
    assert!(k.group_id("WorkspaceUsers").is_none(), "{}", out(&o));
    assert!(!k.sim().users().iter().any(|u| u.username == "developer"));
    assert!(!rows(&k).keys().any(|(g, _)| g == &group));
    assert!(k.sim().memberships().iter().all(|m| m.user_id != developer));
    assert_eq!(image_id(&k, "kasmweb/terminal:1.18.0"), first);
    let state = k.state();
    for kind in ["resources", "groups", "links", "objects"] {
        assert!(
            state[kind].as_object().is_none_or(|o| o.is_empty()),
            "{kind}: {state}"
        );
    }
    let o = k.run(&["plan", &file, "-destroy", "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "nothing left to destroy: {}", out(&o));
    // The configuration would make the user again: nothing it may launch now.
    let o = k.run(&["access", &file, "--user", "developer", "--json"]);
    let grants: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", out(&o)));
    let changes: Vec<&Value> = grants["grants"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| &g["change"])
        .collect();
    assert!(
        !changes.is_empty() && changes.iter().all(|c| *c == "added"),
        "{grants}"
    );
}

const MANAGED: &str = r#"
locals {
  apps = toset(["alpha", "beta"])
}

resource "kasm_image" "app" {
  for_each              = local.apps
  name                  = "kasmweb/${each.key}:1.18.0"
  image_src             = "img/app.png"
  friendly_name         = each.key
  memory                = 2048
  cores                 = 1
  exclusive_group_links = each.key == "alpha"
}

resource "kasm_group" "devs" {
  name     = "Developers"
  priority = 20
}

resource "kasm_group_image" "devs" {
  for_each = kasm_image.app
  group_id = kasm_group.devs.id
  image_id = each.value.id
}
"#;

#[test]
fn links_follow_references_exclusivity_and_changes() {
    let k = Kasm::start();
    let file = k.write("main.tf", MANAGED);
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let devs = k.group_id("Developers").unwrap_or_default();
    let (alpha, beta) = (
        image_id(&k, "kasmweb/alpha:1.18.0"),
        image_id(&k, "kasmweb/beta:1.18.0"),
    );
    let linked = rows(&k);
    assert_eq!(linked.get(&(devs.clone(), alpha.clone())), Some(&1));
    assert_eq!(linked.get(&(devs.clone(), beta.clone())), Some(&1));
    // Kasm authorized both new images for All Users; alpha's links are exclusive.
    assert_eq!(
        linked.get(&(ALL_USERS.into(), alpha.clone())),
        None,
        "{}",
        out(&o)
    );
    // The removal is a call like any other, on the image's behalf; the plan
    // could not count it (the image was new), so the report does not either.
    let removal = format!("Removal complete [remove_images_group {ALL_USERS}:{alpha}]");
    assert!(stdout(&o).contains(&removal), "{}", out(&o));
    assert!(stdout(&o).contains(", 0 destroyed."), "{}", out(&o));
    assert_eq!(linked.get(&(ALL_USERS.into(), beta.clone())), Some(&1));

    // The automatic link of beta is pointed out, and nothing is left to do.
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("kasm_image.app[\"beta\"] may also be launched by group \"All Users\""),
        "{}",
        out(&o)
    );

    // A link removed outside is put back.
    k.call(
        "remove_images_group",
        json!({"target_group": {"group_id": devs}, "target_image": {"image_id": beta}}),
    );
    let o = k.run(&["plan", &file]);
    assert!(
        stdout(&o).contains("kasm_group_image.devs[\"beta\"] will be created"),
        "{}",
        out(&o)
    );
    assert!(
        stdout(&o).contains("it was deleted outside of kasm-plan"),
        "{}",
        out(&o)
    );
    assert_eq!(code(&apply(&k, &file)), 0);
    assert_eq!(rows(&k).get(&(devs.clone(), beta.clone())), Some(&1));

    // Pointing a link at another group replaces it.
    let file = k.write(
        "main.tf",
        &MANAGED.replace("for_each = kasm_image.app\n  group_id = kasm_group.devs.id", &format!("for_each = kasm_image.app\n  group_id = each.key == \"beta\" ? \"{ALL_USERS}\" : kasm_group.devs.id")),
    );
    let o = k.run(&["plan", &file]);
    assert!(
        stdout(&o).contains("kasm_group_image.devs[\"beta\"] must be replaced"),
        "{}",
        out(&o)
    );
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let linked = rows(&k);
    assert_eq!(linked.get(&(devs.clone(), beta.clone())), None);
    assert_eq!(linked.get(&(ALL_USERS.into(), beta.clone())), Some(&1));

    // Removing the links and the group removes the links first, then the group.
    let file = k.write(
        "main.tf",
        MANAGED
            .split("resource \"kasm_group\"")
            .next()
            .unwrap_or(""),
    );
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.group_id("Developers"), None);
    assert!(!rows(&k).keys().any(|(g, _)| *g == devs));
    assert_eq!(
        rows(&k).get(&(ALL_USERS.into(), beta)),
        None,
        "beta's managed All Users link went with its block"
    );
    let state = k.state();
    assert!(
        state["groups"] == serde_json::json!({}) && state["links"] == serde_json::json!({}),
        "{state}"
    );
}

#[test]
fn lost_answers_and_server_errors_never_duplicate_links_or_groups() {
    let k = Kasm::start();
    let ids: Vec<String> = (0..6)
        .map(|i| outside_image(&k, &format!("kasmweb/tool-{i}:1.0")))
        .collect();
    let config = r#"
data "kasm_images" "tools" {
  name = "kasmweb/tool-*"
}

resource "kasm_group" "ops" {
  name     = "Ops"
  priority = 30
}

resource "kasm_group_image" "ops" {
  for_each = { for i in data.kasm_images.tools.images : i.name => i.id }
  group_id = kasm_group.ops.id
  image_id = each.value
}
"#;
    let file = k.write("main.tf", config);
    k.faults(
        json!({"drop_rate": 0.3, "error_rate": 0.2, "error_statuses": [500, 502], "seed": 11}),
    );
    let mut runs = Vec::new();
    for _ in 0..4 {
        let o = apply(&k, &file);
        let done = code(&o) == 0;
        runs.push(out(&o));
        if done {
            break;
        }
    }
    k.faults(json!({}));
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}\n{}", runs.join("\n"), out(&o));
    if std::env::var_os("SHOW_RUNS").is_some() {
        eprintln!("{}", runs.join("\n"));
    }
    let ops: Vec<_> = k
        .sim()
        .groups()
        .into_iter()
        .filter(|g| g.name == "Ops")
        .collect();
    assert_eq!(ops.len(), 1, "{}", runs.join("\n"));
    let linked = rows(&k);
    for id in &ids {
        assert_eq!(
            linked.get(&(ops[0].group_id.clone(), id.clone())),
            Some(&1),
            "{}",
            runs.join("\n")
        );
    }
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
}

#[test]
fn duplicate_rows_are_all_removed_and_errors_are_not_read_as_gone() {
    let k = Kasm::start();
    let image = outside_image(&k, "kasmweb/dup:1.0");
    let file = k.write(
        "main.tf",
        &format!("resource \"kasm_group\" \"g\" {{\n  name = \"G\"\n  priority = 7\n}}\nresource \"kasm_group_image\" \"l\" {{\n  group_id = kasm_group.g.id\n  image_id = \"{image}\"\n}}\n"),
    );
    assert_eq!(code(&apply(&k, &file)), 0);
    let g = k.group_id("G").unwrap_or_default();
    // Someone adds the same link twice by hand: Kasm keeps both rows.
    for _ in 0..2 {
        k.call(
            "add_images_group",
            json!({"target_group": {"group_id": g}, "target_image": {"image_id": image}}),
        );
    }
    assert_eq!(rows(&k).get(&(g.clone(), image.clone())), Some(&3));
    // Removing the link removes every row: otherwise the image stays authorized.
    let file = k.write(
        "main.tf",
        "resource \"kasm_group\" \"g\" {\n  name = \"G\"\n  priority = 7\n}\n",
    );
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("3 duplicate rows removed"),
        "{}",
        out(&o)
    );
    assert_eq!(rows(&k).get(&(g, image)), None);

    // A key that may not read groups cannot plan a configuration with groups.
    k.sim().add_key(kasm_sim::ApiKey {
        permissions: vec![kasm_sim::Permission::ImagesView],
        ..kasm_sim::ApiKey::admin("img-only", "img-secret")
    });
    let o = k
        .command(&["plan", &file])
        .env("KASM_API_KEY", "img-only")
        .env("KASM_API_KEY_SECRET", "img-secret")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("cannot read the groups"), "{}", out(&o));
    let _: Value = k.state();
}

/// 50 varied images made by hand, some linked to a group: `adopt` writes
/// their configuration and binds them; the next plan is empty, and a change
/// of one field plans exactly that change.
#[test]
fn adopting_an_existing_kasm_leaves_nothing_to_plan() {
    let k = Kasm::start();
    let group = k.call(
        "create_group",
        json!({"target_group": {"name": "Design Team", "priority": 40}}),
    )["group"]["group_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for i in 0..50 {
        let repo = [
            "kasmweb/chrome",
            "kasmweb/firefox",
            "registry.example.com/tools/gimp",
            "kasmweb/desktop-deluxe",
            "4kvideo",
        ][i % 5];
        let cores = [1.0, 1.5, 2.0, 4.0][i % 4];
        let mut image = json!({
            "name": format!("{repo}:1.{}.0", i / 5),
            "friendly_name": format!("Tool \"{i}\""),
            "image_src": format!("img/{i}.png"),
            "memory": 1_024_000_000_i64 * (1 + (i as i64 % 4)),
            "cores": cores,
            "enabled": i % 7 != 0,
            "description": format!("Line one\nline two with ${{braces}} and %{{percent}} #{i}"),
        });
        if i % 3 == 0 {
            image["run_config"] =
                json!("{\"hostname\": \"kasm\", \"environment\": {\"LANG\": \"en_US.UTF-8\"}}");
        }
        if i % 4 == 0 {
            image["volume_mappings"] = json!(
                "{\"/shared\": {\"bind\": \"/shared\", \"mode\": \"ro\", \"uid\": 1000, \"gid\": 1000}}"
            );
        }
        if i % 10 == 0 {
            image["docker_registry"] = json!("https://registry.example.com");
            image["docker_user"] = json!("robot");
        }
        let made = k.post("create_image", image);
        let id = made["image"]["image_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{made}"))
            .to_owned();
        if i % 2 == 0 {
            k.call(
                "add_images_group",
                json!({"target_group": {"group_id": group}, "target_image": {"image_id": id}}),
            );
        }
    }
    let o = k.run(&[
        "adopt",
        "--out",
        k.path("adopted").to_str().unwrap_or_default(),
    ]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("Adopted 50 image(s) and 75 link(s)"),
        "{}",
        out(&o)
    );
    let dir = k.path("adopted");
    let dir = dir.to_str().unwrap_or_default();
    let o = k.run(&["plan", dir, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "the next plan is empty: {}", out(&o));

    // Adopting again writes nothing: every image is bound.
    let o = k.run(&[
        "adopt",
        "--out",
        k.path("again").to_str().unwrap_or_default(),
    ]);
    assert!(stdout(&o).contains("No images to adopt"), "{}", out(&o));

    // One changed field plans exactly that change.
    let images_tf = k.path("adopted/images.tf");
    let text = std::fs::read_to_string(&images_tf).unwrap_or_default();
    let start = text
        .find("resource \"kasm_image\" \"firefox_1_3_0\"")
        .unwrap_or_else(|| panic!("{text}"));
    let at = start + text[start..].find("memory").unwrap_or(0);
    let line_end = at + text[at..].find('\n').unwrap_or(0);
    let changed = format!("{}memory        = 8192{}", &text[..at], &text[line_end..]);
    std::fs::write(&images_tf, changed).unwrap_or_else(|e| panic!("{e}"));
    let o = k.run(&["plan", dir, "--json"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let plan: Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
    let changes: Vec<(String, Value)> = plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["change"]["actions"] != json!(["no-op"]))
        .map(|c| {
            (
                c["address"].as_str().unwrap_or_default().to_owned(),
                c["change"]["after"]["memory"].clone(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        vec![("kasm_image.firefox_1_3_0".to_owned(), json!(8192))],
        "{}",
        stdout(&o)
    );
}

#[test]
fn groups_and_links_are_imported_by_id_or_name() {
    let k = Kasm::start();
    let image = outside_image(&k, "kasmweb/imported:1.0");
    let group = k.call(
        "create_group",
        json!({"target_group": {"name": "Imported", "priority": 15, "description": "made by hand"}}),
    )["group"]["group_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    k.call(
        "add_images_group",
        json!({"target_group": {"group_id": group}, "target_image": {"image_id": image}}),
    );
    let file = k.write(
        "main.tf",
        &format!("resource \"kasm_group\" \"g\" {{\n  name        = \"Imported\"\n  priority    = 15\n  description = \"made by hand\"\n}}\nresource \"kasm_group_image\" \"l\" {{\n  group_id = kasm_group.g.id\n  image_id = \"{image}\"\n}}\n"),
    );
    let o = k.run(&["import", "kasm_group.g", "name:Imported"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = k.run(&["import", "kasm_group_image.l", "not-a-link"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("Kasm has no group image `not-a-link`"),
        "{}",
        out(&o)
    );
    let o = k.run(&["import", "kasm_group_image.l", &format!("{group}:{image}")]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = k.run(&["state", "list"]);
    assert_eq!(
        stdout(&o),
        "kasm_group.g\nkasm_group_image.l\n",
        "{}",
        out(&o)
    );
    let o = k.run(&["state", "show", "kasm_group_image.l"]);
    assert!(
        stdout(&o).contains(&format!("id       = \"{group}:{image}\"")),
        "{}",
        out(&o)
    );
    // A group shows as any table-driven instance: its id, then each attribute.
    let o = k.run(&["state", "show", "kasm_group.g"]);
    for line in [
        format!("id          = \"{group}\""),
        "description = \"made by hand\"".to_owned(),
        "name        = \"Imported\"".to_owned(),
        "priority    = 15".to_owned(),
    ] {
        assert!(stdout(&o).contains(&line), "{line}: {}", out(&o));
    }
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "imported, nothing to do: {}", out(&o));
    let o = k.run(&["state", "rm", "kasm_group_image.l"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(
        rows(&k).get(&(group, image)),
        Some(&1),
        "state rm leaves Kasm alone"
    );
}

/// Killed at random points while it creates a group and 60 links, the apply
/// converges on the next run: one group, one row per link.
#[test]
fn a_killed_apply_leaves_no_duplicate_links() {
    let k = Kasm::start();
    let ids: Vec<String> = (0..60)
        .map(|i| outside_image(&k, &format!("kasmweb/kill-{i}:1.0")))
        .collect();
    let file = k.write(
        "main.tf",
        "data \"kasm_images\" \"all\" {\n  name = \"kasmweb/kill-*\"\n}\nresource \"kasm_group\" \"g\" {\n  name = \"Killed\"\n  priority = 9\n}\nresource \"kasm_group_image\" \"l\" {\n  for_each = toset(data.kasm_images.all.images[*].id)\n  group_id = kasm_group.g.id\n  image_id = each.key\n}\n",
    );
    k.faults(json!({"latency_ms": 25}));
    for round in 0..3u64 {
        let mut child = k
            .command(&["apply", &file, "--auto-approve", "--parallelism", "4"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(std::time::Duration::from_millis(
            200 + fastrand::u64(0..300) + round * 80,
        ));
        let _ = child.kill();
        let _ = child.wait();
    }
    k.faults(json!({}));
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let groups: Vec<_> = k
        .sim()
        .groups()
        .into_iter()
        .filter(|g| g.name == "Killed")
        .collect();
    assert_eq!(groups.len(), 1);
    let linked = rows(&k);
    for id in &ids {
        assert_eq!(
            linked.get(&(groups[0].group_id.clone(), id.clone())),
            Some(&1)
        );
    }
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
}

/// Three images, one that Kasm refuses (its server does not exist), one
/// that `depends_on` it, a group and a link to the refused one.
const ORDERED: &str = r#"
resource "kasm_image" "base" {
  name               = "kasmweb/base:1.18.0"
  image_src          = "img/thumbnails/base.png"
  friendly_name      = "Base"
  restrict_to_server = true
  server_id          = "5e3ca3b4-1e8c-4c5b-9a4b-2a2d2b7f0c11"
}

resource "kasm_image" "app" {
  name          = "kasmweb/app:1.18.0"
  image_src     = "img/thumbnails/app.png"
  friendly_name = "App"
  depends_on    = [kasm_image.base]
}

resource "kasm_group" "devs" {
  name     = "Developers"
  priority = 10
}

resource "kasm_group_image" "base" {
  group_id = kasm_group.devs.id
  image_id = kasm_image.base.id
}
"#;

#[test]
fn a_failed_create_skips_what_waits_for_it_and_sends_nothing_for_it() {
    let k = Kasm::start();
    let file = k.write("main.tf", ORDERED);
    let o = k.run(&["apply", &file, "-auto-approve", "-parallelism=10"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    let err = stderr(&o);
    assert!(
        err.contains("kasm_image.app was not applied: it waits for kasm_image.base, which failed"),
        "{}",
        out(&o)
    );
    assert!(
        err.contains("kasm_group_image.base was not applied: it waits for kasm_image.base"),
        "{}",
        out(&o)
    );
    // The image that depends_on the failed one was never sent, nor the link;
    // the group, which waits for nothing, was made.
    assert!(k.images().is_empty(), "{:?}", k.names());
    assert_eq!(k.sim().request_count("/api/public/add_images_group"), 0);
    assert!(k.group_id("Developers").is_some());
    let state = k.state();
    assert!(
        state["resources"].as_object().is_none_or(|r| r.is_empty()),
        "{state}"
    );
    assert!(state["groups"].get("kasm_group.devs").is_some(), "{state}");

    // Once Kasm accepts the image, a re-run makes the rest, in order.
    let fixed = ORDERED
        .replace("  restrict_to_server = true\n", "")
        .replace(
            "  server_id          = \"5e3ca3b4-1e8c-4c5b-9a4b-2a2d2b7f0c11\"\n",
            "",
        );
    let file = k.write("main.tf", &fixed);
    let o = k.run(&["apply", &file, "-auto-approve", "-parallelism=10"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let devs = k.group_id("Developers").unwrap_or_default();
    let base = image_id(&k, "kasmweb/base:1.18.0");
    assert_eq!(rows(&k).get(&(devs, base)), Some(&1));
    assert_eq!(k.images().len(), 2);
}

const NAMED: &str = r#"
resource "kasm_image" "term" {
  name          = "kasmweb/terminal:1.18.0"
  image_src     = "img/thumbnails/terminal.png"
  friendly_name = "Terminal"
}

resource "kasm_group" "devs" {
  name     = "Developers"
  priority = 10
}

resource "kasm_group_image" "devs" {
  group_id = kasm_group.devs.id
  image_id = kasm_image.term.id
}
"#;

#[test]
fn moved_blocks_rename_groups_and_links_and_policies_guard_them() {
    let k = Kasm::start();
    let file = k.write("main.tf", NAMED);
    assert_eq!(code(&apply(&k, &file)), 0);
    let counts = |k: &Kasm| {
        [
            "create_group",
            "delete_group",
            "add_images_group",
            "remove_images_group",
        ]
        .map(|e| k.sim().request_count(&format!("/api/public/{e}")))
    };
    let before = counts(&k);

    // Renamed, with moved blocks: nothing is deleted or created.
    let renamed = NAMED
        .replace("\"kasm_group\" \"devs\"", "\"kasm_group\" \"developers\"")
        .replace(
            "\"kasm_group_image\" \"devs\"",
            "\"kasm_group_image\" \"developers\"",
        )
        .replace("kasm_group.devs.id", "kasm_group.developers.id")
        + "moved {\n  from = kasm_group.devs\n  to   = kasm_group.developers\n}\n"
        + "moved {\n  from = kasm_group_image.devs\n  to   = kasm_group_image.developers\n}\n";
    let file = k.write("main.tf", &renamed);
    let o = k.run(&["plan", &file]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let shown = stdout(&o);
    assert!(
        shown.contains("kasm_group.devs has moved to kasm_group.developers"),
        "{shown}"
    );
    assert!(
        shown.contains("kasm_group_image.devs has moved to kasm_group_image.developers"),
        "{shown}"
    );
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(counts(&k), before, "no group or link request: {}", out(&o));
    let state = k.state();
    assert!(
        state["groups"].get("kasm_group.developers").is_some(),
        "{state}"
    );
    assert!(
        state["links"].get("kasm_group_image.developers").is_some(),
        "{state}"
    );
    assert!(state["groups"].get("kasm_group.devs").is_none(), "{state}");

    // A protected group's delete and a link delete are stopped by the policy.
    let policy = k.write(
        "policy.json",
        r#"{"rules": [{"id": "keep-groups", "check": "protected", "addresses": ["kasm_group.*"]},
                      {"id": "no-deletes", "check": "forbidden_actions", "actions": ["delete"]}]}"#,
    );
    let image_only = NAMED.split("resource \"kasm_group\"").next().unwrap_or("");
    let file = k.write("main.tf", image_only);
    let o = k.run(&["apply", &file, "-auto-approve", "--policy", &policy]);
    assert_ne!(code(&o), 0, "{}", out(&o));
    let all = out(&o);
    assert!(
        all.contains("kasm_group.developers is protected; the plan would delete it"),
        "{all}"
    );
    assert!(
        all.contains("the plan would delete kasm_group_image.developers, which is not allowed"),
        "{all}"
    );
    assert_eq!(counts(&k), before, "nothing was sent: {all}");
}

#[test]
fn refresh_only_forgets_groups_and_links_deleted_outside_and_records_renames() {
    let k = Kasm::start();
    let two = format!(
        "{NAMED}\nresource \"kasm_group\" \"ops\" {{\n  name     = \"Ops\"\n  priority = 20\n}}\n"
    );
    let file = k.write("main.tf", &two);
    assert_eq!(code(&apply(&k, &file)), 0);
    let devs = k.group_id("Developers").unwrap_or_default();
    let ops = k.group_id("Ops").unwrap_or_default();
    k.call(
        "delete_group",
        json!({"target_group": {"group_id": devs}, "force": true}),
    );
    k.call(
        "update_group",
        json!({"target_group": {"group_id": ops, "name": "Operations"}}),
    );

    let o = k.run(&["plan", &file, "-refresh-only"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let shown = stdout(&o);
    for line in [
        "# kasm_group.devs has been deleted",
        "# kasm_group_image.devs has been deleted",
        "# kasm_group.ops has changed",
        "~ name = \"Ops\" -> \"Operations\"",
    ] {
        assert!(shown.contains(line), "{line}: {shown}");
    }
    let o = k.run(&["apply", &file, "-refresh-only", "-auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let state = k.state();
    assert!(state["groups"].get("kasm_group.devs").is_none(), "{state}");
    assert_eq!(state["links"], serde_json::json!({}), "{state}");
    assert_eq!(
        state["groups"]["kasm_group.ops"]["name"], "Operations",
        "{state}"
    );
    // Nothing was made again: a refresh-only apply changes nothing on Kasm.
    assert_eq!(k.group_id("Developers"), None);
    assert_eq!(k.group_id("Ops"), None);
}

/// A state the Terraform provider wrote: its attribute names, memory in
/// bytes, a hyphenated id, a link's `group_id:image_id`, a type kasm-plan
/// does not manage.
fn provider_state(image: &str, group: &str, extra: &str) -> String {
    let hyphenated = uuid::Uuid::parse_str(image)
        .map(|u| u.hyphenated().to_string())
        .unwrap_or_default();
    let provider = "provider[\"registry.terraform.io/sim22/kasm\"]";
    json!({
        "version": 4, "terraform_version": "1.11.4", "serial": 4,
        "lineage": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", "outputs": {},
        "resources": [
            {"mode": "managed", "type": "kasm_image", "name": "t", "provider": provider,
             "instances": [{"schema_version": 0, "sensitive_attributes": [], "attributes": {
                 "id": hyphenated, "image_id": image, "name": "kasmweb/from-terraform:1.0",
                 "friendly_name": "kasmweb/from-terraform:1.0", "memory": 2_048_000_000_i64,
                 "cores": 1, "enabled": true, "image_src": "img/x.png"}}]},
            {"mode": "managed", "type": "kasm_group", "name": "g", "provider": provider,
             "instances": [{"schema_version": 0, "attributes": {
                 "id": group, "group_id": group, "name": "FromTerraform", "priority": 15}}]},
            {"mode": "managed", "type": "kasm_group_image", "name": "l", "provider": provider,
             "instances": [{"schema_version": 0, "attributes": {
                 "id": format!("{group}:{image}"), "group_id": group, "image_id": image}}],
             "dependencies": ["kasm_group.g", "kasm_image.t"]},
            {"mode": "managed", "type": "kasm_user", "name": "dev", "provider": provider,
             "instances": [{"schema_version": 0, "attributes": {"id": "f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6", "username": "dev"}}]},
            {"mode": "managed", "type": "kasm_image", "name": extra, "provider": provider,
             "instances": [{"schema_version": 0, "attributes": {"id": image}}]}
        ]
    })
    .to_string()
}

/// `state import-terraform` brings a Terraform provider's state in one
/// command: the next plan of the same configuration is empty; a second run
/// binds nothing new; a state with an address the configuration lacks
/// imports nothing at all.
#[test]
fn a_terraform_providers_state_is_imported_in_one_command() {
    let k = Kasm::start();
    let image = outside_image(&k, "kasmweb/from-terraform:1.0");
    let group = k.call(
        "create_group",
        json!({"target_group": {"name": "FromTerraform", "priority": 15}}),
    )["group"]["group_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    k.call(
        "add_images_group",
        json!({"target_group": {"group_id": group}, "target_image": {"image_id": image}}),
    );
    let file = k.write(
        "main.tf",
        "resource \"kasm_image\" \"t\" {\n  name          = \"kasmweb/from-terraform:1.0\"\n  friendly_name = \"kasmweb/from-terraform:1.0\"\n  image_src     = \"img/x.png\"\n  memory        = 2048\n  cores         = 1\n}\nresource \"kasm_group\" \"g\" {\n  name     = \"FromTerraform\"\n  priority = 15\n}\nresource \"kasm_group_image\" \"l\" {\n  group_id = kasm_group.g.id\n  image_id = kasm_image.t.id\n}\n",
    );
    // The extra address is the image again, under a name the configuration lacks.
    k.write(
        "undeclared.tfstate",
        &provider_state(&image, &group, "stray"),
    );
    let o = k.run(&["state", "import-terraform", "undeclared.tfstate"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("kasm_image.stray"), "{}", out(&o));
    let o = k.run(&["state", "list"]);
    assert_eq!(stdout(&o), "", "nothing was imported: {}", out(&o));
    let mut state: Value =
        serde_json::from_str(&provider_state(&image, &group, "t")).unwrap_or_default();
    if let Some(resources) = state["resources"].as_array_mut() {
        resources.pop(); // the stray image
    }
    k.write("terraform.tfstate", &state.to_string());
    let o = k.run(&["state", "import-terraform", "terraform.tfstate"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stderr(&o).contains("1 instance(s) of kasm_user left out"),
        "{}",
        out(&o)
    );
    assert!(
        stdout(&o).contains("3 imported from terraform.tfstate"),
        "{}",
        out(&o)
    );
    let o = k.run(&["state", "list"]);
    assert_eq!(
        stdout(&o),
        "kasm_image.t\nkasm_group.g\nkasm_group_image.l\n",
        "{}",
        out(&o)
    );
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "imported, nothing to do: {}", out(&o));
    let o = k.run(&["state", "import-terraform", "terraform.tfstate"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("0 imported from terraform.tfstate; 3 already bound"),
        "{}",
        out(&o)
    );
}

/// A configuration Terraform also reads: the provider block names the server
/// and takes the key from sensitive variables; `--strict` passes; the
/// environment's URL wins over the block's.
#[test]
fn the_provider_block_names_the_server_and_its_key_from_sensitive_variables() {
    let k = Kasm::start();
    k.write(
        "main.tf",
        "terraform {\n  required_version = \">= 1.5\"\n  required_providers {\n    kasm = {\n      source  = \"sim22/kasm\"\n      version = \"~> 0.1\"\n    }\n  }\n}\nvariable \"kasm_url\" {\n  type = string\n}\nvariable \"kasm_key\" {\n  type      = string\n  sensitive = true\n}\nvariable \"kasm_secret\" {\n  type      = string\n  sensitive = true\n}\nprovider \"kasm\" {\n  base_url   = var.kasm_url\n  api_key    = var.kasm_key\n  api_secret = var.kasm_secret\n}\nresource \"kasm_image\" \"t\" {\n  name          = \"kasmweb/provider-block:1.0\"\n  friendly_name = \"Provider block\"\n  image_src     = \"img/x.png\"\n}\n",
    );
    let run = |args: &[&str], url: Option<&str>| {
        let mut c = k.command(args);
        c.env_remove("KASM_API_URL")
            .env_remove("KASM_API_KEY")
            .env_remove("KASM_API_KEY_SECRET")
            .env("TF_VAR_kasm_url", k.sim().url())
            .env("TF_VAR_kasm_key", common::kasm::KEY)
            .env("TF_VAR_kasm_secret", common::kasm::SECRET);
        if let Some(url) = url {
            c.env("KASM_API_URL", url);
        }
        c.output().unwrap_or_else(|e| panic!("{e}"))
    };
    let o = run(&["validate", "--strict"], None);
    assert_eq!(
        code(&o),
        0,
        "a configuration Terraform also reads: {}",
        out(&o)
    );
    let before = k.sim().request_count("/api/public/get_images");
    let o = run(&["plan", "--detailed-exitcode"], None);
    assert_eq!(code(&o), 2, "{}", out(&o));
    assert!(
        stdout(&o).contains("kasm_image.t will be created"),
        "{}",
        out(&o)
    );
    assert!(!out(&o).contains("embedded"), "{}", out(&o));
    assert!(
        !out(&o).contains(common::kasm::SECRET),
        "the key is never printed"
    );
    assert!(
        k.sim().request_count("/api/public/get_images") > before,
        "read from the block's server"
    );
    let o = run(&["plan", "--retries", "1"], Some("http://127.0.0.1:9"));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("127.0.0.1:9"),
        "the environment's URL wins: {}",
        out(&o)
    );
}

/// Two images, a group, and a link between the group and the first image.
const NARROWED: &str = r#"
resource "kasm_image" "terminal" {
  name          = "kasmweb/terminal:1.18.0"
  image_src     = "img/thumbnails/terminal.png"
  friendly_name = "Terminal"
}

resource "kasm_image" "ubuntu" {
  name          = "kasmweb/ubuntu:1.18.0"
  image_src     = "img/thumbnails/ubuntu.png"
  friendly_name = "Ubuntu"
}

resource "kasm_group" "devs" {
  name     = "Developers"
  priority = 10
}

resource "kasm_group_image" "terminal" {
  group_id = kasm_group.devs.id
  image_id = kasm_image.terminal.id
}
"#;

#[test]
fn target_and_replace_as_terraform_users_type_them() {
    let k = Kasm::start();
    let file = k.write("main.tf", NARROWED);

    // -target: the link, and the group and image it names; not the other image.
    let o = k.run(&[
        "plan",
        &file,
        "-target=kasm_group_image.terminal",
        "-out=tfplan",
    ]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        out(&o).contains("resource targeting is in effect"),
        "{}",
        out(&o)
    );
    assert!(
        stdout(&o).contains("Plan: 3 to add, 0 to change, 0 to destroy."),
        "{}",
        out(&o)
    );
    assert!(!stdout(&o).contains("kasm_image.ubuntu"), "{}", out(&o));
    let o = k.run(&["apply", "tfplan"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let names = k.names();
    assert!(names.contains_key("Terminal"), "{names:?}");
    assert!(!names.contains_key("Ubuntu"), "{names:?}");
    let state = k.state();
    assert!(
        state["resources"].get("kasm_image.ubuntu").is_none(),
        "{state}"
    );

    // Without targets, the rest is made.
    let o = k.run(&["apply", &file, "-auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(stdout(&o).contains("1 added"), "{}", out(&o));
    let devs = k.group_id("Developers").unwrap_or_default();
    let old = image_id(&k, "kasmweb/terminal:1.18.0");

    // A saved plan is applied as it was made: no -replace on top of it.
    let o = k.run(&["plan", &file, "-out=tfplan"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = k.run(&["apply", "tfplan", "-replace=kasm_image.terminal"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("give them to `plan -out`"),
        "{}",
        out(&o)
    );

    // -replace: a new image, its link moved to it, the old one gone.
    let o = k.run(&[
        "apply",
        &file,
        "-replace=kasm_image.terminal",
        "-auto-approve",
    ]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("# kasm_image.terminal will be replaced, as requested"),
        "{}",
        out(&o)
    );
    let new = image_id(&k, "kasmweb/terminal:1.18.0");
    assert_ne!(new, old);
    assert_eq!(k.names().get("Terminal"), Some(&1));
    let links = rows(&k);
    assert_eq!(
        links.get(&(devs.clone(), new.clone())),
        Some(&1),
        "{links:?}"
    );
    assert!(!links.contains_key(&(devs, old)), "{links:?}");
    assert_eq!(
        k.state()["resources"]["kasm_image.terminal"]["image_id"],
        Value::from(new)
    );
    let o = k.run(&["plan", &file, "-detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));

    // A mistyped target is named with the nearest address.
    let o = k.run(&["plan", &file, "-target=kasm_image.termnal"]);
    assert!(
        out(&o).contains("-target=kasm_image.termnal names nothing")
            && out(&o).contains("kasm_image.terminal"),
        "{}",
        out(&o)
    );
}

#[test]
fn import_blocks_bind_a_group_and_a_link_kasm_already_has() {
    let k = Kasm::start();
    let image = outside_image(&k, "kasmweb/imported:1.0");
    let group = k.call(
        "create_group",
        json!({"target_group": {"name": "Imported", "priority": 15}}),
    )["group"]["group_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    k.call(
        "add_images_group",
        json!({"target_group": {"group_id": group}, "target_image": {"image_id": image}}),
    );
    let file = k.write(
        "main.tf",
        &format!(
            "resource \"kasm_group\" \"g\" {{\n  name     = \"Imported\"\n  priority = 15\n}}\n\
             resource \"kasm_group_image\" \"l\" {{\n  group_id = kasm_group.g.id\n  image_id = \"{image}\"\n}}\n\
             import {{\n  to = kasm_group.g\n  id = \"name:Imported\"\n}}\n\
             import {{\n  to = kasm_group_image.l\n  id = \"{group}:{image}\"\n}}\n"
        ),
    );
    let o = k.run(&["plan", &file]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("# kasm_group.g will be imported")
            && stdout(&o).contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        out(&o)
    );
    let o = k.run(&["apply", &file, "-auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let state = k.state();
    assert_eq!(
        state["groups"]["kasm_group.g"]["group_id"],
        Value::from(group.clone())
    );
    assert_eq!(
        state["links"]["kasm_group_image.l"]["image_id"],
        Value::from(image.clone())
    );
    // Nothing was made or added: the group and its one row are Kasm's.
    assert_eq!(
        k.sim()
            .groups()
            .iter()
            .filter(|g| g.name == "Imported")
            .count(),
        1
    );
    assert_eq!(rows(&k).get(&(group, image)), Some(&1));
    let o = k.run(&["plan", &file, "-detailed-exitcode"]);
    assert_eq!(code(&o), 0, "imported, nothing to do: {}", out(&o));
}

#[test]
fn a_group_with_members_is_deleted_only_with_force_destroy_recorded() {
    let k = Kasm::start();
    let group = |force: bool| {
        let force = if force {
            "\n  force_destroy = true"
        } else {
            ""
        };
        format!(
            "resource \"kasm_group\" \"crew\" {{\n  name     = \"Crew\"\n  priority = 5{force}\n}}\n"
        )
    };
    let file = k.write("main.tf", &group(false));
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let crew = k.group_id("Crew").unwrap_or_default();
    let made = k.call(
        "create_user",
        json!({"target_user": {"username": "bob", "password": "Bob-Passw0rd!2024"}}),
    );
    let bob = made["user"]["user_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    k.call(
        "add_user_group",
        json!({"target_user": {"user_id": bob}, "target_group": {"group_id": crew}}),
    );

    // Removed without force_destroy: Kasm refuses, and the error says what to do.
    let o = apply(&k, &k.write("main.tf", "# nothing managed\n"));
    assert_ne!(code(&o), 0, "{}", out(&o));
    assert!(
        out(&o).contains("set `force_destroy = true` on kasm_group.crew"),
        "{}",
        out(&o)
    );
    assert!(k.group_id("Crew").is_some(), "the group is kept");
    assert_eq!(
        k.state()["groups"]["kasm_group.crew"]["group_id"],
        crew.as_str()
    );

    // force_destroy is recorded by an apply with no request, then honoured
    // once the block is gone.
    k.write("main.tf", &group(true));
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(
        k.state()["groups"]["kasm_group.crew"]["force_destroy"],
        true
    );
    let o = apply(&k, &k.write("main.tf", "# nothing managed\n"));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(k.group_id("Crew").is_none(), "{}", out(&o));
    assert!(
        k.state()["groups"]
            .as_object()
            .is_some_and(|g| g.is_empty())
    );
}

/// The state entry of `address` as the file has it.
fn entry(k: &Kasm, address: &str) -> Value {
    k.state_file()["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["address"] == address)
        .cloned()
        .unwrap_or(Value::Null)
}

#[test]
fn prevent_destroy_of_a_group_and_a_link_is_recorded_and_honoured_after_the_block_is_gone() {
    let k = Kasm::start();
    let image = outside_image(&k, "kasmweb/terminal:1.18.0");
    let config = |guard: &str| {
        format!(
            "resource \"kasm_group\" \"crew\" {{\n  name     = \"Crew\"\n  priority = 5\n{guard}}}\n\
resource \"kasm_group_image\" \"crew_terminal\" {{\n  group_id = kasm_group.crew.id\n  image_id = \"{image}\"\n{guard}}}\n"
        )
    };
    let guard = |on: bool| format!("  lifecycle {{\n    prevent_destroy = {on}\n  }}\n");
    let file = k.write("main.tf", &config(""));
    assert_eq!(code(&apply(&k, &file)), 0);
    let addresses = ["kasm_group.crew", "kasm_group_image.crew_terminal"];
    let crew = k.group_id("Crew").unwrap_or_default();
    let linked = |k: &Kasm| rows(k).contains_key(&(crew.clone(), image.clone()));
    assert!(linked(&k));

    // Added to applied instances: an apply that sends nothing records it.
    k.write("main.tf", &config(&guard(true)));
    let o = apply(&k, &file);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stdout(&o).contains("0 added, 0 changed, 0 destroyed"),
        "{}",
        out(&o)
    );
    for address in addresses {
        assert_eq!(entry(&k, address)["prevent_destroy"], true, "{address}");
    }
    assert_eq!(k.state_file()["version"], 4);

    // The blocks removed: refused, nothing deleted.
    let o = apply(&k, &k.write("main.tf", "# nothing managed\n"));
    assert_eq!(code(&o), 1, "{}", out(&o));
    for address in addresses {
        assert!(
            stderr(&o).contains(&format!(
                "{address} has lifecycle.prevent_destroy set, but the plan would delete it"
            )),
            "{}",
            out(&o)
        );
    }
    assert!(k.group_id("Crew").is_some());
    assert!(linked(&k), "the link is kept");

    // Cleared and applied, then the removal deletes both.
    k.write("main.tf", &config(&guard(false)));
    assert_eq!(code(&apply(&k, &file)), 0);
    for address in addresses {
        assert_eq!(entry(&k, address).get("prevent_destroy"), None, "{address}");
    }
    let o = apply(&k, &k.write("main.tf", "# nothing managed\n"));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(k.group_id("Crew").is_none(), "{}", out(&o));
    assert!(!linked(&k), "{}", out(&o));
}

//! A user's password is write-only: it goes into the steps that send it to
//! Kasm and nowhere else — not the plan, its JSON, its text, the state the
//! steps record, nor any `Debug` output.

#![allow(clippy::panic, clippy::indexing_slicing)]

use kasm_plan_core::facade::call;
use serde_json::{Value, json};

const PASSWORD: &str = "Sup3r-Secret!";
const ALL_USERS: &str = "68d557ac4cac42cca9f31c7c853de0f3";
const ALICE: &str = "f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6";

fn source(password: &str) -> String {
    format!(
        "variable \"pw\" {{\n  sensitive = true\n  default = \"{password}\"\n}}\nresource \"kasm_user\" \"alice\" {{\n  username = \"alice\"\n  password = var.pw\n}}\n"
    )
}

fn ask(operation: &str, request: &Value) -> Value {
    let answer = call(operation, &request.to_string()).unwrap_or_else(|e| panic!("{e:?}"));
    serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{e}"))
}

fn request(password: &str, state: Value, users: Value) -> Value {
    json!({
        "desired": {"source": source(password)},
        "state": state,
        "access": {"groups": [{"group_id": ALL_USERS, "name": "All Users", "priority": 1000, "is_system": true}], "links": [], "users": users, "sessions": []},
    })
}

fn shown_everywhere_but_steps(steps: &Value) -> Vec<String> {
    let plan = &steps["plan"];
    let json = ask("plan_to_json", plan);
    let text = ask("render_plan", &json!({"plan": plan}));
    let recorded: Vec<String> = steps["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["record"].to_string())
        .collect();
    [plan.to_string(), json.to_string(), text.to_string()]
        .into_iter()
        .chain(recorded)
        .collect()
}

#[test]
fn a_password_is_sent_and_never_shown_or_recorded() {
    let created = ask(
        "apply_steps",
        &request(PASSWORD, json!({"version": 2}), json!([])),
    );
    assert_eq!(created["ok"], true, "{created}");
    let sent = created["steps"][0]["body"]["target_user"]["password"].clone();
    assert_eq!(sent, PASSWORD, "the create sends it");
    for text in shown_everywhere_but_steps(&created) {
        assert!(!text.contains(PASSWORD), "{text}");
    }
    let rendered = ask("render_plan", &json!({"plan": created["plan"]}));
    assert!(
        rendered["text"]
            .as_str()
            .is_some_and(|t| t.contains("password = (sensitive value)")),
        "{rendered}"
    );

    // Recorded as the step says, a changed password is an update that sends it once more.
    let fingerprint = created["steps"][0]["record"]["attributes"]["password"].clone();
    let state = json!({"version": 2, "serial": 1, "lineage": "l", "resources": [{
        "address": "kasm_user.alice", "type": "kasm_user", "id": ALICE,
        "attributes": {"username": "alice", "password": fingerprint, "id": ALICE, "user_id": ALICE}}]});
    let users = json!([{"user_id": ALICE, "username": "alice", "groups": [{"group_id": ALL_USERS, "name": "All Users"}]}]);
    let same = ask(
        "apply_steps",
        &request(PASSWORD, state.clone(), users.clone()),
    );
    assert_eq!(same["plan"]["summary"]["change"], 0, "{same}");
    let changed_to = "An0ther-Secret!";
    let changed = ask(
        "apply_steps",
        &request(changed_to, state.clone(), users.clone()),
    );
    assert_eq!(changed["plan"]["summary"]["change"], 1, "{changed}");
    assert_eq!(
        changed["steps"][0]["body"]["target_user"]["password"],
        changed_to
    );
    for text in shown_everywhere_but_steps(&changed) {
        assert!(
            !text.contains(changed_to) && !text.contains(PASSWORD),
            "{text}"
        );
    }

    // A password Kasm's update would refuse stops the plan, without echoing it.
    let weak = ask("plan", &request("weakpass", state, users));
    assert_eq!(weak["ok"], false);
    let text = weak["diagnostics"].to_string();
    assert!(
        text.contains("password_rules") && !text.contains("weakpass"),
        "{text}"
    );
}

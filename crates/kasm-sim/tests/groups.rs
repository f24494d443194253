//! Contract tests for groups and image authorization: raw HTTP against a
//! running simulator, checked against docs/kasm-api.md ("Groups and image
//! authorization"), case by case.

#![allow(clippy::indexing_slicing, clippy::panic)] // test helpers: a failure should stop the test

use kasm_sim::groups::ALL_USERS;
use kasm_sim::{ApiKey, CRASH_PAGE, Config, Db, Permission, Simulator};
use serde_json::{Value, json};

const KEY: &str = "gR0upK3y";
const SECRET: &str = "s3cr3t-for-groups-0123456789abcd";

struct Kasm {
    sim: Simulator,
    http: reqwest::Client,
}

struct Answer {
    status: u16,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
    fn error(&self) -> Option<String> {
        self.json()
            .get("error_message")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

async fn start(db: Db, keys: Vec<ApiKey>) -> Kasm {
    let mut all = vec![ApiKey::admin(KEY, SECRET)];
    all.extend(keys);
    let sim = Simulator::start(Config {
        keys: all,
        db,
        agent_delay: None,
        ..Config::default()
    })
    .await
    .unwrap_or_else(|e| panic!("start: {e}"));
    Kasm {
        sim,
        http: reqwest::Client::new(),
    }
}

async fn kasm() -> Kasm {
    start(Db::default(), Vec::new()).await
}

impl Kasm {
    async fn post_as(&self, path: &str, key: (&str, &str), mut body: Value) -> Answer {
        if let Some(o) = body.as_object_mut() {
            o.insert("api_key".into(), json!(key.0));
            o.insert("api_key_secret".into(), json!(key.1));
        }
        let r = self
            .http
            .post(format!("{}/api/public/{path}", self.sim.url()))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        Answer {
            status: r.status().as_u16(),
            text: r.text().await.unwrap_or_default(),
        }
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.post_as(path, (KEY, SECRET), body).await
    }

    async fn image(&self, name: &str) -> String {
        let a = self.post("create_image", json!({"target_image": {"name": name, "friendly_name": name, "image_src": "img/x.png"}})).await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.json()["image"]["image_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    async fn group(&self, name: &str) -> String {
        let a = self
            .post(
                "create_group",
                json!({"target_group": {"name": name, "priority": 50}}),
            )
            .await;
        assert_eq!((a.status, a.error()), (200, None), "{}", a.text);
        a.json()["group"]["group_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    async fn linked(&self, group: &str) -> Vec<String> {
        let a = self
            .post(
                "get_images_group",
                json!({"target_group": {"group_id": group}}),
            )
            .await;
        assert_eq!((a.status, a.error()), (200, None), "{}", a.text);
        a.json()["images"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| r["image_id"].as_str().unwrap_or("").to_owned())
            .collect()
    }

    async fn link(&self, call: &str, group: &Value, image: &Value) -> Answer {
        self.post(
            call,
            json!({"target_group": {"group_id": group}, "target_image": {"image_id": image}}),
        )
        .await
    }
}

#[tokio::test]
async fn groups_list_the_system_groups_with_the_documented_keys() {
    let k = kasm().await;
    let a = k.post("get_groups", json!({})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let groups = a.json()["groups"].as_array().cloned().unwrap_or_default();
    let all_users = groups
        .iter()
        .find(|g| g["group_id"] == json!(ALL_USERS))
        .cloned()
        .unwrap_or_default();
    assert_eq!(all_users["name"], json!("All Users"));
    assert_eq!(all_users["is_system"], json!(true));
    assert_eq!(all_users["priority"], json!(1000));
    let mut keys: Vec<&String> = all_users
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    keys.sort();
    assert_eq!(
        keys,
        [
            "description",
            "group_id",
            "group_mappings",
            "group_metadata",
            "is_system",
            "name",
            "priority"
        ]
    );
    assert!(groups.iter().any(|g| g["name"] == json!("Administrators")));
}

#[tokio::test]
async fn a_new_image_is_authorized_for_all_users_unless_the_setting_is_off() {
    let k = kasm().await;
    let id = k.image("kasmweb/chrome:1.18.0").await;
    assert_eq!(k.linked(ALL_USERS).await, std::slice::from_ref(&id));
    let a = k
        .post(
            "get_images_group",
            json!({"target_group": {"group_id": ALL_USERS}}),
        )
        .await;
    let row = &a.json()["images"][0];
    assert_eq!(row["image_name"], json!("kasmweb/chrome:1.18.0"));
    assert_eq!(row["group_name"], json!("All Users"));
    assert!(
        row["group_image_id"]
            .as_str()
            .is_some_and(|s| s.len() == 32)
    );
    // Deleting the image takes its links with it.
    k.post("delete_image", json!({"target_image": {"image_id": id}}))
        .await;
    assert!(k.linked(ALL_USERS).await.is_empty());

    let mut db = Db::default();
    db.settings.add_images_to_default_group = false;
    let k = start(db, Vec::new()).await;
    k.image("kasmweb/chrome:1.18.0").await;
    assert!(k.linked(ALL_USERS).await.is_empty());
}

#[tokio::test]
async fn adding_a_link_twice_makes_two_rows_and_removing_takes_one() {
    let k = kasm().await;
    let g = k.group("Developers").await;
    let i = k.image("kasmweb/vs-code:1.18.0").await;
    for _ in 0..2 {
        let a = k.link("add_images_group", &json!(g), &json!(i)).await;
        assert_eq!(
            (a.status, a.json()),
            (200, json!({})),
            "no link id is returned"
        );
    }
    assert_eq!(k.linked(&g).await, [i.clone(), i.clone()]);
    let a = k.link("remove_images_group", &json!(g), &json!(i)).await;
    assert_eq!((a.status, a.json()), (200, json!({})));
    assert_eq!(
        k.linked(&g).await,
        std::slice::from_ref(&i),
        "one row removed: still authorized"
    );
    k.link("remove_images_group", &json!(g), &json!(i)).await;
    assert!(k.linked(&g).await.is_empty());
    // Removing an absent link is a no-op.
    let a = k.link("remove_images_group", &json!(g), &json!(i)).await;
    assert_eq!((a.status, a.json()), (200, json!({})));
    // Hyphenated and upper-case ids are the same UUIDs.
    let hyphenated = format!(
        "{}-{}-{}-{}-{}",
        &g[..8],
        &g[8..12],
        &g[12..16],
        &g[16..20],
        &g[20..]
    )
    .to_uppercase();
    k.link("add_images_group", &json!(hyphenated), &json!(i))
        .await;
    assert_eq!(k.linked(&g).await, [i]);
}

#[tokio::test]
async fn link_errors_have_the_documented_status_and_text() {
    let k = kasm().await;
    let g = k.group("Developers").await;
    let i = k.image("kasmweb/vs-code:1.18.0").await;
    let unknown = "0123456789abcdef0123456789abcdef";
    let cases: Vec<(&str, Value, u16, Option<&str>)> = vec![
        (
            "get_images_group",
            json!({}),
            200,
            Some("Invalid Request: Missing group id"),
        ),
        (
            "get_images_group",
            json!({"target_group": {"group_id": ""}}),
            200,
            Some("Invalid Request: Missing group id"),
        ),
        (
            "get_images_group",
            json!({"target_group": {"group_id": unknown}}),
            200,
            Some("Request group does not exist"),
        ),
        (
            "add_images_group",
            json!({"target_group": {"group_id": g}}),
            200,
            Some("Invalid request, missing group or image id"),
        ),
        (
            "add_images_group",
            json!({"target_image": {"image_id": i}}),
            200,
            Some("Invalid request, missing group or image id"),
        ),
        (
            "remove_images_group",
            json!({"target_group": {"group_id": g}, "target_image": {}}),
            200,
            Some("Invalid request, missing group or image id"),
        ),
        (
            "remove_images_group",
            json!({"target_group": {"group_id": unknown}, "target_image": {"image_id": i}}),
            200,
            Some("Group or image does not exist"),
        ),
        (
            "remove_images_group",
            json!({"target_group": {"group_id": g}, "target_image": {"image_id": unknown}}),
            200,
            Some("Group or image does not exist"),
        ),
    ];
    for (call, body, status, error) in cases {
        let a = k.post(call, body.clone()).await;
        assert_eq!(
            (a.status, a.error().as_deref()),
            (status, error),
            "{call} {body}: {}",
            a.text
        );
    }
    // Unknown rows on add, and ids that are not UUIDs anywhere, crash the handler.
    for (call, group, image) in [
        ("add_images_group", json!(unknown), json!(i)),
        ("add_images_group", json!(g), json!(unknown)),
        ("add_images_group", json!("not-a-uuid"), json!(i)),
        ("remove_images_group", json!(g), json!("not-a-uuid")),
    ] {
        let a = k.link(call, &group, &image).await;
        assert_eq!(
            (a.status, a.text.as_str()),
            (500, CRASH_PAGE),
            "{call} {group} {image}"
        );
    }
    let a = k
        .post(
            "get_images_group",
            json!({"target_group": {"group_id": "nope"}}),
        )
        .await;
    assert_eq!(a.status, 500);
    assert!(k.linked(&g).await.is_empty(), "nothing stored");
}

#[tokio::test]
async fn an_empty_or_null_group_id_picks_an_arbitrary_group() {
    let k = kasm().await;
    let i = k.image("kasmweb/vs-code:1.18.0").await;
    let first = k.post("get_groups", json!({})).await.json()["groups"][0]["group_id"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let before = k.linked(&first).await.len();
    let a = k.link("add_images_group", &json!(""), &json!(i)).await;
    assert_eq!(
        (a.status, a.json()),
        (200, json!({})),
        "the hazard: it succeeds"
    );
    assert_eq!(
        k.linked(&first).await.len(),
        before + 1,
        "on whichever group came first"
    );
    let a = k
        .post(
            "get_images_group",
            json!({"target_group": {"group_id": null}}),
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.json()["images"].as_array().map(Vec::len),
        Some(before + 1)
    );
}

#[tokio::test]
async fn permissions_decide_what_a_key_sees_and_changes() {
    let viewer = ApiKey {
        name: "viewer".into(),
        key: "v".into(),
        secret: "vs".into(),
        read_only: false,
        expired: false,
        permissions: vec![Permission::GroupsView],
    };
    let system_viewer = ApiKey {
        permissions: vec![Permission::GroupsView, Permission::GroupsViewSystem],
        key: "sv".into(),
        ..viewer.clone()
    };
    let modifier = ApiKey {
        permissions: vec![Permission::GroupsView, Permission::GroupsModify],
        key: "m".into(),
        ..viewer.clone()
    };
    let read_only = ApiKey {
        read_only: true,
        key: "ro".into(),
        ..ApiKey::admin("ro", "ros")
    };
    let k = start(
        Db::default(),
        vec![viewer, system_viewer, modifier, read_only],
    )
    .await;
    let g = k.group("Developers").await;
    let i = k.image("kasmweb/vs-code:1.18.0").await;
    let names = |a: Answer| -> Vec<String> {
        a.json()["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|g| g["name"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(
        names(k.post_as("get_groups", ("v", "vs"), json!({})).await),
        ["Developers"],
        "no system groups without Groups View System"
    );
    assert!(
        names(k.post_as("get_groups", ("sv", "vs"), json!({})).await)
            .contains(&"All Users".to_owned())
    );
    let a = k
        .post_as(
            "get_images_group",
            ("v", "vs"),
            json!({"target_group": {"group_id": ALL_USERS}}),
        )
        .await;
    assert_eq!(
        (a.status, a.error().as_deref()),
        (401, Some("Unauthorized"))
    );
    let body = json!({"target_group": {"group_id": g}, "target_image": {"image_id": i}});
    let a = k
        .post_as("add_images_group", ("v", "vs"), body.clone())
        .await;
    assert_eq!(
        (a.status, a.error().as_deref()),
        (401, Some("Unauthorized")),
        "view only"
    );
    let a = k
        .post_as("add_images_group", ("ro", "ros"), body.clone())
        .await;
    assert_eq!(
        (a.status, a.error().as_deref()),
        (401, Some("Unauthorized")),
        "read-only key"
    );
    let a = k
        .post_as("add_images_group", ("m", "vs"), body.clone())
        .await;
    assert_eq!(
        (a.status, a.json()),
        (200, json!({})),
        "modify on a plain group"
    );
    let system = json!({"target_group": {"group_id": ALL_USERS}, "target_image": {"image_id": i}});
    let a = k.post_as("remove_images_group", ("m", "vs"), system).await;
    assert_eq!(
        (a.status, a.error().as_deref()),
        (401, Some("Unauthorized")),
        "a system group needs Groups Modify System"
    );
    let a = k
        .post_as(
            "get_images_group",
            ("ro", "ros"),
            json!({"target_group": {"group_id": g}}),
        )
        .await;
    assert_eq!(a.status, 200, "a read-only key may read");
}

#[tokio::test]
async fn groups_are_created_updated_and_deleted_by_the_rules() {
    let mut db = Db::default();
    let a_users = kasm_sim::groups::Group {
        group_id: "11111111111111111111111111111111".into(),
        name: "Staff".into(),
        description: None,
        priority: 10,
        is_system: false,
        group_metadata: Default::default(),
        users: 3,
        settings: Default::default(),
        cast_configs: Vec::new(),
    };
    let cast = kasm_sim::groups::Group {
        group_id: "22222222222222222222222222222222".into(),
        name: "Kiosk".into(),
        users: 0,
        cast_configs: vec!["lobby".into()],
        ..a_users.clone()
    };
    db.groups.extend([a_users, cast]);
    let k = start(db, Vec::new()).await;
    let created = k.post("create_group", json!({"target_group": {"name": "Developers", "priority": "100", "description": "devs", "permissions": ["x"]}})).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let group = created.json()["group"].clone();
    assert_eq!(created.json()["group_mappings"], json!([]));
    let mut keys: Vec<&String> = group
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    keys.sort();
    assert_eq!(
        keys,
        [
            "description",
            "group_id",
            "group_metadata",
            "is_system",
            "name",
            "priority",
            "program_data"
        ]
    );
    assert_eq!(group["priority"], json!(100));
    let id = group["group_id"].as_str().unwrap_or("").to_owned();
    let refusals = [
        (
            json!({"target_group": {"name": "X"}}),
            "Invalid Request. Missing required parameters",
        ),
        (
            json!({"target_group": {"name": "Developers", "priority": 5}}),
            "Group (Developers) already exists",
        ),
        (
            json!({"target_group": {"name": "Y", "priority": 4096}}),
            "Invalid priority value (4096)",
        ),
        (
            json!({"target_group": {"name": "Y", "priority": 0}}),
            "Invalid priority value (0)",
        ),
    ];
    for (body, text) in refusals {
        let a = k.post("create_group", body.clone()).await;
        assert_eq!(
            (a.status, a.error().as_deref()),
            (200, Some(text)),
            "{body}"
        );
    }
    // group_mappings: the group is saved, then the handler crashes (a lost answer).
    let a = k
        .post(
            "create_group",
            json!({"target_group": {"name": "Lost", "priority": 7, "group_mappings": []}}),
        )
        .await;
    assert_eq!(a.status, 500);
    let names: Vec<String> = k.post("get_groups", json!({})).await.json()["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| g["name"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(names.contains(&"Lost".to_owned()), "{names:?}");

    let a = k
        .post(
            "update_group",
            json!({"target_group": {"group_id": id, "description": "developers"}}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["group"]["description"], json!("developers"));
    assert_eq!(
        a.json()["group"]["name"],
        json!("Developers"),
        "keys not given stay"
    );

    let deletes = [
        (
            json!({"target_group": {"group_id": ALL_USERS}}),
            "Group (All Users) is a protected group and cannot be deleted",
        ),
        (
            json!({"target_group": {"group_id": "11111111111111111111111111111111"}}),
            "Group contains (3) users and 'force' option not set to True",
        ),
        (
            json!({"target_group": {"group_id": "22222222222222222222222222222222"}}),
            "Group (Kiosk) is referenced in Cast configuration (lobby) and cannot be deleted",
        ),
        (
            json!({"target_group": {"group_id": id}, "force": "yes"}),
            "Invalid Request. 'force' option must be boolean",
        ),
    ];
    for (body, text) in deletes {
        let a = k.post("delete_group", body.clone()).await;
        assert_eq!(
            (a.status, a.error().as_deref()),
            (200, Some(text)),
            "{body}"
        );
    }
    let a = k.post("delete_group", json!({"target_group": {"group_id": "11111111111111111111111111111111"}, "force": true})).await;
    assert_eq!((a.status, a.json()), (200, json!({})));
    let i = k.image("kasmweb/vs-code:1.18.0").await;
    k.link("add_images_group", &json!(id), &json!(i)).await;
    let a = k
        .post("delete_group", json!({"target_group": {"group_id": id}}))
        .await;
    assert_eq!((a.status, a.json()), (200, json!({})));
    assert_eq!(
        k.sim
            .group_links()
            .iter()
            .filter(|l| l.group_id == id)
            .count(),
        0,
        "its links went with it"
    );
}

#[tokio::test]
async fn faults_reach_the_link_calls_too() {
    let k = kasm().await;
    let g = k.group("Developers").await;
    let i = k.image("kasmweb/vs-code:1.18.0").await;
    // A lost answer: the row is stored, the client hears nothing.
    k.sim.set_faults(kasm_sim::faults::Faults {
        drop_next: 1,
        ..Default::default()
    });
    let lost = k
        .http
        .post(format!("{}/api/public/add_images_group", k.sim.url()))
        .json(&json!({"api_key": KEY, "api_key_secret": SECRET, "target_group": {"group_id": g}, "target_image": {"image_id": i}}))
        .send()
        .await;
    assert!(lost.is_err(), "the answer is lost");
    assert_eq!(
        k.linked(&g).await,
        std::slice::from_ref(&i),
        "but the link was made"
    );
    // An injected error status: nothing happens.
    k.sim.set_faults(kasm_sim::faults::Faults {
        fail_next: 1,
        error_statuses: vec![503],
        ..Default::default()
    });
    let a = k.link("remove_images_group", &json!(g), &json!(i)).await;
    assert_eq!(a.status, 503);
    assert_eq!(k.linked(&g).await, [i]);
}

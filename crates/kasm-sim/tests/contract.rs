//! Contract tests: raw HTTP against a running simulator, checked against the
//! requests, answers and texts documented in docs/kasm-api.md.

#![allow(clippy::indexing_slicing, clippy::panic)] // test helpers: a failure should stop the test

use kasm_sim::image::Server;
use kasm_sim::{ApiKey, CRASH_PAGE, Config, Db, Permission, Simulator};
use serde_json::{Value, json};
use std::time::Duration;

const KEY: &str = "bMjMwTT0JKUQ";
const SECRET: &str = "KUNAvRw4KLHGmldBxhRUD5sAhWkvJVzS";
const SERVER: &str = "6a7e1d3f0c2b4e5f8a9b0c1d2e3f4a5b";

struct Kasm {
    sim: Simulator,
    http: reqwest::Client,
}

struct Answer {
    status: u16,
    content_type: String,
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

async fn start(config: Config) -> Kasm {
    let mut keys = vec![ApiKey::admin(KEY, SECRET)];
    keys.extend(config.keys.clone());
    let mut db = config.db.clone();
    db.world.servers.push(Server {
        server_id: SERVER.into(),
        hostname: "agent-1".into(),
    });
    let sim = Simulator::start(Config { keys, db, ..config })
        .await
        .unwrap_or_else(|e| panic!("start: {e}"));
    Kasm {
        sim,
        http: reqwest::Client::new(),
    }
}

async fn kasm() -> Kasm {
    start(Config {
        agent_delay: None,
        ..Config::default()
    })
    .await
}

impl Kasm {
    async fn raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        let r = self
            .http
            .post(format!("{}{path}", self.sim.url()))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = r.status().as_u16();
        let content_type = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        Answer {
            status,
            content_type,
            text: r.text().await.unwrap_or_default(),
        }
    }

    /// POST with body credentials.
    async fn post(&self, path: &str, mut body: Value) -> Answer {
        if let Some(obj) = body.as_object_mut() {
            obj.entry("api_key").or_insert(json!(KEY));
            obj.entry("api_key_secret").or_insert(json!(SECRET));
        }
        self.raw(path, "application/json", body.to_string().into_bytes())
            .await
    }

    async fn list(&self) -> Vec<Value> {
        let a = self.post("/api/public/get_images", json!({})).await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.json()["images"].as_array().cloned().unwrap_or_default()
    }

    async fn create(&self, target: Value) -> Value {
        let a = self
            .post("/api/admin/create_image", json!({ "target_image": target }))
            .await;
        assert_eq!((a.status, a.error()), (200, None), "{}", a.text);
        a.json()["image"].clone()
    }
}

/// A create request as Kasm's UI sends it.
fn filezilla() -> Value {
    json!({
        "name": "kasmweb/filezilla:1.16.1", "friendly_name": "FileZilla",
        "description": "FTP client", "image_src": "img/thumbnails/filezilla.png",
        "image_type": "Container", "enabled": true,
        "cores": 1, "memory": 1024000000, "cpu_allocation_method": "Inherit",
        "gpu_count": 0, "uncompressed_size_mb": 1000,
        "docker_registry": "https://index.docker.io/v1/",
        "run_config": "{\"hostname\": \"kasm-test\"}", "exec_config": "", "volume_mappings": "",
        "categories": "Testing\nNetwork"
    })
}

fn is_hex32(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[tokio::test]
async fn create_answers_the_documented_image() {
    let k = kasm().await;
    let img = k.create(filezilla()).await;
    assert!(is_hex32(&img["image_id"]), "{img}");
    assert_eq!(
        img.as_object().map(|o| o.len()),
        Some(45),
        "every image key, no server keys: {img}"
    );
    assert_eq!(img["available"], json!(false));
    assert!(img["cores"].is_f64() && img["cores"] == json!(1.0));
    assert_eq!(img["memory"], json!(1_024_000_000_i64));
    assert_eq!(img["run_config"], json!({"hostname": "kasm-test"}));
    assert_eq!(img["exec_config"], json!({}));
    assert_eq!(img["volume_mappings"], json!({}));
    assert_eq!(img["categories"], json!(["Testing", "Network"]));
    assert_eq!(img["default_category"], json!("Testing"));
    assert_eq!(img["x_res"], json!(800));
    let listed = k.list().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["server"], json!({}));
    assert_eq!(listed[0]["server_pool"], json!({}));
    assert_eq!(listed[0].as_object().map(|o| o.len()), Some(47));
}

#[tokio::test]
async fn defaults_on_an_empty_create() {
    let k = kasm().await;
    let img = k.create(json!({"friendly_name": "bare"})).await;
    assert_eq!(img["memory"], json!(768_000_000));
    assert_eq!(img["cores"], json!(1.0));
    assert_eq!(img["enabled"], json!(true));
    assert_eq!(img["image_type"], json!("Container"));
    assert_eq!(img["cpu_allocation_method"], json!("Inherit"));
    assert_eq!(img["name"], Value::Null);
}

#[tokio::test]
async fn public_and_admin_paths_are_the_same_handlers() {
    let k = kasm().await;
    let a = k
        .post(
            "/api/public/create_image",
            json!({"target_image": filezilla()}),
        )
        .await;
    assert_eq!(a.status, 200);
    let id = a.json()["image"]["image_id"].clone();
    let d = k
        .post(
            "/api/public/delete_image",
            json!({"target_image": {"image_id": id}}),
        )
        .await;
    assert_eq!((d.status, d.json()), (200, json!({})));
    assert!(
        k.post("/api/admin/get_images", json!({})).await.json()["images"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
}

#[tokio::test]
async fn business_errors_are_200_with_exact_texts_and_store_nothing() {
    let k = kasm().await;
    let cases = [
        (json!({}), "Invalid Request: Missing required parameters"),
        (
            json!({"target_image": {}}),
            "Invalid Request: Missing required parameters",
        ),
        (
            json!({"target_image": {"run_config": {"hostname": "x"}}}),
            "Invalid json format for run_config",
        ),
        (
            json!({"target_image": {"exec_config": "{not json"}}),
            "Invalid json format for exec_config",
        ),
        (
            json!({"target_image": {"persistent_profile_path": "/profiles/x"}}),
            "Invalid Request:Persistent Profile Path must contain either (username} or {user_id} as part of the path",
        ),
        (
            json!({"target_image": {"restrict_to_network": true}}),
            "Invalid Request: Docker Network Names is required if Restrict Image to Docker Network is True",
        ),
        (
            json!({"target_image": {"restrict_to_server": true}}),
            "Invalid Request: server_id required if restrict_to_server is True",
        ),
        (
            json!({"target_image": {"restrict_to_server": true, "server_id": "srv-1"}}),
            "Invalid Request: server_id must be a uuid",
        ),
        (
            json!({"target_image": {"restrict_to_server": true, "server_id": "00000000-0000-0000-0000-000000000001"}}),
            "Invalid Request: No Server exists with id (00000000-0000-0000-0000-000000000001)",
        ),
        (
            json!({"target_image": {"restrict_to_zone": true}}),
            "Invalid Request: zone_id required if restrict_to_zone is True",
        ),
        (
            json!({"target_image": {"restrict_to_zone": true, "zone_id": "z"}}),
            "Invalid Request: zone_id must be a uuid",
        ),
        (
            json!({"target_image": {"restrict_to_zone": true, "zone_id": SERVER}}),
            &format!("Invalid Request: No Zone exists with id ({SERVER})"),
        ),
        (
            json!({"target_image": {"filter_policy_id": "strict"}}),
            "Invalid Request: filter_policy_id must be a uuid",
        ),
    ];
    for (body, text) in cases {
        let a = k.post("/api/admin/create_image", body.clone()).await;
        assert_eq!(
            (a.status, a.error().as_deref()),
            (200, Some(text)),
            "{body}"
        );
        assert_eq!(
            a.json().as_object().map(|o| o.len()),
            Some(1),
            "only error_message: {}",
            a.text
        );
    }
    let a = k
        .post(
            "/api/admin/create_image",
            json!({"target_image": {"volume_mappings": "{\"/d\": {\"bind\": \"/d\"}}"}}),
        )
        .await;
    assert!(
        a.error()
            .is_some_and(|e| e.starts_with("Invalid volume_mappings: ")),
        "{}",
        a.text
    );
    assert!(k.list().await.is_empty(), "nothing stored");
}

#[tokio::test]
async fn crashes_are_500_html_and_store_nothing() {
    let k = kasm().await;
    let cases = [
        json!({"target_image": {"name": "x", "available": true}}),
        json!({"target_image": {"name": "x", "default_category": "A"}}),
        json!({"target_image": {"name": "x", "categories": ["A"]}}),
        json!({"target_image": {"name": "x", "memory": "lots"}}),
        json!({"target_image": {"image_id": "not-a-uuid", "name": "x"}}),
        json!({"target_image": "x"}),
    ];
    for body in cases {
        let a = k.post("/api/admin/create_image", body.clone()).await;
        assert_eq!((a.status, a.text.as_str()), (500, CRASH_PAGE), "{body}");
        assert!(a.content_type.starts_with("text/html"));
    }
    for path in ["/api/admin/update_image", "/api/admin/delete_image"] {
        let a = k
            .post(path, json!({"target_image": {"image_id": "nope"}}))
            .await;
        assert_eq!(a.status, 500, "{path}");
    }
    assert!(k.list().await.is_empty());
}

#[tokio::test]
async fn update_is_read_modify_write_and_nulls_omitted_fields() {
    let k = kasm().await;
    let mut t = filezilla();
    t["hidden"] = json!(true);
    t["gpu_count"] = json!(1);
    t["docker_user"] = json!("robot");
    let id = k.create(t).await["image_id"].clone();
    // A partial update: the documented fields are overwritten, others kept.
    let a = k
        .post(
            "/api/admin/update_image",
            json!({"target_image": {"image_id": id, "friendly_name": "FileZilla (renamed)"}}),
        )
        .await;
    let img = a.json()["image"].clone();
    assert_eq!(img["friendly_name"], json!("FileZilla (renamed)"));
    for (key, want) in [
        ("docker_registry", Value::Null),
        ("docker_user", Value::Null),
        ("hidden", json!(false)),
        ("gpu_count", json!(0)),
    ] {
        assert_eq!(img[key], want, "{key} is overwritten when omitted");
    }
    for key in [
        "memory",
        "cores",
        "name",
        "description",
        "run_config",
        "categories",
        "image_src",
    ] {
        assert_ne!(img[key], Value::Null, "{key} is kept");
    }
    // The full object, as a read-modify-write update sends it.
    let full = json!({
        "image_id": id, "name": "kasmweb/filezilla:1.16.1", "friendly_name": "FileZilla (renamed)",
        "description": "FTP client", "image_src": "img/thumbnails/filezilla.png", "image_type": "Container",
        "enabled": false, "hidden": false, "cores": 2, "memory": 2048000000, "cpu_allocation_method": "Inherit",
        "gpu_count": 0, "require_gpu": false, "uncompressed_size_mb": 1000, "docker_registry": "https://index.docker.io/v1/",
        "docker_user": null, "docker_token": null, "hash": null, "persistent_profile_path": null,
        "run_config": "{\"hostname\": \"kasm-test\"}", "exec_config": "{}", "volume_mappings": "{}", "launch_config": "{}",
        "categories": "Testing\nNetwork", "restrict_to_network": false, "restrict_network_names": [],
        "allow_network_selection": false, "restrict_to_server": false, "server_id": "", "restrict_to_zone": false,
        "zone_id": "", "filter_policy_id": "inherit", "session_time_limit": null, "notes": null, "link_url": null
    });
    let img = k
        .post("/api/admin/update_image", json!({"target_image": full}))
        .await
        .json()["image"]
        .clone();
    assert_eq!(
        (
            img["enabled"].clone(),
            img["cores"].clone(),
            img["memory"].clone()
        ),
        (json!(false), json!(2.0), json!(2_048_000_000_i64))
    );
    assert_eq!(img["docker_registry"], json!("https://index.docker.io/v1/"));
    // Kasm cannot clear a description.
    let img = k
        .post(
            "/api/admin/update_image",
            json!({"target_image": {"image_id": id, "description": ""}}),
        )
        .await
        .json()["image"]
        .clone();
    assert_eq!(img["description"], json!("FTP client"));
}

#[tokio::test]
async fn update_and_delete_texts() {
    let k = kasm().await;
    let zero = "00000000000000000000000000000000";
    let a = k
        .post(
            "/api/admin/update_image",
            json!({"target_image": {"image_id": zero}}),
        )
        .await;
    assert_eq!(
        a.error().as_deref(),
        Some(&*format!(
            "User (None) attempted to update an image ({zero}) that does not exist."
        ))
    );
    let a = k
        .post(
            "/api/admin/update_image",
            json!({"target_image": {"name": "x"}}),
        )
        .await;
    assert_eq!(
        a.error().as_deref(),
        Some("Invalid Request: Missing required parameters")
    );
    let id = k.create(filezilla()).await["image_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // Ids may be sent with hyphens.
    let hyphenated = format!(
        "{}-{}-{}-{}-{}",
        &id[..8],
        &id[8..12],
        &id[12..16],
        &id[16..20],
        &id[20..]
    );
    let d = k
        .post(
            "/api/admin/delete_image",
            json!({"target_image": {"image_id": hyphenated}}),
        )
        .await;
    assert_eq!((d.status, d.json()), (200, json!({})));
    let d = k
        .post(
            "/api/admin/delete_image",
            json!({"target_image": {"image_id": id}}),
        )
        .await;
    assert_eq!(
        d.error(),
        Some(format!("Image({id}) Does not Exist")),
        "delete is not idempotent"
    );
    let d = k
        .post("/api/admin/delete_image", json!({"target_image": {}}))
        .await;
    assert_eq!(
        d.error().as_deref(),
        Some("Invalid Request: Missing required parameters")
    );
}

#[tokio::test]
async fn registry_token_is_masked_and_the_mask_keeps_it() {
    let k = kasm().await;
    let mut t = filezilla();
    t["docker_token"] = json!("s3cret");
    let img = k.create(t).await;
    assert_eq!(img["docker_token"], json!("**********"));
    let id = img["image_id"].clone();
    k.post(
        "/api/admin/update_image",
        json!({"target_image": {"image_id": id, "docker_token": "**********"}}),
    )
    .await;
    assert_eq!(k.sim.images()[0].docker_token.as_deref(), Some("s3cret"));
    k.post(
        "/api/admin/update_image",
        json!({"target_image": {"image_id": id}}),
    )
    .await;
    assert_eq!(
        k.sim.images()[0].docker_token,
        None,
        "omitting the token clears it"
    );
}

#[tokio::test]
async fn restrictions_to_known_servers_and_network_names() {
    let k = kasm().await;
    let mut t = filezilla();
    t["restrict_to_server"] = json!(true);
    t["server_id"] = json!("6a7e1d3f-0c2b-4e5f-8a9b-0c1d2e3f4a5b");
    t["restrict_to_network"] = json!(true);
    t["restrict_network_names"] = json!(["kasm_net"]);
    t["persistent_profile_path"] = json!("s3://profiles/{username}");
    let img = k.create(t).await;
    assert_eq!(img["server_id"], json!(SERVER));
    assert_eq!(img["restrict_network_names"], json!(["kasm_net"]));
    assert_eq!(
        img["persistent_profile_path"],
        json!("s3://profiles/{username}/")
    );
    assert_eq!(k.list().await[0]["server"], json!({"hostname": "agent-1"}));
}

#[tokio::test]
async fn get_image_does_not_exist() {
    let k = kasm().await;
    for path in [
        "/api/public/get_image",
        "/api/admin/get_image",
        "/api/public/images",
        "/",
    ] {
        let a = k.post(path, json!({"image_id": "x"})).await;
        assert_eq!(
            (a.status, a.text.as_str()),
            (
                404,
                "An error has occurred 404 Not Found - see logs for details"
            ),
            "{path}"
        );
    }
}

#[tokio::test]
async fn authentication_outcomes() {
    let view_only = ApiKey {
        name: "viewer".into(),
        permissions: vec![Permission::ImagesView],
        ..ApiKey::admin("view", "v")
    };
    let read_only = ApiKey {
        name: "ro".into(),
        read_only: true,
        ..ApiKey::admin("ro", "r")
    };
    let expired = ApiKey {
        name: "old".into(),
        expired: true,
        ..ApiKey::admin("old", "o")
    };
    let k = start(Config {
        keys: vec![view_only, read_only, expired],
        agent_delay: None,
        ..Config::default()
    })
    .await;
    let list = "/api/public/get_images";
    let create = "/api/admin/create_image";
    let body = |key: &str, secret: &str| json!({"api_key": key, "api_key_secret": secret, "target_image": {"name": "x"}});
    let cases: [(&str, Value, u16, &str); 8] = [
        (list, json!({"api_key": KEY}), 400, "Invalid Request"),
        (list, body(KEY, "wrong"), 403, "Access Denied"),
        (list, body("nobody", SECRET), 403, "Access Denied"),
        (list, body("old", "o"), 401, "Access has expired"),
        (create, body("ro", "r"), 401, "Unauthorized"),
        (create, body("view", "v"), 401, "Unauthorized"),
        (
            list,
            json!({"api_key": "view", "api_key_secret": "v", "user_id": "u"}),
            401,
            "API Key (viewer) is not authorized to impersonate a user.",
        ),
        (
            list,
            json!({"username": "admin@kasm.local", "token": "t"}),
            403,
            "Access Denied",
        ),
    ];
    for (path, b, status, text) in cases {
        let a = k
            .raw(path, "application/json", b.to_string().into_bytes())
            .await;
        assert_eq!(
            (a.status, a.error().as_deref()),
            (status, Some(text)),
            "{path} {b}"
        );
    }
    // Read-only and view-only keys may list.
    for (key, secret) in [("ro", "r"), ("view", "v")] {
        let a = k
            .raw(
                list,
                "application/json",
                json!({"api_key": key, "api_key_secret": secret})
                    .to_string()
                    .into_bytes(),
            )
            .await;
        assert_eq!(a.status, 200, "{key}");
    }
    // Headers are read first; HTTP Basic is accepted too.
    let r = k
        .http
        .post(format!("{}{list}", k.sim.url()))
        .header("api-key", KEY)
        .header("api-key-secret", SECRET)
        .json(&json!({"api_key": "x", "api_key_secret": "y"}))
        .send()
        .await;
    assert_eq!(r.map(|r| r.status().as_u16()).ok(), Some(200));
    let r = k
        .http
        .post(format!("{}{list}", k.sim.url()))
        .basic_auth(KEY, Some(SECRET))
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(r.map(|r| r.status().as_u16()).ok(), Some(200));
}

#[tokio::test]
async fn unlicensed_server_refuses_everything() {
    let k = start(Config {
        licensed: false,
        agent_delay: None,
        ..Config::default()
    })
    .await;
    let a = k.post("/api/public/get_images", json!({})).await;
    assert_eq!(
        (a.status, a.error().as_deref()),
        (403, Some("Access Denied. This feature is not licensed"))
    );
}

#[tokio::test]
async fn modify_without_resources_right() {
    let modifier = ApiKey {
        name: "mod".into(),
        permissions: vec![Permission::ImagesModify],
        ..ApiKey::admin("mod", "m")
    };
    let k = start(Config {
        keys: vec![modifier],
        agent_delay: None,
        ..Config::default()
    })
    .await;
    let img = k.create(filezilla()).await;
    let id = img["image_id"].clone();
    let creds = |t: Value| json!({"api_key": "mod", "api_key_secret": "m", "target_image": t});
    // A resource property missing from the request crashes the handler.
    let a = k
        .post(
            "/api/admin/update_image",
            creds(json!({"image_id": id, "friendly_name": "x"})),
        )
        .await;
    assert_eq!(a.status, 500);
    let resources = json!({"image_id": id, "require_gpu": false, "gpu_count": 0, "memory": 1024000000, "cores": 1,
        "cpu_allocation_method": "Inherit", "volume_mappings": "{}", "run_config": "{\"hostname\": \"kasm-test\"}",
        "persistent_profile_path": null, "uncompressed_size_mb": 1000, "docker_registry": "https://index.docker.io/v1/",
        "docker_token": null, "docker_user": null, "hash": null, "exec_config": "{}", "friendly_name": "Renamed"});
    let a = k
        .post("/api/admin/update_image", creds(resources.clone()))
        .await;
    assert_eq!((a.status, a.error()), (200, None), "{}", a.text);
    let mut more = resources;
    more["memory"] = json!(4096000000_i64);
    let a = k.post("/api/admin/update_image", creds(more)).await;
    assert_eq!(
        a.error().as_deref(),
        Some("User (None) is not authorized to make these changes to the image.")
    );
}

#[tokio::test]
async fn agent_makes_new_images_available() {
    let k = start(Config {
        agent_delay: Some(Duration::from_millis(100)),
        ..Config::default()
    })
    .await;
    let img = k.create(filezilla()).await;
    assert_eq!(img["available"], json!(false));
    let mut available = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if k.list().await[0]["available"] == json!(true) {
            available = true;
            break;
        }
    }
    assert!(available, "the agent pulled the image");
    // The tag is pulled now: another image with that name is available at once.
    assert_eq!(k.create(filezilla()).await["available"], json!(true));
}

#[tokio::test]
async fn parallel_creates_lose_nothing() {
    let k = kasm().await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let http = k.http.clone();
        let url = format!("{}/api/admin/create_image", k.sim.url());
        tasks.spawn(async move {
            let body = json!({"api_key": KEY, "api_key_secret": SECRET, "target_image": {"name": format!("kasmweb/n{i}:1")}});
            let r = http.post(url).json(&body).send().await.ok()?;
            let v: Value = r.json().await.ok()?;
            v["image"]["image_id"].as_str().map(str::to_owned)
        });
    }
    let mut ids = std::collections::BTreeSet::new();
    while let Some(r) = tasks.join_next().await {
        ids.insert(r.ok().flatten().unwrap_or_default());
    }
    assert_eq!(ids.len(), 200);
    assert!(!ids.contains(""));
    assert_eq!(k.list().await.len(), 200);
    assert_eq!(k.sim.request_count("/api/admin/create_image"), 200);
}

#[tokio::test]
async fn bad_input_gets_framework_errors() {
    let k = start(Config {
        max_body: 64 * 1024,
        agent_delay: None,
        ..Config::default()
    })
    .await;
    let path = "/api/public/get_images";
    let a = k
        .raw(path, "application/json", b"{\"api_key\": ".to_vec())
        .await;
    assert_eq!(
        (a.status, a.text.as_str()),
        (
            400,
            "An error has occurred 400 Bad Request - see logs for details"
        )
    );
    let a = k.raw(path, "text/plain", b"{}".to_vec()).await;
    assert_eq!(
        (a.status, a.text.as_str()),
        (
            415,
            "An error has occurred 415 Unsupported Media Type - see logs for details"
        )
    );
    let huge = format!("{{\"x\": \"{}\"}}", "a".repeat(200 * 1024));
    let a = k.raw(path, "application/json", huge.into_bytes()).await;
    assert_eq!(
        (a.status, a.text.as_str()),
        (
            413,
            "An error has occurred 413 Payload Too Large - see logs for details"
        )
    );
    let a = k.raw(path, "application/json", b"[1, 2]".to_vec()).await;
    assert_eq!((a.status, a.text.as_str()), (500, CRASH_PAGE));
    // Still serving.
    assert!(k.list().await.is_empty());
}

#[tokio::test]
async fn data_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().join("kasm.json");
    let k = start(Config {
        data: Some(data.clone()),
        agent_delay: None,
        ..Config::default()
    })
    .await;
    let mut t = filezilla();
    t["docker_token"] = json!("s3cret");
    let id = k.create(t).await["image_id"].clone();
    k.sim.stop().await.unwrap_or_else(|e| panic!("{e}"));
    let db = Db::load(&data).unwrap_or_else(|e| panic!("{e}"));
    let k = start(Config {
        db,
        data: Some(data),
        agent_delay: None,
        ..Config::default()
    })
    .await;
    let listed = k.list().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["image_id"], id);
    assert_eq!(k.sim.images()[0].docker_token.as_deref(), Some("s3cret"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert_eq!(leftovers.len(), 1, "no temporary files left: {leftovers:?}");
}

#[tokio::test]
async fn seed_file_in_answer_shape() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let seed = dir.path().join("seed.json");
    let text = json!({"images": [{"name": "kasmweb/terminal:1.18.0", "friendly_name": "Terminal", "available": true,
        "memory": 2768000000_i64, "cores": 2.0, "default_category": "ignored", "server": {}}]});
    std::fs::write(&seed, text.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let db = Db::from_seed(&seed).unwrap_or_else(|e| panic!("{e}"));
    let k = start(Config {
        db,
        agent_delay: None,
        ..Config::default()
    })
    .await;
    let listed = k.list().await;
    assert_eq!(listed.len(), 1);
    assert!(is_hex32(&listed[0]["image_id"]));
    assert_eq!(listed[0]["memory"], json!(2_768_000_000_i64));
    // The seeded tag counts as pulled.
    assert_eq!(
        k.create(json!({"name": "kasmweb/terminal:1.18.0"})).await["available"],
        json!(true)
    );
}

#[tokio::test]
async fn images_in_use_cannot_be_deleted() {
    let (busy, cast) = (
        "3a08021231af4d6496139031be6bbe03",
        "7c1e4b0f2d8a4e5f9a6b3c2d1e0f9a8b",
    );
    let image = |id: &str, name: &str| kasm_sim::StoredImage {
        image_id: id.into(),
        friendly_name: Some(name.into()),
        ..Default::default()
    };
    let mut db = Db {
        images: vec![image(busy, "Terminal"), image(cast, "Chrome")],
        ..Db::default()
    };
    db.world.sessions.insert(busy.into(), 2);
    db.world.cast_configs.insert(cast.into(), 1);
    let k = start(Config {
        db,
        agent_delay: None,
        ..Config::default()
    })
    .await;
    let a = k
        .post(
            "/api/admin/delete_image",
            json!({"target_image": {"image_id": busy}}),
        )
        .await;
    assert_eq!(
        a.error().as_deref(),
        Some(
            "Image (Terminal): ID (3a080212-31af-4d64-9613-9031be6bbe03) currently has (2) associated Kasm(s) and cannot be deleted"
        )
    );
    let a = k
        .post(
            "/api/admin/delete_image",
            json!({"target_image": {"image_id": cast}}),
        )
        .await;
    assert_eq!(
        a.error().as_deref(),
        Some(
            "Image (Chrome): ID (7c1e4b0f-2d8a-4e5f-9a6b-3c2d1e0f9a8b) currently has (1) associated Casting Config(s) and cannot be deleted"
        )
    );
    assert_eq!(k.list().await.len(), 2);
}

//! Raw HTTP to a running simulator, for the users and sessions contract tests.

#![allow(dead_code, clippy::indexing_slicing, clippy::panic)] // each test file uses a part

use kasm_sim::{ApiKey, Config, Db, Simulator};
use serde_json::{Value, json};
use std::time::Duration;

pub const KEY: &str = "uS3rK3y";
pub const SECRET: &str = "s3cr3t-for-users-0123456789abcdef";

pub struct Kasm {
    pub sim: Simulator,
    http: reqwest::Client,
}

pub struct Answer {
    pub status: u16,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
    pub fn error(&self) -> Option<String> {
        self.json()
            .get("error_message")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
    /// Status and error text, for one assertion.
    pub fn outcome(&self) -> (u16, Option<String>) {
        (self.status, self.error())
    }
}

/// A simulator with the admin key (Global Admin and User), `extra` keys and
/// sessions that start and tear down in `timing`.
pub async fn start_with(db: Db, extra: Vec<ApiKey>, timing: Duration) -> Kasm {
    let mut keys = vec![ApiKey::admin(KEY, SECRET)];
    keys.extend(extra);
    let sim = Simulator::start(Config {
        keys,
        db,
        agent_delay: None,
        session_start: timing,
        session_teardown: timing,
        ..Config::default()
    })
    .await
    .unwrap_or_else(|e| panic!("start: {e}"));
    Kasm {
        sim,
        http: reqwest::Client::new(),
    }
}

pub async fn kasm() -> Kasm {
    start_with(Db::default(), Vec::new(), Duration::from_millis(200)).await
}

impl Kasm {
    /// POST `/api/<path>` (path starts with `public/` or `admin/`) with the key's credentials.
    pub async fn call(&self, path: &str, key: (&str, &str), mut body: Value) -> Answer {
        if let Some(o) = body.as_object_mut() {
            o.insert("api_key".into(), json!(key.0));
            o.insert("api_key_secret".into(), json!(key.1));
        }
        let r = self
            .http
            .post(format!("{}/api/{path}", self.sim.url()))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        Answer {
            status: r.status().as_u16(),
            text: r.text().await.unwrap_or_default(),
        }
    }

    /// A public call with the admin key.
    pub async fn post(&self, call: &str, body: Value) -> Answer {
        self.call(&format!("public/{call}"), (KEY, SECRET), body)
            .await
    }

    /// An `/api/admin/` call with the admin key.
    pub async fn admin(&self, call: &str, body: Value) -> Answer {
        self.call(&format!("admin/{call}"), (KEY, SECRET), body)
            .await
    }

    pub async fn user(&self, name: &str) -> String {
        let a = self
            .post(
                "create_user",
                json!({"target_user": {"username": name, "password": "Pa55word!"}}),
            )
            .await;
        assert_eq!(a.outcome(), (200, None), "{}", a.text);
        a.json()["user"]["user_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn image(&self, name: &str) -> String {
        let a = self
            .post(
                "create_image",
                json!({"target_image": {"name": name, "friendly_name": name, "image_src": "img/x.png"}}),
            )
            .await;
        assert_eq!(a.outcome(), (200, None), "{}", a.text);
        a.json()["image"]["image_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn group(&self, name: &str, settings: Value) -> String {
        let a = self
            .post(
                "create_group",
                json!({"target_group": {"name": name, "priority": 50}}),
            )
            .await;
        assert_eq!(a.outcome(), (200, None), "{}", a.text);
        let id = a.json()["group"]["group_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if let Value::Object(settings) = settings {
            self.sim.set_group_settings(&id, settings);
        }
        id
    }

    pub async fn join(&self, user: &str, group: &str) -> Answer {
        self.post(
            "add_user_group",
            json!({"target_user": {"user_id": user}, "target_group": {"group_id": group}}),
        )
        .await
    }

    pub async fn authorize(&self, group: &str, image: &str) {
        let a = self
            .post(
                "add_images_group",
                json!({"target_group": {"group_id": group}, "target_image": {"image_id": image}}),
            )
            .await;
        assert_eq!(a.outcome(), (200, None), "{}", a.text);
    }

    pub async fn request(&self, user: &str, image: &str) -> Answer {
        self.post("request_kasm", json!({"user_id": user, "image_id": image}))
            .await
    }

    pub async fn status(&self, user: &str, kasm: &str) -> Answer {
        self.post("get_kasm_status", json!({"user_id": user, "kasm_id": kasm}))
            .await
    }

    /// Asks until `done` holds for the answer (the simulator's clock moves on
    /// its own); gives up after a minute.
    pub async fn wait_until(
        &self,
        what: &str,
        ask: impl AsyncFn() -> Answer,
        done: impl Fn(&Answer) -> bool,
    ) -> Answer {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let a = ask().await;
            if done(&a) {
                return a;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "never {what}: {}",
                a.text
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

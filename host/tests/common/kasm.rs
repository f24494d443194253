//! A simulator on loopback and a working directory for the CLI: the peer of
//! every end-to-end test.

use kasm_sim::{ApiKey, Config, Faults, Simulator, StoredImage};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

pub const KEY: &str = "test-key-0123";
pub const SECRET: &str = "test-secret-9f8e7d6c";

/// A simulator on loopback and a working directory for the CLI.
pub struct Kasm {
    runtime: tokio::runtime::Runtime,
    /// One client for every raw call (building one reads the system's certificates).
    client: reqwest::Client,
    sim: Option<Simulator>,
    dir: tempfile::TempDir,
}

impl Kasm {
    pub fn start() -> Kasm {
        Self::with(Config {
            keys: vec![ApiKey::admin(KEY, SECRET), {
                let mut ro = ApiKey::admin("ro-key", "ro-secret");
                ro.read_only = true;
                ro
            }],
            agent_delay: Some(Duration::from_millis(300)),
            ..Config::default()
        })
    }

    pub fn with(config: Config) -> Kasm {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let sim = runtime
            .block_on(Simulator::start(config))
            .unwrap_or_else(|e| panic!("{e}"));
        Kasm {
            runtime,
            client: reqwest::Client::new(),
            sim: Some(sim),
            dir: tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")),
        }
    }

    pub fn sim(&self) -> &Simulator {
        self.sim.as_ref().unwrap_or_else(|| panic!("stopped"))
    }

    /// The id of the simulator's group of that name.
    pub fn group_id(&self, name: &str) -> Option<String> {
        self.sim()
            .groups()
            .into_iter()
            .find(|g| g.name == name)
            .map(|g| g.group_id)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kasm-plan"));
        c.args(args)
            .current_dir(self.dir.path())
            .env("KASM_API_URL", self.sim().url())
            .env("KASM_API_KEY", KEY)
            .env("KASM_API_KEY_SECRET", SECRET)
            .env("KASM_PLAN_CACHE_DIR", super::cache_dir())
            .env_remove("KASM_PLAN_COMPONENT")
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run kasm-plan: {e}"))
    }

    pub fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.path(name), text).unwrap_or_else(|e| panic!("{e}"));
        name.to_owned()
    }

    pub fn images(&self) -> Vec<StoredImage> {
        self.sim().images()
    }

    pub fn names(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for i in self.images() {
            *out.entry(i.friendly_name.clone().unwrap_or_default())
                .or_default() += 1;
        }
        out
    }

    pub fn faults(&self, faults: Value) {
        let faults: Faults = serde_json::from_value(faults).unwrap_or_else(|e| panic!("{e}"));
        self.sim().set_faults(faults);
    }

    /// A raw API call, as another admin would make it.
    pub fn post(&self, endpoint: &str, target: Value) -> Value {
        let url = format!("{}/api/public/{endpoint}", self.sim().url());
        self.runtime.block_on(async {
            self.client
                .post(url)
                .json(&json!({"api_key": KEY, "api_key_secret": SECRET, "target_image": target}))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .json::<Value>()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        })
    }

    /// Any raw API call with the admin key.
    pub fn call(&self, endpoint: &str, mut body: Value) -> Value {
        let url = format!("{}/api/public/{endpoint}", self.sim().url());
        if let Some(o) = body.as_object_mut() {
            o.insert("api_key".into(), json!(KEY));
            o.insert("api_key_secret".into(), json!(SECRET));
        }
        self.runtime.block_on(async {
            self.client
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .json::<Value>()
                .await
                .unwrap_or(Value::Null)
        })
    }

    /// The state file's records by type ([`super::by_type`]).
    pub fn state(&self) -> Value {
        super::by_type(&self.state_text())
    }

    /// A file of the working directory, as text (empty when missing).
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// The state file as written.
    pub fn state_file(&self) -> Value {
        serde_json::from_str(&self.state_text()).unwrap_or(Value::Null)
    }

    fn state_text(&self) -> String {
        std::fs::read_to_string(self.path("kasm-plan.state.json")).unwrap_or_default()
    }
}

impl Drop for Kasm {
    fn drop(&mut self) {
        if let Some(sim) = self.sim.take() {
            let _ = self.runtime.block_on(sim.stop());
        }
    }
}

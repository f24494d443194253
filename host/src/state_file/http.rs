//! The `http` backend: Terraform's HTTP backend protocol, so GitLab-managed
//! state and similar servers keep kasm-plan's states. `GET address` reads the
//! state (404 or 204 or an empty body: none yet); `POST address?ID=<lock id>`
//! (`update_method`) writes it; `LOCK`/`UNLOCK` (`lock_method`,
//! `unlock_method`) on `lock_address`/`unlock_address` carry the lock info as
//! JSON, and a held lock answers 423 or 409 with the holder's info. Requests
//! that fail with a connection error or a 5xx are retried (`retry_max`,
//! `retry_wait_min`, `retry_wait_max`). The lock is released when the run
//! ends; a killed run leaves it held, as Terraform's does, until
//! `kasm-plan state force-unlock ID`.
//!
//! Each request runs on a short-lived thread with its own runtime, so the
//! store can be used from synchronous code and from inside the CLI's runtime.

use super::StateError;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// The backend's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpSettings {
    /// The state's URL.
    pub address: String,
    /// The method that writes the state (`POST`).
    pub update_method: String,
    /// Where to lock; no locking without it.
    pub lock_address: Option<String>,
    /// Where to unlock (the lock address by default).
    pub unlock_address: Option<String>,
    /// `LOCK` by default.
    pub lock_method: String,
    /// `UNLOCK` by default.
    pub unlock_method: String,
    /// Basic auth, from `TF_HTTP_USERNAME` / `TF_HTTP_PASSWORD`.
    pub username: Option<String>,
    /// See `username`.
    pub password: Option<String>,
    /// Retries of a failed request.
    pub retry_max: u32,
    /// The first wait between retries.
    pub retry_wait_min: Duration,
    /// The longest wait between retries.
    pub retry_wait_max: Duration,
}

/// Terraform's lock info, as the protocol carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LockInfo {
    /// The lock's id.
    #[serde(rename = "ID")]
    pub id: String,
    /// What runs: `kasm-plan apply`.
    #[serde(default)]
    pub operation: String,
    /// Free text.
    #[serde(default)]
    pub info: String,
    /// `user@host (pid N)`.
    #[serde(default)]
    pub who: String,
    /// The client's version.
    #[serde(default)]
    pub version: String,
    /// When it was taken (RFC 3339).
    #[serde(default)]
    pub created: String,
    /// The state's path.
    #[serde(default)]
    pub path: String,
}

/// The state behind an HTTP endpoint, under its lock.
pub struct HttpStore {
    settings: HttpSettings,
    lock: Option<LockInfo>,
}

impl HttpStore {
    /// Takes the lock (waiting up to `wait`; the holder named otherwise).
    pub fn open(
        settings: &HttpSettings,
        wait: Duration,
        command: &str,
    ) -> Result<HttpStore, StateError> {
        let mut store = HttpStore {
            settings: settings.clone(),
            lock: None,
        };
        if store.settings.lock_address.is_some() {
            store.lock = Some(store.take_lock(wait, command)?);
        }
        Ok(store)
    }

    /// Where the state is, for messages.
    pub fn describe(&self) -> String {
        format!("the HTTP backend at {}", redacted(&self.settings.address))
    }

    fn take_lock(&self, wait: Duration, command: &str) -> Result<LockInfo, StateError> {
        let info = LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: format!("kasm-plan {command}"),
            info: String::new(),
            who: format!(
                "{}@{} (pid {})",
                std::env::var("USER").unwrap_or_else(|_| "unknown".into()),
                hostname(),
                std::process::id()
            ),
            version: env!("CARGO_PKG_VERSION").into(),
            created: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            path: String::new(),
        };
        let body = serde_json::to_vec(&info).map_err(|e| fail(e.to_string()))?;
        let address = self.settings.lock_address.clone().unwrap_or_default();
        let started = Instant::now();
        loop {
            let (status, text) = self.send(&self.settings.lock_method, &address, Some(&body))?;
            match status {
                200..=299 => return Ok(info),
                409 | 423 => {
                    if started.elapsed() >= wait {
                        let holder: LockInfo = serde_json::from_str(&text).unwrap_or_default();
                        return Err(StateError::HeldElsewhere {
                            what: self.describe(),
                            holder: format!(
                                "lock {}, `{}` by {}, since {}",
                                holder.id, holder.operation, holder.who, holder.created
                            ),
                            waited: wait,
                        });
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
                other => {
                    return Err(fail(format!(
                        "{} {address} answered {other}: {}",
                        self.settings.lock_method,
                        short(&text)
                    )));
                }
            }
        }
    }

    /// The state's text, if there is one.
    pub fn load(&self) -> Result<Option<String>, StateError> {
        let (status, text) = self.send("GET", &self.settings.address, None)?;
        match status {
            200 if !text.trim().is_empty() => Ok(Some(text)),
            200 | 204 | 404 => Ok(None),
            other => Err(fail(format!("GET answered {other}: {}", short(&text)))),
        }
    }

    /// Writes the state, naming the lock it holds.
    pub fn store(&self, text: &str) -> Result<(), StateError> {
        let mut address = self.settings.address.clone();
        if let Some(lock) = &self.lock {
            let separator = if address.contains('?') { '&' } else { '?' };
            address = format!("{address}{separator}ID={}", lock.id);
        }
        let (status, answer) = self.send(
            &self.settings.update_method,
            &address,
            Some(text.as_bytes()),
        )?;
        match status {
            200 | 201 | 204 => Ok(()),
            other => Err(fail(format!(
                "{} answered {other}: {}; the state was not written",
                self.settings.update_method,
                short(&answer)
            ))),
        }
    }

    /// Releases a lock by id (`force-unlock`), whoever holds it.
    pub fn force_unlock(settings: &HttpSettings, id: &str) -> Result<(), StateError> {
        let store = HttpStore {
            settings: settings.clone(),
            lock: None,
        };
        store.unlock(&LockInfo {
            id: id.to_owned(),
            ..LockInfo::default()
        })
    }

    fn unlock(&self, info: &LockInfo) -> Result<(), StateError> {
        let address = self
            .settings
            .unlock_address
            .clone()
            .or_else(|| self.settings.lock_address.clone())
            .unwrap_or_default();
        let body = serde_json::to_vec(info).map_err(|e| fail(e.to_string()))?;
        let (status, text) = self.send(&self.settings.unlock_method, &address, Some(&body))?;
        match status {
            200..=299 => Ok(()),
            other => Err(fail(format!(
                "{} answered {other}: {}",
                self.settings.unlock_method,
                short(&text)
            ))),
        }
    }

    /// One request, retried on connection errors and 5xx.
    fn send(
        &self,
        method: &str,
        url: &str,
        body: Option<&[u8]>,
    ) -> Result<(u16, String), StateError> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| fail(format!("`{method}` is not an HTTP method")))?;
        let mut attempt = 0;
        loop {
            let result = once(&self.settings, method.clone(), url, body);
            let retry = match &result {
                Ok((status, _)) => *status >= 500,
                Err(_) => true,
            };
            if !retry || attempt >= self.settings.retry_max {
                return result;
            }
            let wait = self
                .settings
                .retry_wait_min
                .saturating_mul(1 << attempt.min(16))
                .min(self.settings.retry_wait_max);
            std::thread::sleep(wait);
            attempt += 1;
        }
    }
}

impl Drop for HttpStore {
    fn drop(&mut self) {
        if let Some(lock) = self.lock.take()
            && let Err(e) = self.unlock(&lock)
        {
            eprintln!(
                "Warning: the lock {} of {} was not released ({e}); release it with `kasm-plan state force-unlock {}`",
                lock.id,
                self.describe(),
                lock.id
            );
        }
    }
}

/// One request on a thread of its own (the caller may be inside a runtime).
fn once(
    settings: &HttpSettings,
    method: reqwest::Method,
    url: &str,
    body: Option<&[u8]>,
) -> Result<(u16, String), StateError> {
    let settings = settings.clone();
    let url = url.to_owned();
    let body = body.map(<[u8]>::to_vec);
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| fail(e.to_string()))?;
                runtime.block_on(async move {
                    let client = reqwest::Client::builder()
                        .timeout(Duration::from_secs(30))
                        .build()
                        .map_err(|e| fail(e.to_string()))?;
                    let mut request = client.request(method, &url);
                    if let Some(user) = &settings.username {
                        request = request.basic_auth(user, settings.password.as_deref());
                    }
                    if let Some(body) = body {
                        request = request
                            .header("Content-Type", "application/json")
                            .body(body);
                    }
                    let answer = request
                        .send()
                        .await
                        .map_err(|e| fail(format!("{}: {e}", redacted(&url))))?;
                    let status = answer.status().as_u16();
                    let text = answer.text().await.unwrap_or_default();
                    Ok((status, text))
                })
            })
            .join()
            .unwrap_or_else(|_| Err(fail("the request's thread stopped".into())))
    })
}

fn fail(message: String) -> StateError {
    StateError::backend("http", message)
}

/// A URL without its user info.
fn redacted(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_password(None);
            let _ = u.set_username("");
            u.to_string()
        }
        Err(_) => "(not a URL)".into(),
    }
}

fn short(text: &str) -> String {
    let t: String = text.trim().chars().take(200).collect();
    if t.is_empty() {
        "(empty body)".into()
    } else {
        t
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "localhost".into())
}

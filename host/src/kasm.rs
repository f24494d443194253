//! The Kasm API client (docs/kasm-api.md): POST + JSON everywhere, credentials in
//! the body or as HTTP Basic, `error_message` bodies are failures whatever the
//! status, retries only where repeating a request is safe.

use base64::Engine as _;
use kasm_plan_core::Image;
use kasm_plan_core::group::{Group, GroupImage};
use kasm_plan_core::model::canonical_uuid;
use kasm_plan_core::schema::tables;
use serde_json::{Map, Value, json};
use std::time::Duration;

/// How the API key travels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthForm {
    /// `api_key` and `api_key_secret` in the JSON body (Kasm 1.x).
    #[default]
    Body,
    /// `Authorization: Basic base64(key:secret)` (the newer developer API).
    Basic,
}

/// An API key. `Debug` never shows the secret.
#[derive(Clone)]
pub struct Credentials {
    /// The key's id.
    pub key: String,
    /// The key's secret.
    pub secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(..)")
    }
}

/// Retry policy for requests that are safe to repeat.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// Attempts in all (1 = no retry).
    pub attempts: u32,
    /// First backoff; doubles each time, with jitter.
    pub base: Duration,
    /// Longest single wait.
    pub max: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 6,
            base: Duration::from_millis(200),
            max: Duration::from_secs(10),
        }
    }
}

/// A failed request. Texts from Kasm are kept as they came.
#[derive(Debug, thiserror::Error)]
pub enum KasmError {
    /// Kasm answered `{"error_message": ...}`.
    #[error("Kasm refused: {message}{}", status_note(*.status))]
    Refused {
        /// The HTTP status (often 200).
        status: u16,
        /// Kasm's text.
        message: String,
    },
    /// A non-2xx answer without an error message (e.g. an HTML 500 page).
    #[error("HTTP {status} from {path}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The endpoint.
        path: String,
        /// The body, shortened.
        body: String,
        /// Retry-After, when given.
        retry_after: Option<Duration>,
    },
    /// No usable answer: connection refused or cut, timeout.
    #[error("{path}: {detail}")]
    Transport {
        /// The endpoint.
        path: String,
        /// What happened.
        detail: String,
        /// Whether the request may have reached the server.
        maybe_sent: bool,
        /// The client stopped waiting (timeout): the server may still be
        /// working on the request, and finish it later.
        timed_out: bool,
    },
    /// A 2xx answer that is not what the endpoint returns.
    #[error("{path}: unexpected answer: {detail}")]
    Unexpected {
        /// The endpoint.
        path: String,
        /// What was wrong.
        detail: String,
    },
}

fn status_note(status: u16) -> String {
    if status == 200 {
        String::new()
    } else {
        format!(" (HTTP {status})")
    }
}

impl KasmError {
    /// Worth another attempt of a request that is safe to repeat.
    pub fn is_transient(&self) -> bool {
        match self {
            KasmError::Status { status, .. } => *status == 429 || *status >= 500,
            KasmError::Transport { .. } => true,
            KasmError::Refused { status, .. } => *status == 429 || *status >= 500,
            KasmError::Unexpected { .. } => false,
        }
    }

    /// The request may have taken effect although no answer says so.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            KasmError::Transport { maybe_sent, .. } => *maybe_sent,
            // A gateway error or crash page may come after the work was done.
            KasmError::Status { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// The request may still be running on the server: its effect may appear later.
    pub fn may_still_run(&self) -> bool {
        matches!(
            self,
            KasmError::Transport {
                timed_out: true,
                ..
            }
        )
    }

    /// Credentials or permissions were refused (401/403).
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            KasmError::Refused {
                status: 401 | 403,
                ..
            }
        )
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            KasmError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// A client that cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The certificates to trust cannot be set up.
    #[error(transparent)]
    Trust(#[from] crate::tls::TrustError),
    /// The HTTP client cannot be built.
    #[error("cannot set up HTTP: {0}")]
    Http(#[from] reqwest::Error),
    /// The URL is not http(s).
    #[error("the Kasm URL must start with https:// (or http://), got `{0}`")]
    Url(String),
}

/// A Kasm server.
#[derive(Clone, Debug)]
pub struct Kasm {
    http: reqwest::Client,
    base: String,
    credentials: Credentials,
    auth: AuthForm,
    retry: Retry,
    /// How long one request may take before the client gives up on it.
    timeout: Duration,
}

/// TLS and timeout settings.
#[derive(Clone, Debug, Default)]
pub struct Transport {
    /// PEM file of certificates to trust instead of the system's roots: CAs,
    /// or the server's own certificate (see [`crate::tls`]).
    pub ca_cert: Option<std::path::PathBuf>,
    /// SHA-256 fingerprints of the server certificate to trust, and no other.
    pub fingerprints: Vec<String>,
    /// Accept any certificate.
    pub insecure: bool,
    /// Per-request timeout.
    pub timeout: Option<Duration>,
}

impl Kasm {
    /// A client for the server at `base` (e.g. `https://kasm.example.com`).
    pub fn new(
        base: &str,
        credentials: Credentials,
        auth: AuthForm,
        transport: &Transport,
        retry: Retry,
    ) -> Result<Kasm, SetupError> {
        let timeout = transport.timeout.unwrap_or(Duration::from_secs(30));
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("kasm-plan/", env!("CARGO_PKG_VERSION")));
        builder = if transport.insecure {
            builder.danger_accept_invalid_certs(true)
        } else {
            let trust =
                crate::tls::client_config(transport.ca_cert.as_deref(), &transport.fingerprints)?;
            builder.tls_backend_preconfigured(trust)
        };
        let http = builder.build()?;
        let base = base.trim_end_matches('/');
        let base = base.strip_suffix("/api/public").unwrap_or(base).to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(SetupError::Url(base));
        }
        Ok(Kasm {
            http,
            base,
            credentials,
            auth,
            retry,
            timeout,
        })
    }

    /// The server's base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// How long to watch for the effect of a request that timed out (it may
    /// still be running on the server): twice the request timeout, at least 5 s.
    pub fn settle_time(&self) -> Duration {
        (self.timeout * 2).max(Duration::from_secs(5))
    }

    /// One POST; no retry.
    async fn post_once(
        &self,
        endpoint: &str,
        body: &Map<String, Value>,
    ) -> Result<Value, KasmError> {
        let path = format!("/api/public/{endpoint}");
        let request = self.http.post(format!("{}{path}", self.base));
        let answer = self
            .authorised(request, body)
            .send()
            .await
            .map_err(|e| transport(&path, &e))?;
        read_answer(path, answer).await
    }

    /// The request with the API key, in the body or as HTTP Basic.
    fn authorised(
        &self,
        request: reqwest::RequestBuilder,
        body: &Map<String, Value>,
    ) -> reqwest::RequestBuilder {
        let mut body = body.clone();
        match self.auth {
            AuthForm::Body => {
                body.insert("api_key".into(), self.credentials.key.clone().into());
                body.insert(
                    "api_key_secret".into(),
                    self.credentials.secret.clone().into(),
                );
                request.json(&body)
            }
            AuthForm::Basic => {
                let token = base64::engine::general_purpose::STANDARD.encode(format!(
                    "{}:{}",
                    self.credentials.key, self.credentials.secret
                ));
                request
                    .header("Authorization", format!("Basic {token}"))
                    .json(&body)
            }
        }
    }

    /// A POST that is safe to repeat: retried on transient failures with
    /// exponential backoff and jitter, honouring Retry-After.
    async fn post(&self, endpoint: &str, body: &Map<String, Value>) -> Result<Value, KasmError> {
        let mut attempt = 1;
        loop {
            let error = match self.post_once(endpoint, body).await {
                Err(e) => e,
                ok => return ok,
            };
            let Some(delay) = self.retry_delay(attempt, &error) else {
                return Err(error);
            };
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// The wait before another attempt after `error` on attempt `attempt`, or
    /// `None` when the policy gives up (not transient, or out of attempts).
    pub fn retry_delay(&self, attempt: u32, error: &KasmError) -> Option<Duration> {
        (error.is_transient() && attempt < self.retry.attempts)
            .then(|| self.backoff(attempt, error.retry_after()))
    }

    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .retry
            .base
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(self.retry.max);
        // Full jitter between half and all of the step.
        let jittered = exp.mul_f64(0.5 + fastrand::f64() / 2.0);
        retry_after.map_or(jittered, |r| r.max(jittered).min(self.retry.max.max(r)))
    }

    /// One call of a table-driven type, as its step describes it: retried
    /// on transient failures only when `repeat_safe`.
    pub async fn call(
        &self,
        endpoint: &str,
        body: &Map<String, Value>,
        repeat_safe: bool,
    ) -> Result<Value, KasmError> {
        if repeat_safe {
            self.post(endpoint, body).await
        } else {
            self.post_once(endpoint, body).await
        }
    }

    /// Every item of a list read by table (`get_users`, `get_kasms`), as
    /// Kasm answers them, a page at a time when the table pages it.
    pub async fn list(&self, list: &tables::List) -> Result<Vec<Value>, KasmError> {
        let mut items = Vec::new();
        for page in 0u64.. {
            let mut body = Map::new();
            if let Some(pages) = &list.pages {
                body.extend([
                    ("page".to_owned(), json!(page)),
                    ("page_size".to_owned(), json!(pages.size)),
                    ("sort_by".to_owned(), json!(pages.sort_by)),
                    ("sort_direction".to_owned(), json!("asc")),
                ]);
            }
            let mut answer = self.post(list.endpoint, &body).await?;
            // Kasm leaves the key out when nothing matches.
            let found = match answer.get_mut(list.answer).map(Value::take) {
                None => Vec::new(),
                Some(Value::Array(found)) => found,
                Some(_) => {
                    return Err(KasmError::Unexpected {
                        path: format!("/api/public/{}", list.endpoint),
                        detail: format!("`{}` is not a list", list.answer),
                    });
                }
            };
            let last = list
                .pages
                .as_ref()
                .is_none_or(|p| (found.len() as u64) < p.size);
            items.extend(found);
            let total = answer.get("total").and_then(Value::as_u64);
            if last || total.is_some_and(|t| items.len() as u64 >= t) {
                break;
            }
        }
        Ok(items)
    }

    /// Every image (`get_images`).
    pub async fn images(&self) -> Result<Vec<Image>, KasmError> {
        let answer = self.post("get_images", &Map::new()).await?;
        let list = answer
            .get("images")
            .cloned()
            .ok_or_else(|| KasmError::Unexpected {
                path: "/api/public/get_images".into(),
                detail: "no `images` list".into(),
            })?;
        serde_json::from_value(list).map_err(|e| KasmError::Unexpected {
            path: "/api/public/get_images".into(),
            detail: e.to_string(),
        })
    }

    /// `create_image`, sent once: repeating a create could make a duplicate.
    pub async fn create_once(&self, target: &Map<String, Value>) -> Result<Image, KasmError> {
        let answer = self.post_once("create_image", &wrap(json!(target))).await?;
        image_of(answer, "create_image")
    }
}

impl Kasm {
    /// Every group the key may view (`get_groups`; system groups only with
    /// "Groups View System").
    pub async fn groups(&self) -> Result<Vec<Group>, KasmError> {
        // The group table's list: its endpoint and answer key.
        let Some(list) = tables::GROUP.list else {
            return Ok(Vec::new());
        };
        let items = self.list(list).await?;
        serde_json::from_value(Value::Array(items)).map_err(|e| KasmError::Unexpected {
            path: format!("/api/public/{}", list.endpoint),
            detail: e.to_string(),
        })
    }

    /// The link rows of a group (`get_images_group`), one per row (a pair may
    /// repeat). A refusal (unknown group, no permission) is an error, never an
    /// empty list.
    pub async fn group_images(&self, group_id: &str) -> Result<Vec<GroupImage>, KasmError> {
        let path = "/api/public/get_images_group";
        let id = checked_id("get_images_group", group_id)?;
        let body = Map::from_iter([("target_group".to_owned(), json!({ "group_id": id }))]);
        let answer = self.post("get_images_group", &body).await?;
        let list = answer
            .get("images")
            .cloned()
            .ok_or_else(|| KasmError::Unexpected {
                path: path.into(),
                detail: "no `images` list".into(),
            })?;
        serde_json::from_value(list).map_err(|e| KasmError::Unexpected {
            path: path.into(),
            detail: e.to_string(),
        })
    }
}

/// A group or image id in Kasm's form; anything else is refused before
/// sending (an empty group id makes Kasm pick an arbitrary group).
fn checked_id(endpoint: &str, id: &str) -> Result<String, KasmError> {
    canonical_uuid(id).ok_or_else(|| KasmError::Unexpected {
        path: format!("/api/public/{endpoint}"),
        detail: format!("refusing to send {id:?}: not a Kasm id"),
    })
}

fn wrap(target: Value) -> Map<String, Value> {
    Map::from_iter([("target_image".to_owned(), target)])
}

fn image_of(answer: Value, endpoint: &str) -> Result<Image, KasmError> {
    let image = answer
        .get("image")
        .cloned()
        .ok_or_else(|| KasmError::Unexpected {
            path: format!("/api/public/{endpoint}"),
            detail: "no `image` in the answer".into(),
        })?;
    serde_json::from_value(image).map_err(|e| KasmError::Unexpected {
        path: format!("/api/public/{endpoint}"),
        detail: e.to_string(),
    })
}

/// Kasm's answer as a value: a body with an error message fails the call
/// whatever the status (Kasm's rule); so does another status than 2xx.
async fn read_answer(path: String, answer: reqwest::Response) -> Result<Value, KasmError> {
    let status = answer.status().as_u16();
    let retry_after = answer
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let text = answer.text().await.map_err(|e| transport(&path, &e))?;
    let value: Option<Value> = serde_json::from_str(&text).ok();
    let message = value.as_ref().and_then(|v| {
        ["error_message", "error"]
            .iter()
            .find_map(|k| v.get(*k).and_then(Value::as_str).filter(|m| !m.is_empty()))
    });
    if let Some(message) = message {
        return Err(KasmError::Refused {
            status,
            message: message.to_owned(),
        });
    }
    if !(200..300).contains(&status) {
        let mut body: String = text.trim().chars().take(300).collect();
        if body.is_empty() {
            body = "(empty body)".into();
        }
        return Err(KasmError::Status {
            status,
            path,
            body,
            retry_after,
        });
    }
    value.ok_or_else(|| KasmError::Unexpected {
        path,
        detail: "the body is not JSON".into(),
    })
}

fn transport(path: &str, e: &reqwest::Error) -> KasmError {
    // Only a failed connect proves the request never left.
    let maybe_sent = !e.is_connect();
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        source = s.source();
    }
    KasmError::Transport {
        path: path.to_owned(),
        detail,
        maybe_sent,
        timed_out: e.is_timeout(),
    }
}

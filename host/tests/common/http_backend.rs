//! A server for the `http` state backend that follows Terraform's protocol
//! strictly: GET (404 until written), POST with `?ID=` of the lock it holds,
//! LOCK and UNLOCK with the lock info as JSON (423 with the holder's info on a
//! held lock, 409 on a wrong lock id), Basic auth, and faults on demand.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const USER: &str = "ci";
pub const PASSWORD: &str = "s3cret";

#[derive(Default)]
pub struct Stored {
    pub data: Option<String>,
    pub lock: Option<Value>,
    /// Answer the next N requests with 503.
    pub fail_next: u32,
    /// Writes accepted.
    pub writes: u32,
    /// Lock ids seen on writes.
    pub write_ids: Vec<String>,
}

pub struct HttpBackend {
    pub stored: Arc<Mutex<Stored>>,
    pub url: String,
    _runtime: tokio::runtime::Runtime,
}

fn lock(m: &Mutex<Stored>) -> std::sync::MutexGuard<'_, Stored> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl HttpBackend {
    pub fn start() -> HttpBackend {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let stored = Arc::new(Mutex::new(Stored::default()));
        let app = axum::Router::new()
            .route("/state", axum::routing::any(handle))
            .with_state(Arc::clone(&stored));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap_or_else(|e| panic!("{e}"));
        let url = format!(
            "http://{}/state",
            listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
        );
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        HttpBackend {
            stored,
            url,
            _runtime: runtime,
        }
    }

    pub fn stored(&self) -> std::sync::MutexGuard<'_, Stored> {
        lock(&self.stored)
    }
}

fn authorised(headers: &HeaderMap) -> bool {
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == expected)
}

async fn handle(
    State(stored): State<Arc<Mutex<Stored>>>,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    if !authorised(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut s = lock(&stored);
    if s.fail_next > 0 {
        s.fail_next -= 1;
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let held = |s: &Stored| s.lock.clone().unwrap_or(Value::Null).to_string();
    match method.as_str() {
        "GET" => match &s.data {
            Some(d) => (StatusCode::OK, d.clone()).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        },
        "POST" => {
            let id = query.get("ID");
            match (&s.lock, id) {
                (Some(l), Some(id)) if l["ID"].as_str() == Some(id.as_str()) => {}
                (Some(_), Some(_)) => return (StatusCode::CONFLICT, held(&s)).into_response(),
                (Some(_), None) => return (StatusCode::LOCKED, held(&s)).into_response(),
                (None, _) => {}
            }
            if serde_json::from_slice::<Value>(&body).is_err() {
                return (StatusCode::BAD_REQUEST, "not JSON").into_response();
            }
            s.data = Some(String::from_utf8_lossy(&body).into_owned());
            s.writes += 1;
            if let Some(id) = id {
                s.write_ids.push(id.clone());
            }
            StatusCode::OK.into_response()
        }
        "LOCK" => {
            let Ok(info) = serde_json::from_slice::<Value>(&body) else {
                return (StatusCode::BAD_REQUEST, "lock info is not JSON").into_response();
            };
            if info["ID"].as_str().is_none_or(str::is_empty) {
                return (StatusCode::BAD_REQUEST, "lock info has no ID").into_response();
            }
            if s.lock.is_some() {
                return (StatusCode::LOCKED, held(&s)).into_response();
            }
            s.lock = Some(info);
            StatusCode::OK.into_response()
        }
        "UNLOCK" => {
            let info: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            match &s.lock {
                Some(l) if l["ID"] == info["ID"] => {
                    s.lock = None;
                    StatusCode::OK.into_response()
                }
                Some(_) => (StatusCode::CONFLICT, held(&s)).into_response(),
                None => StatusCode::OK.into_response(),
            }
        }
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

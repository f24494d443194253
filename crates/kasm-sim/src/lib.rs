//! A simulator of Kasm Workspaces' API for images, groups, users and sessions
//! (Kasm 1.15 as documented in `docs/kasm-api.md`): the demo's embedded server
//! and the host's test peer.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use kasm_sim::{ApiKey, Config, Simulator};
//! let sim = Simulator::start(Config { keys: vec![ApiKey::admin("key", "secret")], ..Config::default() }).await?;
//! println!("Kasm at {}", sim.url());
//! sim.stop().await
//! # }
//! ```

#![recursion_limit = "256"] // the 45-key answer object in image.rs

pub mod auth;
pub mod clock;
pub mod faults;
pub mod groups;
pub mod image;
pub mod rules;
mod server;
pub mod sessions;
pub mod store;
pub mod users;

pub use auth::{ApiKey, Permission};
pub use faults::Faults;
pub use image::{StoredImage, World};
pub use server::CRASH_PAGE;
pub use store::Db;

use server::{Shared, lock};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// How to run a simulator.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Accepted API keys.
    pub keys: Vec<ApiKey>,
    /// Starting data (from a seed or a data file).
    pub db: Db,
    /// Persist every change here, atomically.
    pub data: Option<PathBuf>,
    /// How long agents take to pull a new image; `None`: never.
    pub agent_delay: Option<Duration>,
    /// How long a new session takes to be `running` (`provisioning`, then `starting`).
    pub session_start: Duration,
    /// How long a destroyed session stays `deleting` before it is gone.
    pub session_teardown: Duration,
    /// Whether the developer API is licensed (else every call is refused with 403).
    pub licensed: bool,
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    /// Faults from the start (changeable at run time via `/_sim/faults`).
    pub faults: Faults,
    /// Serve HTTPS with this certificate chain and key (PEM) instead of HTTP.
    pub tls: Option<Tls>,
}

/// A certificate chain and its private key, PEM-encoded.
#[derive(Clone)]
pub struct Tls {
    /// The certificate chain.
    pub cert_pem: Vec<u8>,
    /// The private key.
    pub key_pem: Vec<u8>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tls(..)")
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            keys: Vec::new(),
            db: Db::default(),
            data: None,
            agent_delay: Some(Duration::from_secs(2)),
            session_start: Duration::from_secs(2),
            session_teardown: Duration::from_secs(1),
            licensed: true,
            max_body: 1024 * 1024,
            faults: Faults::default(),
            tls: None,
        }
    }
}

/// A running simulator.
pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    https: bool,
}

impl Simulator {
    /// Binds and starts serving in the background.
    pub async fn start(config: Config) -> std::io::Result<Simulator> {
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let tls_on = config.tls.is_some();
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            db: Mutex::new(config.db),
            keys: Mutex::new(config.keys),
            counts: Mutex::new(Default::default()),
            faults: Mutex::new(faults::FaultState::new(config.faults)),
            data: config.data,
            agent_delay: config.agent_delay,
            session_start: config.session_start,
            session_teardown: config.session_teardown,
            licensed: config.licensed,
            max_body: config.max_body,
        });
        resume_pulls(&shared);
        let state = Arc::clone(&shared);
        let app = axum::Router::new().fallback(move |method, uri, headers, body| {
            server::handle(Arc::clone(&state), method, uri, headers, body)
        });
        let (shutdown, stopped) = oneshot::channel();
        let task = serve(listener, app, config.tls, stopped).await?;
        Ok(Simulator {
            addr,
            shared,
            shutdown,
            task,
            https: tls_on,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`, or `https://localhost:<port>` when serving TLS (the
    /// name a test certificate is made for).
    pub fn url(&self) -> String {
        if self.https {
            format!("https://localhost:{}", self.addr.port())
        } else {
            format!("http://{}", self.addr)
        }
    }

    /// Accepts another API key from now on.
    pub fn add_key(&self, key: ApiKey) {
        lock(&self.shared.keys).push(key);
    }

    /// A copy of the stored images (tokens unmasked), for assertions.
    pub fn images(&self) -> Vec<StoredImage> {
        lock(&self.shared.db).images.clone()
    }

    /// A copy of the groups, for assertions.
    pub fn groups(&self) -> Vec<groups::Group> {
        lock(&self.shared.db).groups.clone()
    }

    /// A copy of the authorization rows, for assertions.
    pub fn group_links(&self) -> Vec<groups::GroupImage> {
        lock(&self.shared.db).group_images.clone()
    }

    /// A copy of the users, for assertions.
    pub fn users(&self) -> Vec<users::User> {
        lock(&self.shared.db).users.clone()
    }

    /// A copy of the membership rows, for assertions.
    pub fn memberships(&self) -> Vec<users::UserGroup> {
        lock(&self.shared.db).user_groups.clone()
    }

    /// A copy of the sessions, for assertions.
    pub fn sessions(&self) -> Vec<sessions::Session> {
        lock(&self.shared.db).kasms.clone()
    }

    /// How many session tokens the user has (each `kasm_url` carries one).
    pub fn session_tokens(&self, user_id: &str) -> usize {
        lock(&self.shared.db)
            .session_tokens
            .iter()
            .filter(|t| t.user_id == user_id)
            .count()
    }

    /// Sets a group's settings (`max_kasms_per_user`, `keepalive_expiration`,
    /// `allow_kasm_sharing`, ...), as an administrator would in Kasm's UI.
    pub fn set_group_settings(
        &self,
        group_id: &str,
        settings: serde_json::Map<String, serde_json::Value>,
    ) {
        let mut db = lock(&self.shared.db);
        if let Some(g) = db.groups.iter_mut().find(|g| g.group_id == group_id) {
            g.settings = settings;
        }
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.shared.faults) = faults::FaultState::new(faults);
    }

    /// How many requests reached `path` (any outcome).
    pub fn request_count(&self, path: &str) -> u64 {
        lock(&self.shared.counts).get(path).copied().unwrap_or(0)
    }

    /// Stops accepting, finishes requests in flight, and returns.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(());
        self.task.await.map_err(std::io::Error::other)?
    }
}

/// Agents keep pulling what a previous run left unpulled.
fn resume_pulls(shared: &Arc<Shared>) {
    let Some(delay) = shared.agent_delay else {
        return;
    };
    let waiting: std::collections::BTreeSet<String> = lock(&shared.db)
        .images
        .iter()
        .filter(|i| !i.available)
        .filter_map(|i| i.name.clone())
        .collect();
    for name in waiting {
        server::pull_later(shared, delay, name);
    }
}

/// Serves `app` on the listener, over HTTP or (with `tls`) HTTPS, until `stopped`.
async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    tls: Option<Tls>,
    stopped: oneshot::Receiver<()>,
) -> std::io::Result<tokio::task::JoinHandle<std::io::Result<()>>> {
    let Some(tls) = tls else {
        return Ok(tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        }));
    };
    serve_https(listener, app, tls, stopped).await
}

#[cfg(not(feature = "https"))]
async fn serve_https(
    _: tokio::net::TcpListener,
    _: axum::Router,
    _: Tls,
    _: oneshot::Receiver<()>,
) -> std::io::Result<tokio::task::JoinHandle<std::io::Result<()>>> {
    Err(std::io::Error::other(
        "this build of kasm-sim cannot serve HTTPS (feature `https`)",
    ))
}

#[cfg(feature = "https")]
async fn serve_https(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    tls: Tls,
    stopped: oneshot::Receiver<()>,
) -> std::io::Result<tokio::task::JoinHandle<std::io::Result<()>>> {
    let rustls = axum_server::tls_rustls::RustlsConfig::from_pem(tls.cert_pem, tls.key_pem).await?;
    let server = axum_server::tls_rustls::from_tcp_rustls(listener.into_std()?, rustls)?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        let _ = stopped.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(5)));
    });
    Ok(tokio::spawn(async move {
        server.handle(handle).serve(app.into_make_service()).await
    }))
}

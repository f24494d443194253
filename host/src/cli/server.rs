//! Which Kasm to talk to: `--kasm-url`/`KASM_API_URL` with the key from the
//! environment, or else an embedded simulator whose data lives beside the state.

use super::CliError;
use crate::kasm::{AuthForm, Credentials, Kasm, KasmError, Retry, SetupError, Transport};
use kasm_plan_core::Image;
use kasm_plan_core::access::Access;
use kasm_plan_core::group::{Group, GroupImage};
use kasm_plan_core::lang::config::ProviderSettings;
use kasm_plan_core::schema::tables;
use kasm_plan_core::{Code, Diagnostic};
use kasm_sim::store::StoreError;
use kasm_sim::{ApiKey, Db, Simulator};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Stock images for a new embedded simulator.
const STOCK: &str = include_str!("../stock-images.json");

/// Server options.
#[derive(Clone, Debug, clap::Args)]
pub struct ServerArgs {
    /// The Kasm server, e.g. https://kasm.example.com [default: the provider block's
    /// base_url, else an embedded simulator]. The key comes from KASM_API_KEY and
    /// KASM_API_KEY_SECRET (else the provider block's, from sensitive variables).
    #[arg(long, value_name = "URL", env = "KASM_API_URL")]
    pub kasm_url: Option<String>,
    /// How the API key is sent.
    #[arg(long, value_enum, default_value_t = AuthForm::Body)]
    pub auth: AuthForm,
    /// Trust the certificates in this PEM file instead of the system's roots: a private
    /// CA, or the server's own (self-signed) certificate, as curl's --cacert.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Trust only the server certificate with this SHA-256 fingerprint (sha256:HEX,
    /// colons allowed; repeatable).
    #[arg(
        long,
        value_name = "SHA256",
        env = "KASM_API_TLS_FINGERPRINT",
        value_delimiter = ','
    )]
    pub tls_fingerprint: Vec<String>,
    /// Do not verify the server's certificate (unsafe; warns).
    #[arg(long)]
    pub insecure: bool,
    /// Timeout of one HTTP request, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub request_timeout: u64,
    /// Attempts for requests that are safe to repeat (1 = no retry).
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub retries: u32,
    /// The configuration's `provider "kasm"` block: used where the options
    /// and the environment say nothing.
    #[arg(skip)]
    pub provider: Option<ProviderSettings>,
}

impl ServerArgs {
    /// These options over a configuration's `provider "kasm"` block.
    pub fn with_provider(&self, provider: Option<ProviderSettings>) -> ServerArgs {
        ServerArgs {
            provider,
            ..self.clone()
        }
    }

    /// `--kasm-url` or `KASM_API_URL`, else the provider block's `base_url`.
    fn url(&self) -> Option<&str> {
        let given = self.kasm_url.as_deref().filter(|u| !u.is_empty());
        given.or_else(|| self.provider.as_ref()?.base_url.as_deref())
    }

    /// `--insecure`, or the provider block's `insecure = true`.
    fn insecure(&self) -> bool {
        self.insecure || self.provider.as_ref().and_then(|p| p.insecure) == Some(true)
    }

    /// The key: `KASM_API_KEY` and `KASM_API_KEY_SECRET`, else the provider
    /// block's (from sensitive variables).
    fn credentials(&self) -> Option<Credentials> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let block = self.provider.clone().unwrap_or_default();
        let key = var("KASM_API_KEY").or(block.api_key)?;
        let secret = var("KASM_API_KEY_SECRET").or(block.api_secret)?;
        Some(Credentials { key, secret })
    }
}

/// No server to talk to.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// A URL without the key.
    #[error(
        "set KASM_API_KEY and KASM_API_KEY_SECRET in the environment for the Kasm API key (or api_key and api_secret in the provider \"kasm\" block, from sensitive variables)"
    )]
    MissingKey,
    /// The client cannot be set up.
    #[error(transparent)]
    Client(#[from] SetupError),
    /// The embedded simulator's data cannot be read or made.
    #[error("the embedded simulator's data: {0}")]
    Data(#[from] StoreError),
    /// The embedded simulator cannot start.
    #[error("cannot start the embedded simulator: {0}")]
    Start(#[from] std::io::Error),
}

/// Connects as the arguments say, runs `work` with the client, and closes
/// the connection (stopping an embedded simulator after its last write)
/// whatever `work` returns.
pub async fn with_kasm<T>(
    args: &ServerArgs,
    state_path: &Path,
    work: impl AsyncFnOnce(&Kasm) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let connection = Connection::open(args, state_path).await?;
    let result = work(&connection.kasm).await;
    connection.close().await;
    result
}

/// Every image on Kasm; a failure names the server.
pub async fn read_images(kasm: &Kasm) -> Result<Vec<Image>, CliError> {
    let context = format!("cannot read the images from {}", kasm.url());
    kasm.images().await.map_err(CliError::kasm(context))
}

/// Kasm's groups and every link row of each (one request per group), and
/// with `users`, every list read by table (its users with their groups, its
/// sessions).
pub async fn read_access(kasm: &Kasm, users: bool) -> Result<Access, CliError> {
    let context = format!("cannot read the groups from {}", kasm.url());
    let groups = kasm.groups().await.map_err(CliError::kasm(context))?;
    let mut links = Vec::new();
    for g in &groups {
        links.extend(read_links(kasm, g).await?);
    }
    // The lists read with the users; the groups are read above.
    let read: Vec<&tables::List> = tables::RESOURCES
        .iter()
        .filter(|t| users && t.reads_users)
        .filter_map(|t| t.list)
        .collect();
    let mut lists = Vec::new();
    for list in &read {
        let context = format!("cannot read the {} from {}", list.name, kasm.url());
        let items = kasm.list(list).await.map_err(CliError::kasm(context))?;
        lists.push((list.name.to_owned(), items));
    }
    Access::with_lists(groups, links, lists).map_err(|detail| {
        let endpoints: Vec<String> = read
            .iter()
            .map(|l| format!("/api/public/{}", l.endpoint))
            .collect();
        let context = format!("cannot read the users and sessions from {}", kasm.url());
        CliError::kasm(context)(KasmError::Unexpected {
            path: endpoints.join(", "),
            detail,
        })
    })
}

/// The link rows of one group; a refusal is an error naming the group.
pub async fn read_links(kasm: &Kasm, group: &Group) -> Result<Vec<GroupImage>, CliError> {
    let context = format!(
        "cannot read the images of group {} ({})",
        group.name, group.group_id
    );
    kasm.group_images(&group.group_id)
        .await
        .map_err(CliError::kasm(context))
}

/// Connects, reads the groups and their links, and closes the connection.
pub fn fetch_access(args: &ServerArgs, state_path: &Path, users: bool) -> Result<Access, CliError> {
    super::runtime()?.block_on(with_kasm(args, state_path, async |kasm| {
        read_access(kasm, users).await
    }))
}

/// Whether a plan answer asks for Kasm's groups (the configuration or the
/// state has groups or links).
pub fn needs_access(diagnostics: &[Diagnostic]) -> bool {
    diagnostics
        .iter()
        .any(|d| matches!(d.code, Code::AccessUnread | Code::UsersUnread))
}

/// Whether a plan answer asks for Kasm's users (the configuration or the
/// state has users or memberships).
pub fn needs_users(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.code == Code::UsersUnread)
}

/// Connects, reads every image, and closes the connection.
pub fn fetch_images(args: &ServerArgs, state_path: &Path) -> Result<Vec<Image>, CliError> {
    super::runtime()?.block_on(with_kasm(args, state_path, async |kasm| {
        read_images(kasm).await
    }))
}

/// A connected server; keeps the embedded simulator running while it lives.
struct Connection {
    kasm: Kasm,
    embedded: Option<Simulator>,
}

impl Connection {
    /// Connects as the arguments say; the embedded simulator keeps its data
    /// beside `state_path`.
    async fn open(args: &ServerArgs, state_path: &Path) -> Result<Connection, ConnectError> {
        let transport = Transport {
            ca_cert: args.ca_cert.clone(),
            fingerprints: args.tls_fingerprint.clone(),
            insecure: args.insecure(),
            timeout: Some(Duration::from_secs(args.request_timeout.max(1))),
        };
        let retry = Retry {
            attempts: args.retries.max(1),
            ..Retry::default()
        };
        if args.insecure() {
            eprintln!(
                "Warning: --insecure (or the provider block's insecure = true): the server's certificate is not checked; anyone on the path can read the API key."
            );
        }
        match args.url() {
            Some(url) => {
                let credentials = args.credentials().ok_or(ConnectError::MissingKey)?;
                let kasm = Kasm::new(url, credentials, args.auth, &transport, retry)?;
                Ok(Connection {
                    kasm,
                    embedded: None,
                })
            }
            None => embedded(args, state_path, &transport, retry).await,
        }
    }

    /// Stops the embedded simulator, if any, after its last write.
    async fn close(self) {
        if let Some(sim) = self.embedded {
            let _ = sim.stop().await;
        }
    }
}

/// The data file of the embedded simulator for a state file.
fn sim_data(state_path: &Path) -> PathBuf {
    state_path.with_file_name("kasm-plan.sim.json")
}

async fn embedded(
    args: &ServerArgs,
    state_path: &Path,
    transport: &Transport,
    retry: Retry,
) -> Result<Connection, ConnectError> {
    let data = sim_data(state_path);
    let db = if data.exists() {
        Db::load(&data)?
    } else {
        let seed = tempfile::NamedTempFile::new()?;
        std::fs::write(seed.path(), STOCK)?;
        let db = Db::from_seed(seed.path())?;
        db.save(&data)?;
        db
    };
    let key = uuid::Uuid::new_v4().simple().to_string();
    let secret = uuid::Uuid::new_v4().simple().to_string();
    let sim = Simulator::start(kasm_sim::Config {
        keys: vec![ApiKey::admin(key.clone(), secret.clone())],
        db,
        data: Some(data.clone()),
        agent_delay: Some(Duration::from_secs(1)),
        ..kasm_sim::Config::default()
    })
    .await?;
    eprintln!(
        "Note: no Kasm URL is set (--kasm-url or KASM_API_URL), so this run uses the embedded Kasm simulator at {} (data in {}).",
        sim.url(),
        data.display()
    );
    let kasm = Kasm::new(
        &sim.url(),
        Credentials { key, secret },
        args.auth,
        transport,
        retry,
    )?;
    Ok(Connection {
        kasm,
        embedded: Some(sim),
    })
}

//! `kasm-sim`: serve the Kasm image API simulator until stopped.

use clap::Parser;
use kasm_sim::{ApiKey, Config, Db, Faults, Permission, Simulator};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// A simulator of Kasm Workspaces' API (images, groups, users, sessions), on loopback.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Images (and servers, zones, filter policies) to start with, as `get_images` returns them.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Keep data in this file (loaded if it exists, else seeded; written atomically on every change).
    #[arg(long)]
    data: Option<PathBuf>,
    /// An API key with Global Admin and User (or the permissions in --permissions).
    #[arg(long, env = "KASM_SIM_API_KEY", requires = "api_secret")]
    api_key: Option<String>,
    /// The key's secret.
    #[arg(long, env = "KASM_SIM_API_SECRET", hide_env_values = true)]
    api_secret: Option<String>,
    /// The key's permissions, comma-separated (e.g. `view,create,modify,delete,modify-resources`).
    #[arg(long, value_delimiter = ',')]
    permissions: Vec<Permission>,
    /// Make the key read-only.
    #[arg(long)]
    read_only: bool,
    /// Make the key expired.
    #[arg(long)]
    expired: bool,
    /// Seconds until agents have pulled a new image (negative: never).
    #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
    agent_delay: f64,
    /// Seconds from `request_kasm` until the session is `running`.
    #[arg(long, default_value_t = 2.0)]
    session_start: f64,
    /// Seconds a destroyed session stays `deleting`.
    #[arg(long, default_value_t = 1.0)]
    session_teardown: f64,
    /// Answer as a server whose developer API is not licensed.
    #[arg(long)]
    unlicensed: bool,
    /// Faults from the start, as JSON (e.g. `{"latency_ms": 200, "error_rate": 0.1}`); see /_sim/faults.
    #[arg(long, value_parser = parse_faults)]
    faults: Option<Faults>,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body: usize,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

fn seconds(value: f64, flag: &str) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value).map_err(|e| format!("{flag} {value}: {e}"))
}

fn parse_faults(text: &str) -> Result<Faults, String> {
    serde_json::from_str(text).map_err(|e| format!("invalid faults JSON: {e}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kasm-sim: {e}");
            ExitCode::from(1)
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let db = match (&args.data, &args.seed) {
        (Some(data), _) if data.exists() => Db::load(data)?,
        (_, Some(seed)) => Db::from_seed(seed)?,
        _ => Db::default(),
    };
    let mut keys = Vec::new();
    if let (Some(key), Some(secret)) = (args.api_key, args.api_secret) {
        let mut k = ApiKey::admin(key, secret);
        if !args.permissions.is_empty() {
            k.permissions = args.permissions;
        }
        k.read_only = args.read_only;
        k.expired = args.expired;
        keys.push(k);
    }
    let config = Config {
        listen: args.listen,
        keys,
        db,
        data: args.data,
        agent_delay: (args.agent_delay >= 0.0).then(|| Duration::from_secs_f64(args.agent_delay)),
        session_start: seconds(args.session_start, "--session-start")?,
        session_teardown: seconds(args.session_teardown, "--session-teardown")?,
        licensed: !args.unlicensed,
        max_body: args.max_body,
        faults: args.faults.unwrap_or_default(),
        tls: match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(kasm_sim::Tls {
                cert_pem: std::fs::read(cert)?,
                key_pem: std::fs::read(key)?,
            }),
            _ => None,
        },
    };
    let sim = Simulator::start(config).await?;
    // The one line tools read: where it listens.
    println!("{}", sim.url());
    tokio::signal::ctrl_c().await?;
    sim.stop().await?;
    Ok(())
}

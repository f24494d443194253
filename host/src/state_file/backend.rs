//! Which state a run uses: the backend (`local`, the default, or `pg`), its
//! settings, and the workspace. Settings come from `--backend-config
//! KEY=VALUE` (as Terraform's `-backend-config`) and the environment;
//! credentials only from the environment (`PG_CONN_STR`, `PGUSER`,
//! `PGPASSWORD`), so they are never written in a file or a command line.

use super::http::HttpSettings;
use super::pg::{DEFAULT_SCHEMA, PgSettings};
use super::{Locked, StateError};
use kasm_plan_core::lang::config::BackendBlock;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The workspace every backend has.
pub const DEFAULT_WORKSPACE: &str = "default";

/// Where the selected workspace is remembered (as `.terraform/environment`).
pub const SELECTED: &str = ".kasm-plan/workspace";

/// Backend and workspace options, shared by the commands that use a state.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct BackendArgs {
    /// Where states are kept: `local` (files; the default), `pg` (PostgreSQL)
    /// or `http` (Terraform's HTTP backend protocol).
    #[arg(long, env = "KASM_PLAN_BACKEND", value_name = "TYPE", global = true)]
    pub backend: Option<String>,
    /// A backend setting, e.g. `schema_name=team` (pg); repeatable. Credentials
    /// go in the environment (`PG_CONN_STR`, `PGUSER`, `PGPASSWORD`).
    #[arg(long = "backend-config", value_name = "KEY=VALUE", global = true)]
    pub backend_config: Vec<String>,
    /// The workspace [default: the one `kasm-plan workspace select` chose, else `default`].
    #[arg(long, env = "KASM_PLAN_WORKSPACE", value_name = "NAME", global = true)]
    pub workspace: Option<String>,
    /// The configuration's `terraform { backend ... }` block, when read.
    #[arg(skip)]
    pub block: Option<BackendBlock>,
}

/// A backend, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Files: the default workspace at the state path, others beside it.
    Local,
    /// PostgreSQL.
    Pg(PgSettings),
    /// Terraform's HTTP backend protocol.
    Http(HttpSettings),
}

impl BackendArgs {
    /// These options with the configuration's backend block.
    pub fn with_block(&self, block: Option<BackendBlock>) -> BackendArgs {
        BackendArgs {
            block,
            ..self.clone()
        }
    }

    /// The backend the options, the environment and the configuration's
    /// block name, in that order (as Terraform's `-backend-config` completes
    /// a block); settings given on the command line win over the block's.
    pub fn backend(&self) -> Result<Backend, StateError> {
        let kind = self
            .backend
            .clone()
            .or_else(|| self.block.as_ref().map(|b| b.kind.clone()))
            .unwrap_or_else(|| "local".into());
        let mut settings = self.block_settings(&kind)?;
        settings.extend(self.settings()?);
        match kind.as_str() {
            "local" => {
                if let Some((key, _)) = settings.first() {
                    return Err(config_error(format!(
                        "the local backend takes no settings here (got `{key}`); the state file is --state"
                    )));
                }
                Ok(Backend::Local)
            }
            "pg" => pg_settings(&settings).map(Backend::Pg),
            "http" => http_settings(&settings).map(Backend::Http),
            other => Err(config_error(format!(
                "unknown backend `{other}`; kasm-plan keeps states in `local` files, `pg` (PostgreSQL) or `http`"
            ))),
        }
    }

    /// The workspace: `--workspace` or `KASM_PLAN_WORKSPACE`, else the
    /// selected one, else `default`.
    pub fn workspace(&self) -> Result<String, StateError> {
        let name = match &self.workspace {
            Some(w) => w.clone(),
            None => std::fs::read_to_string(SELECTED)
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|_| DEFAULT_WORKSPACE.to_owned()),
        };
        check_workspace_name(&name)?;
        Ok(name)
    }

    /// Locks and reads the run's state. `path` is the local backend's state
    /// file for the default workspace.
    pub fn open(&self, path: &Path, wait: Duration, command: &str) -> Result<Locked, StateError> {
        let workspace = self.workspace()?;
        match self.backend()? {
            Backend::Local => Locked::open(&local_path(path, &workspace), wait, command),
            Backend::Pg(settings) => Locked::open_pg(&settings, &workspace, wait, command),
            Backend::Http(settings) if workspace == DEFAULT_WORKSPACE => {
                Locked::open_http(&settings, wait, command)
            }
            Backend::Http(_) => Err(config_error(format!(
                "the http backend has one state, the default workspace's (not `{workspace}`), as Terraform's"
            ))),
        }
    }

    /// The block's settings, if it is of `kind`.
    fn block_settings(&self, kind: &str) -> Result<Vec<(String, String)>, StateError> {
        let Some(block) = self.block.as_ref().filter(|b| b.kind == kind) else {
            return Ok(Vec::new());
        };
        block
            .settings
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => Ok((k.clone(), s.clone())),
                serde_json::Value::Bool(_) | serde_json::Value::Number(_) => {
                    Ok((k.clone(), v.to_string()))
                }
                _ => Err(config_error(format!(
                    "backend setting `{k}` must be a string, a number or a bool"
                ))),
            })
            .collect()
    }

    fn settings(&self) -> Result<Vec<(String, String)>, StateError> {
        self.backend_config
            .iter()
            .map(|pair| {
                pair.split_once('=')
                    .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                    .ok_or_else(|| config_error(format!("`{pair}` is not KEY=VALUE")))
            })
            .collect()
    }
}

/// A workspace's state file: the default workspace's is `path`; another's is
/// `<dir>/<file>.d/<workspace>/<file>` (as Terraform's `terraform.tfstate.d`).
pub fn local_path(path: &Path, workspace: &str) -> PathBuf {
    if workspace == DEFAULT_WORKSPACE {
        return path.to_path_buf();
    }
    let name = path.file_name().unwrap_or_default();
    let mut dir = name.to_os_string();
    dir.push(".d");
    path.with_file_name(dir).join(workspace).join(name)
}

/// Names as Terraform allows them: letters, digits, `-`, `_`, `.`; not empty.
pub fn check_workspace_name(name: &str) -> Result<(), StateError> {
    let ok = !name.is_empty()
        && name.len() <= 90
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(config_error(format!(
            "`{name}` is not a workspace name: use letters, digits, `-`, `_` and `.`"
        )))
    }
}

/// Terraform's `http` backend settings; credentials from `TF_HTTP_USERNAME`
/// and `TF_HTTP_PASSWORD` only, every setting also from `TF_HTTP_<NAME>`.
fn http_settings(settings: &[(String, String)]) -> Result<HttpSettings, StateError> {
    let given = |key: &str| {
        settings
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var(format!("TF_HTTP_{}", key.to_ascii_uppercase())).ok())
    };
    const KNOWN: [&str; 10] = [
        "address",
        "update_method",
        "lock_address",
        "unlock_address",
        "lock_method",
        "unlock_method",
        "username",
        "retry_max",
        "retry_wait_min",
        "retry_wait_max",
    ];
    for (key, _) in settings {
        if key == "password" {
            return Err(config_error(
                "the http backend's password goes in TF_HTTP_PASSWORD, never in a file or on the command line".into(),
            ));
        }
        if !KNOWN.contains(&key.as_str()) {
            return Err(config_error(format!(
                "the http backend has no setting `{key}`; it takes {}",
                KNOWN.join(", ")
            )));
        }
    }
    let number = |key: &str, default: u64| -> Result<u64, StateError> {
        given(key).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| config_error(format!("{key} is a whole number, not `{v}`")))
        })
    };
    let address = given("address").ok_or_else(|| {
        config_error("the http backend needs `address` (or TF_HTTP_ADDRESS)".into())
    })?;
    let lock_address = given("lock_address");
    Ok(HttpSettings {
        address,
        update_method: given("update_method").unwrap_or_else(|| "POST".into()),
        unlock_address: given("unlock_address").or_else(|| lock_address.clone()),
        lock_address,
        lock_method: given("lock_method").unwrap_or_else(|| "LOCK".into()),
        unlock_method: given("unlock_method").unwrap_or_else(|| "UNLOCK".into()),
        username: given("username"),
        password: std::env::var("TF_HTTP_PASSWORD").ok(),
        retry_max: u32::try_from(number("retry_max", 2)?).unwrap_or(u32::MAX),
        retry_wait_min: Duration::from_secs(number("retry_wait_min", 1)?),
        retry_wait_max: Duration::from_secs(number("retry_wait_max", 30)?),
    })
}

fn pg_settings(settings: &[(String, String)]) -> Result<PgSettings, StateError> {
    let mut out = PgSettings {
        conn_str: String::new(),
        schema_name: DEFAULT_SCHEMA.to_owned(),
        skip_schema_creation: false,
    };
    let mut conn_str = None;
    for (key, value) in settings {
        match key.as_str() {
            "conn_str" => conn_str = Some(value.clone()),
            "schema_name" => out.schema_name.clone_from(value),
            "skip_schema_creation" => {
                out.skip_schema_creation = value.parse().map_err(|_| {
                    config_error(format!(
                        "skip_schema_creation is true or false, not `{value}`"
                    ))
                })?;
            }
            other => {
                return Err(config_error(format!(
                    "the pg backend has no setting `{other}`; it takes conn_str, schema_name, skip_schema_creation"
                )));
            }
        }
    }
    if let Some(given) = &conn_str {
        let parsed: tokio_postgres::Config = given
            .parse()
            .map_err(|e| config_error(format!("conn_str is not valid: {e}")))?;
        if parsed.get_password().is_some() {
            return Err(config_error(
                "conn_str holds a password: give credentials in the environment (PG_CONN_STR or PGPASSWORD), never in a file or on the command line".into(),
            ));
        }
    }
    out.conn_str = match conn_str.or_else(|| std::env::var("PG_CONN_STR").ok()) {
        Some(c) => c,
        None => {
            return Err(config_error(
                "the pg backend needs a connection string: set PG_CONN_STR (or --backend-config conn_str=... without a password)".into(),
            ));
        }
    };
    out.conn_str = with_environment_credentials(&out.conn_str)?;
    Ok(out)
}

/// Adds `PGUSER` and `PGPASSWORD` to a connection string that lacks them.
fn with_environment_credentials(conn_str: &str) -> Result<String, StateError> {
    let parsed: tokio_postgres::Config = conn_str
        .parse()
        .map_err(|e| config_error(format!("the connection string is not valid: {e}")))?;
    let mut extra = String::new();
    let quoted = |v: &str| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"));
    if parsed.get_user().is_none()
        && let Ok(user) = std::env::var("PGUSER")
    {
        extra.push_str(&format!(" user={}", quoted(&user)));
    }
    if parsed.get_password().is_none()
        && let Ok(password) = std::env::var("PGPASSWORD")
    {
        extra.push_str(&format!(" password={}", quoted(&password)));
    }
    if extra.is_empty() {
        return Ok(conn_str.to_owned());
    }
    if conn_str.starts_with("postgres://") || conn_str.starts_with("postgresql://") {
        return Err(config_error(
            "PGUSER/PGPASSWORD go with a key=value connection string (`host=... dbname=...`); put them in the URL given as PG_CONN_STR instead".into(),
        ));
    }
    Ok(format!("{conn_str}{extra}"))
}

fn config_error(message: String) -> StateError {
    StateError::backend("config", message)
}

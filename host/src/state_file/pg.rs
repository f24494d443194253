//! The `pg` backend: states in PostgreSQL, as Terraform's `pg` backend keeps
//! them — one row per workspace in `<schema>.states (id, name, data)` — and a
//! session-level advisory lock held by one dedicated connection for the whole
//! run. The lock dies with the session, so a killed run never leaves it
//! behind; each write is one statement, so the row holds the old state or the
//! new one, never a mix.
//!
//! The connection lives on its own thread with its own runtime, so the store
//! can be used from synchronous code and from inside the CLI's runtime alike.

use super::StateError;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio_postgres::{Client, NoTls, config::SslMode};

/// The default schema: not Terraform's, so kasm-plan's states never mix with
/// Terraform's in a shared database.
pub const DEFAULT_SCHEMA: &str = "kasm_plan_remote_state";

/// Where the states are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgSettings {
    /// The connection string (`postgres://...` or key=value); may hold a password.
    pub conn_str: String,
    /// The schema of the `states` table.
    pub schema_name: String,
    /// Do not create the schema (the user may lack the privilege).
    pub skip_schema_creation: bool,
}

/// One request to the connection's thread.
enum Request {
    Load(mpsc::Sender<Result<Option<String>, String>>),
    Store(String, mpsc::Sender<Result<(), String>>),
    Workspaces(mpsc::Sender<Result<Vec<String>, String>>),
    Delete(String, mpsc::Sender<Result<(), String>>),
    Keep(u32, String, mpsc::Sender<Result<(), String>>),
}

/// A workspace's state in PostgreSQL, under its advisory lock.
pub struct PgStore {
    workspace: String,
    schema: String,
    requests: mpsc::Sender<Request>,
}

impl PgStore {
    /// Connects, prepares the schema and the table, and takes the
    /// workspace's lock (waiting up to `wait`; the holder named otherwise).
    pub fn open(
        settings: &PgSettings,
        workspace: &str,
        wait: Duration,
        command: &str,
    ) -> Result<PgStore, StateError> {
        Self::start(settings, workspace, Some(wait), command)
    }

    /// Connects without taking a lock: to list workspaces.
    pub fn connect(settings: &PgSettings, command: &str) -> Result<PgStore, StateError> {
        Self::start(settings, "(none)", None, command)
    }

    fn start(
        settings: &PgSettings,
        workspace: &str,
        wait: Option<Duration>,
        command: &str,
    ) -> Result<PgStore, StateError> {
        let (requests, receive) = mpsc::channel();
        let (ready, opened) = mpsc::channel();
        let schema = settings.schema_name.clone();
        let settings = settings.clone();
        let workspace_name = workspace.to_owned();
        let application = format!(
            "kasm-plan {command} (pid {}, workspace {workspace})",
            std::process::id()
        );
        std::thread::Builder::new()
            .name("kasm-plan-pg".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = ready.send(Err(StateError::backend("pg", e.to_string())));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let opened =
                        Session::open(&settings, &workspace_name, &application, wait).await;
                    match opened {
                        Ok(session) => {
                            let _ = ready.send(Ok(()));
                            session.serve(receive).await;
                        }
                        Err(e) => {
                            let _ = ready.send(Err(e));
                        }
                    }
                });
            })
            .map_err(|e| StateError::backend("pg", e.to_string()))?;
        opened
            .recv()
            .map_err(|_| StateError::backend("pg", "the connection thread stopped".into()))??;
        Ok(PgStore {
            workspace: workspace.to_owned(),
            schema,
            requests,
        })
    }

    fn ask<T>(
        &self,
        make: impl FnOnce(mpsc::Sender<Result<T, String>>) -> Request,
    ) -> Result<T, StateError> {
        let (reply, answer) = mpsc::channel();
        self.requests.send(make(reply)).map_err(|_| self.lost())?;
        answer
            .recv()
            .map_err(|_| self.lost())?
            .map_err(|e| StateError::backend("pg", e))
    }

    fn lost(&self) -> StateError {
        StateError::backend(
            "pg",
            format!(
                "the connection holding the lock of workspace {} was lost; nothing more was written",
                self.workspace
            ),
        )
    }

    /// The workspace's state text, if it has a row.
    pub fn load(&self) -> Result<Option<String>, StateError> {
        self.ask(Request::Load)
    }

    /// Replaces the workspace's state text in one statement.
    pub fn store(&self, text: &str) -> Result<(), StateError> {
        self.ask(|reply| Request::Store(text.to_owned(), reply))
    }

    /// Every workspace with a row.
    pub fn workspaces(&self) -> Result<Vec<String>, StateError> {
        self.ask(Request::Workspaces)
    }

    /// Deletes a workspace's row.
    pub fn delete(&self, workspace: &str) -> Result<(), StateError> {
        self.ask(|reply| Request::Delete(workspace.to_owned(), reply))
    }

    /// Keeps the text of a state of an older format (`from`) before the
    /// first write upgrades it: a row of `<schema>.kasm_plan_backups`.
    pub fn keep(&self, from: u32, text: &str) -> Result<(), StateError> {
        self.ask(|reply| Request::Keep(from, text.to_owned(), reply))
    }

    /// Where [`PgStore::keep`] keeps it, for messages.
    pub fn backup_place(&self) -> String {
        format!(
            "table {}.{BACKUPS} of PostgreSQL (the row of workspace {})",
            quote(&self.schema),
            self.workspace
        )
    }

    /// Where the state is, for messages.
    pub fn describe(&self) -> String {
        format!("workspace {} in PostgreSQL", self.workspace)
    }
}

/// The connection, on its thread.
struct Session {
    client: Client,
    table: String,
    schema: String,
    workspace: String,
}

/// The table of states kept when their format was upgraded.
const BACKUPS: &str = "kasm_plan_backups";

impl Session {
    async fn open(
        settings: &PgSettings,
        workspace: &str,
        application: &str,
        wait: Option<Duration>,
    ) -> Result<Session, StateError> {
        let mut config: tokio_postgres::Config = settings.conn_str.parse().map_err(|e| {
            StateError::backend("pg", format!("the connection string is not valid: {e}"))
        })?;
        config.application_name(application);
        config.connect_timeout(Duration::from_secs(10));
        let mut client = if config.get_ssl_mode() == SslMode::Disable {
            let (client, connection) = config.connect(NoTls).await.map_err(failed)?;
            tokio::spawn(connection);
            client
        } else {
            let tls = crate::tls::client_config(None, &[])
                .map_err(|e| StateError::backend("pg", e.to_string()))?;
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls);
            let (client, connection) = config.connect(tls).await.map_err(failed)?;
            tokio::spawn(connection);
            client
        };
        let table = prepare(&mut client, settings).await?;
        let session = Session {
            client,
            table,
            schema: settings.schema_name.clone(),
            workspace: workspace.to_owned(),
        };
        if let Some(wait) = wait {
            session.lock(&settings.schema_name, wait).await?;
        }
        Ok(session)
    }

    /// The workspace's advisory lock: one key per schema and workspace.
    async fn lock(&self, schema: &str, wait: Duration) -> Result<(), StateError> {
        let key = format!("kasm-plan:{schema}:{}", self.workspace);
        let started = Instant::now();
        loop {
            let row = self
                .client
                .query_one("SELECT pg_try_advisory_lock(hashtext($1))", &[&key])
                .await
                .map_err(failed)?;
            if row.get::<_, bool>(0) {
                return Ok(());
            }
            if started.elapsed() >= wait {
                return Err(StateError::HeldElsewhere {
                    what: format!("workspace {} in PostgreSQL", self.workspace),
                    holder: self.holder(&key).await,
                    waited: wait,
                });
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Who holds the lock: the holder's session as PostgreSQL shows it.
    async fn holder(&self, key: &str) -> String {
        let query = "SELECT a.application_name, coalesce(host(a.client_addr), 'local'), a.backend_start::text \
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.objid = (hashtext($1)::bigint & 4294967295)::oid \
             LIMIT 1";
        match self.client.query_opt(query, &[&key]).await {
            Ok(Some(row)) => format!(
                "{}, from {}, connected since {}",
                row.get::<_, String>(0),
                row.get::<_, String>(1),
                row.get::<_, String>(2)
            ),
            _ => "another session".into(),
        }
    }

    async fn serve(mut self, requests: mpsc::Receiver<Request>) {
        // The receiver is synchronous: wait for it off the runtime's thread.
        let (forward, mut incoming) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            while let Ok(r) = requests.recv() {
                if forward.send(r).is_err() {
                    break;
                }
            }
        });
        while let Some(request) = incoming.recv().await {
            match request {
                Request::Load(reply) => {
                    let _ = reply.send(self.load().await);
                }
                Request::Store(text, reply) => {
                    let _ = reply.send(self.store(&text).await);
                }
                Request::Workspaces(reply) => {
                    let _ = reply.send(self.workspaces().await);
                }
                Request::Delete(name, reply) => {
                    let _ = reply.send(self.delete(&name).await);
                }
                Request::Keep(from, text, reply) => {
                    let _ = reply.send(self.keep(from, &text).await);
                }
            }
        }
    }

    async fn load(&self) -> Result<Option<String>, String> {
        let query = format!("SELECT data FROM {} WHERE name = $1", self.table);
        let row = self
            .client
            .query_opt(&query, &[&self.workspace])
            .await
            .map_err(|e| explain(&e))?;
        Ok(row.and_then(|r| r.get::<_, Option<String>>(0)))
    }

    async fn store(&self, text: &str) -> Result<(), String> {
        let query = format!(
            "INSERT INTO {} (name, data) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data",
            self.table
        );
        self.client
            .execute(&query, &[&self.workspace, &text])
            .await
            .map(drop)
            .map_err(|e| explain(&e))
    }

    async fn workspaces(&self) -> Result<Vec<String>, String> {
        let query = format!("SELECT name FROM {} ORDER BY name", self.table);
        let rows = self
            .client
            .query(&query, &[])
            .await
            .map_err(|e| explain(&e))?;
        Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
    }

    async fn delete(&self, name: &str) -> Result<(), String> {
        let query = format!("DELETE FROM {} WHERE name = $1", self.table);
        self.client
            .execute(&query, &[&name])
            .await
            .map(drop)
            .map_err(|e| explain(&e))
    }

    /// Inserts a kept state, creating the table on first use (under the
    /// schema's creation lock, as [`prepare`] does).
    async fn keep(&mut self, from: u32, text: &str) -> Result<(), String> {
        let table = format!("{}.{BACKUPS}", quote(&self.schema));
        let format = i32::try_from(from).unwrap_or(i32::MAX);
        let tx = self.client.transaction().await.map_err(|e| explain(&e))?;
        creation_lock(&tx, &self.schema)
            .await
            .map_err(|e| explain(&e))?;
        tx.batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS {table} (id bigserial PRIMARY KEY, name text NOT NULL, format integer NOT NULL, data text NOT NULL, kept_at timestamptz NOT NULL DEFAULT now())"
        ))
        .await
        .map_err(|e| explain(&e))?;
        tx.execute(
            &format!("INSERT INTO {table} (name, format, data) VALUES ($1, $2, $3)"),
            &[&self.workspace, &format, &text],
        )
        .await
        .map_err(|e| explain(&e))?;
        tx.commit().await.map_err(|e| explain(&e))
    }
}

/// The lock that makes creating the schema and its tables one run's work at
/// a time, held until the transaction ends.
async fn creation_lock(
    tx: &tokio_postgres::Transaction<'_>,
    schema: &str,
) -> Result<(), tokio_postgres::Error> {
    let key = format!("kasm-plan:create:{schema}");
    tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&key])
        .await
        .map(drop)
}

/// Makes the schema (unless told not to) and the table, if missing, and
/// answers the table's name. Two first runs on an empty database would both
/// create them and one would fail on PostgreSQL's catalog, so the creation
/// runs in a transaction under a lock of its own: the second waits, then
/// finds both made.
async fn prepare(client: &mut Client, settings: &PgSettings) -> Result<String, StateError> {
    let schema = quote(&settings.schema_name);
    let table = format!("{schema}.states");
    let tx = client.transaction().await.map_err(failed)?;
    creation_lock(&tx, &settings.schema_name)
        .await
        .map_err(failed)?;
    if !settings.skip_schema_creation {
        let exists = tx
            .query_opt(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = $1",
                &[&settings.schema_name],
            )
            .await
            .map_err(failed)?;
        if exists.is_none() {
            tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .await
                .map_err(failed)?;
        }
    }
    tx.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {table} (id bigserial PRIMARY KEY, name text UNIQUE NOT NULL, data text)"
    ))
    .await
    .map_err(failed)?;
    tx.commit().await.map_err(failed)?;
    Ok(table)
}

/// A failed statement as the backend's error.
fn failed(e: tokio_postgres::Error) -> StateError {
    StateError::backend("pg", explain(&e))
}

/// A PostgreSQL error with the server's own words: message, SQLSTATE code,
/// detail and hint (the driver's Display says only "db error").
fn explain(e: &tokio_postgres::Error) -> String {
    let Some(db) = e.as_db_error() else {
        return e.to_string();
    };
    let mut text = format!(
        "{}: {} (SQLSTATE {})",
        db.severity(),
        db.message(),
        db.code().code()
    );
    if let Some(detail) = db.detail() {
        text.push_str(&format!("; detail: {detail}"));
    }
    if let Some(hint) = db.hint() {
        text.push_str(&format!("; hint: {hint}"));
    }
    text
}

/// A quoted SQL identifier.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

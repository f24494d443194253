//! The `pg` state backend against a real PostgreSQL server started by the
//! test (`initdb`, `pg_ctl`), with the CLI applying to the Kasm simulator.

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::kasm::Kasm;
use common::postgres::Postgres;
use common::{code, out, output, specs, stderr, stdout, together};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SCHEMA: &str = "kasm_plan_remote_state";

/// A kasm-plan command using the pg backend.
fn with_pg(k: &Kasm, pg: &Postgres, args: &[&str]) -> Command {
    let mut c = k.command(args);
    c.env("KASM_PLAN_BACKEND", "pg")
        .env("PG_CONN_STR", pg.conn_str())
        .env_remove("KASM_PLAN_WORKSPACE");
    c
}

/// A direct connection, for what the tests check and do behind the CLI's back.
struct Db {
    runtime: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
}

impl Db {
    fn connect(pg: &Postgres, application: &str) -> Db {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let conn = format!("{} application_name='{application}'", pg.conn_str());
        let client = runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&conn, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            tokio::spawn(connection);
            client
        });
        Db { runtime, client }
    }

    fn query(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Vec<tokio_postgres::Row> {
        self.runtime
            .block_on(self.client.query(sql, params))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The state stored for a workspace.
    fn state(&self, workspace: &str) -> Option<Value> {
        let rows = self.query(
            &format!("SELECT data FROM {SCHEMA}.states WHERE name = $1"),
            &[&workspace],
        );
        rows.first()
            .and_then(|r| r.get::<_, Option<String>>(0))
            .map(|t| common::by_type(&t))
    }

    fn resources(&self, workspace: &str) -> usize {
        self.state(workspace)
            .and_then(|s| s["resources"].as_object().map(|r| r.len()))
            .unwrap_or(0)
    }
}

#[test]
fn applies_keep_their_state_in_postgres() {
    let pg = Postgres::start();
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(3, 2048));
    let o = output(&mut with_pg(&k, &pg, &["apply", &file, "--auto-approve"]));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        !k.path("kasm-plan.state.json").exists(),
        "no local state file"
    );
    let db = Db::connect(&pg, "test");
    let state = db
        .state("default")
        .unwrap_or_else(|| panic!("no row: {}", pg.log()));
    assert_eq!(state["resources"].as_object().map(|r| r.len()), Some(3));
    assert!(state["serial"].as_u64().unwrap_or(0) >= 1);
    let o = output(&mut with_pg(
        &k,
        &pg,
        &["plan", &file, "--detailed-exitcode"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = output(&mut with_pg(&k, &pg, &["state", "list"]));
    assert_eq!(stdout(&o).lines().count(), 3, "{}", out(&o));

    // A password on the command line is refused; credentials come from the environment.
    let o = output(&mut with_pg(
        &k,
        &pg,
        &[
            "plan",
            &file,
            "--backend-config",
            "conn_str=postgres://kasm:secret@127.0.0.1/postgres",
        ],
    ));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("holds a password"), "{}", out(&o));
    assert!(!stderr(&o).contains("secret"), "{}", out(&o));
}

#[test]
fn a_held_lock_names_its_holder_and_a_waiting_run_gets_it_when_released() {
    let pg = Postgres::start();
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(1, 2048));
    let holder = Db::connect(&pg, "kasm-plan apply (pid 4242, workspace default)");
    // Create the schema and the table through a first run.
    assert_eq!(code(&output(&mut with_pg(&k, &pg, &["plan", &file]))), 0);
    holder.query(
        "SELECT pg_advisory_lock(hashtext($1))",
        &[&format!("kasm-plan:{SCHEMA}:default")],
    );
    let o = output(&mut with_pg(&k, &pg, &["apply", &file, "--auto-approve"]));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains(
            "locked by another run (kasm-plan apply (pid 4242, workspace default), from 127.0.0.1"
        ),
        "{}",
        out(&o)
    );
    assert_eq!(k.images().len(), 0, "nothing was applied");
    // Another workspace is not locked.
    let o = output(with_pg(&k, &pg, &["plan", &file]).env("KASM_PLAN_WORKSPACE", "staging"));
    assert_eq!(code(&o), 0, "{}", out(&o));

    let waiting = with_pg(
        &k,
        &pg,
        &["apply", &file, "--auto-approve", "--lock-timeout", "30"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        k.images().len(),
        0,
        "the waiting run has not started applying"
    );
    drop(holder); // the session ends, and its lock with it
    let o = waiting.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.images().len(), 1);
}

#[test]
fn two_concurrent_applies_never_both_write() {
    let pg = Postgres::start();
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(20, 2048));
    assert_eq!(code(&output(&mut with_pg(&k, &pg, &["plan", &file]))), 0);
    k.faults(serde_json::json!({"latency_ms": 20}));
    let apply = || {
        with_pg(
            &k,
            &pg,
            &["apply", &file, "--auto-approve", "--lock-timeout", "60"],
        )
    };
    let [a, b] =
        <[_; 2]>::try_from(together([apply(), apply()])).unwrap_or_else(|_| panic!("two runs"));
    assert_eq!((code(&a), code(&b)), (0, 0), "{}\n{}", out(&a), out(&b));
    // One created everything; the other, after the lock, found nothing to do.
    let created: Vec<bool> = [&a, &b]
        .iter()
        .map(|o| stdout(o).contains("Apply complete! Resources: 20 added"))
        .collect();
    assert_eq!(
        created.iter().filter(|c| **c).count(),
        1,
        "{}\n{}",
        out(&a),
        out(&b)
    );
    assert_eq!(k.images().len(), 20);
    let db = Db::connect(&pg, "test");
    assert_eq!(db.resources("default"), 20);
}

#[test]
fn two_first_applies_on_an_empty_database_both_succeed() {
    let pg = Postgres::start();
    // Each round a schema no run has made: both runs find neither schema nor table.
    for round in 0..3 {
        let k = Kasm::start();
        let file = k.write("images.tf", &specs(3, 2048));
        let schema = format!("schema_name=first_run_{round}");
        let apply = || {
            with_pg(
                &k,
                &pg,
                &[
                    "apply",
                    &file,
                    "--auto-approve",
                    "--lock-timeout",
                    "60",
                    "--backend-config",
                    &schema,
                ],
            )
        };
        let [a, b] =
            <[_; 2]>::try_from(together([apply(), apply()])).unwrap_or_else(|_| panic!("two runs"));
        assert_eq!((code(&a), code(&b)), (0, 0), "{}\n{}", out(&a), out(&b));
        assert_eq!(k.images().len(), 3, "{}\n{}", out(&a), out(&b));
    }
}

#[test]
fn a_database_error_shows_the_servers_words() {
    let pg = Postgres::start();
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(1, 2048));
    // A schema the user may not create: PostgreSQL's own refusal is shown.
    let o = output(&mut with_pg(
        &k,
        &pg,
        &["plan", &file, "--backend-config", "schema_name=pg_reserved"],
    ));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("unacceptable schema name \"pg_reserved\"")
            && stderr(&o).contains("SQLSTATE 42939"),
        "{}",
        out(&o)
    );
    assert!(!stderr(&o).contains("db error"), "{}", out(&o));
}

#[test]
fn a_killed_apply_leaves_no_stale_lock_and_converges() {
    let pg = Postgres::start();
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(100, 2048));
    k.faults(serde_json::json!({"latency_ms": 15}));
    let mut child = with_pg(&k, &pg, &["apply", &file, "--auto-approve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    while k.images().len() < 10 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill(); // SIGKILL: no cleanup runs
    let _ = child.wait();
    let made = k.images().len();
    assert!(made < 100, "the kill came after the end");
    let db = Db::connect(&pg, "test");
    let recorded = db.resources("default");
    assert!(
        recorded <= made,
        "the state never records more than Kasm has"
    );
    // No stale lock: the next run takes it at once.
    k.faults(serde_json::json!({}));
    let o = output(&mut with_pg(&k, &pg, &["apply", &file, "--auto-approve"]));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.images().len(), 100, "no duplicates");
    assert_eq!(db.resources("default"), 100);
    let o = output(&mut with_pg(
        &k,
        &pg,
        &["plan", &file, "--detailed-exitcode"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));
}

#[test]
fn a_dropped_connection_stops_the_run_with_a_clear_error() {
    let pg = Postgres::start();
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(60, 2048));
    k.faults(serde_json::json!({"latency_ms": 20}));
    let child = with_pg(
        &k,
        &pg,
        &["apply", &file, "--auto-approve", "--parallelism", "2"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap_or_else(|e| panic!("{e}"));
    let admin = Db::connect(&pg, "test");
    let started = Instant::now();
    while k.images().len() < 5 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    // The server ends the run's session (as a restart or a network cut would).
    admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'kasm-plan apply%'",
        &[],
    );
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("state backend pg"), "{}", out(&o));
    let recorded = admin.resources("default");
    assert!(recorded <= k.images().len());
    k.faults(serde_json::json!({}));
    let o = output(&mut with_pg(&k, &pg, &["apply", &file, "--auto-approve"]));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(k.images().len(), 60, "no duplicates");
    assert_eq!(admin.resources("default"), 60);
}

#[test]
fn workspaces_keep_separate_states() {
    let pg = Postgres::start();
    let k = Kasm::start();
    let staging = k.write("staging.tf", &specs(2, 2048));
    let production = k.write(
        "production.tf",
        &specs(3, 2048)
            .replace("kasmweb/app-", "kasmweb/prod-")
            .replace("App ", "Prod "),
    );
    let o = output(&mut with_pg(&k, &pg, &["workspace", "new", "staging"]));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(
        code(&output(&mut with_pg(
            &k,
            &pg,
            &["apply", &staging, "--auto-approve"]
        ))),
        0
    );
    let o = output(&mut with_pg(&k, &pg, &["workspace", "new", "production"]));
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = output(&mut with_pg(
        &k,
        &pg,
        &["apply", &production, "--auto-approve"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = output(&mut with_pg(&k, &pg, &["workspace", "list"]));
    assert_eq!(
        stdout(&o),
        "  default\n* production\n  staging\n",
        "{}",
        out(&o)
    );
    let db = Db::connect(&pg, "test");
    assert_eq!(
        (db.resources("staging"), db.resources("production")),
        (2, 3)
    );
    // KASM_PLAN_WORKSPACE overrides the selection.
    let o = output(
        with_pg(&k, &pg, &["plan", &staging, "--detailed-exitcode"])
            .env("KASM_PLAN_WORKSPACE", "staging"),
    );
    assert_eq!(code(&o), 0, "{}", out(&o));
    // A workspace that still manages images is not deleted without --force.
    assert_eq!(
        code(&output(&mut with_pg(
            &k,
            &pg,
            &["workspace", "select", "default"]
        ))),
        0
    );
    let o = output(&mut with_pg(&k, &pg, &["workspace", "delete", "staging"]));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        stderr(&o).contains("still manages 2 object(s)"),
        "{}",
        out(&o)
    );
    let o = output(&mut with_pg(
        &k,
        &pg,
        &["workspace", "delete", "staging", "--force"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(db.state("staging").is_none());
}

#[test]
fn a_local_state_migrates_to_postgres_and_back_with_nothing_lost() {
    let pg = Postgres::start();
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(4, 2048));
    let o = k.run(&["apply", &file, "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let (local, local_text) = (k.state(), k.read("kasm-plan.state.json"));

    // Local to pg: the row is the file, serial and lineage included.
    let o = output(&mut with_pg(
        &k,
        &pg,
        &["state", "push", "kasm-plan.state.json"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));
    let db = Db::connect(&pg, "test");
    assert_eq!(db.state("default"), Some(local.clone()));
    let o = output(&mut with_pg(
        &k,
        &pg,
        &["plan", &file, "--detailed-exitcode"],
    ));
    assert_eq!(
        code(&o),
        0,
        "the pushed state manages everything: {}",
        out(&o)
    );

    // The pg state moves on; the old file may no longer replace it.
    let file = k.write("images.tf", &specs(5, 2048));
    assert_eq!(
        code(&output(&mut with_pg(
            &k,
            &pg,
            &["apply", &file, "--auto-approve"]
        ))),
        0
    );
    let o = output(&mut with_pg(
        &k,
        &pg,
        &["state", "push", "kasm-plan.state.json"],
    ));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("is newer"), "{}", out(&o));
    let other = local_text.replace(local["lineage"].as_str().unwrap_or("x"), "another-lineage");
    k.write("other.json", &other);
    let o = output(&mut with_pg(&k, &pg, &["state", "push", "other.json"]));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("different lineages"), "{}", out(&o));
    assert_eq!(db.resources("default"), 5, "nothing was replaced");

    // pg back to local: the file is replaced by the newer state, the old one kept.
    let o = output(&mut with_pg(
        &k,
        &pg,
        &["state", "pull", "--out", "kasm-plan.state.json"],
    ));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(k.path("kasm-plan.state.json.backup").exists());
    assert_eq!(Some(k.state()), db.state("default"));
    let o = k.run(&["plan", &file, "--detailed-exitcode"]);
    assert_eq!(
        code(&o),
        0,
        "the local state manages everything again: {}",
        out(&o)
    );
    // An older pg state never replaces a newer file.
    assert_eq!(
        code(&k.run(&[
            "apply",
            &k.write("images.tf", &specs(6, 2048)),
            "--auto-approve"
        ])),
        0
    );
    let o = output(&mut with_pg(
        &k,
        &pg,
        &["state", "pull", "--out", "kasm-plan.state.json"],
    ));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("was not replaced"), "{}", out(&o));
}

#[test]
fn the_backend_block_of_the_configuration_chooses_postgres() {
    let pg = Postgres::start();
    let k = Kasm::start();
    let block = format!(
        "terraform {{\n  backend \"pg\" {{\n    conn_str    = \"{}\"\n    schema_name = \"team\"\n  }}\n}}\n",
        pg.conn_str()
    );
    let image = "resource \"kasm_image\" \"t\" {\n  name          = \"kasmweb/terminal:${terraform.workspace}\"\n  image_src     = \"img/t.png\"\n  friendly_name = \"Terminal\"\n}\n";
    k.write("main.tf", &format!("{block}{image}"));
    // No --backend and no KASM_PLAN_BACKEND: the block decides.
    let o = k.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(!k.path("kasm-plan.state.json").exists());
    let o = k.run(&["workspace", "new", "qa"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = k.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let names: Vec<String> = k.images().into_iter().filter_map(|i| i.name).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"kasmweb/terminal:default".to_owned()),
        "{names:?}"
    );
    assert!(
        names.contains(&"kasmweb/terminal:qa".to_owned()),
        "{names:?}"
    );
    let db = Db::connect(&pg, "test");
    let rows = db.query("SELECT name FROM team.states ORDER BY name", &[]);
    let workspaces: Vec<String> = rows.iter().map(|r| r.get::<_, String>(0)).collect();
    assert_eq!(workspaces, ["default", "qa"]);
    let o = k.run(&["state", "list"]);
    assert_eq!(stdout(&o), "kasm_image.t\n", "{}", out(&o));
    // A password in the block is refused: credentials belong in the environment.
    k.write(
        "main.tf",
        &format!(
            "{}{image}",
            block.replace("user=kasm", "user=kasm password=hunter2")
        ),
    );
    let o = k.run(&["plan"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(stderr(&o).contains("holds a password"), "{}", out(&o));
    assert!(!stderr(&o).contains("hunter2"), "{}", out(&o));
}

/// A workspace's state of format 1 is upgraded by the first write; its text
/// is kept in the `kasm_plan_backups` table of the schema.
#[test]
fn a_format_1_state_is_upgraded_and_kept_in_a_table() {
    let pg = Postgres::start();
    let k = Kasm::start();
    let file = k.write("images.tf", &specs(2, 2048));
    let o = output(&mut with_pg(&k, &pg, &["apply", &file, "--auto-approve"]));
    assert_eq!(code(&o), 0, "{}", out(&o));
    let db = Db::connect(&pg, "test");
    let v1 = common::format_1(&db.state("default").unwrap_or_default());
    db.query(
        &format!("UPDATE {SCHEMA}.states SET data = $1 WHERE name = 'default'"),
        &[&v1],
    );
    let file = k.write("images.tf", &specs(3, 2048));
    let o = output(&mut with_pg(&k, &pg, &["apply", &file, "--auto-approve"]));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        stderr(&o).contains("kasm_plan_backups"),
        "the place is named: {}",
        out(&o)
    );
    let kept = db.query(
        &format!("SELECT name, format, data FROM {SCHEMA}.kasm_plan_backups"),
        &[],
    );
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].get::<_, String>(0), "default");
    assert_eq!(kept[0].get::<_, i32>(1), 1);
    assert_eq!(kept[0].get::<_, String>(2), v1);
    let state = db.state("default").unwrap_or_default();
    assert_eq!(state["version"], 4);
    assert_eq!(state["resources"].as_object().map(|r| r.len()), Some(3));
    // Once upgraded, nothing more is kept.
    let o = output(&mut with_pg(&k, &pg, &["apply", &file, "--auto-approve"]));
    assert_eq!(code(&o), 0, "{}", out(&o));
    let kept = db.query(&format!("SELECT 1 FROM {SCHEMA}.kasm_plan_backups"), &[]);
    assert_eq!(kept.len(), 1);
}

//! A real PostgreSQL server for the tests: `initdb` and `pg_ctl` from the
//! system's packages, in a temporary directory, on a free loopback port.
//! Stopped (immediately) when dropped. As root, the server runs as the
//! `postgres` user, since PostgreSQL refuses to run as root.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
}

/// The directory of `initdb` and `pg_ctl`: on PATH, or Debian's versioned one.
fn bin_dir() -> PathBuf {
    if let Ok(o) = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        && o.status.success()
    {
        let path = String::from_utf8_lossy(&o.stdout).trim().to_owned();
        // A symlink on PATH points into the package's directory.
        let real = std::fs::canonicalize(&path).unwrap_or_else(|_| PathBuf::from(&path));
        if let Some(dir) = real.parent() {
            return dir.to_path_buf();
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .unwrap_or_else(|e| panic!("PostgreSQL is not installed (apt-get install postgresql): {e}"))
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").is_file())
        .collect();
    versions.sort();
    versions
        .pop()
        .unwrap_or_else(|| panic!("no initdb under /usr/lib/postgresql"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Postgres {
    pub fn start() -> Postgres {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let bin = bin_dir();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(status.success(), "chown the data directory");
        }
        let pg = Postgres { dir, bin, port };
        pg.run(&[
            "initdb",
            "-D",
            &pg.data(),
            "-A",
            "trust",
            "-U",
            "kasm",
            "--no-sync",
        ]);
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            pg.dir.path().display()
        );
        pg.run(&[
            "pg_ctl",
            "-D",
            &pg.data(),
            "-o",
            &options,
            "-l",
            &pg.dir.path().join("log").display().to_string(),
            "-w",
            "start",
        ]);
        pg
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, args: &[&str]) {
        let (program, rest) = args.split_first().unwrap_or((&"true", &[]));
        let program = self.bin.join(program);
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let out = command
            .args(rest)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
        assert!(
            out.status.success(),
            "{} failed: {}{}",
            program.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A key=value connection string (no password: the server trusts loopback).
    pub fn conn_str(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=kasm dbname=postgres sslmode=disable",
            self.port
        )
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.data();
        let pg_ctl = self.bin.join("pg_ctl");
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&pg_ctl);
            c
        } else {
            Command::new(&pg_ctl)
        };
        let _ = command
            .args(["-D", &data, "-m", "immediate", "stop"])
            .output();
    }
}

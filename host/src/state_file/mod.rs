//! The state: locked for a whole run and written whole, in a local file
//! (atomically, see [`crate::atomic`], mode 0600, with a `.backup` of the
//! state the run started from) or in a backend ([`pg`], [`http`]). A state
//! written by a newer format is refused, never rewritten; one of an older
//! format is upgraded by its first write, and the text it had is kept for
//! good ([`Locked::save`]).

pub mod backend;
pub mod http;
pub mod pg;

use kasm_plan_core::State;
use kasm_plan_core::state::STATE_VERSION;
use kasm_plan_core::state::format::{self, FormatError};
use kasm_plan_core::state::text::StateText;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The default state file.
pub const DEFAULT: &str = "kasm-plan.state.json";

/// What went wrong with the state file.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The lock file cannot be opened or locked.
    #[error("cannot lock {}: {source}", .path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Another run holds the lock.
    #[error("the state {} is locked by another run ({holder}); waited {} (-lock-timeout)", .path.display(), humantime::format_duration(*.waited))]
    Held {
        /// The state file.
        path: PathBuf,
        /// What the holder wrote into the lock file.
        holder: String,
        /// How long this run waited.
        waited: Duration,
    },
    /// The file cannot be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The state file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a kasm-plan state.
    #[error("{}:{line}:{column}: not a kasm-plan state: {message}", .path.display())]
    Decode {
        /// The state file.
        path: PathBuf,
        /// One-based line.
        line: usize,
        /// One-based column.
        column: usize,
        /// What the decoder found.
        message: String,
    },
    /// The file was written by a newer kasm-plan.
    #[error(
        "{} is a state of format version {found}, written by a newer kasm-plan; this one reads versions {} to {STATE_VERSION} and leaves the file alone (upgrade kasm-plan)",
        .path.display(), format::OLDEST
    )]
    TooNew {
        /// The state file.
        path: PathBuf,
        /// The version found.
        found: u32,
    },
    /// The file (or its backup) cannot be written.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Another run holds a backend's lock.
    #[error(
        "the state ({what}) is locked by another run ({holder}); waited {} (-lock-timeout)",
        humantime::format_duration(*.waited)
    )]
    HeldElsewhere {
        /// Which state.
        what: String,
        /// Who holds it, as the backend tells.
        holder: String,
        /// How long this run waited.
        waited: Duration,
    },
    /// A backend failed.
    #[error("state backend {backend}: {message}")]
    Backend {
        /// `pg`, `http`.
        backend: &'static str,
        /// What went wrong.
        message: String,
    },
}

impl StateError {
    /// A backend's failure.
    pub fn backend(backend: &'static str, message: String) -> StateError {
        StateError::Backend { backend, message }
    }
}

/// Where a state is kept while it is locked.
enum Store {
    /// A file, locked by a lock file beside it.
    Local {
        /// Removed and released when the run ends.
        _lock: LockFile,
    },
    /// A PostgreSQL row, locked by its session.
    Pg(pg::PgStore),
    /// An HTTP endpoint, locked by `LOCK`.
    Http(Box<http::HttpStore>),
}

/// A state held under its lock.
pub struct Locked {
    /// The file, or for a backend a name for messages.
    path: PathBuf,
    store: Store,
    /// The state as last read or written.
    pub state: State,
    /// Whether the file existed when the run started.
    existed: bool,
    backed_up: bool,
    /// The text of a state of an older format, until its first write keeps it.
    upgrade: Option<String>,
}

impl Locked {
    /// Locks `path` (waiting up to `wait`), then reads it; a missing file is an
    /// empty state (its lineage is made at the first write).
    pub fn open(path: &Path, wait: Duration, command: &str) -> Result<Locked, StateError> {
        let lock = acquire(path, wait, command)?;
        let existed = path.exists();
        let (state, text) = if existed {
            let text = read_text(path)?;
            (decode(path, &text)?, Some(text))
        } else {
            // The lineage is made at the first write, so plans of a missing
            // state agree with the apply that follows them.
            (State::default(), None)
        };
        Ok(Locked {
            path: path.to_path_buf(),
            store: Store::Local { _lock: lock },
            upgrade: text.filter(|_| state.version < STATE_VERSION),
            state,
            existed,
            backed_up: false,
        })
    }

    /// Locks and reads a workspace's state in PostgreSQL.
    pub fn open_pg(
        settings: &pg::PgSettings,
        workspace: &str,
        wait: Duration,
        command: &str,
    ) -> Result<Locked, StateError> {
        let store = pg::PgStore::open(settings, workspace, wait, command)?;
        let (name, text) = (store.describe(), store.load()?);
        Locked::remote(Store::Pg(store), name, text)
    }

    /// Locks and reads the state behind an HTTP endpoint.
    pub fn open_http(
        settings: &http::HttpSettings,
        wait: Duration,
        command: &str,
    ) -> Result<Locked, StateError> {
        let store = http::HttpStore::open(settings, wait, command)?;
        let (name, text) = (store.describe(), store.load()?);
        Locked::remote(Store::Http(Box::new(store)), name, text)
    }

    /// A backend's state, read under its lock. Each write replaces it whole
    /// in one request, so there is no backup copy.
    fn remote(store: Store, name: String, text: Option<String>) -> Result<Locked, StateError> {
        let name = PathBuf::from(name);
        let state = match &text {
            Some(text) => decode(&name, text)?,
            None => State::default(),
        };
        Ok(Locked {
            path: name,
            store,
            upgrade: text.clone().filter(|_| state.version < STATE_VERSION),
            state,
            existed: text.is_some(),
            backed_up: true,
        })
    }

    /// The PostgreSQL store, when the state is kept there.
    pub fn pg(&self) -> Option<&pg::PgStore> {
        match &self.store {
            Store::Pg(p) => Some(p),
            Store::Local { .. } | Store::Http(_) => None,
        }
    }

    /// The state file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `state` as it is, serial and lineage included (`state push`):
    /// the caller checked that it may replace the state in place.
    pub fn replace(&mut self, state: State) -> Result<(), StateError> {
        self.write(state)
    }

    /// Writes `state` with the next serial. The first write of a run first
    /// keeps the starting state as `<file>.backup`; a state of an older
    /// format is also kept for good where [`Locked::upgrade_backup`] says.
    pub fn save(&mut self, mut state: State) -> Result<(), StateError> {
        stamp(&mut state, self.state.serial);
        self.write(state)
    }

    /// Where the text of a state of an older format is kept when the first
    /// write upgrades it: `<file>.v<N>.backup` beside a local file, a row of
    /// the `kasm_plan_backups` table for pg, and for http (whose protocol has
    /// no second place) `kasm-plan.http.v<N>.backup` in the working directory.
    pub fn upgrade_backup(&self) -> Option<String> {
        let from = self.state.version;
        self.upgrade.as_ref()?;
        Some(match &self.store {
            Store::Local { .. } => sibling(&self.path, &format!(".v{from}.backup"))
                .display()
                .to_string(),
            Store::Pg(store) => store.backup_place(),
            Store::Http(_) => format!("kasm-plan.http.v{from}.backup"),
        })
    }

    /// Keeps the older format's text before the first write replaces it.
    fn keep_older_format(&mut self) -> Result<(), StateError> {
        let (Some(text), Some(place)) = (self.upgrade.as_ref(), self.upgrade_backup()) else {
            return Ok(());
        };
        let from = self.state.version;
        match &self.store {
            Store::Pg(store) => store.keep(from, text)?,
            Store::Local { .. } | Store::Http(_) => {
                crate::atomic::write(Path::new(&place), text.as_bytes()).map_err(|source| {
                    StateError::Write {
                        path: PathBuf::from(&place),
                        source,
                    }
                })?
            }
        }
        eprintln!(
            "Upgraded the state {} from format {from} to {STATE_VERSION}; the format-{from} state is kept in {place}.",
            self.path.display()
        );
        self.upgrade = None;
        Ok(())
    }

    fn write(&mut self, state: State) -> Result<(), StateError> {
        let text = StateText::default()
            .render(&state)
            .map_err(|e| self.write_error(e.into()))?;
        self.store_text(text)?;
        self.wrote(state);
        Ok(())
    }

    /// Writes a state's text, made by the caller with [`StateText`] from a
    /// state [`stamp`]ed after the last write: a run that writes after every
    /// action keeps one `StateText` across its writes. The first write keeps
    /// the backups as [`Locked::save`] does. Until [`Locked::wrote`] is told
    /// the state, [`Locked::state`] is the one last saved.
    pub fn store_text(&mut self, mut text: Vec<u8>) -> Result<(), StateError> {
        self.keep_older_format()?;
        if !self.backed_up && self.existed {
            let backup = sibling(&self.path, ".backup");
            let bytes = std::fs::read(&self.path).map_err(|source| StateError::Read {
                path: self.path.clone(),
                source,
            })?;
            crate::atomic::write(&backup, &bytes).map_err(|source| StateError::Write {
                path: backup,
                source,
            })?;
        }
        self.backed_up = true;
        text.push(b'\n');
        match &self.store {
            Store::Local { .. } => {
                crate::atomic::write(&self.path, &text).map_err(|e| self.write_error(e))?;
            }
            Store::Pg(store) => store.store(&String::from_utf8_lossy(&text))?,
            Store::Http(store) => store.store(&String::from_utf8_lossy(&text))?,
        }
        Ok(())
    }

    /// The state whose text was stored last.
    pub fn wrote(&mut self, mut state: State) {
        state.version = STATE_VERSION;
        self.state = state;
    }

    fn write_error(&self, source: std::io::Error) -> StateError {
        StateError::Write {
            path: self.path.clone(),
            source,
        }
    }
}

/// Gives `state` the serial of the write after the one of serial `last`,
/// and a lineage when it has none yet.
pub fn stamp(state: &mut State, last: u64) {
    state.serial = last + 1;
    if state.lineage.is_empty() {
        state.lineage = uuid::Uuid::new_v4().to_string();
    }
}

/// A held lock file. Released, it is removed first and unlocked after, so no
/// lock file outlives its run; a run that was waiting on the removed file
/// sees that it is gone and locks the new one (see [`acquire`]).
struct LockFile {
    /// Held open: the lock lasts as long as this handle.
    _file: File,
    path: PathBuf,
}

impl Drop for LockFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        // The lock goes with the handle, after the file is gone.
    }
}

/// Takes the lock beside `path`, waiting up to `wait`, and writes who holds it.
fn acquire(path: &Path, wait: Duration, command: &str) -> Result<LockFile, StateError> {
    let lock_path = sibling(path, ".lock");
    let lock_error = |source| StateError::Lock {
        path: lock_path.clone(),
        source,
    };
    // A new workspace's state lives in a folder no run has made yet.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(lock_error)?;
    }
    let started = Instant::now();
    let mut lock = loop {
        let mut lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(lock_error)?;
        match lock.try_lock() {
            // The holder removes the file before it unlocks: a lock on a file
            // no longer at the path is no lock at all, so open it again.
            Ok(()) if same_file(&lock, &lock_path) => break lock,
            Ok(()) => continue,
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = lock.read_to_string(&mut holder);
                return Err(StateError::Held {
                    path: path.to_path_buf(),
                    holder: holder.trim().to_owned(),
                    waited: wait,
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(lock_error(e)),
        }
    };
    // Who holds it, for a second run to report.
    let _ = lock.set_len(0);
    let _ = lock.rewind();
    let _ = write!(
        lock,
        "pid {}, `kasm-plan {command}`, since {}",
        std::process::id(),
        humantime::format_rfc3339_seconds(std::time::SystemTime::now())
    );
    let _ = lock.flush();
    Ok(LockFile {
        _file: lock,
        path: lock_path,
    })
}

/// Whether the open file is the one at `path` now.
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Reads a state file, refusing one of a newer format.
pub fn read(path: &Path) -> Result<State, StateError> {
    decode(path, &read_text(path)?)
}

fn read_text(path: &Path) -> Result<String, StateError> {
    std::fs::read_to_string(path).map_err(|source| StateError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Decodes a state's text of any format this version reads (`path` names
/// where it came from), refusing one of a newer format.
pub fn decode(path: &Path, text: &str) -> Result<State, StateError> {
    format::decode(text).map_err(|e| match e {
        FormatError::TooNew(found) => StateError::TooNew {
            path: path.to_path_buf(),
            found,
        },
        FormatError::Decode(e) => StateError::Decode {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        },
    })
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

//! The state file: locked for a whole run, written atomically (see
//! [`crate::atomic`]) with mode 0600, and a `.backup` of the state the run
//! started from.

use kasm_plan_core::State;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The default state file.
pub const DEFAULT: &str = "kasm-plan.state.json";

/// A state file held under its lock.
pub struct Locked {
    path: PathBuf,
    /// Held open: the lock lasts as long as this handle.
    _lock: File,
    /// The state as last read or written.
    pub state: State,
    /// Whether the file existed when the run started.
    existed: bool,
    backed_up: bool,
}

impl Locked {
    /// Locks `path` (waiting up to `wait`), then reads it; a missing file is an
    /// empty state (its lineage is made at the first write).
    pub fn open(path: &Path, wait: Duration, command: &str) -> Result<Locked, String> {
        let lock_path = sibling(path, ".lock");
        let mut lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(|e| format!("cannot open the lock file {}: {e}", lock_path.display()))?;
        let started = Instant::now();
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = lock.read_to_string(&mut holder);
                    return Err(format!(
                        "the state {} is locked by another run ({}); waited {:?} (--lock-timeout)",
                        path.display(),
                        holder.trim(),
                        wait
                    ));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(format!("cannot lock {}: {e}", lock_path.display()));
                }
            }
        }
        // Who holds it, for a second run to report.
        let _ = lock.set_len(0);
        let _ = lock.rewind();
        let _ = write!(
            lock,
            "pid {}, `kasm-plan {command}`, since {} s after the epoch",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        );
        let _ = lock.flush();
        let existed = path.exists();
        let state = if existed {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{}:{}:{}: not a kasm-plan state: {e}",
                    path.display(),
                    e.line(),
                    e.column()
                )
            })?
        } else {
            // The lineage is made at the first write, so plans of a missing
            // state agree with the apply that follows them.
            State::default()
        };
        Ok(Locked {
            path: path.to_path_buf(),
            _lock: lock,
            state,
            existed,
            backed_up: false,
        })
    }

    /// The state file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `state` with the next serial. The first write of a run first
    /// keeps the starting state as `<file>.backup`.
    pub fn save(&mut self, mut state: State) -> Result<(), String> {
        if !self.backed_up && self.existed {
            let backup = sibling(&self.path, ".backup");
            std::fs::copy(&self.path, &backup)
                .map_err(|e| format!("cannot back up to {}: {e}", backup.display()))?;
        }
        self.backed_up = true;
        state.serial = self.state.serial + 1;
        if state.lineage.is_empty() {
            state.lineage = uuid::Uuid::new_v4().to_string();
        }
        let mut text = serde_json::to_vec_pretty(&state).map_err(|e| e.to_string())?;
        text.push(b'\n');
        crate::atomic::write(&self.path, &text)
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))?;
        self.state = state;
        Ok(())
    }
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

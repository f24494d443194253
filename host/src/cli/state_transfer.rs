//! `state pull` and `state push`: a state out of the backend in use, or into
//! it — together, a migration between backends (local file to PostgreSQL and
//! back). Neither ever replaces a newer state or another lineage unasked, and
//! what is replaced is kept in a backup file.

use super::CliError;
use crate::state_file::{self, Locked};
use kasm_plan_core::State;
use std::path::{Path, PathBuf};

/// Prints the state, or writes it to `out`.
pub fn pull(state: &State, out: Option<&Path>) -> Result<(), CliError> {
    let mut text = serde_json::to_string_pretty(state)?;
    text.push('\n');
    let Some(out) = out else {
        print!("{text}");
        return Ok(());
    };
    if out.exists() {
        let there = state_file::read(out)?;
        there
            .may_be_replaced_by(state)
            .map_err(|why| CliError::Stop(format!("{} was not replaced: {why}", out.display())))?;
        keep(out, &backup_of(out))?;
    }
    crate::atomic::write(out, text.as_bytes())
        .map_err(|e| CliError::Stop(format!("cannot write {}: {e}", out.display())))?;
    println!(
        "Wrote the state (serial {}) to {}.",
        state.serial,
        out.display()
    );
    Ok(())
}

/// Replaces the locked state with the file's.
pub fn push(locked: &mut Locked, file: &Path, force: bool) -> Result<(), CliError> {
    let incoming = state_file::read(file)?;
    if let Err(why) = locked.state.may_be_replaced_by(&incoming)
        && !force
    {
        return Err(CliError::Stop(format!(
            "the state was not replaced: {why}; --force replaces it anyway"
        )));
    }
    let replaced = locked.state.clone();
    if !replaced.lineage.is_empty() {
        let backup = PathBuf::from(format!(
            "{}.replaced-serial-{}.json",
            file.display(),
            replaced.serial
        ));
        let mut text = serde_json::to_string_pretty(&replaced)?;
        text.push('\n');
        crate::atomic::write(&backup, text.as_bytes())
            .map_err(|e| CliError::Stop(format!("cannot write {}: {e}", backup.display())))?;
        println!(
            "Kept the state replaced (serial {}) in {}.",
            replaced.serial,
            backup.display()
        );
    }
    let serial = incoming.serial;
    locked.replace(incoming)?;
    println!(
        "Pushed {} (serial {serial}) to {}.",
        file.display(),
        locked.path().display()
    );
    Ok(())
}

fn backup_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".backup");
    PathBuf::from(name)
}

fn keep(from: &Path, to: &Path) -> Result<(), CliError> {
    let bytes = std::fs::read(from)
        .map_err(|e| CliError::Stop(format!("cannot read {}: {e}", from.display())))?;
    crate::atomic::write(to, &bytes)
        .map_err(|e| CliError::Stop(format!("cannot write {}: {e}", to.display())))
}

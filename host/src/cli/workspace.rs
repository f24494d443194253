//! `kasm-plan workspace list|show|new|select|delete`: separate states (say,
//! staging and production) in one backend, as Terraform's workspaces.

use super::configuration::current_backend_block;
use super::{CliError, CoreArgs, Outcome};
use crate::state_file::backend::{
    Backend, BackendArgs, DEFAULT_WORKSPACE, SELECTED, check_workspace_name, local_path,
};
use crate::state_file::pg::PgStore;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `workspace`.
#[derive(Debug, clap::Args)]
pub struct WorkspaceArgs {
    #[command(subcommand)]
    pub command: WorkspaceCommand,
    /// The local backend's state file for the default workspace.
    #[arg(long, global = true, value_name = "PATH", default_value = crate::state_file::DEFAULT)]
    pub state: PathBuf,
    /// Wait this long (Terraform's durations: `10s`, `1m30s`; a bare number is seconds) for a workspace's lock.
    #[arg(long, global = true, value_name = "DURATION", default_value = "0s", value_parser = super::duration)]
    pub lock_timeout: std::time::Duration,
    #[command(flatten)]
    pub backend: BackendArgs,
}

/// What to do with workspaces.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum WorkspaceCommand {
    /// List the workspaces; the current one is marked `*`.
    List,
    /// Print the current workspace.
    Show,
    /// Create a workspace (an empty state) and select it.
    New {
        /// Its name.
        name: String,
    },
    /// Select a workspace for the following commands (`KASM_PLAN_WORKSPACE` overrides it).
    Select {
        /// Its name.
        name: String,
    },
    /// Delete a workspace's state; one that still manages anything only with `--force`.
    Delete {
        /// Its name.
        name: String,
        /// Delete it although its state still binds images, groups or links
        /// (they stay on Kasm, unmanaged).
        #[arg(long)]
        force: bool,
    },
}

pub fn run(core: &CoreArgs, args: &WorkspaceArgs) -> Outcome {
    let block = current_backend_block(core)?;
    let args = &WorkspaceArgs {
        command: args.command.clone(),
        state: args.state.clone(),
        lock_timeout: args.lock_timeout,
        backend: args.backend.with_block(block),
    };
    let current = args.backend.workspace()?;
    match &args.command {
        WorkspaceCommand::Show => println!("{current}"),
        WorkspaceCommand::List => {
            for name in list(args)? {
                let mark = if name == current { '*' } else { ' ' };
                println!("{mark} {name}");
            }
        }
        WorkspaceCommand::New { name } => {
            check_workspace_name(name)?;
            if list(args)?.contains(name) {
                return Err(CliError::Stop(format!("workspace {name} already exists")));
            }
            let mut locked =
                with_workspace(args, name).open(&args.state, wait(args), "workspace new")?;
            let empty = locked.state.clone();
            locked.save(empty)?;
            select(name)?;
            println!("Created and switched to workspace {name}.");
        }
        WorkspaceCommand::Select { name } => {
            if !list(args)?.contains(name) {
                return Err(CliError::Stop(format!(
                    "workspace {name} does not exist; create it with `kasm-plan workspace new {name}`"
                )));
            }
            select(name)?;
            println!("Switched to workspace {name}.");
        }
        WorkspaceCommand::Delete { name, force } => delete(args, name, &current, *force)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn wait(args: &WorkspaceArgs) -> Duration {
    args.lock_timeout
}

fn with_workspace(args: &WorkspaceArgs, name: &str) -> BackendArgs {
    BackendArgs {
        workspace: Some(name.to_owned()),
        ..args.backend.clone()
    }
}

/// Every workspace: `default` always, then those with a state.
fn list(args: &WorkspaceArgs) -> Result<Vec<String>, CliError> {
    let mut names = vec![DEFAULT_WORKSPACE.to_owned()];
    match args.backend.backend()? {
        Backend::Local => {
            let dir = local_path(&args.state, "x");
            let dir = dir.parent().and_then(Path::parent).map(Path::to_path_buf);
            if let Some(Ok(entries)) = dir.map(std::fs::read_dir) {
                for entry in entries.flatten() {
                    if entry
                        .path()
                        .join(args.state.file_name().unwrap_or_default())
                        .is_file()
                    {
                        names.push(entry.file_name().to_string_lossy().into_owned());
                    }
                }
            }
        }
        Backend::Pg(settings) => {
            names.extend(PgStore::connect(&settings, "workspace list")?.workspaces()?);
        }
        // Terraform's http backend has the default workspace only.
        Backend::Http(_) => {}
    }
    names.sort();
    names.dedup();
    Ok(names)
}

fn select(name: &str) -> Result<(), CliError> {
    let path = Path::new(SELECTED);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::Stop(format!("cannot create {}: {e}", dir.display())))?;
    }
    crate::atomic::write(path, format!("{name}\n").as_bytes())
        .map_err(|e| CliError::Stop(format!("cannot write {SELECTED}: {e}")))
}

fn delete(args: &WorkspaceArgs, name: &str, current: &str, force: bool) -> Result<(), CliError> {
    if name == DEFAULT_WORKSPACE {
        return Err(CliError::Stop(
            "the default workspace cannot be deleted".into(),
        ));
    }
    if name == current {
        return Err(CliError::Stop(format!(
            "workspace {name} is selected; select another before deleting it"
        )));
    }
    if !list(args)?.iter().any(|n| n == name) {
        return Err(CliError::Stop(format!("workspace {name} does not exist")));
    }
    // Under its lock: no run may be using it.
    let locked = with_workspace(args, name).open(&args.state, wait(args), "workspace delete")?;
    let s = &locked.state;
    let managed = s.addresses().len();
    if managed > 0 && !force {
        return Err(CliError::Stop(format!(
            "workspace {name} still manages {managed} object(s); delete them first (apply an empty configuration), or --force to forget them"
        )));
    }
    match locked.pg() {
        Some(store) => store.delete(name)?,
        None => {
            let file = local_path(&args.state, name);
            std::fs::remove_file(&file)
                .map_err(|e| CliError::Stop(format!("cannot delete {}: {e}", file.display())))?;
        }
    }
    println!("Deleted workspace {name}.");
    Ok(())
}

//! `kasm-plan state list | show ADDRESS | rm ADDRESS`

use super::configuration::current_backend_block;
use super::state_transfer as transfer;
use super::{CliError, CoreArgs, Outcome};
use crate::state_file;
use crate::state_file::backend::{Backend, BackendArgs, local_path};
use kasm_plan_core::State;
use kasm_plan_core::address::{names, renames, type_of};
use kasm_plan_core::render::state::instance;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `state`.
#[derive(Debug, clap::Args)]
pub struct StateArgs {
    #[command(subcommand)]
    pub command: StateCommand,
    /// The state file.
    #[arg(long, global = true, value_name = "PATH", default_value = state_file::DEFAULT)]
    pub state: PathBuf,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Wait this long (Terraform's durations: `10s`, `1m30s`; a bare number is seconds) for the state lock.
    #[arg(long, global = true, value_name = "DURATION", default_value = "0s", value_parser = super::duration)]
    pub lock_timeout: std::time::Duration,
}

/// The state subcommands.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)] // one value per run, made by clap: its size costs nothing
pub enum StateCommand {
    /// The addresses in the state; with addresses, those they match (a
    /// resource's address matches each of its instances).
    List {
        /// e.g. `kasm_image.pool` (every instance) or `kasm_image.pool[0]`.
        addresses: Vec<String>,
    },
    /// One address's image id and attributes (secrets hidden).
    Show {
        /// e.g. `kasm_image.terminal`.
        address: String,
    },
    /// Forget addresses (a resource's address forgets each of its
    /// instances); what they bind stays on Kasm, unmanaged.
    Rm {
        /// e.g. `kasm_image.terminal`, `kasm_image.pool`.
        #[arg(required = true)]
        addresses: Vec<String>,
    },
    /// Bind what an address binds to another address of the same type (a
    /// rename, as a `moved` block does), e.g. `kasm_image.old kasm_image.new`;
    /// a resource's address moves each of its instances with their keys.
    Mv {
        /// The address now.
        source: String,
        /// The address to bind it to instead.
        destination: String,
    },
    /// Print the state (of the backend and workspace in use) as JSON, or write it to a file.
    Pull {
        /// Write here instead (refused over a newer state or another lineage; the file replaced is kept as `.backup`).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Release a lock a killed run left on an http backend (pg and local
    /// locks die with their run).
    ForceUnlock {
        /// The lock's id, as the error naming the holder shows it.
        id: String,
    },
    /// Bind every kasm_image, kasm_group and kasm_group_image instance of a
    /// state the Terraform provider for Kasm wrote (`terraform.tfstate`) to
    /// the same address here, each read from Kasm as `import` reads it.
    ImportTerraform(super::import::TerraformImportArgs),
    /// Replace the state (of the backend and workspace in use) with a state
    /// file's: a migration into this backend. Refused over another lineage or
    /// a newer serial; the state replaced is kept in a backup file.
    Push {
        /// The state file to push.
        file: PathBuf,
        /// Replace although the lineage differs or the state in place is newer.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(core: &CoreArgs, args: &StateArgs) -> Outcome {
    let backend = args.backend.with_block(current_backend_block(core)?);
    let command = match &args.command {
        StateCommand::List { .. } => "state list",
        StateCommand::Show { .. } => "state show",
        StateCommand::Rm { .. } => "state rm",
        StateCommand::Mv { .. } => "state mv",
        StateCommand::Pull { .. } => "state pull",
        StateCommand::ForceUnlock { .. } => "state force-unlock",
        StateCommand::Push { .. } => "state push",
        StateCommand::ImportTerraform(_) => "state import-terraform",
    };
    if let StateCommand::ForceUnlock { id } = &args.command {
        return force_unlock(&backend, id);
    }
    if let StateCommand::ImportTerraform(import) = &args.command {
        return super::import::from_terraform(core, args, import);
    }
    let local = backend.backend()? == Backend::Local;
    let file = local_path(&args.state, &backend.workspace()?);
    let creates = matches!(args.command, StateCommand::Push { .. });
    if local && !file.exists() && !creates {
        return Err(CliError::Stop(format!(
            "no state file at {}",
            file.display()
        )));
    }
    let mut locked = backend.open(&args.state, args.lock_timeout, command)?;
    match &args.command {
        StateCommand::List { addresses } => {
            let chosen =
                |address: &str| addresses.is_empty() || addresses.iter().any(|f| names(f, address));
            for address in every_address(&locked.state) {
                if chosen(&address) {
                    println!("{address}");
                }
            }
            for address in locked.state.pending.keys().filter(|a| chosen(a)) {
                eprintln!(
                    "Note: {address}: an earlier run asked Kasm to create it and stopped before recording it; the next plan looks for it on Kasm"
                );
            }
        }
        StateCommand::Show { address } => {
            let text = instance(&locked.state, address)
                .ok_or_else(|| CliError::Stop(format!("{address} is not in the state")))?;
            print!("{text}");
        }
        StateCommand::Rm { addresses } => {
            // A pending create may be dropped too: its object is then left to Kasm.
            let pending = locked.state.pending.keys().cloned();
            let all: Vec<String> = every_address(&locked.state)
                .into_iter()
                .chain(pending)
                .collect();
            let chosen = matching(&all, addresses)?;
            let mut state = locked.state.clone();
            for address in &chosen {
                state.forget(address);
            }
            locked.save(state)?;
            for address in &chosen {
                println!("Removed {address}");
            }
            println!(
                "Successfully removed {} resource instance(s).",
                chosen.len()
            );
        }
        StateCommand::Mv {
            source,
            destination,
        } => {
            let moves = moves(&locked.state, source, destination)?;
            let mut state = locked.state.clone();
            for (from, to) in &moves {
                state.rename(from, to);
            }
            locked.save(state)?;
            for (from, to) in &moves {
                println!("Move \"{from}\" to \"{to}\"");
            }
            println!("Successfully moved {} object(s).", moves.len());
        }
        StateCommand::Pull { out } => transfer::pull(&locked.state, out.as_deref())?,
        StateCommand::ForceUnlock { .. } | StateCommand::ImportTerraform(_) => {}
        StateCommand::Push { file, force } => transfer::push(&mut locked, file, *force)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Every address in the state: images, groups, then links.
fn every_address(state: &State) -> Vec<String> {
    state.addresses()
}

/// The addresses the filters name, each once; a filter that names nothing is
/// an error and nothing is chosen (a typo must not pass silently).
fn matching(all: &[String], filters: &[String]) -> Result<Vec<String>, CliError> {
    if let Some(none) = filters.iter().find(|f| !all.iter().any(|a| names(f, a))) {
        return Err(CliError::Stop(format!(
            "{none} is not in the state; nothing was changed (`kasm-plan state list` shows what is)"
        )));
    }
    Ok(all
        .iter()
        .filter(|a| filters.iter().any(|f| names(f, a)))
        .cloned()
        .collect())
}

/// Each address `source` names, with where it goes: an instance to an
/// instance, a resource's instances to the same keys under `destination`.
/// Refused across types and onto an address the state has.
fn moves(
    state: &State,
    source: &str,
    destination: &str,
) -> Result<Vec<(String, String)>, CliError> {
    if type_of(source) != type_of(destination) || type_of(source).is_none() {
        return Err(CliError::Stop(format!(
            "{source} and {destination} are not addresses of one resource type; an address moves only within its type"
        )));
    }
    let all = every_address(state);
    matching(&all, std::slice::from_ref(&source.to_owned()))?;
    let pairs = renames(&all, source, destination);
    if let Some((_, taken)) = pairs.iter().find(|(_, to)| all.contains(to)) {
        return Err(CliError::Stop(format!(
            "{taken} is already in the state; nothing was moved (remove or move it first)"
        )));
    }
    Ok(pairs)
}

/// Every address of the state as `state show` prints each, one after the
/// other (what `show` prints without a saved plan).
pub fn shown_all(state: &State) -> String {
    every_address(state)
        .iter()
        .filter_map(|a| instance(state, a))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `state force-unlock ID`: only the http backend keeps a lock beyond its run.
fn force_unlock(backend: &BackendArgs, id: &str) -> Outcome {
    match backend.backend()? {
        Backend::Http(settings) => {
            crate::state_file::http::HttpStore::force_unlock(&settings, id)?;
            println!("Released lock {id}.");
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(CliError::Stop(
            "only the http backend keeps a lock after its run ends; local and pg locks die with their run".into(),
        )),
    }
}

//! `kasm-plan state list | show ADDRESS | rm ADDRESS`

use super::configuration::current_backend_block;
use super::render;
use super::state_transfer as transfer;
use super::{CliError, CoreArgs, Outcome};
use crate::state_file;
use crate::state_file::backend::{Backend, BackendArgs, local_path};
use kasm_plan_core::Field;
use kasm_plan_core::State;
use kasm_plan_core::address::Instance;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

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
    /// Wait this long (seconds) for the state lock.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 0)]
    pub lock_timeout: u64,
}

/// The state subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum StateCommand {
    /// The addresses in the state.
    List,
    /// One address's image id and attributes (secrets hidden).
    Show {
        /// e.g. `kasm_image.terminal`.
        address: String,
    },
    /// Forget an address; the image stays on Kasm, unmanaged.
    Rm {
        /// e.g. `kasm_image.terminal`.
        address: String,
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
        StateCommand::List => "state list",
        StateCommand::Show { .. } => "state show",
        StateCommand::Rm { .. } => "state rm",
        StateCommand::Pull { .. } => "state pull",
        StateCommand::ForceUnlock { .. } => "state force-unlock",
        StateCommand::Push { .. } => "state push",
    };
    if let StateCommand::ForceUnlock { id } = &args.command {
        return force_unlock(&backend, id);
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
    let mut locked = backend.open(&args.state, Duration::from_secs(args.lock_timeout), command)?;
    match &args.command {
        StateCommand::List => {
            let state = &locked.state;
            let addresses = state
                .resources
                .keys()
                .chain(state.groups.keys())
                .chain(state.links.keys());
            for address in addresses {
                println!("{address}");
            }
        }
        StateCommand::Show { address } if !locked.state.resources.contains_key(address) => {
            let text = show_access(&locked.state, address)
                .ok_or_else(|| CliError::Stop(format!("{address} is not in the state")))?;
            print!("{text}");
        }
        StateCommand::Show { address } => {
            let r = locked
                .state
                .resources
                .get(address)
                .ok_or_else(|| CliError::Stop(format!("{address} is not in the state")))?;
            println!("# {address}:");
            let name = Instance::from_address(address).map_or_else(
                || address.trim_start_matches("kasm_image.").to_owned(),
                |i| i.name,
            );
            println!("resource \"kasm_image\" \"{name}\" {{");
            println!("    id = {}", serde_json::Value::from(r.image_id.as_str()));
            let fields: Vec<Field> = r.attributes.set_fields().collect();
            let width = fields
                .iter()
                .map(|f| f.spec_name().len())
                .max()
                .unwrap_or(0);
            for f in fields {
                println!(
                    "    {:<width$} = {}",
                    f.spec_name(),
                    render::value(f, r.attributes.get(f))
                );
            }
            if r.prevent_destroy {
                println!("    # lifecycle: prevent_destroy");
            }
            println!("}}");
        }
        StateCommand::Rm { address } => {
            let mut state = locked.state.clone();
            let removed = state.resources.remove(address).is_some()
                || state.groups.remove(address).is_some()
                || state.links.remove(address).is_some();
            if !removed {
                return Err(CliError::Stop(format!("{address} is not in the state")));
            }
            locked.save(state)?;
            println!("Removed {address}\nSuccessfully removed 1 resource instance(s).");
        }
        StateCommand::Pull { out } => transfer::pull(&locked.state, out.as_deref())?,
        StateCommand::ForceUnlock { .. } => {}
        StateCommand::Push { file, force } => transfer::push(&mut locked, file, *force)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// A group or link in the state, as `state show` prints it.
fn show_access(state: &State, address: &str) -> Option<String> {
    let (kind, name) = address.split_once('.')?;
    let mut out = format!("# {address}:\nresource \"{kind}\" \"{name}\" {{\n");
    if let Some(g) = state.groups.get(address) {
        out.push_str(&format!("    id          = \"{}\"\n", g.group_id));
        out.push_str(&format!(
            "    name        = {}\n",
            serde_json::Value::from(g.name.as_str())
        ));
        out.push_str(&format!("    priority    = {}\n", g.priority));
        if let Some(d) = &g.description {
            out.push_str(&format!(
                "    description = {}\n",
                serde_json::Value::from(d.as_str())
            ));
        }
        if g.force_destroy {
            out.push_str("    # force_destroy\n");
        }
    } else {
        let l = state.links.get(address)?;
        out.push_str(&format!("    id       = \"{}\"\n", l.id()));
        out.push_str(&format!("    group_id = \"{}\"\n", l.group_id));
        out.push_str(&format!("    image_id = \"{}\"\n", l.image_id));
    }
    out.push_str("}\n");
    Some(out)
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

//! `kasm-plan show [PLAN.json]`: a saved plan, or without one the state.

use super::configuration::current_backend_block;
use super::{CliError, CoreArgs, Outcome, saved};
use crate::state_file::backend::{Backend, BackendArgs, local_path};
use kasm_plan_core::facade::RenderRequest;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// A plan saved by `plan --out`; without one, the state.
    #[arg(value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    /// Print the plan as Terraform-shaped plan JSON (the state: kasm-plan's
    /// state document, as `state pull`).
    #[arg(long)]
    pub json: bool,
    /// The state file, when no plan is given.
    #[arg(long, value_name = "PATH", default_value = crate::state_file::DEFAULT)]
    pub state: PathBuf,
    #[command(flatten)]
    pub backend: BackendArgs,
}

pub fn run(core: &CoreArgs, args: &ShowArgs) -> Outcome {
    let Some(plan) = &args.plan else {
        return state(core, args);
    };
    let saved = saved::read(plan)?;
    if args.json {
        let timestamp = saved.timestamp.clone().unwrap_or_else(saved::now);
        let mut json = saved::terraform_json(&mut core.open()?, &saved.plan, timestamp)?;
        // The plan's warnings, as `plan --json` gives them.
        if let Some(o) = json.as_object_mut() {
            o.insert(
                "diagnostics".into(),
                serde_json::to_value(&saved.diagnostics)?,
            );
        }
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        let files: Vec<&str> = saved.sources.iter().map(|s| s.file.as_str()).collect();
        println!(
            "Saved plan {} (from {}).\n",
            plan.display(),
            files.join(", ")
        );
        print!(
            "{}",
            core.open()?.render_plan(RenderRequest {
                plan: saved.plan.clone(),
                refresh_only: false,
                diagnostics: saved.diagnostics.clone(),
            })?
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The state of the backend and workspace in use, every address as `state
/// show` prints it (as Terraform's `show` without a plan).
fn state(core: &CoreArgs, args: &ShowArgs) -> Outcome {
    let backend = args.backend.with_block(current_backend_block(core)?);
    let file = local_path(&args.state, &backend.workspace()?);
    if backend.backend()? == Backend::Local && !file.exists() {
        println!("No state.");
        return Ok(ExitCode::SUCCESS);
    }
    let locked = backend.open(&args.state, std::time::Duration::ZERO, "show")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&locked.state)?);
    } else if locked.state.addresses().is_empty() {
        println!("The state is empty.");
    } else {
        print!("{}", super::state::shown_all(&locked.state));
    }
    Ok::<_, CliError>(ExitCode::SUCCESS)
}

//! `kasm-plan plan [PATH...] [--var NAME=VALUE] [--observed images.json]`

use super::configuration::{ConfigArgs, Loaded, backend_block};
use super::policy::{self, Gate};
use super::render;
use super::saved::{self, SavedPlan, SourceDigest};
use super::server::{ServerArgs, fetch_access, fetch_images, needs_access};
use super::{CliError, CoreArgs, Outcome, input};
use crate::Core;
use crate::state_file;
use crate::state_file::backend::BackendArgs;
use kasm_plan_core::access::Access;
use kasm_plan_core::facade::{Configuration, Desired, PlanRequest, PlanResponse};
use kasm_plan_core::plan::PlanOptions;
use kasm_plan_core::policy::PolicyReport;
use kasm_plan_core::{Image, Plan, State};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Plan offline against a saved image list (`get_images` answer or
    /// `kasm-plan images --json`) instead of reading the server.
    #[arg(long, value_name = "PATH")]
    pub observed: Option<PathBuf>,
    /// With --observed: the groups and their links, as `kasm-plan groups
    /// --images --json` prints them (needed when the configuration or the
    /// state has groups or links).
    #[arg(long, value_name = "PATH", requires = "observed")]
    pub observed_groups: Option<PathBuf>,
    /// The state file [default: kasm-plan.state.json when it exists].
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Save the plan to this file (for `show`, and `apply`).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Exit 0 when there is nothing to do, 2 when there are changes, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Print the plan as Terraform-shaped plan JSON.
    #[arg(long)]
    pub json: bool,
    /// Read the images from the server first; `--refresh=false` plans against
    /// the state alone, as if Kasm still held what it records.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub refresh: bool,
    /// Show only what changed on Kasm since the last apply (drift); `apply
    /// --refresh-only` writes it to the state.
    #[arg(long)]
    pub refresh_only: bool,
    /// Plan to delete the images no address manages that equal a desired spec
    /// (duplicates); without it they are only reported.
    #[arg(long)]
    pub delete_duplicates: bool,
    /// Wait this long (seconds) for the state lock held by another run.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub lock_timeout: u64,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub policy: super::policy::PolicyArgs,
}

/// What a plan is made against.
struct Inputs {
    state: State,
    /// The state file, recorded in a saved plan.
    state_file: Option<PathBuf>,
    observed: Vec<Image>,
    /// Kasm's groups and links, once read.
    access: Option<Access>,
}

/// load → read (state and images) → plan → save → policy → print.
pub fn run(core: &CoreArgs, args: &PlanArgs) -> Outcome {
    let mut loaded = args.config.load()?;
    let sources = loaded.config.sources.clone();
    let mut core = core.open()?;
    let backend = args
        .backend
        .with_block(backend_block(&mut core, &loaded.config)?);
    loaded.config.workspace = Some(backend.workspace()?);
    let mut inputs = read(args, &backend)?;
    let state_file = inputs.state_file.clone();
    let mut answer = core.plan(request(args, &loaded.config, &inputs))?;
    if needs_access(&answer.diagnostics) {
        inputs.access = Some(read_access_for(args, &inputs)?);
        answer = core.plan(request(args, &loaded.config, &inputs))?;
    }
    let Some(plan) = answer.plan.clone().filter(|_| answer.ok) else {
        if args.json {
            println!("{}", serde_json::to_string_pretty(&answer.diagnostics)?);
        } else {
            eprint!("{}", render::diagnostics(&answer.diagnostics, &sources));
        }
        return Err(CliError::Stop(
            "the configuration is not valid; nothing was planned".into(),
        ));
    };
    if let Some(out) = &args.out {
        save(out, &loaded, state_file, &answer, &plan)?;
    }
    let report = policy::check_plan(&mut core, &args.policy, &loaded.config, &plan)?;
    if args.json {
        print_json(&mut core, &plan, report.as_ref())?;
    } else {
        print!("{}", render::diagnostics(&answer.diagnostics, &sources));
        print!("{}", render::planned(&plan, args.refresh_only));
        if let Some(out) = &args.out {
            println!("\nSaved the plan to {}.", out.display());
        }
        if let Some(r) = &report {
            print!("{}", policy::report_text(r));
        }
    }
    if let Gate::Stop(code) = policy::gate(report.as_ref()) {
        return Ok(code);
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The state and the images: the state alone (`--refresh=false`), a saved
/// image list (`--observed`), or the server's images under the state's lock.
fn read(args: &PlanArgs, backend: &BackendArgs) -> Result<Inputs, CliError> {
    let state_path = || {
        args.state
            .clone()
            .unwrap_or_else(|| PathBuf::from(state_file::DEFAULT))
    };
    let wait = Duration::from_secs(args.lock_timeout);
    if !args.refresh {
        let path = state_path();
        let locked = backend.open(&path, wait, "plan")?;
        return Ok(Inputs {
            state: locked.state.clone(),
            state_file: Some(path),
            observed: Vec::new(),
            access: None,
        });
    }
    if let Some(observed) = &args.observed {
        let (state, state_file) = input::state(args.state.as_deref())?;
        return Ok(Inputs {
            state,
            state_file,
            observed: input::images(observed)?,
            access: None,
        });
    }
    let path = state_path();
    let locked = backend.open(&path, wait, "plan")?;
    let observed = fetch_images(&args.server, &path)?;
    Ok(Inputs {
        state: locked.state.clone(),
        state_file: Some(path),
        observed,
        access: None,
    })
}

/// Kasm's groups and links: from `--observed-groups` when planning offline,
/// else from the server.
fn read_access_for(args: &PlanArgs, inputs: &Inputs) -> Result<Access, CliError> {
    match (&args.observed_groups, &args.observed) {
        (Some(path), _) => Ok(input::access(path)?),
        (None, Some(_)) => Err(CliError::Stop(
            "the configuration or the state has groups or links: give --observed-groups (saved by `kasm-plan groups --images --json`) with --observed".into(),
        )),
        (None, None) => {
            let path = inputs
                .state_file
                .clone()
                .unwrap_or_else(|| PathBuf::from(state_file::DEFAULT));
            fetch_access(&args.server, &path)
        }
    }
}

/// The core's request for the plan the arguments ask for.
fn request(args: &PlanArgs, config: &Configuration, inputs: &Inputs) -> PlanRequest {
    PlanRequest {
        desired: Desired::Sources(config.clone()),
        state: inputs.state.clone(),
        observed: inputs.observed.clone(),
        access: inputs.access.clone(),
        strict: args.strict,
        // Saved and JSON plans carry every value (policies read them).
        options: PlanOptions {
            unchanged_values: args.json || args.out.is_some(),
            delete_duplicates: args.delete_duplicates,
        },
        from_state: !args.refresh,
        refresh_only: args.refresh_only,
    }
}

/// Writes the plan with what it was made from (`--out`).
fn save(
    out: &std::path::Path,
    loaded: &Loaded,
    state_file: Option<PathBuf>,
    answer: &PlanResponse,
    plan: &Plan,
) -> Result<(), CliError> {
    saved::write(
        out,
        &SavedPlan {
            kind: saved::KIND.into(),
            version: 1,
            sources: loaded
                .config
                .sources
                .iter()
                .map(|s| SourceDigest::of(s.file_name.as_deref().unwrap_or(""), &s.source))
                .collect(),
            variables: saved::Variables::of(loaded),
            timestamp: Some(saved::now()),
            state_file: state_file.map(|p| p.display().to_string()),
            diagnostics: answer.diagnostics.clone(),
            plan: plan.clone(),
        },
    )
}

/// Terraform's plan JSON, with the policy report beside its keys (so plan
/// JSON readers such as Conftest still read it).
fn print_json(core: &mut Core, plan: &Plan, report: Option<&PolicyReport>) -> Result<(), CliError> {
    let mut json = saved::terraform_json(core, plan, saved::now())?;
    if let (Some(r), Some(o)) = (report, json.as_object_mut()) {
        o.insert("policy_report".into(), serde_json::to_value(r)?);
    }
    println!("{}", serde_json::to_string_pretty(&json)?);
    Ok(())
}

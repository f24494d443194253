//! `kasm-plan plan [PATH...] [--var NAME=VALUE] [--observed images.json]`

use super::configuration::{ConfigArgs, Loaded, blocks, elsewhere};
use super::policy::{self, Gate};
use super::render;
use super::saved::{self, SavedPlan, SourceDigest};
use super::server::{ServerArgs, needs_access, needs_users, read_access, read_images, with_kasm};
use super::{CliError, CoreArgs, Outcome, input};
use crate::Core;
use crate::state_file;
use crate::state_file::backend::{Backend, BackendArgs};
use kasm_plan_core::access::Access;
use kasm_plan_core::facade::{Configuration, Desired, PlanRequest, PlanResponse, StepsResponse};
use kasm_plan_core::plan::PlanOptions;
use kasm_plan_core::policy::PolicyReport;
use kasm_plan_core::{Diagnostic, Image, Plan, State};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub source: PlanSource,
    /// Save the plan to this file (for `show`, and `apply`).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Exit 0 when there is nothing to do, 2 when there are changes, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Print the plan as Terraform-shaped plan JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub policy: super::policy::PolicyArgs,
}

/// What a plan is made from and how: the configuration, the state, and
/// Kasm or saved lists (`plan`'s and `graph`'s arguments).
#[derive(Debug, clap::Args)]
pub struct PlanSource {
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
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
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
    #[command(flatten)]
    pub narrowing: Narrowing,
    /// Wait this long (Terraform's durations: `10s`, `1m30s`; a bare number is seconds) for the state lock held by another run.
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = super::duration)]
    pub lock_timeout: std::time::Duration,
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Which instances a plan covers and which it replaces: Terraform's
/// `-target`, `-replace` and `-destroy` (`plan`, `apply`, `graph`).
#[derive(Debug, Default, clap::Args)]
pub struct Narrowing {
    /// Plan only this resource or instance and what it depends on
    /// (repeatable). For exceptions, such as recovering from a fault.
    #[arg(long = "target", value_name = "ADDRESS")]
    pub targets: Vec<String>,
    /// Replace this instance although nothing forces it: delete it on Kasm,
    /// then create it again (repeatable).
    #[arg(long = "replace", value_name = "ADDRESS")]
    pub replace: Vec<String>,
    /// Plan to delete everything the state manages, each resource after
    /// what depends on it (`kasm-plan destroy` applies such a plan).
    #[arg(long)]
    pub destroy: bool,
}

impl Narrowing {
    /// The planning options, with the rest as given.
    pub fn options(&self, unchanged_values: bool, delete_duplicates: bool) -> PlanOptions {
        PlanOptions {
            unchanged_values,
            delete_duplicates,
            replace: self.replace.clone(),
            targets: self.targets.clone(),
            destroy: self.destroy,
        }
    }
}

/// What a plan is made against.
pub(super) struct Inputs {
    state: State,
    /// The state file, recorded in a saved plan.
    state_file: Option<PathBuf>,
    observed: Vec<Image>,
    /// Kasm's groups and links, once read.
    access: Option<Access>,
}

/// load → read (state and images) → plan → save → policy → print.
pub fn run(core: &CoreArgs, args: &PlanArgs) -> Outcome {
    let source = &args.source;
    let mut loaded = source.config.load()?;
    let sources = loaded.config.sources.clone();
    let mut core = core.open()?;
    let blocks = blocks(&mut core, &loaded.config)?;
    let backend = source.backend.with_block(blocks.backend);
    let server = source.server.with_provider(blocks.provider);
    loaded.config.workspace = Some(backend.workspace()?);
    // Saved and JSON plans carry every value (policies read them).
    let unchanged_values = args.json || args.out.is_some();
    let (inputs, answer) = made(
        source,
        &server,
        &backend,
        &mut core,
        &loaded.config,
        &mut |core, mut request| {
            request.options.unchanged_values = unchanged_values;
            // The text comes with the answer: the plan crosses into the
            // core once.
            request.render = !args.json;
            core.plan(request)
        },
    )?;
    let state_file = inputs.state_file.clone();
    let header = match (&state_file, backend.backend()?) {
        (Some(path), Backend::Local) => elsewhere(&source.config.paths, path),
        _ => None,
    };
    let Some(plan) = answer.plan.clone().filter(|_| answer.ok) else {
        if args.json {
            println!("{}", serde_json::to_string_pretty(&answer.diagnostics)?);
        } else {
            eprint!("{}", render::diagnostics(&answer.diagnostics, &sources));
        }
        return Err(CliError::refused(&answer.diagnostics, "planned"));
    };
    if let Some(out) = &args.out {
        let options = source.narrowing.options(true, source.delete_duplicates);
        save(out, &loaded, (state_file, options), &answer, &plan)?;
    }
    let report = policy::check_plan(&mut core, &args.policy, &loaded.config, &plan)?;
    if args.json {
        eprint!("{}", header.unwrap_or_default());
        eprint!("{}", render::diagnostics(&answer.diagnostics, &sources));
        print_json(&mut core, &plan, &answer.diagnostics, report.as_ref())?;
    } else {
        print!("{}", header.unwrap_or_default());
        print!("{}", render::diagnostics(&answer.diagnostics, &sources));
        print!("{}", answer.rendered.as_deref().unwrap_or_default());
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

/// An answer to a plan request (`plan`'s, or `apply_steps`' for `graph`).
pub(super) trait Answer {
    /// Its diagnostics: they say when Kasm's groups must be read too.
    fn diagnostics(&self) -> &[Diagnostic];
}

impl Answer for PlanResponse {
    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl Answer for StepsResponse {
    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

/// The core asked for a plan (`plan`, or `apply_steps` for `graph`).
pub(super) type Ask<'a, A> =
    &'a mut dyn FnMut(&mut Core, PlanRequest) -> Result<A, crate::CoreError>;

/// Loads the configuration and asks the core as `plan` does (`graph`,
/// `access`): the configuration as loaded, and the answer.
pub(super) fn asked<A: Answer>(
    core: &CoreArgs,
    source: &PlanSource,
    ask: Ask<'_, A>,
) -> Result<(Loaded, A), CliError> {
    let mut loaded = source.config.load()?;
    let mut core = core.open()?;
    let blocks = blocks(&mut core, &loaded.config)?;
    let backend = source.backend.with_block(blocks.backend);
    let server = source.server.with_provider(blocks.provider);
    loaded.config.workspace = Some(backend.workspace()?);
    let (_, answer) = made(source, &server, &backend, &mut core, &loaded.config, ask)?;
    Ok((loaded, answer))
}

/// Asks the core against what the arguments say to plan against: Kasm read
/// under the state's lock, or the state or saved lists without it.
fn made<A: Answer>(
    source: &PlanSource,
    server: &ServerArgs,
    backend: &BackendArgs,
    core: &mut Core,
    config: &Configuration,
    ask: Ask<'_, A>,
) -> Result<(Inputs, A), CliError> {
    if source.refresh && source.observed.is_none() {
        live(source, server, backend, core, config, ask)
    } else {
        offline(source, backend, core, config, ask)
    }
}

/// Plans against Kasm, read once over one connection under the state's
/// lock: the images, then the groups and links only when the configuration
/// or the state has any.
fn live<A: Answer>(
    source: &PlanSource,
    server: &ServerArgs,
    backend: &BackendArgs,
    core: &mut Core,
    config: &Configuration,
    ask: Ask<'_, A>,
) -> Result<(Inputs, A), CliError> {
    let path = source
        .state
        .clone()
        .unwrap_or_else(|| PathBuf::from(state_file::DEFAULT));
    let locked = backend.open(&path, source.lock_timeout, "plan")?;
    super::runtime()?.block_on(with_kasm(server, &path, async |kasm| {
        let mut inputs = Inputs {
            state: locked.state.clone(),
            state_file: Some(path.clone()),
            observed: read_images(kasm).await?,
            access: None,
        };
        let mut answer = ask(core, request(source, config, &inputs))?;
        if needs_access(answer.diagnostics()) {
            let users = needs_users(answer.diagnostics());
            inputs.access = Some(read_access(kasm, users).await?);
            answer = ask(core, request(source, config, &inputs))?;
        }
        Ok((inputs, answer))
    }))
}

/// Plans without reading Kasm: against the state alone (`--refresh=false`)
/// or saved lists (`--observed`, `--observed-groups`).
fn offline<A: Answer>(
    source: &PlanSource,
    backend: &BackendArgs,
    core: &mut Core,
    config: &Configuration,
    ask: Ask<'_, A>,
) -> Result<(Inputs, A), CliError> {
    let mut inputs = if let Some(observed) = source.observed.as_ref().filter(|_| source.refresh) {
        let (state, state_file) = input::state(source.state.as_deref())?;
        Inputs {
            state,
            state_file,
            observed: input::images(observed)?,
            access: None,
        }
    } else {
        let path = source
            .state
            .clone()
            .unwrap_or_else(|| PathBuf::from(state_file::DEFAULT));
        let locked = backend.open(&path, source.lock_timeout, "plan")?;
        Inputs {
            state: locked.state.clone(),
            state_file: Some(path),
            observed: Vec::new(),
            access: None,
        }
    };
    let mut answer = ask(core, request(source, config, &inputs))?;
    if needs_access(answer.diagnostics()) {
        let Some(path) = &source.observed_groups else {
            return Err(CliError::Stop(
                "the configuration or the state has groups or links: give --observed-groups (saved by `kasm-plan groups --images --json`) with --observed".into(),
            ));
        };
        inputs.access = Some(input::access(path)?);
        answer = ask(core, request(source, config, &inputs))?;
    }
    Ok((inputs, answer))
}

/// The core's request for the plan the arguments ask for.
fn request(source: &PlanSource, config: &Configuration, inputs: &Inputs) -> PlanRequest {
    PlanRequest {
        desired: Desired::Sources(config.clone()),
        state: inputs.state.clone(),
        observed: inputs.observed.clone(),
        access: inputs.access.clone(),
        strict: source.strict,
        options: source.narrowing.options(false, source.delete_duplicates),
        from_state: !source.refresh,
        refresh_only: source.refresh_only,
        render: false,
    }
}

/// Writes the plan with what it was made from (`--out`).
fn save(
    out: &std::path::Path,
    loaded: &Loaded,
    (state_file, options): (Option<PathBuf>, PlanOptions),
    answer: &PlanResponse,
    plan: &Plan,
) -> Result<(), CliError> {
    saved::write(
        out,
        &SavedPlan {
            kind: saved::KIND.into(),
            version: saved::VERSION,
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
            options: Some(options),
            plan: plan.clone(),
        },
    )
}

/// Terraform's plan JSON, with the plan's diagnostics and the policy report
/// beside its keys (plan JSON readers such as Conftest still read it).
fn print_json(
    core: &mut Core,
    plan: &Plan,
    diagnostics: &[Diagnostic],
    report: Option<&PolicyReport>,
) -> Result<(), CliError> {
    let mut json = saved::terraform_json(core, plan, saved::now())?;
    if let Some(o) = json.as_object_mut() {
        // The plan's warnings, as `validate --json` gives them.
        o.insert("diagnostics".into(), serde_json::to_value(diagnostics)?);
        if let Some(r) = report {
            o.insert("policy_report".into(), serde_json::to_value(r)?);
        }
    }
    println!("{}", serde_json::to_string_pretty(&json)?);
    Ok(())
}

//! `kasm-plan apply [PATH... | PLAN.json]`

use super::configuration::{ConfigArgs, blocks, elsewhere};
use super::execute::{self, Report};
use super::policy::{self, Gate};
use super::render;
use super::saved::{self, SavedPlan};
use super::server::{ServerArgs, needs_access, needs_users, read_access, read_images, with_kasm};
use super::{CliError, CoreArgs, Outcome};
use crate::Core;
use crate::kasm::Kasm;
use crate::state_file::backend::{Backend, BackendArgs};
use crate::state_file::{self, Locked};
use kasm_plan_core::apply::Step;
use kasm_plan_core::facade::{Configuration, Desired, PlanRequest};
use kasm_plan_core::state::HistoryEntry;
use kasm_plan_core::{Image, Plan};
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `apply`.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// The configuration (files or directories; `.` when none), or one plan saved by `plan --out`.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The state file.
    #[arg(long, value_name = "PATH", default_value = state_file::DEFAULT)]
    pub state: PathBuf,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Apply without asking (required when not run from a terminal).
    #[arg(long)]
    pub auto_approve: bool,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallelism: u16,
    /// Wait this long (Terraform's durations: `10s`, `1m30s`; a bare number is seconds) for the state lock held by another run.
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = super::duration)]
    pub lock_timeout: std::time::Duration,
    /// After creating, wait until Kasm's agents have pulled the new images
    /// (they report `available`), up to this many seconds.
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "600")]
    pub wait_available: Option<u64>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Delete the images no address manages that equal a desired spec
    /// (duplicates); without it they are only reported.
    #[arg(long)]
    pub delete_duplicates: bool,
    /// Only write Kasm's current values (drift) to the state; change no image.
    #[arg(long)]
    pub refresh_only: bool,
    #[command(flatten)]
    pub narrowing: super::plan::Narrowing,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub policy: super::policy::PolicyArgs,
}

/// What is applied: the spec files, and the saved plan they came with.
struct Config {
    config: Configuration,
    saved: Option<SavedPlan>,
}

/// A plan ready to carry out.
struct Planned {
    plan: Plan,
    steps: Vec<Step>,
    after: Vec<Vec<u32>>,
    dependencies: BTreeMap<String, Vec<String>>,
    access: Option<kasm_plan_core::access::Access>,
    /// A destroy plan (`destroy`, `apply -destroy`, or a saved one).
    destroy: bool,
}

/// load → lock → refresh → plan → policy gate → confirm → execute → report.
pub fn run(core: &CoreArgs, args: &ApplyArgs) -> Outcome {
    let mut config = load(args)?;
    let (input, saved) = (core.input, config.saved.is_some());
    let mut core = core.open()?;
    let wait = args.lock_timeout;
    let blocks = blocks(&mut core, &config.config)?;
    let backend = args.backend.with_block(blocks.backend);
    let server = args.server.with_provider(blocks.provider);
    config.config.workspace = Some(backend.workspace()?);
    let mut locked = backend.open(&args.state, wait, "apply")?;
    if let (Backend::Local, None) = (backend.backend()?, &config.saved)
        && let Some(header) = elsewhere(&args.config.paths, &args.state)
    {
        print!("{header}");
    }
    super::runtime()?.block_on(with_kasm(&server, &args.state, async move |kasm| {
        let observed = read_images(kasm).await?;
        let planned = plan(&mut core, args, &config, &locked, (kasm, observed)).await?;
        let overridden = match gate(&mut core, args, &config, &planned.plan)? {
            Gate::Stop(code) => return Ok(code),
            Gate::Pass(overridden) => overridden,
        };
        confirm(args, (input, saved, planned.destroy), &planned.plan)?;
        record_overrides(&mut locked, overridden)?;
        let imported = planned.plan.summary.import;
        let outputs = OutputsAsked {
            declared: !planned.plan.output_changes.is_empty(),
            groups: planned.access.is_some(),
            users: planned.access.as_ref().is_some_and(|a| a.users.is_some()),
            destroy: planned.destroy,
        };
        let destroy = planned.destroy;
        let finished = execute(kasm, core, locked, planned, args).await?;
        let code = finish(kasm, args, &finished.report, (imported, destroy)).await?;
        if code == ExitCode::SUCCESS && outputs.declared && !args.refresh_only {
            record_outputs(kasm, finished, &config.config, outputs).await?;
        }
        Ok(code)
    }))
}

/// The configuration, or the saved plan and the configuration it was made
/// from (refused if any of its files changed since).
fn load(args: &ApplyArgs) -> Result<Config, CliError> {
    let saved = match args.config.paths.as_slice() {
        [one] if saved::is_saved_plan(one) => Some(saved::read(one)?),
        _ => None,
    };
    let narrowed = !args.narrowing.targets.is_empty() || !args.narrowing.replace.is_empty();
    if saved.is_some() && narrowed {
        return Err(CliError::Stop(
            "-target and -replace shape a plan as it is made: give them to `plan -out`, \
             and the saved plan is applied as it was made"
                .into(),
        ));
    }
    let config = match &saved {
        Some(s) => saved::configuration(s, &args.config)?,
        None => args.config.load()?.config,
    };
    Ok(Config { config, saved })
}

/// Plans against Kasm's images (and groups, when the configuration or the
/// state has any) and the state, and prints the plan; a saved plan must come
/// out the same.
async fn plan(
    core: &mut Core,
    args: &ApplyArgs,
    config: &Config,
    locked: &Locked,
    (kasm, observed): (&Kasm, Vec<Image>),
) -> Result<Planned, CliError> {
    let mut access = None;
    let options = match &config.saved {
        Some(SavedPlan {
            options: Some(options),
            ..
        }) => options.clone(),
        saved => args
            .narrowing
            .options(saved.is_some(), args.delete_duplicates),
    };
    let destroy = options.destroy;
    let answer = loop {
        let answer = core.apply_steps(PlanRequest {
            desired: Desired::Sources(config.config.clone()),
            state: locked.state.clone(),
            observed: observed.clone(),
            access: access.clone(),
            strict: args.strict,
            options: options.clone(),
            from_state: false,
            refresh_only: args.refresh_only,
            // The text comes with the steps: the plan crosses into the
            // core once.
            render: true,
        })?;
        if access.is_none() && needs_access(&answer.diagnostics) {
            access = Some(read_access(kasm, needs_users(&answer.diagnostics)).await?);
            continue;
        }
        break answer;
    };
    let plan = match answer.plan {
        Some(plan) if answer.ok => plan,
        _ => {
            eprint!(
                "{}",
                render::diagnostics(&answer.diagnostics, &config.config.sources)
            );
            return Err(CliError::refused(&answer.diagnostics, "applied"));
        }
    };
    if config.saved.as_ref().is_some_and(|s| s.plan != plan) {
        return Err(CliError::Stop(format!(
            "stale plan: the state or the images on Kasm changed since {} was made; run `kasm-plan plan --out` again",
            args.config
                .paths
                .first()
                .map_or(String::new(), |p| p.display().to_string())
        )));
    }
    print!(
        "{}",
        render::diagnostics(&answer.diagnostics, &config.config.sources)
    );
    print!("{}", answer.rendered.as_deref().unwrap_or_default());
    Ok(Planned {
        plan,
        steps: answer.steps,
        after: answer.after,
        dependencies: answer.dependencies,
        access,
        destroy,
    })
}

/// With `--policy`, checks the plan and prints the report.
fn gate(core: &mut Core, args: &ApplyArgs, config: &Config, plan: &Plan) -> Result<Gate, CliError> {
    let report = policy::check_plan(core, &args.policy, &config.config, plan)?;
    if let Some(r) = &report {
        print!("{}", policy::report_text(r));
    }
    Ok(policy::gate(report.as_ref()))
}

/// Terraform's prompt when there is something to do; only `yes` proceeds. A
/// saved plan was reviewed when it was made: it is applied without asking, as
/// Terraform applies one.
fn confirm(
    args: &ApplyArgs,
    (input, saved, destroy): (bool, bool, bool),
    plan: &Plan,
) -> Result<(), CliError> {
    let changes = plan.has_changes() || (args.refresh_only && plan.has_drift());
    if !changes || args.auto_approve || saved {
        return Ok(());
    }
    if !input || !std::io::stdin().is_terminal() {
        return Err(CliError::Stop(
            "apply needs -auto-approve when it cannot ask (no terminal, or -input=false), or a plan saved with `plan -out`; nothing was changed"
                .into(),
        ));
    }
    if destroy {
        print!(
            "\nDo you really want to destroy all resources?\n  kasm-plan will destroy everything the state manages, as shown above.\n  There is no undo. Only 'yes' will be accepted to confirm.\n\n  Enter a value: "
        );
    } else {
        print!(
            "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
        );
    }
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Stop(format!("cannot read the answer: {e}")))?;
    if line.trim() == "yes" {
        println!();
        Ok(())
    } else {
        Err(CliError::Stop(
            "Apply cancelled; nothing was changed.".into(),
        ))
    }
}

/// Soft-mandatory policies overridden are part of the record, before anything changes.
fn record_overrides(locked: &mut Locked, overridden: Vec<String>) -> Result<(), CliError> {
    if overridden.is_empty() {
        return Ok(());
    }
    let mut state = locked.state.clone();
    state.history.push(HistoryEntry {
        at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        serial: state.serial,
        event: "apply".into(),
        overridden_policies: overridden,
    });
    Ok(locked.save(state)?)
}

/// What evaluating the outputs after the apply needs.
struct OutputsAsked {
    /// The configuration declares outputs, or the state records some.
    declared: bool,
    /// The plan read Kasm's groups.
    groups: bool,
    /// The plan read Kasm's users.
    users: bool,
    /// A destroy leaves no output.
    destroy: bool,
}

/// After a complete apply: the outputs' values, with every id the apply gave
/// and data sources read again (so they see what the apply made, and the
/// next plan is empty), written to the state and printed as Terraform does.
async fn record_outputs(
    kasm: &Kasm,
    finished: execute::Finished,
    config: &Configuration,
    asked: OutputsAsked,
) -> Result<(), CliError> {
    let execute::Finished {
        mut file, mut core, ..
    } = finished;
    let observed = read_images(kasm).await?;
    let access = if asked.groups {
        Some(read_access(kasm, asked.users).await?)
    } else {
        None
    };
    let answer = core.outputs(PlanRequest {
        desired: Desired::Sources(config.clone()),
        state: file.state.clone(),
        observed,
        access,
        strict: false,
        options: kasm_plan_core::plan::PlanOptions {
            destroy: asked.destroy,
            ..Default::default()
        },
        from_state: false,
        refresh_only: false,
        render: false,
    })?;
    let mut state = file.state.clone();
    state.outputs = answer
        .outputs
        .iter()
        .filter_map(|o| Some((o.name.clone(), o.record()?)))
        .collect();
    if state.outputs != file.state.outputs {
        file.save(state)?;
    }
    print!(
        "{}",
        kasm_plan_core::render::applied_outputs(&answer.outputs)
    );
    Ok(())
}

/// Carries out the steps, with a progress bar on a terminal.
async fn execute(
    kasm: &Kasm,
    core: Core,
    locked: Locked,
    planned: Planned,
    args: &ApplyArgs,
) -> Result<execute::Finished, CliError> {
    let bar = std::io::stderr().is_terminal().then(|| {
        let s = planned.plan.summary;
        let bar =
            indicatif::ProgressBar::new(u64::try_from(s.add + s.change + s.destroy).unwrap_or(0));
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let progress: Box<dyn Fn(&str) + Send + Sync> = match bar.clone() {
        Some(bar) => Box::new(move |line: &str| {
            bar.inc(1);
            bar.println(line);
        }),
        None => Box::new(|line: &str| println!("{line}")),
    };
    let work = execute::Work {
        steps: planned.steps,
        after: planned.after,
        dependencies: planned.dependencies,
        parallelism: usize::from(args.parallelism),
    };
    let finished = execute::run(kasm.clone(), core, locked, work, progress).await?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(finished)
}

/// Waits for new images when asked, then reports what was done (exit 1 if
/// anything failed or was not started). Imports are written before any request.
async fn finish(
    kasm: &Kasm,
    args: &ApplyArgs,
    report: &Report,
    (imported, destroy): (usize, bool),
) -> Outcome {
    let mut failed =
        !report.failures.is_empty() || report.not_started > 0 || !report.skipped.is_empty();
    if let (Some(limit), false) = (args.wait_available, report.created_ids.is_empty())
        && let Err(e) = wait_available(kasm, &report.created_ids, limit).await
    {
        eprintln!("Error: {e}");
        failed = true;
    }
    for (address, message) in &report.failures {
        eprintln!("Error: {address}: {message}");
    }
    for (address, because) in &report.skipped {
        eprintln!("Error: {address} was not applied: it waits for {because}, which failed");
    }
    if report.not_started > 0 {
        eprintln!(
            "Error: interrupted; {} action(s) were not started",
            report.not_started
        );
    }
    let imports = match imported {
        0 => String::new(),
        n => format!("{n} imported, "),
    };
    let summary = if destroy {
        format!("Resources: {} destroyed.", report.destroyed)
    } else {
        format!(
            "Resources: {imports}{} added, {} changed, {} destroyed.",
            report.added, report.changed, report.destroyed
        )
    };
    let done = if destroy { "Destroy" } else { "Apply" };
    if failed {
        eprintln!(
            "\n{done} failed; {summary} The state records every finished action: run it again to finish."
        );
        Ok(ExitCode::from(1))
    } else {
        println!("\n{done} complete! {summary}");
        Ok(ExitCode::SUCCESS)
    }
}

/// Polls until every image in `ids` reports `available`.
async fn wait_available(kasm: &Kasm, ids: &[String], limit: u64) -> Result<(), CliError> {
    let started = Instant::now();
    let deadline = Duration::from_secs(limit);
    let mut last = usize::MAX;
    loop {
        let images = read_images(kasm).await?;
        let waiting: Vec<&String> = ids
            .iter()
            .filter(|id| !images.iter().any(|i| &i.image_id == *id && i.available))
            .collect();
        if waiting.is_empty() {
            println!("All {} new image(s) are available.", ids.len());
            return Ok(());
        }
        if waiting.len() != last {
            println!(
                "Waiting for Kasm's agents to pull {} of {} new image(s)... ({}s)",
                waiting.len(),
                ids.len(),
                started.elapsed().as_secs()
            );
            last = waiting.len();
        }
        if started.elapsed() >= deadline {
            let ids: Vec<&str> = waiting.iter().map(|s| s.as_str()).collect();
            return Err(CliError::Stop(format!(
                "{} image(s) were still not available after {limit}s: {}",
                waiting.len(),
                ids.join(", ")
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

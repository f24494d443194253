//! `kasm-plan apply [FILE... | PLAN.json]`

use super::policy::{self, Gate};
use super::render;
use super::saved::{self, SavedPlan, SourceDigest};
use super::server::{Connection, ServerArgs};
use super::{Core, EngineArgs, Failure, Outcome, execute, input};
use crate::state_file::{self, Locked};
use kasm_plan_core::Action;
use kasm_plan_core::facade::{Desired, PlanRequest, StepsResponse};
use kasm_plan_core::plan::PlanOptions;
use kasm_plan_core::state::HistoryEntry;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `apply`.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// Spec files (`.tf`, `.json`), or one plan saved by `plan --out`.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The state file.
    #[arg(long, value_name = "PATH", default_value = state_file::DEFAULT)]
    pub state: PathBuf,
    /// Apply without asking (required when not run from a terminal).
    #[arg(long)]
    pub auto_approve: bool,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallelism: u16,
    /// Wait this long (seconds) for the state lock held by another run.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub lock_timeout: u64,
    /// After creating, wait until Kasm's agents have pulled the new images
    /// (they report `available`), up to this many seconds.
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "600")]
    pub wait_available: Option<u64>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Only write Kasm's current values (drift) to the state; change no image.
    #[arg(long)]
    pub refresh_only: bool,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub policy: super::policy::PolicyArgs,
}

pub fn run(engine: &EngineArgs, args: &ApplyArgs) -> Outcome {
    let runtime = super::runtime()?;
    runtime.block_on(apply(engine, args))
}

async fn apply(engine: &EngineArgs, args: &ApplyArgs) -> Outcome {
    let saved = match args.files.as_slice() {
        [one] if saved::is_saved_plan(one) => Some(saved::read(one)?),
        _ => None,
    };
    let files: Vec<PathBuf> = match &saved {
        Some(s) => s.sources.iter().map(|d| PathBuf::from(&d.file)).collect(),
        None => args.files.clone(),
    };
    let sources = input::sources(&files)?;
    if let Some(s) = &saved {
        check_sources(s, &sources)?;
    }
    let mut core = Core::open(engine)?;
    let mut locked = Locked::open(&args.state, Duration::from_secs(args.lock_timeout), "apply")?;
    let connection = Connection::open(&args.server, &args.state).await?;
    let kasm = connection.kasm.clone();
    let observed = kasm
        .images()
        .await
        .map_err(|e| Failure(format!("cannot read the images from {}: {e}", kasm.url())))?;
    let answer: StepsResponse = core.call(
        "apply_steps",
        &PlanRequest {
            desired: Desired::Sources {
                sources: sources.clone(),
            },
            state: locked.state.clone(),
            observed: observed.clone(),
            strict: args.strict,
            options: PlanOptions {
                unchanged_values: saved.is_some(),
            },
            from_state: false,
            refresh_only: args.refresh_only,
        },
    )?;
    let texts = super::texts(&sources);
    let plan = match answer.plan {
        Some(plan) if answer.ok => plan,
        _ => {
            for d in &answer.diagnostics {
                eprintln!("{}", render::diagnostic(d, &texts));
            }
            connection.close().await;
            return Err(Failure(
                "the configuration is not valid; nothing was applied".into(),
            ));
        }
    };
    if let Some(s) = &saved
        && s.plan != plan
    {
        connection.close().await;
        return Err(Failure(format!(
            "stale plan: the state or the images on Kasm changed since {} was made; run `kasm-plan plan --out` again",
            args.files
                .first()
                .map_or(String::new(), |p| p.display().to_string())
        )));
    }
    for d in &answer.diagnostics {
        println!("{}", render::diagnostic(d, &texts));
    }
    print!("{}", render::planned(&plan, args.refresh_only));
    let report = policy::check_plan(&mut core, &args.policy, &sources, &plan)?;
    if let Some(r) = &report {
        print!("{}", policy::report_text(r));
    }
    let overridden = match policy::gate(report.as_ref()) {
        Gate::Stop(code) => {
            connection.close().await;
            return Ok(code);
        }
        Gate::Pass(overridden) => overridden,
    };
    let changes = plan
        .resource_changes
        .iter()
        .any(|c| c.action != Action::NoOp)
        || (args.refresh_only && !plan.resource_drift.is_empty());
    if changes && !args.auto_approve {
        approve()?;
    }
    if !overridden.is_empty() {
        // The override is part of the record, before anything changes.
        let mut state = locked.state.clone();
        state.history.push(HistoryEntry {
            at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            serial: state.serial,
            event: "apply".into(),
            overridden_policies: overridden,
        });
        locked.save(state).map_err(Failure)?;
    }
    let terminal = std::io::stderr().is_terminal();
    let bar = terminal.then(|| {
        let total = plan
            .resource_changes
            .iter()
            .filter(|c| c.action != Action::NoOp)
            .count();
        let bar = indicatif::ProgressBar::new(u64::try_from(total).unwrap_or(0));
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
    let (report, locked) = execute::run(
        kasm.clone(),
        core,
        locked,
        answer.steps,
        observed,
        usize::from(args.parallelism),
        progress,
    )
    .await?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut failed = !report.failures.is_empty() || report.not_started > 0;
    if let (Some(limit), false) = (args.wait_available, report.created_ids.is_empty())
        && let Err(Failure(m)) = wait_available(&kasm, &report.created_ids, limit).await
    {
        eprintln!("Error: {m}");
        failed = true;
    }
    connection.close().await;
    drop(locked);
    for (address, message) in &report.failures {
        eprintln!("Error: {address}: {message}");
    }
    if report.not_started > 0 {
        eprintln!(
            "Error: interrupted; {} action(s) were not started",
            report.not_started
        );
    }
    let summary = format!(
        "Resources: {} added, {} changed, {} destroyed.",
        report.added, report.changed, report.destroyed
    );
    if failed {
        eprintln!(
            "\nApply failed; {summary} The state records every finished action: run apply again to finish."
        );
        Ok(ExitCode::from(1))
    } else {
        println!("\nApply complete! {summary}");
        Ok(ExitCode::SUCCESS)
    }
}

/// A saved plan is applied only to the spec files it was made from.
fn check_sources(
    saved: &SavedPlan,
    sources: &[kasm_plan_core::facade::SourceInput],
) -> Result<(), Failure> {
    for (digest, source) in saved.sources.iter().zip(sources) {
        if SourceDigest::of(&digest.file, &source.source).sha256 != digest.sha256 {
            return Err(Failure(format!(
                "stale plan: {} changed since the plan was made; run `kasm-plan plan --out` again",
                digest.file
            )));
        }
    }
    Ok(())
}

/// Terraform's prompt; only `yes` proceeds.
fn approve() -> Result<(), Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure(
            "apply needs --auto-approve when it is not run from a terminal; nothing was changed"
                .into(),
        ));
    }
    print!(
        "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    );
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    if line.trim() == "yes" {
        println!();
        Ok(())
    } else {
        Err(Failure("Apply cancelled; nothing was changed.".into()))
    }
}

/// Polls until every image in `ids` reports `available`.
async fn wait_available(
    kasm: &crate::kasm::Kasm,
    ids: &[String],
    limit: u64,
) -> Result<(), Failure> {
    let started = Instant::now();
    let deadline = Duration::from_secs(limit);
    let mut last = usize::MAX;
    loop {
        let images = kasm.images().await?;
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
            return Err(Failure(format!(
                "{} image(s) were still not available after {limit}s: {}",
                waiting.len(),
                waiting
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

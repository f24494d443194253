//! `kasm-plan plan FILE... --observed images.json`

use super::policy::{self, Gate};
use super::render;
use super::saved::{self, SavedPlan, SourceDigest};
use super::server::{Connection, ServerArgs};
use super::{Core, EngineArgs, Failure, Outcome, input};
use crate::state_file::{self, Locked};
use kasm_plan_core::Action;
use kasm_plan_core::facade::{Desired, PlanRequest, PlanResponse};
use kasm_plan_core::plan::PlanOptions;
use kasm_plan_core::{Image, State};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Spec files: `.tf` (HCL) or `.json`; together they form one configuration.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Plan offline against a saved image list (`get_images` answer or
    /// `kasm-plan images --json`) instead of reading the server.
    #[arg(long, value_name = "PATH")]
    pub observed: Option<PathBuf>,
    /// The state file [default: kasm-plan.state.json when it exists].
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
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
    /// Wait this long (seconds) for the state lock held by another run.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub lock_timeout: u64,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub policy: super::policy::PolicyArgs,
}

pub fn run(engine: &EngineArgs, args: &PlanArgs) -> Outcome {
    let sources = input::sources(&args.files)?;
    let (observed, state, state_file) = match &args.observed {
        _ if !args.refresh => {
            let path = args
                .state
                .clone()
                .unwrap_or_else(|| PathBuf::from(state_file::DEFAULT));
            let locked = Locked::open(&path, Duration::from_secs(args.lock_timeout), "plan")?;
            (Vec::new(), locked.state.clone(), Some(path))
        }
        Some(path) => {
            let observed = input::images(path)?;
            let (state, state_file) = input::state(args.state.as_deref())?;
            (observed, state, state_file)
        }
        None => super::runtime()?.block_on(refresh(args))?,
    };
    let mut core = Core::open(engine)?;
    let answer: PlanResponse = core.call(
        "plan",
        &PlanRequest {
            desired: Desired::Sources {
                sources: sources.clone(),
            },
            state,
            observed,
            strict: args.strict,
            // Saved and JSON plans carry every value (policies read them).
            options: PlanOptions {
                unchanged_values: args.json || args.out.is_some(),
            },
            from_state: !args.refresh,
            refresh_only: args.refresh_only,
        },
    )?;
    let texts = super::texts(&sources);
    let plan = match answer.plan {
        Some(plan) if answer.ok => plan,
        _ => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&answer.diagnostics)?);
            } else {
                for d in &answer.diagnostics {
                    eprintln!("{}", render::diagnostic(d, &texts));
                }
            }
            return Err(Failure(
                "the configuration is not valid; nothing was planned".into(),
            ));
        }
    };
    if let Some(out) = &args.out {
        saved::write(
            out,
            &SavedPlan {
                kind: saved::KIND.into(),
                version: 1,
                sources: sources
                    .iter()
                    .map(|s| SourceDigest::of(s.file_name.as_deref().unwrap_or(""), &s.source))
                    .collect(),
                state_file: state_file.map(|p| p.display().to_string()),
                diagnostics: answer.diagnostics.clone(),
                plan: plan.clone(),
            },
        )?;
    }
    let report = policy::check_plan(&mut core, &args.policy, &sources, &plan)?;
    if args.json {
        let mut json: serde_json::Value = core.call("plan_to_json", &plan)?;
        // Beside Terraform's keys, so plan JSON readers (Conftest...) still read it.
        if let (Some(r), Some(o)) = (&report, json.as_object_mut()) {
            o.insert("policy_report".into(), serde_json::to_value(r)?);
        }
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        for d in &answer.diagnostics {
            println!("{}", render::diagnostic(d, &texts));
        }
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
    let changes = plan
        .resource_changes
        .iter()
        .any(|c| c.action != Action::NoOp);
    Ok(if args.detailed_exitcode && changes {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads the state (under its lock) and the images on the server.
async fn refresh(args: &PlanArgs) -> Result<(Vec<Image>, State, Option<PathBuf>), Failure> {
    let path = args
        .state
        .clone()
        .unwrap_or_else(|| PathBuf::from(state_file::DEFAULT));
    let locked = Locked::open(&path, Duration::from_secs(args.lock_timeout), "plan")?;
    let connection = Connection::open(&args.server, &path).await?;
    let images = connection.kasm.images().await;
    let url = connection.kasm.url().to_owned();
    connection.close().await;
    let images = images.map_err(|e| Failure(format!("cannot read the images from {url}: {e}")))?;
    Ok((images, locked.state.clone(), Some(path)))
}

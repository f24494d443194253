//! `kasm-plan policy check`, and the policy gate of `plan` and `apply`.

use super::render;
use super::{Core, EngineArgs, Failure, Outcome, input, saved};
use kasm_plan_core::facade::{Desired, PolicyRequest, PolicyResponse, SourceInput};
use kasm_plan_core::policy::{Level, PolicyReport};
use kasm_plan_core::{Image, Plan, State};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The exit code of a blocking policy failure.
pub const BLOCKED: u8 = 3;

/// Policy options of `plan` and `apply`.
#[derive(Debug, Default, clap::Args)]
pub struct PolicyArgs {
    /// Check this policy file (JSON or HCL built-in rules); a blocking failure stops the run.
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    /// Let this soft-mandatory rule fail without blocking (repeatable); the override is printed.
    #[arg(long = "override-policy", value_name = "RULE")]
    pub overrides: Vec<String>,
}

/// Arguments of `policy`.
#[derive(Debug, clap::Args)]
pub struct PolicyCommand {
    #[command(subcommand)]
    pub command: PolicySub,
}

/// The policy subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PolicySub {
    /// Check spec files, or a saved plan, against a policy: exit 0 pass, 1 error, 3 blocked.
    Check(CheckArgs),
}

/// Arguments of `policy check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Spec files (`.tf`, `.json`), or one plan saved by `plan --out`.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Also check the rules on actions against a saved image list (and `--state`).
    #[arg(long, value_name = "PATH")]
    pub observed: Option<PathBuf>,
    /// The state file for `--observed`.
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(engine: &EngineArgs, args: &PolicyCommand) -> Outcome {
    let PolicySub::Check(args) = &args.command;
    let Some(policy) = &args.policy.policy else {
        return Err(Failure("policy check needs --policy PATH".into()));
    };
    let (sources, plan) = match args.files.as_slice() {
        [one] if saved::is_saved_plan(one) => {
            let s = saved::read(one)?;
            let files: Vec<PathBuf> = s.sources.iter().map(|d| PathBuf::from(&d.file)).collect();
            (input::sources(&files)?, Some(s.plan))
        }
        files => (input::sources(files)?, None),
    };
    let (observed, state) = match &args.observed {
        Some(path) => (
            Some(input::images(path)?),
            Some(input::state(args.state.as_deref())?.0),
        ),
        None => (None, None),
    };
    let mut core = Core::open(engine)?;
    let answer = check(
        &mut core,
        policy,
        &args.policy.overrides,
        sources.clone(),
        state,
        observed,
        plan,
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        let texts = super::texts(&sources);
        for d in &answer.diagnostics {
            println!("{}", render::diagnostic(d, &texts));
        }
        if let Some(report) = &answer.report {
            print!("{}", report_text(report));
        }
    }
    Ok(match &answer.report {
        None => ExitCode::from(1),
        Some(r) if r.blocking => ExitCode::from(BLOCKED),
        Some(_) => ExitCode::SUCCESS,
    })
}

/// Runs the policy file against the inputs inside the core.
pub fn check(
    core: &mut Core,
    policy: &Path,
    overrides: &[String],
    sources: Vec<SourceInput>,
    state: Option<State>,
    observed: Option<Vec<Image>>,
    plan: Option<Plan>,
) -> Result<PolicyResponse, Failure> {
    let answer: PolicyResponse = core.call(
        "policy_check",
        &PolicyRequest {
            policy: SourceInput {
                source: input::read_text(policy)?,
                format: None,
                file_name: Some(policy.display().to_string()),
            },
            desired: Desired::Sources { sources },
            state,
            observed,
            overrides: overrides.to_vec(),
            plan,
        },
    )?;
    if answer.report.is_none() {
        let why: Vec<String> = answer
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| match &d.file {
                Some(f) => format!("{f}: {}", d.message),
                None => d.message.clone(),
            })
            .collect();
        return Err(Failure(why.join("\n")));
    }
    Ok(answer)
}

/// What the gate of `plan`/`apply` decided.
pub enum Gate {
    /// Go on; these soft-mandatory rules failed and were overridden.
    Pass(Vec<String>),
    /// Stop with this exit code.
    Stop(ExitCode),
}

/// The gate of `plan`/`apply`: with `--policy`, checks the plan and prints the results.
pub fn gate(
    core: &mut Core,
    args: &PolicyArgs,
    sources: &[SourceInput],
    plan: &Plan,
) -> Result<Gate, Failure> {
    let Some(policy) = &args.policy else {
        return Ok(Gate::Pass(Vec::new()));
    };
    let answer = check(
        core,
        policy,
        &args.overrides,
        sources.to_vec(),
        None,
        None,
        Some(plan.clone()),
    )?;
    let Some(report) = answer.report else {
        return Ok(Gate::Stop(ExitCode::from(1)));
    };
    print!("{}", report_text(&report));
    if report.blocking {
        eprintln!(
            "Error: a policy failed (see above), so nothing is applied; fix the specs, or name a soft-mandatory rule with --override-policy"
        );
        return Ok(Gate::Stop(ExitCode::from(BLOCKED)));
    }
    Ok(Gate::Pass(report.overridden))
}

/// Results, failures first, in Sentinel's words.
pub fn report_text(report: &PolicyReport) -> String {
    let mut out = String::from("\nPolicy check:\n");
    for r in report.results.iter().filter(|r| !r.passed) {
        let level = match r.level {
            Level::Advisory => "advisory",
            Level::SoftMandatory => "soft-mandatory",
            Level::HardMandatory => "hard-mandatory",
        };
        let state = if r.overridden { "OVERRIDDEN" } else { "FAIL" };
        let at = r
            .path
            .as_deref()
            .or(r.address.as_deref())
            .map(|a| format!(" {a}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {state} {} ({level}){at}: {}\n",
            r.rule, r.message
        ));
    }
    let passed = report.results.iter().filter(|r| r.passed).count();
    out.push_str(&format!("  {passed} rule(s) passed.\n"));
    for rule in &report.overridden {
        out.push_str(&format!("  Override: soft-mandatory rule `{rule}` failed and was overridden by --override-policy.\n"));
    }
    out.push_str(if report.blocking {
        "Result: blocked.\n"
    } else {
        "Result: allowed.\n"
    });
    out
}

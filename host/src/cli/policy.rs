//! `kasm-plan policy check`, and the policy gate of `plan` and `apply`.

use super::configuration::ConfigArgs;
use super::input::InputError;
use super::render;
use super::report::{Findings, Format};
use super::{CliError, CoreArgs, Outcome, input, saved};
use crate::Core;
use kasm_plan_core::Code;
use kasm_plan_core::facade::{
    Configuration, Desired, PolicyRequest, PolicyResponse, Sources, ValidateRequest,
};
use kasm_plan_core::policy::{Level, PolicyReport, RegoVersion};
use kasm_plan_core::policy_set::PolicyFile;
use kasm_plan_core::{Image, Plan, State};
use std::path::PathBuf;
use std::process::ExitCode;

/// The exit code of a blocking policy failure.
pub const BLOCKED: u8 = 3;

/// Policy options of `plan` and `apply`.
#[derive(Debug, Default, clap::Args)]
pub struct PolicyArgs {
    /// A policy file (built-in rules as JSON or HCL, or Rego), or a folder of them: one
    /// policy set (repeatable). A blocking failure stops the run.
    #[arg(long, value_name = "PATH")]
    pub policy: Vec<PathBuf>,
    /// Let this soft-mandatory rule fail without blocking (repeatable); the override is printed.
    #[arg(long = "override-policy", value_name = "RULE")]
    pub overrides: Vec<String>,
    /// Stop Rego after this many interpreter steps, all queries together (default 4000000; see docs/policies.md).
    #[arg(long, value_name = "N")]
    pub policy_max_steps: Option<u64>,
    /// Read Rego policies as `v0` (written before OPA 1.0: `deny[msg] { ... }`) or `v1`,
    /// as Conftest's `--rego-version`; unset, v1 and then v0 when v1 cannot parse them.
    #[arg(long, value_name = "VERSION", value_parser = ["v0", "v1"])]
    pub rego_version: Option<String>,
    /// A JSON or YAML document for Rego under `data.` (repeatable; objects are
    /// merged), e.g. a list of allowed registries, as Conftest's `--data`.
    #[arg(long, value_name = "FILE")]
    pub data: Vec<PathBuf>,
}

impl PolicyArgs {
    fn rego_version(&self) -> Option<RegoVersion> {
        match self.rego_version.as_deref() {
            Some("v0") => Some(RegoVersion::V0),
            Some(_) => Some(RegoVersion::V1),
            None => None,
        }
    }

    /// The `--data` documents, merged into one object.
    fn data(&self) -> Result<Option<serde_json::Value>, CliError> {
        if self.data.is_empty() {
            return Ok(None);
        }
        let mut merged = serde_json::Map::new();
        for path in &self.data {
            match input::document(path)? {
                serde_json::Value::Object(o) => merged.extend(o),
                _ => {
                    return Err(CliError::Stop(format!(
                        "{}: a data document is an object (its keys go under `data.`)",
                        path.display()
                    )));
                }
            }
        }
        Ok(Some(serde_json::Value::Object(merged)))
    }
}

/// The policy files named, folders expanded to their `.rego`, `.hcl` and `.json` files.
fn policy_files(paths: &[PathBuf]) -> Result<Vec<PolicyFile>, InputError> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let entries = std::fs::read_dir(path).map_err(|source| InputError::Read {
            path: path.clone(),
            source,
        })?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default();
                p.is_file() && matches!(ext, "rego" | "hcl" | "json")
            })
            .collect();
        if found.is_empty() {
            return Err(InputError::Empty {
                path: path.clone(),
                what: "policy file (.rego, .hcl or .json)",
            });
        }
        found.sort();
        files.extend(found);
    }
    files
        .iter()
        .map(|p| {
            Ok(PolicyFile {
                source: input::read_text(p)?,
                format: None,
                file_name: Some(p.display().to_string()),
            })
        })
        .collect()
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
    /// The configuration (files or directories; `.` when none) or one plan saved by `plan --out`.
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Also check the rules on actions against a saved image list (and `--state`).
    #[arg(long, value_name = "PATH")]
    pub observed: Option<PathBuf>,
    /// The state file for `--observed`.
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Print the results as JSON (the same as `--format json`).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// human, json, sarif (code scanning), junit (test reports) or github (workflow annotations).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(core: &CoreArgs, args: &PolicyCommand) -> Outcome {
    let PolicySub::Check(args) = &args.command;
    if args.policy.policy.is_empty() {
        return Err(CliError::Stop("policy check needs --policy PATH".into()));
    }
    let (config, plan) = match args.config.paths.as_slice() {
        [one] if saved::is_saved_plan(one) => {
            let s = saved::read(one)?;
            (saved::configuration(&s, &args.config)?, Some(s.plan))
        }
        _ => (args.config.load()?.config, None),
    };
    let sources = config.sources.clone();
    let format = if args.json { Format::Json } else { args.format };
    let resources = match format {
        Format::Sarif | Format::Junit | Format::Github => {
            core.open()?
                .validate(ValidateRequest {
                    input: Sources::Many(config.clone()),
                    strict: false,
                    unset_variables_unknown: true,
                })?
                .resources
        }
        _ => Vec::new(),
    };
    let (observed, state) = match &args.observed {
        Some(path) => (
            Some(input::images(path)?),
            Some(input::state(args.state.as_deref())?.0),
        ),
        None => (None, None),
    };
    let answer = check_set(
        &mut core.open()?,
        &args.policy,
        config,
        state,
        observed,
        plan,
    )?;
    let report = Findings::new("policy check", resources)
        .diagnostics(&answer.diagnostics)
        .policy_results(answer.report.as_ref().map_or(&[][..], |r| &r.results))
        .render(format);
    if let Some(report) = report {
        print!("{report}");
    } else if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        print!("{}", render::diagnostics(&answer.diagnostics, &sources));
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

/// Runs the policy set against the inputs inside the core.
pub fn check_set(
    core: &mut Core,
    args: &PolicyArgs,
    config: Configuration,
    state: Option<State>,
    observed: Option<Vec<Image>>,
    plan: Option<Plan>,
) -> Result<PolicyResponse, CliError> {
    let answer = core.policy_check(PolicyRequest {
        policy: None,
        policies: policy_files(&args.policy)?,
        desired: Desired::Sources(config),
        state,
        observed,
        access: None,
        overrides: args.overrides.clone(),
        rego_version: args.rego_version(),
        data: args.data()?,
        plan,
        max_steps: args.policy_max_steps,
    })?;
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
        return Err(CliError::Stop(why.join("\n")));
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

/// With `--policy`, checks the plan of `plan`/`apply`; no report without a policy.
pub fn check_plan(
    core: &mut Core,
    args: &PolicyArgs,
    config: &Configuration,
    plan: &Plan,
) -> Result<Option<PolicyReport>, CliError> {
    if args.policy.is_empty() {
        return Ok(None);
    }
    let answer = check_set(core, args, config.clone(), None, None, Some(plan.clone()))?;
    // The specs' own diagnostics are printed with the plan; a stray override,
    // or a policy that checks nothing, is news.
    let stray = answer
        .diagnostics
        .iter()
        .filter(|d| matches!(d.code, Code::UnknownOverride | Code::InvalidPolicy));
    for d in stray {
        eprintln!("Warning: {}", d.message);
    }
    Ok(answer.report)
}

/// What a plan's policy report lets the run do; says why when it stops.
pub fn gate(report: Option<&PolicyReport>) -> Gate {
    match report {
        None => Gate::Pass(Vec::new()),
        Some(r) if r.blocking => {
            eprintln!(
                "Error: a policy failed (see above), so nothing is applied; fix the specs, or name a soft-mandatory rule with --override-policy"
            );
            Gate::Stop(ExitCode::from(BLOCKED))
        }
        Some(r) => Gate::Pass(r.overridden.clone()),
    }
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
        let from = match (&r.file, &r.query) {
            (Some(file), Some(query)) => format!(" [{query} in {file}]"),
            _ => String::new(),
        };
        out.push_str(&format!(
            "  {state} {} ({level}){at}: {}{from}\n",
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

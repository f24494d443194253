//! `kasm-plan access [PATH...] [--user NAME] [--image NAME] [--json]`: who
//! may launch what, now and once the configuration is applied.

use super::plan::{Answer, PlanSource, asked};
use super::{CliError, CoreArgs, Outcome, render};
use kasm_plan_core::facade::{LaunchRequest, LaunchResponse};
use kasm_plan_core::{Code, Diagnostic};
use std::process::ExitCode;

/// Arguments of `access`: the plan's, and filters.
#[derive(Debug, clap::Args)]
pub struct AccessArgs {
    #[command(flatten)]
    pub source: PlanSource,
    /// Only this username, or the usernames a glob (`*`, `?`, `[...]`) matches.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Only this image name, or the names a glob matches.
    #[arg(long, value_name = "NAME")]
    pub image: Option<String>,
    /// Print `{"grants": [...]}`.
    #[arg(long)]
    pub json: bool,
}

impl Answer for LaunchResponse {
    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

/// load → plan (reading Kasm's users and groups) → grants → print.
pub fn run(core: &CoreArgs, args: &AccessArgs) -> Outcome {
    let (loaded, answer) = asked(core, &args.source, &mut |core, plan| {
        core.who_may_launch(LaunchRequest {
            plan,
            user: args.user.clone(),
            image: args.image.clone(),
        })
    })?;
    eprint!(
        "{}",
        render::diagnostics(&answer.diagnostics, &loaded.config.sources)
    );
    // A session Kasm would refuse is worth knowing, not a reason to say nothing.
    let refused = answer
        .diagnostics
        .iter()
        .any(|d| d.is_error() && d.code != Code::SessionNotAuthorized);
    if refused {
        return Err(CliError::refused(&answer.diagnostics, "read"));
    }
    if args.json {
        let grants = serde_json::json!({ "grants": answer.grants });
        println!("{}", serde_json::to_string_pretty(&grants)?);
    } else {
        print!("{}", render::grants(&answer.grants));
    }
    Ok(ExitCode::SUCCESS)
}

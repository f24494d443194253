//! The `kasm-plan` command line. Every piece of core logic runs inside the
//! component ([`core::Core`]); these modules read files, call it, and print.

mod apply;
mod core;
mod execute;
mod images;
mod import;
mod input;
mod plan;
mod policy;
mod render;
mod saved;
mod server;
mod show;
mod state;
mod validate;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

pub use self::core::Core;

/// Plan and apply Kasm Workspaces images as code.
#[derive(Debug, Parser)]
#[command(name = "kasm-plan", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// How the core component is loaded and limited.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Run this component instead of the built-in one.
    #[arg(long, global = true, value_name = "PATH", env = "KASM_PLAN_COMPONENT")]
    pub component: Option<PathBuf>,
    /// Memory cap for the core, in MiB.
    #[arg(long, global = true, value_name = "MIB", default_value_t = 512,
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub max_memory: u32,
    /// Time cap for one call into the core, in seconds (fractions allowed).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 10.0,
          value_parser = positive_seconds)]
    pub timeout: f64,
    /// Where compiled components are kept [default: $KASM_PLAN_CACHE_DIR, else ~/.cache/kasm-plan].
    #[arg(long, global = true, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compile the component on every run instead of caching it.
    #[arg(long, global = true)]
    pub no_cache: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check spec files (.tf or .json) and report every problem.
    Validate(validate::ValidateArgs),
    /// Plan spec files against the images on Kasm (or a saved list) and the state.
    Plan(plan::PlanArgs),
    /// Apply spec files, or a saved plan, to Kasm.
    Apply(apply::ApplyArgs),
    /// Show a plan saved by `plan --out`.
    Show(show::ShowArgs),
    /// Adopt an existing Kasm image into the state.
    Import(import::ImportArgs),
    /// List images, filtered like the kasm_images data source.
    Images(images::ImagesArgs),
    /// Inspect or edit the state.
    State(state::StateArgs),
    /// Check specs or plans against a policy.
    Policy(policy::PolicyCommand),
}

/// A failed run: the message is printed as `Error: ...` and the exit code is 1.
#[derive(Debug)]
pub struct Failure(pub String);

impl<T: std::fmt::Display> From<T> for Failure {
    fn from(e: T) -> Self {
        Failure(e.to_string())
    }
}

/// What a command asks the process to exit with.
pub type Outcome = Result<ExitCode, Failure>;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Validate(args) => validate::run(&cli.engine, &args),
        Command::Plan(args) => plan::run(&cli.engine, &args),
        Command::Show(args) => show::run(&cli.engine, &args),
        Command::Images(args) => images::run(&cli.engine, &args),
        Command::Apply(args) => apply::run(&cli.engine, &args),
        Command::Import(args) => import::run(&cli.engine, &args),
        Command::State(args) => state::run(&args),
        Command::Policy(args) => policy::run(&cli.engine, &args),
    };
    result.unwrap_or_else(|Failure(message)| {
        eprintln!("Error: {message}");
        ExitCode::from(1)
    })
}

fn positive_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err(format!(
            "`{s}` is not a number of seconds between 0 and 86400"
        )),
    }
}

/// The async runtime for commands that talk to Kasm.
fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the runtime: {e}")))
}

/// Source texts by file name, for quoting lines in diagnostics.
fn texts(sources: &[kasm_plan_core::facade::SourceInput]) -> render::Texts<'_> {
    sources
        .iter()
        .filter_map(|s| Some((s.file_name.as_deref()?, s.source.as_str())))
        .collect()
}

//! The `kasm-plan` command line. Every piece of core logic runs inside the
//! component (typed calls on [`crate::Core`]); these modules read files, call
//! it, talk to Kasm and print.

mod apply;
mod component;
mod error;
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

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub use component::CoreArgs;
pub use error::CliError;

/// Plan and apply Kasm Workspaces images as code.
#[derive(Debug, Parser)]
#[command(name = "kasm-plan", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub core: CoreArgs,
    #[command(subcommand)]
    pub command: Command,
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

/// What a command asks the process to exit with.
pub type Outcome = Result<ExitCode, CliError>;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Validate(args) => validate::run(&cli.core, &args),
        Command::Plan(args) => plan::run(&cli.core, &args),
        Command::Show(args) => show::run(&cli.core, &args),
        Command::Images(args) => images::run(&cli.core, &args),
        Command::Apply(args) => apply::run(&cli.core, &args),
        Command::Import(args) => import::run(&cli.core, &args),
        Command::State(args) => state::run(&args),
        Command::Policy(args) => policy::run(&cli.core, &args),
    };
    result.unwrap_or_else(|error| {
        eprintln!("Error: {error}");
        ExitCode::from(1)
    })
}

/// The async runtime for commands that talk to Kasm.
fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Stop(format!("cannot start the runtime: {e}")))
}

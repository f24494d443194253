//! `kasm-plan graph [PATH...] [-type=plan|apply]`: the order an apply of the
//! plan follows, as Graphviz DOT (as Terraform's `graph` draws it: each step
//! points at the steps it waits for).

use super::configuration::blocks;
use super::plan::{PlanSource, made};
use super::{CliError, CoreArgs, Outcome, render};
use std::process::ExitCode;

/// Arguments of `graph`: the plan's, and which graph.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub source: PlanSource,
    /// `plan` or `apply`: both draw the steps an apply of this plan runs, each
    /// with the steps it waits for.
    #[arg(long = "type", value_enum, default_value_t = GraphType::Plan)]
    pub kind: GraphType,
}

/// The graphs Terraform's `-type` names that kasm-plan draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphType {
    /// The plan's steps and their order.
    Plan,
    /// The same steps, as apply runs them.
    Apply,
}

/// load → plan (reading Kasm as `plan` does) → steps and order → DOT.
pub fn run(core: &CoreArgs, args: &GraphArgs) -> Outcome {
    let source = &args.source;
    let mut loaded = source.config.load()?;
    let mut core = core.open()?;
    let blocks = blocks(&mut core, &loaded.config)?;
    let backend = source.backend.with_block(blocks.backend);
    let server = source.server.with_provider(blocks.provider);
    loaded.config.workspace = Some(backend.workspace()?);
    let (_, answer) = made(
        source,
        &server,
        &backend,
        &mut core,
        &loaded.config,
        &mut |core, request| core.apply_steps(request),
    )?;
    eprint!(
        "{}",
        render::diagnostics(&answer.diagnostics, &loaded.config.sources)
    );
    if !answer.ok {
        return Err(CliError::refused(&answer.diagnostics, "drawn"));
    }
    print!(
        "{}",
        kasm_plan_core::graph::dot(&answer.steps, &answer.after)
    );
    Ok(ExitCode::SUCCESS)
}

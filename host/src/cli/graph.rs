//! `kasm-plan graph [PATH...] [-type=plan|apply|destroy]`: the order an apply of the
//! plan follows, as Graphviz DOT (as Terraform's `graph` draws it: each step
//! points at the steps it waits for).

use super::plan::{PlanSource, asked};
use super::{CliError, CoreArgs, Outcome, render};
use std::process::ExitCode;

/// Arguments of `graph`: the plan's, and which graph.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub source: PlanSource,
    /// `plan` or `apply`: both draw the steps an apply of this plan runs, each
    /// with the steps it waits for; `destroy`: those of a destroy plan.
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
    /// The steps of a destroy plan (`plan -destroy`).
    Destroy,
}

/// load → plan (reading Kasm as `plan` does) → steps and order → DOT.
pub fn run(core: &CoreArgs, args: &GraphArgs) -> Outcome {
    let (loaded, answer) = asked(core, &args.source, &mut |core, mut request| {
        request.options.destroy |= args.kind == GraphType::Destroy;
        core.apply_steps(request)
    })?;
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

//! `kasm-plan schema [--json-schema]`: what configurations can say, from the core.

use super::{CoreArgs, Outcome};
use std::process::ExitCode;

/// Arguments of `schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Print the JSON Schema of `.json` specs (for editors) instead of kasm-plan's schema.
    #[arg(long)]
    pub json_schema: bool,
}

/// Prints the schema as JSON.
pub fn run(core: &CoreArgs, args: &SchemaArgs) -> Outcome {
    let mut core = core.open()?;
    let text = if args.json_schema {
        serde_json::to_string_pretty(&core.json_schema()?)?
    } else {
        serde_json::to_string_pretty(&core.schema()?)?
    };
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

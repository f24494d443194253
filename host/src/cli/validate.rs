//! `kasm-plan validate FILE...`

use super::render;
use super::{CoreArgs, Outcome, input};
use kasm_plan_core::facade::{Sources, ValidateRequest};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Spec files: `.tf` (HCL) or `.json`; together they form one configuration.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Exit 0 when valid, 1 when not.
pub fn run(core: &CoreArgs, args: &ValidateArgs) -> Outcome {
    let sources = input::sources(&args.files)?;
    let answer = core.open()?.validate(ValidateRequest {
        input: Sources::Many {
            sources: sources.clone(),
        },
        strict: args.strict,
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        print!("{}", render::diagnostics(&answer.diagnostics, &sources));
        if answer.valid {
            let warnings = match answer.warnings {
                0 => String::new(),
                n => format!(" ({})", render::counts(0, n)),
            };
            println!("Success! The configuration is valid{warnings}.");
        } else {
            println!(
                "The configuration is not valid: {}.",
                render::counts(answer.errors, answer.warnings)
            );
        }
    }
    Ok(if answer.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

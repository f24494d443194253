//! `kasm-plan validate [PATH...]`

use super::configuration::ConfigArgs;
use super::render;
use super::report::{Findings, Format};
use super::{CoreArgs, Outcome};
use kasm_plan_core::facade::{Sources, ValidateRequest};
use std::process::ExitCode;

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Print the result as JSON (the same as `--format json`).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// human, json, sarif (code scanning), junit (test reports) or github (workflow annotations).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Exit 0 when valid, 1 when not.
pub fn run(core: &CoreArgs, args: &ValidateArgs) -> Outcome {
    let config = args.config.load()?.config;
    let sources = config.sources.clone();
    let answer = core.open()?.validate(ValidateRequest {
        input: Sources::Many(config),
        strict: args.strict,
        // As `terraform validate`: values are a plan's business.
        unset_variables_unknown: true,
    })?;
    let format = if args.json { Format::Json } else { args.format };
    let report = Findings::new("validate", answer.resources.clone())
        .diagnostics(&answer.diagnostics)
        .render(format);
    if let Some(report) = report {
        print!("{report}");
    } else if format == Format::Json {
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

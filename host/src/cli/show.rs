//! `kasm-plan show PLAN.json`

use super::render;
use super::{CoreArgs, Outcome, saved};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// A plan saved by `plan --out`.
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// Print the plan as Terraform-shaped plan JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(core: &CoreArgs, args: &ShowArgs) -> Outcome {
    let saved = saved::read(&args.plan)?;
    if args.json {
        let timestamp = saved.timestamp.clone().unwrap_or_else(saved::now);
        let mut json = saved::terraform_json(&mut core.open()?, &saved.plan, timestamp)?;
        // The plan's warnings, as `plan --json` gives them.
        if let Some(o) = json.as_object_mut() {
            o.insert(
                "diagnostics".into(),
                serde_json::to_value(&saved.diagnostics)?,
            );
        }
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        let files: Vec<&str> = saved.sources.iter().map(|s| s.file.as_str()).collect();
        println!(
            "Saved plan {} (from {}).\n",
            args.plan.display(),
            files.join(", ")
        );
        print!("{}", render::plan(&saved.plan, &saved.diagnostics));
    }
    Ok(ExitCode::SUCCESS)
}

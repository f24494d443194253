//! `kasm-plan images --from images.json [--name PATTERN] [--enabled BOOL]`

use super::render;
use super::server::{ServerArgs, fetch_images};
use super::{CliError, CoreArgs, Outcome, input};
use kasm_plan_core::facade::FilterRequest;
use kasm_plan_core::filter::ImageFilter;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `images`.
#[derive(Debug, clap::Args)]
pub struct ImagesArgs {
    /// Read a saved image list (`get_images` answer or `images --json` output)
    /// instead of the server.
    #[arg(long, value_name = "PATH")]
    pub from: Option<PathBuf>,
    /// Keep images whose name matches: exact, or a glob with `*`, `?`, `[...]`.
    #[arg(long, value_name = "PATTERN")]
    pub name: Option<String>,
    /// Keep only enabled (true) or disabled (false) images.
    #[arg(long, value_name = "BOOL")]
    pub enabled: Option<bool>,
    /// Print `{"images": [...]}` in the server's shape (usable as `plan --observed`).
    #[arg(long)]
    pub json: bool,
    /// The state file, beside which the embedded simulator keeps its data.
    #[arg(long, value_name = "PATH", default_value = crate::state_file::DEFAULT)]
    pub state: PathBuf,
    #[command(flatten)]
    pub server: ServerArgs,
}

pub fn run(core: &CoreArgs, args: &ImagesArgs) -> Outcome {
    let images = match &args.from {
        Some(path) => input::images(path)?,
        None => fetch_images(&args.server, &args.state)?,
    };
    let answer = core.open()?.filter(FilterRequest {
        images,
        filter: ImageFilter {
            name: args.name.clone(),
            enabled: args.enabled,
        },
    })?;
    if let Some(d) = answer.diagnostics.first() {
        return Err(CliError::Stop(format!("--name: {}", d.message)));
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "images": answer.images }))?
        );
    } else {
        print!("{}", render::images(&answer.images));
    }
    Ok(ExitCode::SUCCESS)
}

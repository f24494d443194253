//! `kasm-plan import ADDRESS IMAGE_ID`

use super::server::{ServerArgs, fetch_images};
use super::{CliError, CoreArgs, Outcome};
use crate::state_file::{self, Locked};
use kasm_plan_core::facade::ImportRequest;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The address to bind, e.g. `kasm_image.terminal`.
    pub address: String,
    /// The Kasm image id (32 hex digits, hyphens allowed).
    pub image_id: String,
    /// The state file.
    #[arg(long, value_name = "PATH", default_value = state_file::DEFAULT)]
    pub state: PathBuf,
    /// Wait this long (seconds) for the state lock.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub lock_timeout: u64,
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Lock the state, read Kasm's images, let the core decide, record.
pub fn run(core: &CoreArgs, args: &ImportArgs) -> Outcome {
    let mut core = core.open()?;
    let wait = Duration::from_secs(args.lock_timeout);
    let mut locked = Locked::open(&args.state, wait, "import")?;
    let images = fetch_images(&args.server, &args.state)?;
    let answer = core.import(ImportRequest {
        address: args.address.clone(),
        image_id: args.image_id.clone(),
        state: locked.state.clone(),
        images,
    })?;
    let (Some(resource), Some(image)) = (answer.resource, answer.image) else {
        let why = answer.diagnostics.iter().map(|d| d.message.as_str());
        return Err(CliError::Stop(why.collect::<Vec<_>>().join("; ")));
    };
    let mut state = locked.state.clone();
    state.resources.insert(args.address.clone(), resource);
    locked.save(state)?;
    println!(
        "{}: Importing from ID \"{}\" ({})...\n\nImport successful! The image is now managed by kasm-plan; add its resource block to your configuration.",
        args.address,
        image.image_id,
        image.name.as_deref().unwrap_or("unnamed")
    );
    Ok(ExitCode::SUCCESS)
}

//! `kasm-plan import ADDRESS IMAGE_ID`

use super::server::{Connection, ServerArgs};
use super::{Core, EngineArgs, Failure, Outcome};
use crate::state_file::{self, Locked};
use kasm_plan_core::StateResource;
use kasm_plan_core::facade::RecordRequest;
use kasm_plan_core::model::canonical_uuid;
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

pub fn run(engine: &EngineArgs, args: &ImportArgs) -> Outcome {
    super::runtime()?.block_on(import(engine, args))
}

async fn import(engine: &EngineArgs, args: &ImportArgs) -> Outcome {
    let name = args.address.strip_prefix("kasm_image.").unwrap_or("");
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(Failure(format!(
            "`{}` is not a kasm_image address; expected e.g. kasm_image.terminal",
            args.address
        )));
    }
    let Some(id) = canonical_uuid(&args.image_id) else {
        return Err(Failure(format!(
            "`{}` is not a Kasm image id (32 hex digits, hyphens allowed)",
            args.image_id
        )));
    };
    let mut core = Core::open(engine)?;
    let mut locked = Locked::open(
        &args.state,
        Duration::from_secs(args.lock_timeout),
        "import",
    )?;
    if let Some(r) = locked.state.resources.get(&args.address) {
        return Err(Failure(format!(
            "{} is already in the state (image {}); `kasm-plan state rm {}` first to rebind it",
            args.address, r.image_id, args.address
        )));
    }
    if let Some((other, _)) = locked
        .state
        .resources
        .iter()
        .find(|(_, r)| canonical_uuid(&r.image_id).as_deref() == Some(id.as_str()))
    {
        return Err(Failure(format!(
            "image {id} is already bound to {other}; one image cannot belong to two addresses"
        )));
    }
    let connection = Connection::open(&args.server, &args.state).await?;
    let images = connection.kasm.images().await;
    connection.close().await;
    let images = images?;
    let Some(image) = images
        .into_iter()
        .find(|i| canonical_uuid(&i.image_id).as_deref() == Some(id.as_str()))
    else {
        return Err(Failure(format!("Kasm has no image with id {id}")));
    };
    let entry: StateResource = core.call(
        "record",
        &RecordRequest {
            image: image.clone(),
            token_fingerprint: None,
            prevent_destroy: false,
        },
    )?;
    let mut state = locked.state.clone();
    state.resources.insert(args.address.clone(), entry);
    locked.save(state).map_err(Failure)?;
    println!(
        "{}: Importing from ID \"{}\" ({})...\n\nImport successful! The image is now managed by kasm-plan; add its resource block to your configuration.",
        args.address,
        image.image_id,
        image.name.as_deref().unwrap_or("unnamed")
    );
    Ok(ExitCode::SUCCESS)
}

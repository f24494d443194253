//! `kasm-plan import ADDRESS IMAGE_ID`

use super::configuration::{ConfigArgs, backend_block};
use super::render;
use super::server::{ServerArgs, fetch_access, fetch_images};
use super::{CliError, CoreArgs, Outcome};
use crate::state_file;
use crate::state_file::backend::BackendArgs;
use kasm_plan_core::facade::ImportRequest;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The address to bind, e.g. `kasm_image.terminal`, `kasm_group.devs`,
    /// `kasm_group_image.devs_terminal`.
    pub address: String,
    /// The Kasm id: an image's (32 hex digits, hyphens allowed), a group's
    /// (or `name:<group name>`), a link's (`<group_id>:<image_id>`).
    pub image_id: String,
    /// The configuration that declares the address (Terraform's `-config`).
    #[arg(long = "config", value_name = "DIR", default_value = ".")]
    pub config: PathBuf,
    /// Set a variable of the configuration, `NAME=VALUE` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = super::configuration::name_value)]
    pub vars: Vec<(String, String)>,
    /// Read variable values from a `.tfvars` file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// The state file.
    #[arg(long, value_name = "PATH", default_value = state_file::DEFAULT)]
    pub state: PathBuf,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Wait this long (Terraform's durations: `10s`, `1m30s`; a bare number is seconds) for the state lock.
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = super::duration)]
    pub lock_timeout: std::time::Duration,
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Read the configuration, lock the state, read Kasm's images, let the core
/// decide (the address must be declared), record.
pub fn run(core: &CoreArgs, args: &ImportArgs) -> Outcome {
    let mut config = ConfigArgs {
        paths: vec![args.config.clone()],
        vars: args.vars.clone(),
        var_files: args.var_files.clone(),
        order: Vec::new(),
    }
    .load()?
    .config;
    let sources = config.sources.clone();
    let mut core = core.open()?;
    let backend = args.backend.with_block(backend_block(&mut core, &config)?);
    config.workspace = Some(backend.workspace()?);
    let wait = args.lock_timeout;
    let mut locked = backend.open(&args.state, wait, "import")?;
    let access_address = ["kasm_group.", "kasm_group_image."]
        .iter()
        .any(|p| args.address.starts_with(p));
    let (images, access) = if access_address {
        (Vec::new(), Some(fetch_access(&args.server, &args.state)?))
    } else {
        (fetch_images(&args.server, &args.state)?, None)
    };
    let answer = core.import(ImportRequest {
        address: args.address.clone(),
        image_id: args.image_id.clone(),
        state: locked.state.clone(),
        images,
        access,
        configuration: Some(config),
    })?;
    if answer.ok && (answer.group.is_some() || answer.link.is_some()) {
        let mut state = locked.state.clone();
        if let Some(g) = answer.group {
            state.groups.insert(args.address.clone(), g);
        }
        if let Some(l) = answer.link {
            state.links.insert(args.address.clone(), l);
        }
        locked.save(state)?;
        println!(
            "{}: Importing from ID \"{}\"...\n\nImport successful! It is now managed by kasm-plan.",
            args.address, args.image_id
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(resource), Some(image)) = (answer.resource, answer.image) else {
        eprint!("{}", render::diagnostics(&answer.diagnostics, &sources));
        return Err(CliError::refused(&answer.diagnostics, "imported"));
    };
    let mut state = locked.state.clone();
    state.resources.insert(args.address.clone(), resource);
    locked.save(state)?;
    println!(
        "{}: Importing from ID \"{}\" ({})...\n\nImport successful! The image is now managed by kasm-plan.",
        args.address,
        image.image_id,
        image.name.as_deref().unwrap_or("unnamed")
    );
    Ok(ExitCode::SUCCESS)
}

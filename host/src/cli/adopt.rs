//! `kasm-plan adopt [--name PATTERN] [--enabled BOOL] [--out DIR]`: writes a
//! configuration for the images already on Kasm (and their links) and binds
//! them in the state, so that the next plan is empty.

use super::configuration::current_backend_block;
use super::render;
use super::server::{ServerArgs, read_access, read_images, with_kasm};
use super::{CliError, CoreArgs, Outcome};
use crate::state_file;
use crate::state_file::backend::BackendArgs;
use kasm_plan_core::adopt::GeneratedFile;
use kasm_plan_core::facade::{AdoptRequest, SourceInput};
use kasm_plan_core::filter::ImageFilter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `adopt`.
#[derive(Debug, clap::Args)]
pub struct AdoptArgs {
    /// Adopt images whose name matches: exact, or a glob with `*`, `?`, `[...]`.
    #[arg(long, value_name = "PATTERN")]
    pub name: Option<String>,
    /// Adopt only enabled (true) or disabled (false) images.
    #[arg(long, value_name = "BOOL")]
    pub enabled: Option<bool>,
    /// Also adopt the images' links to groups (one `kasm_group_image` each).
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub links: bool,
    /// The directory to write `images.tf`, `authorization.tf` and `variables.tf` in.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
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

/// lock → read → generate (core) → write the files → write the state.
pub fn run(core: &CoreArgs, args: &AdoptArgs) -> Outcome {
    let backend = args.backend.with_block(current_backend_block(core)?);
    let mut core = core.open()?;
    let wait = args.lock_timeout;
    let mut locked = backend.open(&args.state, wait, "adopt")?;
    let (images, access) =
        super::runtime()?.block_on(with_kasm(&args.server, &args.state, async |kasm| {
            let images = read_images(kasm).await?;
            let access = if args.links {
                Some(read_access(kasm, false).await?)
            } else {
                None
            };
            Ok((images, access))
        }))?;
    let answer = core.adopt(AdoptRequest {
        images,
        filter: ImageFilter {
            name: args.name.clone(),
            enabled: args.enabled,
        },
        access,
        state: locked.state.clone(),
    })?;
    let sources: Vec<SourceInput> = answer.files.iter().map(SourceInput::from).collect();
    eprint!("{}", render::diagnostics(&answer.diagnostics, &sources));
    let Some(state) = answer.state.filter(|_| answer.ok) else {
        return Err(CliError::Stop(
            "the configuration for these images would not be valid; nothing was written".into(),
        ));
    };
    if answer.bound.is_empty() {
        println!("No images to adopt: none matches, or the state binds every one.");
        return Ok(ExitCode::SUCCESS);
    }
    // The files first: without them a state binding would plan a delete.
    write_new(&args.out, &answer.files)?;
    locked.save(state)?;
    let images = answer
        .bound
        .iter()
        .filter(|b| b.address.starts_with("kasm_image."))
        .count();
    println!(
        "Adopted {images} image(s) and {} link(s): wrote {} in {} and bound them in {}.",
        answer.bound.len() - images,
        answer
            .files
            .iter()
            .map(|f| f.file_name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        args.out.display(),
        args.state.display()
    );
    if answer.files.iter().any(|f| f.file_name == "variables.tf") {
        println!(
            "Registry tokens are variables (Kasm never shows them): give them with -var or a .tfvars file."
        );
    }
    println!("`kasm-plan plan` now shows no changes.");
    Ok(ExitCode::SUCCESS)
}

/// Writes the files, refusing to replace any; each appears whole or not at all.
fn write_new(dir: &Path, files: &[GeneratedFile]) -> Result<(), CliError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::Stop(format!("cannot create {}: {e}", dir.display())))?;
    if let Some(f) = files.iter().find(|f| dir.join(&f.file_name).exists()) {
        return Err(CliError::Stop(format!(
            "{} exists; adopt writes new files only: choose another --out",
            dir.join(&f.file_name).display()
        )));
    }
    for f in files {
        let path = dir.join(&f.file_name);
        let temporary = dir.join(format!(".{}.tmp", f.file_name));
        let written = std::fs::write(&temporary, &f.source)
            .and_then(|()| std::fs::hard_link(&temporary, &path))
            .and_then(|()| std::fs::remove_file(&temporary));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temporary);
            return Err(CliError::Stop(format!(
                "cannot write {}: {e}",
                path.display()
            )));
        }
    }
    Ok(())
}

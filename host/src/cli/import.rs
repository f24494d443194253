//! `kasm-plan import ADDRESS ID` and `kasm-plan state import-terraform FILE`

use super::configuration::{ConfigArgs, blocks};
use super::render;
use super::server::{ServerArgs, fetch_access, fetch_images};
use super::state::StateArgs;
use super::{CliError, CoreArgs, Outcome};
use crate::state_file;
use crate::state_file::backend::BackendArgs;
use kasm_plan_core::State;
use kasm_plan_core::address::{RESOURCE_TYPE, type_of};
use kasm_plan_core::facade::{Configuration, ImportRequest, ImportResponse, TerraformStateRequest};
use kasm_plan_core::schema::tables;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The address to bind, e.g. `kasm_image.terminal`, `kasm_group.devs`,
    /// `kasm_group_image.devs_terminal`, `kasm_user.alice`.
    pub address: String,
    /// The Kasm id: an image's (32 hex digits, hyphens allowed), a group's
    /// (or `name:<group name>`), a link's (`<group_id>:<image_id>`), a
    /// user's (or `username:<name>`), a membership's (`<group_id>:<user_id>`),
    /// a session's (`kasm_id`).
    #[arg(value_name = "ID")]
    pub image_id: String,
    #[command(flatten)]
    pub config: DeclaringConfig,
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
    let setup = Setup::load(core, &args.config.args(), &args.backend, &args.server)?;
    let Setup {
        mut core,
        config,
        backend,
        server,
    } = setup;
    let mut locked = backend.open(&args.state, args.lock_timeout, "import")?;
    let kasm = Kasm::read(&server, &args.state, [args.address.as_str()])?;
    let sources = config.sources.clone();
    let answer = core.import(kasm.request(&args.address, &args.image_id, &locked.state, config))?;
    let mut state = locked.state.clone();
    let Some(what) = bind(&mut state, &args.address, answer.clone()) else {
        eprint!("{}", render::diagnostics(&answer.diagnostics, &sources));
        return Err(CliError::refused(&answer.diagnostics, "imported"));
    };
    locked.save(state)?;
    println!(
        "{}: Importing from ID \"{}\"{what}...\n\nImport successful! It is now managed by kasm-plan.",
        args.address, args.image_id
    );
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `state import-terraform`.
#[derive(Debug, clap::Args)]
pub struct TerraformImportArgs {
    /// The state the Terraform provider for Kasm wrote (`terraform.tfstate`).
    pub file: PathBuf,
    #[command(flatten)]
    pub config: DeclaringConfig,
    #[command(flatten)]
    pub server: ServerArgs,
}

/// The configuration that must declare an imported address, and its variables.
#[derive(Debug, clap::Args)]
pub struct DeclaringConfig {
    /// The configuration that declares the addresses (Terraform's `-config`).
    #[arg(long = "config", value_name = "DIR", default_value = ".")]
    pub config: PathBuf,
    /// Set a variable of the configuration, `NAME=VALUE` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = super::configuration::name_value)]
    pub vars: Vec<(String, String)>,
    /// Read variable values from a `.tfvars` file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
}

impl DeclaringConfig {
    fn args(&self) -> ConfigArgs {
        ConfigArgs {
            paths: vec![self.config.clone()],
            vars: self.vars.clone(),
            var_files: self.var_files.clone(),
            order: Vec::new(),
        }
    }
}

/// `state import-terraform`: every address a Terraform state binds, imported
/// as `import` would import each, and written in one go; one that cannot be
/// imported stops them all.
pub fn from_terraform(core: &CoreArgs, state: &StateArgs, args: &TerraformImportArgs) -> Outcome {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| CliError::Stop(format!("{}: {e}", args.file.display())))?;
    let Setup {
        mut core,
        config,
        backend,
        server,
    } = Setup::load(core, &args.config.args(), &state.backend, &args.server)?;
    let mut locked = backend.open(&state.state, state.lock_timeout, "state import-terraform")?;
    let read = core.read_terraform_state(TerraformStateRequest {
        text,
        state: locked.state.clone(),
    })?;
    let sources = config.sources.clone();
    eprint!("{}", render::diagnostics(&read.diagnostics, &sources));
    if !read.ok {
        return Err(CliError::refused(&read.diagnostics, "imported"));
    }
    let addresses = read.bindings.iter().map(|b| b.address.as_str());
    let kasm = Kasm::read(&server, &state.state, addresses)?;
    let mut next = locked.state.clone();
    let mut problems = Vec::new();
    for b in &read.bindings {
        let answer = core.import(kasm.request(&b.address, &b.id, &next, config.clone()))?;
        if bind(&mut next, &b.address, answer.clone()).is_none() {
            problems.extend(answer.diagnostics);
        }
    }
    if !problems.is_empty() {
        eprint!("{}", render::diagnostics(&problems, &sources));
        return Err(CliError::refused(&problems, "imported"));
    }
    if !read.bindings.is_empty() {
        locked.save(next)?;
    }
    for b in &read.bindings {
        println!("{}: imported from ID \"{}\"", b.address, b.id);
    }
    for address in &read.bound {
        println!("{address}: already bound to the same ID, left as it is");
    }
    println!(
        "\n{} imported from {}; {} already bound. They are now managed by kasm-plan.",
        read.bindings.len(),
        args.file.display(),
        read.bound.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// What an import needs before it binds: the core, the configuration (with
/// its workspace) and the backend its `terraform` block chooses.
struct Setup {
    core: crate::Core,
    config: Configuration,
    backend: BackendArgs,
    server: ServerArgs,
}

impl Setup {
    fn load(
        core: &CoreArgs,
        config: &ConfigArgs,
        backend: &BackendArgs,
        server: &ServerArgs,
    ) -> Result<Setup, CliError> {
        let mut config = config.load()?.config;
        let mut core = core.open()?;
        let blocks = blocks(&mut core, &config)?;
        let backend = backend.with_block(blocks.backend);
        config.workspace = Some(backend.workspace()?);
        Ok(Setup {
            core,
            config,
            backend,
            server: server.with_provider(blocks.provider),
        })
    }
}

/// What Kasm has that the addresses' types need: images, or groups and links.
struct Kasm {
    images: Vec<kasm_plan_core::Image>,
    access: Option<kasm_plan_core::access::Access>,
}

impl Kasm {
    fn read<'a>(
        server: &ServerArgs,
        state: &std::path::Path,
        addresses: impl IntoIterator<Item = &'a str>,
    ) -> Result<Kasm, CliError> {
        let types: Vec<Option<&str>> = addresses.into_iter().map(type_of).collect();
        let images = types.contains(&Some(RESOURCE_TYPE));
        let access = types.iter().any(|t| *t != Some(RESOURCE_TYPE));
        let users = types.iter().any(|t| t.is_some_and(tables::reads_users));
        Ok(Kasm {
            images: if images {
                fetch_images(server, state)?
            } else {
                Vec::new()
            },
            access: if access {
                Some(fetch_access(server, state, users)?)
            } else {
                None
            },
        })
    }

    fn request(
        &self,
        address: &str,
        id: &str,
        state: &State,
        config: Configuration,
    ) -> ImportRequest {
        ImportRequest {
            address: address.to_owned(),
            image_id: id.to_owned(),
            state: state.clone(),
            images: self.images.clone(),
            access: self.access.clone(),
            configuration: Some(config),
        }
    }
}

/// Writes what the core decided into the state; `None` when it refused.
/// Otherwise what was bound, for the message (an image's name).
fn bind(state: &mut State, address: &str, answer: ImportResponse) -> Option<String> {
    if !answer.ok {
        return None;
    }
    state.objects.insert(address.to_owned(), answer.object?);
    Some(answer.image.map_or_else(String::new, |image| {
        format!(" ({})", image.name.as_deref().unwrap_or("unnamed"))
    }))
}

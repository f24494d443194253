//! Where a configuration comes from: files or directories (the current one by
//! default), and variable values from the environment, tfvars files and the
//! command line, in Terraform's order of precedence.

use super::input::{self, InputError};
use kasm_plan_core::facade::Configuration;
use kasm_plan_core::facade::{Sources, ValidateRequest};
use kasm_plan_core::lang::config::BackendBlock;
use kasm_plan_core::lang::{NamedValue, VariableFile, VariableInput};
use std::path::{Path, PathBuf};

/// The arguments that name a configuration and its variable values.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConfigArgs {
    /// Configuration files (`.tf`, `.tf.json`, kasm-plan's `.json`) or
    /// directories (their `*.tf` and `*.tf.json`); the current directory when none.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Set a variable, `NAME=VALUE` (repeatable; Terraform's `-var` works too).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = name_value)]
    pub vars: Vec<(String, String)>,
    /// Read variable values from a `.tfvars` or `.tfvars.json` file
    /// (repeatable; Terraform's `-var-file` works too).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// The command-line order of `--var` and `--var-file`, which is their precedence.
    #[arg(skip)]
    pub order: Vec<Flag>,
}

/// One `--var` or `--var-file`, by its position in its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// `vars[i]`.
    Var(usize),
    /// `var_files[i]`.
    VarFile(usize),
}

pub fn name_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{text}`")),
    }
}

/// A configuration read from disk, and what was read for it.
pub struct Loaded {
    /// What the core evaluates.
    pub config: Configuration,
    /// The variables files read, in order (their texts are in `config`).
    pub variable_files: Vec<PathBuf>,
}

impl ConfigArgs {
    /// Reads the configuration files and variable values.
    pub fn load(&self) -> Result<Loaded, InputError> {
        let paths = if self.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            self.paths.clone()
        };
        let mut sources = Vec::new();
        let mut auto_files = Vec::new();
        for path in &paths {
            if path.is_dir() {
                let (specs, tfvars) = directory(path)?;
                sources.extend(input::sources(&specs)?);
                auto_files.extend(tfvars);
            } else {
                sources.extend(input::sources(std::slice::from_ref(path))?);
            }
        }
        let mut variables = environment();
        let mut variable_files = Vec::new();
        for file in &auto_files {
            variables.push(variable_file(file)?);
            variable_files.push(file.clone());
        }
        for flag in self.flags() {
            match flag {
                Flag::Var(i) => {
                    if let Some((name, value)) = self.vars.get(i) {
                        variables.push(VariableInput::Argument(NamedValue {
                            name: name.clone(),
                            value: value.clone(),
                        }));
                    }
                }
                Flag::VarFile(i) => {
                    if let Some(file) = self.var_files.get(i) {
                        variables.push(variable_file(file)?);
                        variable_files.push(file.clone());
                    }
                }
            }
        }
        Ok(Loaded {
            config: Configuration {
                sources,
                variables,
                workspace: None,
            },
            variable_files,
        })
    }

    /// `--var` and `--var-file` in command-line order (files first when unknown).
    fn flags(&self) -> Vec<Flag> {
        if self.order.len() == self.vars.len() + self.var_files.len() {
            return self.order.clone();
        }
        (0..self.var_files.len())
            .map(Flag::VarFile)
            .chain((0..self.vars.len()).map(Flag::Var))
            .collect()
    }

    /// Records the command-line order from clap's indices of both flags.
    pub fn set_order(&mut self, var_indices: &[usize], file_indices: &[usize]) {
        let mut all: Vec<(usize, Flag)> = var_indices
            .iter()
            .enumerate()
            .map(|(i, at)| (*at, Flag::Var(i)))
            .chain(
                file_indices
                    .iter()
                    .enumerate()
                    .map(|(i, at)| (*at, Flag::VarFile(i))),
            )
            .collect();
        all.sort_by_key(|(at, _)| *at);
        self.order = all.into_iter().map(|(_, f)| f).collect();
    }
}

/// A directory's configuration files (`*.tf`, `*.tf.json`) and the variables
/// files Terraform loads by itself (`terraform.tfvars`, `terraform.tfvars.json`,
/// then `*.auto.tfvars` and `*.auto.tfvars.json` in lexical order).
fn directory(dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), InputError> {
    let read = |source| InputError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(read)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let at = |name: &String| {
        if dir == Path::new(".") {
            PathBuf::from(name)
        } else {
            dir.join(name)
        }
    };
    let specs: Vec<PathBuf> = names
        .iter()
        .filter(|n| n.ends_with(".tf") || n.ends_with(".tf.json"))
        .map(at)
        .collect();
    if specs.is_empty() {
        return Err(InputError::Empty {
            path: dir.to_path_buf(),
            what: "configuration files (*.tf, *.tf.json)",
        });
    }
    let fixed = ["terraform.tfvars", "terraform.tfvars.json"];
    let auto = names
        .iter()
        .filter(|n| n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json"));
    let tfvars = fixed
        .iter()
        .filter(|f| names.iter().any(|n| n == *f))
        .map(|f| at(&(*f).to_owned()))
        .chain(auto.map(at))
        .collect();
    Ok((specs, tfvars))
}

/// When the configuration's directory is not the state file's, a header
/// naming both: planning one directory's images against another's state
/// creates them again, so nobody should take one for the other.
pub fn elsewhere(paths: &[PathBuf], state: &Path) -> Option<String> {
    let dir_of = |p: &Path| -> PathBuf {
        match p.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(d) => d.to_path_buf(),
            None => PathBuf::from("."),
        }
    };
    let state_dir = dir_of(state).canonicalize().ok()?;
    paths.iter().find_map(|p| {
        let dir = if p.is_dir() { p.clone() } else { dir_of(p) };
        (dir.canonicalize().ok()? != state_dir).then(|| {
            format!(
                "Configuration: {}\nState: {} (in {}, not in the configuration's directory; -chdir={} plans with the state there)\n\n",
                p.display(),
                state.display(),
                state_dir.display(),
                dir.display()
            )
        })
    })
}

/// `TF_VAR_<name>` variables, by name.
pub fn environment() -> Vec<VariableInput> {
    let mut found: Vec<(String, String)> = std::env::vars()
        .filter_map(|(k, v)| k.strip_prefix("TF_VAR_").map(|n| (n.to_owned(), v)))
        .collect();
    found.sort();
    found
        .into_iter()
        .map(|(name, value)| VariableInput::Environment(NamedValue { name, value }))
        .collect()
}

fn variable_file(path: &Path) -> Result<VariableInput, InputError> {
    Ok(VariableInput::File(VariableFile {
        source: input::read_text(path)?,
        file_name: Some(path.display().to_string()),
    }))
}

/// The configuration's `terraform { backend ... }` block (the core reads it).
pub fn backend_block(
    core: &mut crate::Core,
    config: &Configuration,
) -> Result<Option<BackendBlock>, super::CliError> {
    Ok(blocks(core, config)?.backend)
}

/// The configuration's `backend` and `provider "kasm"` blocks, as the core reads them.
pub struct Blocks {
    /// `terraform { backend ... }`.
    pub backend: Option<BackendBlock>,
    /// `provider "kasm" { ... }`, the key included (never printed).
    pub provider: Option<kasm_plan_core::lang::config::ProviderSettings>,
}

/// The configuration's `backend` and `provider "kasm"` blocks.
pub fn blocks(core: &mut crate::Core, config: &Configuration) -> Result<Blocks, super::CliError> {
    let answer = core.validate(ValidateRequest {
        input: Sources::Many(config.clone()),
        strict: false,
        unset_variables_unknown: true,
    })?;
    Ok(Blocks {
        backend: answer.backend,
        provider: answer.provider,
    })
}

/// The backend block of the configuration in the current directory, for
/// commands given no configuration (`state`, `workspace`, `import`, `adopt`).
pub fn current_backend_block(
    core: &super::CoreArgs,
) -> Result<Option<BackendBlock>, super::CliError> {
    let configured = std::fs::read_dir(".")
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".tf") || name.ends_with(".tf.json")
        });
    if !configured {
        return Ok(None);
    }
    let loaded = ConfigArgs::default().load()?;
    backend_block(&mut core.open()?, &loaded.config)
}

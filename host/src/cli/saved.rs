//! Saved plans (`plan --out`): the plan with what it was made from, so `show`
//! can render it and `apply` can tell whether it is still current.

use super::CliError;
use super::configuration::{self, ConfigArgs, Loaded};
use super::input::{self, InputError};
use kasm_plan_core::facade::{Configuration, SourceInput};
use kasm_plan_core::lang::{NamedValue, VariableFile, VariableInput};
use kasm_plan_core::plan::PlanOptions;
use kasm_plan_core::{Diagnostic, Plan};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use std::path::Path;

/// The `kind` of a saved plan file.
pub const KIND: &str = "kasm-plan/saved-plan";

/// The saved-plan format this version writes and reads. 4: the plan holds
/// one list of changes of every type, each by attribute name (plan format
/// 2). 3: made against a state of format 3 or later (creates a stopped run
/// left pending), and its options may ask for a destroy. A plan of another
/// format is refused: plan again. (State format 4 changed nothing a saved
/// plan holds.)
pub const VERSION: u32 = 4;

/// A saved plan. Secrets appear only as `(sensitive value)` or a fingerprint.
#[derive(Debug, Serialize, Deserialize)]
pub struct SavedPlan {
    /// Always [`KIND`].
    pub kind: String,
    /// Format version ([`VERSION`]).
    pub version: u32,
    /// The spec files, with a digest of each text.
    pub sources: Vec<SourceDigest>,
    /// Where the variable values came from (never the values).
    #[serde(default, skip_serializing_if = "Variables::is_empty")]
    pub variables: Variables,
    /// When the plan was made (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The state file the plan started from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_file: Option<String>,
    /// Warnings from validation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
    /// How the plan was made (`-target`, `-replace`, `--delete-duplicates`):
    /// applying it plans the same way. Absent in plans saved before these
    /// options existed, which mean the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<PlanOptions>,
    /// The plan.
    pub plan: Plan,
}

/// A spec file and the SHA-256 of its text.
#[derive(Debug, Serialize, Deserialize)]
pub struct SourceDigest {
    /// As named on the command line.
    pub file: String,
    /// Hex SHA-256 of the text.
    pub sha256: String,
}

impl SourceDigest {
    /// The digest of a text.
    pub fn of(file: &str, text: &str) -> Self {
        let hex = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        SourceDigest {
            file: file.to_owned(),
            sha256: hex,
        }
    }
}

/// The variable values a plan was made with, after the environment's: each
/// variables file and each `--var`, in order, by digest. Values are never
/// saved: `apply` reads the files again and takes the `--var` values from its
/// own command line, and refuses if any differs.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Variables {
    /// In precedence order.
    pub inputs: Vec<VariableDigest>,
}

/// A variables file, or a `--var` value, by digest.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum VariableDigest {
    /// A `.tfvars` file (`file` is its path).
    File(SourceDigest),
    /// A `--var` (`file` is the variable's name).
    Argument(SourceDigest),
}

impl Variables {
    fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// The digests of a loaded configuration's variable files and arguments.
    pub fn of(loaded: &Loaded) -> Variables {
        let inputs = loaded
            .config
            .variables
            .iter()
            .filter_map(|v| match v {
                VariableInput::Environment(_) => None,
                VariableInput::File(f) => Some(VariableDigest::File(SourceDigest::of(
                    f.file_name.as_deref().unwrap_or(""),
                    &f.source,
                ))),
                VariableInput::Argument(a) => Some(VariableDigest::Argument(SourceDigest::of(
                    &a.name, &a.value,
                ))),
            })
            .collect();
        Variables { inputs }
    }
}

/// The configuration a saved plan was made from, read again: its spec files
/// and variables files (each unchanged, or the plan is stale), the
/// environment's variables, and the `--var` values the plan recorded, taken
/// from `args` (the same values, or the plan is refused).
pub fn configuration(saved: &SavedPlan, args: &ConfigArgs) -> Result<Configuration, CliError> {
    if !args.var_files.is_empty() {
        return Err(CliError::Stop(
            "a saved plan reads the variables files it was made with; drop --var-file".into(),
        ));
    }
    let mut sources = Vec::new();
    for digest in &saved.sources {
        let text = input::read_text(Path::new(&digest.file))?;
        unchanged(digest, &text)?;
        sources.push(SourceInput {
            source: text,
            format: None,
            file_name: Some(digest.file.clone()),
        });
    }
    let mut variables: Vec<VariableInput> = configuration::environment();
    for input in &saved.variables.inputs {
        match input {
            VariableDigest::File(digest) => {
                let text = input::read_text(Path::new(&digest.file))?;
                unchanged(digest, &text)?;
                variables.push(VariableInput::File(VariableFile {
                    source: text,
                    file_name: Some(digest.file.clone()),
                }));
            }
            VariableDigest::Argument(digest) => {
                let name = &digest.file;
                let value = args
                    .vars
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v)
                    .filter(|v| SourceDigest::of(name, v).sha256 == digest.sha256)
                    .ok_or_else(|| {
                        CliError::Stop(format!(
                            "the plan was made with --var {name}=...; give the same value to apply it (values are not saved in plans)"
                        ))
                    })?;
                variables.push(VariableInput::Argument(NamedValue {
                    name: name.clone(),
                    value: value.clone(),
                }));
            }
        }
    }
    Ok(Configuration {
        sources,
        variables,
        workspace: None,
    })
}

fn unchanged(digest: &SourceDigest, text: &str) -> Result<(), CliError> {
    if SourceDigest::of(&digest.file, text).sha256 == digest.sha256 {
        return Ok(());
    }
    Err(CliError::Stop(format!(
        "stale plan: {} changed since the plan was made; run `kasm-plan plan --out` again",
        digest.file
    )))
}

/// Now, as plan JSON's `timestamp` writes it.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// Terraform's plan JSON for a plan, with its `timestamp`.
pub fn terraform_json(
    core: &mut crate::Core,
    plan: &kasm_plan_core::Plan,
    timestamp: String,
) -> Result<serde_json::Value, CliError> {
    let mut json = core.plan_to_json(plan.clone())?;
    if let Some(o) = json.as_object_mut() {
        o.insert("timestamp".into(), timestamp.into());
    }
    Ok(json)
}

/// Writes the file atomically: a complete plan or none.
pub fn write(path: &Path, saved: &SavedPlan) -> Result<(), CliError> {
    let mut text = serde_json::to_vec_pretty(saved)?;
    text.push(b'\n');
    crate::atomic::write(path, &text).map_err(|source| CliError::Write {
        path: path.display().to_string(),
        source,
    })
}

/// Reads a saved plan, refusing other JSON files.
pub fn read(path: &Path) -> Result<SavedPlan, InputError> {
    let value: serde_json::Value = input::json(path, "JSON")?;
    let shape = |message: String| InputError::Shape {
        path: path.to_path_buf(),
        message,
    };
    if value.get("kind").and_then(|k| k.as_str()) != Some(KIND) {
        return Err(InputError::NotA {
            path: path.to_path_buf(),
            what: "a saved plan (make one with `kasm-plan plan --out FILE`)",
        });
    }
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) if v < u64::from(VERSION) => {
            return Err(shape(format!(
                "a saved plan of format {v}, made by an older kasm-plan; this one applies format {VERSION} only. Run `kasm-plan plan --out FILE` again"
            )));
        }
        Some(v) => {
            return Err(shape(format!(
                "a saved plan of format {v}, made by a newer kasm-plan; this one applies format {VERSION}: upgrade kasm-plan, or run `kasm-plan plan --out FILE` again with this one"
            )));
        }
        None => {
            return Err(shape(
                "a damaged saved plan: it has no format version".into(),
            ));
        }
    }
    serde_json::from_value(value).map_err(|e| shape(format!("a damaged saved plan: {e}")))
}

/// Whether `path` holds a saved plan (rather than a spec file).
pub fn is_saved_plan(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("kind").and_then(|k| k.as_str()) == Some(KIND))
}

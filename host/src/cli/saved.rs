//! Saved plans (`plan --out`): the plan with what it was made from, so `show`
//! can render it and `apply` can tell whether it is still current.

use super::CliError;
use super::input::{self, InputError};
use kasm_plan_core::{Diagnostic, Plan};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use std::path::Path;

/// The `kind` of a saved plan file.
pub const KIND: &str = "kasm-plan/saved-plan";

/// A saved plan. Secrets appear only as `(sensitive value)` or a fingerprint.
#[derive(Debug, Serialize, Deserialize)]
pub struct SavedPlan {
    /// Always [`KIND`].
    pub kind: String,
    /// Format version, 1.
    pub version: u32,
    /// The spec files, with a digest of each text.
    pub sources: Vec<SourceDigest>,
    /// The state file the plan started from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_file: Option<String>,
    /// Warnings from validation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
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
    serde_json::from_value(value).map_err(|e| shape(format!("a damaged saved plan: {e}")))
}

/// Whether `path` holds a saved plan (rather than a spec file).
pub fn is_saved_plan(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("kind").and_then(|k| k.as_str()) == Some(KIND))
}

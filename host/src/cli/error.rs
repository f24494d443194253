//! Why a command failed: each layer's typed error, and the reasons a run
//! stops on purpose. Rendered once, as `Error: ...`, by [`super::run`].

use super::input::InputError;
use super::server::ConnectError;
use crate::kasm::KasmError;
use crate::state_file::StateError;
use crate::{CoreError, SandboxError};

/// A failed command; it exits 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The component file given cannot be read.
    #[error("cannot read the component {}: {source}", .path.display())]
    ReadComponent {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The core's component cannot be loaded.
    #[error("cannot load {what}: {source}")]
    Load {
        /// The built-in component, or the file given.
        what: String,
        /// Why.
        source: SandboxError,
    },
    /// The core gave no answer.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A file named on the command line.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The state file.
    #[error(transparent)]
    State(#[from] StateError),
    /// No client or server to talk to.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// A request to Kasm failed.
    #[error("{context}: {source}")]
    Kasm {
        /// What the request was for.
        context: String,
        /// Why it failed.
        source: KasmError,
    },
    /// A file the command writes.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Output cannot be encoded.
    #[error("cannot encode the output: {0}")]
    Encode(#[from] serde_json::Error),
    /// The run stops by rule (invalid configuration, stale plan, no approval, ...).
    #[error("{0}")]
    Stop(String),
}

impl CliError {
    /// A plan the core refused: what was wrong (the one error, or how many),
    /// and that nothing was `done` ("planned", "applied"). The diagnostics
    /// themselves are printed before it.
    pub fn refused(diagnostics: &[kasm_plan_core::Diagnostic], done: &str) -> CliError {
        let errors: Vec<&str> = diagnostics
            .iter()
            .filter(|d| d.severity == kasm_plan_core::Severity::Error)
            .map(|d| d.message.as_str())
            .collect();
        CliError::Stop(match errors.as_slice() {
            [one] => format!("{one}; nothing was {done}"),
            many => format!("{} errors (above); nothing was {done}", many.len()),
        })
    }

    /// A request to Kasm failed while doing `context`.
    pub fn kasm(context: impl Into<String>) -> impl FnOnce(KasmError) -> CliError {
        let context = context.into();
        move |source| CliError::Kasm { context, source }
    }
}

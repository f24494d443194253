//! `read_terraform_state`: what a state the Terraform provider wrote binds,
//! for `kasm-plan state import-terraform`.

use super::adopt::Binding;
use crate::diagnostic::{Diagnostic, has_errors};
use crate::state::State;
use serde::{Deserialize, Serialize};

/// `read_terraform_state` input.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TerraformStateRequest {
    /// The text of `terraform.tfstate` (format version 4).
    pub text: String,
    /// The state here: addresses it already binds to the same ids are not imported again.
    #[serde(default)]
    pub state: State,
}

/// `read_terraform_state` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TerraformStateResponse {
    /// No errors: the bindings may be imported.
    pub ok: bool,
    /// Each address to import and Kasm's id, as `import` takes them.
    pub bindings: Vec<Binding>,
    /// Addresses the state here already binds to the same id.
    pub bound: Vec<String>,
    /// Why it cannot be read, and what is left out.
    pub diagnostics: Vec<Diagnostic>,
}

/// `read_terraform_state`.
pub fn read_terraform_state(req: &TerraformStateRequest) -> TerraformStateResponse {
    let read = crate::terraform_state::bindings(&req.text, &req.state);
    TerraformStateResponse {
        ok: !has_errors(&read.diagnostics),
        bindings: read
            .import
            .into_iter()
            .map(|(address, id)| Binding { address, id })
            .collect(),
        bound: read.bound,
        diagnostics: read.diagnostics,
    }
}

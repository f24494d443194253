//! `outputs`: the outputs' values once what the state records is on Kasm,
//! for the CLI to record and print after an apply.

use super::plan::PlanRequest;
use super::sources::wanted;
use crate::change::OutputChange;
use crate::diagnostic::{Diagnostic, has_errors};
use crate::lang::Reads;
use serde::{Deserialize, Serialize};

/// `outputs` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputsResponse {
    /// Each declared output against the request's state (`before` is what
    /// the state recorded; every id in the state is known).
    pub outputs: Vec<OutputChange>,
    /// The configuration's problems; no outputs when there are errors.
    pub diagnostics: Vec<Diagnostic>,
}

/// `outputs`: the request's `desired`, `state`, `observed` and `access`
/// (for data sources) are read; of the planning options, only `destroy`.
pub fn outputs(req: &PlanRequest) -> OutputsResponse {
    let access = req.access.as_ref();
    let reads = Reads {
        images: Some(&req.observed),
        groups: access.map(|a| a.groups.as_slice()),
        users: access.and_then(|a| a.users.as_deref()),
        unset_variables_unknown: false,
    };
    let (wanted, diagnostics) = wanted(&req.desired, req.strict, reads);
    // After a destroy no output is left.
    let outputs = if has_errors(&diagnostics) || req.options.destroy {
        Vec::new()
    } else {
        crate::outputs::recorded(&wanted.outputs, &req.state)
    };
    OutputsResponse {
        outputs,
        diagnostics,
    }
}

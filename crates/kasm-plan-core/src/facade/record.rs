//! `record`: the record a finished call leaves in the state, of any type.

use crate::diagnostic::{Code, Diagnostic};
use crate::object::ObjectRecord;
use crate::state::recorded::{Answered, recorded};
use serde::{Deserialize, Serialize};

/// `record` input: the step's record of an address, and what the call told.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordRequest {
    /// The address recorded.
    pub address: String,
    /// The step's record: for an image, its values are laid over Kasm's
    /// answer (a registry token's fingerprint), with its `prevent_destroy`.
    pub record: ObjectRecord,
    /// What the call told: Kasm's answer, the ids filled in, the new id.
    #[serde(default)]
    pub answered: Answered,
}

/// `record` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordResponse {
    /// The record to write under the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<ObjectRecord>,
    /// Why there is none (an answer that is not the object, a new id
    /// Kasm did not give).
    pub diagnostics: Vec<Diagnostic>,
}

/// `record`: the record to write after a call, of any type.
pub fn record(req: &RecordRequest) -> RecordResponse {
    match recorded(&req.address, req.record.clone(), &req.answered) {
        Ok(record) => RecordResponse {
            record: Some(record),
            diagnostics: Vec::new(),
        },
        Err(message) => RecordResponse {
            record: None,
            diagnostics: vec![
                Diagnostic::error(Code::InvalidRequest, message).at(&req.address, ""),
            ],
        },
    }
}

//! `record`: the record a finished call leaves in the state, of any type.

use crate::diagnostic::{Code, Diagnostic};
use crate::object::ObjectRecord;
use crate::state::recorded;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `record` input: what Kasm answered for an address, and what the step
/// records with it.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordRequest {
    /// The address recorded.
    pub address: String,
    /// The object Kasm answered with (an image as `create_image` and
    /// `update_image` answer it, or as `get_images` lists it).
    #[cfg_attr(feature = "typescript", ts(type = "unknown"))]
    pub answer: Value,
    /// The step's record: its values are laid over Kasm's (a registry
    /// token's fingerprint), with its `prevent_destroy`.
    pub record: ObjectRecord,
}

/// `record` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordResponse {
    /// The record to write under the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<ObjectRecord>,
    /// Why there is none (an answer that is not the object).
    pub diagnostics: Vec<Diagnostic>,
}

/// `record`: the record to write after a create, update or adopt.
pub fn record(req: &RecordRequest) -> RecordResponse {
    match recorded(&req.address, &req.answer, req.record.clone()) {
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

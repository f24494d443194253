//! `record`: the state entry for an image Kasm returned.

use crate::apply::Recording;
use crate::model::Image;
use crate::state::StateResource;
use serde::{Deserialize, Serialize};

/// `record` input: an image Kasm returned, and what the step adds.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordRequest {
    /// The image as Kasm returned it.
    pub image: Image,
    /// What the step records with it.
    #[serde(flatten)]
    pub recording: Recording,
}

/// `record`: the state entry for an image after a create, update, adopt or import.
pub fn record(req: &RecordRequest) -> StateResource {
    StateResource::recorded(
        &req.image,
        req.recording.token_fingerprint.as_deref(),
        req.recording.prevent_destroy,
    )
}

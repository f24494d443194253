//! `recognise`: the image a create made although its answer was lost.

use crate::apply;
use crate::model::Image;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `recognise` input: a create body and the images Kasm lists now.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecogniseRequest {
    /// The `target_image` that was sent.
    pub target_image: Map<String, Value>,
    /// `get_images` after the failure.
    pub images: Vec<Image>,
    /// Image ids already bound to an address (never recognised).
    #[serde(default)]
    pub owned: Vec<String>,
}

/// `recognise`: the unowned image that matches a create body exactly, if any.
pub fn recognise(req: &RecogniseRequest) -> Option<Image> {
    let owned = req.owned.iter().map(|id| apply::canon(id)).collect();
    apply::recognise(&req.target_image, &req.images, &owned).cloned()
}

//! `filter`: the `kasm_images` data source over a list of images.

use crate::diagnostic::Diagnostic;
use crate::filter::{ImageFilter, filter_images};
use crate::model::Image;
use serde::{Deserialize, Serialize};

/// `filter` input: the images and the data source's arguments.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterRequest {
    /// The images (`get_images`).
    pub images: Vec<Image>,
    /// Name and enabled filter.
    #[serde(flatten)]
    pub filter: ImageFilter,
}

/// `filter` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilterResponse {
    /// Matching images, in input order.
    pub images: Vec<Image>,
    /// A bad pattern, if any.
    pub diagnostics: Vec<Diagnostic>,
}

/// `filter`.
pub fn filter(req: &FilterRequest) -> FilterResponse {
    match filter_images(&req.images, &req.filter) {
        Ok(images) => FilterResponse {
            images: images.into_iter().cloned().collect(),
            diagnostics: Vec::new(),
        },
        Err(d) => FilterResponse {
            images: Vec::new(),
            diagnostics: vec![*d],
        },
    }
}

//! `format`: an HCL file in the canonical layout (`kasm-plan fmt`).

use crate::diagnostic::Diagnostic;
use serde::{Deserialize, Serialize};

/// `format` input: one HCL file (`.tf`, `.tfvars`, `.hcl`).
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FormatRequest {
    /// The text.
    pub source: String,
    /// Tags the diagnostic of a text that does not parse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

/// `format` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormatResponse {
    /// The formatted text; absent when the text does not parse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    /// Whether formatting changes the text.
    pub changed: bool,
    /// Why the text was not formatted.
    pub diagnostics: Vec<Diagnostic>,
}

/// `format`.
pub fn format(req: &FormatRequest) -> FormatResponse {
    match crate::format::format_hcl(&req.source) {
        Ok(formatted) => FormatResponse {
            changed: formatted != req.source,
            formatted: Some(formatted),
            diagnostics: Vec::new(),
        },
        Err(d) => {
            let mut d = *d;
            d.file.clone_from(&req.file_name);
            FormatResponse {
                formatted: None,
                changed: false,
                diagnostics: vec![d],
            }
        }
    }
}

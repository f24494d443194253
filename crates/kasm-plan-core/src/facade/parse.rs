//! `parse`: the specs of one source by resource name.

use super::sources::{SourceInput, check_source, finish};
use crate::diagnostic::Diagnostic;
use crate::model::ImageSpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `parse` output: specs by resource name, and parse and type errors only.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParseResponse {
    /// The specs that parsed without error.
    pub specs: BTreeMap<String, ImageSpec>,
    /// Syntax, shape and type problems.
    pub diagnostics: Vec<Diagnostic>,
}

/// `parse`.
pub fn parse(req: &SourceInput) -> ParseResponse {
    let (resources, mut diagnostics) = check_source(req);
    finish(&mut diagnostics, false, std::slice::from_ref(req));
    let specs = resources
        .into_iter()
        .filter(|r| r.valid)
        .map(|r| (r.name, r.spec.redacted()))
        .collect();
    ParseResponse { specs, diagnostics }
}

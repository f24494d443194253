//! `validate`: every problem in one or several spec sources, at once.

use super::sources::{
    Configuration, SourceInput, Sources, validate_configuration, validate_source,
};
use crate::diagnostic::Diagnostic;
use crate::lang::VariableInput;
use crate::parse::Format;
use serde::{Deserialize, Serialize};

/// `validate` input.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ValidateWire")]
pub struct ValidateRequest {
    /// The source or sources.
    #[serde(flatten)]
    pub input: Sources,
    /// Treat warnings as errors.
    #[serde(default)]
    pub strict: bool,
}

/// `validate` input as sent: `source` (with `format`, `file_name`) or
/// `sources` (with `variables`).
#[derive(Deserialize)]
struct ValidateWire {
    sources: Option<Vec<SourceInput>>,
    #[serde(default)]
    variables: Vec<VariableInput>,
    source: Option<String>,
    #[serde(default)]
    format: Option<Format>,
    #[serde(default)]
    file_name: Option<String>,
    #[serde(default)]
    strict: bool,
}

impl TryFrom<ValidateWire> for ValidateRequest {
    type Error = &'static str;

    fn try_from(w: ValidateWire) -> Result<Self, Self::Error> {
        let input = match (w.sources, w.source) {
            (Some(sources), None) => Sources::Many(Configuration {
                sources,
                variables: w.variables,
            }),
            (None, Some(_)) if !w.variables.is_empty() => {
                return Err("variable values go with `sources`, a configuration of files");
            }
            (None, Some(source)) => Sources::One(SourceInput {
                source,
                format: w.format,
                file_name: w.file_name,
            }),
            (Some(_), Some(_)) => return Err("give either `source` or `sources`, not both"),
            (None, None) => {
                return Err("missing field `source` (a spec text) or `sources` (a list of them)");
            }
        };
        Ok(ValidateRequest {
            input,
            strict: w.strict,
        })
    }
}

/// `validate` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValidateResponse {
    /// No errors.
    pub valid: bool,
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
    /// Every problem, ordered by position.
    pub diagnostics: Vec<Diagnostic>,
}

/// `validate`.
pub fn validate(req: &ValidateRequest) -> ValidateResponse {
    let (_, diagnostics) = match &req.input {
        Sources::One(input) => validate_source(input, req.strict),
        Sources::Many(config) => validate_configuration(config, req.strict),
    };
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    ValidateResponse {
        valid: errors == 0,
        errors,
        warnings: diagnostics.len() - errors,
        diagnostics,
    }
}

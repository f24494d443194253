//! `validate`: every problem in one or several spec sources, at once.

use super::sources::{Checked, Configuration, SourceInput, Sources, check_configuration};
use crate::diagnostic::Diagnostic;
use crate::lang::Reads;
use crate::lang::VariableInput;
use crate::lang::config::BackendBlock;
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
    /// A variable without a value is unknown, and what uses it is left
    /// unchecked (as `terraform validate`, which needs no values); otherwise
    /// each is a `missing_variable` error, as a plan needs every value.
    #[serde(default)]
    pub unset_variables_unknown: bool,
}

/// `validate` input as sent: `source` (with `format`, `file_name`) or
/// `sources` (with `variables`).
#[derive(Deserialize)]
struct ValidateWire {
    sources: Option<Vec<SourceInput>>,
    #[serde(default)]
    variables: Vec<VariableInput>,
    #[serde(default)]
    workspace: Option<String>,
    source: Option<String>,
    #[serde(default)]
    format: Option<Format>,
    #[serde(default)]
    file_name: Option<String>,
    #[serde(default)]
    strict: bool,
    #[serde(default)]
    unset_variables_unknown: bool,
}

impl TryFrom<ValidateWire> for ValidateRequest {
    type Error = &'static str;

    fn try_from(w: ValidateWire) -> Result<Self, Self::Error> {
        let input = match (w.sources, w.source) {
            (Some(sources), None) => Sources::Many(Configuration {
                sources,
                variables: w.variables,
                workspace: w.workspace,
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
            unset_variables_unknown: w.unset_variables_unknown,
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
    /// The configuration's `terraform { backend ... }` block, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<BackendBlock>,
    /// The `provider "kasm"` block's settings, when it has one (the key is
    /// never in the JSON answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<crate::lang::config::ProviderSettings>,
    /// Every resource instance checked (images, groups, links, then any other
    /// address a diagnostic names): one test case each in JUnit reports, and
    /// where a policy finding about it points in SARIF.
    #[serde(default)]
    pub resources: Vec<CheckedResource>,
}

/// A resource instance `validate` checked, and where it is declared.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckedResource {
    /// `kasm_image.web`, `kasm_image.pool[0]`.
    pub address: String,
    /// The file that declares it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Where its block starts (images; groups and links are not located yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<crate::diagnostic::Location>,
    /// Where each argument it sets stands, by name.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub arguments: std::collections::BTreeMap<String, crate::diagnostic::Location>,
}

/// `validate`.
pub fn validate(req: &ValidateRequest) -> ValidateResponse {
    let config = req.input.configuration();
    let reads = Reads {
        unset_variables_unknown: req.unset_variables_unknown,
        ..Reads::default()
    };
    let (checked, diagnostics) = check_configuration(config, req.strict, false, reads);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let resources = addresses(&checked, &diagnostics);
    ValidateResponse {
        valid: errors == 0,
        errors,
        warnings: diagnostics.len() - errors,
        diagnostics,
        backend: checked.backend,
        provider: checked.provider,
        resources,
    }
}

/// The instances checked, and the addresses only diagnostics name (those that failed typing).
pub(super) fn addresses(checked: &Checked, diagnostics: &[Diagnostic]) -> Vec<CheckedResource> {
    let mut out: Vec<CheckedResource> = checked
        .resources
        .iter()
        .map(|r| CheckedResource {
            address: r.address.clone(),
            file: r.file.as_deref().map(str::to_owned),
            location: r.location,
            arguments: crate::field::Field::ALL
                .iter()
                .filter_map(|f| {
                    Some((
                        f.spec_name().to_owned(),
                        r.field_locations.get(f.index()).copied().flatten()?,
                    ))
                })
                .collect(),
        })
        .collect();
    let groups = checked.access.groups.iter().map(|g| &g.address);
    let links = checked.access.links.iter().map(|l| &l.address);
    let objects = checked.access.objects.iter().map(|o| &o.address);
    let named = diagnostics.iter().filter_map(|d| d.address.as_ref());
    for address in groups.chain(links).chain(objects).chain(named) {
        if !out.iter().any(|r| &r.address == address) {
            out.push(CheckedResource {
                address: address.clone(),
                file: None,
                location: None,
                arguments: std::collections::BTreeMap::new(),
            });
        }
    }
    out
}

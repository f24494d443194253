//! `adopt`: a configuration and state bindings for images already on Kasm,
//! so that the next plan is empty.

use super::sources::{Configuration, SourceInput, validate_configuration};
use crate::access::Access;
use crate::adopt::GeneratedFile;
use crate::diagnostic::{Diagnostic, has_errors};
use crate::filter::{ImageFilter, filter_images};
use crate::model::Image;
use crate::state::State;
use serde::{Deserialize, Serialize};

/// `adopt` input.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdoptRequest {
    /// The images on Kasm (`get_images`).
    pub images: Vec<Image>,
    /// Which images to adopt; all when empty.
    #[serde(default)]
    pub filter: ImageFilter,
    /// Kasm's groups and links: with them, the adopted images' links are adopted too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    /// The state now; images it binds are left out.
    #[serde(default)]
    pub state: State,
}

/// One address bound by `adopt`.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// The address.
    pub address: String,
    /// Kasm's id (a link's is `group_id:image_id`).
    pub id: String,
}

/// `adopt` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdoptResponse {
    /// The files are valid and the state is ready to write.
    pub ok: bool,
    /// The configuration: `images.tf`, `authorization.tf`, `variables.tf`.
    pub files: Vec<GeneratedFile>,
    /// The state with the bindings, to write after the files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
    /// What was bound.
    pub bound: Vec<Binding>,
    /// A bad filter, or problems the generated files have (warnings included).
    pub diagnostics: Vec<Diagnostic>,
}

/// `adopt`.
pub fn adopt(req: &AdoptRequest) -> AdoptResponse {
    let images: Vec<&Image> = match filter_images(&req.images, &req.filter) {
        Ok(images) => images,
        Err(d) => {
            return AdoptResponse {
                ok: false,
                files: Vec::new(),
                state: None,
                bound: Vec::new(),
                diagnostics: vec![*d],
            };
        }
    };
    let adoption = crate::adopt::adopt(&images, req.access.as_ref(), &req.state);
    let configuration = Configuration {
        sources: adoption.files.iter().map(SourceInput::from).collect(),
        variables: Vec::new(),
        workspace: None,
    };
    let (_, diagnostics) = validate_configuration(&configuration, false);
    // A token variable has no value yet: that is for the user to give.
    let diagnostics: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| d.code != crate::Code::MissingVariable)
        .collect();
    let ok = !has_errors(&diagnostics);
    AdoptResponse {
        ok,
        files: adoption.files,
        state: ok.then_some(adoption.state),
        bound: adoption
            .bound
            .into_iter()
            .map(|(address, id)| Binding { address, id })
            .collect(),
        diagnostics,
    }
}

impl From<&GeneratedFile> for super::SourceInput {
    fn from(f: &GeneratedFile) -> Self {
        super::SourceInput {
            source: f.source.clone(),
            format: None,
            file_name: Some(f.file_name.clone()),
        }
    }
}

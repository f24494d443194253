//! `import`: adopt an image that already exists on Kasm under an address.

use super::sources::{Configuration, check_configuration};
use crate::access::Access;
use crate::access::import::{self as access, is_access_address};
use crate::diagnostic::{Code, Diagnostic};
use crate::lang::Reads;
use crate::model::{Image, canonical_uuid};
use crate::object::ObjectRecord;
use crate::plan::name_of;
use crate::state::{State, image_record};
use serde::{Deserialize, Serialize};

/// `import` input: the address and id the user gave, the state and Kasm's images.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportRequest {
    /// The address to bind, e.g. `kasm_image.terminal`.
    pub address: String,
    /// The image id (32 hex digits, hyphens allowed).
    pub image_id: String,
    /// The state now.
    #[serde(default)]
    pub state: State,
    /// The images on Kasm now.
    pub images: Vec<Image>,
    /// Kasm's groups and links, to import a `kasm_group` (id or
    /// `name:<name>`) or a `kasm_group_image` (`<group_id>:<image_id>`);
    /// with its users and sessions, to import a `kasm_user` (id or
    /// `username:<name>`), a `kasm_group_membership` (`<group_id>:<user_id>`)
    /// or a `kasm_session` (`<kasm_id>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    /// The configuration that must declare the address (as Terraform, an
    /// import binds only a resource the configuration has, so the next plan
    /// cannot delete what was just imported). Absent, the address is not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Configuration>,
}

/// `import` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportResponse {
    /// The image may be bound to the address.
    pub ok: bool,
    /// The image imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    /// The record to write under the address, of any type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectRecord>,
    /// Why the import is refused.
    pub diagnostics: Vec<Diagnostic>,
}

/// `import`: the state entry for the image, unless the address is invalid or
/// taken, the id is not an id, the image is bound elsewhere or not on Kasm.
pub fn import(req: &ImportRequest) -> ImportResponse {
    let refused = |refusal: Box<Diagnostic>| ImportResponse {
        ok: false,
        image: None,
        object: None,
        diagnostics: vec![*refusal],
    };
    if let Err(refusal) = declared(req) {
        return refused(refusal);
    }
    if is_access_address(&req.address) {
        let access = req.access.clone().unwrap_or_default();
        return match access::import(&req.address, &req.image_id, &req.state, &access) {
            Ok(object) => ImportResponse {
                ok: true,
                image: None,
                object: Some(object),
                diagnostics: Vec::new(),
            },
            Err(refusal) => refused(refusal),
        };
    }
    match found(req) {
        Ok(image) => ImportResponse {
            ok: true,
            image: Some(image.clone()),
            object: Some(image_record(image, None, false)),
            diagnostics: Vec::new(),
        },
        Err(refusal) => refused(refusal),
    }
}

/// Refuses an address the configuration does not declare.
fn declared(req: &ImportRequest) -> Result<(), Box<Diagnostic>> {
    let Some(config) = &req.configuration else {
        return Ok(());
    };
    let (checked, diagnostics) = check_configuration(config, false, false, Reads::default());
    let address = req.address.as_str();
    if super::validate::addresses(&checked, &diagnostics)
        .iter()
        .any(|r| r.address == address)
    {
        return Ok(());
    }
    let (kind, rest) = address.split_once('.').unwrap_or((address, ""));
    let name = rest.split('[').next().unwrap_or(rest);
    Err(Box::new(
        Diagnostic::error(
            Code::InvalidAddress,
            format!("the configuration does not declare {address}, so there is nothing to import it into"),
        )
        .at(address, "")
        .help(format!(
            "add its resource block first (resource \"{kind}\" \"{name}\" {{ ... }}), then import; a binding without one would be destroyed by the next plan"
        )),
    ))
}

/// The image to import, or the first reason not to.
fn found(req: &ImportRequest) -> Result<&Image, Box<Diagnostic>> {
    let address = req.address.as_str();
    let refuse = |code, message: String, help: &str| {
        Box::new(Diagnostic::error(code, message).at(address, "").help(help))
    };
    if name_of(address).is_none() {
        return Err(refuse(
            Code::InvalidAddress,
            format!("`{address}` is not a kasm_image, kasm_group or kasm_group_image address"),
            "addresses look like kasm_image.terminal: a letter or _, then letters, digits, _ or -",
        ));
    }
    let Some(id) = canonical_uuid(&req.image_id) else {
        return Err(refuse(
            Code::InvalidUuid,
            format!(
                "`{}` is not a Kasm image id (32 hex digits, hyphens allowed)",
                req.image_id
            ),
            "copy the id from Kasm's admin UI or `kasm-plan images`",
        ));
    };
    if let Some(r) = req.state.image(address) {
        return Err(refuse(
            Code::InvalidState,
            format!("{address} is already in the state (image {})", r.id),
            "forget it first (`kasm-plan state rm`) to rebind it",
        ));
    }
    let canonical = |other: &str| canonical_uuid(other).as_deref() == Some(id.as_str());
    if let Some((other, _)) = req.state.images().find(|(_, r)| canonical(&r.id)) {
        return Err(refuse(
            Code::InvalidState,
            format!("image {id} is already bound to {other}"),
            "one image cannot belong to two addresses",
        ));
    }
    req.images
        .iter()
        .find(|i| canonical(&i.image_id))
        .ok_or_else(|| {
            refuse(
                Code::ImageNotFound,
                format!("Kasm has no image with id {id}"),
                "list the images with `kasm-plan images`",
            )
        })
}

//! `import`: bind what already exists on Kasm to an address.

use super::sources::{Configuration, check_configuration};
use crate::access::Access;
use crate::access::import::{self as access, Kasm};
use crate::address::{RESOURCE_TYPE, type_of};
use crate::diagnostic::{Code, Diagnostic};
use crate::group::same_id;
use crate::lang::Reads;
use crate::model::Image;
use crate::object::ObjectRecord;
use crate::schema::tables::parse_address;
use crate::state::State;
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

/// `import`: the record to write under the address, unless the address is
/// invalid, undeclared or taken, the id is not one, or what it names is
/// bound to another address or not on Kasm. Every type is imported by the
/// same rule (`access::import`), as an `import` block is.
pub fn import(req: &ImportRequest) -> ImportResponse {
    let refused = |refusal: Box<Diagnostic>| ImportResponse {
        ok: false,
        image: None,
        object: None,
        diagnostics: vec![*refusal],
    };
    if let Err(refusal) = declared(req).and_then(|()| valid(&req.address)) {
        return refused(refusal);
    }
    let access = req.access.clone().unwrap_or_default();
    let kasm = Kasm {
        images: &req.images,
        access: &access,
    };
    match access::import(&req.address, &req.image_id, &req.state, kasm) {
        Ok(object) => ImportResponse {
            ok: true,
            image: (type_of(&req.address) == Some(RESOURCE_TYPE))
                .then(|| req.images.iter().find(|i| same_id(&i.image_id, &object.id)))
                .flatten()
                .cloned(),
            object: Some(object),
            diagnostics: Vec::new(),
        },
        Err(refusal) => refused(refusal),
    }
}

/// Refuses an address that is not one of a type kasm-plan manages, as
/// `validate` would.
fn valid(address: &str) -> Result<(), Box<Diagnostic>> {
    if parse_address(address).is_some() {
        return Ok(());
    }
    Err(Box::new(
        Diagnostic::error(
            Code::InvalidAddress,
            format!("`{address}` is not the address of a resource kasm-plan manages"),
        )
        .at(address, "")
        .help(
            "addresses look like kasm_image.terminal: a type, then a letter or _, then letters, digits, _ or -",
        ),
    ))
}

/// Refuses an address the configuration does not declare.
fn declared(req: &ImportRequest) -> Result<(), Box<Diagnostic>> {
    let Some(config) = &req.configuration else {
        return Ok(());
    };
    let (checked, diagnostics) =
        check_configuration(config.borrowed(), false, false, Reads::default());
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

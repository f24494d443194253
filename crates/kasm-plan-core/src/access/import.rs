//! `import` of an instance of any type, by the CLI's `import` and by an
//! `import` block alike: an image (its `image_id`), a group (`<group_id>` or
//! `name:<group name>`, as the Terraform provider takes it), a link
//! (`<group_id>:<image_id>`), a user (`<user_id>` or `username:<name>`), a
//! membership (`<group_id>:<user_id>`) or a session (`<kasm_id>`).

use crate::address::RESOURCE_TYPE;
use crate::diagnostic::{Code, Diagnostic};
use crate::group::{Access, same_id};
use crate::model::{Image, canonical_uuid};
use crate::object::ObjectRecord;
use crate::schema::tables;
use crate::schema::tables::parse_address;
use crate::state::{State, image_record};

/// What Kasm has now, to import from: its images, and what its tables read.
#[derive(Clone, Copy)]
pub struct Kasm<'a> {
    /// `get_images`.
    pub images: &'a [Image],
    /// Groups, links, users, memberships and sessions.
    pub access: &'a Access,
}

/// The record to bind under `address`, or the first reason not to.
pub fn import(
    address: &str,
    id: &str,
    state: &State,
    kasm: Kasm,
) -> Result<ObjectRecord, Box<Diagnostic>> {
    let refuse = |code, message: String, help: &str| {
        Box::new(Diagnostic::error(code, message).at(address, "").help(help))
    };
    if state.objects.contains_key(address) {
        return Err(refuse(
            Code::InvalidState,
            format!("{address} is already in the state"),
            "forget it first (`kasm-plan state rm`) to rebind it",
        ));
    }
    let record = match parse_address(address) {
        Some((RESOURCE_TYPE, _)) => image(address, id, kasm.images)?,
        _ => object(address, id, kasm.access)?,
    };
    unbound(address, record, state)
}

/// The record of an image Kasm lists, as an import writes it (no
/// fingerprint, no `prevent_destroy`).
fn image(address: &str, id: &str, images: &[Image]) -> Result<ObjectRecord, Box<Diagnostic>> {
    let refuse = |code, message: String, help: &str| {
        Box::new(Diagnostic::error(code, message).at(address, "").help(help))
    };
    let Some(id) = canonical_uuid(id) else {
        return Err(refuse(
            Code::InvalidUuid,
            format!("`{id}` is not a Kasm image id (32 hex digits, hyphens allowed)"),
            "copy the id from Kasm's admin UI or `kasm-plan images`",
        ));
    };
    images
        .iter()
        .find(|i| same_id(&i.image_id, &id))
        .map(|image| image_record(image, None, false))
        .ok_or_else(|| {
            refuse(
                Code::ImageNotFound,
                format!("Kasm has no image with id {id}"),
                "list the images with `kasm-plan images`",
            )
        })
}

/// The record of what Kasm has (a group, a link, a user, a membership, a
/// session), as an apply would have written it; a refusal says what Kasm lacks.
fn object(address: &str, id: &str, access: &Access) -> Result<ObjectRecord, Box<Diagnostic>> {
    let table = parse_address(address).and_then(|(kind, _)| tables::resource(kind));
    let Some(table) = table else {
        return Err(Box::new(
            Diagnostic::error(
                Code::InvalidState,
                format!("{address} is not imported by its table"),
            )
            .at(address, ""),
        ));
    };
    super::seen::View::of(table, access)
        .imported(id)
        .map_err(|(message, help)| {
            Box::new(
                Diagnostic::error(table.not_found, message)
                    .at(address, "")
                    .help(help),
            )
        })
}

/// The record, unless another address of its type binds the same object.
fn unbound(
    address: &str,
    record: ObjectRecord,
    state: &State,
) -> Result<ObjectRecord, Box<Diagnostic>> {
    let kind = crate::address::type_of(address);
    let other = state
        .objects
        .iter()
        .find(|(a, r)| crate::address::type_of(a) == kind && same_pair(&r.id, &record.id));
    match other {
        Some((other, _)) => Err(Box::new(
            Diagnostic::error(
                Code::InvalidState,
                format!("{} is already bound to {other}", record.id),
            )
            .at(address, "")
            .help("one Kasm object cannot belong to two addresses"),
        )),
        None => Ok(record),
    }
}

/// Ids equal whatever their form; a pair's sides each.
fn same_pair(a: &str, b: &str) -> bool {
    match (a.split_once(':'), b.split_once(':')) {
        (Some((a1, a2)), Some((b1, b2))) => same_id(a1, b1) && same_id(a2, b2),
        (None, None) => same_id(a, b),
        _ => false,
    }
}

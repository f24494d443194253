//! `import` of a group (`<group_id>` or `name:<group name>`, as the
//! Terraform provider takes it), a link (`<group_id>:<image_id>`), a user
//! (`<user_id>` or `username:<name>`), a membership (`<group_id>:<user_id>`)
//! or a session (`<kasm_id>`).

use crate::diagnostic::{Code, Diagnostic};
use crate::group::{Access, same_id};
use crate::object::ObjectRecord;
use crate::schema::tables;
use crate::schema::tables::parse_address;
use crate::state::State;

/// Whether the address is one of a type other than `kasm_image`.
pub fn is_access_address(address: &str) -> bool {
    parse_address(address).is_some_and(|(kind, _)| kind != crate::address::RESOURCE_TYPE)
}

/// The record to bind under `address`, or the first reason not to.
pub fn import(
    address: &str,
    id: &str,
    state: &State,
    access: &Access,
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
    let record = object(address, id, access)?;
    unbound(address, record, state)
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

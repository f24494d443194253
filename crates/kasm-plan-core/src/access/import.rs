//! `import` of a group (`<group_id>` or `name:<group name>`, as the
//! Terraform provider takes it) or a link (`<group_id>:<image_id>`).

use super::{GROUP_TYPE, LINK_TYPE};
use crate::address::parse_managed;
use crate::diagnostic::{Code, Diagnostic};
use crate::group::{Access, GroupRecord, LinkRecord, same_id};
use crate::model::canonical_uuid;
use crate::state::State;

/// What an import binds.
#[derive(Clone, Debug, PartialEq)]
pub enum Imported {
    /// A group.
    Group(GroupRecord),
    /// A link.
    Link(LinkRecord),
}

/// Whether the address is a group's or a link's.
pub fn is_access_address(address: &str) -> bool {
    parse_managed(address).is_some_and(|(kind, _)| kind == GROUP_TYPE || kind == LINK_TYPE)
}

/// The record to bind under `address`, or the first reason not to.
pub fn import(
    address: &str,
    id: &str,
    state: &State,
    access: &Access,
) -> Result<Imported, Box<Diagnostic>> {
    let refuse = |code, message: String, help: &str| {
        Box::new(Diagnostic::error(code, message).at(address, "").help(help))
    };
    if state.groups.contains_key(address) || state.links.contains_key(address) {
        return Err(refuse(
            Code::InvalidState,
            format!("{address} is already in the state"),
            "forget it first (`kasm-plan state rm`) to rebind it",
        ));
    }
    if address.starts_with(&format!("{LINK_TYPE}.")) {
        let Some((g, i)) = id
            .split_once(':')
            .and_then(|(g, i)| Some((canonical_uuid(g)?, canonical_uuid(i)?)))
        else {
            return Err(refuse(
                Code::InvalidUuid,
                format!("`{id}` is not a link id"),
                "a link's id is `<group_id>:<image_id>`, as `kasm-plan groups --images` lists them",
            ));
        };
        if access.rows(&g, &i) == 0 {
            return Err(refuse(
                Code::ImageNotFound,
                format!("Kasm has no link of group {g} to image {i}"),
                "list the links with `kasm-plan groups --images`",
            ));
        }
        return Ok(Imported::Link(LinkRecord {
            group_id: g,
            image_id: i,
        }));
    }
    let group = match id.strip_prefix("name:") {
        Some(name) => access.groups.iter().find(|g| g.name == name),
        None => canonical_uuid(id).and_then(|c| access.group(&c)),
    };
    let Some(group) = group else {
        return Err(refuse(
            Code::UnknownGroup,
            format!("Kasm has no group `{id}`"),
            "give the group's id or `name:<group name>`; list them with `kasm-plan groups`",
        ));
    };
    if let Some((other, _)) = state
        .groups
        .iter()
        .find(|(_, r)| same_id(&r.group_id, &group.group_id))
    {
        return Err(refuse(
            Code::InvalidState,
            format!("group {} is already bound to {other}", group.group_id),
            "one group cannot belong to two addresses",
        ));
    }
    Ok(Imported::Group(GroupRecord::of(group, false)))
}

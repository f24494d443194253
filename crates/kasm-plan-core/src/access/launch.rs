//! Who may launch what once the plan is applied: the memberships and links
//! Kasm has, with the plan's removals taken out and its additions put in
//! (Kasm's own All Users rows included), so a session Kasm would refuse
//! is an error before anything changes.

use super::objects::Resolved;
use super::{LINK_TYPE, MEMBERSHIP_TYPE, SESSION_TYPE, USER_TYPE};
use crate::change::{AccessChange, Action, ExtraLink, ResourceChange};
use crate::diagnostic::{Code, Diagnostic};
use crate::field::Field;
use crate::group::{ALL_USERS, Access, same_id};
use crate::model::Image;
use serde_json::Value;

/// Pairs of (group, user) and (group, image), each side an id or a create.
type Pairs = Vec<(Resolved, Resolved)>;

/// What the plan is checked against besides its changes.
pub struct After<'a> {
    /// Kasm's groups, links, users and sessions.
    pub access: &'a Access,
    /// Kasm's images.
    pub images: &'a [Image],
    /// The plan's image changes.
    pub image_changes: &'a [ResourceChange],
    /// Links of managed images no resource declares.
    pub extra: &'a [ExtraLink],
}

/// The errors of the sessions the plan creates that Kasm would refuse.
pub fn check(changes: &[AccessChange], after: &After) -> Vec<Diagnostic> {
    let members = memberships(changes, after.access);
    let links = links(changes, after);
    changes
        .iter()
        .filter(|c| c.resource_type == SESSION_TYPE)
        .filter(|c| matches!(c.action, Action::Create | Action::Replace))
        .filter_map(|c| {
            let user = side(c, "user_id")?;
            let image = side(c, "image_id")?;
            let groups: Vec<&Resolved> = members
                .iter()
                .filter(|(_, u)| same(u, &user))
                .map(|(g, _)| g)
                .collect();
            let granted = groups
                .iter()
                .any(|g| links.iter().any(|(lg, li)| same(lg, g) && same(li, &image)));
            let enabled = enabled(&image, after);
            (!granted || !enabled).then(|| refused(c, (&user, &image), &groups, enabled, after))
        })
        .collect()
}

/// One side of a change: the id it names, or the create it waits for.
fn side(change: &AccessChange, name: &str) -> Option<Resolved> {
    if let Some(a) = change.waits_for.get(name) {
        return Some(Resolved::Pending(a.clone()));
    }
    let values = change.after.as_ref().or(change.before.as_ref())?;
    values
        .get(name)
        .and_then(Value::as_str)
        .map(|id| Resolved::Known(id.to_owned()))
}

fn same(a: &Resolved, b: &Resolved) -> bool {
    match (a, b) {
        (Resolved::Known(x), Resolved::Known(y)) => same_id(x, y),
        (Resolved::Pending(x), Resolved::Pending(y)) => x == y,
        _ => false,
    }
}

/// Kasm's pairs of a type with the plan's applied: removals out, creates
/// in (each change's before and after pair).
fn applied(
    mut pairs: Pairs,
    changes: &[AccessChange],
    type_name: &str,
    first: &str,
    second: &str,
) -> Pairs {
    for c in changes.iter().filter(|c| c.resource_type == type_name) {
        let pair = |values: Option<&serde_json::Map<String, Value>>| {
            let values = values?;
            let id = |k: &str| {
                values
                    .get(k)
                    .and_then(Value::as_str)
                    .map(|s| Resolved::Known(s.to_owned()))
            };
            Some((id(first)?, id(second)?))
        };
        if matches!(c.action, Action::Delete | Action::Replace)
            && let Some((a, b)) = pair(c.before.as_ref())
        {
            pairs.retain(|(x, y)| !(same(x, &a) && same(y, &b)));
        }
        if matches!(c.action, Action::Create | Action::Replace)
            && let (Some(a), Some(b)) = (side(c, first), side(c, second))
        {
            pairs.push((a, b));
        }
    }
    pairs
}

/// (group, user) after the plan; a user made in this run is in All Users.
fn memberships(changes: &[AccessChange], access: &Access) -> Pairs {
    let kasm: Pairs = access
        .users()
        .iter()
        .flat_map(|u| {
            u.groups.iter().map(|g| {
                (
                    Resolved::Known(g.group_id.clone()),
                    Resolved::Known(u.user_id.clone()),
                )
            })
        })
        .collect();
    let mut pairs = applied(kasm, changes, MEMBERSHIP_TYPE, "group_id", "user_id");
    for c in changes.iter().filter(|c| c.resource_type == USER_TYPE) {
        if matches!(c.action, Action::Create | Action::Replace) {
            pairs.push((
                Resolved::Known(ALL_USERS.into()),
                Resolved::Pending(c.address.clone()),
            ));
        }
    }
    pairs
}

/// (group, image) after the plan; an image made in this run is linked to
/// All Users by Kasm unless its links are exclusive.
fn links(changes: &[AccessChange], after: &After) -> Pairs {
    let kasm: Pairs = after
        .access
        .links
        .iter()
        .map(|l| {
            (
                Resolved::Known(l.group_id.clone()),
                Resolved::Known(l.image_id.clone()),
            )
        })
        .collect();
    let mut pairs = applied(kasm, changes, LINK_TYPE, "group_id", "image_id");
    for x in after.extra.iter().filter(|x| x.revoke) {
        if let Some(image) = &x.image_id {
            pairs.retain(|(g, i)| {
                !(same(g, &Resolved::Known(x.group_id.clone()))
                    && same(i, &Resolved::Known(image.clone())))
            });
        }
    }
    for c in after.image_changes {
        let exclusive = after
            .extra
            .iter()
            .any(|x| x.revoke && x.image_address == c.address && x.image_id.is_none());
        if matches!(c.action, Action::Create | Action::Replace) && !exclusive {
            pairs.push((
                Resolved::Known(ALL_USERS.into()),
                Resolved::Pending(c.address.clone()),
            ));
        }
    }
    pairs
}

/// Whether the image is enabled after the plan.
fn enabled(image: &Resolved, after: &After) -> bool {
    let managed = after.image_changes.iter().find(|c| match image {
        Resolved::Pending(a) => &c.address == a,
        Resolved::Known(id) => c.image_id.as_deref().is_some_and(|x| same_id(x, id)),
    });
    if let Some(c) = managed {
        let attributes = c.after.as_ref().or(c.before.as_ref());
        return attributes.is_none_or(|a| a.get(Field::Enabled) != &Value::Bool(false));
    }
    match image {
        Resolved::Known(id) => after
            .images
            .iter()
            .find(|i| same_id(&i.image_id, id))
            .is_none_or(|i| i.enabled),
        Resolved::Pending(_) => true,
    }
}

fn refused(
    session: &AccessChange,
    (user, image): (&Resolved, &Resolved),
    groups: &[&Resolved],
    enabled: bool,
    after: &After,
) -> Diagnostic {
    let name = |r: &Resolved| match r {
        Resolved::Known(id) => after
            .access
            .group(id)
            .map_or_else(|| id.clone(), |g| format!("\"{}\"", g.name)),
        Resolved::Pending(a) => a.clone(),
    };
    let shown = |r: &Resolved| match r {
        Resolved::Known(id) => id.clone(),
        Resolved::Pending(a) => a.clone(),
    };
    let reference = |r: &Resolved| match r {
        Resolved::Known(id) => format!("\"{id}\""),
        Resolved::Pending(a) => format!("{a}.id"),
    };
    let listed: Vec<String> = groups.iter().map(|g| name(g)).collect();
    let their = if listed.is_empty() {
        "the user is in no group".to_owned()
    } else {
        format!("the user's groups are {}", listed.join(", "))
    };
    let (message, help) = if enabled {
        let group = groups
            .iter()
            .find(|g| !same(g, &Resolved::Known(ALL_USERS.into())))
            .or(groups.first())
            .map_or_else(|| "kasm_group.<name>.id".to_owned(), |g| reference(g));
        (
            format!(
                "Kasm would refuse {} (Image Not Authorized): no group of user {} may launch image {}; {their}",
                session.address,
                shown(user),
                shown(image)
            ),
            format!(
                "authorize the image for one of the user's groups:\n  resource \"kasm_group_image\" \"{}\" {{\n    group_id = {group}\n    image_id = {}\n  }}",
                session.name.replace(['[', ']', '"'], "_"),
                reference(image)
            ),
        )
    } else {
        (
            format!(
                "Kasm would refuse {}: image {} is disabled",
                session.address,
                shown(image)
            ),
            "enable the image (`enabled = true`) or choose another".to_owned(),
        )
    };
    Diagnostic::error(Code::SessionNotAuthorized, message)
        .at(&session.address, "image_id")
        .help(help)
}

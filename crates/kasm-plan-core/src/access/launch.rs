//! Who may launch what once the plan is applied: the memberships and links
//! Kasm has, with the plan's removals taken out and its additions put in
//! (Kasm's own All Users rows included), so a session Kasm would refuse
//! is an error before anything changes.

use super::objects::Resolved;
use super::{GROUP_TYPE, LINK_TYPE, MEMBERSHIP_TYPE, SESSION_TYPE, USER_TYPE};
use crate::change::{Action, Change, ExtraLink, Plan};
use crate::diagnostic::{Code, Diagnostic};
use crate::field::Field;
use crate::group::{ALL_USERS, Access, same_id};
use crate::model::Image;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Pairs of (group, user) and (group, image), each side an id or a create.
type Pairs = Vec<(Resolved, Resolved)>;

/// What the plan is checked against besides its changes.
#[derive(Clone, Copy)]
pub struct After<'a> {
    /// Kasm's groups, links, users and sessions.
    pub access: &'a Access,
    /// Kasm's images.
    pub images: &'a [Image],
    /// The plan's image changes.
    pub image_changes: &'a [Change],
    /// Links of managed images no resource declares.
    pub extra: &'a [ExtraLink],
}

impl<'a> After<'a> {
    /// The plan's changes to images.
    fn images_changed(&self) -> impl Iterator<Item = &'a Change> + use<'a> {
        self.image_changes.iter().filter(|c| c.is_image())
    }

    /// What a plan leaves behind on a Kasm with these groups and images.
    pub fn of(plan: &'a Plan, access: &'a Access, images: &'a [Image]) -> Self {
        After {
            access,
            images,
            image_changes: &plan.resource_changes,
            extra: &plan.extra_links,
        }
    }
}

/// The errors of the sessions the plan creates that Kasm would refuse.
pub fn check(changes: &[Change], after: &After) -> Vec<Diagnostic> {
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
pub(super) fn side(change: &Change, name: &str) -> Option<Resolved> {
    if let Some(a) = change.waits_for.get(name) {
        return Some(Resolved::Pending(a.clone()));
    }
    let values = change.after.as_ref().or(change.before.as_ref())?;
    values
        .get(name)
        .and_then(Value::as_str)
        .map(|id| Resolved::Known(id.to_owned()))
}

pub(super) fn same(a: &Resolved, b: &Resolved) -> bool {
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
    changes: &[Change],
    type_name: &str,
    first: &str,
    second: &str,
) -> Pairs {
    for c in changes.iter().filter(|c| c.resource_type == type_name) {
        let pair = |values: Option<&crate::object::Values>| {
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

/// The ids of the users or groups the plan deletes (for good).
fn deleted(changes: &[Change], types: &[&str]) -> Vec<Resolved> {
    changes
        .iter()
        .filter(|c| c.action == Action::Delete && types.contains(&c.resource_type.as_ref()))
        .filter_map(|c| c.id.clone().map(Resolved::Known))
        .collect()
}

/// (group, user) after the plan; a user made in this run is in All Users.
fn memberships(changes: &[Change], access: &Access) -> Pairs {
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
    let gone = deleted(changes, &[USER_TYPE, GROUP_TYPE]);
    pairs.retain(|(g, u)| !gone.iter().any(|d| same(d, g) || same(d, u)));
    for c in changes.iter().filter(|c| c.resource_type == USER_TYPE) {
        let user = Resolved::of(c);
        if matches!(c.action, Action::Create | Action::Replace) {
            pairs.push((Resolved::Known(ALL_USERS.into()), user.clone()));
        }
        for part in &c.group_parts {
            let Some(group) = Resolved::of_target(&part.group) else {
                continue;
            };
            if part.join {
                pairs.push((group, user.clone()));
            } else {
                pairs.retain(|(g, u)| !(same(g, &group) && same(u, &user)));
            }
        }
    }
    pairs
}

/// (group, image) after the plan; an image made in this run is linked to
/// All Users by Kasm unless its links are exclusive.
fn links(changes: &[Change], after: &After) -> Pairs {
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
    let images = after
        .images_changed()
        .filter(|c| c.action == Action::Delete)
        .filter_map(|c| c.id.clone().map(Resolved::Known));
    let gone: Vec<Resolved> = deleted(changes, &[GROUP_TYPE])
        .into_iter()
        .chain(images)
        .collect();
    pairs.retain(|(g, i)| !gone.iter().any(|d| same(d, g) || same(d, i)));
    for x in after.extra.iter().filter(|x| x.revoke) {
        if let Some(image) = &x.image_id {
            pairs.retain(|(g, i)| {
                !(same(g, &Resolved::Known(x.group_id.clone()))
                    && same(i, &Resolved::Known(image.clone())))
            });
        }
    }
    for c in after.images_changed() {
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
    let managed = after.images_changed().find(|c| match image {
        Resolved::Pending(a) => &c.address == a,
        Resolved::Known(id) => c.id.as_deref().is_some_and(|x| same_id(x, id)),
    });
    if let Some(c) = managed {
        let attributes = c.after.as_ref().or(c.before.as_ref());
        let enabled = Field::Enabled.spec_name();
        return attributes.is_none_or(|a| a.get(enabled) != Some(&Value::Bool(false)));
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
    session: &Change,
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

/// Who may launch what: a user, an image, and the groups that grant it.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The username (the address of a user the plan makes, when it has none).
    pub user: String,
    /// Kasm's id of the user; none until the plan makes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The image's name (its address when the plan makes it).
    pub image: String,
    /// Kasm's id of the image; none until the plan makes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// The groups of the user that may launch the image, by name, sorted:
    /// after the plan, or before it for a grant the plan removes.
    pub groups: Vec<String>,
    /// Whether the plan keeps, adds or removes the grant.
    pub change: GrantChange,
}

/// What a plan does to a grant.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantChange {
    /// Kasm grants it now, and still will.
    Kept,
    /// Granted once the plan is applied.
    Added,
    /// Granted now, not once the plan is applied.
    Removed,
}

/// A user and an image, each by the id it has or the address that makes it.
type Pair = (String, String);

/// Every user × enabled image that some group of the user may launch, now
/// and after the plan, sorted by user, then image.
pub fn grants(changes: &[Change], after: &After) -> Vec<Grant> {
    let now = After {
        image_changes: &[],
        extra: &[],
        ..*after
    };
    let before = granted(memberships(&[], now.access), links(&[], &now), &now);
    let later = granted(
        memberships(changes, after.access),
        links(changes, after),
        after,
    );
    let pairs: BTreeSet<&Pair> = before.keys().chain(later.keys()).collect();
    let names = Names { changes, after };
    let mut out: Vec<Grant> = pairs
        .into_iter()
        .map(|pair| {
            let (change, (user, image, groups)) = match (before.get(pair), later.get(pair)) {
                (Some(_), Some(l)) => (GrantChange::Kept, l),
                (None, Some(l)) => (GrantChange::Added, l),
                (Some(b), None) => (GrantChange::Removed, b),
                (None, None) => unreachable!("a pair comes from one of the two"),
            };
            let mut groups: Vec<String> = groups.iter().map(|g| names.group(g)).collect();
            groups.sort();
            Grant {
                user: names.user(user),
                user_id: known(user),
                image: names.image(image),
                image_id: known(image),
                groups,
                change,
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.user, &a.image).cmp(&(&b.user, &b.image)));
    out
}

/// Puts each created or updated user's computed `authorized_images` into
/// the plan: the ids of the enabled images its groups may launch once the
/// plan is applied, sorted; unknown until apply when one is made in the run.
pub fn show_authorized_images(plan: &mut Plan, access: &Access, images: &[Image]) {
    let shown = |c: &Change| {
        c.resource_type == USER_TYPE
            && matches!(c.action, Action::Create | Action::Update | Action::Replace)
    };
    // Most plans change no user: the grants are not worth building then.
    if !plan.resource_changes.iter().any(shown) {
        return;
    }
    let after = After::of(plan, access, images);
    let changes = &plan.resource_changes;
    let granted = granted(memberships(changes, access), links(changes, &after), &after);
    let images_of = |user: &Resolved| -> Option<Vec<Value>> {
        let mut ids: Vec<String> = granted
            .values()
            .filter(|(u, _, _)| same(u, user))
            .map(|(_, image, _)| known(image))
            .collect::<Option<_>>()?;
        ids.sort();
        Some(ids.into_iter().map(Value::String).collect())
    };
    let computed: Vec<(usize, Option<Vec<Value>>)> = changes
        .iter()
        .enumerate()
        .filter(|(_, c)| shown(c))
        .map(|(i, c)| (i, images_of(&Resolved::of(c))))
        .collect();
    for (i, ids) in computed {
        let Some(change) = plan.resource_changes.get_mut(i) else {
            continue;
        };
        match ids {
            Some(ids) => {
                change
                    .after
                    .get_or_insert_with(Default::default)
                    .insert(AUTHORIZED_IMAGES.into(), ids.into());
            }
            None => change.after_unknown.push(AUTHORIZED_IMAGES.into()),
        }
    }
}

/// A user's computed list of the images it may launch.
const AUTHORIZED_IMAGES: &str = "authorized_images";

/// For each (user, image) some group grants: the two sides and the groups.
fn granted(
    members: Pairs,
    links: Pairs,
    after: &After,
) -> BTreeMap<Pair, (Resolved, Resolved, Vec<Resolved>)> {
    let mut out: BTreeMap<Pair, (Resolved, Resolved, Vec<Resolved>)> = BTreeMap::new();
    for (group, user) in &members {
        for (_, image) in links.iter().filter(|(g, _)| same(g, group)) {
            if !enabled(image, after) {
                continue;
            }
            let entry = out
                .entry((key(user), key(image)))
                .or_insert_with(|| (user.clone(), image.clone(), Vec::new()));
            if !entry.2.iter().any(|g| same(g, group)) {
                entry.2.push(group.clone());
            }
        }
    }
    out
}

/// One text per id, whichever form Kasm gave it in; an address as it is.
fn key(r: &Resolved) -> String {
    match r {
        Resolved::Known(id) => crate::model::canonical_id(id).into_owned(),
        Resolved::Pending(address) => address.clone(),
    }
}

fn known(r: &Resolved) -> Option<String> {
    match r {
        Resolved::Known(id) => Some(id.clone()),
        Resolved::Pending(_) => None,
    }
}

/// Names for ids and addresses: Kasm's, or those the plan gives.
struct Names<'a> {
    changes: &'a [Change],
    after: &'a After<'a>,
}

impl Names<'_> {
    fn user(&self, r: &Resolved) -> String {
        match r {
            Resolved::Known(id) => self
                .after
                .access
                .users()
                .iter()
                .find(|u| same_id(&u.user_id, id))
                .map_or_else(|| id.clone(), |u| u.username.clone()),
            Resolved::Pending(address) => self.planned(address, "username"),
        }
    }

    fn group(&self, r: &Resolved) -> String {
        match r {
            Resolved::Known(id) => self
                .after
                .access
                .group(id)
                .map_or_else(|| id.clone(), |g| g.name.clone()),
            Resolved::Pending(address) => self.planned(address, "name"),
        }
    }

    fn image(&self, r: &Resolved) -> String {
        match r {
            Resolved::Known(id) => self
                .after
                .images
                .iter()
                .find(|i| same_id(&i.image_id, id))
                .and_then(|i| i.name.clone())
                .unwrap_or_else(|| id.clone()),
            Resolved::Pending(address) => self
                .after
                .images_changed()
                .find(|c| &c.address == address)
                .and_then(|c| c.after.as_ref())
                .and_then(|a| a.get(Field::Name.spec_name())?.as_str().map(str::to_owned))
                .unwrap_or_else(|| address.clone()),
        }
    }

    /// An access change's value of `name`, or its address.
    fn planned(&self, address: &str, name: &str) -> String {
        self.changes
            .iter()
            .find(|c| c.address == address)
            .and_then(|c| c.after.as_ref())
            .and_then(|a| a.get(name))
            .and_then(Value::as_str)
            .map_or_else(|| address.to_owned(), str::to_owned)
    }
}

//! A user's `groups`: when set, and not ignored after create, the complete
//! list of the user's groups by name. The plan shows it as the `groups`
//! attribute (Kasm's All Users membership included, so it is never a
//! surprise) and carries the groups the user joins or leaves as parts of
//! the user's change. All Users is Kasm's: the list never takes a user out
//! of it.

use super::objects::Resolved;
use crate::change::{Action, AttributeChange, Change, GroupPart, Reason};
use crate::diagnostic::{Code, Diagnostic};
use crate::group::{ALL_USERS, ALL_USERS_NAME, Access, Target, UserGroup, same_id};
use crate::object::{ObjectRecord, ObjectSpec};
use serde_json::Value;

/// The group names a spec's `groups` lists, when the plan manages them:
/// set, and at create or not in `ignore_changes`.
pub fn listed(spec: &ObjectSpec, creating: bool) -> Option<Vec<&str>> {
    if !creating && spec.ignore_changes.iter().any(|i| i == "groups") {
        return None;
    }
    let items = spec.values.get("groups")?.as_array()?;
    Some(items.iter().filter_map(Value::as_str).collect())
}

/// Whether a spec's `groups` would manage memberships that a
/// `kasm_group_membership` also manages (only `groups = []` with
/// `ignore_changes = [groups]`, or no `groups`, leaves them alone).
pub fn claims_memberships(spec: &ObjectSpec) -> bool {
    listed(spec, true).is_some_and(|names| !names.is_empty()) || listed(spec, false).is_some()
}

/// Amends a user's change with what its `groups` asks for: the groups it
/// joins and leaves as the change's parts, and `groups` before and after.
/// `resolve` names a group's id, or the create that makes it known.
pub fn plan(
    change: &mut Change,
    spec: &ObjectSpec,
    record: Option<&ObjectRecord>,
    access: &Access,
    resolve: impl Fn(&str) -> Result<Resolved, Box<Diagnostic>>,
    errors: &mut Vec<Diagnostic>,
) {
    let creating = matches!(change.action, Action::Create | Action::Replace);
    let Some(names) = listed(spec, creating) else {
        return;
    };
    let current = if creating {
        // Kasm puts every new user in All Users.
        vec![UserGroup {
            group_id: ALL_USERS.into(),
            name: ALL_USERS_NAME.into(),
        }]
    } else {
        change
            .id
            .as_deref()
            .and_then(|id| access.user(id))
            .map(|u| u.groups.clone())
            .unwrap_or_default()
    };
    let mut wanted = Vec::new();
    for name in names {
        match resolve(name) {
            Ok(group) => wanted.push((name, group)),
            Err(e) => errors.push(*e),
        }
    }
    let joins = wanted
        .iter()
        .filter(|w| !current.iter().any(|g| holds(g, w)))
        .map(|(name, group)| GroupPart {
            name: (*name).to_owned(),
            group: group.target(),
            join: true,
        });
    let leaves = current
        .iter()
        .filter(|g| !same_id(&g.group_id, ALL_USERS))
        .filter(|g| !wanted.iter().any(|w| holds(g, w)))
        .filter_map(|g| {
            let id = match g.group_id.as_str() {
                "" => access
                    .groups
                    .iter()
                    .find(|x| x.name == g.name)?
                    .group_id
                    .clone(),
                id => id.to_owned(),
            };
            Some(GroupPart {
                name: shown(g),
                group: Target::Id(id),
                join: false,
            })
        });
    change.group_parts = joins.chain(leaves).collect();
    let before = names_of(current.iter().map(shown));
    let after = names_of(
        current
            .iter()
            .filter(|g| {
                !change
                    .group_parts
                    .iter()
                    .any(|p| !p.join && p.name == shown(g))
            })
            .map(shown)
            .chain(
                change
                    .group_parts
                    .iter()
                    .filter(|p| p.join)
                    .map(|p| p.name.clone()),
            ),
    );
    show(change, record, before, after);
}

/// Puts `groups` into the change: its value after (a create's, from
/// Kasm's All Users on), and, when it differs, an update of it.
fn show(change: &mut Change, record: Option<&ObjectRecord>, before: Value, after: Value) {
    if matches!(change.action, Action::Create | Action::Replace) {
        change.changes.retain(|c| c.attribute != "groups");
        change.changes.push(AttributeChange {
            attribute: "groups".into(),
            before: Value::Null,
            after: after.clone(),
        });
        change
            .after
            .get_or_insert_with(Default::default)
            .insert("groups".into(), after);
        return;
    }
    change
        .before
        .get_or_insert_with(Default::default)
        .insert("groups".into(), before.clone());
    if change.group_parts.is_empty() {
        if let Some(values) = change.after.as_mut() {
            values.insert("groups".into(), before);
        }
        return;
    }
    let configured = record.and_then(|r| r.attributes.get("groups")) != Some(&after);
    change.reason = match (change.action, change.reason) {
        (Action::Update, Some(Reason::ConfigChanged)) => Some(Reason::ConfigChanged),
        _ if configured => Some(Reason::ConfigChanged),
        _ => Some(Reason::Drift),
    };
    change.action = Action::Update;
    let values = change
        .after
        .get_or_insert_with(|| change.before.clone().unwrap_or_default());
    values.insert("groups".into(), after.clone());
    change.changes.push(AttributeChange {
        attribute: "groups".into(),
        before,
        after,
    });
}

/// Whether the user's group is the one a name resolved to.
fn holds(group: &UserGroup, (name, wanted): &(&str, Resolved)) -> bool {
    match wanted {
        Resolved::Known(id) if !group.group_id.is_empty() => same_id(id, &group.group_id),
        Resolved::Known(_) => group.name == *name,
        Resolved::Pending(_) => false,
    }
}

/// A group's name, or its id where the name is not known.
fn shown(group: &UserGroup) -> String {
    if group.name.is_empty() {
        group.group_id.clone()
    } else {
        group.name.clone()
    }
}

/// Names as the state records and the plan shows them: sorted.
fn names_of(names: impl Iterator<Item = String>) -> Value {
    let mut names: Vec<String> = names.collect();
    names.sort();
    names.dedup();
    names.into_iter().map(Value::String).collect()
}

/// A `kasm_group_membership` of a user whose `groups` manages its
/// memberships: each would undo the other.
pub fn conflict(membership: &str, user: &str) -> Diagnostic {
    Diagnostic::error(
        Code::GroupsArgument,
        format!("{membership} adds {user} to a group, and {user}'s `groups` lists all its groups"),
    )
    .at(membership, "user_id")
    .help(format!(
        "list the group in {user}'s `groups` and remove this block, or write `groups = []` with `lifecycle {{ ignore_changes = [groups] }}` on {user}"
    ))
}

//! What Kasm shows of the table-typed instances the state records: the
//! per-type reading of Kasm's users, sessions and memberships that the one
//! object planner ([`super::objects`]) compares with, and the same read
//! back from the state for a plan made without Kasm.

use super::objects::records;
use super::{MEMBERSHIP_TYPE, SESSION_TYPE, USER_TYPE};
use crate::group::{Access, User, same_id};
use crate::model::canonical_uuid;
use crate::object::ObjectRecord;
use crate::state::State;
use serde_json::{Map, Value};

/// A recorded instance as Kasm shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Seen {
    /// Kasm has it: its attributes as Kasm lists them.
    Listed(Map<String, Value>),
    /// Kasm no longer has it.
    Gone,
    /// Kasm's list of this type was not read.
    Unread,
}

impl Seen {
    /// The attributes, when Kasm has the instance.
    pub fn listed(self) -> Option<Map<String, Value>> {
        match self {
            Seen::Listed(attributes) => Some(attributes),
            Seen::Gone | Seen::Unread => None,
        }
    }
}

/// How Kasm shows a recorded instance. Kasm lists a user with its
/// attributes; a session only by its id (its settings are those recorded);
/// a membership as a row of its user's groups.
pub fn seen(type_name: &str, record: &ObjectRecord, access: &Access) -> Seen {
    let recorded = || Seen::Listed(record.attributes.clone());
    match type_name {
        USER_TYPE => access
            .user(&record.id)
            .map_or(Seen::Gone, |u| Seen::Listed(user_attributes(u))),
        SESSION_TYPE if access.sessions.is_none() => Seen::Unread,
        SESSION_TYPE if access.session(&record.id).is_some() => recorded(),
        MEMBERSHIP_TYPE if pair_rows(record, access) > 0 => recorded(),
        SESSION_TYPE | MEMBERSHIP_TYPE => Seen::Gone,
        _ => Seen::Unread,
    }
}

/// Kasm's list of a type, each item as Kasm answers it, without those Kasm
/// is taking down: what a search after a lost create looks in.
pub fn listed(type_name: &str, access: &Access) -> Vec<Value> {
    let Some(list) = crate::schema::tables::managed(type_name).and_then(|t| t.list) else {
        return Vec::new();
    };
    access
        .lists()
        .into_iter()
        .filter(|(name, _)| name == list.name)
        .flat_map(|(_, items)| items)
        .filter(|item| !list.is_ending(item))
        .collect()
}

/// How many rows Kasm has of a recorded membership.
pub fn pair_rows(record: &ObjectRecord, access: &Access) -> usize {
    match (record.text("group_id"), record.text("user_id")) {
        (Some(g), Some(u)) => access.memberships(g, u),
        _ => 0,
    }
}

/// A user's attributes as Kasm lists them.
pub fn user_attributes(user: &User) -> Map<String, Value> {
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    let id = canonical_uuid(&user.user_id).unwrap_or_else(|| user.user_id.clone());
    Map::from_iter([
        ("id".to_owned(), id.clone().into()),
        ("user_id".to_owned(), id.into()),
        ("username".to_owned(), user.username.clone().into()),
        ("first_name".to_owned(), text(&user.first_name)),
        ("last_name".to_owned(), text(&user.last_name)),
        ("organization".to_owned(), text(&user.organization)),
        ("phone".to_owned(), text(&user.phone)),
        ("notes".to_owned(), text(&user.notes)),
        ("locked".to_owned(), user.locked.into()),
        ("disabled".to_owned(), user.disabled.into()),
    ])
}

/// The users the state records, as Kasm would list them (a plan without
/// a refresh), with the memberships the state records.
pub fn assumed_users(state: &State) -> Vec<User> {
    let mut users: Vec<User> = state
        .objects
        .iter()
        .filter(|(a, _)| crate::address::type_of(a) == Some(USER_TYPE))
        .map(|(_, r)| {
            let text = |k: &str| r.text(k).map(str::to_owned);
            let flag = |k: &str| r.attributes.get(k).and_then(Value::as_bool) == Some(true);
            User {
                user_id: r.id.clone(),
                username: text("username").unwrap_or_default(),
                first_name: text("first_name"),
                last_name: text("last_name"),
                organization: text("organization"),
                phone: text("phone"),
                notes: text("notes"),
                locked: flag("locked"),
                disabled: flag("disabled"),
                groups: recorded_groups(state, r),
            }
        })
        .collect();
    for r in state
        .objects
        .iter()
        .filter(|(a, _)| crate::address::type_of(a) == Some(MEMBERSHIP_TYPE))
        .map(|(_, r)| r)
    {
        let (Some(group_id), Some(user_id)) = (r.text("group_id"), r.text("user_id")) else {
            continue;
        };
        if let Some(u) = users.iter_mut().find(|u| same_id(&u.user_id, user_id))
            && !u.groups.iter().any(|g| same_id(&g.group_id, group_id))
        {
            u.groups.push(crate::group::UserGroup {
                group_id: group_id.to_owned(),
                name: String::new(),
            });
        }
    }
    users
}

/// The groups a user's record lists by name (its `groups`, when managed),
/// with the ids the state knows for them.
fn recorded_groups(state: &State, record: &ObjectRecord) -> Vec<crate::group::UserGroup> {
    let names = record.attributes.get("groups").and_then(Value::as_array);
    names
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|name| {
            let id = match name {
                crate::group::ALL_USERS_NAME => Some(crate::group::ALL_USERS.to_owned()),
                _ => state
                    .groups()
                    .find(|(_, g)| g.name == name)
                    .map(|(_, g)| g.group_id),
            };
            crate::group::UserGroup {
                group_id: id.unwrap_or_default(),
                name: name.to_owned(),
            }
        })
        .collect()
}

/// The sessions the state records, as Kasm would list them.
pub fn assumed_sessions(state: &State) -> Vec<crate::group::Session> {
    records(state, SESSION_TYPE)
        .into_values()
        .map(|r| crate::group::Session {
            kasm_id: r.id.clone(),
            user_id: r.text("user_id").unwrap_or_default().to_owned(),
            image_id: r.text("image_id").unwrap_or_default().to_owned(),
            operational_status: "running".into(),
        })
        .collect()
}
/// The record an import of `id` binds: the user, membership or session
/// Kasm has, as an apply would have written it (a user's password unknown:
/// the next plan sets it once when the configuration gives one). Each type's
/// import form: a user's `<user_id>` or `username:<name>`, a membership's
/// `<group_id>:<user_id>`, a session's `<kasm_id>`. A refusal: what Kasm
/// lacks, and what to give.
pub fn imported(
    type_name: &str,
    id: &str,
    access: &Access,
) -> Result<ObjectRecord, (String, &'static str)> {
    let canonical = |text: &str| canonical_uuid(text).unwrap_or_else(|| text.to_owned());
    let user = |text: &str| match text.strip_prefix("username:") {
        Some(name) => access
            .users()
            .iter()
            .find(|u| u.username == name.to_lowercase()),
        None => access.users().iter().find(|u| same_id(&u.user_id, text)),
    };
    match type_name {
        USER_TYPE => {
            let Some(found) = user(id) else {
                return Err((
                    format!("Kasm has no user `{id}`"),
                    "give the user's id or `username:<name>`",
                ));
            };
            let attributes: Map<String, Value> = user_attributes(found)
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .collect();
            Ok(ObjectRecord {
                id: canonical(&found.user_id),
                attributes,
            })
        }
        MEMBERSHIP_TYPE => {
            let member = id.split_once(':').and_then(|(g, u)| {
                let found = user(u)?;
                found
                    .groups
                    .iter()
                    .any(|m| same_id(&m.group_id, g))
                    .then(|| (canonical(g), canonical(&found.user_id)))
            });
            let Some((group_id, user_id)) = member else {
                return Err((
                    format!("Kasm has no membership `{id}`"),
                    "a membership's id is `<group_id>:<user_id>`, and the user must be in the group",
                ));
            };
            Ok(ObjectRecord {
                id: format!("{group_id}:{user_id}"),
                attributes: Map::from_iter([
                    ("group_id".to_owned(), group_id.into()),
                    ("user_id".to_owned(), user_id.into()),
                ]),
            })
        }
        _ => {
            let Some(session) = access.session(id) else {
                return Err((
                    format!("Kasm runs no session `{id}`"),
                    "give the session's `kasm_id`",
                ));
            };
            let kasm_id = canonical(&session.kasm_id);
            Ok(ObjectRecord {
                id: kasm_id.clone(),
                attributes: Map::from_iter([
                    ("id".to_owned(), kasm_id.clone().into()),
                    ("kasm_id".to_owned(), kasm_id.into()),
                    ("user_id".to_owned(), canonical(&session.user_id).into()),
                    ("image_id".to_owned(), canonical(&session.image_id).into()),
                    (
                        "operational_status".to_owned(),
                        session.operational_status.clone().into(),
                    ),
                ]),
            })
        }
    }
}

//! Plans users and memberships (the table-driven types) against the state
//! and Kasm's users: one diff over any table's arguments (managed only when
//! set, `ignore_changes`, write-only arguments by salted fingerprint, drift),
//! and memberships as pairs that are added or removed, never updated.

use super::{MEMBERSHIP_TYPE, SESSION_TYPE, USER_TYPE};
use crate::change::{AccessChange, Action, AttributeChange, Reason};
use crate::diagnostic::{Code, Diagnostic};
use crate::group::{Access, Target, User, same_id};
use crate::object::{ObjectRecord, ObjectSpec};
use crate::state::State;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// An id now, or the address whose apply makes it known.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    /// Known.
    Known(String),
    /// Made known by this address's create.
    Pending(String),
}

impl Resolved {
    /// A target named by id or by a managed address (not by name).
    pub fn of_target(target: &Target) -> Option<Resolved> {
        match target {
            Target::Id(id) => Some(Resolved::Known(id.clone())),
            Target::Managed(address) => Some(Resolved::Pending(address.clone())),
            Target::Name(_) => None,
        }
    }

    /// The target a step fills in: the id, or the address whose create makes it.
    pub fn target(&self) -> Target {
        match self {
            Resolved::Known(id) => Target::Id(id.clone()),
            Resolved::Pending(address) => Target::Managed(address.clone()),
        }
    }

    /// The id a change leaves its address with.
    pub fn of(change: &AccessChange) -> Resolved {
        match (change.action, &change.id) {
            (Action::Create | Action::Replace, _) | (_, None) => {
                Resolved::Pending(change.address.clone())
            }
            (_, Some(id)) => Resolved::Known(id.clone()),
        }
    }
}

/// A user's attributes as Kasm lists them.
pub fn user_attributes(user: &User) -> Map<String, Value> {
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    let id = crate::model::canonical_uuid(&user.user_id).unwrap_or_else(|| user.user_id.clone());
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

/// Plans every user in the configuration or the state.
pub fn plan_users(
    specs: &[ObjectSpec],
    state: &State,
    access: &Access,
    errors: &mut Vec<Diagnostic>,
) -> Vec<AccessChange> {
    let recorded = records(state, USER_TYPE);
    let mut out = Vec::new();
    for (address, spec, record) in instances(specs, &recorded, USER_TYPE) {
        let observed = record.and_then(|r| access.user(&r.id));
        let change = match (spec, record, observed) {
            (Some(spec), Some(record), Some(user)) => {
                let change = user_update(spec, record, user);
                if change.changes.iter().any(|c| c.attribute == "password") {
                    check_password(spec, errors);
                }
                change
            }
            (Some(spec), record, _) => {
                if record.is_none() {
                    check_username_free(spec, access, &recorded, errors);
                }
                object_create(spec, record.is_some(), &["id", "user_id"])
            }
            (None, Some(record), Some(user)) => {
                deleted(address, USER_TYPE, &record.id, user_attributes(user))
            }
            (None, _, _) => continue,
        };
        out.push(change);
    }
    out
}

/// Every address of a type the configuration declares or the state
/// records, in order, with its spec and its record (either may be absent).
fn instances<'a>(
    specs: &'a [ObjectSpec],
    recorded: &BTreeMap<&'a str, &'a ObjectRecord>,
    type_name: &str,
) -> Vec<(&'a str, Option<&'a ObjectSpec>, Option<&'a ObjectRecord>)> {
    let declared: BTreeMap<&str, &ObjectSpec> = specs
        .iter()
        .filter(|s| s.resource_type == type_name)
        .map(|s| (s.address.as_str(), s))
        .collect();
    let addresses: BTreeSet<&str> = declared.keys().chain(recorded.keys()).copied().collect();
    addresses
        .into_iter()
        .map(|a| (a, declared.get(a).copied(), recorded.get(a).copied()))
        .collect()
}

/// The records of one type, by address.
fn records<'a>(state: &'a State, type_name: &str) -> BTreeMap<&'a str, &'a ObjectRecord> {
    state
        .objects
        .iter()
        .filter(|(a, _)| crate::address::type_of(a) == Some(type_name))
        .map(|(a, r)| (a.as_str(), r))
        .collect()
}

/// The arguments a spec manages now: set, and not ignored after create.
fn managed(spec: &ObjectSpec) -> impl Iterator<Item = (&String, &Value)> {
    spec.values
        .iter()
        .filter(|(k, _)| !spec.ignore_changes.contains(k) && k.as_str() != "groups")
}

fn user_update(spec: &ObjectSpec, record: &ObjectRecord, user: &User) -> AccessChange {
    let before = user_attributes(user);
    let mut changes = Vec::new();
    let mut config_changed = false;
    for (name, want) in managed(spec) {
        let now = before.get(name).cloned().unwrap_or(Value::Null);
        if now != *want {
            config_changed |= record.attributes.get(name) != Some(want);
            changes.push(AttributeChange {
                attribute: name.clone(),
                before: now,
                after: want.clone(),
            });
        }
    }
    let mut sensitive = Vec::new();
    for name in spec.secrets.keys() {
        if spec.ignore_changes.contains(name) {
            continue;
        }
        let want = spec.fingerprint(name).map_or(Value::Null, Value::String);
        let applied = record.attributes.get(name).cloned().unwrap_or(Value::Null);
        if applied != want {
            config_changed = true;
            sensitive.push(name.clone());
            changes.push(AttributeChange {
                attribute: name.clone(),
                before: applied,
                after: want,
            });
        }
    }
    let (action, reason, after) = if changes.is_empty() {
        (Action::NoOp, None, None)
    } else {
        let mut after = before.clone();
        for c in changes.iter().filter(|c| !sensitive.contains(&c.attribute)) {
            after.insert(c.attribute.clone(), c.after.clone());
        }
        let reason = if config_changed {
            Reason::ConfigChanged
        } else {
            Reason::Drift
        };
        (Action::Update, Some(reason), Some(after))
    };
    AccessChange {
        action,
        reason,
        id: Some(record.id.clone()),
        before: Some(before),
        after,
        changes,
        sensitive,
        ..AccessChange::none(&spec.address, USER_TYPE)
    }
}

/// A create of a spec's object: every value it sets; write-only ones as
/// fingerprints, shown as sensitive.
fn object_create(spec: &ObjectSpec, was_in_state: bool, computed: &[&str]) -> AccessChange {
    let after: Map<String, Value> = spec
        .values
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut changes: Vec<AttributeChange> = after
        .iter()
        .map(|(k, v)| AttributeChange {
            attribute: k.clone(),
            before: Value::Null,
            after: v.clone(),
        })
        .collect();
    let sensitive: Vec<String> = spec.secrets.keys().cloned().collect();
    for name in &sensitive {
        changes.push(AttributeChange {
            attribute: name.clone(),
            before: Value::Null,
            after: spec.fingerprint(name).map_or(Value::Null, Value::String),
        });
    }
    AccessChange {
        action: Action::Create,
        reason: Some(Reason::of_create(was_in_state)),
        after: Some(after),
        after_unknown: computed.iter().map(|c| (*c).to_owned()).collect(),
        changes,
        sensitive,
        ..AccessChange::none(&spec.address, spec.resource_type)
    }
}

fn deleted(address: &str, type_name: &str, id: &str, before: Map<String, Value>) -> AccessChange {
    AccessChange {
        action: Action::Delete,
        reason: Some(Reason::RemovedFromConfig),
        id: Some(id.to_owned()),
        before: Some(before),
        ..AccessChange::none(address, type_name)
    }
}

/// A new user's username must be free on Kasm (usernames are unique, case aside).
fn check_username_free(
    spec: &ObjectSpec,
    access: &Access,
    recorded: &BTreeMap<&str, &ObjectRecord>,
    errors: &mut Vec<Diagnostic>,
) {
    let Some(Value::String(name)) = spec.values.get("username") else {
        return;
    };
    let Some(existing) = access
        .users()
        .iter()
        .find(|u| u.username.eq_ignore_ascii_case(name))
    else {
        return;
    };
    if recorded.values().any(|r| same_id(&r.id, &existing.user_id)) {
        return;
    }
    errors.push(
        Diagnostic::error(
            Code::UserExists,
            format!(
                "a user named \"{name}\" already exists on Kasm (id {}), and this state does not manage it",
                existing.user_id
            ),
        )
        .at(&spec.address, "username")
        .help(format!(
            "import it: `import {{ to = {}  id = \"{}\" }}`, or choose another username",
            spec.address,
            crate::model::canonical_uuid(&existing.user_id).unwrap_or_else(|| existing.user_id.clone())
        )),
    );
}

/// A password change is sent with `update_user`, which applies Kasm's rules:
/// checked here so an apply never stops on it halfway.
fn check_password(spec: &ObjectSpec, errors: &mut Vec<Diagnostic>) {
    let Some(password) = spec.secrets.get("password") else {
        return;
    };
    if let Some(why) = password_problem(password.expose()) {
        errors.push(
            Diagnostic::error(Code::PasswordRules, format!("Kasm would refuse the new password: {why}"))
                .at(&spec.address, "password")
                .help("Kasm's update_user wants at least 8 characters, a digit, a lower-case and an upper-case letter and a symbol"),
        );
    }
}

/// Kasm's password rules, in the order Kasm checks them; the problem Kasm
/// would answer, without the password.
pub fn password_problem(password: &str) -> Option<&'static str> {
    const SYMBOLS: &str = " !#@$%&'()*+,-./[\\]^_`{|}~\"";
    if !password.chars().any(|c| c.is_ascii_digit()) {
        return Some("it has no digit");
    }
    if password.chars().count() < 8 {
        return Some("it is shorter than 8 characters");
    }
    if !password.chars().any(|c| SYMBOLS.contains(c)) {
        return Some("it has no symbol");
    }
    if !password.chars().any(char::is_lowercase) {
        return Some("it has no lower-case letter");
    }
    if !password.chars().any(char::is_uppercase) {
        return Some("it has no upper-case letter");
    }
    None
}

/// Plans every membership in the configuration or the state. `ids`: each
/// managed group's and user's id, or the create that makes it known.
pub fn plan_memberships(
    specs: &[ObjectSpec],
    state: &State,
    access: &Access,
    ids: &BTreeMap<String, Resolved>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<AccessChange> {
    let recorded = records(state, MEMBERSHIP_TYPE);
    let mut out = Vec::new();
    for (address, spec, record) in instances(specs, &recorded, MEMBERSHIP_TYPE) {
        let change = match spec {
            Some(spec) => {
                let Some((group, user)) = resolve_both(spec, ("group_id", "user_id"), ids, errors)
                else {
                    continue;
                };
                membership_change(address, record, &group, &user, access)
            }
            None => match record {
                Some(r) if pair_rows(r, access) > 0 => {
                    deleted(address, MEMBERSHIP_TYPE, &r.id, r.attributes.clone())
                }
                _ => continue,
            },
        };
        out.push(change);
    }
    out
}

/// A record's attributes without its write-only ones' fingerprints.
fn visible(type_name: &str, record: &ObjectRecord) -> Map<String, Value> {
    let write_only = |k: &str| {
        crate::schema::tables::managed(type_name)
            .and_then(|t| t.argument(k))
            .is_some_and(|a| a.write_only)
    };
    record
        .attributes
        .iter()
        .filter(|(k, _)| !write_only(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// How many rows Kasm has of a recorded membership.
pub fn pair_rows(record: &ObjectRecord, access: &Access) -> usize {
    match (record.text("group_id"), record.text("user_id")) {
        (Some(g), Some(u)) => access.memberships(g, u),
        _ => 0,
    }
}

fn membership_change(
    address: &str,
    record: Option<&ObjectRecord>,
    group: &Resolved,
    user: &Resolved,
    access: &Access,
) -> AccessChange {
    let Paired {
        after,
        unknown,
        waits_for,
    } = paired(Map::new(), [("group_id", group), ("user_id", user)]);
    let set: Vec<AttributeChange> = ["group_id", "user_id"]
        .into_iter()
        .map(|k| AttributeChange {
            attribute: k.into(),
            before: record
                .and_then(|r| r.attributes.get(k))
                .cloned()
                .unwrap_or(Value::Null),
            after: after.get(k).cloned().unwrap_or(Value::Null),
        })
        .collect();
    let base = AccessChange {
        after: Some(after),
        after_unknown: unknown,
        waits_for,
        ..AccessChange::none(address, MEMBERSHIP_TYPE)
    };
    let Some(record) = record else {
        return AccessChange {
            action: Action::Create,
            reason: Some(Reason::New),
            changes: set
                .into_iter()
                .map(|c| AttributeChange {
                    before: Value::Null,
                    ..c
                })
                .collect(),
            ..base
        };
    };
    // Gone from Kasm (removed, or its user or group deleted): made again.
    if pair_rows(record, access) == 0 {
        return AccessChange {
            action: Action::Create,
            reason: Some(Reason::DeletedOutside),
            id: Some(record.id.clone()),
            changes: set
                .into_iter()
                .map(|c| AttributeChange {
                    before: Value::Null,
                    ..c
                })
                .collect(),
            ..base
        };
    }
    let same = |r: &Resolved, k: &str| matches!(r, Resolved::Known(x) if record.text(k).is_some_and(|id| same_id(x, id)));
    if same(group, "group_id") && same(user, "user_id") {
        return AccessChange {
            action: Action::NoOp,
            id: Some(record.id.clone()),
            before: Some(record.attributes.clone()),
            after: None,
            after_unknown: Vec::new(),
            ..base
        };
    }
    AccessChange {
        action: Action::Replace,
        reason: Some(Reason::ConfigChanged),
        id: Some(record.id.clone()),
        before: Some(record.attributes.clone()),
        changes: set.into_iter().filter(|c| c.before != c.after).collect(),
        ..base
    }
}

/// Users and memberships changed or deleted on Kasm since the state
/// recorded them, each as a change from the recorded values to Kasm's.
pub fn drift(state: &State, access: &Access) -> Vec<AccessChange> {
    let mut out = Vec::new();
    for (address, record) in records(state, USER_TYPE) {
        let Some(user) = access.user(&record.id) else {
            out.push(AccessChange {
                reason: Some(Reason::DeletedOutside),
                ..deleted(address, USER_TYPE, &record.id, visible(USER_TYPE, record))
            });
            continue;
        };
        let now = user_attributes(user);
        let recorded = visible(USER_TYPE, record);
        let changes: Vec<AttributeChange> = recorded
            .iter()
            .filter_map(|(k, was)| {
                let is = now.get(k)?;
                (is != was).then(|| AttributeChange {
                    attribute: k.clone(),
                    before: was.clone(),
                    after: is.clone(),
                })
            })
            .collect();
        if !changes.is_empty() {
            out.push(AccessChange {
                action: Action::Update,
                reason: Some(Reason::Drift),
                id: Some(record.id.clone()),
                before: Some(recorded),
                after: Some(now),
                changes,
                ..AccessChange::none(address, USER_TYPE)
            });
        }
    }
    for (address, record) in records(state, SESSION_TYPE) {
        if access.sessions.is_some() && access.session(&record.id).is_none() {
            out.push(AccessChange {
                reason: Some(Reason::DeletedOutside),
                ..deleted(address, SESSION_TYPE, &record.id, record.attributes.clone())
            });
        }
    }
    for (address, record) in records(state, MEMBERSHIP_TYPE) {
        if pair_rows(record, access) == 0 {
            out.push(AccessChange {
                reason: Some(Reason::DeletedOutside),
                ..deleted(
                    address,
                    MEMBERSHIP_TYPE,
                    &record.id,
                    record.attributes.clone(),
                )
            });
        }
    }
    out
}

/// Users and memberships the state records that Kasm no longer has.
pub fn gone(state: &State, access: &Access) -> Vec<(String, String)> {
    state
        .objects
        .iter()
        .filter(|(address, r)| match crate::address::type_of(address) {
            Some(USER_TYPE) => access.user(&r.id).is_none(),
            Some(SESSION_TYPE) => access.sessions.is_some() && access.session(&r.id).is_none(),
            Some(MEMBERSHIP_TYPE) => pair_rows(r, access) == 0,
            _ => false,
        })
        .map(|(a, r)| (a.clone(), r.id.clone()))
        .collect()
}

/// Plans every session in the configuration or the state. A session has
/// nothing to update: any change replaces it. One that expired or was
/// destroyed outside is made again. `ids`: each managed user's id and each
/// managed image's, or the create that makes it known.
pub fn plan_sessions(
    specs: &[ObjectSpec],
    state: &State,
    access: &Access,
    ids: &BTreeMap<String, Resolved>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<AccessChange> {
    let recorded = records(state, SESSION_TYPE);
    let mut out = Vec::new();
    for (address, spec, record) in instances(specs, &recorded, SESSION_TYPE) {
        let running = record.and_then(|r| access.session(&r.id)).is_some();
        let change = match (spec, record) {
            (Some(spec), record) => {
                let Some((user, image)) = resolve_both(spec, ("user_id", "image_id"), ids, errors)
                else {
                    continue;
                };
                session_change(
                    spec,
                    record.filter(|_| running),
                    (&user, &image),
                    record.is_some(),
                )
            }
            (None, Some(record)) if running => {
                deleted(address, SESSION_TYPE, &record.id, record.attributes.clone())
            }
            (None, _) => continue,
        };
        out.push(change);
    }
    out
}

/// The id an argument of a spec names.
fn resolve(
    spec: &ObjectSpec,
    name: &str,
    ids: &BTreeMap<String, Resolved>,
) -> Result<Resolved, Box<Diagnostic>> {
    let problem =
        |code, message: String| Box::new(Diagnostic::error(code, message).at(&spec.address, name));
    match spec.refs.get(name) {
        Some(Target::Id(id)) => Ok(Resolved::Known(id.clone())),
        Some(Target::Managed(a)) => ids.get(a).cloned().ok_or_else(|| {
            problem(
                Code::UnknownReference,
                format!("`{name}`: {a} is not in the configuration"),
            )
        }),
        _ => Err(problem(
            Code::MissingRequired,
            format!("`{name}` is required"),
        )),
    }
}

/// A pair's values after apply (a membership's, a link's).
pub struct Paired {
    /// Each side's id that is known, and the pair's `<first>:<second>` once both are.
    pub after: Map<String, Value>,
    /// The attributes known only after apply, `id` first.
    pub unknown: Vec<String>,
    /// Each side known only after apply, with the create that makes it known.
    pub waits_for: BTreeMap<String, String>,
}

/// `after` with the two sides of a pair, and the pair's id, put in.
pub fn paired(mut after: Map<String, Value>, sides: [(&str, &Resolved); 2]) -> Paired {
    let (mut unknown, waits_for) = put_sides(&mut after, sides);
    if let [(_, Resolved::Known(a)), (_, Resolved::Known(b))] = sides {
        after.insert("id".into(), format!("{a}:{b}").into());
    } else {
        unknown.insert(0, "id".into());
    }
    Paired {
        after,
        unknown,
        waits_for,
    }
}

/// Puts each known side's id into `after`; answers the sides known only
/// after apply, and the create each waits for.
fn put_sides(
    after: &mut Map<String, Value>,
    sides: [(&str, &Resolved); 2],
) -> (Vec<String>, BTreeMap<String, String>) {
    let mut unknown = Vec::new();
    let mut waits_for = BTreeMap::new();
    for (name, r) in sides {
        match r {
            Resolved::Known(id) => {
                after.insert(name.into(), id.clone().into());
            }
            Resolved::Pending(a) => {
                unknown.push(name.to_owned());
                waits_for.insert(name.to_owned(), a.clone());
            }
        }
    }
    (unknown, waits_for)
}

/// Two references of a spec resolved, or every problem of either reported.
fn resolve_both(
    spec: &ObjectSpec,
    (first, second): (&str, &str),
    ids: &BTreeMap<String, Resolved>,
    errors: &mut Vec<Diagnostic>,
) -> Option<(Resolved, Resolved)> {
    match (resolve(spec, first, ids), resolve(spec, second, ids)) {
        (Ok(a), Ok(b)) => Some((a, b)),
        (a, b) => {
            errors.extend(a.err().map(|e| *e));
            errors.extend(b.err().map(|e| *e));
            None
        }
    }
}

/// A session's change: kept when its user, image and settings are those
/// recorded (and Kasm still runs it), else made (again).
fn session_change(
    spec: &ObjectSpec,
    running: Option<&ObjectRecord>,
    (user, image): (&Resolved, &Resolved),
    was_recorded: bool,
) -> AccessChange {
    let mut after: Map<String, Value> = spec.values.clone();
    let (sides, waits_for) = put_sides(&mut after, [("user_id", user), ("image_id", image)]);
    let unknown: Vec<String> = ["id".to_owned(), "kasm_id".to_owned()]
        .into_iter()
        .chain(sides)
        .collect();
    after.insert("operational_status".into(), "running".into());
    let changes_from = |before: &Map<String, Value>| -> Vec<AttributeChange> {
        ["user_id", "image_id", "enable_sharing", "environment"]
            .into_iter()
            .filter_map(|k| {
                let (b, a) = (
                    before.get(k).cloned().unwrap_or(Value::Null),
                    after.get(k).cloned().unwrap_or(Value::Null),
                );
                let same = match (&b, &a) {
                    (Value::String(x), Value::String(y)) => same_id(x, y),
                    _ => b == a,
                };
                (!same || (a.is_null() && waits_for.contains_key(k))).then(|| AttributeChange {
                    attribute: k.into(),
                    before: b,
                    after: a,
                })
            })
            .collect()
    };
    let base = AccessChange {
        after_unknown: unknown.clone(),
        waits_for: waits_for.clone(),
        ..AccessChange::none(&spec.address, SESSION_TYPE)
    };
    let Some(record) = running else {
        return AccessChange {
            action: Action::Create,
            reason: Some(Reason::of_create(was_recorded)),
            changes: changes_from(&Map::new()),
            after: Some(after),
            ..base
        };
    };
    let changes = changes_from(&record.attributes);
    if changes.is_empty() {
        return AccessChange {
            id: Some(record.id.clone()),
            before: Some(record.attributes.clone()),
            after_unknown: Vec::new(),
            waits_for: BTreeMap::new(),
            ..base
        };
    }
    AccessChange {
        action: Action::Replace,
        reason: Some(Reason::ConfigChanged),
        id: Some(record.id.clone()),
        before: Some(record.attributes.clone()),
        after: Some(after),
        changes,
        ..base
    }
}

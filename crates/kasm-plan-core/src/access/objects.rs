//! Plans every instance of the table-typed types (`kasm_user`,
//! `kasm_group_membership`, `kasm_session`) against the state and what Kasm
//! shows of them ([`super::seen`]), with one diff driven by each type's table:
//! a type Kasm updates in place is diffed argument by argument (managed only
//! when set, `ignore_changes`, write-only arguments by salted fingerprint);
//! any change to one Kasm cannot update replaces it. Arguments that refer to
//! another instance resolve to its id, or to the create that makes it known.

use super::kasm_rules;
use super::seen::{Seen, View};
use crate::change::{Action, AttributeChange, Change, Reason};
use crate::diagnostic::{Code, Diagnostic};
use crate::group::{Access, Target, same_id};
use crate::object::{ObjectRecord, ObjectSpec};
use crate::schema::Presence;
use crate::schema::tables::{self, Block, Calls};
use crate::state::State;
use serde_json::{Map, Value};
use std::borrow::Cow;
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
    pub fn of(change: &Change) -> Resolved {
        match (change.action, &change.id) {
            (Action::Create | Action::Replace, _) | (_, None) => {
                Resolved::Pending(change.address.clone())
            }
            (_, Some(id)) => Resolved::Known(id.clone()),
        }
    }
}

/// Plans every instance of one table-typed type in the configuration or
/// the state. `ids`: each managed instance's id, or the create that makes
/// it known, for the arguments that refer to one.
pub fn plan_type(
    table: &'static Block,
    specs: &[ObjectSpec],
    state: &State,
    access: &Access,
    ids: &BTreeMap<String, Resolved>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Change> {
    let Some(calls) = table.calls else {
        return Vec::new();
    };
    let recorded = records(state, table.type_name);
    let view = View::of(table, access);
    let mut out = Vec::new();
    for (address, spec, record) in instances(specs, &recorded, table.type_name) {
        let now = record.and_then(|r| view.seen(r).listed());
        let change = match (spec, record, now) {
            (Some(spec), record, now) => {
                let Some(refs) = resolve_refs(table, spec, ids, errors) else {
                    continue;
                };
                let after = || After::of(table, calls, spec, &refs);
                let change = match (record, now) {
                    (Some(record), Some(now)) if calls.update.is_some() => {
                        update(spec, record, now)
                    }
                    (Some(record), Some(now)) => keep_or_replace(table, spec, record, now, after()),
                    (record, _) => create(table, spec, record.is_some(), after()),
                };
                kasm_rules::check(spec, &change, access, &recorded, errors);
                change
            }
            (None, Some(record), Some(now)) => {
                kasm_rules::check_delete(table.type_name, address, record, access, errors);
                deleted(address, table.type_name, &record.id, now)
            }
            (None, _, _) => continue,
        };
        out.push(change);
    }
    out
}

/// Each argument of a spec that refers to another instance, resolved in
/// the table's order, or every problem reported.
fn resolve_refs(
    table: &Block,
    spec: &ObjectSpec,
    ids: &BTreeMap<String, Resolved>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Vec<(&'static str, Resolved)>> {
    let mut refs = Vec::new();
    let mut ok = true;
    for arg in table.arguments.iter().filter(|a| a.refers_to.is_some()) {
        match resolve(spec, arg.name, ids) {
            Ok(r) => refs.push((arg.name, r)),
            Err(e) => {
                errors.push(*e);
                ok = false;
            }
        }
    }
    ok.then_some(refs)
}

/// An instance's attributes after its create: the values set, each
/// reference's id when known, the id of a pair once both sides are, and
/// the status its readiness poll waits for.
struct After {
    values: Map<String, Value>,
    unknown: Vec<String>,
    waits_for: BTreeMap<String, String>,
}

impl After {
    fn of(table: &Block, calls: &Calls, spec: &ObjectSpec, refs: &[(&str, Resolved)]) -> After {
        let mut values = spec.values.clone();
        // kasm-plan's own arguments are recorded, not planned.
        values.retain(|k, _| !table.is_kept(k));
        let mut unknown = vec!["id".to_owned()];
        unknown.extend(table.id_alias.map(str::to_owned));
        let (pending, waits_for) = put_sides(&mut values, refs.iter().map(|(n, r)| (*n, r)));
        unknown.extend(pending);
        if let Some([a, b]) = calls.id_of_pair
            && let (Some(Value::String(a)), Some(Value::String(b))) = (values.get(a), values.get(b))
        {
            values.insert("id".into(), format!("{a}:{b}").into());
            unknown.retain(|u| u != "id");
        }
        if let Some(ready) = &calls.ready {
            values.insert(ready.attribute.into(), ready.want.into());
        }
        After {
            values,
            unknown,
            waits_for,
        }
    }

    /// Each argument a configuration may set, in the table's order, that
    /// differs from `before` (a side known only after apply always does),
    /// but those `ignored` and those that only name another's id.
    fn changes(
        &self,
        table: &Block,
        before: &Map<String, Value>,
        ignored: &[String],
    ) -> Vec<AttributeChange> {
        // Ignoring a name ignores the id it gives.
        let ignores = |name: &str| {
            ignored.iter().any(|i| {
                i == name
                    || table
                        .argument(i)
                        .and_then(|a| a.names)
                        .is_some_and(|n| n.id == name)
            })
        };
        table
            .arguments
            .iter()
            .filter(|a| a.presence != Presence::Computed && !a.write_only && a.names.is_none())
            .filter(|a| !ignores(a.name))
            .filter_map(|a| {
                let (b, v) = (
                    before.get(a.name).cloned().unwrap_or(Value::Null),
                    self.values.get(a.name).cloned().unwrap_or(Value::Null),
                );
                let same = match (&b, &v) {
                    (Value::String(x), Value::String(y)) => same_id(x, y),
                    _ => b == v,
                };
                (!same || self.waits_for.contains_key(a.name)).then(|| AttributeChange {
                    attribute: a.name.into(),
                    before: b,
                    after: v,
                })
            })
            .collect()
    }
}

/// The create of a spec's instance: every argument it sets; write-only ones
/// as fingerprints, shown as sensitive.
fn create(table: &Block, spec: &ObjectSpec, was_recorded: bool, after: After) -> Change {
    let mut changes = after.changes(table, &Map::new(), &[]);
    let sensitive: Vec<String> = spec.secrets.keys().cloned().collect();
    for name in &sensitive {
        changes.push(AttributeChange {
            attribute: name.clone().into(),
            before: Value::Null,
            after: spec.fingerprint(name).map_or(Value::Null, Value::String),
        });
    }
    Change {
        action: Action::Create,
        reason: Some(Reason::of_create(was_recorded)),
        after: Some(after.values.into()),
        after_unknown: after.unknown.into_iter().map(Cow::Owned).collect(),
        waits_for: after.waits_for,
        changes,
        sensitive: sensitive.into_iter().map(Cow::Owned).collect(),
        ..Change::none(&spec.address, spec.resource_type)
    }
}

/// An instance Kasm cannot update: kept when every argument is as Kasm
/// shows it (`now`; `ignore_changes` aside), else replaced.
fn keep_or_replace(
    table: &Block,
    spec: &ObjectSpec,
    record: &ObjectRecord,
    now: Map<String, Value>,
    after: After,
) -> Change {
    let changes = after.changes(table, &now, &spec.ignore_changes);
    let kept = Change {
        id: Some(record.id.clone()),
        before: Some(now.into()),
        ..Change::none(&spec.address, spec.resource_type)
    };
    if changes.is_empty() {
        return kept;
    }
    Change {
        action: Action::Replace,
        reason: Some(Reason::ConfigChanged),
        after: Some(after.values.into()),
        after_unknown: after.unknown.into_iter().map(Cow::Owned).collect(),
        waits_for: after.waits_for,
        changes,
        ..kept
    }
}

/// The arguments a spec manages now: set, not ignored after create, and
/// listed by Kasm (a user's `groups` is planned by [`super::user_groups`]).
fn managed<'a>(
    spec: &'a ObjectSpec,
    now: &'a Map<String, Value>,
) -> impl Iterator<Item = (&'a String, &'a Value)> {
    spec.values
        .iter()
        .filter(|(k, _)| !spec.ignore_changes.contains(k) && now.contains_key(k.as_str()))
}

/// An instance Kasm updates in place: each managed argument that differs
/// from Kasm's value, and each write-only one whose fingerprint differs.
fn update(spec: &ObjectSpec, record: &ObjectRecord, before: Map<String, Value>) -> Change {
    let mut changes = Vec::new();
    let mut config_changed = false;
    for (name, want) in managed(spec, &before) {
        let now = before.get(name).cloned().unwrap_or(Value::Null);
        if now != *want {
            config_changed |= record.attributes.get(name) != Some(want);
            changes.push(AttributeChange {
                attribute: name.clone().into(),
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
                attribute: name.clone().into(),
                before: applied,
                after: want,
            });
        }
    }
    let (action, reason, after) = if changes.is_empty() {
        (Action::NoOp, None, None)
    } else {
        let mut after = before.clone();
        for c in changes
            .iter()
            .filter(|c| !sensitive.iter().any(|s| *s == c.attribute))
        {
            after.insert(c.attribute.to_string(), c.after.clone());
        }
        let reason = if config_changed {
            Reason::ConfigChanged
        } else {
            Reason::Drift
        };
        (Action::Update, Some(reason), Some(after))
    };
    Change {
        action,
        reason,
        id: Some(record.id.clone()),
        before: Some(before.into()),
        after: after.map(Into::into),
        changes,
        sensitive: sensitive.into_iter().map(Cow::Owned).collect(),
        ..Change::none(&spec.address, spec.resource_type)
    }
}

/// Instances of the table-typed types changed or deleted on Kasm since the
/// state recorded them, each as a change from the recorded values to Kasm's.
pub fn drift(types: &[&'static Block], state: &State, access: &Access) -> Vec<Change> {
    let mut out = Vec::new();
    for table in types {
        let view = View::of(table, access);
        for (address, record) in records(state, table.type_name) {
            let mut recorded = visible(table.type_name, record);
            let now = match view.seen(record) {
                Seen::Listed(now) => now,
                Seen::Gone => {
                    view.put_names(&mut recorded);
                    out.push(Change {
                        reason: Some(Reason::DeletedOutside),
                        ..deleted(address, table.type_name, &record.id, recorded)
                    });
                    continue;
                }
                Seen::Unread => continue,
            };
            let changes: Vec<AttributeChange> = recorded
                .iter()
                .filter_map(|(k, was)| {
                    let is = now.get(k)?;
                    (is != was).then(|| AttributeChange {
                        attribute: k.clone().into(),
                        before: was.clone(),
                        after: is.clone(),
                    })
                })
                .collect();
            if !changes.is_empty() {
                out.push(Change {
                    action: Action::Update,
                    reason: Some(Reason::Drift),
                    id: Some(record.id.clone()),
                    before: Some(recorded.into()),
                    after: Some(now.into()),
                    changes,
                    ..Change::none(address, table.type_name)
                });
            }
        }
    }
    out
}

/// Instances of the table-typed types the state records that Kasm no
/// longer has.
pub fn gone(types: &[&'static Block], state: &State, access: &Access) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for table in types {
        let view = View::of(table, access);
        for (address, record) in records(state, table.type_name) {
            if view.seen(record) == Seen::Gone {
                out.push((address.to_owned(), record.id.clone()));
            }
        }
    }
    out.sort();
    out
}

/// The groups' table, and the other table-typed types': the links are
/// reckoned between them.
pub fn split_groups() -> (Vec<&'static Block>, Vec<&'static Block>) {
    tables::MANAGED
        .iter()
        .partition(|t| t.type_name == crate::address::GROUP_TYPE)
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
pub fn records<'a>(state: &'a State, type_name: &str) -> BTreeMap<&'a str, &'a ObjectRecord> {
    state
        .objects
        .iter()
        .filter(|(a, _)| crate::address::type_of(a) == Some(type_name))
        .map(|(a, r)| (a.as_str(), r))
        .collect()
}

fn deleted(address: &str, type_name: &'static str, id: &str, before: Map<String, Value>) -> Change {
    Change {
        action: Action::Delete,
        reason: Some(Reason::RemovedFromConfig),
        id: Some(id.to_owned()),
        before: Some(before.into()),
        ..Change::none(address, type_name)
    }
}

/// A record's attributes without its write-only ones' fingerprints, with
/// its id (under `id` and the type's alias for it).
pub(super) fn visible(type_name: &str, record: &ObjectRecord) -> Map<String, Value> {
    let table = crate::schema::tables::managed(type_name);
    let write_only = |k: &str| {
        table
            .and_then(|t| t.argument(k))
            .is_some_and(|a| a.write_only)
    };
    let mut out: Map<String, Value> = record
        .attributes
        .iter()
        .filter(|(k, _)| !write_only(k))
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect();
    for key in ["id"].into_iter().chain(table.and_then(|t| t.id_alias)) {
        out.entry(key).or_insert_with(|| record.id.clone().into());
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

/// Puts each known side's id into `after`; answers the sides known only
/// after apply, and the create each waits for.
fn put_sides<'a>(
    after: &mut Map<String, Value>,
    sides: impl IntoIterator<Item = (&'a str, &'a Resolved)>,
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

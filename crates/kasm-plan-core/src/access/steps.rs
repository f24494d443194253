//! From the access part of a plan (groups, links, users, memberships,
//! sessions) to the steps that carry it out: `call` steps built from each
//! type's table, records to write, forgets, and the revokes of an exclusive
//! image's undeclared links. Their order is the graph's ([`crate::graph`]).

use super::MEMBERSHIP_TYPE;
use super::plan::{Change, ExtraLink};
use super::seen::{Seen, View};
use crate::change::{Action, Plan};
use crate::group::{Access, GroupSpec, LinkSpec, Target};
use crate::model::canonical_id;
use crate::object::{ObjectRecord, ObjectSpec, Values};
use crate::schema::tables::{self, Block, Calls, Lit};
use crate::state::State;
use crate::step::{CallKind, CallStep, FindStep, ReadyStep, put};
pub use crate::step::{ObjectRecordStep, phase};
use crate::step::{ReleaseStep, Step};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// What the access steps are made from.
pub struct StepInputs<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The `kasm_group` instances.
    pub groups: &'a [GroupSpec],
    /// The `kasm_group_image` instances.
    pub links: &'a [LinkSpec],
    /// The state (after moves and imports).
    pub state: &'a State,
    /// Kasm's groups and links.
    pub access: &'a Access,
    /// The `kasm_user` and `kasm_group_membership` instances.
    pub objects: &'a [ObjectSpec],
    /// The instances whose block says `prevent_destroy = true`.
    pub protected: &'a BTreeSet<String>,
}

/// The steps for the plan's access changes and revokes.
pub fn steps(inputs: &StepInputs) -> Vec<Step> {
    let groups = inputs.groups.iter().map(GroupSpec::to_object);
    let links = inputs.links.iter().map(LinkSpec::to_object);
    let specs: Vec<ObjectSpec> = groups.chain(links).collect();
    let specs: BTreeMap<&str, &ObjectSpec> = inputs
        .objects
        .iter()
        .chain(&specs)
        .map(|o| (o.address.as_str(), o))
        .collect();
    let listed = Listed::of(inputs);
    let mut out = Vec::new();
    for change in inputs.plan.access_changes() {
        let spec = specs.get(change.address.as_str()).copied();
        let mut made = object_steps(change, spec, inputs, &listed);
        made.extend(group_parts(change));
        remember_prevent_destroy(&mut made, change, inputs);
        out.extend(made);
    }
    out.extend(forgotten(inputs));
    out.extend(
        inputs
            .plan
            .extra_links
            .iter()
            .filter(|x| x.revoke)
            .filter_map(revoke),
    );
    out
}

/// Every record the steps write keeps its block's `prevent_destroy`, as an
/// image's does; an unchanged instance whose record says otherwise is
/// recorded again, so the flag is what the last apply saw (a block removed
/// later is still refused a delete while its record says so).
fn remember_prevent_destroy(steps: &mut Vec<Step>, change: &Change, inputs: &StepInputs) {
    let mut written = false;
    for step in steps.iter_mut() {
        let (address, record) = match step {
            Step::Call(c) => (&c.address, c.record.as_mut()),
            Step::RecordObject(r) => (&r.address, Some(&mut r.record)),
            _ => continue,
        };
        if let Some(record) = record {
            record.prevent_destroy = inputs.protected.contains(address);
            written |= *address == change.address;
        }
    }
    let keep = inputs.protected.contains(&change.address);
    let stale = inputs
        .state
        .objects
        .get(&change.address)
        .filter(|r| r.prevent_destroy != keep);
    if let (Action::NoOp, false, Some(recorded)) = (change.action, written, stale) {
        steps.push(Step::RecordObject(ObjectRecordStep {
            address: change.address.clone(),
            record: ObjectRecord {
                prevent_destroy: keep,
                ..recorded.clone()
            },
        }));
    }
}

/// Records in the state that are in neither the plan nor on Kasm.
fn forgotten(inputs: &StepInputs) -> Vec<Step> {
    let changed: BTreeSet<&str> = inputs
        .plan
        .access_changes()
        .map(|c| c.address.as_str())
        .collect();
    let planned = |a: &str| changed.contains(a);
    let (groups, others) = super::objects::split_groups();
    let gone = |types| super::objects::gone(types, inputs.state, inputs.access);
    gone(&groups)
        .into_iter()
        .chain(gone(&[tables::LINK]))
        .chain(gone(&others))
        .filter(|(a, _)| !planned(a))
        .map(|(address, id)| forget(address, id))
        .collect()
}

/// The steps of a refresh-only apply: each record of a table-driven type
/// takes Kasm's current values of what it holds, and an instance gone from
/// Kasm (a link too) is forgotten.
pub fn refresh_steps(state: &State, access: &Access) -> Vec<Step> {
    let (groups, others) = super::objects::split_groups();
    let mut others = refreshed_records(&others, state, access);
    others.sort_by(|a, b| a.address().cmp(b.address()));
    refreshed_records(&groups, state, access)
        .into_iter()
        .chain(refreshed_records(&[tables::LINK], state, access))
        .chain(others)
        .collect()
}

/// The records of these types as Kasm shows them now: written again where
/// Kasm's values moved, forgotten where Kasm no longer has them.
fn refreshed_records(types: &[&'static Block], state: &State, access: &Access) -> Vec<Step> {
    let mut out = Vec::new();
    for table in types {
        let view = View::of(table, access);
        for (address, record) in super::objects::records(state, table.type_name) {
            match view.seen(record) {
                Seen::Listed(now) => {
                    let attributes = refreshed(table, record, Some(&Values::Named(now)));
                    out.extend(recorded_again(address, record, attributes));
                }
                Seen::Gone => out.push(forget(address.to_owned(), record.id.clone())),
                Seen::Unread => {}
            }
        }
    }
    out
}

/// A record forgotten (Kasm no longer has its instance); nothing is sent.
fn forget(address: String, id: String) -> Step {
    Step::Forget(ReleaseStep {
        address,
        image_id: id,
    })
}

/// A record written again with these attributes, when they differ from
/// what it holds.
fn recorded_again(
    address: &str,
    record: &ObjectRecord,
    attributes: Map<String, Value>,
) -> Option<Step> {
    (record.attributes != attributes).then(|| {
        Step::RecordObject(ObjectRecordStep {
            address: address.to_owned(),
            record: ObjectRecord {
                attributes: attributes.into(),
                ..record.clone()
            },
        })
    })
}

/// The removal of a link no resource declares (an exclusive image's): the
/// link table's delete, sent until Kasm lists no such row, the image's id
/// read from the state when the image is created in this run.
fn revoke(extra: &ExtraLink) -> Option<Step> {
    let calls = tables::LINK.calls?;
    let image = extra
        .image_id
        .clone()
        .map_or_else(|| Target::Managed(extra.image_address.clone()), Target::Id);
    let targets = BTreeMap::from([
        ("group_id".to_owned(), Target::Id(extra.group_id.clone())),
        ("image_id".to_owned(), image),
    ]);
    let mut step = CallStep::of(
        &calls.delete,
        CallKind::Remove,
        &extra.image_address,
        None,
        &Map::new(),
        targets,
    );
    step.until_gone = true;
    step.find = calls
        .find_after_lost_create
        .as_ref()
        .map(|f| find(f, &Map::new()));
    Some(Step::Call(Box::new(step)))
}

/// The steps of a change of a table-driven type, as its table's calls say.
fn object_steps(
    change: &Change,
    spec: Option<&ObjectSpec>,
    inputs: &StepInputs,
    listed: &Listed,
) -> Vec<Step> {
    let Some(table) = tables::resource(&change.resource_type) else {
        return Vec::new();
    };
    let Some(calls) = table.calls else {
        return Vec::new();
    };
    let record = inputs.state.objects.get(&change.address);
    let delete = || {
        record.map(|r| {
            let mut step = CallStep::of(
                &calls.delete,
                CallKind::Delete,
                &change.address,
                Some(&r.id),
                &kept_values(table, &r.attributes),
                recorded_ids(table, r),
            );
            // Sent again until the find finds none (a link's rows).
            if calls.until_gone {
                step.until_gone = true;
                step.find = calls
                    .find_after_lost_create
                    .as_ref()
                    .map(|f| find(f, &Map::new()));
            }
            Step::Call(Box::new(step))
        })
    };
    let create = |spec: &ObjectSpec| create(table, calls, change, spec);
    match (change.action, spec) {
        (Action::Create, Some(spec)) => {
            vec![
                listed
                    .found_unowned(table, spec)
                    .unwrap_or_else(|| create(spec)),
            ]
        }
        (Action::Replace, Some(spec)) => delete().into_iter().chain([create(spec)]).collect(),
        (Action::Update, Some(spec)) => update(table, calls, change, spec, record)
            .into_iter()
            .collect(),
        (Action::NoOp, Some(spec)) => record
            .and_then(|r| refresh(table, change, spec, r))
            .into_iter()
            .collect(),
        (Action::Delete, _) => delete().into_iter().collect(),
        _ => Vec::new(),
    }
}

/// A create's call: every value the spec sets (write-only ones in clear),
/// the ids it names, and what to record once Kasm answers.
fn create(table: &Block, calls: &Calls, change: &Change, spec: &ObjectSpec) -> Step {
    let mut sent = sendable(table, spec, |_| true);
    for (name, secret) in &spec.secrets {
        sent.insert(name.clone(), secret.expose().into());
    }
    let mut step = CallStep::of(
        &calls.create,
        CallKind::Create,
        &change.address,
        None,
        &sent,
        targets(table, change),
    );
    step.record = Some(ObjectRecord {
        id: String::new(),
        attributes: with_groups(recorded(table, spec, None, spec.secrets.keys()), change).into(),
        prevent_destroy: false,
    });
    // Without an id in Kasm's answer, the id is the pair it names.
    if calls.create.answer_id.is_none() {
        step.id_parts = id_parts(table);
    }
    step.find = calls
        .find_after_lost_create
        .as_ref()
        .map(|f| find(f, &spec.values));
    step.ready = calls.ready.as_ref().map(|r| ReadyStep {
        endpoint: r.endpoint.into(),
        id_at: r.id_at.into(),
        status_at: r.status_at.into(),
        want: r.want.into(),
        timeout_secs: r.timeout_secs,
    });
    step.unmarked = calls.unmarked;
    step.search_first = calls.search_first;
    Step::Call(Box::new(step))
}

/// An update's call: the arguments that change (write-only ones in clear)
/// and those its body always names (Kasm keeps what is left out), and the
/// record after: Kasm's values as the plan read them, then the spec's.
fn update(
    table: &Block,
    calls: &Calls,
    change: &Change,
    spec: &ObjectSpec,
    record: Option<&ObjectRecord>,
) -> Option<Step> {
    let update = calls.update.as_ref()?;
    let changed: BTreeSet<&str> = change
        .changes
        .iter()
        .map(|c| c.attribute.as_ref())
        .collect();
    let named = |k: &str| update.body.iter().any(|(name, _)| *name == k);
    let mut sent = sendable(table, spec, |k| changed.contains(k) || named(k));
    // Secrets go only when they change: a password sent again logs the
    // user out.
    let secrets: Vec<&String> = spec
        .secrets
        .keys()
        .filter(|k| changed.contains(k.as_str()))
        .collect();
    for name in &secrets {
        if let Some(secret) = spec.secrets.get(*name) {
            sent.insert((*name).clone(), secret.expose().into());
        }
    }
    let mut step = CallStep::of(
        update,
        CallKind::Update,
        &change.address,
        change.id.as_deref(),
        &sent,
        BTreeMap::new(),
    );
    let before = record.map(|r| refreshed(table, r, change.before.as_ref()));
    step.record = Some(ObjectRecord {
        id: change.id.clone().unwrap_or_default(),
        attributes: with_groups(
            recorded(table, spec, before.as_ref(), secrets.into_iter()),
            change,
        )
        .into(),
        prevent_destroy: false,
    });
    Some(Step::Call(Box::new(step)))
}

/// An unchanged instance's record, written again when Kasm's values of
/// what it records, or kasm-plan's own arguments, moved since.
fn refresh(
    table: &Block,
    change: &Change,
    spec: &ObjectSpec,
    record: &ObjectRecord,
) -> Option<Step> {
    let mut attributes = refreshed(table, record, change.before.as_ref());
    put_kept(table, spec, &mut attributes);
    recorded_again(&change.address, record, attributes)
}

/// What Kasm lists of each type whose create is `unmarked` (a group's: Kasm
/// refuses a second of the same name) and that the plan creates, with the
/// ids the state's records hold: read once per apply.
struct Listed(BTreeMap<&'static str, (View, BTreeSet<String>)>);

impl Listed {
    fn of(inputs: &StepInputs) -> Listed {
        let creates = |t: &Block| {
            inputs
                .plan
                .access_changes()
                .any(|c| c.action == Action::Create && c.resource_type == t.type_name)
        };
        let read = tables::RESOURCES
            .iter()
            .filter(|t| t.list.is_some() && t.calls.is_some_and(|c| c.unmarked) && creates(t))
            .map(|t| {
                let owned = super::objects::records(inputs.state, t.type_name)
                    .values()
                    .map(|r| canonical_id(&r.id).into_owned())
                    .collect();
                (t.type_name, (View::of(t, inputs.access), owned))
            });
        Listed(read.collect())
    }

    /// A create whose object is there already, listed with the spec's
    /// values and held by no record: a run stopped before recording it made
    /// it. It is recorded, not made again.
    fn found_unowned(&self, table: &Block, spec: &ObjectSpec) -> Option<Step> {
        let (view, owned) = self.0.get(table.type_name)?;
        let mut record = view.unowned_equal(&spec.values, owned)?;
        let mut attributes = record.attributes.to_map();
        put_kept(table, spec, &mut attributes);
        record.attributes = attributes.into();
        Some(Step::RecordObject(ObjectRecordStep {
            address: spec.address.clone(),
            record,
        }))
    }
}

/// The calls that put a user in the groups its `groups` adds and take it
/// out of those it drops: a membership's add and remove, recorded with
/// the user, not as memberships.
fn group_parts(change: &Change) -> Vec<Step> {
    let Some(calls) = tables::managed(MEMBERSHIP_TYPE).and_then(|t| t.calls) else {
        return Vec::new();
    };
    let user = match (change.action, &change.id) {
        (Action::Update | Action::NoOp, Some(id)) => Target::Id(id.clone()),
        _ => Target::Managed(change.address.clone()),
    };
    change
        .group_parts
        .iter()
        .map(|part| {
            let (call_of, kind) = if part.join {
                (&calls.create, CallKind::Attach)
            } else {
                (&calls.delete, CallKind::Detach)
            };
            let ids = BTreeMap::from([
                ("group_id".to_owned(), part.group.clone()),
                ("user_id".to_owned(), user.clone()),
            ]);
            let step = CallStep::of(call_of, kind, &change.address, None, &Map::new(), ids);
            Step::Call(Box::new(step))
        })
        .collect()
}

/// The read that finds what a lost create made: static values in its body,
/// ids to fill in from the step's when it runs.
fn find(f: &tables::Find, values: &Map<String, Value>) -> FindStep {
    let mut body = Map::new();
    let mut fill = BTreeMap::new();
    for (argument, pointer) in f.body {
        match values.get(*argument) {
            Some(v) => put(&mut body, pointer, v.clone()),
            None => {
                fill.insert((*pointer).to_owned(), (*argument).to_owned());
            }
        }
    }
    FindStep {
        endpoint: f.endpoint.into(),
        body,
        fill,
        list: f.list.map(str::to_owned),
        matching: f
            .matching
            .iter()
            .map(|(key, argument)| ((*key).to_owned(), (*argument).to_owned()))
            .collect(),
        answer_id: f.answer_id.into(),
        none_when: f.none_when.into(),
    }
}

/// The values a spec sends, but for `groups` (a membership call per group),
/// kasm-plan's own arguments and those that name another's id (resolved).
fn sendable(table: &Block, spec: &ObjectSpec, keep: impl Fn(&str) -> bool) -> Map<String, Value> {
    spec.values
        .iter()
        .filter(|(k, _)| k.as_str() != "groups" && keep(k))
        .filter(|(k, _)| {
            table
                .argument(k)
                .is_none_or(|a| !a.kept && a.names.is_none())
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// What the state records for a spec: its values (on an update, over
/// `before`, keeping its values of ignored arguments), kasm-plan's own
/// arguments, and the fingerprints of `secrets` (the recorded ones of the
/// others).
fn recorded<'a>(
    table: &Block,
    spec: &ObjectSpec,
    before: Option<&Map<String, Value>>,
    secrets: impl Iterator<Item = &'a String>,
) -> Map<String, Value> {
    let mut out = before.cloned().unwrap_or_default();
    let ignored = |k: &str| before.is_some() && spec.ignore_changes.iter().any(|i| i == k);
    for (k, v) in sendable(table, spec, |k| !ignored(k)) {
        out.insert(k, v);
    }
    put_kept(table, spec, &mut out);
    for name in secrets {
        if let Some(fp) = spec.fingerprint(name) {
            out.insert(name.clone(), fp.into());
        }
    }
    out
}

/// Puts kasm-plan's own arguments into a record: each the spec sets to
/// other than its default, the others left out.
fn put_kept(table: &Block, spec: &ObjectSpec, attributes: &mut Map<String, Value>) {
    for arg in table.arguments.iter().filter(|a| a.kept) {
        let default = arg.default.map(|Lit::Bool(b)| Value::Bool(b));
        match spec.values.get(arg.name) {
            Some(v) if Some(v) != default.as_ref() => {
                attributes.insert(arg.name.to_owned(), v.clone());
            }
            _ => {
                attributes.remove(arg.name);
            }
        }
    }
}

/// kasm-plan's own arguments as a record keeps them, for a call whose body
/// names one (a group's delete: `force`).
fn kept_values(table: &Block, attributes: &Values) -> Map<String, Value> {
    attributes
        .iter()
        .filter(|(k, _)| table.is_kept(k))
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
}

/// A record's attributes with Kasm's current value (`now`, as the plan
/// read it) of each it holds that Kasm's list shows; one Kasm no longer
/// has is left out.
fn refreshed(table: &Block, record: &ObjectRecord, now: Option<&Values>) -> Map<String, Value> {
    let mut out = record.attributes.to_map();
    let (Some(now), Some(list)) = (now, table.list) else {
        return out;
    };
    for key in list
        .shows
        .iter()
        .filter(|k| record.attributes.contains_key(k))
    {
        match now.get(key) {
            Some(Value::Null) | None => {
                out.remove(*key);
            }
            Some(value) => {
                out.insert((*key).to_owned(), value.clone());
            }
        }
    }
    out
}

/// A user's record with the `groups` its change leaves (when its `groups`
/// is managed), so the next plan tells a changed list from a change on Kasm.
fn with_groups(mut attributes: Map<String, Value>, change: &Change) -> Map<String, Value> {
    if let Some(groups) = change.after.as_ref().and_then(|a| a.get("groups")) {
        attributes.insert("groups".into(), groups.clone());
    }
    attributes
}

/// The attributes whose ids make a record's id: the ids it names.
fn id_parts(table: &tables::Block) -> Vec<String> {
    table
        .arguments
        .iter()
        .filter(|a| a.refers_to.is_some())
        .map(|a| a.name.to_owned())
        .collect()
}

/// The ids a change names: known ones, or the creates that make them known.
fn targets(table: &tables::Block, change: &Change) -> BTreeMap<String, Target> {
    let refers = |k: &str| table.argument(k).is_some_and(|a| a.refers_to.is_some());
    let known = change
        .after
        .iter()
        .flat_map(Values::iter)
        .filter_map(|(k, v)| {
            let id = v.as_str()?;
            refers(k).then(|| (k.to_owned(), Target::Id(id.to_owned())))
        });
    let pending = change
        .waits_for
        .iter()
        .map(|(k, a)| (k.clone(), Target::Managed(a.clone())));
    known.chain(pending).collect()
}

/// The ids a record names, for its delete.
fn recorded_ids(table: &tables::Block, record: &ObjectRecord) -> BTreeMap<String, Target> {
    table
        .arguments
        .iter()
        .filter(|a| a.refers_to.is_some())
        .filter_map(|a| {
            Some((
                a.name.to_owned(),
                Target::Id(record.text(a.name)?.to_owned()),
            ))
        })
        .collect()
}

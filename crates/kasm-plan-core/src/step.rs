//! The steps of an apply: one action each, with exactly what it needs to
//! record its result, for images, groups and links alike. Pure data: the
//! core's builders (`apply`, `access::steps`) make them, the graph orders
//! them, the host carries them out.
//!
//! Request bodies carry registry tokens in clear (Kasm needs them), so a
//! [`Step`] must never be printed or stored (its `Debug` leaves bodies out).

use crate::group::Target;
use crate::object::ObjectRecord;
use crate::schema::tables::{Call, Lit};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One action to carry out, with exactly what it needs to record its result.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Step {
    /// `create_image` with `target_image`.
    Create(CreateStep),
    /// No request: an image on Kasm that no address owns matches the create
    /// exactly (an earlier run created it and was interrupted); record it.
    Adopt(AdoptStep),
    /// No request: the image is gone from Kasm and from the config; forget the address.
    Forget(ReleaseStep),
    /// No request: a `moved` block's rename of an address, of any type.
    Move(MoveStep),
    /// No request: write an address's record, of any type (Kasm's current
    /// values for an unchanged one, an `import` block's, or what a stopped
    /// run's create made, found on Kasm).
    RecordObject(ObjectRecordStep),
    /// A Kasm call of a table-driven type (a group, a user, a membership, a
    /// session), carried out as its table says, then the record written or
    /// forgotten.
    Call(Box<CallStep>),
}

/// What a call does to its address.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// Makes the object.
    Create,
    /// Changes it in place.
    Update,
    /// Deletes it; the address is forgotten after.
    Delete,
    /// Adds a part of the object Kasm keeps apart (a user to one of its
    /// `groups`): nothing is recorded, and the change is counted once, by
    /// the object's own create or update.
    Attach,
    /// Removes such a part (a user from a group its `groups` no longer lists).
    Detach,
    /// Deletes an object no address manages, on behalf of the address (an
    /// image's duplicate, asked for; a link an exclusive image must not
    /// have): the state does not change.
    Remove,
}

/// A call, as the type's table describes it, with its body filled in.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CallStep {
    /// The resource address.
    pub address: String,
    /// What it does.
    pub kind: CallKind,
    /// The object's id, for an update or a delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Kasm's endpoint (`create_user`).
    pub endpoint: String,
    /// The request body. Holds secrets (a password).
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, unknown>"))]
    pub body: Map<String, Value>,
    /// Ids to put into the body when the step runs, by JSON pointer: a
    /// managed target's id is read from the state then.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub ids: std::collections::BTreeMap<String, Target>,
    /// The same request twice has one effect: it may be retried.
    #[serde(default)]
    pub repeat_safe: bool,
    /// Refusals that mean the effect is already there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub done_when: Vec<String>,
    /// Where the answer carries the new object's id (a JSON pointer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_id: Option<String>,
    /// After a lost answer, the read that finds what a create made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub find: Option<FindStep>,
    /// After a create, the poll until the object is ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<ReadyStep>,
    /// What the state records after; absent for a delete. Each filled id
    /// is recorded too, as the attribute its pointer ends with. Its `id` is
    /// empty when the answer or `id_parts` gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<ObjectRecord>,
    /// Where the answer carries the object itself (`/image`): the record is
    /// then Kasm's object, read by the core (`record`), with `record`'s
    /// values over it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_answer: Option<String>,
    /// The attributes whose values, joined by `:`, are the record's id
    /// (a membership's `<group_id>:<user_id>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_parts: Vec<String>,
    /// Refusals and what to do about them: a refusal's text → the help
    /// added to the error (`{address}` stands for the address).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub help: std::collections::BTreeMap<String, String>,
    /// A create sent without a pending mark: Kasm refuses a second object
    /// with its values (a group), or the next plan reads what it made (a
    /// link's row).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unmarked: bool,
    /// A create that first runs its `find`, and keeps what it finds: Kasm
    /// would make a second equal object (a link's second row).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub search_first: bool,
    /// A delete sent again until its `find` finds none: each call removes
    /// one of several equal objects (a link's rows).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub until_gone: bool,
}

impl CallStep {
    /// A call's step: `values` and the object's `id` placed where the
    /// table's call says, the id arguments (`refs`, by argument) as ids to
    /// fill in when the step runs.
    pub fn of(
        call: &Call,
        kind: CallKind,
        address: &str,
        id: Option<&str>,
        values: &Map<String, Value>,
        refs: BTreeMap<String, Target>,
    ) -> CallStep {
        let mut body = Map::new();
        let mut ids = BTreeMap::new();
        let placed: Vec<&str> = call.body.iter().map(|(name, _)| *name).collect();
        for (name, pointer) in call.body {
            match *name {
                "*" => {
                    for (k, v) in values.iter().filter(|(k, _)| !placed.contains(&k.as_str())) {
                        put(&mut body, &format!("{pointer}/{k}"), v.clone());
                    }
                }
                "id" => put(&mut body, pointer, id.unwrap_or_default().into()),
                name => {
                    if let Some(target) = refs.get(name) {
                        ids.insert((*pointer).to_owned(), target.clone());
                    } else if let Some(v) = values.get(name) {
                        put(&mut body, pointer, v.clone());
                    }
                }
            }
        }
        for (pointer, Lit::Bool(b)) in call.fixed {
            put(&mut body, pointer, (*b).into());
        }
        CallStep {
            address: address.to_owned(),
            kind,
            id: id.map(str::to_owned),
            endpoint: call.endpoint.into(),
            body,
            ids,
            // A refusal that tells the effect is there makes a repeat safe too.
            repeat_safe: call.repeat_safe,
            done_when: call.done_when.iter().map(|t| (*t).to_owned()).collect(),
            answer_id: call.answer_id.map(str::to_owned),
            find: None,
            ready: None,
            record: None,
            record_answer: None,
            id_parts: Vec::new(),
            search_first: false,
            until_gone: false,
            help: call
                .help
                .iter()
                .map(|(refusal, help)| ((*refusal).to_owned(), (*help).to_owned()))
                .collect(),
            unmarked: false,
        }
    }
}

/// Sets the value at a JSON pointer, making the objects on the way.
pub fn put(body: &mut Map<String, Value>, pointer: &str, value: Value) {
    let mut keys = pointer.trim_start_matches('/').split('/').peekable();
    let mut at = body;
    while let Some(key) = keys.next() {
        if keys.peek().is_none() {
            at.insert(key.to_owned(), value);
            return;
        }
        let next = at
            .entry(key.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        let Value::Object(map) = next else { return };
        at = map;
    }
}

/// A read that finds an object a lost create may have made: one lookup, or
/// a list searched for an item no other address records.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindStep {
    /// The endpoint (`get_user`, `get_user_kasms`).
    pub endpoint: String,
    /// The request body's known values.
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, unknown>"))]
    pub body: Map<String, Value>,
    /// Ids to put into the body, by JSON pointer: the attribute whose
    /// filled-in id goes there.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub fill: std::collections::BTreeMap<String, String>,
    /// Where the answer lists candidates (a JSON pointer); absent: the
    /// answer is the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// For a list: item key → the attribute whose value it must have.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub matching: std::collections::BTreeMap<String, String>,
    /// Where the object carries the id (a JSON pointer).
    pub answer_id: String,
    /// The refusal that means there is none (empty: every refusal is an error).
    pub none_when: String,
}

/// A poll after a create until the object reports the status wanted.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadyStep {
    /// The endpoint (`get_kasm`).
    pub endpoint: String,
    /// Where the object's id goes in the body (a JSON pointer).
    pub id_at: String,
    /// Where the answer carries the status (a JSON pointer).
    pub status_at: String,
    /// The status wanted (`running`).
    pub want: String,
    /// The longest wait, in seconds.
    pub timeout_secs: u64,
}

// Never shows the body: it may hold a password.
impl std::fmt::Debug for CallStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallStep")
            .field("address", &self.address)
            .field("kind", &self.kind)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// A create: the request body and what to record with Kasm's answer.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateStep {
    /// The resource address.
    pub address: String,
    /// The request's `target_image`. Holds secrets.
    pub target_image: Map<String, Value>,
    /// What to record over Kasm's answer (`record`): a registry token's
    /// fingerprint, `prevent_destroy`.
    pub record: ObjectRecord,
}

/// An adopt: the unowned image to record for the address.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdoptStep {
    /// The resource address.
    pub address: String,
    /// The image found on Kasm.
    pub image_id: String,
    /// The record to write: Kasm's image as the plan read it, with the
    /// spec's values over it, as a create's answer would be recorded.
    pub record: ObjectRecord,
}

/// A delete or a forget: the address and the image it was bound to.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReleaseStep {
    /// The resource address.
    pub address: String,
    /// The image bound to it.
    pub image_id: String,
}

/// A rename: the record at `from` moves to `to`.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveStep {
    /// The old address.
    pub from: String,
    /// The new address.
    pub to: String,
}

// Never shows a request body: it may hold a registry token.
impl std::fmt::Debug for CreateStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateStep")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Create(s) => s.fmt(f),
            Step::Adopt(s) => s.fmt(f),
            Step::Forget(s) => f.debug_tuple("Forget").field(s).finish(),
            Step::Move(s) => s.fmt(f),
            Step::RecordObject(s) => s.fmt(f),
            Step::Call(s) => s.fmt(f),
        }
    }
}

impl Step {
    /// The resource address the step acts on.
    pub fn address(&self) -> &str {
        match self {
            Step::Create(s) => &s.address,
            Step::Adopt(s) => &s.address,
            Step::Forget(s) => &s.address,
            Step::Move(s) => &s.to,
            Step::RecordObject(s) => &s.address,
            Step::Call(s) => &s.address,
        }
    }

    /// What the step does, in a word or two (`create`, `add link`).
    pub fn verb(&self) -> &'static str {
        match self {
            Step::Create(_) => "create",
            Step::Adopt(_) => "adopt",
            Step::RecordObject(_) => "refresh",
            Step::Forget(_) => "forget",
            Step::Move(_) => "move",
            Step::Call(s) => match s.kind {
                CallKind::Create => "create",
                CallKind::Update => "update",
                CallKind::Delete => "delete",
                CallKind::Attach => "attach",
                CallKind::Detach => "detach",
                CallKind::Remove => "remove",
            },
        }
    }

    /// The phase the step runs in ([`phase`]).
    pub fn phase(&self) -> u8 {
        phase(self)
    }
}

/// A record to write without a request.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectRecordStep {
    /// The resource address.
    pub address: String,
    /// What to write.
    pub record: ObjectRecord,
}

/// The phase a step is listed in: bookkeeping (written first, in one state
/// write), then creates and updates, then deletes. The graph, not the
/// phase, orders the requests.
pub fn phase(step: &Step) -> u8 {
    match step {
        Step::Forget(_) | Step::Move(_) | Step::RecordObject(_) => 0,
        Step::Create(_) | Step::Adopt(_) => 1,
        Step::Call(c) if matches!(c.kind, CallKind::Delete | CallKind::Remove) => 2,
        Step::Call(_) => 1,
    }
}

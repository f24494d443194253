//! State: which Kasm object each address manages, and what was last applied.
//! The host reads and writes the file; the core only defines and uses its
//! shape, and how it is written ([`format`]).
//!
//! A key the format does not have is refused, not dropped: it was written by
//! something else, and rewriting the file would lose it.

pub mod format;
pub mod recorded;
pub mod text;

use crate::address::{GROUP_TYPE, LINK_TYPE, RESOURCE_TYPE};
use crate::attributes::Attributes;
use crate::field::Field;
use crate::group::{GroupRecord, LinkRecord};
use crate::model::Image;
use crate::object::ObjectRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The state file's format version: what is written.
pub const STATE_VERSION: u32 = format::VERSION;

/// Everything kasm-plan remembers between runs: one record per address, of
/// any type. The file (and JSON requests) hold [`format::StateFile`]: format
/// 4, or an older one, which is upgraded.
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(as = "format::StateFile")
)]
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The format it was read in; [`STATE_VERSION`] once written.
    pub version: u32,
    /// Bumped on every write; a saved plan records it to detect staleness.
    pub serial: u64,
    /// Identifies one state's history; set once when the state is created.
    pub lineage: String,
    /// Every managed instance by address, of any type (`kasm_image.web`,
    /// `kasm_group.devs`, `kasm_group_membership.alice`).
    pub objects: BTreeMap<String, ObjectRecord>,
    /// Decisions worth keeping, e.g. policy overrides, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The outputs' values after the last apply, by name.
    pub outputs: BTreeMap<String, StateOutput>,
    /// Instance address → the resources it depended on when last applied.
    pub dependencies: BTreeMap<String, Vec<String>>,
    /// Creates sent but not recorded (the run stopped in between), by
    /// address: the record each would have written, without Kasm's id. The
    /// next plan looks on Kasm for what each made before anything is created.
    pub pending: BTreeMap<String, ObjectRecord>,
}

/// An output's value after the last apply. A sensitive one keeps only a
/// fingerprint: no secret is written to the state.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateOutput {
    /// The value (JSON); absent when sensitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(type = "unknown"))]
    pub value: Option<serde_json::Value>,
    /// Declared `sensitive`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// A sensitive output's salted fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// One recorded decision.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    /// Seconds since the Unix epoch (set by the host: the core has no clock).
    pub at: u64,
    /// The state serial the run started from.
    pub serial: u64,
    /// What happened, e.g. `apply`.
    pub event: String,
    /// Soft-mandatory policy rules that failed and were overridden.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overridden_policies: Vec<String>,
}

impl Default for State {
    fn default() -> Self {
        State {
            version: STATE_VERSION,
            serial: 0,
            lineage: String::new(),
            objects: BTreeMap::new(),
            history: Vec::new(),
            outputs: BTreeMap::new(),
            dependencies: BTreeMap::new(),
            pending: BTreeMap::new(),
        }
    }
}

/// The record of an image Kasm returned after a create, update or adopt,
/// or an import (no fingerprint, no `prevent_destroy`). A registry token the
/// spec sets is recorded by its fingerprint, never in clear; without one,
/// what Kasm shows stands.
pub fn image_record(
    image: &Image,
    token_fingerprint: Option<&str>,
    prevent_destroy: bool,
) -> ObjectRecord {
    let mut attributes = Attributes::from_image(image);
    if let Some(fp) = token_fingerprint {
        attributes.set(Field::DockerToken, fp.into());
    }
    ObjectRecord {
        id: image.image_id.clone(),
        attributes: attributes.into(),
        prevent_destroy,
    }
}

/// An image's record with its attributes refreshed from what Kasm has now.
/// Apply records this for every image it did not change, so drift that the
/// config leaves alone (unmanaged or ignored fields) is reported once, not
/// forever. A registry token keeps its fingerprint while Kasm still has one set.
pub fn refreshed_image(record: &ObjectRecord, image: &Image) -> ObjectRecord {
    let mut attributes = Attributes::from_image(image);
    let recorded = record.attributes.fields();
    let token = recorded.get(Field::DockerToken);
    if !attributes.get(Field::DockerToken).is_null() && !token.is_null() {
        attributes.set(Field::DockerToken, token.clone());
    }
    ObjectRecord {
        id: record.id.clone(),
        attributes: attributes.into(),
        prevent_destroy: record.prevent_destroy,
    }
}

/// Why a state may not replace another (`state push`, a migration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replacement {
    /// Another state's history: pushing would lose this one's.
    OtherLineage {
        /// The lineage in place.
        current: String,
        /// The lineage pushed.
        incoming: String,
    },
    /// An older state than the one in place.
    Older {
        /// The serial in place.
        current: u64,
        /// The serial pushed.
        incoming: u64,
    },
    /// The same serial with other contents: two histories diverged.
    Diverged {
        /// The serial of both.
        serial: u64,
    },
}

impl std::fmt::Display for Replacement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Replacement::OtherLineage { current, incoming } => write!(
                f,
                "the states have different lineages ({current} in place, {incoming} pushed): they are different states"
            ),
            Replacement::Older { current, incoming } => write!(
                f,
                "the state in place is newer (serial {current}) than the one pushed (serial {incoming})"
            ),
            Replacement::Diverged { serial } => {
                write!(
                    f,
                    "both states have serial {serial} but differ: they diverged"
                )
            }
        }
    }
}

impl State {
    /// Every address: images, groups, links, then the table-driven types'.
    pub fn addresses(&self) -> Vec<String> {
        self.held().cloned().collect()
    }

    /// The managed groups, by address, read from their records.
    pub fn groups(&self) -> impl Iterator<Item = (&String, GroupRecord)> {
        self.typed(GROUP_TYPE, GroupRecord::of_record)
    }

    /// The managed group at `address`.
    pub fn group(&self, address: &str) -> Option<GroupRecord> {
        self.typed_at(address, GROUP_TYPE, GroupRecord::of_record)
    }

    /// The managed links, by address, read from their records.
    pub fn links(&self) -> impl Iterator<Item = (&String, LinkRecord)> {
        self.typed(LINK_TYPE, LinkRecord::of_record)
    }

    /// The managed link at `address`.
    pub fn link(&self, address: &str) -> Option<LinkRecord> {
        self.typed_at(address, LINK_TYPE, LinkRecord::of_record)
    }

    /// The records of one table-driven type, read as `read` types them.
    fn typed<T>(
        &self,
        type_name: &'static str,
        read: fn(&ObjectRecord) -> Option<T>,
    ) -> impl Iterator<Item = (&String, T)> {
        self.objects
            .iter()
            .filter(move |(address, _)| crate::address::type_of(address) == Some(type_name))
            .filter_map(move |(address, r)| Some((address, read(r)?)))
    }

    /// The record at `address`, when it is of `type_name`, typed by `read`.
    fn typed_at<T>(
        &self,
        address: &str,
        type_name: &str,
        read: fn(&ObjectRecord) -> Option<T>,
    ) -> Option<T> {
        (crate::address::type_of(address) == Some(type_name))
            .then(|| self.objects.get(address))
            .flatten()
            .and_then(read)
    }

    /// Whether the state holds a record of a type whose plan reads Kasm's
    /// users (a user, a membership, a session).
    pub fn holds_users(&self) -> bool {
        self.objects.keys().any(|address| {
            crate::address::type_of(address).is_some_and(crate::schema::tables::reads_users)
        })
    }

    /// Every address the state holds a record for.
    fn held(&self) -> impl Iterator<Item = &String> {
        let of = |t: &'static str| move |a: &&String| crate::address::type_of(a) == Some(t);
        let other = |a: &&String| {
            !matches!(
                crate::address::type_of(a),
                Some(RESOURCE_TYPE | GROUP_TYPE | LINK_TYPE)
            )
        };
        self.images()
            .map(|(address, _)| address)
            .chain(self.objects.keys().filter(of(GROUP_TYPE)))
            .chain(self.objects.keys().filter(of(LINK_TYPE)))
            .chain(self.objects.keys().filter(other))
    }

    /// The id an address is bound to: an image's or a group's, a link's
    /// `<group_id>:<image_id>`.
    pub fn id_of(&self, address: &str) -> Option<String> {
        self.objects.get(address).map(|o| o.id.clone())
    }

    /// The managed images, by address.
    pub fn images(&self) -> impl DoubleEndedIterator<Item = (&String, &ObjectRecord)> {
        // Addresses sort by type: an image's start `kasm_image.`, and no
        // other type's name goes on with a dot.
        let from = format!("{RESOURCE_TYPE}.");
        let to = format!("{RESOURCE_TYPE}/");
        self.objects.range(from..to)
    }

    /// The managed image at `address`.
    pub fn image(&self, address: &str) -> Option<&ObjectRecord> {
        (crate::address::type_of(address) == Some(RESOURCE_TYPE))
            .then(|| self.objects.get(address))
            .flatten()
    }

    /// Moves an address's record to another address. A record already at
    /// `to` is kept: it is the same binding, written by an interrupted run.
    pub fn rename(&mut self, from: &str, to: &str) {
        fn moved<R>(records: &mut BTreeMap<String, R>, from: &str, to: &str) {
            if let Some(record) = records.remove(from) {
                records.entry(to.to_owned()).or_insert(record);
            }
        }
        moved(&mut self.objects, from, to);
        moved(&mut self.dependencies, from, to);
        moved(&mut self.pending, from, to);
    }

    /// Records, for every instance the state holds, the resources its
    /// resource depends on in the configuration (`configured`: every
    /// configured resource's address → the resource addresses it depends on,
    /// empty for none). An instance whose resource is no longer
    /// configured keeps what it recorded, so its destroy keeps its order;
    /// what the state no longer holds is dropped.
    pub fn record_dependencies(&mut self, configured: &BTreeMap<String, Vec<String>>) {
        let mut next = BTreeMap::new();
        for address in self.held() {
            if let Some(recorded) = self.dependencies_to_record(address, configured) {
                next.insert(address.clone(), recorded.clone());
            }
        }
        self.dependencies = next;
    }

    /// [`State::record_dependencies`] for one address whose record changed:
    /// the others keep what the last full pass recorded.
    pub fn record_dependencies_of(
        &mut self,
        address: &str,
        configured: &BTreeMap<String, Vec<String>>,
    ) {
        let held = self.objects.contains_key(address);
        match held
            .then(|| self.dependencies_to_record(address, configured))
            .flatten()
        {
            Some(recorded) => {
                let recorded = recorded.clone();
                self.dependencies.insert(address.to_owned(), recorded);
            }
            None => {
                self.dependencies.remove(address);
            }
        }
    }

    /// What a held address records it depends on: what it is configured
    /// with, else what it kept; `None` for nothing.
    fn dependencies_to_record<'a>(
        &'a self,
        address: &str,
        configured: &'a BTreeMap<String, Vec<String>>,
    ) -> Option<&'a Vec<String>> {
        configured
            .get(crate::address::resource_of(address))
            .or_else(|| self.dependencies.get(address))
            .filter(|recorded| !recorded.is_empty())
    }

    /// Keeps `record` for an address, whatever its type: a create the
    /// address had pending is settled by it.
    pub fn keep(&mut self, address: &str, record: ObjectRecord) {
        self.pending.remove(address);
        self.objects.insert(address.to_owned(), record);
    }

    /// Forgets an address, whatever its type.
    pub fn forget(&mut self, address: &str) {
        self.objects.remove(address);
        self.dependencies.remove(address);
        self.pending.remove(address);
    }

    /// Whether `incoming` may replace this state, as Terraform's `state push`
    /// decides: an empty state may be replaced by anything; otherwise the
    /// lineage must be the same and the serial not older (an equal serial only
    /// with equal contents).
    pub fn may_be_replaced_by(&self, incoming: &State) -> Result<(), Replacement> {
        let empty = self.lineage.is_empty() && self.objects.is_empty() && self.pending.is_empty();
        if empty {
            return Ok(());
        }
        if self.lineage != incoming.lineage {
            return Err(Replacement::OtherLineage {
                current: self.lineage.clone(),
                incoming: incoming.lineage.clone(),
            });
        }
        if incoming.serial < self.serial {
            return Err(Replacement::Older {
                current: self.serial,
                incoming: incoming.serial,
            });
        }
        // The same records read from either format are the same state.
        let same = State {
            version: self.version,
            ..incoming.clone()
        } == *self;
        if incoming.serial == self.serial && !same {
            return Err(Replacement::Diverged {
                serial: self.serial,
            });
        }
        Ok(())
    }
}

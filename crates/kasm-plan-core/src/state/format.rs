//! The state as written: format 4, one list of resources of any type, each
//! with its id, attributes, `prevent_destroy` and the resources it depends
//! on, as Terraform's state lists them, and the creates an interrupted run
//! left pending. Format 3 (the same, `prevent_destroy` on images only),
//! format 2 (without `pending`) and format 1 (one map per type) are still
//! read and upgraded on the first write; a newer format is refused.
//!
//! This module is the only place that knows how records are written.

use super::{HistoryEntry, State, StateOutput};
use crate::address::{GROUP_TYPE, LINK_TYPE, RESOURCE_TYPE, type_of};
use crate::attributes::Attributes;
use crate::group::{GroupRecord, LinkRecord};
use crate::object::{ObjectRecord, Values};
use serde::de::Error as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The format written ([`State::version`] of everything written).
pub const VERSION: u32 = 4;

/// The oldest format still read.
pub const OLDEST: u32 = 1;

/// A state, as written in format 4 (and read in 2 and 3). Read, its entries are [`Checked`]:
/// each is checked against its type as it is read, so an error points at
/// the entry, and kept as the engine's record.
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename = "State", concrete(R = StoredResource))
)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "R: Deserialize<'de>"))]
pub struct StateFile<R = StoredResource> {
    /// Format version, 4 ([`VERSION`]).
    pub version: u32,
    /// Bumped on every write; a saved plan records it to detect staleness.
    #[serde(default)]
    pub serial: u64,
    /// Identifies one state's history; set once when the state is created.
    #[serde(default)]
    pub lineage: String,
    /// Every managed instance, of any type, by address.
    #[serde(default)]
    pub resources: Vec<R>,
    /// Decisions worth keeping, e.g. policy overrides, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
    /// The outputs' values after the last apply, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, StateOutput>,
    /// Creates sent by a run that stopped before recording them (format 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<PendingCreate>,
}

/// A create sent but not recorded: the record it would have written,
/// without Kasm's id. The next plan looks on Kasm for what it made.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingCreate {
    /// `kasm_session.alice`.
    pub address: String,
    /// The address's type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The attributes it would have recorded (the ids it names included).
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, unknown>"))]
    pub attributes: Map<String, Value>,
}

/// One managed instance, of any type.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredResource {
    /// `kasm_image.web`, `kasm_group_image.devs["chrome"]`.
    pub address: String,
    /// The address's type, written for readers of the file.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Kasm's id: an image's or a group's, a link's `<group_id>:<image_id>`.
    pub id: String,
    /// As last applied or imported, in spec units; secrets only as fingerprints.
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, unknown>"))]
    pub attributes: Map<String, Value>,
    /// The configuration's `prevent_destroy` when last applied.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prevent_destroy: bool,
    /// The resources it depends on (references and `depends_on`) when last
    /// applied: a destroy keeps their order after the configuration is gone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
}

/// An entry as read: checked against its type and turned into the
/// engine's record once.
#[derive(Deserialize)]
#[serde(try_from = "StoredResource")]
struct Checked {
    address: String,
    dependencies: Vec<String>,
    record: ObjectRecord,
}

impl TryFrom<StoredResource> for Checked {
    type Error = String;
    fn try_from(entry: StoredResource) -> Result<Self, String> {
        let at = |e: String| format!("resource {}: {e}", entry.address);
        if type_of(&entry.address) != Some(entry.type_name.as_str()) {
            return Err(at(format!(
                "its type is {}, not that of its address",
                entry.type_name
            )));
        }
        let attributes = Value::Object(entry.attributes);
        let typed = |e: serde_json::Error| at(format!("attributes: {e}"));
        let prevent_destroy = entry.prevent_destroy;
        let mut record = match entry.type_name.as_str() {
            RESOURCE_TYPE => ObjectRecord {
                attributes: serde_json::from_value::<Attributes>(attributes)
                    .map_err(typed)?
                    .into(),
                id: entry.id,
                prevent_destroy: false,
            },
            GROUP_TYPE => {
                let a: GroupAttributes = serde_json::from_value(attributes).map_err(typed)?;
                if let Some(other) = [&a.id, &a.group_id]
                    .into_iter()
                    .flatten()
                    .find(|i| **i != entry.id)
                {
                    return Err(at(format!(
                        "its attributes name id {other}, not its id {}",
                        entry.id
                    )));
                }
                GroupRecord {
                    group_id: entry.id,
                    name: a.name,
                    priority: a.priority,
                    description: a.description,
                    force_destroy: a.force_destroy,
                }
                .to_record()
            }
            LINK_TYPE => {
                let link: LinkRecord = serde_json::from_value(attributes).map_err(typed)?;
                if link.id() != entry.id {
                    return Err(at(format!(
                        "its id {} is not `group_id:image_id` of its attributes",
                        entry.id
                    )));
                }
                link.to_record()
            }
            // Any other type with a table: its record is its attributes.
            other if crate::schema::tables::managed(other).is_some() => {
                object_record(entry.id, attributes).map_err(at)?
            }
            other => return Err(at(format!("{other} is not a type this kasm-plan records"))),
        };
        record.prevent_destroy = prevent_destroy;
        Ok(Checked {
            address: entry.address,
            dependencies: entry.dependencies,
            record,
        })
    }
}

/// A user's or a membership's record: its attributes are its table's
/// (write-only ones as fingerprints), a membership's id is its pair.
fn object_record(id: String, attributes: Value) -> Result<ObjectRecord, String> {
    let Value::Object(attributes) = attributes else {
        return Err("attributes must be an object".into());
    };
    let record = ObjectRecord {
        id,
        attributes: attributes.into(),
        prevent_destroy: false,
    };
    let pair = record
        .text("group_id")
        .zip(record.text("user_id"))
        .map(|(g, u)| format!("{g}:{u}"));
    if let Some(pair) = pair.filter(|p| *p != record.id) {
        return Err(format!(
            "its id {} is not `group_id:user_id` of its attributes ({pair})",
            record.id
        ));
    }
    Ok(record)
}

/// A state as format 1 wrote it: one map per type.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateV1 {
    #[allow(dead_code)]
    version: u32,
    #[serde(default)]
    serial: u64,
    #[serde(default)]
    lineage: String,
    #[serde(default)]
    resources: BTreeMap<String, ImageV1>,
    #[serde(default)]
    groups: BTreeMap<String, GroupRecord>,
    #[serde(default)]
    links: BTreeMap<String, LinkRecord>,
    #[serde(default)]
    history: Vec<HistoryEntry>,
    #[serde(default)]
    outputs: BTreeMap<String, StateOutput>,
}

/// An image as format 1 wrote it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageV1 {
    image_id: String,
    attributes: Attributes,
    #[serde(default)]
    prevent_destroy: bool,
}

impl ImageV1 {
    fn into_record(self) -> ObjectRecord {
        ObjectRecord {
            id: self.image_id,
            attributes: self.attributes.into(),
            prevent_destroy: self.prevent_destroy,
        }
    }
}

/// A group's attributes in the file (its id is the entry's, and format 4
/// repeats it under `id` and `group_id`).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group_id: Option<String>,
    name: String,
    priority: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    force_destroy: bool,
}

/// Why a state's text is not a state this version reads.
#[derive(Debug)]
pub enum FormatError {
    /// Not JSON, or not a state of its format (line and column of the text).
    Decode(serde_json::Error),
    /// A format newer than [`VERSION`].
    TooNew(u32),
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Decode(e) => e.fmt(f),
            FormatError::TooNew(found) => write!(
                f,
                "state format version {found} was written by a newer kasm-plan; this one reads versions {OLDEST} to {VERSION}"
            ),
        }
    }
}

/// Reads a state's text of any format this version knows; the answer's
/// `version` is the format read, so a caller can tell an upgrade is due.
/// Errors carry the text's line and column.
pub fn decode(text: &str) -> Result<State, FormatError> {
    #[derive(Deserialize)]
    struct Versioned {
        version: u32,
    }
    // The version first: another format may not decode as this one at all.
    let Versioned { version } = serde_json::from_str(text).map_err(FormatError::Decode)?;
    match version {
        v if v > VERSION => Err(FormatError::TooNew(v)),
        2..=VERSION => from_file(
            serde_json::from_str::<StateFile<Checked>>(text).map_err(FormatError::Decode)?,
        )
        .map_err(|e| FormatError::Decode(serde_json::Error::custom(e))),
        _ => Ok(from_v1(
            serde_json::from_str(text).map_err(FormatError::Decode)?,
        )),
    }
}

/// The state as format 1 wrote it, in memory.
fn from_v1(v1: StateV1) -> State {
    State {
        version: 1,
        serial: v1.serial,
        lineage: v1.lineage,
        objects: v1
            .resources
            .into_iter()
            .map(|(address, r)| (address, r.into_record()))
            .chain(v1.groups.into_iter().map(|(a, g)| (a, g.to_record())))
            .chain(v1.links.into_iter().map(|(a, l)| (a, l.to_record())))
            .collect(),
        history: v1.history,
        outputs: v1.outputs,
        dependencies: BTreeMap::new(),
        pending: BTreeMap::new(),
    }
}

/// The file's entries sorted into the engine's records.
fn from_file(file: StateFile<Checked>) -> Result<State, String> {
    let mut state = State {
        version: file.version,
        serial: file.serial,
        lineage: file.lineage,
        history: file.history,
        outputs: file.outputs,
        ..State::default()
    };
    for p in file.pending {
        if type_of(&p.address) != Some(p.type_name.as_str()) {
            return Err(format!(
                "pending create {}: its type is {}, not that of its address",
                p.address, p.type_name
            ));
        }
        let record = ObjectRecord {
            id: String::new(),
            attributes: p.attributes.into(),
            prevent_destroy: false,
        };
        if state.pending.insert(p.address.clone(), record).is_some() {
            return Err(format!("pending create {} is listed twice", p.address));
        }
    }
    for Checked {
        address,
        dependencies,
        record,
    } in file.resources
    {
        if state.objects.insert(address.clone(), record).is_some() {
            return Err(format!("resource {address} is listed twice"));
        }
        if !dependencies.is_empty() {
            state.dependencies.insert(address, dependencies);
        }
    }
    Ok(state)
}

// The file form built by copying each record: what the in-place writer
// (`impl Serialize for State`) must write byte for byte; a test compares them.
#[cfg(test)]
impl From<&State> for StateFile {
    fn from(state: &State) -> Self {
        let resources = state
            .objects
            .iter()
            .map(|(address, o)| {
                let type_name = type_of(address).unwrap_or_default();
                entry(state, address, type_name, &o.id, o.attributes.to_map())
                    .with_prevent_destroy(o.prevent_destroy)
            })
            .collect();
        StateFile {
            version: VERSION,
            serial: state.serial,
            lineage: state.lineage.clone(),
            resources,
            history: state.history.clone(),
            outputs: state.outputs.clone(),
            pending: state
                .pending
                .iter()
                .map(|(address, record)| PendingCreate {
                    address: address.clone(),
                    type_name: type_of(address).unwrap_or_default().to_owned(),
                    attributes: record.attributes.to_map(),
                })
                .collect(),
        }
    }
}

/// An entry without `prevent_destroy`.
#[cfg(test)]
fn entry(
    state: &State,
    address: &str,
    type_name: &str,
    id: &str,
    attributes: Map<String, Value>,
) -> StoredResource {
    StoredResource {
        address: address.to_owned(),
        type_name: type_name.to_owned(),
        id: id.to_owned(),
        attributes,
        prevent_destroy: false,
        dependencies: state.dependencies.get(address).cloned().unwrap_or_default(),
    }
}

#[cfg(test)]
impl StoredResource {
    fn with_prevent_destroy(mut self, prevent_destroy: bool) -> Self {
        self.prevent_destroy = prevent_destroy;
        self
    }
}

/// Written as [`StateFile`] writes it, byte for byte, but from the records in
/// place: the host writes the whole state after every finished action, and a
/// copy of every record (an image's attributes through a JSON tree) on each
/// write would cost more than the write itself.
impl Serialize for State {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let entries = entries(self);
        let pending = pending(self);
        let mut out = s.serialize_struct("StateFile", 7)?;
        out.serialize_field("version", &VERSION)?;
        out.serialize_field("serial", &self.serial)?;
        out.serialize_field("lineage", &self.lineage)?;
        out.serialize_field("resources", &entries)?;
        if !self.history.is_empty() {
            out.serialize_field("history", &self.history)?;
        }
        if !self.outputs.is_empty() {
            out.serialize_field("outputs", &self.outputs)?;
        }
        if !pending.is_empty() {
            out.serialize_field("pending", &pending)?;
        }
        out.end()
    }
}

/// Every record of the state as the file lists it: by address, of any type.
pub(super) fn entries(state: &State) -> Vec<Entry<'_>> {
    state
        .objects
        .iter()
        .map(|(address, record)| Entry {
            address,
            record,
            state,
        })
        .collect()
}

/// The pending creates as the file lists them.
pub(super) fn pending(state: &State) -> Vec<Pending<'_>> {
    state
        .pending
        .iter()
        .map(|(address, record)| Pending {
            address,
            type_name: type_of(address).unwrap_or_default(),
            attributes: &record.attributes,
        })
        .collect()
}

impl State {
    fn dependencies_of(&self, address: &str) -> &[String] {
        self.dependencies.get(address).map_or(&[], Vec::as_slice)
    }
}

/// A [`StoredResource`] borrowed from its record. Its type and dependencies
/// are read only when it is written: the host writes the state after every
/// finished action, and most entries are then copied as they were written.
pub(super) struct Entry<'a> {
    pub(super) address: &'a str,
    pub(super) record: &'a ObjectRecord,
    state: &'a State,
}

impl Entry<'_> {
    pub(super) fn dependencies(&self) -> &[String] {
        self.state.dependencies_of(self.address)
    }
}

impl Serialize for Entry<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Written<'a> {
            address: &'a str,
            #[serde(rename = "type")]
            type_name: &'a str,
            id: &'a str,
            attributes: &'a Values,
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            prevent_destroy: bool,
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            dependencies: &'a [String],
        }
        Written {
            address: self.address,
            type_name: type_of(self.address).unwrap_or_default(),
            id: &self.record.id,
            attributes: &self.record.attributes,
            prevent_destroy: self.record.prevent_destroy,
            dependencies: self.dependencies(),
        }
        .serialize(s)
    }
}

/// A [`PendingCreate`] borrowed from its record.
#[derive(Serialize)]
pub(super) struct Pending<'a> {
    address: &'a str,
    #[serde(rename = "type")]
    type_name: &'a str,
    attributes: &'a Values,
}

/// Inside a request (the facade's JSON), a state of either format; the
/// host reads files with [`decode`], which keeps positions.
impl<'de> Deserialize<'de> for State {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        let version = value
            .get("version")
            .and_then(Value::as_u64)
            .ok_or_else(|| D::Error::missing_field("version"))?;
        match u32::try_from(version).unwrap_or(u32::MAX) {
            v if v > VERSION => Err(D::Error::custom(FormatError::TooNew(v))),
            2..=VERSION => from_file(
                serde_json::from_value::<StateFile<Checked>>(value).map_err(D::Error::custom)?,
            )
            .map_err(D::Error::custom),
            _ => Ok(from_v1(
                serde_json::from_value(value).map_err(D::Error::custom)?,
            )),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::json;

    fn v1() -> String {
        json!({
            "version": 1, "serial": 4, "lineage": "l",
            "resources": {"kasm_image.web": {"image_id": "a1", "attributes": {"name": "x/y:1"}, "prevent_destroy": true}},
            "groups": {"kasm_group.devs": {"group_id": "g1", "name": "Devs", "priority": 10}},
            "links": {"kasm_group_image.l": {"group_id": "g1", "image_id": "a1"}}
        })
        .to_string()
    }

    #[test]
    fn format_1_reads_as_the_same_records_and_writes_as_format_4() {
        let Ok(state) = decode(&v1()) else {
            panic!("format 1 is read")
        };
        assert_eq!(state.version, 1);
        assert_eq!(state.serial, 4);
        assert_eq!(state.id_of("kasm_group_image.l").as_deref(), Some("g1:a1"));
        let written = serde_json::to_value(&state).unwrap_or_default();
        assert_eq!(written["version"], 4);
        let addresses: Vec<&str> = written["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["address"].as_str())
            .collect();
        assert_eq!(
            addresses,
            ["kasm_group.devs", "kasm_group_image.l", "kasm_image.web"]
        );
        assert_eq!(written["resources"][2]["prevent_destroy"], true);
        assert_eq!(written["resources"][0]["attributes"]["name"], "Devs");
        let Ok(again) = decode(&written.to_string()) else {
            panic!("format 4 is read back")
        };
        assert_eq!(again.version, 4);
        assert_eq!(again.objects, state.objects);
    }

    /// A state with every field the format has, and strings that need escaping.
    pub(in crate::state) fn every_field() -> State {
        let text = json!({
            "version": 4, "serial": 7, "lineage": "l\"q",
            "resources": [
                {"address": "kasm_image.web", "type": "kasm_image", "id": "a1",
                 "attributes": {"name": "x/y:1", "cores": 2.0, "memory": 2768, "enabled": true,
                                "run_config": {"hostname": "h\nx"}, "docker_token": "fp"},
                 "prevent_destroy": true, "dependencies": ["kasm_group.devs"]},
                {"address": "kasm_group.devs", "type": "kasm_group", "id": "g1",
                 "attributes": {"name": "Devs", "priority": 10, "force_destroy": true},
                 "prevent_destroy": true},
                {"address": "kasm_group_image.l", "type": "kasm_group_image", "id": "g1:a1",
                 "attributes": {"group_id": "g1", "image_id": "a1"}},
                {"address": "kasm_user.alice", "type": "kasm_user", "id": "u1",
                 "attributes": {"username": "alice", "user_id": "u1", "id": "u1"}}
            ],
            "history": [{"at": 1, "serial": 6, "event": "apply"}],
            "outputs": {"o": {"value": [1, "two", {"k": []}]}},
            "pending": [{"address": "kasm_session.s", "type": "kasm_session",
                         "attributes": {"user_id": "u1", "image_id": "a1"}}]
        })
        .to_string();
        decode(&text).unwrap_or_else(|e| panic!("the state is read: {e}"))
    }

    #[test]
    fn the_state_is_written_in_place_as_its_file_form_writes_it() {
        let state = every_field();
        let in_place = serde_json::to_vec_pretty(&state).unwrap_or_default();
        let copied = serde_json::to_vec_pretty(&StateFile::from(&state)).unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&in_place),
            String::from_utf8_lossy(&copied)
        );
        let Ok(again) = decode(&String::from_utf8_lossy(&in_place)) else {
            panic!("read back")
        };
        assert_eq!(again.objects, state.objects);
        assert_eq!(again.pending, state.pending);
    }

    #[test]
    fn format_2_reads_as_it_is_and_pending_creates_are_kept_in_format_4() {
        let session = json!({"address": "kasm_session.s", "type": "kasm_session", "id": "k1",
            "attributes": {"user_id": "u1", "image_id": "i1", "kasm_id": "k1"}});
        let v2 = json!({"version": 2, "serial": 3, "lineage": "l", "resources": [session]});
        let Ok(mut state) = decode(&v2.to_string()) else {
            panic!("format 2 is read")
        };
        assert_eq!(state.version, 2, "a caller can tell an upgrade is due");
        state.objects.remove("kasm_session.s");
        let Some(attributes) = v2["resources"][0]["attributes"].as_object().cloned() else {
            panic!("attributes")
        };
        let record = ObjectRecord {
            id: String::new(),
            attributes: attributes.into(),
            prevent_destroy: false,
        };
        state.pending.insert("kasm_session.s".into(), record);
        let written = serde_json::to_value(&state).unwrap_or_default();
        assert_eq!(written["version"], 4);
        assert_eq!(written["pending"][0]["type"], "kasm_session");
        assert_eq!(written["pending"][0]["attributes"]["image_id"], "i1");
        let Ok(again) = decode(&written.to_string()) else {
            panic!("format 4 is read back")
        };
        assert_eq!(again.pending, state.pending);
        let mut wrong = written.clone();
        wrong["pending"][0]["type"] = json!("kasm_user");
        assert!(
            decode(&wrong.to_string()).is_err_and(|e| e.to_string().contains("pending create"))
        );
    }

    #[test]
    fn dependencies_are_kept_per_instance() {
        let mut state = State::default();
        state.objects.insert(
            "kasm_group.devs".into(),
            GroupRecord {
                group_id: "g1".into(),
                name: "Devs".into(),
                priority: 10,
                description: None,
                force_destroy: false,
            }
            .to_record(),
        );
        state
            .dependencies
            .insert("kasm_group.devs".into(), vec!["kasm_image.web".into()]);
        let text = serde_json::to_string(&state).unwrap_or_default();
        assert!(
            text.contains(r#""dependencies":["kasm_image.web"]"#),
            "{text}"
        );
        let Ok(back) = decode(&text) else {
            panic!("read back")
        };
        assert_eq!(back.dependencies, state.dependencies);
    }

    #[test]
    fn entries_that_do_not_fit_their_type_are_refused() {
        let file = |entry: Value| json!({"version": 2, "resources": [entry]}).to_string();
        let refused = |entry: Value| match decode(&file(entry)) {
            Err(FormatError::Decode(e)) => e.to_string(),
            other => panic!("accepted: {other:?}"),
        };
        let wrong_type = refused(
            json!({"address": "kasm_group.a", "type": "kasm_image", "id": "x", "attributes": {}}),
        );
        assert!(
            wrong_type.contains("not that of its address"),
            "{wrong_type}"
        );
        let unknown = refused(
            json!({"address": "kasm_image.a", "type": "kasm_image", "id": "x", "attributes": {"nope": 1}}),
        );
        assert!(unknown.contains("unknown attribute `nope`"), "{unknown}");
        let link = refused(
            json!({"address": "kasm_group_image.a", "type": "kasm_group_image", "id": "g:x", "attributes": {"group_id": "g", "image_id": "i"}}),
        );
        assert!(link.contains("group_id:image_id"), "{link}");
        let other = refused(
            json!({"address": "kasm_desktop.a", "type": "kasm_desktop", "id": "u", "attributes": {}}),
        );
        assert!(
            other.contains("not a type this kasm-plan records"),
            "{other}"
        );
        assert!(other.contains("line 1"), "the entry is located: {other}");
        let group = json!({"address": "kasm_group.a", "type": "kasm_group", "id": "g", "attributes": {"name": "A", "priority": 1}});
        let twice = json!({"version": 2, "resources": [group.clone(), group]}).to_string();
        assert!(decode(&twice).is_err_and(|e| e.to_string().contains("listed twice")));
    }

    #[test]
    fn newer_formats_are_refused_with_both_versions() {
        let Err(e) = decode(r#"{"version": 5, "resources": "anything"}"#) else {
            panic!("a newer format is refused")
        };
        assert_eq!(
            e.to_string(),
            "state format version 5 was written by a newer kasm-plan; this one reads versions 1 to 4"
        );
        let in_request: Result<State, _> = serde_json::from_str(r#"{"version": 9}"#);
        assert!(in_request.is_err());
    }

    #[test]
    fn one_address_records_its_dependencies_as_the_full_pass_does() {
        let Ok(mut state) = decode(&v1()) else {
            panic!("format 1 is read")
        };
        let configured = BTreeMap::from([
            (
                "kasm_image.web".to_owned(),
                vec!["kasm_group.devs".to_owned()],
            ),
            ("kasm_group.devs".to_owned(), vec![]),
        ]);
        state
            .dependencies
            .insert("kasm_group_image.l".into(), vec!["kasm_image.old".into()]);
        state.record_dependencies(&configured);
        let mut one_by_one = state.clone();
        for address in ["kasm_image.web", "kasm_group.devs"] {
            state.objects.remove(address);
            one_by_one.objects.remove(address);
            state.record_dependencies(&configured);
            one_by_one.record_dependencies_of(address, &configured);
            assert_eq!(one_by_one.dependencies, state.dependencies, "{address}");
        }
        let Ok(again) = decode(&v1()) else {
            panic!("format 1 is read")
        };
        for (address, record) in again.images() {
            state.objects.insert(address.clone(), record.clone());
            one_by_one.objects.insert(address.clone(), record.clone());
            state.record_dependencies(&configured);
            one_by_one.record_dependencies_of(address, &configured);
            assert_eq!(one_by_one.dependencies, state.dependencies, "{address}");
        }
        assert!(state.dependencies.contains_key("kasm_image.web"));
        assert!(state.dependencies.contains_key("kasm_group_image.l"));
    }

    #[test]
    fn configured_dependencies_replace_recorded_ones_and_removed_resources_keep_theirs() {
        let Ok(mut state) = decode(&v1()) else {
            panic!("format 1 is read")
        };
        state
            .dependencies
            .insert("kasm_group.devs".into(), vec!["kasm_image.old".into()]);
        state
            .dependencies
            .insert("kasm_image.gone".into(), vec!["kasm_group.devs".into()]);
        let configured = BTreeMap::from([(
            "kasm_image.web".to_owned(),
            vec!["kasm_group.devs".to_owned()],
        )]);
        state.record_dependencies(&configured);
        assert_eq!(
            state.dependencies,
            BTreeMap::from([
                (
                    "kasm_group.devs".to_owned(),
                    vec!["kasm_image.old".to_owned()]
                ),
                (
                    "kasm_image.web".to_owned(),
                    vec!["kasm_group.devs".to_owned()]
                ),
            ])
        );
    }
}

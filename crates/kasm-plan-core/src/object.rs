//! Instances of the table-driven types (`kasm_user`, `kasm_group_membership`):
//! as a configuration declares them and as the state records them. Their
//! arguments are the schema table's ([`crate::schema::tables`]); values are
//! kept as JSON, keyed by argument name, so one diff, one step builder and
//! one executor serve every such type.

use crate::group::{GroupRecord, GroupSpec, LinkRecord, LinkSpec, Target};
use crate::model::Secret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// An instance as configured.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectSpec {
    /// `kasm_user.alice`.
    pub address: String,
    /// `kasm_user`.
    pub resource_type: &'static str,
    /// The arguments set, by name, secrets and references left out.
    pub values: Map<String, Value>,
    /// Arguments naming another object: an id, or a managed instance whose
    /// id may be known only after apply.
    pub refs: BTreeMap<String, Target>,
    /// Write-only arguments (a password): sent, never recorded or shown.
    pub secrets: BTreeMap<String, Secret>,
    /// `lifecycle { ignore_changes = [...] }`: arguments set on create only.
    pub ignore_changes: Vec<String>,
}

impl ObjectSpec {
    /// A secret's salted fingerprint, as the state records it.
    pub fn fingerprint(&self, argument: &str) -> Option<String> {
        self.secrets
            .get(argument)
            .map(|s| Secret::new(format!("{argument}\0{}", s.expose())).fingerprint(&self.address))
    }
}

/// An instance as last applied: Kasm's id and the attributes, write-only
/// ones as fingerprints.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectRecord {
    /// Kasm's id; a membership's is `<group_id>:<user_id>`.
    pub id: String,
    /// The attributes, by name.
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, unknown>"))]
    pub attributes: Map<String, Value>,
    /// The configuration's `prevent_destroy` when last applied: honoured
    /// after its block is removed, as an image's is.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "typescript", ts(optional, as = "Option<bool>"))]
    pub prevent_destroy: bool,
}

impl ObjectRecord {
    /// An attribute's text, when it is one.
    pub fn text(&self, attribute: &str) -> Option<&str> {
        self.attributes.get(attribute).and_then(Value::as_str)
    }
}

// Groups are typed from their table; the plan reads them typed.
impl GroupSpec {
    /// The group an instance typed from `kasm_group`'s table describes.
    pub fn of(spec: &ObjectSpec) -> GroupSpec {
        let text = |k: &str| spec.values.get(k).and_then(serde_json::Value::as_str);
        GroupSpec {
            address: spec.address.clone(),
            name: text("name").unwrap_or_default().to_owned(),
            priority: spec
                .values
                .get("priority")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or_default(),
            description: text("description").map(str::to_owned),
            force_destroy: spec.values.get("force_destroy") == Some(&true.into()),
            ignore_changes: spec.ignore_changes.clone(),
        }
    }

    /// The instance the one planner plans and the one step builder
    /// carries out (`force_destroy`, kasm-plan's own, only when true).
    pub fn to_object(&self) -> ObjectSpec {
        let mut values = Map::new();
        values.insert("name".into(), self.name.clone().into());
        values.insert("priority".into(), self.priority.into());
        if let Some(d) = &self.description {
            values.insert("description".into(), d.clone().into());
        }
        if self.force_destroy {
            values.insert("force_destroy".into(), true.into());
        }
        ObjectSpec {
            address: self.address.clone(),
            resource_type: crate::address::GROUP_TYPE,
            values,
            refs: BTreeMap::new(),
            secrets: BTreeMap::new(),
            ignore_changes: self.ignore_changes.clone(),
        }
    }
}

// Links are typed from their table too: the group by its id or its name.
impl LinkSpec {
    /// The instance the one step builder carries out: its sides as given
    /// (a group given by name is in `group_name`).
    pub fn to_object(&self) -> ObjectSpec {
        match &self.group {
            Target::Name(name) => self.object(None, Some(name.clone())),
            group => self.object(Some(group.clone()), None),
        }
    }

    /// The instance the one planner and step builder take: the group as
    /// given or resolved, and its name where known (shown in the plan).
    pub fn object(&self, group: Option<Target>, group_name: Option<String>) -> ObjectSpec {
        let refs = group
            .map(|g| ("group_id".to_owned(), g))
            .into_iter()
            .chain([("image_id".to_owned(), self.image.clone())]);
        ObjectSpec {
            address: self.address.clone(),
            resource_type: crate::address::LINK_TYPE,
            values: Map::from_iter(group_name.map(|n| ("group_name".to_owned(), n.into()))),
            refs: refs.collect(),
            secrets: BTreeMap::new(),
            ignore_changes: self.ignore_changes.clone(),
        }
    }

    /// The link an instance typed from `kasm_group_image`'s table
    /// describes; none when a side is known only after Kasm is read.
    pub fn of(spec: &ObjectSpec) -> Option<LinkSpec> {
        let named = spec.values.get("group_name").and_then(Value::as_str);
        let group = spec
            .refs
            .get("group_id")
            .cloned()
            .or_else(|| named.map(|n| Target::Name(n.to_owned())))?;
        Some(LinkSpec {
            address: spec.address.clone(),
            group,
            image: spec.refs.get("image_id").cloned()?,
            ignore_changes: spec.ignore_changes.clone(),
        })
    }
}

// Groups and links are recorded as instances of table-driven types; the
// plan reads them back typed.
impl GroupRecord {
    /// The group a table-driven record holds: its attributes are
    /// `name`, `priority`, `description` when set and `force_destroy`
    /// when true.
    pub fn of_record(record: &ObjectRecord) -> Option<GroupRecord> {
        Some(GroupRecord {
            group_id: record.id.clone(),
            name: record.text("name")?.to_owned(),
            priority: record.attributes.get("priority")?.as_i64()?,
            description: record.text("description").map(str::to_owned),
            force_destroy: record
                .attributes
                .get("force_destroy")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
        })
    }

    /// The record the state keeps for the group: its id also under `id`
    /// and `group_id` once known, as every type with an id alias keeps it.
    pub fn to_record(&self) -> ObjectRecord {
        let mut attributes = serde_json::Map::new();
        if !self.group_id.is_empty() {
            attributes.insert("id".into(), self.group_id.clone().into());
            attributes.insert("group_id".into(), self.group_id.clone().into());
        }
        attributes.insert("name".into(), self.name.clone().into());
        attributes.insert("priority".into(), self.priority.into());
        if let Some(d) = &self.description {
            attributes.insert("description".into(), d.clone().into());
        }
        if self.force_destroy {
            attributes.insert("force_destroy".into(), true.into());
        }
        ObjectRecord {
            id: self.group_id.clone(),
            attributes,
            prevent_destroy: false,
        }
    }
}

impl LinkRecord {
    /// The pair a table-driven record holds (`group_id`, `image_id`).
    pub fn of_record(record: &ObjectRecord) -> Option<LinkRecord> {
        Some(LinkRecord {
            group_id: record.text("group_id")?.to_owned(),
            image_id: record.text("image_id")?.to_owned(),
        })
    }

    /// The record the state keeps for the link; its id is the pair.
    pub fn to_record(&self) -> ObjectRecord {
        let mut attributes = serde_json::Map::new();
        attributes.insert("group_id".into(), self.group_id.clone().into());
        attributes.insert("image_id".into(), self.image_id.clone().into());
        ObjectRecord {
            id: self.id(),
            attributes,
            prevent_destroy: false,
        }
    }
}

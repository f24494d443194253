//! Instances of the table-driven types (`kasm_user`, `kasm_group_membership`)
//! as a configuration declares them, and the one record the state keeps of
//! an instance of any type. Their arguments are the schema table's
//! ([`crate::schema::tables`]); values are kept as JSON, keyed by argument
//! name, so one diff, one step builder and one executor serve every such
//! type. An image's record keeps its values by field ([`Values`]).

use crate::attributes::Attributes;
use crate::field::Field;
use crate::group::{GroupRecord, GroupSpec, LinkRecord, LinkSpec, Target};
use crate::model::Secret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;
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
    pub attributes: Values,
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

/// A record's attributes, by name. An image's are kept indexed by field,
/// as its plan reads them: planning many images compares every field of
/// each, and a name looked up in a map for each of those reads would cost
/// several times the read by index. Every other type's are a JSON object.
#[derive(Clone, Debug)]
pub enum Values {
    /// An image's, one value per field.
    Fields(Attributes),
    /// Any other type's.
    Named(Map<String, Value>),
}

impl Default for Values {
    fn default() -> Self {
        Values::Named(Map::new())
    }
}

impl From<Map<String, Value>> for Values {
    fn from(map: Map<String, Value>) -> Self {
        Values::Named(map)
    }
}

impl From<Attributes> for Values {
    fn from(fields: Attributes) -> Self {
        Values::Fields(fields)
    }
}

impl Values {
    /// An attribute's value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Values::Named(map) => map.get(name),
            Values::Fields(fields) => Field::from_spec_name(name).map(|f| fields.get(f)),
        }
    }

    /// Whether it holds the attribute.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets an attribute. A name that is not a field turns an image's
    /// values into a JSON object.
    pub fn insert(&mut self, name: String, value: Value) {
        if let Values::Fields(fields) = self {
            match Field::from_spec_name(&name) {
                Some(f) => return fields.set(f, value),
                None => *self = Values::Named(self.to_map()),
            }
        }
        if let Values::Named(map) = self {
            map.insert(name, value);
        }
    }

    /// Takes an attribute out (an image's field is left null).
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        match self {
            Values::Named(map) => map.remove(name),
            Values::Fields(fields) => {
                let field = Field::from_spec_name(name)?;
                let value = fields.get(field).clone();
                fields.set(field, Value::Null);
                Some(value)
            }
        }
    }

    /// The attributes and their values, by name in order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (&str, &Value)> + '_> {
        match self {
            Values::Named(map) => Box::new(map.iter().map(|(k, v)| (k.as_str(), v))),
            Values::Fields(fields) => Box::new(
                Field::by_spec_name()
                    .iter()
                    .map(|f| (f.spec_name(), fields.get(*f))),
            ),
        }
    }

    /// As a JSON object.
    pub fn to_map(&self) -> Map<String, Value> {
        match self {
            Values::Named(map) => map.clone(),
            Values::Fields(_) => self
                .iter()
                .map(|(k, v)| (k.to_owned(), v.clone()))
                .collect(),
        }
    }

    /// An image's values kept by field: an attribute that is not a field is
    /// refused (a state rewritten without it would lose it).
    pub fn into_fields(self) -> Result<Values, String> {
        match self {
            Values::Fields(_) => Ok(self),
            Values::Named(map) => serde_json::from_value::<Attributes>(Value::Object(map))
                .map(Values::Fields)
                .map_err(|e| e.to_string()),
        }
    }

    /// An image's fields, when kept so.
    pub fn as_fields(&self) -> Option<&Attributes> {
        match self {
            Values::Fields(fields) => Some(fields),
            Values::Named(_) => None,
        }
    }

    /// As an image's fields: borrowed when kept so, else read by name.
    pub fn fields(&self) -> Cow<'_, Attributes> {
        match self {
            Values::Fields(fields) => Cow::Borrowed(fields),
            Values::Named(map) => {
                let mut fields = Attributes::default();
                for (name, value) in map {
                    if let Some(f) = Field::from_spec_name(name) {
                        fields.set(f, value.clone());
                    }
                }
                Cow::Owned(fields)
            }
        }
    }
}

impl PartialEq for Values {
    fn eq(&self, other: &Values) -> bool {
        match (self, other) {
            (Values::Named(a), Values::Named(b)) => a == b,
            (Values::Fields(a), Values::Fields(b)) => a == b,
            _ => self.iter().eq(other.iter()),
        }
    }
}

impl PartialEq<Map<String, Value>> for Values {
    fn eq(&self, other: &Map<String, Value>) -> bool {
        match self {
            Values::Named(map) => map == other,
            Values::Fields(_) => self.iter().eq(other.iter().map(|(k, v)| (k.as_str(), v))),
        }
    }
}

impl Serialize for Values {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Values::Named(map) => map.serialize(s),
            Values::Fields(fields) => {
                use serde::ser::SerializeMap;
                let mut map = s.serialize_map(Some(Field::ALL.len()))?;
                for field in Field::by_spec_name() {
                    map.serialize_entry(field.spec_name(), fields.get(*field))?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Map::deserialize(d).map(Values::Named)
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
            attributes: attributes.into(),
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
            attributes: attributes.into(),
            prevent_destroy: false,
        }
    }
}

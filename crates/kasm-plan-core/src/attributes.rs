//! Field values in the spec's units, from a spec or from an image Kasm returned,
//! so the two compare directly (memory in MB, ids canonical, configs as objects).

use crate::field::{BYTES_PER_MB, Field};
use crate::json_text::JsonObject;
use crate::model::{Image, ImageSpec, canonical_id};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::sync::Arc;

/// What a set secret observed on Kasm looks like: Kasm masks it, so only its presence is known.
pub const SECRET_SET: &str = "(set)";

/// One value per [`Field`], `null` when unset or unknown. Shared when
/// cloned and copied on the first change: a plan holds the same set as a
/// record, a drift's side and a change's side.
#[derive(Clone, Debug, PartialEq)]
pub struct Attributes(Arc<Vec<Value>>);

impl Default for Attributes {
    fn default() -> Self {
        Attributes(Arc::new(vec![Value::Null; Field::ALL.len()]))
    }
}

impl Attributes {
    /// The value of a field.
    pub fn get(&self, field: Field) -> &Value {
        self.0.get(field.index()).unwrap_or(&Value::Null)
    }

    /// Sets the value of a field.
    pub fn set(&mut self, field: Field, value: Value) {
        if let Some(slot) = Arc::make_mut(&mut self.0).get_mut(field.index()) {
            *slot = value;
        }
    }

    /// The fields that hold a value.
    pub fn set_fields(&self) -> impl Iterator<Item = Field> + '_ {
        Field::ALL
            .iter()
            .copied()
            .filter(|f| !self.get(*f).is_null())
    }

    /// A spec's values. The registry token becomes its fingerprint, salted by `address`.
    pub fn from_spec(spec: &ImageSpec, address: &str) -> Self {
        let mut a = Attributes::default();
        for field in Field::ALL {
            if let Some(v) = FieldValue::of_spec(spec, address, *field) {
                a.set(*field, v.to_value());
            }
        }
        a
    }

    /// An image's values, converted to spec units.
    pub fn from_image(image: &Image) -> Self {
        Attributes(Arc::new(
            Field::ALL
                .iter()
                .map(|f| FieldValue::of_image(image, *f).to_value())
                .collect(),
        ))
    }
}

/// One field's value, borrowed from a spec, an image or a stored attribute,
/// in spec units. Comparing these allocates nothing, which keeps planning of
/// unchanged images cheap; [`FieldValue::to_value`] makes an owned copy when needed.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue<'a> {
    /// Unset.
    Null,
    /// Text.
    Text(&'a str),
    /// A UUID: compares ignoring hyphens and case; stored canonical.
    Uuid(&'a str),
    /// A whole number.
    Int(i64),
    /// A number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// An object.
    Object(&'a serde_json::Map<String, Value>),
    /// An object as its JSON text (a spec's).
    ObjectText(&'a JsonObject),
    /// A list of names (more than one Docker network).
    Names(&'a [String]),
    /// A list of JSON values (a stored list of names).
    Values(&'a [Value]),
    /// A computed text (a secret's fingerprint).
    Owned(String),
}

impl<'a> FieldValue<'a> {
    /// The spec's value for `field`, or `None` when the spec leaves it unset.
    pub fn of_spec(spec: &'a ImageSpec, address: &str, field: Field) -> Option<Self> {
        let text = |s: &'a Option<String>| s.as_deref().map(FieldValue::Text);
        match field {
            Field::Name => Some(FieldValue::Text(&spec.name)),
            Field::ImageSrc => Some(FieldValue::Text(&spec.image_src)),
            Field::FriendlyName => Some(FieldValue::Text(&spec.friendly_name)),
            Field::Description => text(&spec.description),
            Field::DockerRegistry => text(&spec.docker_registry),
            Field::DockerUser => text(&spec.docker_user),
            Field::DockerToken => spec
                .docker_token
                .as_ref()
                .map(|t| FieldValue::Owned(t.fingerprint(address))),
            Field::Memory => spec.memory.map(FieldValue::Int),
            Field::Cores => spec.cores.map(FieldValue::Float),
            Field::Enabled => Some(FieldValue::Bool(spec.enabled)),
            Field::UncompressedSizeMb => spec.uncompressed_size_mb.map(FieldValue::Int),
            Field::ImageType => text(&spec.image_type),
            Field::RunConfig => spec.run_config.as_ref().map(FieldValue::ObjectText),
            Field::ExecConfig => spec.exec_config.as_ref().map(FieldValue::ObjectText),
            Field::VolumeMapping => spec.volume_mapping.as_ref().map(FieldValue::ObjectText),
            Field::RestrictToNetwork => spec.restrict_to_network.map(FieldValue::Bool),
            Field::NetworkName => text(&spec.network_name),
            Field::RestrictToServer => spec.restrict_to_server.map(FieldValue::Bool),
            Field::ServerId => spec.server_id.as_deref().map(FieldValue::Uuid),
            Field::RestrictToZone => spec.restrict_to_zone.map(FieldValue::Bool),
            Field::ZoneId => spec.zone_id.as_deref().map(FieldValue::Uuid),
        }
    }

    /// An image's value for `field`, converted to spec units.
    pub fn of_image(image: &'a Image, field: Field) -> Self {
        let text = |s: &'a Option<String>| s.as_deref().map_or(FieldValue::Null, FieldValue::Text);
        let uuid = |s: &'a Option<String>| {
            s.as_deref()
                .filter(|v| !v.is_empty())
                .map_or(FieldValue::Null, FieldValue::Uuid)
        };
        match field {
            Field::Name => text(&image.name),
            Field::ImageSrc => text(&image.image_src),
            Field::FriendlyName => text(&image.friendly_name),
            Field::Description => text(&image.description),
            Field::DockerRegistry => text(&image.docker_registry),
            Field::DockerUser => text(&image.docker_user),
            // Kasm masks the token: all that is known is whether one is set.
            Field::DockerToken => match image.docker_token.as_deref() {
                Some(t) if !t.is_empty() => FieldValue::Text(SECRET_SET),
                _ => FieldValue::Null,
            },
            Field::Memory if image.memory % BYTES_PER_MB == 0 => {
                FieldValue::Int(image.memory / BYTES_PER_MB)
            }
            Field::Memory => FieldValue::Float(image.memory as f64 / BYTES_PER_MB as f64),
            Field::Cores => FieldValue::Float(image.cores),
            Field::Enabled => FieldValue::Bool(image.enabled),
            Field::UncompressedSizeMb => FieldValue::Int(image.uncompressed_size_mb),
            Field::ImageType => FieldValue::Text(&image.image_type),
            Field::RunConfig => FieldValue::Object(&image.run_config),
            Field::ExecConfig => FieldValue::Object(&image.exec_config),
            Field::VolumeMapping => FieldValue::Object(&image.volume_mappings),
            Field::RestrictToNetwork => FieldValue::Bool(image.restrict_to_network),
            Field::NetworkName => match image.restrict_network_names.as_slice() {
                [] => FieldValue::Null,
                [one] => FieldValue::Text(one),
                many => FieldValue::Names(many),
            },
            Field::RestrictToServer => FieldValue::Bool(image.restrict_to_server),
            Field::ServerId => uuid(&image.server_id),
            Field::RestrictToZone => FieldValue::Bool(image.restrict_to_zone),
            Field::ZoneId => uuid(&image.zone_id),
        }
    }

    /// A stored attribute value.
    pub fn of_value(v: &'a Value) -> Self {
        match v {
            Value::Null => FieldValue::Null,
            Value::Bool(b) => FieldValue::Bool(*b),
            Value::Number(n) => n.as_i64().map_or_else(
                || FieldValue::Float(n.as_f64().unwrap_or(f64::NAN)),
                FieldValue::Int,
            ),
            Value::String(s) => FieldValue::Text(s),
            Value::Array(a) => FieldValue::Values(a),
            Value::Object(m) => FieldValue::Object(m),
        }
    }

    fn text(&self) -> Option<&str> {
        match self {
            FieldValue::Text(s) | FieldValue::Uuid(s) => Some(s),
            FieldValue::Owned(s) => Some(s),
            _ => None,
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            FieldValue::Int(i) => Some(*i as f64),
            FieldValue::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Whether two values mean the same thing (numbers by value, UUIDs by canonical form).
    pub fn same(&self, other: &FieldValue) -> bool {
        use FieldValue as F;
        match (self, other) {
            (F::Null, F::Null) => true,
            (F::Text(a), F::Text(b)) => a == b,
            (F::Int(a), F::Int(b)) => a == b,
            (F::Bool(a), F::Bool(b)) => a == b,
            (F::Object(a), F::Object(b)) => map_eq(a, b),
            (F::ObjectText(a), F::ObjectText(b)) => a == b || map_eq(&a.map(), &b.map()),
            (F::ObjectText(a), F::Object(m)) | (F::Object(m), F::ObjectText(a)) => {
                a.writes_as(m) || map_eq(&a.map(), m)
            }
            (F::Uuid(a), b) | (b, F::Uuid(a)) => b.text().is_some_and(|b| uuid_eq(a, b)),
            (F::Names(a), F::Values(b)) | (F::Values(b), F::Names(a)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|(x, y)| y.as_str() == Some(x.as_str()))
            }
            (F::Names(a), F::Names(b)) => a == b,
            (F::Values(a), F::Values(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| json_eq(x, y))
            }
            (a, b) => match (a.number(), b.number(), a.text(), b.text()) {
                (Some(x), Some(y), _, _) => x == y,
                (_, _, Some(x), Some(y)) => x == y,
                _ => false,
            },
        }
    }

    /// Whether a stored value means the same.
    pub fn matches(&self, v: &Value) -> bool {
        self.same(&FieldValue::of_value(v))
    }

    /// An owned attribute value.
    pub fn to_value(&self) -> Value {
        match self {
            FieldValue::Null => Value::Null,
            FieldValue::Text(s) => Value::String((*s).to_owned()),
            FieldValue::Uuid(s) => Value::String(canonical_id(s).into_owned()),
            FieldValue::Int(i) => Value::from(*i),
            FieldValue::Float(f) => Value::from(*f),
            FieldValue::Bool(b) => Value::Bool(*b),
            FieldValue::Object(m) => Value::Object((*m).clone()),
            FieldValue::ObjectText(o) => o.value(),
            FieldValue::Names(n) => Value::from(n.to_vec()),
            FieldValue::Values(v) => Value::Array(v.to_vec()),
            FieldValue::Owned(s) => Value::String(s.clone()),
        }
    }
}

/// UUIDs equal ignoring hyphens and case, without allocating.
fn uuid_eq(a: &str, b: &str) -> bool {
    a.len().abs_diff(b.len()) <= 4 && uuid_hex(a).eq(uuid_hex(b))
}

/// A UUID's hex digits, lowercase.
fn uuid_hex(s: &str) -> impl Iterator<Item = u8> + '_ {
    s.bytes()
        .filter(|c| *c != b'-')
        .map(|c| c.to_ascii_lowercase())
}

/// JSON equality where numbers compare by value (`2` equals `2.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => map_eq(x, y),
        _ => a == b,
    }
}

/// Objects equal by [`json_eq`]. Keys are walked in step first (serde_json's
/// maps are sorted), so equal objects cost no lookups; keys out of step (maps
/// kept in insertion order) fall back to looking each up.
fn map_eq(x: &serde_json::Map<String, Value>, y: &serde_json::Map<String, Value>) -> bool {
    if x.len() != y.len() {
        return false;
    }
    for ((k, v), (l, w)) in x.iter().zip(y) {
        if k != l {
            return x
                .iter()
                .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)));
        }
        if !json_eq(v, w) {
            return false;
        }
    }
    true
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(Field::ALL.len()))?;
        for f in Field::ALL {
            map.serialize_entry(f.spec_name(), self.get(*f))?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Attributes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of kasm_image attributes")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Attributes, A::Error> {
                let mut a = Attributes::default();
                while let Some((k, v)) = m.next_entry::<String, Value>()? {
                    // Refused, not skipped: a state rewritten without it would lose it.
                    let f = Field::from_spec_name(&k).ok_or_else(|| {
                        serde::de::Error::custom(format!(
                            "unknown attribute `{k}`: kasm_image has no such argument"
                        ))
                    })?;
                    a.set(f, v);
                }
                Ok(a)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn memory_converts_decimal_megabytes() {
        let mb = |bytes| {
            FieldValue::of_image(
                &Image {
                    memory: bytes,
                    ..Image::default()
                },
                Field::Memory,
            )
            .to_value()
        };
        assert_eq!(mb(2_768_000_000), json!(2768));
        assert_eq!(mb(2_147_483_648), json!(2147.483648));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_eq(&json!({"a": [2]}), &json!({"a": [2.0]})));
        assert!(!json_eq(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!json_eq(&json!({"a": 1, "b": 2}), &json!({"a": 1, "c": 2})));
        assert!(!json_eq(&json!({"a": 1, "b": 2}), &json!({"a": 1, "b": 3})));
    }

    #[test]
    fn serialises_every_field_in_table_order() {
        let text = serde_json::to_string(&Attributes::default()).unwrap_or_default();
        assert!(text.starts_with("{\"name\":null,\"image_src\":null"));
        let back: Attributes = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, Attributes::default());
    }
}

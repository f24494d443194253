//! Field values in the spec's units, from a spec or from an image Kasm returned,
//! so the two compare directly (memory in MB, ids canonical, configs as objects).

use crate::field::{BYTES_PER_MB, Field, Kind};
use crate::model::{Image, ImageSpec, REDACTED, canonical_uuid};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// What a set secret observed on Kasm looks like: Kasm masks it, so only its presence is known.
pub const SECRET_SET: &str = "(set)";

/// One value per [`Field`], `null` when unset or unknown.
#[derive(Clone, Debug, PartialEq)]
pub struct Attributes(Vec<Value>);

impl Default for Attributes {
    fn default() -> Self {
        Attributes(vec![Value::Null; Field::ALL.len()])
    }
}

impl Attributes {
    /// The value of a field.
    pub fn get(&self, field: Field) -> &Value {
        self.0.get(field.index()).unwrap_or(&Value::Null)
    }

    /// Sets the value of a field.
    pub fn set(&mut self, field: Field, value: Value) {
        if let Some(slot) = self.0.get_mut(field.index()) {
            *slot = value;
        }
    }

    /// The fields that hold a value.
    pub fn set_fields(&self) -> impl Iterator<Item = Field> + '_ {
        Field::ALL.iter().copied().filter(|f| !self.get(*f).is_null())
    }

    /// A spec's values. The registry token becomes its fingerprint, salted by `address`.
    pub fn from_spec(spec: &ImageSpec, address: &str) -> Self {
        let mut a = Attributes::default();
        let text = |s: &Option<String>| s.as_ref().map_or(Value::Null, |v| Value::String(v.clone()));
        let object = |o: &Option<serde_json::Map<String, Value>>| o.as_ref().map_or(Value::Null, |m| Value::Object(m.clone()));
        let uuid = |s: &Option<String>| s.as_ref().map_or(Value::Null, |v| Value::String(canonical_uuid(v).unwrap_or_else(|| v.clone())));
        let flag = |b: Option<bool>| b.map_or(Value::Null, Value::Bool);
        a.set(Field::Name, spec.name.clone().into());
        a.set(Field::ImageSrc, spec.image_src.clone().into());
        a.set(Field::FriendlyName, spec.friendly_name.clone().into());
        a.set(Field::Description, text(&spec.description));
        a.set(Field::DockerRegistry, text(&spec.docker_registry));
        a.set(Field::DockerUser, text(&spec.docker_user));
        a.set(Field::DockerToken, spec.docker_token.as_ref().map_or(Value::Null, |t| t.fingerprint(address).into()));
        a.set(Field::Memory, spec.memory.map_or(Value::Null, Value::from));
        a.set(Field::Cores, spec.cores.map_or(Value::Null, Value::from));
        a.set(Field::Enabled, Value::Bool(spec.enabled));
        a.set(Field::UncompressedSizeMb, spec.uncompressed_size_mb.map_or(Value::Null, Value::from));
        a.set(Field::ImageType, text(&spec.image_type));
        a.set(Field::RunConfig, object(&spec.run_config));
        a.set(Field::ExecConfig, object(&spec.exec_config));
        a.set(Field::VolumeMapping, object(&spec.volume_mapping));
        a.set(Field::RestrictToNetwork, flag(spec.restrict_to_network));
        a.set(Field::NetworkName, text(&spec.network_name));
        a.set(Field::RestrictToServer, flag(spec.restrict_to_server));
        a.set(Field::ServerId, uuid(&spec.server_id));
        a.set(Field::RestrictToZone, flag(spec.restrict_to_zone));
        a.set(Field::ZoneId, uuid(&spec.zone_id));
        a
    }

    /// An image's values, converted to spec units.
    pub fn from_image(image: &Image) -> Self {
        let mut a = Attributes::default();
        let text = |s: &Option<String>| s.as_ref().map_or(Value::Null, |v| Value::String(v.clone()));
        let uuid = |s: &Option<String>| {
            s.as_ref().filter(|v| !v.is_empty()).map_or(Value::Null, |v| Value::String(canonical_uuid(v).unwrap_or_else(|| v.clone())))
        };
        a.set(Field::Name, text(&image.name));
        a.set(Field::ImageSrc, text(&image.image_src));
        a.set(Field::FriendlyName, text(&image.friendly_name));
        a.set(Field::Description, text(&image.description));
        a.set(Field::DockerRegistry, text(&image.docker_registry));
        a.set(Field::DockerUser, text(&image.docker_user));
        a.set(Field::DockerToken, image.docker_token.as_ref().filter(|t| !t.is_empty()).map_or(Value::Null, |_| SECRET_SET.into()));
        a.set(Field::Memory, memory_mb(image.memory));
        a.set(Field::Cores, Value::from(image.cores));
        a.set(Field::Enabled, Value::Bool(image.enabled));
        a.set(Field::UncompressedSizeMb, Value::from(image.uncompressed_size_mb));
        a.set(Field::ImageType, Value::String(image.image_type.clone()));
        a.set(Field::RunConfig, Value::Object(image.run_config.clone()));
        a.set(Field::ExecConfig, Value::Object(image.exec_config.clone()));
        a.set(Field::VolumeMapping, Value::Object(image.volume_mappings.clone()));
        a.set(Field::RestrictToNetwork, Value::Bool(image.restrict_to_network));
        a.set(Field::NetworkName, network_name(&image.restrict_network_names));
        a.set(Field::RestrictToServer, Value::Bool(image.restrict_to_server));
        a.set(Field::ServerId, uuid(&image.server_id));
        a.set(Field::RestrictToZone, Value::Bool(image.restrict_to_zone));
        a.set(Field::ZoneId, uuid(&image.zone_id));
        a
    }

    /// A copy with sensitive values replaced by [`REDACTED`] (null stays null).
    pub fn redacted(&self) -> Self {
        let mut a = self.clone();
        for f in Field::ALL.iter().copied().filter(|f| f.is_sensitive()) {
            if !a.get(f).is_null() {
                a.set(f, REDACTED.into());
            }
        }
        a
    }

    /// Whether two values of a field mean the same thing.
    pub fn same(field: Field, a: &Value, b: &Value) -> bool {
        match field.kind() {
            // Kasm masks secrets: all that can be compared is whether one is set.
            Kind::Secret => a.is_null() == b.is_null(),
            _ => json_eq(a, b),
        }
    }
}

/// Bytes to MB: a whole number when exact (Kasm's own values are), else a fraction.
pub fn memory_mb(bytes: i64) -> Value {
    if bytes % BYTES_PER_MB == 0 {
        Value::from(bytes / BYTES_PER_MB)
    } else {
        Value::from(bytes as f64 / BYTES_PER_MB as f64)
    }
}

fn network_name(names: &[String]) -> Value {
    match names {
        [] => Value::Null,
        [one] => Value::String(one.clone()),
        many => Value::from(many.to_vec()),
    }
}

/// JSON equality where numbers compare by value (`2` equals `2.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
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
                    // Unknown keys are skipped so newer files still load.
                    if let Some(f) = Field::from_spec_name(&k) {
                        a.set(f, v);
                    }
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
        assert_eq!(memory_mb(2_768_000_000), json!(2768));
        assert_eq!(memory_mb(2_147_483_648), json!(2147.483648));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_eq(&json!({"a": [2]}), &json!({"a": [2.0]})));
        assert!(!json_eq(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    }

    #[test]
    fn serialises_every_field_in_table_order() {
        let text = serde_json::to_string(&Attributes::default()).unwrap_or_default();
        assert!(text.starts_with("{\"name\":null,\"image_src\":null"));
        let back: Attributes = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, Attributes::default());
    }
}

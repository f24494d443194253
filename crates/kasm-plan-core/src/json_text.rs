//! JSON carried as its text: a value nothing reads on the way, only passes
//! on (the configuration a plan describes for plan JSON). Written once when
//! made; crossing the component, a saved plan or a JSON answer copies the
//! text, where a value would be rebuilt node by node and freed again.

use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::ops::Range;

/// A JSON value as its compact text. Serializes as the value it holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonText(Box<RawValue>);

impl JsonText {
    /// The text of a value.
    pub fn of(value: &Value) -> JsonText {
        // Written straight into raw text, not read back to check it; a
        // `Value` always serializes.
        serde_json::value::to_raw_value(value)
            .map(JsonText)
            .unwrap_or_else(|_| JsonText::null())
    }

    /// Text read as JSON: checked, never parsed into a value.
    pub fn from_text(text: String) -> Result<JsonText, serde_json::Error> {
        RawValue::from_string(text).map(JsonText)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// The text, without a copy.
    pub fn into_string(self) -> String {
        Box::<str>::from(self.0).into_string()
    }

    /// The value the text holds.
    pub fn value(&self) -> Value {
        serde_json::from_str(self.as_str()).unwrap_or(Value::Null)
    }

    fn null() -> JsonText {
        JsonText(RawValue::NULL.to_owned())
    }
}

impl PartialEq for JsonText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

/// A JSON object as its canonical text: compact, keys sorted and unique, as
/// serde_json writes a map. An image spec's `run_config`, `exec_config` and
/// `volume_mapping` are kept so: the JSON reader writes the text straight
/// from the source, the plan compares it as text, and Kasm takes it as text,
/// where a map would be built node by node and freed again. Serializes as
/// the object; reads from an object.
#[derive(Clone, Debug)]
pub struct JsonObject(Box<str>);

impl JsonObject {
    /// The text of a map.
    pub fn of_map(map: &Map<String, Value>) -> JsonObject {
        JsonObject(
            serde_json::to_string(map)
                .unwrap_or_default()
                .into_boxed_str(),
        )
    }

    /// Text in canonical form, as [`ObjectBuilder`] writes it.
    fn from_canonical(text: String) -> JsonObject {
        JsonObject(text.into_boxed_str())
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The object as a map.
    pub fn map(&self) -> Map<String, Value> {
        serde_json::from_str(self.as_str()).unwrap_or_default()
    }

    /// The object as a value.
    pub fn value(&self) -> Value {
        Value::Object(self.map())
    }

    /// Whether `map` is written as exactly this text (the same keys and
    /// values, numbers written alike), compared as it is written, without
    /// building anything.
    pub fn writes_as(&self, map: &Map<String, Value>) -> bool {
        let mut rest = Rest(self.as_str().as_bytes());
        serde_json::to_writer(&mut rest, map).is_ok() && rest.0.is_empty()
    }
}

impl PartialEq for JsonObject {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Serialize for JsonObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw: &RawValue = serde_json::from_str(self.as_str()).map_err(S::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for JsonObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Map::deserialize(deserializer).map(|map| JsonObject::of_map(&map))
    }
}

/// Builds a [`JsonObject`] from members given in any order, each value
/// written once as text; a key given twice keeps its last value, as a map
/// does.
#[derive(Debug)]
pub struct ObjectBuilder<K> {
    members: Vec<(K, Range<usize>)>,
    values: Vec<u8>,
}

impl<K> Default for ObjectBuilder<K> {
    fn default() -> Self {
        ObjectBuilder {
            members: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl<K: AsRef<str>> ObjectBuilder<K> {
    /// Adds a member.
    pub fn value(&mut self, key: K, value: &Value) {
        let start = self.values.len();
        if serde_json::to_writer(&mut self.values, value).is_err() {
            self.values.truncate(start);
            self.values.extend_from_slice(b"null");
        }
        self.members.push((key, start..self.values.len()));
    }

    /// Adds a member whose value is a string.
    pub fn text(&mut self, key: K, text: &str) {
        let start = self.values.len();
        // A string always writes.
        let _ = serde_json::to_writer(&mut self.values, text);
        self.members.push((key, start..self.values.len()));
    }

    /// Adds a member whose value is an object.
    pub fn object(&mut self, key: K, object: &JsonObject) {
        let start = self.values.len();
        self.values.extend_from_slice(object.as_str().as_bytes());
        self.members.push((key, start..self.values.len()));
    }

    /// Whether no member was added.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The object; the builder is left empty, to be used again.
    pub fn finish(&mut self) -> JsonObject {
        self.sort();
        // Exact when no key needs escaping, so the text is not copied again
        // when boxed.
        let length: usize = self
            .members
            .iter()
            .map(|(k, r)| k.as_ref().len() + r.len() + 4)
            .sum();
        let mut text = Vec::with_capacity(length + 1);
        self.write_sorted(&mut text);
        // serde_json writes UTF-8 only.
        let text = String::from_utf8(text)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        JsonObject::from_canonical(text)
    }

    /// Adds a member whose value is the object `inner` builds, written
    /// straight into this one's text; `inner` is left empty.
    pub fn nested(&mut self, key: K, inner: &mut ObjectBuilder<K>) {
        let start = self.values.len();
        inner.sort();
        inner.write_sorted(&mut self.values);
        self.members.push((key, start..self.values.len()));
    }

    /// Writes the sorted members as an object's text, and forgets them.
    fn write_sorted(&mut self, out: &mut Vec<u8>) {
        out.push(b'{');
        for (i, (key, range)) in self.members.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // A key is a string: writing it cannot fail.
            let _ = serde_json::to_writer(&mut *out, key.as_ref());
            out.push(b':');
            out.extend_from_slice(self.values.get(range.clone()).unwrap_or_default());
        }
        out.push(b'}');
        self.members.clear();
        self.values.clear();
    }

    /// The members as values, sorted by key; the builder is left empty.
    pub fn take_members(&mut self) -> Vec<(K, Value)> {
        self.sort();
        let values = std::mem::take(&mut self.values);
        self.members
            .drain(..)
            .map(|(key, range)| {
                let text = values.get(range).unwrap_or_default();
                (key, serde_json::from_slice(text).unwrap_or_default())
            })
            .collect()
    }

    /// Members sorted by key, each key once (its last value).
    fn sort(&mut self) {
        // Stable: of equal keys, the last added stays last, and is kept.
        self.members.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        self.members.dedup_by(|later, kept| {
            let same = later.0.as_ref() == kept.0.as_ref();
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
    }
}

/// The text still expected: a writer that fails at the first byte that differs.
struct Rest<'a>(&'a [u8]);

impl std::io::Write for Rest<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.strip_prefix(buf) {
            Some(rest) => {
                self.0 = rest;
                Ok(buf.len())
            }
            None => Err(std::io::ErrorKind::InvalidData.into()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_value_round_trips_through_its_text() {
        let value = json!({"root_module": {"resources": [{"address": "kasm_image.a"}]}});
        let text = JsonText::of(&value);
        assert_eq!(text.value(), value);
        assert_eq!(
            text.as_str(),
            r#"{"root_module":{"resources":[{"address":"kasm_image.a"}]}}"#
        );
    }

    #[test]
    fn it_serializes_as_the_value_and_reads_back_from_text_or_value() {
        let text = JsonText::of(&json!({"a": [1, 2]}));
        let outer = json!({ "configuration": text });
        assert_eq!(outer, json!({"configuration": {"a": [1, 2]}}));
        let written = serde_json::to_string(&outer).unwrap_or_default();
        let read: Value = serde_json::from_str(&written).unwrap_or_default();
        let back: JsonText = serde_json::from_value(read["configuration"].clone())
            .unwrap_or_else(|_| JsonText::null());
        assert_eq!(back, text);
    }

    #[test]
    fn text_that_is_not_json_is_refused() {
        assert!(JsonText::from_text("{\"a\":".into()).is_err());
        assert!(JsonText::from_text("[1, 2]".into()).is_ok());
    }

    #[test]
    fn an_object_is_kept_as_serde_json_writes_its_map() {
        let map = json!({"b": [1, 2.5], "a": {"z": "é\"", "y": null}})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let object = JsonObject::of_map(&map);
        assert_eq!(object.as_str(), r#"{"a":{"y":null,"z":"é\""},"b":[1,2.5]}"#);
        assert_eq!(object.map(), map);
        assert!(object.writes_as(&map));
        let read: Option<JsonObject> =
            serde_json::from_str(r#"{ "b": [1, 2.5], "a": {"z": "é\"", "y": null} }"#).ok();
        assert_eq!(read, Some(object.clone()));
        assert_eq!(serde_json::to_value(&object).ok(), Some(Value::Object(map)));
    }

    #[test]
    fn writes_as_fails_on_any_difference() {
        let object = JsonObject::of_map(json!({"a": 1}).as_object().unwrap_or(&Map::new()));
        for other in [
            json!({"a": 1.0}),
            json!({"a": 2}),
            json!({"a": 1, "b": 1}),
            json!({}),
        ] {
            assert!(
                !object.writes_as(other.as_object().unwrap_or(&Map::new())),
                "{other}"
            );
        }
    }

    #[test]
    fn only_an_object_reads_as_one() {
        assert!(serde_json::from_str::<JsonObject>("[1]").is_err());
        assert!(serde_json::from_str::<JsonObject>("\"{}\"").is_err());
    }

    #[test]
    fn a_built_object_is_its_map_written_by_serde_json() {
        let mut built = ObjectBuilder::<&str>::default();
        built.value("b", &json!("x\"\n"));
        built.value("a", &json!(1));
        built.object("c", &JsonObject::of_map(&Map::new()));
        let mut inner = ObjectBuilder::default();
        inner.value("y", &json!(null));
        inner.text("x", "é");
        built.nested("d", &mut inner);
        assert!(inner.is_empty());
        built.value("a", &json!(2.5));
        let object = built.finish();
        let map = json!({"a": 2.5, "b": "x\"\n", "c": {}, "d": {"x": "é", "y": null}});
        assert_eq!(
            object.as_str(),
            serde_json::to_string(&map).unwrap_or_default()
        );
    }
}

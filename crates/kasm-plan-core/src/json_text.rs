//! JSON carried as its text: a value nothing reads on the way, only passes
//! on (the configuration a plan describes for plan JSON). Written once when
//! made; crossing the component, a saved plan or a JSON answer copies the
//! text, where a value would be rebuilt node by node and freed again.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

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
}

//! Values of the Terraform language, as far as image configurations need them.
//!
//! Terraform's values are typed (cty). Kept here: the distinctions that change
//! behaviour — a set is sorted and unique and cannot be indexed, `for_each`
//! takes a map or a set but not a list, `null` and "known only after apply".
//! Merged: list and tuple are one sequence, map and object one mapping; a
//! type constraint ([`super::types`]) converts where the difference matters.
//! Numbers are `f64`: whole numbers are exact up to 2^53.

use std::collections::BTreeMap;
use std::fmt;

/// A value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// Known only after apply (an id Kasm assigns). It carries the address of
    /// the resource instance whose apply makes it known, while it is that
    /// instance's attribute unchanged (`kasm_image.web.id`); anything computed
    /// from it loses the address.
    Unknown(Option<String>),
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
    /// A list or tuple.
    List(Vec<Value>),
    /// A set: sorted, without repeats.
    Set(Vec<Value>),
    /// A map or object, by key.
    Map(BTreeMap<String, Value>),
}

impl Value {
    /// An unknown value from no one resource.
    pub const UNKNOWN: Value = Value::Unknown(None);

    /// Whether the value itself (not something inside it) is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// A set of these values: repeats removed, in Terraform's order.
    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort_by(set_order);
        items.dedup();
        Value::Set(items)
    }

    /// Terraform's name for the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown(_) => "unknown value",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "object",
        }
    }

    /// Whether this value or anything inside it is known only after apply.
    pub fn has_unknown(&self) -> bool {
        match self {
            Value::Unknown(_) => true,
            Value::List(items) | Value::Set(items) => items.iter().any(Value::has_unknown),
            Value::Map(map) => map.values().any(Value::has_unknown),
            _ => false,
        }
    }

    /// The elements of a list or set.
    pub fn elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) | Value::Set(items) => Some(items),
            _ => None,
        }
    }

    /// The value as JSON; `None` when it holds an unknown.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        Some(match self {
            Value::Null => J::Null,
            Value::Unknown(_) => return None,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => J::String(s.clone()),
            Value::List(items) | Value::Set(items) => {
                J::Array(items.iter().map(Value::to_json).collect::<Option<_>>()?)
            }
            Value::Map(map) => J::Object(
                map.iter()
                    .map(|(k, v)| Some((k.clone(), v.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
        })
    }

    /// [`Value::to_json`], moving the strings instead of copying them.
    pub fn into_json(self) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        Some(match self {
            Value::Null => J::Null,
            Value::Unknown(_) => return None,
            Value::Bool(b) => J::Bool(b),
            Value::Number(n) => number_to_json(n),
            Value::String(s) => J::String(s),
            Value::List(items) | Value::Set(items) => J::Array(
                items
                    .into_iter()
                    .map(Value::into_json)
                    .collect::<Option<_>>()?,
            ),
            // Inserted one by one, in order: collecting would sort the
            // keys again, several times the cost for the small objects
            // attributes hold.
            Value::Map(map) => {
                let mut object = serde_json::Map::new();
                for (k, v) in map {
                    object.insert(k, v.into_json()?);
                }
                J::Object(object)
            }
        })
    }

    /// A JSON value: arrays are lists (tuples), objects are maps (objects).
    pub fn from_json(json: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match json {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            J::String(s) => Value::String(s.clone()),
            J::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            J::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// A whole number within i64 as an integer, anything else as a float.
fn number_to_json(n: f64) -> serde_json::Value {
    // 2^63 is exactly representable; anything at or beyond it is not an i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if n.fract() == 0.0 && n.abs() < LIMIT {
        #[allow(clippy::cast_possible_truncation)]
        return serde_json::Value::from(n as i64);
    }
    serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Terraform's number formatting: whole numbers without a point, others shortest.
pub fn format_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e21 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

/// The order of set elements: strings and numbers by value, others after.
fn set_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => rank(a)
            .cmp(&rank(b))
            .then_with(|| a.to_string().cmp(&b.to_string())),
    }
}

fn rank(v: &Value) -> u8 {
    match v {
        Value::Number(_) => 0,
        Value::String(_) => 1,
        Value::Bool(_) => 2,
        _ => 3,
    }
}

impl fmt::Display for Value {
    /// Terraform-like syntax, for messages: `"a"`, `2`, `["a", "b"]`, `{ a = 1 }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Unknown(_) => f.write_str("(known after apply)"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(&format_number(*n)),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(items) | Value::Set(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    f.write_str(if i > 0 { ", " } else { " " })?;
                    write!(f, "{k} = {v}")?;
                }
                f.write_str(if map.is_empty() { "}" } else { " }" })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_sorted_and_unique() {
        let s = Value::set(vec![
            Value::String("b".into()),
            Value::String("a".into()),
            Value::String("b".into()),
        ]);
        assert_eq!(
            s,
            Value::Set(vec![Value::String("a".into()), Value::String("b".into())])
        );
    }

    #[test]
    fn whole_numbers_become_integers() {
        assert_eq!(
            Value::Number(2048.0).to_json(),
            Some(serde_json::json!(2048))
        );
        assert_eq!(Value::Number(0.5).to_json(), Some(serde_json::json!(0.5)));
        assert_eq!(format_number(2.0), "2");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(Value::List(vec![Value::UNKNOWN]).to_json(), None);
    }
}

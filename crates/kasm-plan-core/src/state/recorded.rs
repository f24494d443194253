//! The one function that turns a finished call into the record the state
//! keeps, for every type: the apply uses it after each call, and a plan uses
//! it for what a stopped run's create made.

use super::{ObjectRecord, image_record};
use crate::address::{RESOURCE_TYPE, type_of};
use crate::model::Image;
use crate::schema::tables;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// What a finished call tells about the object it made or changed.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Answered {
    /// The object Kasm answered with, when the record is read from it (an
    /// image as `create_image` and `update_image` answer it).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[cfg_attr(feature = "typescript", ts(type = "unknown"))]
    pub answer: Value,
    /// The ids put into the request when it ran, by the attribute each fills.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub filled: BTreeMap<String, String>,
    /// The new object's id, as Kasm answered it or as it was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The attributes whose values, joined by `:`, are the id (a pair's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_parts: Vec<String>,
    /// The status the readiness poll saw (a session's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// The record `address` keeps after a call: the step's `record` with what
/// the call told. An image's is Kasm's object read from the answer, with the
/// step's values over it (a registry token's fingerprint: Kasm shows it
/// masked) and its `prevent_destroy`. Any other type's is the step's, with
/// the ids filled in, its id (from its parts, the step or the answer) also
/// under `id` and its type's own id attribute, and the status its
/// readiness poll saw.
pub fn recorded(
    address: &str,
    record: ObjectRecord,
    told: &Answered,
) -> Result<ObjectRecord, String> {
    let type_name = type_of(address).unwrap_or_default();
    if type_name == RESOURCE_TYPE {
        return image(address, record, &told.answer);
    }
    let mut record = record;
    for (attribute, id) in &told.filled {
        record
            .attributes
            .insert(attribute.clone(), id.clone().into());
    }
    record.id = id_of(address, &record, told)?;
    if let Some(own) = own_id(type_name) {
        record
            .attributes
            .insert("id".into(), record.id.clone().into());
        record
            .attributes
            .insert(own.into(), record.id.clone().into());
    }
    if let (Some(key), Some(status)) = (status_attribute(type_name), &told.status) {
        record.attributes.insert(key.into(), status.clone().into());
    }
    Ok(record)
}

/// An image's record: Kasm's object, the step's values over it.
fn image(address: &str, over: ObjectRecord, answer: &Value) -> Result<ObjectRecord, String> {
    let image = Image::deserialize(answer)
        .ok()
        .filter(|image| !image.image_id.is_empty())
        .ok_or_else(|| format!("Kasm's answer for {address} is not an image with its id"))?;
    let mut record = image_record(&image, None, over.prevent_destroy);
    for (name, value) in over.attributes.iter() {
        record.attributes.insert(name.to_owned(), value.clone());
    }
    Ok(record)
}

/// The id a record is kept under: its parts' (a pair's), the step's, or
/// the one Kasm gave.
fn id_of(address: &str, record: &ObjectRecord, told: &Answered) -> Result<String, String> {
    if !told.id_parts.is_empty() {
        let parts: Option<Vec<&str>> = told.id_parts.iter().map(|p| record.text(p)).collect();
        return parts
            .map(|p| p.join(":"))
            .ok_or_else(|| format!("the record of {address} lacks the ids its id is made of"));
    }
    if !record.id.is_empty() {
        return Ok(record.id.clone());
    }
    told.id
        .clone()
        .ok_or_else(|| format!("Kasm answered without the new id of {address}"))
}

/// The attribute a type also keeps its id under (`user_id`), when it has
/// its own id.
pub fn own_id(type_name: &str) -> Option<&'static str> {
    let table = tables::managed(type_name)?;
    table.calls.and(table.id_alias)
}

/// The attribute a type's readiness poll records its status under
/// (`operational_status`).
pub fn status_attribute(type_name: &str) -> Option<&'static str> {
    Some(tables::managed(type_name)?.calls?.ready.as_ref()?.attribute)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(attributes: Value) -> ObjectRecord {
        ObjectRecord {
            id: String::new(),
            attributes: attributes.as_object().cloned().unwrap_or_default().into(),
            prevent_destroy: false,
        }
    }

    #[test]
    fn a_session_keeps_its_ids_the_answer_and_its_status() {
        let told = Answered {
            filled: BTreeMap::from([("user_id".to_owned(), "u1".to_owned())]),
            id: Some("k1".into()),
            status: Some("running".into()),
            ..Answered::default()
        };
        let Ok(r) = recorded("kasm_session.s", record(json!({"image_id": "i1"})), &told) else {
            panic!("recorded")
        };
        assert_eq!(r.id, "k1");
        assert_eq!(
            Value::Object(r.attributes.to_map()),
            json!({"id": "k1", "kasm_id": "k1", "image_id": "i1", "user_id": "u1",
                   "operational_status": "running"})
        );
    }

    #[test]
    fn a_pair_is_kept_under_its_parts_and_a_missing_id_is_refused() {
        let told = Answered {
            filled: BTreeMap::from([
                ("group_id".to_owned(), "g1".to_owned()),
                ("user_id".to_owned(), "u1".to_owned()),
            ]),
            id_parts: vec!["group_id".into(), "user_id".into()],
            ..Answered::default()
        };
        let pair = recorded("kasm_group_membership.m", record(json!({})), &told);
        assert_eq!(pair.map(|r| r.id), Ok("g1:u1".to_owned()));
        let none = recorded("kasm_user.alice", record(json!({})), &Answered::default());
        assert_eq!(
            none.map(|r| r.id),
            Err("Kasm answered without the new id of kasm_user.alice".to_owned())
        );
    }
}

//! `schema` and `json_schema`: what configurations can say, as data.

use crate::schema::{self, Schema};
use serde::{Deserialize, Serialize};

/// `schema` and `json_schema` take nothing (`{}`).
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SchemaRequest {}

/// `schema`: every resource type's and data source's arguments, every diagnostic code.
pub fn schema(_: &SchemaRequest) -> Schema {
    schema::schema()
}

/// `json_schema`: the JSON Schema of `.json` specs.
pub fn json_schema(_: &SchemaRequest) -> serde_json::Value {
    schema::json_schema()
}

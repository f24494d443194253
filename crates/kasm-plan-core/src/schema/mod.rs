//! What every resource type and data source takes, and what every diagnostic
//! code means, as data: built from the field table (`kasm_image`) and the
//! tables of [`tables`] (groups, links, data sources). Editors complete and
//! explain from it, the docs' argument reference and the JSON Schema for
//! `.json` specs are generated from it.

mod json_schema;
mod reference;
pub mod tables;

pub use json_schema::json_schema;
pub use reference::markdown;

use crate::diagnostic::Code;
use crate::field::{self, Field, Kind};
use crate::field::{MAX_CORES, MEMORY_MB};
use serde::{Deserialize, Serialize};
use tables::Arg;

/// Everything a configuration can say, and every code an answer can carry.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// `resource` blocks kasm-plan manages.
    pub resources: Vec<BlockSchema>,
    /// `data` blocks kasm-plan reads.
    pub data_sources: Vec<BlockSchema>,
    /// Every diagnostic code.
    pub codes: Vec<CodeInfo>,
}

/// One resource type or data source.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockSchema {
    /// E.g. `kasm_image`.
    pub type_name: String,
    /// One line on what it is.
    pub description: String,
    /// Its arguments and computed attributes, in the order docs list them.
    pub arguments: Vec<Argument>,
}

/// Whether an argument must, may or cannot be set.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Must be set.
    Required,
    /// May be set.
    Optional,
    /// Set by Kasm; readable, never written.
    Computed,
}

/// One argument or attribute.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Argument {
    /// Its name in configurations.
    pub name: String,
    /// Terraform's type name: `string`, `number`, `bool`, `object`.
    pub value_type: String,
    /// Required, optional or computed.
    pub presence: Presence,
    /// Never shown (planned by fingerprint).
    pub sensitive: bool,
    /// The unit of a number (`MB`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The least value allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    /// Whether `minimum` itself is excluded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclusive_minimum: bool,
    /// The greatest value allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    /// Whether the value must be a whole number.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub integer: bool,
    /// The longest text Kasm stores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// The only values allowed, when there is such a list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<String>,
    /// What Kasm sets when the argument is left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// The key in Kasm's API, when it differs from `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire_name: Option<String>,
    /// One line on what it is.
    pub description: String,
}

/// A diagnostic code and what it means.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodeInfo {
    /// The code.
    pub code: Code,
    /// One line on what it means.
    pub description: String,
}

/// The schema.
pub fn schema() -> Schema {
    Schema {
        resources: tables::RESOURCES
            .iter()
            .map(|&t| match t.type_name {
                // The image's fields come from the field table.
                crate::address::RESOURCE_TYPE => block(t, image_arguments()),
                _ => block(t, t.arguments.iter().map(Arg::argument).collect()),
            })
            .collect(),
        data_sources: tables::DATA_SOURCES
            .iter()
            .map(|t| block(t, t.arguments.iter().map(Arg::argument).collect()))
            .collect(),
        codes: Code::ALL
            .iter()
            .map(|&code| CodeInfo {
                code,
                description: code.description().to_owned(),
            })
            .collect(),
    }
}

fn block(table: &tables::Block, arguments: Vec<Argument>) -> BlockSchema {
    BlockSchema {
        type_name: table.type_name.to_owned(),
        description: table.description.to_owned(),
        arguments,
    }
}

/// `kasm_image`: the field table, then kasm-plan's own arguments and Kasm's computed ones.
fn image_arguments() -> Vec<Argument> {
    Field::ALL
        .iter()
        .map(|&f| field_argument(f))
        .chain(tables::IMAGE.arguments.iter().map(Arg::argument))
        .collect()
}

fn field_argument(f: Field) -> Argument {
    let mut a = Argument {
        name: f.spec_name().to_owned(),
        value_type: "string".to_owned(),
        presence: if field::REQUIRED.contains(&f) {
            Presence::Required
        } else {
            Presence::Optional
        },
        sensitive: f.is_sensitive(),
        unit: f.unit().map(str::to_owned),
        minimum: None,
        exclusive_minimum: false,
        maximum: None,
        integer: false,
        max_length: None,
        allowed: Vec::new(),
        default: f.kasm_default(),
        wire_name: (f.wire_name() != f.spec_name()).then(|| f.wire_name().to_owned()),
        description: f.description().to_owned(),
    };
    match f.kind() {
        Kind::Text { max } => a.max_length = max.and_then(|m| u32::try_from(m).ok()),
        Kind::Secret | Kind::Uuid | Kind::NetworkName => {}
        Kind::MemoryMb => {
            a.value_type = "number".to_owned();
            a.integer = true;
            a.minimum = Some(*MEMORY_MB.start() as f64);
            a.maximum = Some(*MEMORY_MB.end() as f64);
        }
        Kind::Cores => {
            a.value_type = "number".to_owned();
            a.minimum = Some(0.0);
            a.exclusive_minimum = true;
            a.maximum = Some(MAX_CORES);
        }
        Kind::Bool => a.value_type = "bool".to_owned(),
        Kind::Count => {
            a.value_type = "number".to_owned();
            a.integer = true;
            a.minimum = Some(0.0);
        }
        Kind::ImageType => a.allowed = field::IMAGE_TYPES.iter().map(|&t| t.to_owned()).collect(),
        Kind::Object | Kind::VolumeMapping => a.value_type = "object".to_owned(),
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_and_code_is_described() {
        let s = schema();
        let image = &s.resources[0];
        assert_eq!(image.type_name, "kasm_image");
        for f in Field::ALL {
            let a = image
                .arguments
                .iter()
                .find(|a| a.name == f.spec_name())
                .unwrap();
            assert!(a.description.ends_with('.'), "{f}");
        }
        let memory = image.arguments.iter().find(|a| a.name == "memory").unwrap();
        assert_eq!(
            (memory.minimum, memory.maximum, memory.unit.as_deref()),
            (Some(256.0), Some(256_000.0), Some("MB"))
        );
        let volume = image
            .arguments
            .iter()
            .find(|a| a.name == "volume_mapping")
            .unwrap();
        assert_eq!(volume.wire_name.as_deref(), Some("volume_mappings"));
        assert_eq!(s.codes.len(), Code::ALL.len());
        assert!(s.codes.iter().all(|c| !c.description.is_empty()));
    }

    /// Every type an address, a reference or `-target` may name has its table,
    /// and the schema describes exactly those types.
    #[test]
    fn every_managed_type_has_its_table() {
        let names: Vec<&str> = tables::type_names().collect();
        for type_name in &names {
            let table = tables::parse_address(&format!("{type_name}.x"));
            assert_eq!(table.map(|(t, _)| t), Some(*type_name));
        }
        let schema = schema();
        let described: Vec<&str> = schema
            .resources
            .iter()
            .map(|r| r.type_name.as_str())
            .collect();
        assert_eq!(described, names);
    }

    /// A table's id alias is one of its computed arguments (the apply
    /// records the id under it).
    #[test]
    fn id_aliases_are_computed_arguments() {
        for table in tables::RESOURCES {
            if let Some(alias) = table.id_alias {
                let arg = table.argument(alias).map(|a| a.presence);
                assert_eq!(
                    arg,
                    Some(Presence::Computed),
                    "{}: {alias}",
                    table.type_name
                );
            }
        }
    }

    /// What a table says of Kasm's view of its type names its own
    /// arguments: what a list's items show and import by, a pair's rows,
    /// the arguments of which one is given.
    #[test]
    fn a_table_names_only_its_own_arguments() {
        for table in tables::RESOURCES {
            let settable = |name: &str| {
                table
                    .argument(name)
                    .is_some_and(|a| a.presence != Presence::Computed)
            };
            let t = table.type_name;
            if let Some(list) = table.list {
                assert!(
                    list.shows.iter().all(|n| settable(n)),
                    "{t}: {:?}",
                    list.shows
                );
                assert!(
                    list.import_by.is_none_or(|n| list.shows.contains(&n)),
                    "{t}"
                );
                assert!(
                    list.shows.is_empty() || table.id_alias.is_some(),
                    "{t}: items found by id"
                );
            }
            if let Some(rows) = &table.rows {
                let parent = table.argument(rows.parent).and_then(|a| a.refers_to);
                assert_eq!(parent, Some(rows.of.type_name), "{t}");
                assert!(settable(rows.key), "{t}");
                assert!(rows.of.list.is_some(), "{t}: the rows are in a list");
            }
            for name in table.one_of {
                let optional = table.argument(name).map(|a| a.presence);
                assert_eq!(optional, Some(Presence::Optional), "{t}: {name}");
            }
        }
    }

    /// Every type is evaluated after each type its arguments refer to.
    #[test]
    fn types_are_evaluated_after_what_they_refer_to() {
        let position = |t: &str| tables::RESOURCES.iter().position(|b| b.type_name == t);
        for table in tables::RESOURCES {
            for target in table.arguments.iter().filter_map(|a| a.refers_to) {
                assert!(
                    position(target) < position(table.type_name),
                    "{} before {target}",
                    table.type_name
                );
            }
        }
        let managed = |t: &str| tables::MANAGED.iter().position(|b| b.type_name == t);
        for table in tables::MANAGED {
            for target in table.arguments.iter().filter_map(|a| a.refers_to) {
                assert!(
                    managed(target).is_none() || managed(target) < managed(table.type_name),
                    "{} planned before {target}",
                    table.type_name
                );
            }
        }
    }
}

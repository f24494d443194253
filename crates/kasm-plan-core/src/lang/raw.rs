//! What the language makes of source text (JSON or Terraform HCL): raw
//! resources, evaluated values with their positions, not yet typed; and the
//! languages a source is written in.

use crate::address::InstanceKey;
use crate::diagnostic::{Diagnostic, Location};
use crate::json_text::JsonObject;
use serde::{Deserialize, Serialize};

/// The language of a spec source.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `{"images": {"<name>": {...}}}`, or Terraform's JSON syntax.
    Json,
    /// Terraform HCL with `resource "kasm_image" "<name>"` blocks.
    Hcl,
}

impl Format {
    /// Guesses the format from a file name, falling back to the text itself.
    pub fn detect(file_name: Option<&str>, text: &str) -> Format {
        match file_name {
            Some(n) if n.ends_with(".json") => Format::Json,
            Some(n) if n.ends_with(".tf") || n.ends_with(".hcl") || n.ends_with(".tfvars") => {
                Format::Hcl
            }
            _ if text.trim_start().starts_with('{') => Format::Json,
            _ => Format::Hcl,
        }
    }
}

/// A value as written: known now, or only at apply time (a reference, a call).
#[derive(Clone, Debug, PartialEq)]
pub enum RawValue {
    /// A value known statically.
    Static(serde_json::Value),
    /// An object of literals, known statically, as its JSON text.
    Object(JsonObject),
    /// Cannot be evaluated without Terraform; the text says why.
    NotStatic(String),
    /// Written, but not a value at all (a number out of range); the text says why.
    Invalid(String),
    /// Its evaluation failed, and the problem is already reported.
    Reported,
    /// An id known after apply: the `id` of the resource instance at this address.
    Pending(String),
}

/// One `key = value` as written.
#[derive(Clone, Debug, PartialEq)]
pub struct RawAttribute {
    /// The attribute name.
    pub key: super::body::Name,
    /// The value.
    pub value: RawValue,
    /// Where the attribute stands.
    pub location: Option<Location>,
    /// Whether a sensitive value went into it.
    pub sensitive: bool,
}

/// One instance of a `kasm_image` resource, its attributes evaluated.
#[derive(Clone, Debug, PartialEq)]
pub struct RawResource {
    /// The resource name (the second label).
    pub name: String,
    /// The instance key under `count` or `for_each`.
    pub key: Option<InstanceKey>,
    /// The file it is declared in.
    pub file: Option<crate::diagnostic::FileName>,
    /// Where the resource starts.
    pub location: Option<Location>,
    /// Its attributes, in source order (duplicates kept, for typing to report).
    pub attributes: Vec<RawAttribute>,
    /// The `lifecycle` block's attributes, if the block is present.
    pub lifecycle: Option<Vec<RawAttribute>>,
}

impl RawValue {
    /// An object kept as text made a value; any other value left as it is.
    pub fn object_to_value(&mut self) {
        if let RawValue::Object(object) = self {
            *self = RawValue::Static(object.value());
        }
    }
}

impl RawResource {
    /// The same, with every object kept as text made a value, for the
    /// typers that read values (every type but images).
    pub fn with_object_values(mut self) -> RawResource {
        for attr in &mut self.attributes {
            attr.value.object_to_value();
        }
        self
    }
}

/// The result of parsing one source text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// The resources found, in source order.
    pub resources: Vec<RawResource>,
    /// `moved` blocks.
    pub moves: Vec<crate::lang::blocks::Move>,
    /// `import` blocks.
    pub imports: Vec<crate::lang::blocks::Import>,
    /// The configuration as Terraform's plan JSON describes it.
    pub described: Option<Described>,
    /// `kasm_group` instances.
    pub groups: Vec<crate::group::GroupSpec>,
    /// `kasm_group_image` instances.
    pub links: Vec<crate::group::LinkSpec>,
    /// Instances of the table-driven types (`kasm_user`, `kasm_group_membership`).
    pub objects: Vec<crate::object::ObjectSpec>,
    /// Images whose declared links are all their groups (`exclusive_group_links`).
    pub exclusive: std::collections::BTreeSet<String>,
    /// Instances of the table-typed types with `prevent_destroy = true`.
    pub protected: std::collections::BTreeSet<String>,
    /// Whether anything needs Kasm's groups: groups, links or `data "kasm_groups"`.
    pub uses_groups: bool,
    /// Whether a `data "kasm_users"` needs Kasm's users.
    pub reads_users: bool,
    /// The `terraform { backend ... }` block.
    pub backend: Option<crate::lang::config::BackendBlock>,
    /// The `provider "kasm"` block's settings.
    pub provider: Option<crate::lang::config::ProviderSettings>,
    /// Where each managed instance is declared, by address (every type).
    pub declared: Declarations,
    /// Each resource's `depends_on`, by resource address.
    pub depends_on: crate::lang::depends::DependsOn,
    /// `output` blocks, with what they may refer to.
    pub outputs: crate::lang::outputs::Outputs,
    /// Syntax errors and skipped blocks.
    pub diagnostics: Vec<Diagnostic>,
}

/// Where each resource instance is declared: its file and its block, by address.
/// Looked up by address, never walked in order: hashed, since sorting
/// thousands of addresses that share their type's prefix costs more.
pub type Declarations =
    foldhash::HashMap<String, (Option<crate::diagnostic::FileName>, Option<Location>)>;

/// A configuration as Terraform's plan JSON describes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Described {
    /// The `configuration` object.
    pub configuration: serde_json::Value,
    /// The `variables` object (sensitive values hidden).
    pub variables: serde_json::Value,
}

//! The one table that maps `kasm_image` arguments to Kasm's wire keys.
//!
//! Every other module (typing, validation, diffing, request building) walks
//! this table instead of naming fields itself, so a field added here is
//! parsed, checked, planned and sent everywhere at once.

use serde::{Deserialize, Serialize};

/// Kasm's admin UI bounds for memory, in MB.
pub const MEMORY_MB: std::ops::RangeInclusive<i64> = 256..=256_000;
/// Upper bound for cores (the lower bound, 0, is exclusive).
pub const MAX_CORES: f64 = 128.0;

/// How a field's value is shaped, in the spec and on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A string; `max` is the length of Kasm's column where it has one.
    Text { max: Option<usize> },
    /// A secret string: never printed, planned by fingerprint only.
    Secret,
    /// Whole megabytes in the spec, bytes (× 1,000,000) on the wire.
    MemoryMb,
    /// CPU cores; fractional allowed; a float on the wire.
    Cores,
    /// A boolean.
    Bool,
    /// A non-negative whole number.
    Count,
    /// One of Kasm's image types.
    ImageType,
    /// A JSON object in the spec, a JSON-encoded string on the wire.
    Object,
    /// Like `Object`, with Kasm's volume-mapping entry rules.
    VolumeMapping,
    /// A UUID; Kasm answers with 32 lowercase hex characters.
    Uuid,
    /// One Docker network name in the spec, a one-element list on the wire.
    NetworkName,
}

macro_rules! fields {
    ($($variant:ident => $spec:literal, $wire:literal, $kind:expr, $unit:expr, $description:literal;)*) => {
        /// An argument of the `kasm_image` resource.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Field { $(#[doc = $description] $variant),* }

        impl Field {
            /// Every field, in the order plans and outputs list them.
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];

            /// Every field's spec name, in the order of [`Field::ALL`].
            pub const SPEC_NAMES: &'static [&'static str] = &[$($spec),*];

            /// The argument name in specs (and in Terraform plan JSON).
            pub const fn spec_name(self) -> &'static str {
                match self { $(Field::$variant => $spec),* }
            }

            /// The field with this spec name, if any (a match, which
            /// compares only the names of the same length).
            pub fn from_spec_name(name: &str) -> Option<Field> {
                match name { $($spec => Some(Field::$variant),)* _ => None }
            }

            /// The key Kasm's API uses for this field.
            pub const fn wire_name(self) -> &'static str {
                match self { $(Field::$variant => $wire),* }
            }

            /// The value's shape.
            pub const fn kind(self) -> Kind {
                match self { $(Field::$variant => $kind),* }
            }

            /// The unit of a number, in specs.
            pub const fn unit(self) -> Option<&'static str> {
                match self { $(Field::$variant => $unit),* }
            }

            /// One line on what the argument is (the schema, editors and docs show it).
            pub const fn description(self) -> &'static str {
                match self { $(Field::$variant => $description),* }
            }
        }
    };
}

fields! {
    Name => "name", "name", Kind::Text { max: Some(255) }, None,
        "The Docker image Kasm pulls and runs, e.g. `kasmweb/terminal:1.18.0`.";
    ImageSrc => "image_src", "image_src", Kind::Text { max: Some(255) }, None,
        "The thumbnail shown in the workspace list: a path such as `img/thumbnails/terminal.png` or a URL.";
    FriendlyName => "friendly_name", "friendly_name", Kind::Text { max: Some(255) }, None,
        "The name users see in the workspace list.";
    Description => "description", "description", Kind::Text { max: None }, None,
        "The text shown under the friendly name; Kasm keeps the old one when given an empty text.";
    DockerRegistry => "docker_registry", "docker_registry", Kind::Text { max: None }, None,
        "The registry Kasm logs in to before pulling, e.g. `https://index.docker.io/v1/`.";
    DockerUser => "docker_user", "docker_user", Kind::Text { max: Some(255) }, None,
        "The user name for `docker_registry`.";
    DockerToken => "docker_token", "docker_token", Kind::Secret, None,
        "The password or token for `docker_registry`; never shown, planned by fingerprint.";
    Memory => "memory", "memory", Kind::MemoryMb, Some("MB"),
        "Memory per session in megabytes (Kasm stores bytes: 1 MB = 1,000,000 bytes).";
    Cores => "cores", "cores", Kind::Cores, Some("cores"),
        "CPU cores per session; fractions such as 0.5 allowed.";
    Enabled => "enabled", "enabled", Kind::Bool, None,
        "Whether users may launch the workspace.";
    UncompressedSizeMb => "uncompressed_size_mb", "uncompressed_size_mb", Kind::Count, Some("MB"),
        "The image's uncompressed size, which Kasm uses to pick agents with room for it.";
    ImageType => "image_type", "image_type", Kind::ImageType, None,
        "How the workspace is served: a container, a server, a server pool or a link.";
    RunConfig => "run_config", "run_config", Kind::Object, None,
        "Docker run options Kasm merges into its own (an object, or its JSON text).";
    ExecConfig => "exec_config", "exec_config", Kind::Object, None,
        "Commands Kasm runs in sessions (`first_launch`, `go`, `assign`...): an object, or its JSON text.";
    VolumeMapping => "volume_mapping", "volume_mappings", Kind::VolumeMapping, None,
        "Host paths mounted into sessions: an object keyed by host path with `bind`, `mode`, `uid`, `gid` and optional `required`, `timeout`.";
    RestrictToNetwork => "restrict_to_network", "restrict_to_network", Kind::Bool, None,
        "Whether sessions run only on `network_name`.";
    NetworkName => "network_name", "restrict_network_names", Kind::NetworkName, None,
        "The Docker network sessions join when `restrict_to_network` is set.";
    RestrictToServer => "restrict_to_server", "restrict_to_server", Kind::Bool, None,
        "Whether sessions run only on `server_id` (server image types).";
    ServerId => "server_id", "server_id", Kind::Uuid, None,
        "The server sessions run on when `restrict_to_server` is set.";
    RestrictToZone => "restrict_to_zone", "restrict_to_zone", Kind::Bool, None,
        "Whether sessions run only in `zone_id`.";
    ZoneId => "zone_id", "zone_id", Kind::Uuid, None,
        "The deployment zone sessions run in when `restrict_to_zone` is set.";
}

/// Fields a spec must set.
pub const REQUIRED: &[Field] = &[Field::Name, Field::ImageSrc, Field::FriendlyName];

/// Kasm's image types (`image_type`).
pub const IMAGE_TYPES: &[&str] = &["Container", "Server", "Server Pool", "Link"];

/// Bytes in one megabyte, as Kasm counts them (decimal, like its admin UI).
pub const BYTES_PER_MB: i64 = 1_000_000;

impl Field {
    /// Every field, in the order of their spec names (a JSON object's keys).
    pub fn by_spec_name() -> &'static [Field] {
        static SORTED: std::sync::OnceLock<Vec<Field>> = std::sync::OnceLock::new();
        SORTED.get_or_init(|| {
            let mut fields = Field::ALL.to_vec();
            fields.sort_by_key(|f| f.spec_name());
            fields
        })
    }

    /// What Kasm sets when the argument is left out (where that is a value, not nothing).
    pub fn kasm_default(self) -> Option<serde_json::Value> {
        use serde_json::Value;
        match self {
            Field::Enabled => Some(Value::Bool(true)),
            Field::RestrictToNetwork | Field::RestrictToServer | Field::RestrictToZone => {
                Some(Value::Bool(false))
            }
            Field::ImageType => Some(Value::from("Container")),
            Field::UncompressedSizeMb => Some(Value::from(0)),
            _ => None,
        }
    }

    /// Whether the value must be hidden from output.
    pub const fn is_sensitive(self) -> bool {
        matches!(self.kind(), Kind::Secret)
    }

    /// Position of the field in [`Field::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.spec_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_matches_position_in_all() {
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(f.index(), i, "{f}");
            assert_eq!(Field::from_spec_name(f.spec_name()), Some(*f));
        }
    }

    #[test]
    fn renamed_fields_follow_part_a() {
        assert_eq!(Field::VolumeMapping.wire_name(), "volume_mappings");
        assert_eq!(Field::NetworkName.wire_name(), "restrict_network_names");
        assert_eq!(Field::Memory.kind(), Kind::MemoryMb);
    }
}

//! The data model: image specs as admins write them, images as Kasm returns them.

use crate::field::Field;
use crate::json_text::JsonObject;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// What a redacted value is shown as.
pub const REDACTED: &str = "(sensitive value)";

/// A secret string (a registry token). Shown only as [`REDACTED`];
/// plans and state carry its [`fingerprint`](Secret::fingerprint), never the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it to Kasm.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A salted digest that tells whether the secret changed without revealing it.
    /// The address salts it, so equal tokens on two images do not look equal.
    pub fn fingerprint(&self, address: &str) -> String {
        let mut hash = Sha256::new();
        hash.update(b"kasm-plan/secret/v1\0");
        hash.update(address.as_bytes());
        hash.update(b"\0");
        hash.update(self.0.as_bytes());
        let digest = hash.finalize();
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// Which fields Kasm-side changes should not be planned away.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum IgnoreChanges {
    /// Plan every field.
    #[default]
    None,
    /// Ignore every field after create (`ignore_changes = all`).
    All,
    /// Ignore these fields.
    Fields(Vec<Field>),
}

impl IgnoreChanges {
    /// Whether changes to this field are ignored.
    pub fn ignores(&self, field: Field) -> bool {
        match self {
            IgnoreChanges::None => false,
            IgnoreChanges::All => true,
            IgnoreChanges::Fields(fields) => fields.contains(&field),
        }
    }
}

impl Serialize for IgnoreChanges {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            IgnoreChanges::None => s.collect_seq(std::iter::empty::<Field>()),
            IgnoreChanges::All => s.serialize_str("all"),
            IgnoreChanges::Fields(fields) => s.collect_seq(fields),
        }
    }
}

impl<'de> Deserialize<'de> for IgnoreChanges {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Word(String),
            List(Vec<Field>),
        }
        match Repr::deserialize(d)? {
            Repr::Word(w) if w == "all" => Ok(IgnoreChanges::All),
            Repr::Word(w) => Err(serde::de::Error::custom(format!(
                "expected \"all\" or a list, got {w:?}"
            ))),
            Repr::List(l) if l.is_empty() => Ok(IgnoreChanges::None),
            Repr::List(l) => Ok(IgnoreChanges::Fields(l)),
        }
    }
}

/// Terraform's `lifecycle` block, as far as it applies to images.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Lifecycle {
    /// Fields whose remote changes are left alone.
    #[serde(skip_serializing_if = "is_none_ignored")]
    pub ignore_changes: IgnoreChanges,
    /// Refuse any plan that would delete this image.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub prevent_destroy: bool,
}

fn is_none_ignored(i: &IgnoreChanges) -> bool {
    *i == IgnoreChanges::None
}

/// A desired Kasm image: the arguments of Terraform's `kasm_image` resource.
///
/// Units are the spec's: `memory` in MB. Unset optional fields are not managed:
/// the plan leaves whatever Kasm has. `enabled` defaults to true.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageSpec {
    /// The Docker image Kasm pulls, e.g. `kasmweb/terminal:1.18.0`.
    pub name: String,
    /// An image reference, or the thumbnail path or URL Kasm shows.
    pub image_src: String,
    /// The name users see.
    pub friendly_name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Registry URL or host, e.g. `https://index.docker.io/v1/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_registry: Option<String>,
    /// Registry user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_user: Option<String>,
    /// Registry password or token (sensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_token: Option<Secret>,
    /// Memory in MB (1 MB = 1,000,000 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<i64>,
    /// CPU cores, fractional allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cores: Option<f64>,
    /// Whether users can launch it.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Size of the unpacked image in MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncompressed_size_mb: Option<i64>,
    /// `Container`, `Server`, `Server Pool` or `Link`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_type: Option<String>,
    /// Docker run overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Map<String, Value>>"))]
    pub run_config: Option<JsonObject>,
    /// Docker exec hooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Map<String, Value>>"))]
    pub exec_config: Option<JsonObject>,
    /// Host path → `{bind, mode, uid, gid, required?, timeout?}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Map<String, Value>>"))]
    pub volume_mapping: Option<JsonObject>,
    /// Only launch on the Docker network in `network_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_to_network: Option<bool>,
    /// The Docker network for `restrict_to_network`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_name: Option<String>,
    /// Only launch on the server in `server_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_to_server: Option<bool>,
    /// The server (UUID) for `restrict_to_server`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
    /// Only launch in the zone in `zone_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_to_zone: Option<bool>,
    /// The zone (UUID) for `restrict_to_zone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
    /// Terraform's lifecycle options.
    #[serde(default, skip_serializing_if = "is_default_lifecycle")]
    pub lifecycle: Lifecycle,
    /// Fields whose values come from sensitive variables: shown and planned
    /// only as `(sensitive value)` or a fingerprint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive: Vec<Field>,
}

impl ImageSpec {
    /// A copy fit to show: sensitive text fields read `(sensitive value)`,
    /// other sensitive fields are left out.
    pub fn redacted(&self) -> ImageSpec {
        let mut spec = self.clone();
        let hidden = || REDACTED.to_owned();
        for field in &self.sensitive {
            match field {
                Field::Name => spec.name = hidden(),
                Field::ImageSrc => spec.image_src = hidden(),
                Field::FriendlyName => spec.friendly_name = hidden(),
                Field::Description => spec.description = Some(hidden()),
                Field::DockerRegistry => spec.docker_registry = Some(hidden()),
                Field::DockerUser => spec.docker_user = Some(hidden()),
                Field::NetworkName => spec.network_name = Some(hidden()),
                Field::ServerId => spec.server_id = Some(hidden()),
                Field::ZoneId => spec.zone_id = Some(hidden()),
                Field::ImageType => spec.image_type = Some(hidden()),
                Field::Memory => spec.memory = None,
                Field::Cores => spec.cores = None,
                Field::UncompressedSizeMb => spec.uncompressed_size_mb = None,
                Field::RunConfig => spec.run_config = None,
                Field::ExecConfig => spec.exec_config = None,
                Field::VolumeMapping => spec.volume_mapping = None,
                Field::RestrictToNetwork => spec.restrict_to_network = None,
                Field::RestrictToServer => spec.restrict_to_server = None,
                Field::RestrictToZone => spec.restrict_to_zone = None,
                Field::DockerToken | Field::Enabled => {}
            }
        }
        spec
    }
}

impl ImageSpec {
    /// A spec with no argument set: the required text empty, `enabled` true.
    pub fn empty() -> ImageSpec {
        ImageSpec {
            name: String::new(),
            image_src: String::new(),
            friendly_name: String::new(),
            description: None,
            docker_registry: None,
            docker_user: None,
            docker_token: None,
            memory: None,
            cores: None,
            enabled: true,
            uncompressed_size_mb: None,
            image_type: None,
            run_config: None,
            exec_config: None,
            volume_mapping: None,
            restrict_to_network: None,
            network_name: None,
            restrict_to_server: None,
            server_id: None,
            restrict_to_zone: None,
            zone_id: None,
            lifecycle: Lifecycle::default(),
            sensitive: Vec::new(),
        }
    }

    /// Sets one argument from a value of its field's type (typing checked
    /// it), taking the value; a value of another type leaves it unset.
    pub fn set(&mut self, field: Field, value: Value) {
        match field {
            Field::Name => self.name = into_text(value).unwrap_or_default(),
            Field::ImageSrc => self.image_src = into_text(value).unwrap_or_default(),
            Field::FriendlyName => self.friendly_name = into_text(value).unwrap_or_default(),
            Field::Description => self.description = into_text(value),
            Field::DockerRegistry => self.docker_registry = into_text(value),
            Field::DockerUser => self.docker_user = into_text(value),
            Field::DockerToken => self.docker_token = into_text(value).map(Secret),
            Field::NetworkName => self.network_name = into_text(value),
            Field::ServerId => self.server_id = into_text(value),
            Field::ZoneId => self.zone_id = into_text(value),
            Field::ImageType => self.image_type = into_text(value),
            Field::Memory => self.memory = value.as_i64(),
            Field::UncompressedSizeMb => self.uncompressed_size_mb = value.as_i64(),
            Field::Cores => self.cores = value.as_f64(),
            Field::Enabled => self.enabled = value.as_bool().unwrap_or(true),
            Field::RestrictToNetwork => self.restrict_to_network = value.as_bool(),
            Field::RestrictToServer => self.restrict_to_server = value.as_bool(),
            Field::RestrictToZone => self.restrict_to_zone = value.as_bool(),
            Field::RunConfig | Field::ExecConfig | Field::VolumeMapping => {
                if let Value::Object(map) = value {
                    self.set_object(field, JsonObject::of_map(&map));
                }
            }
        }
    }

    /// Sets an object argument (`run_config`, `exec_config`,
    /// `volume_mapping`) from its text; other fields are left as they are.
    pub fn set_object(&mut self, field: Field, object: JsonObject) {
        match field {
            Field::RunConfig => self.run_config = Some(object),
            Field::ExecConfig => self.exec_config = Some(object),
            Field::VolumeMapping => self.volume_mapping = Some(object),
            _ => {}
        }
    }
}

/// A string value's text, moved out.
fn into_text(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn yes() -> bool {
    true
}

fn is_default_lifecycle(l: &Lifecycle) -> bool {
    *l == Lifecycle::default()
}

/// An image as Kasm's `get_images` returns it (Kasm 1.15 keys; unknown keys are ignored).
///
/// Units are the wire's: `memory` in bytes, `cores` a float.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[allow(missing_docs)] // each key is described in docs/kasm-api.md, "The image object"
pub struct Image {
    pub image_id: String,
    pub name: Option<String>,
    pub friendly_name: Option<String>,
    pub description: Option<String>,
    pub image_src: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub enabled: bool,
    #[serde(deserialize_with = "null_as_default")]
    pub available: bool,
    #[serde(deserialize_with = "null_as_default")]
    pub hidden: bool,
    #[serde(deserialize_with = "null_as_default")]
    pub cores: f64,
    #[serde(deserialize_with = "null_as_default")]
    pub memory: i64,
    #[serde(deserialize_with = "null_as_default")]
    pub cpu_allocation_method: String,
    #[serde(deserialize_with = "null_as_default")]
    pub gpu_count: i64,
    #[serde(deserialize_with = "null_as_default")]
    pub require_gpu: bool,
    #[serde(deserialize_with = "null_as_default")]
    pub image_type: String,
    #[serde(deserialize_with = "null_as_default")]
    pub uncompressed_size_mb: i64,
    pub docker_registry: Option<String>,
    pub docker_user: Option<String>,
    pub docker_token: Option<String>,
    pub hash: Option<String>,
    #[serde(deserialize_with = "json_object")]
    pub run_config: Map<String, Value>,
    #[serde(deserialize_with = "json_object")]
    pub exec_config: Map<String, Value>,
    #[serde(deserialize_with = "json_object")]
    pub volume_mappings: Map<String, Value>,
    #[serde(deserialize_with = "json_object")]
    pub launch_config: Map<String, Value>,
    #[serde(deserialize_with = "null_as_default")]
    pub categories: Vec<String>,
    pub default_category: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub restrict_to_network: bool,
    #[serde(deserialize_with = "null_as_default")]
    pub restrict_network_names: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub allow_network_selection: bool,
    #[serde(deserialize_with = "null_as_default")]
    pub restrict_to_server: bool,
    pub server_id: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub restrict_to_zone: bool,
    pub zone_id: Option<String>,
    pub zone_name: Option<String>,
    pub server_pool_id: Option<String>,
    pub persistent_profile_path: Option<String>,
    #[serde(deserialize_with = "json_object")]
    pub persistent_profile_config: Map<String, Value>,
    pub filter_policy_id: Option<String>,
    pub filter_policy_name: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub filter_policy_force_disabled: bool,
    pub session_time_limit: Option<i64>,
    pub notes: Option<String>,
    pub link_url: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub x_res: i64,
    #[serde(deserialize_with = "null_as_default")]
    pub y_res: i64,
    #[serde(rename = "imageAttributes", deserialize_with = "null_as_default")]
    pub image_attributes: Vec<Value>,
    /// Only in `get_images` answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<Value>,
    /// Only in `get_images` answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_pool: Option<Value>,
}

impl Default for Image {
    /// Kasm's defaults for a new image (docs/kasm-api.md, "The image object").
    fn default() -> Self {
        Image {
            image_id: String::new(),
            name: None,
            friendly_name: None,
            description: None,
            image_src: None,
            enabled: true,
            available: false,
            hidden: false,
            cores: 1.0,
            memory: 768_000_000,
            cpu_allocation_method: "Inherit".into(),
            gpu_count: 0,
            require_gpu: false,
            image_type: "Container".into(),
            uncompressed_size_mb: 0,
            docker_registry: None,
            docker_user: None,
            docker_token: None,
            hash: None,
            run_config: Map::new(),
            exec_config: Map::new(),
            volume_mappings: Map::new(),
            launch_config: Map::new(),
            categories: Vec::new(),
            default_category: None,
            restrict_to_network: false,
            restrict_network_names: Vec::new(),
            allow_network_selection: false,
            restrict_to_server: false,
            server_id: None,
            restrict_to_zone: false,
            zone_id: None,
            zone_name: None,
            server_pool_id: None,
            persistent_profile_path: None,
            persistent_profile_config: Map::new(),
            filter_policy_id: None,
            filter_policy_name: None,
            filter_policy_force_disabled: false,
            session_time_limit: None,
            notes: None,
            link_url: None,
            x_res: 800,
            y_res: 600,
            image_attributes: Vec::new(),
            server: None,
            server_pool: None,
        }
    }
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Kasm answers with objects; requests (and some newer servers) use JSON strings. Accept both.
fn json_object<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Map::new()),
        Some(Value::String(s)) => match serde_json::from_str(&s) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(serde::de::Error::custom(
                "expected a JSON object or a string holding one",
            )),
        },
        Some(_) => Err(serde::de::Error::custom("expected a JSON object")),
    }
}

/// An id in its canonical form (see [`canonical_uuid`]), other text as it
/// is; borrowed when it already is canonical, as Kasm's ids mostly are.
pub fn canonical_id(text: &str) -> std::borrow::Cow<'_, str> {
    // A fold without early exit: the compiler checks the 32 bytes at once.
    let canonical = text.len() == 32
        && text.bytes().fold(true, |ok, b| {
            ok & (b.is_ascii_digit() | (b'a'..=b'f').contains(&b))
        });
    if canonical {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(canonical_uuid(text).unwrap_or_else(|| text.to_owned()))
    }
}

/// Canonical form of a UUID: 32 lowercase hex characters, no hyphens, as Kasm answers.
/// `None` when the text is not a UUID.
pub fn canonical_uuid(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let hex: String = trimmed.chars().filter(|c| *c != '-').collect();
    let hyphens_ok = trimmed.len() == 32
        || (trimmed.len() == 36
            && trimmed
                .char_indices()
                .all(|(i, c)| matches!(i, 8 | 13 | 18 | 23) == (c == '-')));
    (hyphens_ok && hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| hex.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_serialises_its_value() {
        let s = Secret::new("hunter2");
        assert_eq!(
            serde_json::to_string(&s).ok().as_deref(),
            Some("\"(sensitive value)\"")
        );
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_ne!(s.fingerprint("a"), s.fingerprint("b"));
        assert!(!s.fingerprint("a").contains("hunter2"));
    }

    #[test]
    fn uuids_canonicalise() {
        let want = Some("3a08021231af4d6496139031be6bbe03".to_owned());
        assert_eq!(canonical_uuid("3A080212-31af-4d64-9613-9031be6bbe03"), want);
        assert_eq!(canonical_uuid("3a08021231af4d6496139031be6bbe03"), want);
        assert_eq!(canonical_uuid("3a08-021231af4d6496139031be6bbe03"), None);
        assert_eq!(canonical_uuid("not-a-uuid"), None);
    }

    #[test]
    fn image_accepts_string_encoded_config_and_nulls() {
        let img: Result<Image, _> = serde_json::from_value(serde_json::json!({
            "image_id": "ab", "run_config": "{\"hostname\": \"k\"}", "cores": null, "extra": 1
        }));
        let img = img.ok();
        assert_eq!(
            img.as_ref().and_then(|i| i.run_config.get("hostname")),
            Some(&Value::from("k"))
        );
        assert_eq!(img.map(|i| i.cores), Some(0.0));
    }
}

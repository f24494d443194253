//! Specs to Kasm request bodies (`target_image`), following the field table.
//!
//! Kasm wants run/exec config and volume mappings as JSON strings, memory in
//! bytes, the network as a list, and crashes on keys it does not accept.

use crate::attributes::Attributes;
use crate::field::{BYTES_PER_MB, Field, Kind};
use crate::model::{Image, ImageSpec, Secret};
use serde_json::{Map, Value};

/// What Kasm sends in place of a stored registry token; sending it back keeps the token.
pub const TOKEN_MASK: &str = "**********";

/// The `target_image` of a create: every field the spec sets, in wire form.
pub fn create_body(spec: &ImageSpec, address: &str) -> Map<String, Value> {
    let attrs = Attributes::from_spec(spec, address);
    let mut body = Map::new();
    for field in attrs.set_fields() {
        put(
            &mut body,
            field,
            attrs.get(field),
            spec.docker_token.as_ref(),
        );
    }
    body
}

/// The `target_image` of an update: read-modify-write. Starts from the image as
/// Kasm returned it (every accepted key, so Kasm nulls nothing), then sets `changes`.
pub fn update_body(
    image: &Image,
    changes: &[(Field, Value)],
    token: Option<&Secret>,
) -> Map<String, Value> {
    let mut body = accepted_keys(image);
    for (field, value) in changes {
        put(&mut body, *field, value, token);
    }
    body
}

/// The image a state entry describes, in wire form: what Kasm would list if
/// nothing had changed since the last apply (for planning without a refresh).
pub fn assumed_image(image_id: &str, attrs: &Attributes) -> Image {
    let mut body = Map::new();
    for field in attrs.set_fields() {
        if field.kind() == Kind::Secret {
            // Kasm shows a stored token masked; the state keeps its fingerprint.
            body.insert(field.wire_name().to_owned(), Value::from(TOKEN_MASK));
        } else {
            put(&mut body, field, attrs.get(field), None);
        }
    }
    body.insert("image_id".to_owned(), Value::from(image_id));
    body.insert("available".to_owned(), Value::Bool(true));
    serde_json::from_value(Value::Object(body)).unwrap_or_else(|_| Image {
        image_id: image_id.to_owned(),
        ..Image::default()
    })
}

/// Writes one field in wire form. Secrets come from `token`, never from plan values.
fn put(body: &mut Map<String, Value>, field: Field, value: &Value, token: Option<&Secret>) {
    let wire = field.wire_name().to_owned();
    let encoded = match field.kind() {
        Kind::MemoryMb => value.as_f64().map_or(Value::Null, |mb| {
            Value::from((mb * BYTES_PER_MB as f64).round() as i64)
        }),
        Kind::Object | Kind::VolumeMapping => Value::String(value.to_string()),
        Kind::NetworkName => match value {
            Value::Null => Value::Array(Vec::new()),
            Value::Array(_) => value.clone(),
            other => Value::Array(vec![other.clone()]),
        },
        Kind::Secret => match token {
            Some(t) => Value::String(t.expose().to_owned()),
            None => return,
        },
        _ => value.clone(),
    };
    body.insert(wire, encoded);
}

/// The image's accepted keys (docs/kasm-api.md, "Images"), encoded for a request.
fn accepted_keys(i: &Image) -> Map<String, Value> {
    let text = |s: &Option<String>| s.as_ref().map_or(Value::Null, |v| Value::String(v.clone()));
    let json = |m: &Map<String, Value>| Value::String(Value::Object(m.clone()).to_string());
    let filter_policy = if i.filter_policy_force_disabled {
        Value::from("force_disabled")
    } else {
        i.filter_policy_id
            .as_ref()
            .map_or(Value::from("inherit"), |id| Value::from(id.as_str()))
    };
    let pairs: [(&str, Value); 39] = [
        ("image_id", i.image_id.clone().into()),
        ("name", text(&i.name)),
        ("friendly_name", text(&i.friendly_name)),
        ("description", text(&i.description)),
        ("image_src", text(&i.image_src)),
        ("enabled", i.enabled.into()),
        ("hidden", i.hidden.into()),
        ("cores", i.cores.into()),
        ("memory", i.memory.into()),
        (
            "cpu_allocation_method",
            i.cpu_allocation_method.clone().into(),
        ),
        ("gpu_count", i.gpu_count.into()),
        ("require_gpu", i.require_gpu.into()),
        ("image_type", i.image_type.clone().into()),
        ("uncompressed_size_mb", i.uncompressed_size_mb.into()),
        ("docker_registry", text(&i.docker_registry)),
        ("docker_user", text(&i.docker_user)),
        ("docker_token", text(&i.docker_token)),
        ("hash", text(&i.hash)),
        ("run_config", json(&i.run_config)),
        ("exec_config", json(&i.exec_config)),
        ("volume_mappings", json(&i.volume_mappings)),
        ("launch_config", json(&i.launch_config)),
        ("categories", i.categories.join("\n").into()),
        ("restrict_to_network", i.restrict_to_network.into()),
        (
            "restrict_network_names",
            i.restrict_network_names.clone().into(),
        ),
        ("allow_network_selection", i.allow_network_selection.into()),
        ("restrict_to_server", i.restrict_to_server.into()),
        ("server_id", text(&i.server_id)),
        ("restrict_to_zone", i.restrict_to_zone.into()),
        ("zone_id", text(&i.zone_id)),
        ("server_pool_id", text(&i.server_pool_id)),
        ("persistent_profile_path", text(&i.persistent_profile_path)),
        ("filter_policy_id", filter_policy),
        (
            "filter_policy_force_disabled",
            i.filter_policy_force_disabled.into(),
        ),
        (
            "session_time_limit",
            i.session_time_limit.map_or(Value::Null, Value::from),
        ),
        ("notes", text(&i.notes)),
        ("link_url", text(&i.link_url)),
        ("x_res", i.x_res.into()),
        ("y_res", i.y_res.into()),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Keys Kasm 1.15's `create_update_image` accepts; anything else makes it answer 500.
/// The simulator keeps its own copy on purpose, so the two check each other.
pub const ACCEPTED_KEYS: &[&str] = &[
    "image_id",
    "image_name",
    "cores",
    "description",
    "docker_registry",
    "docker_token",
    "docker_user",
    "enabled",
    "friendly_name",
    "hash",
    "memory",
    "name",
    "x_res",
    "y_res",
    "run_config",
    "restrict_to_network",
    "restrict_network_names",
    "restrict_to_server",
    "server_id",
    "persistent_profile_path",
    "volume_mappings",
    "image_src",
    "exec_config",
    "restrict_to_zone",
    "zone_id",
    "filter_policy_id",
    "filter_policy_force_disabled",
    "session_time_limit",
    "categories",
    "allow_network_selection",
    "require_gpu",
    "gpu_count",
    "hidden",
    "notes",
    "image_type",
    "server_pool_id",
    "link_url",
    "cpu_allocation_method",
    "uncompressed_size_mb",
    "launch_config",
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> ImageSpec {
        let v = json!({"name": "kasmweb/terminal:1.18.0", "image_src": "img/t.png", "friendly_name": "T",
            "memory": 2768, "run_config": {"hostname": "kasm"}, "network_name": "net", "docker_token": "s3cret"});
        serde_json::from_value(v).unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn create_body_uses_wire_names_and_units() {
        let body = create_body(&spec(), "kasm_image.t");
        assert_eq!(body.get("memory"), Some(&json!(2_768_000_000_i64)));
        assert_eq!(
            body.get("run_config"),
            Some(&json!("{\"hostname\":\"kasm\"}"))
        );
        assert_eq!(body.get("restrict_network_names"), Some(&json!(["net"])));
        assert_eq!(body.get("docker_token"), Some(&json!("s3cret")));
        assert_eq!(body.get("enabled"), Some(&json!(true)));
        assert!(
            body.keys().all(|k| ACCEPTED_KEYS.contains(&k.as_str())),
            "{body:?}"
        );
    }

    #[test]
    fn update_body_sends_only_accepted_keys() {
        let image = Image {
            image_id: "ab".into(),
            docker_token: Some(TOKEN_MASK.into()),
            ..Image::default()
        };
        let body = update_body(&image, &[(Field::Memory, json!(4096))], None);
        assert!(
            body.keys().all(|k| ACCEPTED_KEYS.contains(&k.as_str())),
            "{body:?}"
        );
        assert_eq!(body.get("memory"), Some(&json!(4_096_000_000_i64)));
        assert_eq!(body.get("docker_token"), Some(&json!(TOKEN_MASK)));
        assert_eq!(body.get("filter_policy_id"), Some(&json!("inherit")));
        assert!(!body.contains_key("available"));
    }
}

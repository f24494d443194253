//! What `create_image`, `update_image` and `delete_image` do with a request
//! (docs/kasm-api.md, "Images"): the order of checks, the exact `error_message` texts,
//! the crashes, and the overwrite rules of `create_update_image`.

use crate::image::{StoredImage, TOKEN_MASK, World};
use serde_json::{Map, Value};

/// The outcome of one call, before it becomes HTTP.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// 200 with this JSON body.
    Ok(Value),
    /// 200 with `{"error_message": ...}`; nothing stored.
    Refused(String),
    /// 500 with Kasm's HTML page (an unhandled exception in the server).
    Crash(String),
    /// 500 after the change was committed: the client never hears of it.
    CrashAfterWrite(String),
    /// 401 `{"error_message": "Unauthorized"}`: the key may not act on that row.
    Unauthorized,
    /// A refusal of a handler with a `public` flag: 400 on `/api/public/`,
    /// 200 on `/api/admin/`; nothing stored.
    Bad(String),
    /// `{"error_message": ...}` with this status on every path; nothing stored.
    Status(u16, String),
}

/// Keys `create_update_image` takes; any other key raises a TypeError (500).
/// Kept apart from the client's own list on purpose: the simulator is an
/// independent reading of docs/kasm-api.md, so a client sending a wrong key fails here.
pub const ACCEPTED: &[&str] = &[
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

/// Properties an update may only change with both Modify and Modify Resources.
const RESOURCE_PROPERTIES: &[&str] = &[
    "require_gpu",
    "gpu_count",
    "memory",
    "cores",
    "cpu_allocation_method",
    "volume_mappings",
    "run_config",
    "persistent_profile_path",
    "uncompressed_size_mb",
    "docker_registry",
    "docker_token",
    "docker_user",
    "hash",
    "exec_config",
];

const JSON_FIELDS: &[&str] = &[
    "run_config",
    "exec_config",
    "volume_mappings",
    "launch_config",
    "connection_info",
];

/// A `target_image` after parsing and validation.
struct Parsed<'a> {
    raw: &'a Map<String, Value>,
    json: Map<String, Value>,
    categories: Option<Vec<String>>,
    filter_policy: Option<(Option<String>, bool)>,
}

type Step<T> = Result<T, Outcome>;

fn refused<T>(msg: impl Into<String>) -> Step<T> {
    Err(Outcome::Refused(msg.into()))
}

fn crash<T>(why: impl Into<String>) -> Step<T> {
    Err(Outcome::Crash(why.into()))
}

/// `create_image`.
pub fn create(
    images: &mut Vec<StoredImage>,
    world: &World,
    pulled: &dyn Fn(&str) -> bool,
    body: &Value,
    new_id: String,
) -> Outcome {
    run(|| {
        let target = target(body)?;
        if target.is_empty() {
            return refused("Invalid Request: Missing required parameters");
        }
        let parsed = validate(target, world)?;
        check_keys(target)?;
        // An image_id turns a create into an update of that image.
        if let Some(id) = target.get("image_id") {
            let at =
                find(images, id)?.ok_or_else(|| Outcome::Crash("no image with that id".into()))?;
            let img = images
                .get_mut(at)
                .ok_or_else(|| Outcome::Crash("index".into()))?;
            write(img, &parsed, true, pulled)?;
            return Ok(Outcome::Ok(
                serde_json::json!({ "image": img.answer(world, false) }),
            ));
        }
        let mut img = StoredImage {
            image_id: new_id,
            ..StoredImage::default()
        };
        write(&mut img, &parsed, false, pulled)?;
        let answer = img.answer(world, false);
        images.push(img);
        Ok(Outcome::Ok(serde_json::json!({ "image": answer })))
    })
}

/// `update_image`. `full_rights`: the key holds both Images Modify and Images Modify Resources.
pub fn update(
    images: &mut [StoredImage],
    world: &World,
    pulled: &dyn Fn(&str) -> bool,
    body: &Value,
    full_rights: bool,
) -> Outcome {
    run(|| {
        let (target, id) = target_and_id(body)?;
        let Some(at) = find(images, id)? else {
            let sent = as_sent(id);
            return refused(format!(
                "User (None) attempted to update an image ({sent}) that does not exist."
            ));
        };
        let current = images
            .get(at)
            .cloned()
            .ok_or_else(|| Outcome::Crash("index".into()))?;
        if !full_rights {
            for prop in RESOURCE_PROPERTIES {
                let Some(sent) = target.get(*prop) else {
                    return crash(format!("KeyError: '{prop}'"));
                };
                if !same_as_stored(prop, sent, &current) {
                    return refused(
                        "User (None) is not authorized to make these changes to the image.",
                    );
                }
            }
        }
        let parsed = validate(target, world)?;
        check_keys(target)?;
        let img = images
            .get_mut(at)
            .ok_or_else(|| Outcome::Crash("index".into()))?;
        write(img, &parsed, true, pulled)?;
        Ok(Outcome::Ok(
            serde_json::json!({ "image": img.answer(world, false) }),
        ))
    })
}

/// `delete_image`.
pub fn delete(images: &mut Vec<StoredImage>, world: &World, body: &Value) -> Outcome {
    run(|| {
        let (_, id) = target_and_id(body)?;
        let Some(at) = find(images, id)? else {
            return refused(format!("Image({}) Does not Exist", as_sent(id)));
        };
        let img = images
            .get(at)
            .ok_or_else(|| Outcome::Crash("index".into()))?;
        let in_use = [
            (&world.cast_configs, "Casting Config(s)"),
            (&world.sessions, "Kasm(s)"),
        ];
        for (uses, what) in in_use {
            if let Some(n) = uses.get(&img.image_id).filter(|n| **n > 0) {
                let name = img.friendly_name.as_deref().unwrap_or("None");
                let hyphenated = uuid::Uuid::parse_str(&img.image_id)
                    .map_or_else(|_| img.image_id.clone(), |u| u.hyphenated().to_string());
                return refused(format!(
                    "Image ({name}): ID ({hyphenated}) currently has ({n}) associated {what} and cannot be deleted"
                ));
            }
        }
        images.remove(at);
        Ok(Outcome::Ok(serde_json::json!({})))
    })
}

fn run(f: impl FnOnce() -> Step<Outcome>) -> Outcome {
    f().unwrap_or_else(|o| o)
}

/// `target_image`: missing or null is "missing parameters"; another type crashes `.get`.
fn target(body: &Value) -> Step<&Map<String, Value>> {
    match body.get("target_image") {
        None | Some(Value::Null) => refused("Invalid Request: Missing required parameters"),
        Some(Value::Object(m)) => Ok(m),
        Some(_) => crash("AttributeError: target_image has no attribute 'get'"),
    }
}

/// `target_image` and its `image_id`, which update and delete require.
fn target_and_id(body: &Value) -> Step<(&Map<String, Value>, &Value)> {
    let target = target(body)?;
    match target.get("image_id") {
        Some(id) => Ok((target, id)),
        None => refused("Invalid Request: Missing required parameters"),
    }
}

/// An id as the client sent it, for error texts.
fn as_sent(id: &Value) -> String {
    id.as_str().map_or_else(|| id.to_string(), str::to_owned)
}

/// The stored image with this id; a value that is not a UUID crashes the database query.
fn find(images: &[StoredImage], id: &Value) -> Step<Option<usize>> {
    let Some(hex) = id.as_str().and_then(uuid_hex) else {
        return crash("DataError: invalid input syntax for type uuid");
    };
    Ok(images.iter().position(|i| i.image_id == hex))
}

/// A UUID as Python's `uuid.UUID` reads it (hyphens optional), rendered as 32 lowercase hex.
pub fn uuid_hex(text: &str) -> Option<String> {
    uuid::Uuid::parse_str(text.trim())
        .ok()
        .map(|u| u.simple().to_string())
}

/// Checks 2–8 of `create_image` (docs/kasm-api.md).
fn validate<'a>(t: &'a Map<String, Value>, world: &World) -> Step<Parsed<'a>> {
    let json = json_fields(t)?;
    if let Some(Value::Object(volumes)) = json.get("volume_mappings") {
        check_volumes(volumes)?;
    }
    let categories = categories(t)?;
    check_profile_path(t)?;
    check_network(t)?;
    check_target(t, "restrict_to_server", "server_id", "Server", |id| {
        world.servers.iter().any(|s| s.server_id == id)
    })?;
    check_target(t, "restrict_to_zone", "zone_id", "Zone", |id| {
        world.zones.iter().any(|z| z.zone_id == id)
    })?;
    let filter_policy = filter_policy(t, world)?;
    Ok(Parsed {
        raw: t,
        json,
        categories,
        filter_policy,
    })
}

/// The JSON-string fields, parsed (`""` is `{}`).
fn json_fields(t: &Map<String, Value>) -> Step<Map<String, Value>> {
    let mut json = Map::new();
    for field in JSON_FIELDS {
        match t.get(*field) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.is_empty() => {
                json.insert((*field).into(), Value::Object(Map::new()));
            }
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(v @ Value::Object(_)) => {
                    json.insert((*field).into(), v);
                }
                _ => return refused(format!("Invalid json format for {field}")),
            },
            Some(_) => return refused(format!("Invalid json format for {field}")),
        }
    }
    Ok(json)
}

/// Categories, one per line: trimmed, empty ones dropped, each once, in order.
fn categories(t: &Map<String, Value>) -> Step<Option<Vec<String>>> {
    match t.get("categories") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let mut out: Vec<String> = Vec::new();
            for c in s.split('\n').map(str::trim).filter(|c| !c.is_empty()) {
                if !out.iter().any(|o| o == c) {
                    out.push(c.to_owned());
                }
            }
            Ok(Some(out))
        }
        Some(_) => crash("AttributeError: 'list' object has no attribute 'split'"),
    }
}

/// A profile path must name the user.
fn check_profile_path(t: &Map<String, Value>) -> Step<()> {
    if let Some(path) = t
        .get("persistent_profile_path")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty())
        && !path.contains("{username}")
        && !path.contains("{user_id}")
    {
        return refused(
            "Invalid Request:Persistent Profile Path must contain either (username} or {user_id} as part of the path",
        );
    }
    Ok(())
}

/// `restrict_to_network` needs network names.
fn check_network(t: &Map<String, Value>) -> Step<()> {
    let names_empty = t
        .get("restrict_network_names")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    if truthy(t.get("restrict_to_network")) && names_empty {
        return refused(
            "Invalid Request: Docker Network Names is required if Restrict Image to Docker Network is True",
        );
    }
    Ok(())
}

/// The filter policy: forced off, inherited, or an existing policy's id.
fn filter_policy(t: &Map<String, Value>, world: &World) -> Step<Option<(Option<String>, bool)>> {
    match t.get("filter_policy_id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s == "force_disabled" => Ok(Some((None, true))),
        Some(Value::String(s)) if s == "inherit" || s.is_empty() => Ok(Some((None, false))),
        Some(v) => {
            let Some(hex) = v.as_str().and_then(uuid_hex) else {
                return refused("Invalid Request: filter_policy_id must be a uuid");
            };
            if !world
                .filter_policies
                .iter()
                .any(|p| p.filter_policy_id == hex)
            {
                return refused(format!(
                    "Invalid Request: No Filter policy exists with id ({})",
                    v.as_str().unwrap_or_default()
                ));
            }
            Ok(Some((Some(hex), false)))
        }
    }
}

fn check_target(
    t: &Map<String, Value>,
    flag: &str,
    key: &str,
    what: &str,
    exists: impl Fn(&str) -> bool,
) -> Step<()> {
    if !truthy(t.get(flag)) {
        return Ok(());
    }
    let Some(sent) = t.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()) else {
        return refused(format!("Invalid Request: {key} required if {flag} is True"));
    };
    let Some(hex) = uuid_hex(sent) else {
        return refused(format!("Invalid Request: {key} must be a uuid"));
    };
    if !exists(&hex) {
        return refused(format!(
            "Invalid Request: No {what} exists with id ({sent})"
        ));
    }
    Ok(())
}

/// Kasm's volume mapping check (docs/kasm-api.md, "Images").
fn check_volumes(volumes: &Map<String, Value>) -> Step<()> {
    for (path, entry) in volumes {
        let bad = |detail: String| refused(format!("Invalid volume_mappings: {detail}"));
        let Value::Object(e) = entry else {
            return bad(format!("volume ({path}) must be an object"));
        };
        for key in ["bind", "mode", "uid", "gid"] {
            if !e.contains_key(key) {
                return bad(format!("volume ({path}) is missing ({key})"));
            }
        }
        if !matches!(e.get("mode").and_then(Value::as_str), Some("rw" | "ro")) {
            return bad(format!("volume ({path}) mode must be rw or ro"));
        }
        for key in ["uid", "gid"] {
            if !e.get(key).is_some_and(Value::is_i64) {
                return bad(format!("volume ({path}) {key} must be an integer"));
            }
        }
        if e.get("timeout")
            .is_some_and(|t| !t.as_f64().is_some_and(|t| t > 0.0))
        {
            return bad(format!(
                "volume ({path}) timeout must be a number greater than 0"
            ));
        }
        if e.get("required").is_some_and(|r| !r.is_boolean()) {
            return bad(format!("volume ({path}) required must be a boolean"));
        }
    }
    Ok(())
}

fn check_keys(t: &Map<String, Value>) -> Step<()> {
    match t.keys().find(|k| !ACCEPTED.contains(&k.as_str())) {
        Some(k) => crash(format!(
            "TypeError: create_update_image() got an unexpected keyword argument '{k}'"
        )),
        None => Ok(()),
    }
}

/// Python truthiness, as the server tests flags and values.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

/// `int(x)` / `float(x)` as Python does them; anything else crashes.
fn number(key: &str, v: &Value) -> Step<f64> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| Outcome::Crash(format!("ValueError: {key}"))),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .or_else(|_| crash(format!("ValueError: invalid literal for {key}: '{s}'"))),
        Value::Bool(b) => Ok(f64::from(u8::from(*b))),
        _ => crash(format!("TypeError: {key} must be a number")),
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn same_as_stored(prop: &str, sent: &Value, img: &StoredImage) -> bool {
    let parse = |v: &Value| match v {
        Value::String(s) if s.is_empty() => Value::Object(Map::new()),
        Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
        other => other.clone(),
    };
    let num = |x: f64| number(prop, sent).is_ok_and(|n| n == x);
    match prop {
        "memory" => num(img.memory as f64),
        "cores" => num(img.cores),
        "gpu_count" => num(img.gpu_count as f64),
        "uncompressed_size_mb" => num(img.uncompressed_size_mb as f64),
        "require_gpu" => !truthy(Some(sent)),
        "cpu_allocation_method" => sent.as_str() == Some(img.cpu_allocation_method.as_str()),
        "run_config" => parse(sent) == Value::Object(img.run_config.clone()),
        "exec_config" => parse(sent) == Value::Object(img.exec_config.clone()),
        "volume_mappings" => parse(sent) == Value::Object(img.volume_mappings.clone()),
        "docker_token" => match (sent.as_str(), &img.docker_token) {
            (Some(TOKEN_MASK), Some(_)) => true,
            (s, stored) => s.filter(|s| !s.is_empty()) == stored.as_deref(),
        },
        "persistent_profile_path" => {
            text(Some(sent)).filter(|s| !s.is_empty()) == img.persistent_profile_path
        }
        "docker_registry" => text(Some(sent)).filter(|s| !s.is_empty()) == img.docker_registry,
        "docker_user" => text(Some(sent)).filter(|s| !s.is_empty()) == img.docker_user,
        "hash" => text(Some(sent)).filter(|s| !s.is_empty()) == img.hash,
        _ => true,
    }
}

/// `create_update_image`: how each key is written, and what omitting it does on update.
fn write(
    img: &mut StoredImage,
    p: &Parsed,
    is_update: bool,
    pulled: &dyn Fn(&str) -> bool,
) -> Step<()> {
    let old_name = img.name.clone();
    write_resources(img, p.raw)?;
    write_texts(img, p.raw);
    write_flags(img, p.raw);
    write_overwritten(img, p.raw)?;
    write_placement(img, p.raw);
    write_sizes(img, p.raw)?;
    write_configs(img, p)?;
    // A new image, or a new name, is available only once an agent has that tag.
    if !is_update || img.name != old_name {
        img.available = img.name.as_deref().is_some_and(pulled);
    }
    Ok(())
}

/// A key's value, unless absent or null.
fn given<'a>(t: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    t.get(key).filter(|v| !v.is_null())
}

/// Memory and cores: written only when non-zero.
fn write_resources(img: &mut StoredImage, t: &Map<String, Value>) -> Step<()> {
    if let Some(v) = given(t, "memory") {
        let n = number("memory", v)?;
        if n != 0.0 {
            img.memory = n as i64;
        }
    }
    if let Some(v) = given(t, "cores") {
        let n = number("cores", v)?;
        if n != 0.0 {
            img.cores = n;
        }
    }
    Ok(())
}

/// Names and texts: kept when omitted; a description only when non-empty.
fn write_texts(img: &mut StoredImage, t: &Map<String, Value>) {
    for (key, slot) in [
        ("name", &mut img.name),
        ("image_src", &mut img.image_src),
        ("notes", &mut img.notes),
        ("link_url", &mut img.link_url),
    ] {
        if t.contains_key(key) {
            *slot = text(given(t, key));
        }
    }
    if let Some(name) = text(given(t, "friendly_name")) {
        img.friendly_name = Some(name.chars().take(255).collect());
    }
    // Only a truthy description is written: Kasm cannot clear one.
    if let Some(d) = text(given(t, "description")).filter(|d| !d.is_empty()) {
        img.description = Some(d);
    }
    if let Some(v) = text(given(t, "image_type")) {
        img.image_type = v;
    }
    if let Some(v) = text(given(t, "cpu_allocation_method")) {
        img.cpu_allocation_method = v;
    }
}

/// Booleans written only when given as true or false.
fn write_flags(img: &mut StoredImage, t: &Map<String, Value>) {
    for (key, slot) in [
        ("enabled", &mut img.enabled),
        ("restrict_to_network", &mut img.restrict_to_network),
        ("restrict_to_server", &mut img.restrict_to_server),
        ("restrict_to_zone", &mut img.restrict_to_zone),
        ("allow_network_selection", &mut img.allow_network_selection),
    ] {
        if let Some(Value::Bool(b)) = given(t, key) {
            *slot = *b;
        }
    }
}

/// The fields overwritten on every write: omitted means null (or false / 0).
fn write_overwritten(img: &mut StoredImage, t: &Map<String, Value>) -> Step<()> {
    img.hidden = truthy(given(t, "hidden"));
    img.gpu_count = given(t, "gpu_count")
        .map(|v| number("gpu_count", v))
        .transpose()?
        .unwrap_or(0.0) as i64;
    for (key, slot) in [
        ("docker_registry", &mut img.docker_registry),
        ("docker_user", &mut img.docker_user),
        ("hash", &mut img.hash),
        ("persistent_profile_path", &mut img.persistent_profile_path),
    ] {
        *slot = text(given(t, key)).filter(|s| !s.is_empty());
    }
    if let Some(path) = img
        .persistent_profile_path
        .as_mut()
        .filter(|p| p.starts_with("s3://") && !p.ends_with('/'))
    {
        path.push('/');
    }
    img.server_id = text(given(t, "server_id"))
        .filter(|s| !s.is_empty())
        .map(|s| uuid_hex(&s).unwrap_or(s));
    img.docker_token = match text(given(t, "docker_token")) {
        Some(mask) if mask == TOKEN_MASK => img.docker_token.take(),
        Some(token) if !token.is_empty() => Some(token),
        _ => None,
    };
    Ok(())
}

/// Zone and server pool: kept when omitted.
fn write_placement(img: &mut StoredImage, t: &Map<String, Value>) {
    if t.contains_key("zone_id") {
        img.zone_id = text(given(t, "zone_id"))
            .filter(|s| !s.is_empty())
            .map(|s| uuid_hex(&s).unwrap_or(s));
    }
    if t.contains_key("server_pool_id") {
        img.server_pool_id = text(given(t, "server_pool_id")).filter(|s| !s.is_empty());
    }
}

/// Whole numbers kept when omitted; `""` or null clears the session limit.
fn write_sizes(img: &mut StoredImage, t: &Map<String, Value>) -> Step<()> {
    for (key, slot) in [
        ("uncompressed_size_mb", &mut img.uncompressed_size_mb),
        ("x_res", &mut img.x_res),
        ("y_res", &mut img.y_res),
    ] {
        if let Some(v) = given(t, key) {
            *slot = number(key, v)? as i64;
        }
    }
    match t.get("session_time_limit") {
        None => {}
        Some(Value::String(s)) if s.is_empty() => img.session_time_limit = None,
        Some(Value::Null) => img.session_time_limit = None,
        Some(v) => img.session_time_limit = Some(number("session_time_limit", v)? as i64),
    }
    Ok(())
}

/// The parsed JSON fields, categories, network names and filter policy.
fn write_configs(img: &mut StoredImage, p: &Parsed) -> Step<()> {
    for (key, slot) in [
        ("run_config", &mut img.run_config),
        ("exec_config", &mut img.exec_config),
        ("volume_mappings", &mut img.volume_mappings),
        ("launch_config", &mut img.launch_config),
    ] {
        if let Some(Value::Object(m)) = p.json.get(key) {
            *slot = m.clone();
        }
    }
    if let Some(c) = &p.categories {
        img.categories = c.clone();
    }
    if let Some(names) = given(p.raw, "restrict_network_names") {
        let Some(list) = names.as_array() else {
            return crash("TypeError: restrict_network_names must be a list");
        };
        img.restrict_network_names = list
            .iter()
            .map(|n| n.as_str().map_or_else(|| n.to_string(), str::to_owned))
            .collect();
    }
    if let Some((id, forced)) = &p.filter_policy {
        img.filter_policy_id = id.clone();
        img.filter_policy_force_disabled = *forced;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn never(_: &str) -> bool {
        false
    }

    #[test]
    fn create_then_update_overwrites_the_documented_fields() {
        let mut images = Vec::new();
        let w = World::default();
        let body = json!({"target_image": {"name": "kasmweb/a:1", "docker_registry": "r", "hidden": true, "gpu_count": 2, "memory": 2048000000}});
        let created = create(&mut images, &w, &never, &body, "a".repeat(32));
        assert!(matches!(created, Outcome::Ok(_)), "{created:?}");
        let upd = json!({"target_image": {"image_id": "a".repeat(32), "friendly_name": "A"}});
        let Outcome::Ok(answer) = update(&mut images, &w, &never, &upd, true) else {
            unreachable!()
        };
        let img = &answer["image"];
        assert_eq!(img["docker_registry"], Value::Null);
        assert_eq!(img["hidden"], json!(false));
        assert_eq!(img["gpu_count"], json!(0));
        assert_eq!(
            img["memory"],
            json!(2_048_000_000_i64),
            "memory is kept when omitted"
        );
        assert_eq!(img["name"], json!("kasmweb/a:1"));
    }

    #[test]
    fn unknown_key_crashes_after_validation() {
        let mut images = Vec::new();
        let w = World::default();
        let body = json!({"target_image": {"name": "x", "available": true}});
        assert!(matches!(
            create(&mut images, &w, &never, &body, "b".repeat(32)),
            Outcome::Crash(_)
        ));
        assert!(images.is_empty());
        let body = json!({"target_image": {"run_config": {"a": 1}, "available": true}});
        assert_eq!(
            create(&mut images, &w, &never, &body, "b".repeat(32)),
            Outcome::Refused("Invalid json format for run_config".into())
        );
    }
}

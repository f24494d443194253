//! Semantic checks on typed specs: ranges, references, restrictions, volumes.
//! Each check adds diagnostics and never stops the others.

use crate::diagnostic::describe;
use crate::diagnostic::{Code, Diagnostic};
use crate::field::{Field, IMAGE_TYPES, Kind};
use crate::model::{ImageSpec, canonical_uuid};
use crate::names::did_you_mean;
use crate::reference::{self, ImageRef, RefError};
use crate::typing::ParsedResource;
use jiter::{Jiter, JiterResult, NumberAny, NumberInt, Peek};
use serde_json::Value;

pub use crate::field::{MAX_CORES, MEMORY_MB};

const THUMBNAIL_EXTENSIONS: &[&str] = &[".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp", ".ico"];
const DOCKER_HUB: &[&str] = &[
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
];

/// Checks one typed resource.
pub fn diagnose(resource: &ParsedResource) -> Vec<Diagnostic> {
    let mut c = Checker {
        r: resource,
        out: Vec::new(),
    };
    c.texts();
    c.numbers();
    c.name();
    c.image_src();
    c.image_type();
    c.restrictions();
    c.volumes();
    c.registry();
    c.out
}

/// Takes a sensitive field's value out of a diagnostic's words.
fn conceal(d: &mut Diagnostic, spec: &ImageSpec, field: Field) {
    let value = serde_json::to_value(spec)
        .ok()
        .and_then(|v| v.get(field.spec_name()).cloned());
    let text = match value {
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Null) | None => return,
        Some(other) => other.to_string(),
    };
    if text.is_empty() {
        return;
    }
    // A fix would write the value back into view.
    d.fix = None;
    d.message = d.message.replace(&text, crate::model::REDACTED);
    if let Some(help) = &mut d.help {
        *help = help.replace(&text, crate::model::REDACTED);
    }
}

struct Checker<'a> {
    r: &'a ParsedResource,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn spec(&self) -> &ImageSpec {
        &self.r.spec
    }

    fn push(&mut self, field: &str, d: Diagnostic) {
        let root = field.split(['.', '[']).next().unwrap_or(field);
        // A field missing or mistyped is already reported; its placeholder is not checked.
        if self.r.unchecked.iter().any(|f| f.spec_name() == root) {
            return;
        }
        let mut located = d.at(&self.r.address, field).located(self.r.locate(root));
        located.file = self.r.file.as_deref().map(str::to_owned);
        if let Some(f) = Field::from_spec_name(root).filter(|f| self.r.spec.sensitive.contains(f)) {
            conceal(&mut located, &self.r.spec, f);
        }
        self.out.push(located);
    }

    fn texts(&mut self) {
        let s = self.spec();
        let texts = [
            (Field::Name, Some(&s.name)),
            (Field::ImageSrc, Some(&s.image_src)),
            (Field::FriendlyName, Some(&s.friendly_name)),
            (Field::Description, s.description.as_ref()),
            (Field::DockerRegistry, s.docker_registry.as_ref()),
            (Field::DockerUser, s.docker_user.as_ref()),
            (Field::NetworkName, s.network_name.as_ref()),
        ];
        let mut found = Vec::new();
        for (field, value) in texts {
            let Some(value) = value else { continue };
            let name = field.spec_name();
            if field != Field::Description && value.trim().is_empty() {
                found.push((
                    name,
                    Diagnostic::error(Code::EmptyValue, format!("`{name}` is empty"))
                        .help(format!("give `{name}` a value, or remove it if optional")),
                ));
            }
            // A text of at most `max` bytes has at most `max` characters.
            if let Kind::Text { max: Some(max) } = field.kind()
                && value.len() > max
            {
                let len = value.chars().count();
                if len > max {
                    found.push((
                        name,
                        Diagnostic::error(
                            Code::TooLong,
                            format!("`{name}` is {len} characters; Kasm stores at most {max}"),
                        )
                        .help(format!("shorten `{name}` to {max} characters or fewer")),
                    ));
                }
            }
            if field != Field::Description && has_control(value) {
                found.push((
                    name,
                    Diagnostic::error(
                        Code::InvalidCharacters,
                        format!("`{name}` contains control characters"),
                    )
                    .help("remove tabs, newlines and other control characters"),
                ));
            }
        }
        if s.description.as_deref() == Some("") {
            found.push((
                "description",
                Diagnostic::warning(
                    Code::DescriptionEmpty,
                    "an empty description is ignored by Kasm, which keeps the old one",
                )
                .help("remove `description` or give it text; Kasm cannot clear a description"),
            ));
        }
        for (field, d) in found {
            self.push(field, d);
        }
    }

    fn numbers(&mut self) {
        let s = self.spec();
        let (memory, cores, size) = (s.memory, s.cores, s.uncompressed_size_mb);
        if let Some(mb) = memory.filter(|m| !MEMORY_MB.contains(m)) {
            let mut d = Diagnostic::error(Code::MemoryOutOfRange, format!("memory is {mb} MB; Kasm allows {} to {} MB", MEMORY_MB.start(), MEMORY_MB.end()))
                .help("memory is in MB (1 MB = 1,000,000 bytes), e.g. `memory = 2768`; a value in bytes belongs to the API, not the spec");
            // A value in bytes (as Kasm's API and `kasm_images` give it) converts exactly.
            let in_mb = mb / crate::field::BYTES_PER_MB;
            if mb % crate::field::BYTES_PER_MB == 0 && MEMORY_MB.contains(&in_mb) {
                d = d.fix(
                    format!("Convert {mb} bytes to {in_mb} MB"),
                    mb.to_string(),
                    in_mb.to_string(),
                );
            }
            self.push("memory", d);
        }
        if let Some(c) = cores.filter(|c| !(*c > 0.0 && *c <= MAX_CORES)) {
            self.push(
                "cores",
                Diagnostic::error(
                    Code::CoresOutOfRange,
                    format!("cores is {c}; it must be above 0 and at most {MAX_CORES}"),
                )
                .help("use e.g. `cores = 2`, or `cores = 0.5` for half a core"),
            );
        }
        if let Some(n) = size.filter(|n| *n < 0) {
            self.push(
                "uncompressed_size_mb",
                Diagnostic::error(Code::NegativeSize, format!("uncompressed_size_mb is {n}"))
                    .help("use 0 or more"),
            );
        }
    }

    fn name(&mut self) {
        let name = &self.r.spec.name;
        if name.trim().is_empty() {
            return; // reported as empty
        }
        match reference::parse(name) {
            Ok(r) => self.tag_warnings("name", name, &r),
            Err(RefError::Whitespace) => {
                let d = Diagnostic::warning(Code::NameNotImageReference,
                    format!("`name` is \"{name}\", which looks like a label, not a Docker image reference; Kasm pulls the image named in `name`, so sessions of this image cannot start"))
                    .help(self.label_help());
                let d = match self.reference_in_src() {
                    Some(src) => d.fix(
                        format!("Pull \"{src}\" (from image_src)"),
                        format!("\"{name}\""),
                        format!("\"{src}\""),
                    ),
                    None => d,
                };
                self.push("name", d);
            }
            Err(e) => {
                let fix = if e == RefError::Uppercase {
                    format!(", e.g. \"{}\"", name.to_lowercase())
                } else {
                    String::new()
                };
                self.push("name", Diagnostic::warning(Code::NameNotImageReference,
                    format!("`name` \"{name}\" is not a valid Docker image reference: {}", e.rule()))
                    .help(format!("Kasm pulls the image named in `name`; write a reference like `kasmweb/terminal:1.18.0`{fix}")));
            }
        }
    }

    /// `image_src`, when it holds an image reference (swapped with `name`).
    fn reference_in_src(&self) -> Option<&str> {
        let src = &self.spec().image_src;
        classify_src(src)
            .is_ok_and(|c| c == SrcKind::Reference)
            .then_some(src.as_str())
    }

    /// How to fix a label in `name`; when image_src holds the reference, say to move it.
    fn label_help(&self) -> String {
        let src = &self.spec().image_src;
        if self.reference_in_src().is_some() {
            format!(
                "image_src holds the reference \"{src}\": write name = \"{src}\", keep the label in friendly_name, and give image_src a thumbnail such as \"img/thumbnails/workspace.png\""
            )
        } else {
            "put the label in friendly_name and the image to pull in name, e.g. name = \"kasmweb/terminal:1.18.0\"".to_owned()
        }
    }

    fn tag_warnings(&mut self, field: &str, text: &str, r: &ImageRef) {
        if r.tag == Some("latest") && r.digest.is_none() {
            self.push(field, Diagnostic::warning(Code::ImageTagLatest, format!("`{field}` \"{text}\" uses the `latest` tag, which changes without a plan showing it"))
                .help("pin a version tag, e.g. `:1.18.0`, or a digest"));
        } else if r.tag.is_none() && r.digest.is_none() {
            self.push(
                field,
                Diagnostic::warning(
                    Code::ImageUntagged,
                    format!("`{field}` \"{text}\" has no tag, so Docker pulls `latest`"),
                )
                .help(format!("pin a version tag, e.g. \"{text}:1.18.0\"")),
            );
        }
    }

    fn image_src(&mut self) {
        let src = &self.r.spec.image_src;
        if src.trim().is_empty() {
            return;
        }
        match classify_src(src) {
            Ok(SrcKind::Reference) => {
                if let Ok(r) = reference::parse(src) {
                    self.tag_warnings("image_src", src, &r);
                }
            }
            Ok(SrcKind::Thumbnail) => {}
            Err(why) => self.push("image_src", Diagnostic::error(Code::ImageSrcInvalid,
                format!("`image_src` \"{src}\" is neither an image reference nor a thumbnail path or URL: {why}"))
                .help("use an image reference like `kasmweb/terminal:1.18.0`, a path like `img/thumbnails/terminal.png`, or an https:// URL")),
        }
    }

    fn image_type(&mut self) {
        let Some(t) = &self.r.spec.image_type else {
            return;
        };
        if IMAGE_TYPES.contains(&t.as_str()) {
            return;
        }
        let close = IMAGE_TYPES
            .iter()
            .find(|k| k.eq_ignore_ascii_case(t))
            .copied()
            .or_else(|| did_you_mean(t, IMAGE_TYPES.iter().copied()));
        let help = match close {
            Some(k) => format!("did you mean \"{k}\"?"),
            None => format!("use one of {}", quoted_list(IMAGE_TYPES)),
        };
        let d = Diagnostic::error(
            Code::ImageTypeInvalid,
            format!(
                "image_type \"{t}\" is not one of Kasm's types ({})",
                quoted_list(IMAGE_TYPES)
            ),
        );
        let d = match close {
            Some(k) => d.fix(
                format!("Change to \"{k}\""),
                format!("\"{t}\""),
                format!("\"{k}\""),
            ),
            None => d,
        };
        self.push("image_type", d.help(help));
    }

    fn restrictions(&mut self) {
        let s = &self.r.spec;
        let pairs = [
            (
                "restrict_to_server",
                s.restrict_to_server,
                "server_id",
                s.server_id.as_deref(),
                Code::MissingServerId,
                "server",
            ),
            (
                "restrict_to_zone",
                s.restrict_to_zone,
                "zone_id",
                s.zone_id.as_deref(),
                Code::MissingZoneId,
                "zone",
            ),
        ];
        for (flag, on, id_field, id, missing, what) in pairs {
            let on = on == Some(true);
            match id {
                None if on => self.push(
                    id_field,
                    Diagnostic::error(missing, format!("{flag} is true but {id_field} is not set"))
                        .help(format!(
                            "set {id_field} to the {what}'s UUID, or set {flag} = false"
                        )),
                ),
                Some(id) => {
                    if canonical_uuid(id).is_none() {
                        self.push(id_field, Diagnostic::error(Code::InvalidUuid, format!("{id_field} \"{id}\" is not a UUID"))
                            .help(format!("copy the {what}'s id from Kasm, e.g. \"3a08021231af4d6496139031be6bbe03\"")));
                    }
                    if !on {
                        self.push(
                            id_field,
                            Diagnostic::warning(
                                Code::RestrictionUnused,
                                format!("{id_field} has no effect unless {flag} = true"),
                            )
                            .help(format!("set {flag} = true, or remove {id_field}")),
                        );
                    }
                }
                None => {}
            }
        }
        self.network_restriction();
    }

    /// `restrict_to_network` and its `network_name` (a name, not a UUID).
    fn network_restriction(&mut self) {
        let s = &self.r.spec;
        let on = s.restrict_to_network == Some(true);
        match s.network_name {
            None if on => self.push(
                "network_name",
                Diagnostic::error(
                    Code::MissingNetworkName,
                    "restrict_to_network is true but network_name is not set",
                )
                .help("set network_name to the Docker network, or set restrict_to_network = false"),
            ),
            Some(_) if !on => self.push(
                "network_name",
                Diagnostic::warning(
                    Code::RestrictionUnused,
                    "network_name has no effect unless restrict_to_network = true",
                )
                .help("set restrict_to_network = true, or remove network_name"),
            ),
            _ => {}
        }
    }

    fn volumes(&mut self) {
        let Some(object) = &self.r.spec.volume_mapping else {
            return;
        };
        // Read into values only to say what is wrong.
        if volumes_well_formed(object.as_str()) {
            return;
        }
        for (host_path, entry) in &object.map() {
            self.volume(host_path, entry);
        }
    }

    /// One `volume_mapping` entry: an object with Kasm's keys, each value of its kind.
    fn volume(&mut self, host_path: &str, entry: &Value) {
        // Named only in diagnostics.
        let at = || format!("volume_mapping[\"{host_path}\"]");
        let Value::Object(entry) = entry else {
            self.push(
                &at(),
                volume_error(format!(
                    "the entry for \"{host_path}\" must be an object, not {}",
                    describe(entry)
                )),
            );
            return;
        };
        for key in VOLUME_REQUIRED {
            if !entry.contains_key(key) {
                self.push(
                    &format!("{}.{key}", at()),
                    volume_error(format!("the entry for \"{host_path}\" has no `{key}`")),
                );
            }
        }
        for (key, valid, expected) in VOLUME_KEYS {
            if let Some(v) = entry.get(key).filter(|v| !valid(&Scalar::of(v))) {
                self.push(
                    &format!("{}.{key}", at()),
                    volume_error(format!(
                        "`{key}` of \"{host_path}\" must be {expected}, not {v}"
                    )),
                );
            }
        }
    }

    fn registry(&mut self) {
        let Some(registry) = &self.r.spec.docker_registry else {
            return;
        };
        if registry.trim().is_empty() {
            return;
        }
        let host = match registry_host(registry) {
            Ok(h) => h,
            Err(why) => {
                self.push("docker_registry", Diagnostic::error(Code::RegistryInvalid, format!("docker_registry \"{registry}\" {why}"))
                    .help("use a registry host or URL, e.g. `https://index.docker.io/v1/` or `registry.company.com`; put credentials in docker_user and docker_token"));
                return;
            }
        };
        // The image that is pulled: `name` when it is a reference, else a reference in image_src.
        let s = self.spec();
        let pulled = [(Field::Name, &s.name), (Field::ImageSrc, &s.image_src)]
            .into_iter()
            .find_map(|(f, text)| {
                reference::parse(text)
                    .ok()
                    .filter(|_| f == Field::Name || classify_src(text) == Ok(SrcKind::Reference))
                    .map(|r| (f, text.clone(), r.domain.map(str::to_owned)))
            });
        if let Some((field, text, domain)) = pulled {
            let image_host = domain.unwrap_or_else(|| "docker.io".to_owned());
            if !same_registry(&image_host, &host) {
                self.push("docker_registry", Diagnostic::warning(Code::RegistryMismatch,
                    format!("docker_registry is {host} but `{field}` \"{text}\" is pulled from {image_host}"))
                    .help(format!("prefix the image with its registry, e.g. \"{host}/...\", or fix docker_registry")));
            }
        }
    }
}

/// A volume mapping key, the test its value must pass, and how to say what it must be.
type VolumeKey = (&'static str, fn(&Scalar) -> bool, &'static str);

/// The keys a volume mapping entry must have.
const VOLUME_REQUIRED: [&str; 4] = ["bind", "mode", "uid", "gid"];

/// The keys of a volume mapping entry Kasm checks.
const VOLUME_KEYS: [VolumeKey; 6] = [
    (
        "bind",
        |v| matches!(v, Scalar::Text(b) if b.starts_with('/')),
        "an absolute path in the container",
    ),
    (
        "mode",
        |v| matches!(v, Scalar::Text("rw" | "ro")),
        "\"rw\" or \"ro\"",
    ),
    (
        "uid",
        |v| matches!(v, Scalar::Number { whole: true, .. }),
        "a whole number",
    ),
    (
        "gid",
        |v| matches!(v, Scalar::Number { whole: true, .. }),
        "a whole number",
    ),
    ("required", |v| matches!(v, Scalar::Bool), "true or false"),
    (
        "timeout",
        |v| matches!(v, Scalar::Number { value, .. } if *value > 0.0),
        "a number above 0",
    ),
];

/// A volume mapping entry's value as [`VOLUME_KEYS`] test it, read from a
/// value or straight from the mapping's text.
enum Scalar<'a> {
    Text(&'a str),
    /// `whole`: a whole number within i64, as serde_json's `is_i64`.
    Number {
        value: f64,
        whole: bool,
    },
    Bool,
    /// Null, a list or an object.
    Other,
}

impl<'a> Scalar<'a> {
    fn of(value: &'a Value) -> Scalar<'a> {
        match value {
            Value::String(s) => Scalar::Text(s),
            Value::Number(n) => Scalar::Number {
                value: n.as_f64().unwrap_or(f64::NAN),
                whole: n.is_i64(),
            },
            Value::Bool(_) => Scalar::Bool,
            _ => Scalar::Other,
        }
    }

    /// The value ahead in `json`, read past; a number jiter cannot read
    /// (beyond i64 and f64) is an error, for the caller to look again.
    fn next(json: &'a mut Jiter, peek: Peek) -> JiterResult<Scalar<'a>> {
        Ok(match peek {
            Peek::String => Scalar::Text(json.known_str()?),
            Peek::True | Peek::False => {
                json.known_bool(peek)?;
                Scalar::Bool
            }
            Peek::Null | Peek::Array | Peek::Object => {
                json.known_skip(peek)?;
                Scalar::Other
            }
            _ => match json.known_number(peek)? {
                NumberAny::Int(NumberInt::Int(i)) => Scalar::Number {
                    value: i as f64,
                    whole: true,
                },
                NumberAny::Float(value) => Scalar::Number {
                    value,
                    whole: false,
                },
            },
        })
    }
}

/// Whether every `volume_mapping` entry passes [`VOLUME_KEYS`] and has the
/// four keys Kasm needs, read from the mapping's text as it stands; `false`
/// when in doubt, for [`Checker::volume`] to look again and say why.
fn volumes_well_formed(text: &str) -> bool {
    let mut json = Jiter::new(text.as_bytes());
    volume_entries_well_formed(&mut json).unwrap_or(false)
}

/// The entries of [`volumes_well_formed`].
fn volume_entries_well_formed(json: &mut Jiter) -> JiterResult<bool> {
    let mut entry = json.next_object()?.is_some();
    while entry {
        if !volume_well_formed(json)? {
            return Ok(false);
        }
        entry = json.next_key()?.is_some();
    }
    Ok(true)
}

/// One entry of [`volumes_well_formed`].
fn volume_well_formed(json: &mut Jiter) -> JiterResult<bool> {
    if json.peek()? != Peek::Object {
        return Ok(false);
    }
    let rule_of = |key: &str| VOLUME_KEYS.iter().find(|(k, ..)| *k == key);
    let mut missing = VOLUME_REQUIRED.len();
    let mut key = json.known_object()?.map(rule_of);
    while let Some(rule) = key {
        let peek = json.peek()?;
        let valid = match rule {
            Some((_, valid, _)) => valid(&Scalar::next(json, peek)?),
            None => json.known_skip(peek).is_ok(),
        };
        if !valid {
            return Ok(false);
        }
        if rule.is_some_and(|(name, ..)| VOLUME_REQUIRED.contains(name)) {
            missing = missing.saturating_sub(1);
        }
        key = json.next_key()?.map(rule_of);
    }
    Ok(missing == 0)
}

fn volume_error(message: String) -> Diagnostic {
    Diagnostic::error(Code::VolumeMappingInvalid, message)
        .help(r#"each entry needs bind (container path), mode ("rw" or "ro"), uid and gid, e.g. { bind = "/data", mode = "rw", uid = 1000, gid = 1000 }"#)
}

#[derive(Debug, PartialEq, Eq)]
enum SrcKind {
    Reference,
    Thumbnail,
}

/// Kasm stores a thumbnail path or URL in image_src; the seed put an image reference there.
fn classify_src(src: &str) -> Result<SrcKind, String> {
    if reference::has_space_or_control(src) {
        return Err("it contains spaces".into());
    }
    if let Some(rest) = src
        .strip_prefix("https://")
        .or_else(|| src.strip_prefix("http://"))
    {
        return if rest.is_empty() || rest.starts_with('/') {
            Err("the URL has no host".into())
        } else {
            Ok(SrcKind::Thumbnail)
        };
    }
    if src.contains("://") {
        return Err("only http and https URLs are allowed".into());
    }
    let thumbnail = THUMBNAIL_EXTENSIONS.iter().any(|e| {
        src.len()
            .checked_sub(e.len())
            .and_then(|from| src.as_bytes().get(from..))
            .is_some_and(|tail| tail.eq_ignore_ascii_case(e.as_bytes()))
    });
    if thumbnail {
        let safe = src.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '~' | '+' | '%')
        });
        return if safe && !src.split('/').any(|p| p == "..") {
            Ok(SrcKind::Thumbnail)
        } else {
            Err(
                "a thumbnail path holds only letters, digits, `/`, `.`, `_`, `-` and no `..`"
                    .into(),
            )
        };
    }
    reference::parse(src)
        .map(|_| SrcKind::Reference)
        .map_err(|e| e.rule().to_owned())
}

/// Whether `text` holds a control character (byte by byte when ASCII).
fn has_control(text: &str) -> bool {
    if text.is_ascii() {
        text.bytes().any(|b| b.is_ascii_control())
    } else {
        text.chars().any(char::is_control)
    }
}

/// The registry host of `docker_registry` (host, host:port or http(s) URL).
fn registry_host(registry: &str) -> Result<String, &'static str> {
    let rest = registry
        .strip_prefix("https://")
        .or_else(|| registry.strip_prefix("http://"))
        .unwrap_or(registry);
    if rest.contains("://") {
        return Err("uses a scheme other than http or https");
    }
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') {
        return Err("holds credentials, which Kasm would store and show in plain text");
    }
    reference::check_domain(authority).map_err(|_| "is not a registry host or URL")?;
    Ok(authority.to_ascii_lowercase())
}

fn same_registry(a: &str, b: &str) -> bool {
    let hub = |h: &str| DOCKER_HUB.contains(&h);
    a.eq_ignore_ascii_case(b) || (hub(a) && hub(b))
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_text::JsonObject;

    /// What the checks of each entry's values say of a mapping.
    fn well_formed_by_values(map: &serde_json::Map<String, Value>) -> bool {
        map.values().all(|entry| {
            entry.as_object().is_some_and(|e| {
                VOLUME_REQUIRED.iter().all(|k| e.contains_key(*k))
                    && VOLUME_KEYS
                        .iter()
                        .all(|(k, valid, _)| e.get(*k).is_none_or(|v| valid(&Scalar::of(v))))
            })
        })
    }

    #[test]
    fn a_volume_mapping_read_as_text_is_judged_as_its_values_are() {
        let entry = serde_json::json!({"bind": "/d", "mode": "rw", "uid": 1000, "gid": 1000});
        let with = |key: &str, value: Value| {
            let mut e = entry.clone();
            if let Some(o) = e.as_object_mut() {
                o.insert(key.into(), value);
            }
            e
        };
        let without = |key: &str| {
            let mut e = entry.clone();
            if let Some(o) = e.as_object_mut() {
                o.remove(key);
            }
            e
        };
        let entries = [
            entry.clone(),
            with("required", Value::Bool(false)),
            with("timeout", serde_json::json!(2.5)),
            with("other", serde_json::json!({"x": [1]})),
            with("bind", "d".into()),
            with("mode", "rx".into()),
            with("uid", serde_json::json!(1000.5)),
            with("gid", "1000".into()),
            with("required", "yes".into()),
            with("timeout", serde_json::json!(0)),
            without("gid"),
            without("bind"),
            "/d".into(),
        ];
        let mut judged = [0, 0];
        for e in entries {
            let map = serde_json::json!({"/a": entry, "/b": e});
            let map = map.as_object().cloned().unwrap_or_default();
            let text = JsonObject::of_map(&map);
            let expected = well_formed_by_values(&map);
            assert_eq!(
                volumes_well_formed(text.as_str()),
                expected,
                "{}",
                text.as_str()
            );
            judged[usize::from(expected)] += 1;
        }
        assert_eq!(judged, [9, 4]);
    }

    #[test]
    fn image_src_classes() {
        assert_eq!(
            classify_src("img/thumbnails/chrome.png"),
            Ok(SrcKind::Thumbnail)
        );
        assert_eq!(
            classify_src("https://cdn.example.com/x.svg"),
            Ok(SrcKind::Thumbnail)
        );
        assert_eq!(classify_src("ubuntu:focal"), Ok(SrcKind::Reference));
        assert!(classify_src("Ubuntu icon").is_err());
        assert!(classify_src("javascript://x").is_err());
        assert!(classify_src("../../etc/x.png").is_err());
    }

    #[test]
    fn registry_hosts() {
        assert_eq!(
            registry_host("https://index.docker.io/v1/").as_deref(),
            Ok("index.docker.io")
        );
        assert_eq!(
            registry_host("registry.company.com").as_deref(),
            Ok("registry.company.com")
        );
        assert!(registry_host("https://u:p@registry.company.com").is_err());
        assert!(same_registry("docker.io", "index.docker.io"));
    }
}

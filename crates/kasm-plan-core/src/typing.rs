//! Raw resources to typed [`ImageSpec`]s: names, types, required fields,
//! duplicates and the lifecycle block. Every problem is reported; a resource
//! with an error yields no spec.

use crate::address::{RESOURCE_TYPE, address_of};
use crate::diagnostic::{Code, Diagnostic, Location, describe};
use crate::field::{Field, Kind, REQUIRED};
use crate::lang::lifecycle::{self, Ignored};
use crate::model::{IgnoreChanges, ImageSpec, Lifecycle};
use crate::names::{did_you_mean, is_identifier};
use crate::parse::{Document, RawAttribute, RawResource, RawValue};
use crate::positions::Positions;
use serde_json::Value;

/// A typed resource with the positions of its parts.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedResource {
    /// `kasm_image.<name>`.
    pub address: String,
    /// The resource name.
    pub name: String,
    /// The typed spec.
    pub spec: ImageSpec,
    /// Where the resource starts.
    pub location: Option<Location>,
    /// Where each field's attribute stands, indexed by [`Field::index`]:
    /// held in place, one allocation fewer for each of many resources.
    pub field_locations: [Option<Location>; Field::ALL.len()],
    /// False when typing reported an error: the spec then lacks the bad
    /// attributes and serves only to run the remaining checks, never to plan.
    pub valid: bool,
    /// Fields missing or mistyped (already reported); the spec holds
    /// placeholders for required ones, so checks of these fields are skipped.
    pub unchecked: Vec<Field>,
    /// The file the resource is declared in.
    pub file: Option<crate::diagnostic::FileName>,
}

impl ParsedResource {
    /// The location of a field (by spec name), falling back to the resource's.
    pub fn locate(&self, field: &str) -> Option<Location> {
        Field::from_spec_name(field)
            .and_then(|f| self.field_locations.get(f.index()).copied().flatten())
            .or(self.location)
    }
}

/// Attributes that Kasm computes; setting them is a mistake worth its own message.
const COMPUTED: &[&str] = &["id", "image_id", "available"];

/// Types every resource of a parsed document, taking its values.
pub fn type_document(doc: Document) -> (Vec<ParsedResource>, Vec<Diagnostic>) {
    type_and_check(doc, |_, _| {})
}

/// [`type_document`], each resource handed to `check` as soon as it is
/// typed: checked while its parts are still in the cache, not in a second
/// pass over thousands of resources.
pub fn type_and_check(
    doc: Document,
    mut check: impl FnMut(&ParsedResource, &mut Vec<Diagnostic>),
) -> (Vec<ParsedResource>, Vec<Diagnostic>) {
    let mut diagnostics = doc.diagnostics;
    let mut resources: Vec<ParsedResource> = Vec::with_capacity(doc.resources.len());
    let mut seen = Positions::with_capacity(doc.resources.len());
    fn key(r: &ParsedResource) -> &str {
        &r.name
    }
    for mut raw in doc.resources {
        // The instance name: the resource's own when it has no key.
        let name = match &raw.key {
            None => std::mem::take(&mut raw.name),
            Some(key) => format!("{}{key}", raw.name),
        };
        if seen.find(&resources, name.as_str(), key).is_some() {
            let address = address_of(&name);
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateAddress,
                    format!("{address} is defined more than once"),
                )
                .at(&address, "")
                .help("give each kasm_image resource a unique name")
                .located(raw.location),
            );
            continue;
        }
        let first = diagnostics.len();
        let address = address_of(&name);
        let resource = type_resource(raw, name, address, &mut diagnostics);
        for d in diagnostics
            .iter_mut()
            .skip(first)
            .filter(|d| d.file.is_none())
        {
            d.file = resource.file.as_deref().map(str::to_owned);
        }
        check(&resource, &mut diagnostics);
        resources.push(resource);
        seen.insert(&resources, resources.len() - 1, key);
    }
    (resources, diagnostics)
}

fn type_resource(
    raw: RawResource,
    name: String,
    address: String,
    out: &mut Vec<Diagnostic>,
) -> ParsedResource {
    let errors_before = error_count(out);
    // Without a key, the resource's name was taken as the instance's.
    let resource_name = if raw.key.is_none() { &name } else { &raw.name };
    if !is_identifier(resource_name) {
        out.push(
            Diagnostic::error(Code::InvalidAddress, format!("`{resource_name}` is not a valid resource name"))
                .at(&address, "")
                .help("a name starts with a letter or underscore and holds only letters, digits, `_` and `-`")
                .located(raw.location),
        );
    }
    let mut spec = ImageSpec::empty();
    let mut field_locations = [None; Field::ALL.len()];
    let mut present = [false; Field::ALL.len()];
    let mut assigned = [false; Field::ALL.len()];
    let mut unchecked = Vec::new();
    let mut sensitive = Vec::new();
    for mut attr in raw.attributes {
        let field = Field::from_spec_name(&attr.key);
        if let (true, Some(field)) = (attr.sensitive, field)
            && !field.is_sensitive()
        {
            sensitive.push(field);
        }
        if let Some(field) = field {
            if let Some(p) = present.get_mut(field.index()) {
                *p = true;
            }
            if let Some(slot) = field_locations
                .get_mut(field.index())
                .filter(|s| s.is_none())
            {
                *slot = attr.location;
            }
        }
        object_form(&mut attr, field);
        let typed = type_attribute(&attr, field, &address, &assigned, out);
        if let (true, Some(field)) = (typed, field) {
            match attr.value {
                RawValue::Static(value) => spec.set(field, value),
                RawValue::Object(object) => spec.set_object(field, object),
                _ => {}
            }
            if let Some(a) = assigned.get_mut(field.index()) {
                *a = true;
            }
        } else if let Some(field) = field {
            unchecked.push(field);
        }
    }
    out.extend(missing_required(&present, &address, raw.location));
    let lifecycle = type_lifecycle(raw.lifecycle.as_deref(), &address, out);
    // The spec is built without the bad attributes, and with placeholders
    // (empty text) for missing required ones, so the semantic checks still
    // report everything else.
    unchecked.extend(
        REQUIRED
            .iter()
            .filter(|f| !assigned.get(f.index()).copied().unwrap_or(false)),
    );
    spec.lifecycle = lifecycle;
    spec.sensitive = sensitive;
    ParsedResource {
        address,
        name,
        spec,
        location: raw.location,
        field_locations,
        valid: error_count(out) == errors_before,
        unchecked,
        file: raw.file,
    }
}

/// `run_config`, `exec_config` and `volume_mapping` also take the JSON text of
/// an object (what `jsonencode` returns, as the Terraform provider expects);
/// an object kept as text, given to any other argument, becomes a value, for
/// typing to say what it is.
fn object_form(attr: &mut RawAttribute, field: Option<Field>) {
    let object_field =
        field.is_some_and(|f| matches!(f.kind(), Kind::Object | Kind::VolumeMapping));
    if !object_field {
        attr.value.object_to_value();
    } else if let RawValue::Static(Value::String(text)) = &attr.value
        && let Ok(object @ Value::Object(_)) = serde_json::from_str::<Value>(text)
    {
        attr.value = RawValue::Static(object);
    }
}

/// An error for each required argument the resource does not set.
fn missing_required(
    present: &[bool],
    address: &str,
    location: Option<Location>,
) -> Vec<Diagnostic> {
    REQUIRED
        .iter()
        .filter(|field| !present.get(field.index()).copied().unwrap_or(false))
        .map(|field| {
            let name = field.spec_name();
            Diagnostic::error(Code::MissingRequired, format!("{address} has no `{name}`"))
                .at(address, name)
                .help(format!("`{name}` is required: {}", required_help(*field)))
                .located(location)
        })
        .collect()
}

/// Whether the attribute is a known field holding a static value of the right type.
fn type_attribute(
    attr: &RawAttribute,
    field: Option<Field>,
    address: &str,
    assigned: &[bool],
    out: &mut Vec<Diagnostic>,
) -> bool {
    let key = &*attr.key;
    let at = |d: Diagnostic| d.at(address, key).located(attr.location);
    let field = match field.ok_or_else(|| unknown_attribute(key, address)) {
        Ok(field) => field,
        Err(d) => {
            out.push(at(*d));
            return false;
        }
    };
    if assigned.get(field.index()).copied().unwrap_or(false) {
        out.push(at(Diagnostic::error(
            Code::DuplicateAttribute,
            format!("`{key}` is set more than once"),
        )
        .help("keep one definition")));
        return false;
    }
    let value = match &attr.value {
        RawValue::Static(v) => v,
        // Only an object argument keeps an object as text (object_form).
        RawValue::Object(_) => return true,
        RawValue::Pending(_) => {
            out.push(at(Diagnostic::error(
                Code::NotStatic,
                format!(
                    "`{key}` must be known when planning, but it is an id known only after apply"
                ),
            )
            .help(
                "only kasm_group_image arguments may use another resource's id",
            )));
            return false;
        }
        RawValue::NotStatic(why) => {
            out.push(at(Diagnostic::error(
                Code::NotStatic,
                format!("`{key}` must be known when planning, but it is {why}"),
            )
            .help(
                "use values known when planning: literals, variables, locals and functions of them",
            )));
            return false;
        }
        RawValue::Reported => return false,
        RawValue::Invalid(why) => {
            out.push(at(Diagnostic::error(
                Code::WrongType,
                format!("`{key}` {why}"),
            )
            .help(type_help(field))));
            return false;
        }
    };
    if value.is_null() {
        return false; // null means unset, as in Terraform
    }
    match check_type(field, value) {
        Ok(()) => true,
        Err(expected) => {
            out.push(at(Diagnostic::error(
                Code::WrongType,
                format!("`{key}` must be {expected}, not {}", describe(value)),
            )
            .help(type_help(field))));
            false
        }
    }
}

/// Why `key`, which is no argument of `kasm_image`, cannot be set: it is
/// computed, or `kasm_image` does not have it.
fn unknown_attribute(key: &str, address: &str) -> Box<Diagnostic> {
    if COMPUTED.contains(&key) {
        return Box::new(
            Diagnostic::error(
                Code::UnknownAttribute,
                format!("`{key}` is computed by Kasm and cannot be set"),
            )
            .help(format!(
                "remove `{key}`; to adopt an existing image use `kasm-plan import {address} <image_id>`"
            )),
        );
    }
    let names = Field::ALL
        .iter()
        .map(|f| f.spec_name())
        .chain(["lifecycle"]);
    let d = Diagnostic::error(
        Code::UnknownAttribute,
        format!("kasm_image has no attribute `{key}`"),
    );
    Box::new(match did_you_mean(key, names) {
        Some(s) => d
            .help(format!("did you mean `{s}`?"))
            .fix(format!("Rename to `{s}`"), key, s),
        None => d.help("see the kasm_image arguments in docs/specs.md, linked from the README"),
    })
}

/// What a field's values must be: a test and its wording.
fn expected(field: Field) -> (fn(&Value) -> bool, &'static str) {
    match field.kind() {
        Kind::Text { .. } | Kind::Secret | Kind::ImageType | Kind::Uuid | Kind::NetworkName => {
            (Value::is_string, "a string")
        }
        Kind::MemoryMb | Kind::Count => (Value::is_i64, "a whole number"),
        Kind::Cores => (Value::is_number, "a number"),
        Kind::Bool => (Value::is_boolean, "true or false"),
        Kind::Object | Kind::VolumeMapping => (Value::is_object, "an object"),
    }
}

fn check_type(field: Field, value: &Value) -> Result<(), &'static str> {
    let (test, wording) = expected(field);
    if test(value) { Ok(()) } else { Err(wording) }
}

fn type_help(field: Field) -> String {
    match field {
        Field::Memory => "memory is whole megabytes, e.g. `memory = 2768`".into(),
        Field::Cores => "cores is a number, e.g. `cores = 2` or `cores = 0.5`".into(),
        Field::RunConfig => r#"run_config is an object, e.g. `run_config = { hostname = "kasm" }`"#.into(),
        Field::ExecConfig => r#"exec_config is an object, e.g. `exec_config = { first_launch = { cmd = "..." } }`"#.into(),
        Field::VolumeMapping => {
            r#"volume_mapping maps a host path to {bind, mode, uid, gid}, e.g. `{ "/data" = { bind = "/data", mode = "rw", uid = 1000, gid = 1000 } }`"#.into()
        }
        f => format!("write `{f}` as {}", expected(f).1),
    }
}

fn required_help(field: Field) -> &'static str {
    match field {
        Field::Name => "the Docker image Kasm pulls, e.g. `kasmweb/terminal:1.18.0`",
        Field::ImageSrc => {
            "an image reference or a thumbnail path such as `img/thumbnails/terminal.png`"
        }
        _ => "the name users see, e.g. `Terminal`",
    }
}

/// An image's lifecycle, read as every type's is.
fn type_lifecycle(
    block: Option<&[RawAttribute]>,
    address: &str,
    out: &mut Vec<Diagnostic>,
) -> Lifecycle {
    let subject = lifecycle::Subject {
        type_name: RESOURCE_TYPE,
        arguments: Field::SPEC_NAMES,
        also: &[],
        no_create_first: "images are always updated in place",
    };
    // The file is set on every diagnostic of the resource afterwards.
    let read = lifecycle::read(block, None, &subject, address, out);
    let ignore_changes = match read.ignore_changes {
        Ignored::All => IgnoreChanges::All,
        Ignored::Names(names) if !names.is_empty() => IgnoreChanges::Fields(
            names
                .iter()
                .filter_map(|n| Field::from_spec_name(n))
                .collect(),
        ),
        Ignored::Names(_) | Ignored::Nothing => IgnoreChanges::None,
    };
    Lifecycle {
        prevent_destroy: read.prevent_destroy,
        ignore_changes,
    }
}

fn error_count(d: &[Diagnostic]) -> usize {
    d.iter().filter(|d| d.is_error()).count()
}

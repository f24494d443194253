//! The one mapping between the core's facade types and the records of
//! `kasm-plan.wit`. Both sides of the boundary compile this file: the
//! component against wit-bindgen's types, the host against wasmtime's (the
//! two generate the same names and shapes). The includer provides `wit`, the
//! generated module of interface `core`.
//!
//! Every record is converted by destructuring it whole, so a field added to a
//! core type or to the WIT without the other fails to compile here.

#![allow(dead_code)] // each side uses one direction of most conversions

use super::wit;
use kasm_plan_core::access::launch::{Grant, GrantChange};
use kasm_plan_core::access::steps::ObjectRecordStep;
use kasm_plan_core::access::{Access, AttributeChange, Change, ExtraLink, GroupPart, Target};
use kasm_plan_core::address::{RESOURCE_TYPE as IMAGE_TYPE, type_of};
use kasm_plan_core::adopt::GeneratedFile;
use kasm_plan_core::apply::{AdoptStep, CreateStep, MoveStep, ReleaseStep, Step};
use kasm_plan_core::change::OutputChange;
use kasm_plan_core::duplicates::Duplicate;
use kasm_plan_core::facade::{
    AdoptRequest, AdoptResponse, Binding, CheckedResource, Configuration, Desired, FilterRequest,
    FilterResponse, FormatRequest, FormatResponse, GroupFilterRequest, GroupFilterResponse,
    ImportRequest, ImportResponse, LaunchRequest, LaunchResponse, OutputsResponse, ParseResponse,
    PlanRequest, PlanResponse, PolicyRequest, PolicyResponse, RecogniseRequest, RecordRequest,
    RecordResponse, RenderRequest, RenderResponse, SourceInput, Sources, StepsResponse,
    TerraformStateRequest, TerraformStateResponse, ValidateRequest, ValidateResponse,
    invalid_request,
};
use kasm_plan_core::filter::ImageFilter;
use kasm_plan_core::group::{Group, GroupImage};
use kasm_plan_core::json_text::JsonText;
use kasm_plan_core::lang::config::{BackendBlock, ProviderSettings};
use kasm_plan_core::lang::{NamedValue, VariableFile, VariableInput};
use kasm_plan_core::object::{ObjectRecord, Values};
use kasm_plan_core::plan::{PlanOptions, Summary};
use kasm_plan_core::policy::{Level, PolicyReport, PolicyResult, RegoVersion};
use kasm_plan_core::policy_set::{PolicyFile, PolicyFormat};
use kasm_plan_core::schema::{Argument, BlockSchema, CodeInfo, Presence, Schema};
use kasm_plan_core::state::recorded::Answered;
use kasm_plan_core::state::{HistoryEntry, StateOutput};
use kasm_plan_core::step::{CallKind, CallStep, FindStep, ReadyStep};
use kasm_plan_core::{
    Action, Code, Diagnostic, Field, Format, Image, ImageSpec, Location, Plan, Position, Reason,
    Severity, State, attributes::Attributes, diagnostic::Fix,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A core value as its WIT counterpart.
pub trait IntoWit {
    /// The WIT type.
    type Wit;
    /// Converts; never fails.
    fn into_wit(self) -> Self::Wit;
}

/// A core value from its WIT counterpart; JSON text that does not decode is
/// an `invalid_request` diagnostic.
pub trait FromWit: Sized {
    /// The WIT type.
    type Wit;
    /// Converts.
    fn from_wit(wit: Self::Wit) -> Result<Self, Box<Diagnostic>>;
}

macro_rules! same {
    ($($t:ty),*) => {$(
        impl IntoWit for $t {
            type Wit = $t;
            fn into_wit(self) -> $t { self }
        }
        impl FromWit for $t {
            type Wit = $t;
            fn from_wit(wit: $t) -> Result<$t, Box<Diagnostic>> { Ok(wit) }
        }
    )*};
}
same!(String, bool, u32, u64, i64, f64);

/// A type name: the core's own names are static, a name read back is owned.
impl IntoWit for std::borrow::Cow<'static, str> {
    type Wit = String;
    fn into_wit(self) -> String {
        self.into_owned()
    }
}

impl FromWit for std::borrow::Cow<'static, str> {
    type Wit = String;
    fn from_wit(wit: String) -> Result<Self, Box<Diagnostic>> {
        Ok(std::borrow::Cow::Owned(wit))
    }
}

/// A one-based line: 0 is refused.
impl IntoWit for std::num::NonZeroU32 {
    type Wit = u32;
    fn into_wit(self) -> u32 {
        self.get()
    }
}

impl FromWit for std::num::NonZeroU32 {
    type Wit = u32;
    fn from_wit(wit: u32) -> Result<Self, Box<Diagnostic>> {
        Self::new(wit).ok_or_else(|| invalid_request("a line number is one-based, never 0"))
    }
}

impl IntoWit for usize {
    type Wit = u32;
    fn into_wit(self) -> u32 {
        u32::try_from(self).unwrap_or(u32::MAX)
    }
}

impl FromWit for usize {
    type Wit = u32;
    fn from_wit(wit: u32) -> Result<usize, Box<Diagnostic>> {
        Ok(usize::try_from(wit).unwrap_or(usize::MAX))
    }
}

impl<T: IntoWit> IntoWit for Option<T> {
    type Wit = Option<T::Wit>;
    fn into_wit(self) -> Self::Wit {
        self.map(IntoWit::into_wit)
    }
}

impl<T: FromWit> FromWit for Option<T> {
    type Wit = Option<T::Wit>;
    fn from_wit(wit: Self::Wit) -> Result<Self, Box<Diagnostic>> {
        wit.map(T::from_wit).transpose()
    }
}

impl<T: IntoWit> IntoWit for Box<T> {
    type Wit = T::Wit;
    fn into_wit(self) -> T::Wit {
        (*self).into_wit()
    }
}

impl<T: FromWit> FromWit for Box<T> {
    type Wit = T::Wit;
    fn from_wit(wit: T::Wit) -> Result<Self, Box<Diagnostic>> {
        T::from_wit(wit).map(Box::new)
    }
}

impl<T: IntoWit> IntoWit for Vec<T> {
    type Wit = Vec<T::Wit>;
    fn into_wit(self) -> Self::Wit {
        self.into_iter().map(IntoWit::into_wit).collect()
    }
}

impl<T: FromWit> FromWit for Vec<T> {
    type Wit = Vec<T::Wit>;
    fn from_wit(wit: Self::Wit) -> Result<Self, Box<Diagnostic>> {
        wit.into_iter().map(T::from_wit).collect()
    }
}

impl<T: IntoWit> IntoWit for BTreeMap<String, T> {
    type Wit = Vec<(String, T::Wit)>;
    fn into_wit(self) -> Self::Wit {
        self.into_iter().map(|(k, v)| (k, v.into_wit())).collect()
    }
}

impl<T: FromWit> FromWit for BTreeMap<String, T> {
    type Wit = Vec<(String, T::Wit)>;
    fn from_wit(wit: Self::Wit) -> Result<Self, Box<Diagnostic>> {
        wit.into_iter()
            .map(|(k, v)| Ok((k, T::from_wit(v)?)))
            .collect()
    }
}

/// Types that cross as JSON text (free-form, or Kasm's own shape).
macro_rules! json_text {
    ($($t:ty),*) => {$(
        impl IntoWit for $t {
            type Wit = String;
            fn into_wit(self) -> String { to_json(&self) }
        }
        impl FromWit for $t {
            type Wit = String;
            fn from_wit(wit: String) -> Result<$t, Box<Diagnostic>> { from_json(&wit) }
        }
    )*};
}
json_text!(Value, Map<String, Value>, ImageSpec, Image, Attributes, Values);

/// Text that crosses as it is, checked but not parsed.
impl IntoWit for JsonText {
    type Wit = String;
    fn into_wit(self) -> String {
        self.into_string()
    }
}

impl FromWit for JsonText {
    type Wit = String;
    fn from_wit(wit: String) -> Result<JsonText, Box<Diagnostic>> {
        JsonText::from_text(wit).map_err(invalid_json)
    }
}

/// Types that cross as their name (a string in WIT, an enum in the core).
macro_rules! named {
    ($($t:ty),*) => {$(
        impl IntoWit for $t {
            type Wit = String;
            fn into_wit(self) -> String {
                match serde_json::to_value(self) {
                    Ok(Value::String(name)) => name,
                    _ => String::new(),
                }
            }
        }
        impl FromWit for $t {
            type Wit = String;
            fn from_wit(wit: String) -> Result<$t, Box<Diagnostic>> {
                serde_json::from_value(Value::String(wit)).map_err(|e| invalid_request(e.to_string()))
            }
        }
    )*};
}
named!(Code, Field);

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, Box<Diagnostic>> {
    serde_json::from_str(text).map_err(invalid_json)
}

fn invalid_json(e: serde_json::Error) -> Box<Diagnostic> {
    invalid_request(format!("invalid JSON text: {e}"))
}

/// A record's way into the WIT, field by field (its way back written apart).
macro_rules! into_wit_record {
    ($core:ident as $wit:ident { $($field:ident),* $(,)? }) => {
        impl IntoWit for $core {
            type Wit = wit::$wit;
            fn into_wit(self) -> wit::$wit {
                let $core { $($field),* } = self;
                wit::$wit { $($field: $field.into_wit()),* }
            }
        }
    };
}

/// Records: core `Name` to `wit::Name` (or `Core as Wit`), field by field.
macro_rules! records {
    ($($core:ident $(as $wit:ident)? { $($field:ident),* $(,)? })*) => {$(
        records!(@one $core [$($wit)?] { $($field),* });
    )*};
    (@one $core:ident [] { $($field:ident),* }) => {
        records!(@one $core [$core] { $($field),* });
    };
    (@one $core:ident [$wit:ident] { $($field:ident),* }) => {
        into_wit_record!($core as $wit { $($field),* });
        impl FromWit for $core {
            type Wit = wit::$wit;
            fn from_wit(w: wit::$wit) -> Result<$core, Box<Diagnostic>> {
                let wit::$wit { $($field),* } = w;
                Ok($core { $($field: FromWit::from_wit($field)?),* })
            }
        }
    };
}

into_wit_record!(State as State { version, serial, lineage, objects, history, outputs, dependencies, pending });

impl FromWit for State {
    type Wit = wit::State;
    fn from_wit(w: wit::State) -> Result<State, Box<Diagnostic>> {
        let wit::State {
            version,
            serial,
            lineage,
            objects,
            history,
            outputs,
            dependencies,
            pending,
        } = w;
        let objects = objects
            .into_iter()
            .map(|(address, record)| {
                let record = record_from_wit(&address, record)?;
                Ok((address, record))
            })
            .collect::<Result<_, Box<Diagnostic>>>()?;
        Ok(State {
            version,
            serial,
            lineage,
            objects,
            history: FromWit::from_wit(history)?,
            outputs: FromWit::from_wit(outputs)?,
            dependencies: FromWit::from_wit(dependencies)?,
            pending: FromWit::from_wit(pending)?,
        })
    }
}

into_wit_record!(Change as Change { address, resource_type, name, action, reason, id, available, before, after, after_unknown, waits_for, changes, sensitive, previous_address, importing, group_parts });

impl FromWit for Change {
    type Wit = wit::Change;
    fn from_wit(w: wit::Change) -> Result<Change, Box<Diagnostic>> {
        let image = w.resource_type == IMAGE_TYPE;
        let values = |text: Option<String>| text.map(|t| values_from_wit(image, t)).transpose();
        Ok(Change {
            before: values(w.before)?,
            after: values(w.after)?,
            address: w.address,
            resource_type: FromWit::from_wit(w.resource_type)?,
            name: w.name,
            action: FromWit::from_wit(w.action)?,
            reason: FromWit::from_wit(w.reason)?,
            id: w.id,
            available: w.available,
            after_unknown: FromWit::from_wit(w.after_unknown)?,
            waits_for: FromWit::from_wit(w.waits_for)?,
            changes: FromWit::from_wit(w.changes)?,
            sensitive: FromWit::from_wit(w.sensitive)?,
            previous_address: w.previous_address,
            importing: w.importing,
            group_parts: FromWit::from_wit(w.group_parts)?,
        })
    }
}

/// An image's values, read straight into its fields when they all are
/// fields; any other type's (or an image's that are not) by name.
fn values_from_wit(image: bool, text: String) -> Result<Values, Box<Diagnostic>> {
    match image.then(|| serde_json::from_str::<Attributes>(&text)) {
        Some(Ok(fields)) => Ok(Values::Fields(fields)),
        _ => Values::from_wit(text),
    }
}

/// A state's record: an image's values cross by name and are read straight
/// into its fields, as the plan reads them (no map built on the way).
fn record_from_wit(address: &str, w: wit::ObjectRecord) -> Result<ObjectRecord, Box<Diagnostic>> {
    let wit::ObjectRecord {
        id,
        attributes,
        prevent_destroy,
    } = w;
    let image = type_of(address) == Some(IMAGE_TYPE);
    let mut attributes = values_from_wit(image, attributes)?;
    if image {
        // Read by name only when not all are fields: refused here with the
        // message the state's reader gives.
        attributes = attributes
            .into_fields()
            .map_err(|e| invalid_request(format!("resource {address}: attributes: {e}")))?;
    }
    Ok(ObjectRecord {
        id,
        attributes,
        prevent_destroy,
    })
}

/// Kasm's lists read by table cross by name, as JSON text, so a type read
/// by table needs no record of its own.
impl IntoWit for Access {
    type Wit = wit::Access;
    fn into_wit(self) -> wit::Access {
        let lists = self.lists();
        let Access { groups, links, .. } = self;
        wit::Access {
            groups: groups.into_wit(),
            links: links.into_wit(),
            lists: lists
                .into_iter()
                .map(|(name, items)| (name, to_json(&items)))
                .collect(),
        }
    }
}

impl FromWit for Access {
    type Wit = wit::Access;
    fn from_wit(w: wit::Access) -> Result<Access, Box<Diagnostic>> {
        let wit::Access {
            groups,
            links,
            lists,
        } = w;
        let lists = lists
            .into_iter()
            .map(|(name, text)| Ok((name, from_json::<Vec<Value>>(&text)?)))
            .collect::<Result<Vec<_>, Box<Diagnostic>>>()?;
        Access::with_lists(FromWit::from_wit(groups)?, FromWit::from_wit(links)?, lists)
            .map_err(invalid_request)
    }
}

/// Enums without data: case by case.
macro_rules! enums {
    ($($t:ident { $($case:ident),* $(,)? })*) => {$(
        impl IntoWit for $t {
            type Wit = wit::$t;
            fn into_wit(self) -> wit::$t {
                match self { $($t::$case => wit::$t::$case),* }
            }
        }
        impl FromWit for $t {
            type Wit = wit::$t;
            fn from_wit(w: wit::$t) -> Result<$t, Box<Diagnostic>> {
                Ok(match w { $(wit::$t::$case => $t::$case),* })
            }
        }
    )*};
}

/// Variants: case by case, each with one value.
macro_rules! variants {
    ($($t:ident { $($case:ident),* $(,)? })*) => {$(
        impl IntoWit for $t {
            type Wit = wit::$t;
            fn into_wit(self) -> wit::$t {
                match self { $($t::$case(v) => wit::$t::$case(v.into_wit())),* }
            }
        }
        impl FromWit for $t {
            type Wit = wit::$t;
            fn from_wit(w: wit::$t) -> Result<$t, Box<Diagnostic>> {
                Ok(match w { $(wit::$t::$case(v) => $t::$case(FromWit::from_wit(v)?)),* })
            }
        }
    )*};
}

enums! {
    Severity { Error, Warning }
    Format { Json, Hcl }
    Action { Create, Update, Delete, NoOp, Replace }
    Reason { New, DeletedOutside, ConfigChanged, Drift, RemovedFromConfig, ReplaceByRequest }
    Level { Advisory, SoftMandatory, HardMandatory }
    PolicyFormat { Json, Hcl, Rego }
    RegoVersion { V0, V1 }
    Presence { Required, Optional, Computed }
    CallKind { Create, Update, Delete, Attach, Detach, Remove }
    GrantChange { Kept, Added, Removed }
}

variants! {
    Step { Create, Adopt, Forget, Move, RecordObject, Call }
    Target { Id, Managed, Name }
    VariableInput { Environment, File, Argument }
    Sources { Many, One }
}

records! {
    Position { line, column }
    Location { start, end }
    Diagnostic { severity, code, address, path, message, help, location, file, fix }
    Fix { title, old, new }
    SourceInput { source, format, file_name }
    NamedValue { name, value }
    VariableFile { source, file_name }
    Configuration { sources, variables, workspace }
    ValidateRequest { input, strict, unset_variables_unknown }
    ValidateResponse { valid, errors, warnings, diagnostics, backend, provider, resources }
    BackendBlock { kind, settings }
    ProviderSettings { base_url, insecure, api_key, api_secret }
    CheckedResource { address, file, location, arguments }
    ParseResponse { specs, diagnostics }
    ImageFilter { name, enabled }
    FilterRequest { images, filter }
    Group { group_id, name, description, priority, is_system }
    GroupFilterRequest { groups, name }
    GroupFilterResponse { groups, diagnostics }
    FilterResponse { images, diagnostics }
    Summary { add, change, destroy, unchanged, import }
    Duplicate { address, image_ids, delete }
    Plan as ChangePlan { format_version, state_lineage, state_serial, resource_changes, resource_drift, summary, duplicates, extra_links, configuration, variables, targeted, output_changes }
    OutputChange { name, action, before, after, after_unknown, sensitive, fingerprint }
    OutputsResponse { outputs, diagnostics }
    LaunchRequest { plan, user, image }
    Grant { user, user_id, image, image_id, groups, change }
    LaunchResponse { grants, diagnostics }
    StateOutput { value, sensitive, fingerprint }
    GroupImage { group_image_id, group_id, image_id, image_name, image_friendly_name, group_name }
    ReadyStep { endpoint, id_at, status_at, want, timeout_secs }
    ObjectRecord { id, attributes, prevent_destroy }
    CallStep { address, kind, id, endpoint, body, ids, repeat_safe, done_when, answer_id, find, ready, record, record_answer, id_parts, help, unmarked, search_first, until_gone }
    FindStep { endpoint, body, fill, list, matching, answer_id, none_when }
    AttributeChange { attribute, before, after }
    GroupPart { name, group, join }
    ExtraLink { image_address, image_id, group_id, group_name, revoke }
    ObjectRecordStep { address, record }
    PlanOptions { unchanged_values, delete_duplicates, replace, targets, destroy }
    HistoryEntry { at, serial, event, overridden_policies }
    PlanRequest { desired, state, observed, access, strict, options, from_state, refresh_only, render }
    PlanResponse { ok, plan, diagnostics, rendered }
    CreateStep { address, target_image, record }
    AdoptStep { address, image_id, record }
    ReleaseStep { address, image_id }
    MoveStep { from, to }
    StepsResponse { ok, plan, steps, after, dependencies, diagnostics, rendered }
    RenderRequest { plan, refresh_only, diagnostics }
    RenderResponse { text }
    RecordRequest { address, record, answered }
    Answered { answer, filled, id, id_parts, status }
    RecordResponse { record, diagnostics }
    RecogniseRequest { target_image, images, owned }
    ImportRequest { address, image_id, state, images, access, configuration }
    ImportResponse { ok, image, object, diagnostics }
    TerraformStateRequest { text, state }
    TerraformStateResponse { ok, bindings, bound, diagnostics }
    AdoptRequest { images, filter, access, state }
    GeneratedFile { file_name, source }
    Binding { address, id }
    AdoptResponse { ok, files, state, bound, diagnostics }
    PolicyFile { source, format, file_name }
    PolicyRequest { policy, policies, desired, state, observed, access, overrides, rego_version, data, plan, max_steps }
    PolicyResult { rule, level, passed, address, path, message, overridden, file, query }
    PolicyReport { results, blocking, overridden }
    PolicyResponse { ok, report, diagnostics }
    Argument { name, value_type, presence, sensitive, unit, minimum, exclusive_minimum, maximum, integer, max_length, allowed, default, wire_name, description }
    BlockSchema { type_name, description, arguments }
    CodeInfo { code, description }
    FormatRequest { source, file_name }
    FormatResponse { formatted, changed, diagnostics }
    Schema as ConfigSchema { resources, data_sources, codes }
}

// The variant whose core case is a named struct (for its JSON shape).

impl IntoWit for Desired {
    type Wit = wit::Desired;
    fn into_wit(self) -> wit::Desired {
        match self {
            Desired::Source(source) => wit::Desired::Source(source.into_wit()),
            Desired::Sources(config) => wit::Desired::Sources(config.into_wit()),
            Desired::Document { images } => wit::Desired::Document(images.into_wit()),
        }
    }
}

impl FromWit for Desired {
    type Wit = wit::Desired;
    fn from_wit(w: wit::Desired) -> Result<Desired, Box<Diagnostic>> {
        Ok(match w {
            wit::Desired::Source(source) => Desired::Source(FromWit::from_wit(source)?),
            wit::Desired::Sources(config) => Desired::Sources(FromWit::from_wit(config)?),
            wit::Desired::Document(images) => Desired::Document {
                images: FromWit::from_wit(images)?,
            },
        })
    }
}

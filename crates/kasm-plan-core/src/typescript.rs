//! TypeScript declarations of the facade's types, for the npm package
//! (`js/generated.d.ts`). Derived with ts-rs from the same Rust types the
//! facade reads and writes; the types with hand-written serde get their
//! TypeScript here, next to that knowledge.

use crate::access::launch::{Grant, GrantChange};
use crate::access::steps::ObjectRecordStep;
use crate::access::{
    Access, AttributeChange, Change, ExtraLink, GroupPart, GroupRecord, GroupSpec, LinkRecord,
    LinkSpec, Target,
};
use crate::adopt::GeneratedFile;
use crate::apply::{AdoptStep, CreateStep, MoveStep, ReleaseStep, Step};
use crate::attributes::Attributes;
use crate::change::OutputChange;
use crate::diagnostic::{Code, Diagnostic, Fix, Location, Position, Severity};
use crate::duplicates::Duplicate;
use crate::facade::{
    AdoptRequest, AdoptResponse, Binding, CheckedResource, FormatRequest, FormatResponse,
};
use crate::facade::{
    Configuration, Desired, FilterRequest, FilterResponse, GroupFilterRequest, GroupFilterResponse,
    ImportRequest, ImportResponse, ParseResponse, PlanRequest, PlanResponse, PolicyRequest,
    PolicyResponse, RecogniseRequest, RecordRequest, RecordResponse, RenderRequest, RenderResponse,
    SourceInput, Sources, StepsResponse, TerraformStateRequest, TerraformStateResponse,
    ValidateRequest, ValidateResponse,
};
use crate::facade::{LaunchRequest, LaunchResponse, OutputsResponse};
use crate::field::Field;
use crate::filter::ImageFilter;
use crate::group::{Group, GroupImage, Session, User, UserGroup};
use crate::lang::config::{BackendBlock, ProviderSettings};
use crate::lang::{NamedValue, VariableFile, VariableInput};
use crate::model::{IgnoreChanges, Image, ImageSpec, Lifecycle, Secret};
use crate::object::ObjectRecord;
use crate::parse::Format;
use crate::plan::{Action, Plan, PlanOptions, Reason, Summary};
use crate::policy::{Level, PolicyReport, PolicyResult, RegoVersion};
use crate::policy_set::{PolicyFile, PolicyFormat};
use crate::schema::{Argument, BlockSchema, CodeInfo, Presence, Schema};
use crate::state::format::{PendingCreate, StoredResource};
use crate::state::recorded::Answered;
use crate::state::{HistoryEntry, State, StateOutput};
use crate::step::{CallKind, CallStep, FindStep, ReadyStep};
use ts_rs::{Config, TS};

/// A type whose TypeScript is written by hand: its name and its definition.
macro_rules! declared {
    ($t:ty, $name:literal, $definition:expr) => {
        impl TS for $t {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;
            fn name(_: &Config) -> String {
                $name.to_owned()
            }
            fn inline(_: &Config) -> String {
                $definition
            }
            fn decl(cfg: &Config) -> String {
                format!("type {} = {};", $name, Self::inline(cfg))
            }
        }
    };
}

declared!(Field, "Field", {
    let names: Vec<String> = Field::ALL
        .iter()
        .map(|f| format!("\"{}\"", f.spec_name()))
        .collect();
    names.join(" | ")
});
declared!(Secret, "Secret", "string".to_owned());
declared!(
    IgnoreChanges,
    "IgnoreChanges",
    "\"all\" | Array<Field>".to_owned()
);
declared!(
    Attributes,
    "Attributes",
    "{ [field in Field]?: JsonValue }".to_owned()
);

/// Every type's declaration, in one module (`export type ...`), numbers as
/// JavaScript reads them from JSON.
pub fn declarations() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from the Rust types of kasm-plan's core; do not edit.\n\
         // `cargo test -p kasm-plan-core --features typescript --test typescript` checks it,\n\
         // and with KASM_PLAN_BLESS=1 rewrites it.\n\n\
         export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;\n",
    );
    macro_rules! declare {
        ($($t:ty),* $(,)?) => {$(
            out.push('\n');
            if let Some(docs) = <$t as TS>::docs() {
                out.push_str(&docs);
            }
            out.push_str("export ");
            out.push_str(&<$t as TS>::decl(&cfg));
            out.push('\n');
        )*};
    }
    declare!(
        Severity,
        Code,
        Position,
        Location,
        Diagnostic,
        Format,
        SourceInput,
        NamedValue,
        VariableFile,
        VariableInput,
        Configuration,
        Sources,
        Desired,
        ValidateRequest,
        ValidateResponse,
        ParseResponse,
        Field,
        Secret,
        IgnoreChanges,
        Lifecycle,
        ImageSpec,
        Image,
        ImageFilter,
        FilterRequest,
        FilterResponse,
        Group,
        GroupImage,
        UserGroup,
        User,
        Session,
        Access,
        Target,
        GroupSpec,
        LinkSpec,
        GroupRecord,
        LinkRecord,
        AttributeChange,
        Change,
        GroupPart,
        ExtraLink,
        BackendBlock,
        ProviderSettings,
        GeneratedFile,
        AdoptRequest,
        Binding,
        AdoptResponse,
        GroupFilterRequest,
        GroupFilterResponse,
        Action,
        Reason,
        Attributes,
        Summary,
        Duplicate,
        OutputChange,
        Plan,
        PlanOptions,
        HistoryEntry,
        StateOutput,
        StoredResource,
        PendingCreate,
        State,
        PlanRequest,
        PlanResponse,
        CreateStep,
        AdoptStep,
        ReleaseStep,
        MoveStep,
        ObjectRecordStep,
        ObjectRecord,
        CallKind,
        FindStep,
        ReadyStep,
        CallStep,
        Step,
        StepsResponse,
        RenderRequest,
        RenderResponse,
        OutputsResponse,
        LaunchRequest,
        GrantChange,
        Grant,
        LaunchResponse,
        RecordRequest,
        RecordResponse,
        Answered,
        RecogniseRequest,
        ImportRequest,
        ImportResponse,
        TerraformStateRequest,
        TerraformStateResponse,
        PolicyFormat,
        PolicyFile,
        PolicyRequest,
        Level,
        RegoVersion,
        PolicyResult,
        PolicyReport,
        PolicyResponse,
        Fix,
        CheckedResource,
        FormatRequest,
        FormatResponse,
        Presence,
        Argument,
        BlockSchema,
        CodeInfo,
        Schema,
    );
    out
}

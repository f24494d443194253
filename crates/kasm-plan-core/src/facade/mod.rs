//! The JSON-in/JSON-out API every front door calls. Each operation lives in
//! its own module with its request, its answer and its function; [`call`]
//! dispatches by name on JSON text. The component, the npm package and the
//! host convert and forward; they decide nothing.
//!
//! An answer is never a refusal: a request that cannot be read (bad JSON, a
//! wrong shape, an unknown operation) is the `Err` of [`call`], one
//! `invalid_request` diagnostic. Problems *in* a readable request (specs that
//! do not validate, a plan that is refused) are diagnostics inside the answer.

mod adopt;
mod apply_steps;
mod filter;
mod filter_groups;
mod format;
mod import;
mod outputs;
mod parse;
mod plan;
mod plan_to_json;
mod policy_check;
mod read_terraform_state;
mod recognise;
mod record;
mod render_plan;
mod schema;
mod sources;
mod validate;
mod who_may_launch;

pub use adopt::{AdoptRequest, AdoptResponse, Binding, adopt};
pub use apply_steps::{StepsResponse, apply_steps};
pub use filter::{FilterRequest, FilterResponse, filter};
pub use filter_groups::{GroupFilterRequest, GroupFilterResponse, filter_groups};
pub use format::{FormatRequest, FormatResponse, format};
pub use import::{ImportRequest, ImportResponse, import};
pub use outputs::{OutputsResponse, outputs};
pub use parse::{ParseResponse, parse};
pub use plan::{PlanRequest, PlanResponse, plan};
pub use plan_to_json::plan_to_json;
pub use policy_check::{DEFAULT_MAX_STEPS, PolicyRequest, PolicyResponse, policy_check};
pub use read_terraform_state::{
    TerraformStateRequest, TerraformStateResponse, read_terraform_state,
};
pub use recognise::{RecogniseRequest, recognise};
pub use record::{RecordRequest, RecordResponse, record};
pub use render_plan::{RenderRequest, RenderResponse, render_plan};
pub use schema::{SchemaRequest, json_schema, schema};
pub use sources::{
    Configuration, Desired, SourceInput, Sources, check_source, desired_specs,
    validate_configuration, validate_source,
};
pub use validate::{CheckedResource, ValidateRequest, ValidateResponse, validate};
pub use who_may_launch::{LaunchRequest, LaunchResponse, who_may_launch};

use crate::diagnostic::{Code, Diagnostic};
use serde::{Serialize, de::DeserializeOwned};

/// The operations [`call`] knows.
pub const OPERATIONS: &[&str] = &[
    "validate",
    "parse",
    "filter",
    "filter_groups",
    "plan",
    "plan_to_json",
    "render_plan",
    "apply_steps",
    "record",
    "recognise",
    "import",
    "policy_check",
    "adopt",
    "schema",
    "json_schema",
    "format",
    "read_terraform_state",
    "outputs",
    "who_may_launch",
];

/// The operations an editor needs on every keystroke: the editor entry of
/// the npm package is built on [`call_editor`] and links only these.
pub const EDITOR_OPERATIONS: &[&str] = &["validate", "schema", "format"];

/// Runs an operation on a JSON request: its JSON answer, or the reason the
/// request could not be read.
pub fn call(operation: &str, request: &str) -> Result<String, Box<Diagnostic>> {
    if let Some(answer) = editor_operation(operation, request) {
        return answer;
    }
    match operation {
        "parse" => run(request, parse),
        "filter" => run(request, filter),
        "filter_groups" => run(request, filter_groups),
        "plan" => run(request, plan),
        "plan_to_json" => run(request, plan_to_json),
        "render_plan" => run(request, render_plan),
        "apply_steps" => run(request, apply_steps),
        "record" => run(request, record),
        "recognise" => run(request, recognise),
        "import" => run(request, import),
        "policy_check" => run(request, policy_check),
        "adopt" => run(request, adopt),
        "json_schema" => run(request, json_schema),
        "read_terraform_state" => run(request, read_terraform_state),
        "outputs" => run(request, outputs),
        "who_may_launch" => run(request, who_may_launch),
        other => Err(invalid_request(format!(
            "unknown operation `{other}`; expected one of {}",
            OPERATIONS.join(", ")
        ))),
    }
}

/// [`call`] for [`EDITOR_OPERATIONS`] alone; any other operation is refused
/// with where to find it. A build that calls only this leaves the others out.
pub fn call_editor(operation: &str, request: &str) -> Result<String, Box<Diagnostic>> {
    editor_operation(operation, request).unwrap_or_else(|| {
        Err(not_in_entry(
            operation,
            "editor",
            "the full package",
            EDITOR_OPERATIONS,
        ))
    })
}

/// The operations of the `kasm-plan/schema` entry, what the editor page
/// loads first: completion and hover documentation need the schema alone
/// (validation and formatting load after it, with the editor entry).
pub const SCHEMA_OPERATIONS: &[&str] = &["schema"];

/// [`call`] for [`SCHEMA_OPERATIONS`] alone, refusing the others as
/// [`call_editor`] does; a build that calls only this links the schema alone.
pub fn call_schema_entry(operation: &str, request: &str) -> Result<String, Box<Diagnostic>> {
    match operation {
        "schema" => run(request, schema),
        other => Err(not_in_entry(
            other,
            "schema",
            "the editor entry or the full package",
            SCHEMA_OPERATIONS,
        )),
    }
}

/// The refusal of an operation an entry of the npm package leaves out:
/// where it is, or that it is no operation at all.
fn not_in_entry(operation: &str, entry: &str, elsewhere: &str, has: &[&str]) -> Box<Diagnostic> {
    let known = if OPERATIONS.contains(&operation) {
        format!("is not in the {entry} entry ({elsewhere} has it)")
    } else {
        "is not an operation".to_owned()
    };
    invalid_request(format!(
        "`{operation}` {known}; the {entry} entry has {}",
        has.join(", ")
    ))
}

/// An editor operation's answer; `None` for any other operation.
fn editor_operation(operation: &str, request: &str) -> Option<Result<String, Box<Diagnostic>>> {
    Some(match operation {
        "validate" => run(request, validate),
        "schema" => run(request, schema),
        "format" => run(request, format),
        _ => return None,
    })
}

/// Decodes a request, runs the operation and encodes its answer.
fn run<Req: DeserializeOwned, Res: Serialize>(
    request: &str,
    operation: impl FnOnce(&Req) -> Res,
) -> Result<String, Box<Diagnostic>> {
    let request = serde_json::from_str::<Req>(request)
        .map_err(|e| invalid_request(format!("invalid request: {e}")))?;
    serde_json::to_string(&operation(&request))
        .map_err(|e| invalid_request(format!("cannot encode the answer: {e}")))
}

/// The refusal of a request that cannot be read.
pub fn invalid_request(message: impl Into<String>) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(Code::InvalidRequest, message)
            .help("see the request shapes in docs/facade.md"),
    )
}

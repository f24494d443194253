//! The core as a WebAssembly component (`wit/kasm-plan.wit`, world `kasm-plan`).
//!
//! Mechanical: each export converts its request with `wit/convert.rs`, calls
//! the facade and converts the answer back. Built for `wasm32-unknown-unknown`
//! and encoded as a component by the host's build script, so it imports nothing.

use bindings::exports::kasm::plan::core as wit;
use convert::{FromWit, IntoWit};
use kasm_plan_core::facade;

/// The generated bindings and export glue: the only unsafe code in this crate.
mod bindings {
    #![allow(unsafe_code)]
    wit_bindgen::generate!({ world: "kasm-plan", path: "../../wit" });
    use super::Component;
    export!(Component);
}

#[path = "../../../wit/convert.rs"]
mod convert;

struct Component;

/// Converts the request, runs the operation, converts the answer.
fn forward<Req: FromWit, Res: IntoWit>(
    request: Req::Wit,
    operation: impl FnOnce(&Req) -> Res,
) -> Result<Res::Wit, wit::Diagnostic> {
    let request = Req::from_wit(request).map_err(|d| d.into_wit())?;
    Ok(operation(&request).into_wit())
}

impl wit::Guest for Component {
    fn validate(r: wit::ValidateRequest) -> Result<wit::ValidateResponse, wit::Diagnostic> {
        forward(r, facade::validate)
    }

    fn parse(r: wit::SourceInput) -> Result<wit::ParseResponse, wit::Diagnostic> {
        forward(r, facade::parse)
    }

    fn filter(r: wit::FilterRequest) -> Result<wit::FilterResponse, wit::Diagnostic> {
        forward(r, facade::filter)
    }

    fn filter_groups(
        r: wit::GroupFilterRequest,
    ) -> Result<wit::GroupFilterResponse, wit::Diagnostic> {
        forward(r, facade::filter_groups)
    }

    fn plan(r: wit::PlanRequest) -> Result<wit::PlanResponse, wit::Diagnostic> {
        forward(r, facade::plan)
    }

    fn plan_to_json(plan: wit::ChangePlan) -> Result<wit::Json, wit::Diagnostic> {
        forward(plan, facade::plan_to_json)
    }

    fn render_plan(r: wit::RenderRequest) -> Result<wit::RenderResponse, wit::Diagnostic> {
        forward(r, facade::render_plan)
    }

    fn outputs(r: wit::PlanRequest) -> Result<wit::OutputsResponse, wit::Diagnostic> {
        forward(r, facade::outputs)
    }

    fn who_may_launch(r: wit::LaunchRequest) -> Result<wit::LaunchResponse, wit::Diagnostic> {
        forward(r, facade::who_may_launch)
    }

    fn apply_steps(r: wit::PlanRequest) -> Result<wit::StepsResponse, wit::Diagnostic> {
        forward(r, facade::apply_steps)
    }

    fn record(r: wit::RecordRequest) -> Result<wit::RecordResponse, wit::Diagnostic> {
        forward(r, facade::record)
    }

    fn recognise(r: wit::RecogniseRequest) -> Result<Option<wit::Image>, wit::Diagnostic> {
        forward(r, facade::recognise)
    }

    fn import(r: wit::ImportRequest) -> Result<wit::ImportResponse, wit::Diagnostic> {
        forward(r, facade::import)
    }

    fn adopt(r: wit::AdoptRequest) -> Result<wit::AdoptResponse, wit::Diagnostic> {
        forward(r, facade::adopt)
    }

    fn read_terraform_state(
        r: wit::TerraformStateRequest,
    ) -> Result<wit::TerraformStateResponse, wit::Diagnostic> {
        forward(r, facade::read_terraform_state)
    }

    fn policy_check(r: wit::PolicyRequest) -> Result<wit::PolicyResponse, wit::Diagnostic> {
        forward(r, facade::policy_check)
    }

    fn fmt(r: wit::FormatRequest) -> Result<wit::FormatResponse, wit::Diagnostic> {
        forward(r, facade::format)
    }

    fn schema() -> wit::ConfigSchema {
        facade::schema(&facade::SchemaRequest {}).into_wit()
    }

    fn json_schema() -> wit::Json {
        facade::json_schema(&facade::SchemaRequest {}).into_wit()
    }

    fn call(operation: String, request: String) -> Result<String, wit::Diagnostic> {
        facade::call(&operation, &request).map_err(|d| d.into_wit())
    }
}

//! The core's operations, typed, through the component: each converts its
//! request with `wit/convert.rs`, calls the component's function of the same
//! name and converts the answer back. No JSON on this path.

use crate::sandbox::{Core, Guard, SandboxError, wit};
use kasm_plan_core::Diagnostic;
use kasm_plan_core::facade::{
    AdoptRequest, AdoptResponse, FilterRequest, FilterResponse, GroupFilterRequest,
    GroupFilterResponse, ImportRequest, ImportResponse, LaunchRequest, LaunchResponse,
    OutputsResponse, ParseResponse, PlanRequest, PlanResponse, PolicyRequest, PolicyResponse,
    RecogniseRequest, RecordRequest, RecordResponse, RenderRequest, RenderResponse, SourceInput,
    StepsResponse, ValidateRequest, ValidateResponse,
};
use kasm_plan_core::{Image, Plan};
use wasmtime::Store;

#[path = "../../wit/convert.rs"]
mod convert;

use convert::{FromWit, IntoWit};

/// Why an operation gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The component failed or hit a limit.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// The core could not read the request.
    #[error("the core refused the request: {}", .0.message)]
    Refused(Box<Diagnostic>),
    /// The core's answer does not convert (a component from another build).
    #[error("the core's answer does not decode: {}", .0.message)]
    Answer(Box<Diagnostic>),
}

/// The result of a typed call into the component.
type Answer<T> = wasmtime::Result<Result<T, wit::Diagnostic>>;

impl Core {
    /// Converts the request, calls the component, converts the answer.
    fn typed<Req: IntoWit, Res: FromWit>(
        &mut self,
        request: Req,
        call: impl FnOnce(&wit::Guest, &mut Store<Guard>, &Req::Wit) -> Answer<Res::Wit>,
    ) -> Result<Res, CoreError> {
        let request = request.into_wit();
        match self.run(|guest, store| call(guest, store, &request))? {
            Ok(answer) => Res::from_wit(answer).map_err(CoreError::Answer),
            Err(refusal) => Err(CoreError::Refused(refused(refusal))),
        }
    }

    /// `validate`: every problem in the sources.
    pub fn validate(&mut self, request: ValidateRequest) -> Result<ValidateResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_validate(s, r))
    }

    /// `parse`: the specs of one source.
    pub fn parse(&mut self, request: SourceInput) -> Result<ParseResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_parse(s, r))
    }

    /// `filter`: the `kasm_images` data source.
    pub fn filter(&mut self, request: FilterRequest) -> Result<FilterResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_filter(s, r))
    }

    /// `filter_groups`: the `kasm_groups` data source.
    pub fn filter_groups(
        &mut self,
        request: GroupFilterRequest,
    ) -> Result<GroupFilterResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_filter_groups(s, r))
    }

    /// `plan`.
    pub fn plan(&mut self, request: PlanRequest) -> Result<PlanResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_plan(s, r))
    }

    /// `plan_to_json`: Terraform's plan JSON.
    pub fn plan_to_json(&mut self, plan: Plan) -> Result<serde_json::Value, CoreError> {
        self.typed(plan, |g, s, r| g.call_plan_to_json(s, r))
    }

    /// `render_plan`: a plan as text, as `plan` prints it.
    pub fn render_plan(&mut self, request: RenderRequest) -> Result<String, CoreError> {
        let answer: RenderResponse = self.typed(request, |g, s, r| g.call_render_plan(s, r))?;
        Ok(answer.text)
    }

    /// `outputs`: the outputs' values once what the request's state records is on Kasm.
    pub fn outputs(&mut self, request: PlanRequest) -> Result<OutputsResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_outputs(s, r))
    }

    /// `who_may_launch`: who may launch what, now and once the plan is applied.
    pub fn who_may_launch(&mut self, request: LaunchRequest) -> Result<LaunchResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_who_may_launch(s, r))
    }

    /// `apply_steps`: the plan and its steps (request bodies hold secrets).
    pub fn apply_steps(&mut self, request: PlanRequest) -> Result<StepsResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_apply_steps(s, r))
    }

    /// `record`: the record a finished call leaves, read from Kasm's answer.
    pub fn record(&mut self, request: RecordRequest) -> Result<RecordResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_record(s, r))
    }

    /// `recognise`: the unowned image a lost create made, if any.
    pub fn recognise(&mut self, request: RecogniseRequest) -> Result<Option<Image>, CoreError> {
        self.typed(request, |g, s, r| g.call_recognise(s, r))
    }

    /// `import`: the state entry for an existing image, or why not.
    pub fn import(&mut self, request: ImportRequest) -> Result<ImportResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_import(s, r))
    }

    /// `read_terraform_state`: what a Terraform provider's state binds.
    pub fn read_terraform_state(
        &mut self,
        request: kasm_plan_core::facade::TerraformStateRequest,
    ) -> Result<kasm_plan_core::facade::TerraformStateResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_read_terraform_state(s, r))
    }

    /// `format`: an HCL file in the canonical layout.
    pub fn format(
        &mut self,
        request: kasm_plan_core::facade::FormatRequest,
    ) -> Result<kasm_plan_core::facade::FormatResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_fmt(s, r))
    }

    /// `schema`: every argument and diagnostic code.
    pub fn schema(&mut self) -> Result<kasm_plan_core::schema::Schema, CoreError> {
        let answer = self.run(|g, s| g.call_schema(s))?;
        kasm_plan_core::schema::Schema::from_wit(answer).map_err(CoreError::Answer)
    }

    /// `json_schema`: the JSON Schema of `.json` specs.
    pub fn json_schema(&mut self) -> Result<serde_json::Value, CoreError> {
        let answer = self.run(|g, s| g.call_json_schema(s))?;
        serde_json::Value::from_wit(answer).map_err(CoreError::Answer)
    }

    /// `adopt`.
    pub fn adopt(&mut self, request: AdoptRequest) -> Result<AdoptResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_adopt(s, r))
    }

    /// `policy_check`.
    pub fn policy_check(&mut self, request: PolicyRequest) -> Result<PolicyResponse, CoreError> {
        self.typed(request, |g, s, r| g.call_policy_check(s, r))
    }

    /// Any operation by name on JSON text: the answer, or the core's refusal.
    pub fn call(
        &mut self,
        operation: &str,
        request: &str,
    ) -> Result<Result<String, Box<Diagnostic>>, SandboxError> {
        let answer = self.run(|g, s| g.call_call(s, operation, request))?;
        Ok(answer.map_err(refused))
    }
}

/// A refusal as the core's diagnostic.
fn refused(refusal: wit::Diagnostic) -> Box<Diagnostic> {
    Diagnostic::from_wit(refusal).map_or_else(|d| d, Box::new)
}

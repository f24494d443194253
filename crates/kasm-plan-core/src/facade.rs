//! The JSON-in/JSON-out API every front door calls: the component, the npm
//! package and the host re-export these functions and add no logic.
//!
//! [`call`] dispatches by operation name on JSON strings; the typed functions
//! take and return the same shapes as Rust values.

use crate::apply::{self, Step};
use crate::diagnostic::{Code, Diagnostic, Severity, has_errors};
use crate::filter::{ImageFilter, filter_images};
use crate::model::{Image, ImageSpec};
use crate::parse::{Format, parse_source};
use crate::plan::{Plan, PlanOptions};
use crate::policy::PolicyReport;
use crate::policy_set::{PolicyFile, Subject};
use crate::state::{State, StateResource};
use crate::typing::{ParsedResource, type_document};
use crate::{plan_json, validate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A spec source text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceInput {
    /// The text of a `.tf` or `.json` spec.
    pub source: String,
    /// Its language; guessed from `file_name` or the text when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// The file name, used only to guess the format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

/// One source, or several validated as one configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Sources {
    /// Several sources (files); resource names must be unique across them.
    Many {
        /// The sources, each with its file name.
        sources: Vec<SourceInput>,
    },
    /// One source.
    One(SourceInput),
}

impl From<SourceInput> for Sources {
    fn from(input: SourceInput) -> Self {
        Sources::One(input)
    }
}

/// `validate` input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ValidateWire")]
pub struct ValidateRequest {
    /// The source or sources.
    #[serde(flatten)]
    pub input: Sources,
    /// Treat warnings as errors.
    #[serde(default)]
    pub strict: bool,
}

/// `validate` input as sent: `source` (with `format`, `file_name`) or `sources`.
#[derive(Deserialize)]
struct ValidateWire {
    sources: Option<Vec<SourceInput>>,
    source: Option<String>,
    #[serde(default)]
    format: Option<Format>,
    #[serde(default)]
    file_name: Option<String>,
    #[serde(default)]
    strict: bool,
}

impl TryFrom<ValidateWire> for ValidateRequest {
    type Error = &'static str;

    fn try_from(w: ValidateWire) -> Result<Self, Self::Error> {
        let input = match (w.sources, w.source) {
            (Some(sources), None) => Sources::Many { sources },
            (None, Some(source)) => Sources::One(SourceInput {
                source,
                format: w.format,
                file_name: w.file_name,
            }),
            (Some(_), Some(_)) => return Err("give either `source` or `sources`, not both"),
            (None, None) => {
                return Err("missing field `source` (a spec text) or `sources` (a list of them)");
            }
        };
        Ok(ValidateRequest {
            input,
            strict: w.strict,
        })
    }
}

/// `validate` output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValidateResponse {
    /// No errors.
    pub valid: bool,
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
    /// Every problem, ordered by position.
    pub diagnostics: Vec<Diagnostic>,
}

/// `parse` output: specs by resource name, and parse and type errors only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParseResponse {
    /// The specs that parsed without error.
    pub specs: BTreeMap<String, ImageSpec>,
    /// Syntax, shape and type problems.
    pub diagnostics: Vec<Diagnostic>,
}

/// The desired images: source texts, or a spec document given as a value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Desired {
    /// Source text.
    Source(SourceInput),
    /// Several source texts (files), planned together; names must be unique across them.
    Sources {
        /// The sources, each with its file name.
        sources: Vec<SourceInput>,
    },
    /// `{"images": {"<name>": {...}}}` as a value.
    Document {
        /// Specs by resource name.
        images: Map<String, Value>,
    },
}

/// `plan` input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanRequest {
    /// What should exist.
    pub desired: Desired,
    /// What was applied before; empty when absent.
    #[serde(default)]
    pub state: State,
    /// The images on Kasm now (`get_images`).
    #[serde(default)]
    pub observed: Vec<Image>,
    /// Treat warnings as errors.
    #[serde(default)]
    pub strict: bool,
    /// Planning options.
    #[serde(default, flatten)]
    pub options: PlanOptions,
    /// Plan without a refresh: ignore `observed` and assume Kasm still holds
    /// what the state recorded (Terraform's `-refresh=false`).
    #[serde(default)]
    pub from_state: bool,
    /// Only bring the state up to date with Kasm: no creates, updates or
    /// deletes (Terraform's `-refresh-only`); the plan lists drift only.
    #[serde(default)]
    pub refresh_only: bool,
}

/// `plan` output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanResponse {
    /// A plan was made and nothing blocks it.
    pub ok: bool,
    /// The plan, when the specs were valid and planning succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    /// Validation warnings, and the errors that prevented a plan.
    pub diagnostics: Vec<Diagnostic>,
}

/// `filter` input: the images and the data source's arguments.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterRequest {
    /// The images (`get_images`).
    pub images: Vec<Image>,
    /// Name and enabled filter.
    #[serde(flatten)]
    pub filter: ImageFilter,
}

/// `filter` output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilterResponse {
    /// Matching images, in input order.
    pub images: Vec<Image>,
    /// A bad pattern, if any.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and types a source; resources that failed are left out.
pub fn check_source(input: &SourceInput) -> (Vec<ParsedResource>, Vec<Diagnostic>) {
    let format = input
        .format
        .unwrap_or_else(|| Format::detect(input.file_name.as_deref(), &input.source));
    type_document(parse_source(&input.source, format))
}

/// Parse, type and check a source: every diagnostic at once.
pub fn validate_source(
    input: &SourceInput,
    strict: bool,
) -> (Vec<ParsedResource>, Vec<Diagnostic>) {
    let (resources, mut diagnostics) = check_source(input);
    for r in &resources {
        diagnostics.extend(validate::check(r));
    }
    finish(&mut diagnostics, strict);
    name_file(&mut diagnostics, input);
    (resources, diagnostics)
}

/// Validates several sources as one configuration: a resource name defined in
/// two of them is a `duplicate_address` error at the second definition.
pub fn validate_sources(
    inputs: &[SourceInput],
    strict: bool,
) -> (Vec<ParsedResource>, Vec<Diagnostic>) {
    let mut all = Vec::new();
    let mut diagnostics = Vec::new();
    let mut seen: BTreeMap<String, Option<String>> = BTreeMap::new();
    for input in inputs {
        let (resources, found) = validate_source(input, strict);
        diagnostics.extend(found);
        for r in resources {
            match seen.get(&r.name) {
                Some(first) => {
                    let mut d = Diagnostic::error(
                        Code::DuplicateAddress,
                        format!(
                            "{} is defined more than once (first in {})",
                            r.address,
                            first.as_deref().unwrap_or("an unnamed source")
                        ),
                    )
                    .at(&r.address, "")
                    .help("give each kasm_image resource a unique name across all files")
                    .located(r.location);
                    d.file.clone_from(&input.file_name);
                    diagnostics.push(d);
                }
                None => {
                    seen.insert(r.name.clone(), input.file_name.clone());
                    all.push(r);
                }
            }
        }
    }
    (all, diagnostics)
}

/// Tags each diagnostic with the source's file name.
fn name_file(diagnostics: &mut [Diagnostic], input: &SourceInput) {
    if let Some(name) = &input.file_name {
        diagnostics
            .iter_mut()
            .for_each(|d| d.file = Some(name.clone()));
    }
}

/// `validate`.
pub fn validate(req: &ValidateRequest) -> ValidateResponse {
    let (_, diagnostics) = match &req.input {
        Sources::One(input) => validate_source(input, req.strict),
        Sources::Many { sources } => validate_sources(sources, req.strict),
    };
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    ValidateResponse {
        valid: errors == 0,
        errors,
        warnings: diagnostics.len() - errors,
        diagnostics,
    }
}

/// `parse`.
pub fn parse(req: &SourceInput) -> ParseResponse {
    let (resources, mut diagnostics) = check_source(req);
    finish(&mut diagnostics, false);
    name_file(&mut diagnostics, req);
    let specs = resources
        .into_iter()
        .filter(|r| r.valid)
        .map(|r| (r.name, r.spec))
        .collect();
    ParseResponse { specs, diagnostics }
}

/// `filter`.
pub fn filter(req: &FilterRequest) -> FilterResponse {
    match filter_images(&req.images, &req.filter) {
        Ok(images) => FilterResponse {
            images: images.into_iter().cloned().collect(),
            diagnostics: Vec::new(),
        },
        Err(d) => FilterResponse {
            images: Vec::new(),
            diagnostics: vec![*d],
        },
    }
}

/// `plan`.
pub fn plan(req: &PlanRequest) -> PlanResponse {
    let (desired, diagnostics) = desired_specs(&req.desired, req.strict);
    plan_specs(req, &desired, diagnostics)
}

/// Validates the desired sources of a plan request: the valid specs by name.
fn desired_specs(
    desired: &Desired,
    strict: bool,
) -> (BTreeMap<String, ImageSpec>, Vec<Diagnostic>) {
    let (resources, mut diagnostics) = match desired {
        Desired::Source(s) => validate_source(s, strict),
        Desired::Sources { sources } => validate_sources(sources, strict),
        Desired::Document { images } => {
            let input = SourceInput {
                source: Value::Object(Map::from_iter([(
                    "images".to_owned(),
                    Value::Object(images.clone()),
                )]))
                .to_string(),
                format: Some(Format::Json),
                file_name: None,
            };
            validate_source(&input, strict)
        }
    };
    if matches!(desired, Desired::Document { .. }) {
        // Positions would point into generated text.
        diagnostics.iter_mut().for_each(|d| d.location = None);
    }
    let desired = resources.into_iter().map(|r| (r.name, r.spec)).collect();
    (desired, diagnostics)
}

/// Plans validated resources, unless the diagnostics hold errors.
fn plan_specs(
    req: &PlanRequest,
    desired: &BTreeMap<String, ImageSpec>,
    mut diagnostics: Vec<Diagnostic>,
) -> PlanResponse {
    if has_errors(&diagnostics) {
        return PlanResponse {
            ok: false,
            plan: None,
            diagnostics,
        };
    }
    // No errors were reported, so every resource is valid.
    let assumed;
    let observed = if req.from_state {
        assumed = assumed_images(&req.state);
        &assumed
    } else {
        &req.observed
    };
    let planned = crate::plan::plan(desired, &req.state, observed, &req.options).map(|mut p| {
        // Without a refresh nothing is known to have changed on Kasm.
        if req.from_state {
            p.resource_drift.clear();
        }
        if req.refresh_only {
            p.resource_changes.clear();
            p.summary = crate::plan::Summary::default();
        }
        p
    });
    match planned {
        Ok(plan) => PlanResponse {
            ok: true,
            plan: Some(plan),
            diagnostics,
        },
        Err(errors) => {
            diagnostics.extend(errors);
            PlanResponse {
                ok: false,
                plan: None,
                diagnostics,
            }
        }
    }
}

/// The images the state records, as Kasm would list them.
fn assumed_images(state: &State) -> Vec<Image> {
    state
        .resources
        .values()
        .map(|r| crate::wire::assumed_image(&r.image_id, &r.attributes))
        .collect()
}

/// `apply_steps` output: the plan and the steps that carry it out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepsResponse {
    /// A plan was made and nothing blocks it.
    pub ok: bool,
    /// The plan, as `plan` makes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    /// The steps, in plan order (then addresses to forget).
    #[serde(default)]
    pub steps: Vec<Step>,
    /// As for `plan`.
    pub diagnostics: Vec<Diagnostic>,
}

/// `apply_steps`: plans, then turns the plan into steps. The answer holds
/// request bodies with secrets: it is for the applying host, never for output.
pub fn apply_steps(req: &PlanRequest) -> StepsResponse {
    let (desired, diagnostics) = desired_specs(&req.desired, req.strict);
    let answer = plan_specs(req, &desired, diagnostics);
    let steps = match &answer.plan {
        Some(plan) if answer.ok => {
            if req.refresh_only {
                apply::refresh_steps(&req.state, &req.observed)
            } else {
                apply::steps(plan, &desired, &req.state, &req.observed)
            }
        }
        _ => Vec::new(),
    };
    StepsResponse {
        ok: answer.ok,
        plan: answer.plan,
        steps,
        diagnostics: answer.diagnostics,
    }
}

/// `record` input: an image Kasm returned, and what the step adds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordRequest {
    /// The image as Kasm returned it.
    pub image: Image,
    /// The step's `token_fingerprint`.
    #[serde(default)]
    pub token_fingerprint: Option<String>,
    /// The step's `prevent_destroy`.
    #[serde(default)]
    pub prevent_destroy: bool,
}

/// `record`: the state entry for an image after a create, update, adopt or import.
pub fn record(req: &RecordRequest) -> StateResource {
    apply::record(
        &req.image,
        req.token_fingerprint.as_deref(),
        req.prevent_destroy,
    )
}

/// `recognise` input: a create body and the images Kasm lists now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecogniseRequest {
    /// The `target_image` that was sent.
    pub target_image: Map<String, Value>,
    /// `get_images` after the failure.
    pub images: Vec<Image>,
    /// Image ids already bound to an address (never recognised).
    #[serde(default)]
    pub owned: Vec<String>,
}

/// `recognise`: the image a create made although its answer was lost, if any.
pub fn recognise(req: &RecogniseRequest) -> Option<Image> {
    let owned = req
        .owned
        .iter()
        .map(|id| crate::model::canonical_uuid(id).unwrap_or_else(|| id.clone()))
        .collect();
    apply::recognise(&req.target_image, &req.images, &owned).cloned()
}

/// `policy_check` input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyRequest {
    /// One policy file (rules as JSON or HCL, or Rego).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyFile>,
    /// A policy set: rule files (which may set Rego queries' levels) and Rego files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<PolicyFile>,
    /// The specs to check.
    pub desired: Desired,
    /// With `observed`, the rules on actions see the plan against them.
    #[serde(default)]
    pub state: Option<State>,
    /// The images on Kasm; without it (and `state`) only spec rules apply.
    #[serde(default)]
    pub observed: Option<Vec<Image>>,
    /// Soft-mandatory rules this run overrides.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// A plan already made (e.g. a saved one): the rules on actions read it
    /// instead of planning against `state` and `observed`.
    #[serde(default)]
    pub plan: Option<Plan>,
    /// The Rego step budget of the check, shared by its queries (default [`DEFAULT_MAX_STEPS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_steps: Option<u64>,
}

/// The Rego step budget of a check when a request names none: it stops the
/// shared runaway case in 0.21 s natively and 0.41 s in the component (the
/// benches), and is over three times what 10 rules over a 10,000-image plan take.
pub const DEFAULT_MAX_STEPS: u64 = 4_000_000;

/// `policy_check` output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyResponse {
    /// Valid inputs and nothing blocking.
    pub ok: bool,
    /// The results, when the inputs were valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<PolicyReport>,
    /// Problems with the specs or the policy files.
    pub diagnostics: Vec<Diagnostic>,
}

/// `policy_check`: a policy set on the specs and, given a plan or Kasm's images, the plan.
pub fn policy_check(req: &PolicyRequest) -> PolicyResponse {
    let fail = |diagnostics| PolicyResponse {
        ok: false,
        report: None,
        diagnostics,
    };
    let files: Vec<&PolicyFile> = req.policy.iter().chain(&req.policies).collect();
    if files.is_empty() {
        return fail(vec![*crate::policy::invalid(&"no policy file was given")]);
    }
    let (desired, diagnostics) = desired_specs(&req.desired, false);
    if has_errors(&diagnostics) {
        return fail(diagnostics);
    }
    let made;
    let planned = if let Some(plan) = &req.plan {
        Some(plan)
    } else if req.state.is_some() || req.observed.is_some() {
        let state = req.state.as_ref().map_or_else(Cow::default, Cow::Borrowed);
        let observed = req.observed.as_deref().unwrap_or_default();
        let options = PlanOptions {
            unchanged_values: false,
        };
        made = match crate::plan::plan(&desired, &state, observed, &options) {
            Ok(p) => p,
            Err(errors) => return fail(diagnostics.into_iter().chain(errors).collect()),
        };
        Some(&made)
    } else {
        None
    };
    let subject = Subject {
        desired: &desired,
        plan: planned,
        overrides: &req.overrides,
        max_steps: req.max_steps.unwrap_or(DEFAULT_MAX_STEPS),
    };
    match crate::policy_set::check(&files, subject) {
        Ok(report) => {
            let mut diagnostics = diagnostics;
            for o in &req.overrides {
                if !report.results.iter().any(|r| &r.rule == o) {
                    diagnostics.push(
                        Diagnostic::warning(
                            Code::UnknownOverride,
                            format!("the override `{o}` names no rule of the policy"),
                        )
                        .help("name a soft-mandatory rule by its id, as the results show it"),
                    );
                }
            }
            PolicyResponse {
                ok: !report.blocking,
                report: Some(report),
                diagnostics,
            }
        }
        Err(errors) => fail(errors),
    }
}

/// `plan_to_json`: Terraform-shaped plan JSON.
pub fn plan_to_json(plan: &Plan) -> Value {
    plan_json::to_terraform_json(plan)
}

/// The operations [`call`] knows.
pub const OPERATIONS: &[&str] = &[
    "validate",
    "parse",
    "filter",
    "plan",
    "plan_to_json",
    "apply_steps",
    "record",
    "recognise",
    "policy_check",
];

/// Runs an operation on a JSON request and returns its JSON response.
/// A request that does not decode answers `{"diagnostics": [<invalid_request>]}`.
pub fn call(op: &str, request: &str) -> String {
    fn run<Req: for<'de> Deserialize<'de>, Res: Serialize>(
        request: &str,
        f: impl FnOnce(&Req) -> Res,
    ) -> String {
        match serde_json::from_str::<Req>(request) {
            Ok(req) => serde_json::to_string(&f(&req))
                .unwrap_or_else(|e| bad_request(&format!("cannot encode the answer: {e}"))),
            Err(e) => bad_request(&format!("invalid request: {e}")),
        }
    }
    match op {
        "validate" => run(request, validate),
        "parse" => run(request, parse),
        "filter" => run(request, filter),
        "plan" => run(request, plan),
        "plan_to_json" => run(request, plan_to_json),
        "apply_steps" => run(request, apply_steps),
        "record" => run(request, record),
        "recognise" => run(request, recognise),
        "policy_check" => run(request, policy_check),
        other => bad_request(&format!(
            "unknown operation `{other}`; expected one of {}",
            OPERATIONS.join(", ")
        )),
    }
}

fn bad_request(message: &str) -> String {
    let d = Diagnostic::error(Code::InvalidRequest, message)
        .help("see the request shapes in the README");
    serde_json::json!({ "diagnostics": [d] }).to_string()
}

/// Applies `strict` and orders diagnostics by position (unpositioned last, order kept).
fn finish(diagnostics: &mut [Diagnostic], strict: bool) {
    if strict {
        diagnostics
            .iter_mut()
            .for_each(|d| d.severity = Severity::Error);
    }
    diagnostics.sort_by_key(|d| {
        d.location
            .map_or((u32::MAX, u32::MAX), |l| (l.start.line, l.start.column))
    });
}

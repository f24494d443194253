//! `policy_check`: a policy set on the specs and, given one, the plan.

use super::plan::PlanRequest;
use super::sources::{Desired, desired_specs};
use crate::access::Access;
use crate::diagnostic::{Code, Diagnostic, has_errors};
use crate::model::{Image, ImageSpec};
use crate::plan::{Plan, PlanOptions};
use crate::policy::PolicyReport;
use crate::policy::{RegoSettings, RegoVersion};
use crate::policy_set::{PolicyFile, Subject};
use crate::state::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// `policy_check` input.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
    /// Kasm's groups and links: with it, the plan the rules read has the
    /// configuration's groups and links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    /// Soft-mandatory rules this run overrides.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// A plan already made (e.g. a saved one): the rules on actions read it
    /// instead of planning against `state` and `observed`.
    #[serde(default)]
    pub plan: Option<Plan>,
    /// The Rego language version: `v0` (before OPA 1.0) or `v1`; unset, v1
    /// and then v0 when v1 cannot parse the policy (as Conftest's `--rego-version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rego_version: Option<RegoVersion>,
    /// Documents under `data.` for Rego (a JSON object), as Conftest's `--data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// The Rego step budget of the check, shared by its queries (default [`DEFAULT_MAX_STEPS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_steps: Option<u64>,
}

/// The Rego step budget of a check when a request names none. It stops the
/// shared runaway case well within a second in every build, and is over three
/// times what 10 rules over a 10,000-image plan take (docs/performance.md).
pub const DEFAULT_MAX_STEPS: u64 = 4_000_000;

/// `policy_check` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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

impl PolicyResponse {
    fn refused(diagnostics: Vec<Diagnostic>) -> Self {
        PolicyResponse {
            ok: false,
            report: None,
            diagnostics,
        }
    }
}

/// `policy_check`: a policy set on the specs and, given a plan or Kasm's images, the plan.
pub fn policy_check(req: &PolicyRequest) -> PolicyResponse {
    let files: Vec<&PolicyFile> = req.policy.iter().chain(&req.policies).collect();
    if files.is_empty() {
        return PolicyResponse::refused(vec![*crate::policy::invalid(&"no policy file was given")]);
    }
    let (desired, mut diagnostics) = desired_specs(&req.desired, false);
    if has_errors(&diagnostics) {
        return PolicyResponse::refused(diagnostics);
    }
    let planned = match subject_plan(req, &desired) {
        Ok(plan) => plan,
        Err(errors) => {
            diagnostics.extend(errors);
            return PolicyResponse::refused(diagnostics);
        }
    };
    // Policies see what plans show: sensitive values hidden.
    let shown: BTreeMap<String, ImageSpec> = desired
        .iter()
        .map(|(k, spec)| (k.clone(), spec.redacted()))
        .collect();
    let subject = Subject {
        desired: &shown,
        plan: planned.as_deref(),
        overrides: &req.overrides,
        max_steps: req.max_steps.unwrap_or(DEFAULT_MAX_STEPS),
        rego: RegoSettings {
            version: req.rego_version,
            data: req.data.as_ref(),
        },
    };
    match crate::policy_set::run(&files, subject) {
        Ok((report, notes)) => {
            diagnostics.extend(notes);
            diagnostics.extend(unknown_overrides(&req.overrides, &report));
            PolicyResponse {
                ok: !report.blocking,
                report: Some(report),
                diagnostics,
            }
        }
        Err(errors) => PolicyResponse::refused(errors),
    }
}

/// The plan the rules on actions read: the one given, or one made against
/// the request's state and images, or none (spec rules only).
fn subject_plan<'a>(
    req: &'a PolicyRequest,
    desired: &BTreeMap<String, ImageSpec>,
) -> Result<Option<Cow<'a, Plan>>, Vec<Diagnostic>> {
    if let Some(plan) = &req.plan {
        return Ok(Some(Cow::Borrowed(plan)));
    }
    if req.state.is_none() && req.observed.is_none() {
        return Ok(None);
    }
    if req.access.is_some() {
        let answer = super::plan::plan(&PlanRequest {
            state: req.state.clone().unwrap_or_default(),
            observed: req.observed.clone().unwrap_or_default(),
            access: req.access.clone(),
            ..PlanRequest::new(req.desired.clone())
        });
        return match answer.plan {
            Some(plan) if answer.ok => Ok(Some(Cow::Owned(plan))),
            _ => Err(answer.diagnostics),
        };
    }
    let state = req.state.as_ref().map_or_else(Cow::default, Cow::Borrowed);
    let observed = req.observed.as_deref().unwrap_or_default();
    crate::plan::plan(desired, &state, observed, &PlanOptions::default())
        .map(|p| Some(Cow::Owned(p)))
}

/// A warning for each override that names no rule of the policy set.
fn unknown_overrides(overrides: &[String], report: &PolicyReport) -> Vec<Diagnostic> {
    overrides
        .iter()
        .filter(|o| !report.results.iter().any(|r| &r.rule == *o))
        .map(|o| {
            Diagnostic::warning(
                Code::UnknownOverride,
                format!("the override `{o}` names no rule of the policy"),
            )
            .help("name a soft-mandatory rule by its id, as the results show it")
        })
        .collect()
}

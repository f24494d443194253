//! `plan`: the changes that bring Kasm to the desired specs.

use super::sources::{Desired, Wanted, wanted};
use crate::diagnostic::{Diagnostic, has_errors};
use crate::edits::{self, Edits};
use crate::model::{Image, ImageSpec};
use crate::plan::{Plan, PlanOptions, Summary};
use crate::state::State;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// `plan` input.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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

impl PlanResponse {
    fn refused(diagnostics: Vec<Diagnostic>) -> Self {
        PlanResponse {
            ok: false,
            plan: None,
            diagnostics,
        }
    }
}

/// `plan`.
pub fn plan(req: &PlanRequest) -> PlanResponse {
    Planning::new(req).answer
}

/// A plan request worked through: the valid specs, the images planned
/// against, and the answer. `apply_steps` continues from here.
pub(super) struct Planning<'a> {
    /// The valid specs by resource name.
    pub desired: BTreeMap<String, ImageSpec>,
    /// The state the plan was made against: the request's, with the moves and
    /// imports the configuration asks for.
    pub edits: Edits,
    /// The images the plan was made against: Kasm's, or the state's without a refresh.
    pub observed: Cow<'a, [Image]>,
    /// The `plan` answer.
    pub answer: PlanResponse,
}

impl<'a> Planning<'a> {
    pub fn new(req: &'a PlanRequest) -> Self {
        let (wanted, mut diagnostics) = wanted(&req.desired, req.strict);
        let observed = if req.from_state {
            Cow::Owned(assumed_images(&req.state))
        } else {
            Cow::Borrowed(req.observed.as_slice())
        };
        let edits = if req.refresh_only {
            Edits {
                state: req.state.clone(),
                ..Edits::default()
            }
        } else {
            let (edits, found) =
                edits::apply(&req.state, &wanted.moves, &wanted.imports, &observed);
            diagnostics.extend(found);
            edits
        };
        let answer = if has_errors(&diagnostics) {
            PlanResponse::refused(diagnostics)
        } else {
            plan_valid(req, &wanted, &edits, &observed, diagnostics)
        };
        Planning {
            desired: wanted.specs,
            edits,
            observed,
            answer,
        }
    }
}

/// Plans specs that validated without errors.
fn plan_valid(
    req: &PlanRequest,
    wanted: &Wanted,
    edits: &Edits,
    observed: &[Image],
    mut diagnostics: Vec<Diagnostic>,
) -> PlanResponse {
    match crate::plan::plan(&wanted.specs, &edits.state, observed, &req.options) {
        Ok(mut plan) => {
            plan.note_edits(&edits.moved, &edits.imported);
            if let Some(d) = &wanted.described {
                plan.configuration = Some(d.configuration.clone());
                plan.variables = Some(d.variables.clone());
            }
            // Without a refresh nothing is known to have changed on Kasm.
            if req.from_state {
                plan.resource_drift.clear();
            }
            if req.refresh_only {
                // Nothing changes on Kasm: duplicates are reported, not deleted.
                plan.resource_changes.clear();
                plan.summary = Summary::default();
                plan.duplicates.iter_mut().for_each(|d| d.delete = false);
            }
            diagnostics.extend(
                plan.duplicates
                    .iter()
                    .filter_map(crate::duplicates::warning),
            );
            PlanResponse {
                ok: true,
                plan: Some(plan),
                diagnostics,
            }
        }
        Err(errors) => {
            diagnostics.extend(errors);
            PlanResponse::refused(diagnostics)
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

//! `apply_steps`: a plan and the requests that carry it out.

use super::plan::{PlanRequest, Planning};
use crate::access::steps::StepInputs;
use crate::apply::{self, Step};
use crate::diagnostic::Diagnostic;
use crate::plan::Plan;
use serde::{Deserialize, Serialize};

/// `apply_steps` output: the plan and the steps that carry it out.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
    let Planning {
        desired,
        edits,
        observed,
        access,
        authorization,
        answer,
    } = Planning::new(req);
    let steps = match &answer.plan {
        Some(_) if req.refresh_only => Ok(apply::refresh_steps(&req.state, &req.observed)),
        // The moves and imports are written first, with the other bookkeeping.
        Some(plan) if answer.ok => {
            apply::steps(plan, &desired, &edits.state, &observed).map(|steps| {
                let access_steps = crate::access::steps::steps(&StepInputs {
                    plan,
                    groups: &authorization.groups,
                    state: &edits.state,
                    access: &access,
                });
                let mut all: Vec<Step> = edits
                    .steps(&req.state)
                    .into_iter()
                    .chain(steps)
                    .chain(access_steps)
                    .collect();
                // Stable: plan order within a phase.
                all.sort_by_key(Step::phase);
                all
            })
        }
        _ => Ok(Vec::new()),
    };
    match steps {
        Ok(steps) => StepsResponse {
            ok: answer.ok,
            plan: answer.plan,
            steps,
            diagnostics: answer.diagnostics,
        },
        Err(error) => {
            let mut diagnostics = answer.diagnostics;
            diagnostics.push(*error);
            StepsResponse {
                ok: false,
                plan: None,
                steps: Vec::new(),
                diagnostics,
            }
        }
    }
}

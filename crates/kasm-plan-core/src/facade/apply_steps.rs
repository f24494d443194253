//! `apply_steps`: a plan and the requests that carry it out.

use super::plan::{PlanRequest, Planning};
use crate::access::steps::StepInputs;
use crate::address::address_of;
use crate::apply::{self, Step};
use crate::diagnostic::{Code, Diagnostic};
use crate::graph;
use crate::lang::depends::DependsOn;
use crate::plan::Plan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// For each step, the steps (by index) that must finish before it
    /// starts ([`crate::graph`]); a step whose prerequisite fails is skipped.
    #[serde(default)]
    pub after: Vec<Vec<u32>>,
    /// Every configured resource → the resources it depends on (references
    /// and `depends_on`), for the state to record per instance
    /// ([`crate::state::State::record_dependencies`]).
    #[serde(default)]
    pub dependencies: BTreeMap<String, Vec<String>>,
    /// As for `plan`.
    pub diagnostics: Vec<Diagnostic>,
    /// As for `plan`: with `render`, the plan as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendered: Option<String>,
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
        depends_on,
        covered,
        answer,
        ..
    } = Planning::new(req);
    let narrow = |steps: Vec<Step>| match &covered {
        Some(covered) => covered.steps(steps),
        None => steps,
    };
    let steps = match &answer.plan {
        Some(_) if req.refresh_only => {
            let images = apply::refresh_steps(&req.state, &req.observed);
            let access = crate::access::steps::refresh_steps(&req.state, &access);
            let refreshed = narrow(images.into_iter().chain(access).collect());
            Ok(edits
                .steps(&req.state)
                .into_iter()
                .chain(refreshed)
                .collect())
        }
        // The moves and imports are written first, with the other bookkeeping.
        Some(plan) if answer.ok => {
            apply::steps(plan, &desired, &edits.state, &observed).map(|steps| {
                let access_steps = crate::access::steps::steps(&StepInputs {
                    plan,
                    groups: &authorization.groups,
                    links: &authorization.links,
                    state: &edits.state,
                    access: &access,
                    objects: &authorization.objects,
                    protected: &authorization.protected,
                });
                // Moves are bookkeeping, made whatever the targets.
                let mut all: Vec<Step> = edits
                    .steps(&req.state)
                    .into_iter()
                    .chain(narrow(steps.into_iter().chain(access_steps).collect()))
                    .collect();
                // Stable: plan order within a phase.
                all.sort_by_key(Step::phase);
                let configured = desired
                    .keys()
                    .map(|name| address_of(name))
                    .chain(authorization.objects.iter().map(|o| o.address.clone()))
                    .collect();
                edits.keep_marks(all, &configured)
            })
        }
        _ => Ok(Vec::new()),
    };
    let images: Vec<String> = desired.keys().map(|name| address_of(name)).collect();
    let configured = graph::dependencies(
        images
            .iter()
            .map(String::as_str)
            .chain(authorization.groups.iter().map(|g| g.address.as_str()))
            .chain(authorization.links.iter().map(|l| l.address.as_str()))
            .chain(authorization.objects.iter().map(|o| o.address.as_str())),
        &authorization.links,
        &authorization.objects,
        &depends_on,
    );
    let ordered = steps.and_then(|steps| {
        let order_by = graph::with_recorded(&depends_on, &configured, &edits.state);
        let after = match &answer.plan {
            Some(plan) => graph::order(&steps, plan, &order_by),
            None => vec![Vec::new(); steps.len()],
        };
        match graph::cycle(&after).as_slice() {
            [] => Ok((steps, after)),
            stuck => Err(Box::new(cycle_error(&steps, stuck))),
        }
    });
    match ordered {
        Ok((steps, after)) => StepsResponse {
            ok: answer.ok,
            rendered: answer.rendered(req),
            plan: answer.plan,
            steps,
            after,
            dependencies: listed(configured),
            diagnostics: answer.diagnostics,
        },
        Err(error) => {
            let mut diagnostics = answer.diagnostics;
            diagnostics.push(*error);
            StepsResponse {
                ok: false,
                plan: None,
                steps: Vec::new(),
                after: Vec::new(),
                dependencies: BTreeMap::new(),
                diagnostics,
                rendered: None,
            }
        }
    }
}

/// Sets as sorted lists.
fn listed(map: DependsOn) -> BTreeMap<String, Vec<String>> {
    map.into_iter()
        .map(|(k, v)| (k, v.into_iter().collect()))
        .collect()
}

/// The error for steps that wait for each other (only `depends_on` entries
/// against the order Kasm imposes can make one).
fn cycle_error(steps: &[Step], stuck: &[usize]) -> Diagnostic {
    let names: Vec<String> = stuck
        .iter()
        .filter_map(|&i| steps.get(i))
        .map(|s| format!("{} ({})", s.address(), s.verb()))
        .collect();
    Diagnostic::error(
        Code::ReferenceCycle,
        format!("these changes wait for each other: {}", names.join(", ")),
    )
    .help("remove a `depends_on` entry between these resources")
}

//! `who_may_launch`: every user × image some group of the user may launch,
//! now and once the plan is applied (`kasm-plan access`).

use super::plan::{PlanRequest, Planning, users_unread};
use crate::access::launch::{self, After, Grant};
use crate::diagnostic::Diagnostic;
use crate::filter::names_matching;
use serde::{Deserialize, Serialize};

/// `who_may_launch` input: a plan request, and filters.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaunchRequest {
    /// What the plan is made from (its fields, beside the filters).
    #[serde(flatten)]
    pub plan: PlanRequest,
    /// Only this username, or the usernames this glob matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Only this image name, or the names this glob matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// `who_may_launch` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaunchResponse {
    /// The grants, by user, then image; none when the plan could not be made.
    pub grants: Vec<Grant>,
    /// The plan's diagnostics (sessions Kasm would refuse included), and a
    /// bad filter.
    pub diagnostics: Vec<Diagnostic>,
}

/// `who_may_launch`.
pub fn who_may_launch(req: &LaunchRequest) -> LaunchResponse {
    let (users, images) = match (
        names_matching(req.user.as_deref()),
        names_matching(req.image.as_deref()),
    ) {
        (Ok(u), Ok(i)) => (u, i),
        (u, i) => {
            return LaunchResponse {
                grants: Vec::new(),
                diagnostics: u.err().into_iter().chain(i.err()).map(|d| *d).collect(),
            };
        }
    };
    // Every user on Kasm counts, not only those the configuration names.
    let read = req.plan.access.as_ref().is_some_and(|a| a.users.is_some());
    if !read && !req.plan.from_state {
        return LaunchResponse {
            grants: Vec::new(),
            diagnostics: vec![users_unread()],
        };
    }
    let planning = Planning::new(&req.plan);
    let diagnostics = planning.answer.diagnostics.clone();
    let Some(plan) = planning
        .answer
        .plan
        .as_ref()
        .or(planning.refused_sessions.as_ref())
    else {
        return LaunchResponse {
            grants: Vec::new(),
            diagnostics,
        };
    };
    let after = After::of(plan, &planning.access, &planning.observed);
    let grants = launch::grants(&plan.resource_changes, &after)
        .into_iter()
        .filter(|g| users(&g.user) && images(&g.image))
        .collect();
    LaunchResponse {
        grants,
        diagnostics,
    }
}

//! `render_plan`: a plan as text, as `kasm-plan plan` prints it.

use crate::diagnostic::Diagnostic;
use crate::plan::Plan;
use serde::{Deserialize, Serialize};

/// `render_plan` input.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RenderRequest {
    /// The plan, as `plan` made it.
    pub plan: Plan,
    /// Show the drift only, as a refresh-only plan.
    #[serde(default)]
    pub refresh_only: bool,
    /// The plan's diagnostics: those about a create are repeated under it.
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
}

/// `render_plan` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderResponse {
    /// The text, lines ending in `\n`.
    pub text: String,
}

/// `render_plan`.
pub fn render_plan(req: &RenderRequest) -> RenderResponse {
    RenderResponse {
        text: crate::render::planned(&req.plan, req.refresh_only, &req.diagnostics),
    }
}

//! `filter_groups`: the `kasm_groups` data source over a list of groups.

use crate::diagnostic::Diagnostic;
use crate::filter::filter_groups as keep;
use crate::group::Group;
use serde::{Deserialize, Serialize};

/// `filter_groups` input: the groups (`get_groups`) and a name, exact or glob.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFilterRequest {
    /// The groups.
    pub groups: Vec<Group>,
    /// Keep groups with this name, or whose name matches this glob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `filter_groups` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupFilterResponse {
    /// Matching groups, in input order.
    pub groups: Vec<Group>,
    /// A bad pattern, if any.
    pub diagnostics: Vec<Diagnostic>,
}

/// `filter_groups`.
pub fn filter_groups(req: &GroupFilterRequest) -> GroupFilterResponse {
    match keep(&req.groups, req.name.as_deref()) {
        Ok(groups) => GroupFilterResponse {
            groups: groups.into_iter().cloned().collect(),
            diagnostics: Vec::new(),
        },
        Err(d) => GroupFilterResponse {
            groups: Vec::new(),
            diagnostics: vec![*d],
        },
    }
}

//! From the access part of a plan to the requests that carry it out.
//!
//! Order matters, so every step has a phase: link removes come before the
//! deletes of their images and groups, and link adds after the creates that
//! make their ids known. The host runs one phase after the other.

use super::plan::{AccessChange, ExtraLink, matches_spec};
use super::{GROUP_TYPE, LINK_TYPE};
use crate::change::{Action, Plan};
use crate::group::{Access, GroupRecord, GroupSpec, Target};
use crate::state::State;
pub use crate::step::{
    GroupDeleteStep, GroupRecordStep, GroupStep, LinkRecordStep, LinkStep, phase,
};
use crate::step::{ReleaseStep, Step};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What the access steps are made from.
pub struct StepInputs<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The `kasm_group` instances.
    pub groups: &'a [GroupSpec],
    /// The state (after moves and imports).
    pub state: &'a State,
    /// Kasm's groups and links.
    pub access: &'a Access,
}

/// The steps for the plan's group and link changes and revokes.
pub fn steps(inputs: &StepInputs) -> Vec<Step> {
    let specs: BTreeMap<&str, &GroupSpec> = inputs
        .groups
        .iter()
        .map(|g| (g.address.as_str(), g))
        .collect();
    let mut out = Vec::new();
    for change in &inputs.plan.access_changes {
        match change.resource_type.as_str() {
            GROUP_TYPE => out.extend(group_steps(
                change,
                specs.get(change.address.as_str()).copied(),
                inputs,
            )),
            LINK_TYPE => out.extend(link_steps(change, inputs.state)),
            _ => {}
        }
    }
    out.extend(forgotten(inputs));
    out.extend(
        inputs
            .plan
            .extra_links
            .iter()
            .filter(|x| x.revoke)
            .map(revoke),
    );
    out
}

fn group_steps(change: &AccessChange, spec: Option<&GroupSpec>, inputs: &StepInputs) -> Vec<Step> {
    let address = change.address.clone();
    let force_destroy = spec.is_some_and(|s| s.force_destroy);
    match (change.action, spec) {
        (Action::Create, Some(spec)) => {
            let owned = |id: &str| inputs.state.groups.values().any(|r| r.group_id == id);
            let found = inputs
                .access
                .groups
                .iter()
                .find(|g| matches_spec(spec, g) && !owned(&g.group_id));
            vec![match found {
                Some(g) => Step::RecordGroup(GroupRecordStep {
                    address,
                    record: GroupRecord::of(g, force_destroy),
                }),
                None => Step::CreateGroup(GroupStep {
                    address,
                    target_group: known_values(change),
                    force_destroy,
                }),
            }]
        }
        (Action::Update, Some(_)) => {
            let mut target: Map<String, Value> = change
                .changes
                .iter()
                .map(|c| (c.attribute.clone(), c.after.clone()))
                .collect();
            target.insert(
                "group_id".into(),
                change.id.clone().unwrap_or_default().into(),
            );
            vec![Step::UpdateGroup(GroupStep {
                address,
                target_group: target,
                force_destroy,
            })]
        }
        (Action::NoOp, Some(_)) => {
            let group = change.id.as_deref().and_then(|id| inputs.access.group(id));
            group
                .map(|g| {
                    Step::RecordGroup(GroupRecordStep {
                        address,
                        record: GroupRecord::of(g, force_destroy),
                    })
                })
                .into_iter()
                .collect()
        }
        (Action::Delete, _) => vec![group_delete(change, inputs.state)],
        // Named by `-replace`: Kasm's group goes, then a new one is made.
        (Action::Replace, Some(_)) => vec![
            group_delete(change, inputs.state),
            Step::CreateGroup(GroupStep {
                address,
                target_group: known_values(change),
                force_destroy,
            }),
        ],
        _ => Vec::new(),
    }
}

/// The values a change sets, for a create's request.
fn known_values(change: &AccessChange) -> Map<String, Value> {
    change
        .after
        .iter()
        .flatten()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn group_delete(change: &AccessChange, state: &State) -> Step {
    let record = state.groups.get(&change.address);
    Step::DeleteGroup(GroupDeleteStep {
        address: change.address.clone(),
        group_id: change.id.clone().unwrap_or_default(),
        force: record.is_some_and(|r| r.force_destroy),
    })
}

fn link_steps(change: &AccessChange, state: &State) -> Vec<Step> {
    let target = |attribute: &str| -> Option<Target> {
        match change.after.as_ref().and_then(|a| a.get(attribute)) {
            Some(Value::String(id)) => Some(Target::Id(id.clone())),
            _ => change
                .waits_for
                .get(attribute)
                .cloned()
                .map(Target::Managed),
        }
    };
    let recorded = || {
        state.links.get(&change.address).map(|r| {
            Step::RemoveLink(LinkStep {
                address: change.address.clone(),
                group: Target::Id(r.group_id.clone()),
                image: Target::Id(r.image_id.clone()),
            })
        })
    };
    let add = || {
        Some(Step::AddLink(LinkStep {
            address: change.address.clone(),
            group: target("group_id")?,
            image: target("image_id")?,
        }))
    };
    match change.action {
        Action::Create => add().into_iter().collect(),
        Action::Replace => recorded().into_iter().chain(add()).collect(),
        Action::Delete => recorded().into_iter().collect(),
        Action::Update | Action::NoOp => Vec::new(),
    }
}

/// Groups and links in state that are in neither the plan nor on Kasm.
fn forgotten(inputs: &StepInputs) -> Vec<Step> {
    let planned = |a: &str| inputs.plan.access_changes.iter().any(|c| c.address == a);
    let groups = inputs
        .state
        .groups
        .iter()
        .filter(|(a, r)| !planned(a) && inputs.access.group(&r.group_id).is_none())
        .map(|(a, r)| (a, r.group_id.clone()));
    let links = inputs
        .state
        .links
        .iter()
        .filter(|(a, _)| !planned(a))
        .map(|(a, r)| (a, r.id()));
    groups
        .chain(links)
        .map(|(address, id)| {
            Step::Forget(ReleaseStep {
                address: address.clone(),
                image_id: id,
            })
        })
        .collect()
}

/// The steps of a refresh-only apply for groups and links: a group takes
/// Kasm's current values, a group or link gone from Kasm is forgotten.
pub fn refresh_steps(state: &State, access: &Access) -> Vec<Step> {
    let groups = state
        .groups
        .iter()
        .map(|(address, r)| match access.group(&r.group_id) {
            Some(g) => Step::RecordGroup(GroupRecordStep {
                address: address.clone(),
                record: GroupRecord::of(g, r.force_destroy),
            }),
            None => Step::Forget(ReleaseStep {
                address: address.clone(),
                image_id: r.group_id.clone(),
            }),
        });
    let links = state
        .links
        .iter()
        .filter(|(_, r)| access.rows(&r.group_id, &r.image_id) == 0)
        .map(|(address, r)| {
            Step::Forget(ReleaseStep {
                address: address.clone(),
                image_id: r.id(),
            })
        });
    groups.chain(links).collect()
}

fn revoke(extra: &ExtraLink) -> Step {
    Step::Revoke(LinkStep {
        address: extra.image_address.clone(),
        group: Target::Id(extra.group_id.clone()),
        image: extra
            .image_id
            .clone()
            .map_or_else(|| Target::Managed(extra.image_address.clone()), Target::Id),
    })
}

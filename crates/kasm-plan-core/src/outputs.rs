//! Outputs in a plan: each declared output's value once the plan is applied,
//! against what the state recorded after the last apply.

use crate::change::{Action, OutputChange, Plan};
use crate::lang::outputs::{OutputValue, Outputs};
use crate::model::Secret;
use crate::state::{State, StateOutput};
use serde_json::Value;
use std::collections::BTreeMap;

/// The outputs' changes: every declared output, then every recorded one no
/// longer declared. An id is known when the state has it and the plan keeps
/// its resource (not created, replaced or deleted).
pub fn changes(outputs: &Outputs, state: &State, plan: &Plan) -> Vec<OutputChange> {
    let actions: BTreeMap<&str, Action> = plan.actions().collect();
    let kept = |address: &str| {
        matches!(
            actions.get(address),
            None | Some(Action::NoOp | Action::Update)
        )
    };
    let known = |address: &str| kept(address).then(|| state.id_of(address)).flatten();
    let mut all = declared(outputs, state, &known);
    let removed: Vec<OutputChange> = state
        .outputs
        .iter()
        .filter(|(name, _)| !all.iter().any(|c| &c.name == *name))
        .map(|(name, before)| OutputChange {
            name: name.clone(),
            action: Action::Delete,
            before: before.value.clone(),
            after: None,
            after_unknown: false,
            sensitive: before.sensitive,
            fingerprint: None,
        })
        .collect();
    all.extend(removed);
    all
}

/// The outputs' values once everything the state records is on Kasm (after
/// an apply): every id known.
pub fn recorded(outputs: &Outputs, state: &State) -> Vec<OutputChange> {
    declared(outputs, state, &|address| state.id_of(address))
}

/// Each declared output against what the state recorded, with the ids `known` gives.
fn declared(
    outputs: &Outputs,
    state: &State,
    known: &dyn Fn(&str) -> Option<String>,
) -> Vec<OutputChange> {
    let (values, _) = outputs.evaluate(known);
    values
        .iter()
        .map(|v| change(v, state.outputs.get(&v.name)))
        .collect()
}

fn change(value: &OutputValue, before: Option<&StateOutput>) -> OutputChange {
    let after = value.value.to_json();
    let fingerprint = match (&after, value.sensitive) {
        (Some(v), true) => {
            Some(Secret::new(v.to_string()).fingerprint(&format!("output.{}", value.name)))
        }
        _ => None,
    };
    // A sensitive output compares by fingerprint; an unknown one changes.
    let same = before.is_some_and(|b| {
        after.is_some()
            && b.sensitive == value.sensitive
            && if value.sensitive {
                b.fingerprint == fingerprint
            } else {
                b.value == after
            }
    });
    let action = match (before, same) {
        // An output of null is no output, as in Terraform: nothing to add.
        (None, _) if after.as_ref().is_some_and(Value::is_null) => Action::NoOp,
        (None, _) => Action::Create,
        (Some(_), true) => Action::NoOp,
        (Some(_), false) => Action::Update,
    };
    OutputChange {
        name: value.name.clone(),
        action,
        before: before.and_then(|b| b.value.clone()),
        after_unknown: after.is_none(),
        after: after.filter(|_| !value.sensitive),
        sensitive: value.sensitive,
        fingerprint,
    }
}

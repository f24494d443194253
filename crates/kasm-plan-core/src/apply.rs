//! From a plan to the requests that carry it out, and from Kasm's answers to
//! state. Pure: the host sends the requests and reports the answers.
//!
//! Request bodies carry registry tokens in clear (Kasm needs them), so a
//! [`Step`] must never be printed or stored; everything else here is safe to.

use crate::model::{Image, ImageSpec, canonical_uuid};
use crate::plan::{Action, Plan, address_of};
use crate::state::{State, StateResource};
use crate::wire::{create_body, update_body};
use crate::{Field, attributes::Attributes};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One action to carry out, with everything needed to record its result.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The resource address.
    pub address: String,
    /// What to do.
    pub action: StepAction,
    /// The image acted on (update, delete, adopt, refresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// The request's `target_image` (create and update). Holds secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_image: Option<Map<String, Value>>,
    /// What to record in state for the token, when the spec has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_fingerprint: Option<String>,
    /// Whether the state entry keeps `prevent_destroy`.
    #[serde(default)]
    pub prevent_destroy: bool,
    /// The state entry to write without any request (refresh of a no-op).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<StateResource>,
}

impl std::fmt::Debug for Step {
    // Never shows the request body: it may hold a registry token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Step")
            .field("address", &self.address)
            .field("action", &self.action)
            .field("image_id", &self.image_id)
            .finish_non_exhaustive()
    }
}

/// What a step does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepAction {
    /// `create_image` with `target_image`.
    Create,
    /// No request: an image on Kasm that no address owns matches the create
    /// exactly (an earlier run created it and was interrupted); record it.
    Adopt,
    /// `update_image` with `target_image` (read-modify-write, full object).
    Update,
    /// `delete_image` of `image_id`, then forget the address.
    Delete,
    /// No request: write `record` (Kasm's current values for a no-op).
    Refresh,
    /// No request: the image is gone from Kasm and from the config; forget the address.
    Forget,
}

/// The steps that carry out `plan`, in plan order. Creates look for an unowned
/// image that already matches (so an interrupted run is never duplicated).
pub fn steps(
    plan: &Plan,
    desired: &BTreeMap<String, ImageSpec>,
    state: &State,
    observed: &[Image],
) -> Vec<Step> {
    let by_id: BTreeMap<String, &Image> =
        observed.iter().map(|i| (canon(&i.image_id), i)).collect();
    let mut owned: BTreeSet<String> = state
        .resources
        .values()
        .map(|r| canon(&r.image_id))
        .collect();
    let mut out = Vec::with_capacity(plan.resource_changes.len());
    for change in &plan.resource_changes {
        let address = &change.address;
        let spec = desired.get(&change.name);
        let base = Step {
            address: address.clone(),
            action: StepAction::Refresh,
            image_id: change.image_id.clone(),
            target_image: None,
            token_fingerprint: spec
                .and_then(|s| s.docker_token.as_ref())
                .map(|t| t.fingerprint(address)),
            prevent_destroy: spec.is_some_and(|s| s.lifecycle.prevent_destroy),
            record: None,
        };
        let step = match (change.action, spec) {
            (Action::Create, Some(spec)) => {
                let body = create_body(spec, address);
                match recognise(&body, observed, &owned) {
                    Some(found) => {
                        owned.insert(canon(&found.image_id));
                        Step {
                            action: StepAction::Adopt,
                            image_id: Some(found.image_id.clone()),
                            ..base
                        }
                    }
                    None => Step {
                        action: StepAction::Create,
                        target_image: Some(body),
                        ..base
                    },
                }
            }
            (Action::Update, Some(spec)) => {
                let Some(image) = change
                    .image_id
                    .as_ref()
                    .and_then(|id| by_id.get(&canon(id)))
                else {
                    continue;
                };
                let changes: Vec<(Field, Value)> = change
                    .changes
                    .iter()
                    .map(|c| (c.field, c.after.clone()))
                    .collect();
                Step {
                    action: StepAction::Update,
                    target_image: Some(update_body(image, &changes, spec.docker_token.as_ref())),
                    ..base
                }
            }
            (Action::Delete, _) => Step {
                action: StepAction::Delete,
                ..base
            },
            (Action::NoOp, _) => {
                let recorded = state.resources.get(address);
                let image = change
                    .image_id
                    .as_ref()
                    .and_then(|id| by_id.get(&canon(id)));
                match (recorded, image) {
                    (Some(r), Some(image)) => Step {
                        record: Some(r.refreshed(image)),
                        ..base
                    },
                    _ => continue,
                }
            }
            _ => continue,
        };
        out.push(step);
    }
    // Addresses in state that are in neither the config nor Kasm.
    let planned: BTreeSet<&str> = plan
        .resource_changes
        .iter()
        .map(|c| c.address.as_str())
        .collect();
    for (address, r) in &state.resources {
        let gone = !by_id.contains_key(&canon(&r.image_id));
        let unconfigured = address
            .strip_prefix(&address_of(""))
            .is_some_and(|name| !desired.contains_key(name));
        if gone && unconfigured && !planned.contains(address.as_str()) {
            out.push(Step {
                address: address.clone(),
                action: StepAction::Forget,
                image_id: Some(r.image_id.clone()),
                target_image: None,
                token_fingerprint: None,
                prevent_destroy: false,
                record: None,
            });
        }
    }
    out
}

/// The steps of a refresh-only apply: every address takes Kasm's current
/// values, and addresses whose image is gone are forgotten.
pub fn refresh_steps(state: &State, observed: &[Image]) -> Vec<Step> {
    let by_id: BTreeMap<String, &Image> =
        observed.iter().map(|i| (canon(&i.image_id), i)).collect();
    state
        .resources
        .iter()
        .map(|(address, r)| {
            let image = by_id.get(&canon(&r.image_id));
            Step {
                address: address.clone(),
                action: if image.is_some() {
                    StepAction::Refresh
                } else {
                    StepAction::Forget
                },
                image_id: Some(r.image_id.clone()),
                target_image: None,
                token_fingerprint: None,
                prevent_destroy: r.prevent_destroy,
                record: image.map(|i| r.refreshed(i)),
            }
        })
        .collect()
}

/// The state entry for an image Kasm returned after a create, update or adopt
/// (or an import: no fingerprint, no `prevent_destroy`).
pub fn record(
    image: &Image,
    token_fingerprint: Option<&str>,
    prevent_destroy: bool,
) -> StateResource {
    let mut attributes = Attributes::from_image(image);
    if let Some(fp) = token_fingerprint {
        attributes.set(Field::DockerToken, Value::from(fp));
    }
    StateResource {
        image_id: image.image_id.clone(),
        attributes,
        prevent_destroy,
    }
}

/// The image among `images`, not in `owned`, whose values equal every key of a
/// create body: how a client recognises what it created when the answer was lost.
pub fn recognise<'a>(
    body: &Map<String, Value>,
    images: &'a [Image],
    owned: &BTreeSet<String>,
) -> Option<&'a Image> {
    images
        .iter()
        .filter(|i| !owned.contains(&canon(&i.image_id)))
        .find(|image| {
            let Ok(Value::Object(wire)) = serde_json::to_value(image) else {
                return false;
            };
            body.iter().all(|(key, sent)| {
                // Kasm masks stored tokens in answers: presence is all it shows.
                if key == "docker_token" {
                    return wire.get(key).is_some_and(|v| !v.is_null());
                }
                wire.get(key).is_some_and(|got| same_wire(sent, got))
            })
        })
}

/// A sent value against an answered one: JSON-string fields come back as
/// objects, numbers may change type (2 vs 2.0).
fn same_wire(sent: &Value, got: &Value) -> bool {
    match (sent, got) {
        (Value::String(text), Value::Object(_)) => {
            serde_json::from_str::<Value>(text).is_ok_and(|v| crate::attributes::json_eq(&v, got))
        }
        _ => crate::attributes::json_eq(sent, got),
    }
}

fn canon(id: &str) -> String {
    canonical_uuid(id).unwrap_or_else(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> ImageSpec {
        serde_json::from_value(
            json!({"name": "kasmweb/terminal:1.18.0", "image_src": "img/t.png",
            "friendly_name": "T", "memory": 2768, "cores": 2, "run_config": {"hostname": "kasm"},
            "docker_token": "s3cret"}),
        )
        .unwrap_or_else(|e| unreachable!("{e}"))
    }

    fn created(id: &str, body: &Map<String, Value>) -> Image {
        let mut v = serde_json::to_value(Image::default()).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.extend(body.clone());
            o.insert("image_id".into(), json!(id));
            o.insert("docker_token".into(), json!(crate::wire::TOKEN_MASK));
            o.insert("run_config".into(), json!({"hostname": "kasm"}));
        }
        serde_json::from_value(v).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn recognises_only_an_unowned_exact_match() {
        let body = create_body(&spec(), "kasm_image.t");
        let mine = created("a".repeat(32).as_str(), &body);
        let mut other_body = body.clone();
        other_body.insert("memory".into(), json!(4_096_000_000_i64));
        let other = created("b".repeat(32).as_str(), &other_body);
        let images = vec![other, mine];
        let none = BTreeSet::new();
        assert_eq!(
            recognise(&body, &images, &none).map(|i| i.image_id.as_str()),
            Some("a".repeat(32).as_str())
        );
        let owned = BTreeSet::from(["a".repeat(32)]);
        assert!(recognise(&body, &images, &owned).is_none());
    }

    #[test]
    fn record_keeps_the_fingerprint_not_the_token() {
        let body = create_body(&spec(), "kasm_image.t");
        let image = created(&"c".repeat(32), &body);
        let fp = spec()
            .docker_token
            .map(|t| t.fingerprint("kasm_image.t"))
            .unwrap_or_default();
        let r = record(&image, Some(&fp), true);
        let text = serde_json::to_string(&r).unwrap_or_default();
        assert!(!text.contains("s3cret"));
        assert!(text.contains(&fp));
        assert!(r.prevent_destroy);
    }
}

//! From a plan to the requests that carry it out, and from Kasm's answers to
//! state. Pure: the host sends the requests and reports the answers.
//!
//! Request bodies carry registry tokens in clear (Kasm needs them), so a
//! [`Step`] must never be printed or stored (its `Debug` leaves bodies out).

use crate::Field;
use crate::access::steps::{GroupDeleteStep, GroupRecordStep, GroupStep, LinkRecordStep, LinkStep};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Image, ImageSpec, canonical_uuid};
use crate::plan::{Action, Plan, ResourceChange, address_of};
use crate::state::{State, StateResource};
use crate::wire::{create_body, update_body};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One action to carry out, with exactly what it needs to record its result.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Step {
    /// `create_image` with `target_image`.
    Create(CreateStep),
    /// No request: an image on Kasm that no address owns matches the create
    /// exactly (an earlier run created it and was interrupted); record it.
    Adopt(AdoptStep),
    /// `update_image` with `target_image` (read-modify-write, full object).
    Update(UpdateStep),
    /// `delete_image` of `image_id`, then forget the address.
    Delete(ReleaseStep),
    /// No request: write `record` (Kasm's current values for a no-op).
    Refresh(RefreshStep),
    /// No request: the image is gone from Kasm and from the config; forget the address.
    Forget(ReleaseStep),
    /// No request: a `moved` block's rename of an address, of any type.
    Move(MoveStep),
    /// `delete_image` of an image no address manages that equals the
    /// address's spec (asked for); the state does not change.
    DeleteDuplicate(ReleaseStep),
    /// `create_group`, sent once; after a lost answer the group is looked up by name.
    CreateGroup(GroupStep),
    /// `update_group` with the changed keys.
    UpdateGroup(GroupStep),
    /// `delete_group`, then forget the address.
    DeleteGroup(GroupDeleteStep),
    /// No request: write a group record (unchanged, or made by an interrupted run).
    RecordGroup(GroupRecordStep),
    /// No request: write a link record (an `import` block's).
    RecordLink(LinkRecordStep),
    /// Read the group's links, `add_images_group` unless the link is there, record it.
    AddLink(LinkStep),
    /// `remove_images_group` until no row is left, then forget the address.
    RemoveLink(LinkStep),
    /// `remove_images_group` of a link no resource declares (an exclusive
    /// image's), until no row is left; the state does not change.
    Revoke(LinkStep),
}

/// What a create, adopt or update records in the state with Kasm's answer.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    /// The registry token's fingerprint, when the spec sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_fingerprint: Option<String>,
    /// Whether the state entry keeps `prevent_destroy`.
    #[serde(default)]
    pub prevent_destroy: bool,
}

impl Recording {
    /// What to record for `spec` at `address`.
    fn of(spec: &ImageSpec, address: &str) -> Self {
        Recording {
            token_fingerprint: spec.docker_token.as_ref().map(|t| t.fingerprint(address)),
            prevent_destroy: spec.lifecycle.prevent_destroy,
        }
    }
}

/// A create: the request body and what to record with Kasm's answer.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateStep {
    /// The resource address.
    pub address: String,
    /// The request's `target_image`. Holds secrets.
    pub target_image: Map<String, Value>,
    /// What to record with Kasm's answer.
    #[serde(flatten)]
    pub recording: Recording,
}

/// An adopt: the unowned image to record for the address.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdoptStep {
    /// The resource address.
    pub address: String,
    /// The image found on Kasm.
    pub image_id: String,
    /// What to record with Kasm's answer.
    #[serde(flatten)]
    pub recording: Recording,
}

/// An update: the image, the full request body and what to record.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateStep {
    /// The resource address.
    pub address: String,
    /// The image updated.
    pub image_id: String,
    /// The request's `target_image`, every field Kasm accepts. Holds secrets.
    pub target_image: Map<String, Value>,
    /// What to record with Kasm's answer.
    #[serde(flatten)]
    pub recording: Recording,
}

/// A delete or a forget: the address and the image it was bound to.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReleaseStep {
    /// The resource address.
    pub address: String,
    /// The image bound to it.
    pub image_id: String,
}

/// A rename: the record at `from` moves to `to`.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveStep {
    /// The old address.
    pub from: String,
    /// The new address.
    pub to: String,
}

/// A refresh: the state entry to write.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefreshStep {
    /// The resource address.
    pub address: String,
    /// Kasm's current values for the address.
    pub record: StateResource,
}

// Never shows a request body: it may hold a registry token.
impl std::fmt::Debug for CreateStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateStep")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for UpdateStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateStep")
            .field("address", &self.address)
            .field("image_id", &self.image_id)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Create(s) => s.fmt(f),
            Step::Adopt(s) => s.fmt(f),
            Step::Update(s) => s.fmt(f),
            Step::Delete(s) => f.debug_tuple("Delete").field(s).finish(),
            Step::DeleteDuplicate(s) => f.debug_tuple("DeleteDuplicate").field(s).finish(),
            Step::Refresh(s) => s.fmt(f),
            Step::Forget(s) => f.debug_tuple("Forget").field(s).finish(),
            Step::Move(s) => s.fmt(f),
            Step::CreateGroup(s) => f.debug_tuple("CreateGroup").field(s).finish(),
            Step::UpdateGroup(s) => f.debug_tuple("UpdateGroup").field(s).finish(),
            Step::DeleteGroup(s) => s.fmt(f),
            Step::RecordGroup(s) => s.fmt(f),
            Step::RecordLink(s) => s.fmt(f),
            Step::AddLink(s) => f.debug_tuple("AddLink").field(s).finish(),
            Step::RemoveLink(s) => f.debug_tuple("RemoveLink").field(s).finish(),
            Step::Revoke(s) => f.debug_tuple("Revoke").field(s).finish(),
        }
    }
}

impl Step {
    /// The resource address the step acts on.
    pub fn address(&self) -> &str {
        match self {
            Step::Create(s) => &s.address,
            Step::Adopt(s) => &s.address,
            Step::Update(s) => &s.address,
            Step::Delete(s) | Step::Forget(s) | Step::DeleteDuplicate(s) => &s.address,
            Step::Refresh(s) => &s.address,
            Step::Move(s) => &s.to,
            Step::CreateGroup(s) | Step::UpdateGroup(s) => &s.address,
            Step::DeleteGroup(s) => &s.address,
            Step::RecordGroup(s) => &s.address,
            Step::RecordLink(s) => &s.address,
            Step::AddLink(s) | Step::RemoveLink(s) | Step::Revoke(s) => &s.address,
        }
    }

    /// What the step does, in a word or two (`create`, `add link`).
    pub fn verb(&self) -> &'static str {
        match self {
            Step::Create(_) | Step::CreateGroup(_) => "create",
            Step::Adopt(_) => "adopt",
            Step::Update(_) | Step::UpdateGroup(_) => "update",
            Step::Delete(_) | Step::DeleteGroup(_) => "delete",
            Step::Refresh(_) | Step::RecordGroup(_) | Step::RecordLink(_) => "refresh",
            Step::Forget(_) => "forget",
            Step::Move(_) => "move",
            Step::DeleteDuplicate(_) => "delete duplicate",
            Step::AddLink(_) => "add link",
            Step::RemoveLink(_) => "remove link",
            Step::Revoke(_) => "revoke link",
        }
    }

    /// The phase the step runs in ([`crate::access::steps::phase`]).
    pub fn phase(&self) -> u8 {
        crate::access::steps::phase(self)
    }
}

/// The steps that carry out `plan`, in plan order, then the addresses to
/// forget. Creates look for an unowned image that already matches (so an
/// interrupted run is never duplicated). A plan that does not fit its inputs
/// (an update of an image not observed) is an `invalid_state` error.
pub fn steps(
    plan: &Plan,
    desired: &BTreeMap<String, ImageSpec>,
    state: &State,
    observed: &[Image],
) -> Result<Vec<Step>, Box<Diagnostic>> {
    let by_id: BTreeMap<String, &Image> =
        observed.iter().map(|i| (canon(&i.image_id), i)).collect();
    let mut owned: BTreeSet<String> = state
        .resources
        .values()
        .map(|r| canon(&r.image_id))
        .collect();
    let mut out = Vec::with_capacity(plan.resource_changes.len());
    for change in &plan.resource_changes {
        let spec = desired.get(&change.name);
        let image = change
            .image_id
            .as_ref()
            .and_then(|id| by_id.get(&canon(id)).copied());
        let step = match (change.action, spec) {
            (Action::Create, Some(spec)) => Some(create(change, spec, observed, &mut owned)),
            (Action::Update, Some(spec)) => {
                let image = image.ok_or_else(|| not_observed(change))?;
                Some(update(change, spec, image))
            }
            (Action::Delete, _) => Some(Step::Delete(ReleaseStep {
                address: change.address.clone(),
                image_id: change
                    .image_id
                    .clone()
                    .ok_or_else(|| not_observed(change))?,
            })),
            (Action::NoOp, spec) => {
                state
                    .resources
                    .get(&change.address)
                    .zip(image)
                    .map(|(recorded, image)| {
                        Step::Refresh(RefreshStep {
                            address: change.address.clone(),
                            record: refreshed(recorded, image, spec),
                        })
                    })
            }
            // Kasm's image goes first, then the spec is created afresh: a
            // replace never adopts a look-alike.
            (Action::Replace, Some(spec)) => {
                out.push(Step::Delete(ReleaseStep {
                    address: change.address.clone(),
                    image_id: change
                        .image_id
                        .clone()
                        .ok_or_else(|| not_observed(change))?,
                }));
                Some(Step::Create(CreateStep {
                    address: change.address.clone(),
                    target_image: create_body(spec, &change.address),
                    recording: Recording::of(spec, &change.address),
                }))
            }
            (Action::Create | Action::Update | Action::Replace, None) => {
                return Err(not_observed(change));
            }
        };
        out.extend(step);
    }
    out.extend(forgotten(plan, desired, state, &by_id));
    out.extend(plan.duplicates.iter().filter(|d| d.delete).flat_map(|d| {
        d.image_ids.iter().map(|id| {
            Step::DeleteDuplicate(ReleaseStep {
                address: d.address.clone(),
                image_id: id.clone(),
            })
        })
    }));
    Ok(out)
}

/// Kasm's current values for an unchanged address, with the configuration's
/// `prevent_destroy` (set or cleared) when the address is still configured:
/// the flag protects from the first apply that has it.
fn refreshed(recorded: &StateResource, image: &Image, spec: Option<&ImageSpec>) -> StateResource {
    let mut record = recorded.refreshed(image);
    if let Some(spec) = spec {
        record.prevent_destroy = spec.lifecycle.prevent_destroy;
    }
    record
}

/// A create, or an adopt of the unowned image that already matches it.
fn create(
    change: &ResourceChange,
    spec: &ImageSpec,
    observed: &[Image],
    owned: &mut BTreeSet<String>,
) -> Step {
    let address = change.address.clone();
    let recording = Recording::of(spec, &address);
    let body = create_body(spec, &address);
    match recognise(&body, observed, owned) {
        Some(found) => {
            owned.insert(canon(&found.image_id));
            Step::Adopt(AdoptStep {
                address,
                image_id: found.image_id.clone(),
                recording,
            })
        }
        None => Step::Create(CreateStep {
            address,
            target_image: body,
            recording,
        }),
    }
}

/// An update: Kasm's image with the changed fields, as one full request body.
fn update(change: &ResourceChange, spec: &ImageSpec, image: &Image) -> Step {
    let changes: Vec<(Field, Value)> = change
        .changes
        .iter()
        .map(|c| (c.field, c.after.clone()))
        .collect();
    Step::Update(UpdateStep {
        address: change.address.clone(),
        image_id: image.image_id.clone(),
        target_image: update_body(image, &changes, spec.docker_token.as_ref()),
        recording: Recording::of(spec, &change.address),
    })
}

/// Addresses in state that are in neither the plan, the config nor Kasm.
fn forgotten(
    plan: &Plan,
    desired: &BTreeMap<String, ImageSpec>,
    state: &State,
    by_id: &BTreeMap<String, &Image>,
) -> Vec<Step> {
    let planned: BTreeSet<&str> = plan
        .resource_changes
        .iter()
        .map(|c| c.address.as_str())
        .collect();
    state
        .resources
        .iter()
        .filter(|(address, r)| {
            let gone = !by_id.contains_key(&canon(&r.image_id));
            let unconfigured = address
                .strip_prefix(&address_of(""))
                .is_some_and(|name| !desired.contains_key(name));
            gone && unconfigured && !planned.contains(address.as_str())
        })
        .map(|(address, r)| {
            Step::Forget(ReleaseStep {
                address: address.clone(),
                image_id: r.image_id.clone(),
            })
        })
        .collect()
}

/// The error for a planned change its inputs cannot carry out.
fn not_observed(change: &ResourceChange) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            Code::InvalidState,
            format!(
                "the plan changes {}, but its image is not among the images given",
                change.address
            ),
        )
        .at(&change.address, "")
        .help("plan and apply against the same list of Kasm's images"),
    )
}

/// The steps of a refresh-only apply: every address takes Kasm's current
/// values, and addresses whose image is gone are forgotten.
pub fn refresh_steps(state: &State, observed: &[Image]) -> Vec<Step> {
    let by_id: BTreeMap<String, &Image> =
        observed.iter().map(|i| (canon(&i.image_id), i)).collect();
    state
        .resources
        .iter()
        .map(|(address, r)| match by_id.get(&canon(&r.image_id)) {
            Some(image) => Step::Refresh(RefreshStep {
                address: address.clone(),
                record: r.refreshed(image),
            }),
            None => Step::Forget(ReleaseStep {
                address: address.clone(),
                image_id: r.image_id.clone(),
            }),
        })
        .collect()
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
        .find(|image| matches(body, image))
}

/// Whether an image Kasm lists holds every value of a create body.
pub fn matches(body: &Map<String, Value>, image: &Image) -> bool {
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

/// An image id in Kasm's form (32 lowercase hex), or as given when it is not one.
pub(crate) fn canon(id: &str) -> String {
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
        let r = StateResource::recorded(&image, Some(&fp), true);
        let text = serde_json::to_string(&r).unwrap_or_default();
        assert!(!text.contains("s3cret"));
        assert!(text.contains(&fp));
        assert!(r.prevent_destroy);
    }
}

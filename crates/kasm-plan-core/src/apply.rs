//! From a plan to the requests that carry it out, and from Kasm's answers to
//! state. Pure: the host sends the requests and reports the answers.
//!
//! Request bodies carry registry tokens in clear (Kasm needs them), so a
//! [`Step`] must never be printed or stored (its `Debug` leaves bodies out).

use crate::Field;
use crate::address::address_of;
use crate::change::{Action, Change, Plan};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Image, ImageSpec};
use crate::object::ObjectRecord;
use crate::schema::tables;
use crate::state::recorded::{Answered, recorded};
use crate::state::{State, refreshed_image};
pub use crate::step::{AdoptStep, CreateStep, MoveStep, ObjectRecordStep, ReleaseStep, Step};
use crate::step::{CallKind, CallStep};
use crate::wire::{create_body, update_body};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// An image's delete: `kasm_image`'s table call, then the address is forgotten.
fn delete(change: &Change) -> Result<Step, Box<Diagnostic>> {
    let id = change.id.as_deref().ok_or_else(|| not_observed(change))?;
    Ok(delete_call(&change.address, id, CallKind::Delete))
}

/// `delete_image` of an image: the address's own (`Delete`), or a
/// duplicate of its spec that no address manages (`Remove`).
fn delete_call(address: &str, id: &str, kind: CallKind) -> Step {
    let call = &tables::IMAGE_DELETE;
    let step = CallStep::of(call, kind, address, Some(id), &Map::new(), BTreeMap::new());
    Step::Call(Box::new(step))
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
    let mut owned: BTreeSet<String> = state.images().map(|(_, r)| canon(&r.id)).collect();
    let mut out = Vec::with_capacity(plan.resource_changes.len());
    for change in plan.image_changes() {
        let spec = desired.get(&change.name);
        let image = change
            .id
            .as_ref()
            .and_then(|id| by_id.get(&canon(id)).copied());
        let step = match (change.action, spec) {
            (Action::Create, Some(spec)) => Some(create(change, spec, observed, &mut owned)),
            (Action::Update, Some(spec)) => {
                let image = image.ok_or_else(|| not_observed(change))?;
                Some(update(change, spec, image))
            }
            (Action::Delete, _) => Some(delete(change)?),
            (Action::NoOp, spec) => {
                state
                    .image(&change.address)
                    .zip(image)
                    .map(|(recorded, image)| {
                        Step::RecordObject(ObjectRecordStep {
                            address: change.address.clone(),
                            record: refreshed(recorded, image, spec),
                        })
                    })
            }
            // Kasm's image goes first, then the spec is created afresh: a
            // replace never adopts a look-alike.
            (Action::Replace, Some(spec)) => {
                out.push(delete(change)?);
                Some(Step::Create(CreateStep {
                    address: change.address.clone(),
                    target_image: create_body(spec, &change.address),
                    record: recording(spec, &change.address),
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
        d.image_ids
            .iter()
            .map(|id| delete_call(&d.address, id, CallKind::Remove))
    }));
    Ok(out)
}

/// Kasm's current values for an unchanged address, with the configuration's
/// `prevent_destroy` (set or cleared) when the address is still configured:
/// the flag protects from the first apply that has it.
fn refreshed(recorded: &ObjectRecord, image: &Image, spec: Option<&ImageSpec>) -> ObjectRecord {
    let mut record = refreshed_image(recorded, image);
    if let Some(spec) = spec {
        record.prevent_destroy = spec.lifecycle.prevent_destroy;
    }
    record
}

/// A create, or an adopt of the unowned image that already matches it.
fn create(
    change: &Change,
    spec: &ImageSpec,
    observed: &[Image],
    owned: &mut BTreeSet<String>,
) -> Step {
    let address = change.address.clone();
    let record = recording(spec, &address);
    let body = create_body(spec, &address);
    match recognise(&body, observed, owned) {
        Some(found) => {
            owned.insert(canon(&found.image_id));
            // Recorded as a create's answer would be: Kasm's image as listed.
            let told = Answered {
                answer: serde_json::to_value(found).unwrap_or_default(),
                ..Answered::default()
            };
            let record = recorded(&address, record.clone(), &told).unwrap_or(record);
            Step::Adopt(AdoptStep {
                address,
                image_id: found.image_id.clone(),
                record,
            })
        }
        None => Step::Create(CreateStep {
            address,
            target_image: body,
            record,
        }),
    }
}

/// What an image's create, adopt or update records over Kasm's answer: the
/// registry token's fingerprint, when the spec sets one (Kasm shows it
/// masked), and `prevent_destroy`.
fn recording(spec: &ImageSpec, address: &str) -> ObjectRecord {
    let mut attributes = Map::new();
    if let Some(token) = &spec.docker_token {
        let fingerprint = token.fingerprint(address);
        attributes.insert(
            Field::DockerToken.spec_name().to_owned(),
            fingerprint.into(),
        );
    }
    ObjectRecord {
        id: String::new(),
        attributes: attributes.into(),
        prevent_destroy: spec.lifecycle.prevent_destroy,
    }
}

/// An update: `kasm_image`'s table call with Kasm's image and the changed
/// fields as one full request body; Kasm's answer is recorded.
fn update(change: &Change, spec: &ImageSpec, image: &Image) -> Step {
    let changes: Vec<(Field, Value)> = change
        .changes
        .iter()
        .filter_map(|c| Some((c.field()?, c.after.clone())))
        .collect();
    let body = update_body(image, &changes, spec.docker_token.as_ref());
    let id = image.image_id.as_str();
    let call = &tables::IMAGE_UPDATE;
    let mut step = CallStep::of(
        call,
        CallKind::Update,
        &change.address,
        Some(id),
        &body,
        BTreeMap::new(),
    );
    step.record = Some(ObjectRecord {
        id: id.to_owned(),
        ..recording(spec, &change.address)
    });
    step.record_answer = Some(tables::IMAGE_ANSWER.to_owned());
    Step::Call(Box::new(step))
}

/// Addresses in state that are in neither the plan, the config nor Kasm.
fn forgotten(
    plan: &Plan,
    desired: &BTreeMap<String, ImageSpec>,
    state: &State,
    by_id: &BTreeMap<String, &Image>,
) -> Vec<Step> {
    let planned: BTreeSet<&str> = plan.image_changes().map(|c| c.address.as_str()).collect();
    state
        .images()
        .filter(|(address, r)| {
            let gone = !by_id.contains_key(&canon(&r.id));
            let unconfigured = address
                .strip_prefix(&address_of(""))
                .is_some_and(|name| !desired.contains_key(name));
            gone && unconfigured && !planned.contains(address.as_str())
        })
        .map(|(address, r)| {
            Step::Forget(ReleaseStep {
                address: address.clone(),
                image_id: r.id.clone(),
            })
        })
        .collect()
}

/// The error for a planned change its inputs cannot carry out.
fn not_observed(change: &Change) -> Box<Diagnostic> {
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
        .images()
        .map(|(address, r)| match by_id.get(&canon(&r.id)) {
            Some(image) => Step::RecordObject(ObjectRecordStep {
                address: address.clone(),
                record: refreshed_image(r, image),
            }),
            None => Step::Forget(ReleaseStep {
                address: address.clone(),
                image_id: r.id.clone(),
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
    crate::model::canonical_id(id).into_owned()
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
        let r = crate::state::image_record(&image, Some(&fp), true);
        let text = serde_json::to_string(&r).unwrap_or_default();
        assert!(!text.contains("s3cret"));
        assert!(text.contains(&fp));
        assert!(r.prevent_destroy);
    }
}

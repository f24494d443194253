//! Property tests of the planner.
//!
//! The in-memory Kasm here takes the real request bodies from `wire` and stores
//! them the way Kasm does (bytes, JSON strings decoded, token masked), so
//! "apply then plan again gives nothing to do" exercises the unit conversions
//! both ways.

#![allow(clippy::indexing_slicing)] // positions come from `find` just before

use kasm_plan_core::json_text::JsonObject;
use kasm_plan_core::model::{Image, ImageSpec, Secret};
use kasm_plan_core::object::ObjectRecord;
use kasm_plan_core::plan::{Action, Plan, PlanOptions, address_of, plan};
use kasm_plan_core::state::{State, image_record, refreshed_image};
use kasm_plan_core::wire::{TOKEN_MASK, create_body, update_body};
use kasm_plan_core::{Field, IgnoreChanges};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

fn spec_strategy() -> impl Strategy<Value = ImageSpec> {
    let names = prop::sample::select(vec![
        "kasmweb/terminal:1.18.0",
        "kasmweb/chrome:1.18.0",
        "registry.company.com/dev:2.1",
        "ubuntu:focal",
    ]);
    let optional_text = prop::option::of("[a-z][a-z ]{0,20}");
    (
        (
            names,
            "[A-Z][a-z]{1,12}",
            optional_text,
            prop::option::of(256i64..=256_000),
            prop::option::of(prop::sample::select(vec![0.5, 1.0, 1.5, 2.0, 4.0])),
        ),
        (
            any::<bool>(),
            prop::option::of(0i64..50_000),
            prop::option::of(prop::sample::select(vec!["Container", "Server", "Link"])),
        ),
        (
            prop::option::of("[a-z]{1,8}"),
            prop::option::of("[a-z0-9]{4,12}"),
            prop::option::of(any::<bool>()),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (name, friendly, description, memory, cores),
                (enabled, size, image_type),
                (host, token, network, ignore),
            )| ImageSpec {
                name: name.to_owned(),
                image_src: "img/thumbnails/x.png".to_owned(),
                friendly_name: friendly,
                description,
                docker_registry: None,
                docker_user: token.as_ref().map(|_| "robot".to_owned()),
                docker_token: token.map(Secret::new),
                memory,
                cores,
                enabled,
                uncompressed_size_mb: size,
                image_type: image_type.map(str::to_owned),
                run_config: host.map(|h| {
                    JsonObject::of_map(
                        &json!({"hostname": h})
                            .as_object()
                            .cloned()
                            .unwrap_or_default(),
                    )
                }),
                exec_config: None,
                volume_mapping: None,
                restrict_to_network: network,
                network_name: network.filter(|n| *n).map(|_| "kasm_net".to_owned()),
                restrict_to_server: None,
                server_id: None,
                restrict_to_zone: None,
                zone_id: None,
                lifecycle: kasm_plan_core::Lifecycle {
                    ignore_changes: if ignore {
                        IgnoreChanges::Fields(vec![Field::Description])
                    } else {
                        IgnoreChanges::None
                    },
                    prevent_destroy: false,
                },
                sensitive: Vec::new(),
            },
        )
}

fn desired_strategy() -> impl Strategy<Value = BTreeMap<String, ImageSpec>> {
    prop::collection::btree_map("[a-e]", spec_strategy(), 0..6)
}

/// A small model of Kasm's image store.
#[derive(Default)]
struct Kasm {
    images: Vec<Image>,
    next_id: u64,
}

impl Kasm {
    /// Stores a `target_image` over `base` as Kasm would, and returns the stored image.
    fn store(base: Image, body: &Map<String, Value>) -> Image {
        let mut merged = serde_json::to_value(&base)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        for (k, v) in body {
            let v = match (k.as_str(), v) {
                ("categories", Value::String(s)) => {
                    json!(s.split('\n').filter(|c| !c.is_empty()).collect::<Vec<_>>())
                }
                ("docker_token", Value::String(s)) if s == TOKEN_MASK => continue,
                ("docker_token", Value::String(_)) => json!(TOKEN_MASK),
                ("filter_policy_id", Value::String(s)) if s == "inherit" => Value::Null,
                ("cores", n) => json!(n.as_f64()),
                _ => v.clone(),
            };
            merged.insert(k.clone(), v);
        }
        serde_json::from_value(Value::Object(merged)).unwrap_or_default()
    }

    fn create(&mut self, body: &Map<String, Value>) -> Image {
        self.next_id += 1;
        let image = Kasm::store(
            Image {
                image_id: format!("{:032x}", self.next_id),
                ..Image::default()
            },
            body,
        );
        self.images.push(image.clone());
        image
    }

    fn find(&self, id: &str) -> Option<usize> {
        self.images.iter().position(|i| i.image_id == id)
    }

    /// Applies a plan as the host will: create, read-modify-write update, delete; records state.
    fn apply(&mut self, plan: &Plan, desired: &BTreeMap<String, ImageSpec>, state: &mut State) {
        for change in &plan.resource_changes {
            let spec = desired.get(&change.name);
            match (change.action, spec) {
                (Action::Create, Some(spec)) => {
                    let image = self.create(&create_body(spec, &change.address));
                    state.objects.insert(
                        change.address.clone(),
                        applied(&change.address, spec, &image),
                    );
                }
                (Action::Update, Some(spec)) => {
                    let id = change.id.clone().unwrap_or_default();
                    let Some(at) = self.find(&id) else { continue };
                    let edits: Vec<(Field, Value)> = change
                        .changes
                        .iter()
                        .filter_map(|c| Some((c.field()?, c.after.clone())))
                        .collect();
                    let body = update_body(&self.images[at], &edits, spec.docker_token.as_ref());
                    self.images[at] = Kasm::store(self.images[at].clone(), &body);
                    state.objects.insert(
                        change.address.clone(),
                        applied(&change.address, spec, &self.images[at]),
                    );
                }
                (Action::NoOp, Some(_)) => {
                    let id = change.id.clone().unwrap_or_default();
                    if let (Some(at), Some(r)) = (self.find(&id), state.image(&change.address)) {
                        let refreshed = refreshed_image(r, &self.images[at]);
                        state.objects.insert(change.address.clone(), refreshed);
                    }
                }
                (Action::Delete, _) => {
                    self.images
                        .retain(|i| Some(&i.image_id) != change.id.as_ref());
                    state.objects.remove(&change.address);
                }
                _ => {}
            }
        }
        for d in plan
            .resource_drift
            .iter()
            .filter(|d| d.action == Action::Delete)
        {
            if !plan.resource_changes.iter().any(|c| c.address == d.address) {
                state.objects.remove(&d.address);
            }
        }
        state.serial += 1;
    }
}

/// Full values everywhere, so determinism covers them too.
fn opts() -> PlanOptions {
    PlanOptions {
        unchanged_values: true,
        ..PlanOptions::default()
    }
}

fn nothing_to_do(p: &Plan) -> bool {
    !p.has_changes() && p.resource_drift.is_empty()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Same inputs, same plan; the order Kasm lists images in does not matter.
    #[test]
    fn planning_is_deterministic(desired in desired_strategy(), seed in desired_strategy(), rotate in 0usize..5) {
        let mut kasm = Kasm::default();
        let mut state = State::default();
        let first = plan(&seed, &state, &kasm.images, &opts()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        kasm.apply(&first, &seed, &mut state);
        let a = plan(&desired, &state, &kasm.images, &opts());
        let b = plan(&desired, &state, &kasm.images, &opts());
        prop_assert_eq!(&a, &b);
        let mut shuffled = kasm.images.clone();
        if !shuffled.is_empty() {
            let n = rotate % shuffled.len();
            shuffled.rotate_left(n);
        }
        prop_assert_eq!(a, plan(&desired, &state, &shuffled, &opts()));
    }

    /// When Kasm already holds exactly the desired images, the plan is empty.
    #[test]
    fn identical_desired_and_observed_gives_no_changes(desired in desired_strategy()) {
        let mut kasm = Kasm::default();
        let mut state = State::default();
        for (name, spec) in &desired {
            let address = address_of(name);
            let image = kasm.create(&create_body(spec, &address));
            state.objects.insert(address.clone(), applied(&address, spec, &image));
        }
        let p = plan(&desired, &state, &kasm.images, &opts()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert!(nothing_to_do(&p), "{:?}", p.resource_changes);
        prop_assert_eq!(p.summary.unchanged, desired.len());
    }

    /// From any starting point (other images, drift, deletions outside), one
    /// apply converges: planning again finds nothing to do.
    #[test]
    fn apply_then_plan_converges(
        before in desired_strategy(),
        after in desired_strategy(),
        tamper_memory in prop::option::of(256i64..=256_000),
        delete_first in any::<bool>(),
    ) {
        let mut kasm = Kasm::default();
        let mut state = State::default();
        let p = plan(&before, &state, &kasm.images, &opts()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        kasm.apply(&p, &before, &mut state);
        // Changes made outside kasm-plan.
        if let (Some(mb), Some(img)) = (tamper_memory, kasm.images.last_mut()) {
            img.memory = mb * 1_000_000;
        }
        if delete_first && !kasm.images.is_empty() {
            kasm.images.remove(0);
        }
        kasm.create(&Map::from_iter([("name".to_owned(), json!("unmanaged:1.0"))]));

        let p = plan(&after, &state, &kasm.images, &opts()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        kasm.apply(&p, &after, &mut state);
        let again = plan(&after, &state, &kasm.images, &opts()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert!(nothing_to_do(&again), "changes {:?}\ndrift {:?}", again.resource_changes, again.resource_drift);
        prop_assert_eq!(state.images().count(), after.len());
        // The unmanaged image is never touched.
        prop_assert!(kasm.images.iter().any(|i| i.name.as_deref() == Some("unmanaged:1.0")));
    }
}

/// The state entry the host records after applying `spec` at `address`.
fn applied(address: &str, spec: &ImageSpec, image: &Image) -> ObjectRecord {
    let fingerprint = spec.docker_token.as_ref().map(|t| t.fingerprint(address));
    image_record(
        image,
        fingerprint.as_deref(),
        spec.lifecycle.prevent_destroy,
    )
}

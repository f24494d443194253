//! A structure-aware target: arbitrary specs, images and state bindings built
//! from the bytes (so that mutation reaches planning, not just the parser),
//! planned with every option, and checked for invariants that must hold.

use arbitrary::{Arbitrary, Unstructured};
use kasm_plan_core::facade::{self, Desired, PlanRequest};
use kasm_plan_core::plan::{Action, PlanOptions};
use kasm_plan_core::state::image_record;
use kasm_plan_core::{Image, State};
use serde_json::{Map, Value, json};

const REFERENCES: [&str; 4] = [
    "kasmweb/terminal:1.18.0",
    "kasmweb/chrome:1.18.0",
    "registry.example.com/team/app@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    "Ubuntu Workspace",
];

fn reference(pick: u8) -> &'static str {
    REFERENCES
        .get(usize::from(pick) % REFERENCES.len())
        .copied()
        .unwrap_or_default()
}

#[derive(Arbitrary, Debug)]
struct Spec {
    reference: u8,
    memory: Option<i32>,
    cores: Option<u8>,
    enabled: Option<bool>,
    description: Option<String>,
    run_config: Option<Vec<(String, String)>>,
    ignore_description: bool,
    prevent_destroy: bool,
}

#[derive(Arbitrary, Debug)]
struct Kasm {
    reference: u8,
    memory: u32,
    cores: u8,
    enabled: bool,
    description: Option<String>,
}

#[derive(Arbitrary, Debug)]
struct Case {
    specs: Vec<Spec>,
    images: Vec<Kasm>,
    /// (spec, image) pairs bound in the state.
    bound: Vec<(u8, u8)>,
    unchanged_values: bool,
    delete_duplicates: bool,
    from_state: bool,
    refresh_only: bool,
}

/// Builds a case from the bytes, plans it, and checks that planning is
/// deterministic, that `apply_steps` plans the same, and that the summary
/// counts the actions (and the duplicates it deletes).
pub fn plan(data: &[u8]) {
    let Ok(case) = Case::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    let images: Vec<Image> = case
        .images
        .iter()
        .enumerate()
        .filter_map(|(i, k)| image(i, k))
        .collect();
    let request = PlanRequest {
        desired: Desired::Document {
            images: case.specs.iter().enumerate().map(spec).collect(),
        },
        state: state(&case, &images),
        observed: images,
        access: None,
        strict: false,
        options: PlanOptions {
            unchanged_values: case.unchanged_values,
            delete_duplicates: case.delete_duplicates,
            ..PlanOptions::default()
        },
        from_state: case.from_state,
        refresh_only: case.refresh_only,
        // The text too: the renderer is fuzzed with the planner.
        render: true,
    };
    let first = facade::plan(&request);
    assert_eq!(first, facade::plan(&request), "planning is deterministic");
    let steps = facade::apply_steps(&request);
    if let (Some(plan), true) = (&first.plan, first.ok) {
        assert!(
            steps.ok,
            "apply_steps refuses a plan that plan made: {steps:?}"
        );
        assert_eq!(
            steps.plan.as_ref(),
            Some(plan),
            "apply_steps plans the same"
        );
        let count = |a: Action| {
            plan.resource_changes
                .iter()
                .filter(|c| c.action == a)
                .count()
        };
        // Duplicates deleted on request count among the destroys.
        let doomed: usize = plan
            .duplicates
            .iter()
            .filter(|d| d.delete)
            .map(|d| d.image_ids.len())
            .sum();
        let s = plan.summary;
        assert_eq!(
            (s.add, s.change, s.destroy, s.unchanged),
            (
                count(Action::Create),
                count(Action::Update),
                count(Action::Delete) + doomed,
                count(Action::NoOp)
            ),
        );
    }
}

fn spec((i, s): (usize, &Spec)) -> (String, Value) {
    let reference = reference(s.reference);
    let mut o = Map::new();
    o.insert("name".into(), json!(reference));
    o.insert("image_src".into(), json!("img/thumbnails/t.png"));
    o.insert("friendly_name".into(), json!(format!("App {i}")));
    if let Some(m) = s.memory {
        o.insert("memory".into(), json!(m));
    }
    if let Some(c) = s.cores {
        o.insert("cores".into(), json!(c));
    }
    if let Some(e) = s.enabled {
        o.insert("enabled".into(), json!(e));
    }
    if let Some(d) = &s.description {
        o.insert("description".into(), json!(d));
    }
    if let Some(rc) = &s.run_config {
        let rc: Map<String, Value> = rc.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        o.insert("run_config".into(), Value::Object(rc));
    }
    let mut lifecycle = Map::new();
    if s.ignore_description {
        lifecycle.insert("ignore_changes".into(), json!(["description"]));
    }
    if s.prevent_destroy {
        lifecycle.insert("prevent_destroy".into(), json!(true));
    }
    if !lifecycle.is_empty() {
        o.insert("lifecycle".into(), Value::Object(lifecycle));
    }
    (format!("app_{i}"), Value::Object(o))
}

fn image(i: usize, k: &Kasm) -> Option<Image> {
    let value = json!({
        "image_id": format!("{i:032x}"),
        "name": reference(k.reference),
        "image_src": "img/thumbnails/t.png",
        "friendly_name": format!("App {i}"),
        "memory": k.memory,
        "cores": k.cores,
        "enabled": k.enabled,
        "description": k.description,
    });
    serde_json::from_value(value).ok()
}

fn state(case: &Case, images: &[Image]) -> State {
    let mut state = State::default();
    for (s, i) in &case.bound {
        let (Some(spec), Some(image)) = (
            case.specs.get(usize::from(*s) % case.specs.len().max(1)),
            images.get(usize::from(*i) % images.len().max(1)),
        ) else {
            continue;
        };
        let address = format!(
            "kasm_image.app_{}",
            usize::from(*s) % case.specs.len().max(1)
        );
        let entry = image_record(image, None, spec.prevent_destroy);
        state.objects.insert(address, entry);
    }
    state
}

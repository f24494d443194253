//! Synthetic inputs of any size, for benchmarks in every binding (native,
//! component, npm) so that they measure the same work.

use kasm_plan_core::plan::address_of;
use kasm_plan_core::state::image_record;
use kasm_plan_core::wire::create_body;
use kasm_plan_core::{Image, ImageSpec, State};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The `i`th spec, as JSON.
pub fn spec_json(i: usize) -> Value {
    json!({
        "name": format!("kasmweb/app-{}:1.18.{}", i % 97, i % 7),
        "image_src": format!("img/thumbnails/app-{i}.png"),
        "friendly_name": format!("App {i}"),
        "description": "A workspace image used for benchmarking",
        "memory": 2768 + (i % 10) as i64 * 256,
        "cores": 1 + (i % 4) as i64,
        "image_type": "Container",
        "run_config": { "hostname": format!("app{i}") },
        "volume_mapping": { "/data": { "bind": "/data", "mode": "rw", "uid": 1000, "gid": 1000 } }
    })
}

/// `n` specs as a JSON document (`{"images": {...}}`), all valid.
pub fn json_source(n: usize) -> String {
    let images: Map<String, Value> = (0..n).map(|i| (format!("app_{i}"), spec_json(i))).collect();
    json!({ "images": images }).to_string()
}

/// `n` specs as HCL, all valid.
pub fn hcl_source(n: usize) -> String {
    let mut hcl = String::new();
    for i in 0..n {
        hcl.push_str(&format!(
            "resource \"kasm_image\" \"app_{i}\" {{\n  name = \"kasmweb/app-{}:1.18.0\"\n  image_src = \"img/thumbnails/app-{i}.png\"\n  friendly_name = \"App {i}\"\n  memory = 2768\n  cores = 2\n  run_config = {{ hostname = \"app{i}\" }}\n}}\n",
            i % 97
        ));
    }
    hcl
}

/// The same `n` specs as [`hcl_source`], as a JSON document: the cost of the
/// format apart from the cost of the spec (the JSON bench's spec has more
/// attributes and objects).
pub fn hcl_specs_as_json(n: usize) -> String {
    let images: Map<String, Value> = (0..n)
        .map(|i| {
            let spec = json!({
                "name": format!("kasmweb/app-{}:1.18.0", i % 97),
                "image_src": format!("img/thumbnails/app-{i}.png"),
                "friendly_name": format!("App {i}"),
                "memory": 2768,
                "cores": 2,
                "run_config": { "hostname": format!("app{i}") }
            });
            (format!("app_{i}"), spec)
        })
        .collect();
    json!({ "images": images }).to_string()
}

/// The same `n` specs as [`hcl_source`], written as a configuration would:
/// a variable (a map of the apps) and one resource with `for_each`, its
/// values from `each`, templates and functions.
pub fn for_each_source(n: usize) -> String {
    let mut apps = String::new();
    for i in 0..n {
        apps.push_str(&format!("    app_{i} = {{ tag = {}, n = {i} }}\n", i % 97));
    }
    format!(
        "variable \"apps\" {{\n  default = {{\n{apps}  }}\n}}\nlocals {{\n  memory = 2768\n}}\n\
resource \"kasm_image\" \"app\" {{\n  for_each = var.apps\n  name = \"kasmweb/app-${{each.value.tag}}:1.18.0\"\n\
  image_src = \"img/thumbnails/app-${{each.value.n}}.png\"\n  friendly_name = format(\"App %d\", each.value.n)\n\
  memory = local.memory\n  cores = 2\n  run_config = jsonencode({{ hostname = \"app${{each.value.n}}\" }})\n}}\n"
    )
}

/// `n` desired specs, each applied (bound in state) and on Kasm; every tenth
/// image's memory was changed on Kasm since, so a plan updates `n / 10`.
pub fn plan_inputs(n: usize) -> (BTreeMap<String, ImageSpec>, State, Vec<Image>) {
    let mut desired = BTreeMap::new();
    let mut state = State::default();
    let mut observed = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("app_{i}");
        let Ok(spec) = serde_json::from_value::<ImageSpec>(spec_json(i)) else {
            continue;
        };
        let address = address_of(&name);
        let mut merged = serde_json::to_value(Image::default()).unwrap_or_default();
        if let Some(obj) = merged.as_object_mut() {
            obj.extend(create_body(&spec, &address));
            obj.insert("image_id".into(), json!(format!("{i:032x}")));
        }
        let Ok(mut image) = serde_json::from_value::<Image>(merged) else {
            continue;
        };
        let fingerprint = spec.docker_token.as_ref().map(|t| t.fingerprint(&address));
        let recorded = image_record(&image, fingerprint.as_deref(), false);
        state.objects.insert(address.clone(), recorded);
        if i % 10 == 0 {
            image.memory += 1_000_000_000;
        }
        observed.push(image);
        desired.insert(name, spec);
    }
    (desired, state, observed)
}

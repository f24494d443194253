//! What each fuzz target does. The cargo-fuzz targets (`fuzz/fuzz_targets/`)
//! are one line each over these functions, so the same code runs under
//! libFuzzer on nightly and, seed by seed, in the ordinary tests on stable.
//!
//! Every function takes outside bytes and must return, whatever they are:
//! a panic, a hang or an abort is a finding. Answers (errors included) are
//! thrown away.

pub mod seeds;
pub mod structured;

use kasm_plan_core::facade::{
    self, Desired, PlanRequest, PolicyRequest, SourceInput, ValidateRequest,
};
use kasm_plan_core::policy_set::{PolicyFile, PolicyFormat};
use kasm_plan_core::{Format, Image, State};
use serde_json::Value;

/// A fuzz target: takes any bytes, must return.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name (a `fuzz/fuzz_targets/<name>.rs` each).
pub const TARGETS: &[(&str, Target)] = &[
    ("facade", facade),
    ("spec_hcl", spec_hcl),
    ("spec_json", spec_json),
    ("tfvars", tfvars),
    ("policy", policy),
    ("state", state),
    ("image_list", image_list),
    ("simulator", simulator),
    ("structured_plan", structured::plan),
];

/// A small valid configuration, for targets whose bytes are not the specs.
pub const SPECS: &str = "resource \"kasm_image\" \"t\" {\n  name = \"kasmweb/terminal:1.18.0\"\n  image_src = \"img/t.png\"\n  friendly_name = \"T\"\n  memory = 2768\n}\n";

/// A configuration whose variables take every kind of type, default, validation
/// and sensitivity, for the `tfvars` target.
pub const VARIABLES: &str = r#"variable "memory" {
  type = number
  validation {
    condition     = var.memory >= 256
    error_message = "too small"
  }
}
variable "apps" {
  type    = map(object({ memory = number, cores = optional(number, 2), tags = optional(list(string), []) }))
  default = {}
}
variable "names" {
  type    = set(string)
  default = []
}
variable "token" {
  type      = string
  sensitive = true
  default   = null
}
variable "anything" {
  default = null
}
resource "kasm_image" "app" {
  for_each      = var.apps
  name          = "kasmweb/${each.key}:1.18.0"
  image_src     = "img/t.png"
  friendly_name = join(" ", concat([each.key], each.value.tags, tolist(var.names)))
  memory        = each.value.memory
  cores         = each.value.cores
  docker_token  = var.token
}
"#;

/// A variables file against [`VARIABLES`]: the first byte picks HCL (even) or
/// JSON (odd), the rest is the file; then the same text as a `-var` value.
pub fn tfvars(data: &[u8]) {
    use kasm_plan_core::facade::Configuration;
    use kasm_plan_core::lang::{NamedValue, VariableFile, VariableInput};
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let file_name = if pick % 2 == 0 {
        "terraform.tfvars"
    } else {
        "terraform.tfvars.json"
    };
    let config = |variables| Configuration {
        sources: vec![SourceInput {
            source: VARIABLES.to_owned(),
            format: Some(Format::Hcl),
            file_name: Some("main.tf".into()),
        }],
        variables,
        workspace: None,
    };
    let file = VariableInput::File(VariableFile {
        source: text.to_owned(),
        file_name: Some(file_name.into()),
    });
    let _ = facade::validate_configuration(&config(vec![file]), false);
    let argument = VariableInput::Argument(NamedValue {
        name: "apps".into(),
        value: text.to_owned(),
    });
    let _ = facade::validate_configuration(&config(vec![argument]), false);
}

/// The facade's `call`: the first byte picks the operation, the rest is the request.
pub fn facade(data: &[u8]) {
    let Some((&pick, request)) = data.split_first() else {
        return;
    };
    let operation = facade::OPERATIONS
        .get(usize::from(pick) % facade::OPERATIONS.len())
        .copied()
        .unwrap_or("validate");
    if let Ok(text) = std::str::from_utf8(request) {
        let _ = facade::call(operation, text);
    }
}

fn source(data: &[u8], format: Format) -> Option<SourceInput> {
    let text = std::str::from_utf8(data).ok()?;
    Some(SourceInput {
        source: text.to_owned(),
        format: Some(format),
        file_name: None,
    })
}

/// Spec text in HCL: validated, then planned against nothing.
pub fn spec_hcl(data: &[u8]) {
    specs(data, Format::Hcl);
}

/// Spec text in JSON (our document or Terraform's JSON syntax).
pub fn spec_json(data: &[u8]) {
    specs(data, Format::Json);
}

fn specs(data: &[u8], format: Format) {
    let Some(input) = source(data, format) else {
        return;
    };
    let _ = facade::validate(&ValidateRequest {
        input: input.clone().into(),
        strict: false,
        unset_variables_unknown: false,
    });
    let _ = facade::plan(&plan_request(
        Desired::Source(input),
        State::default(),
        Vec::new(),
    ));
}

fn plan_request(desired: Desired, state: State, observed: Vec<Image>) -> PlanRequest {
    PlanRequest {
        state,
        observed,
        ..PlanRequest::new(desired)
    }
}

/// A policy file: the first byte picks JSON, HCL or Rego; checked on a small
/// configuration planned against no images (so rules on actions run too).
pub fn policy(data: &[u8]) {
    let Some((&pick, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let format = match pick % 3 {
        0 => PolicyFormat::Json,
        1 => PolicyFormat::Hcl,
        _ => PolicyFormat::Rego,
    };
    let _ = facade::policy_check(&PolicyRequest {
        policy: Some(PolicyFile {
            source: text.to_owned(),
            format: Some(format),
            file_name: None,
        }),
        policies: Vec::new(),
        desired: Desired::Source(SourceInput {
            source: SPECS.to_owned(),
            ..Default::default()
        }),
        state: None,
        observed: Some(Vec::new()),
        access: None,
        overrides: Vec::new(),
        rego_version: None,
        data: None,
        plan: None,
        // Small, so that a slow policy is a finding of its own, not a timeout.
        max_steps: Some(100_000),
    });
}

/// A state file: decoded as the host decodes it, then planned against
/// (refreshed from the images it records, and not).
pub fn state(data: &[u8]) {
    let Ok(state) = serde_json::from_slice::<State>(data) else {
        return;
    };
    let desired = || {
        Desired::Source(SourceInput {
            source: SPECS.to_owned(),
            ..Default::default()
        })
    };
    let _ = facade::apply_steps(&plan_request(desired(), state.clone(), Vec::new()));
    let _ = facade::apply_steps(&PlanRequest {
        from_state: true,
        ..plan_request(desired(), state, Vec::new())
    });
}

/// An image list (Kasm's `get_images` answer): filtered, then planned against.
pub fn image_list(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let list = value.get("images").cloned().unwrap_or(value);
    let Ok(images) = serde_json::from_value::<Vec<Image>>(list) else {
        return;
    };
    let _ = facade::filter(&facade::FilterRequest {
        images: images.clone(),
        filter: kasm_plan_core::filter::ImageFilter {
            name: Some("kasmweb/*".into()),
            enabled: Some(true),
        },
    });
    let desired = Desired::Source(SourceInput {
        source: SPECS.to_owned(),
        ..Default::default()
    });
    let _ = facade::apply_steps(&plan_request(desired, State::default(), images));
}

/// A request body to the simulator: the first byte picks create, update or
/// delete, run on a store holding one image, as the simulator's handler does.
pub fn simulator(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let world = kasm_sim::World::default();
    let mut images = Vec::new();
    let none = |_: &str| false;
    let _ = kasm_sim::rules::create(
        &mut images,
        &world,
        &none,
        &serde_json::json!({"target_image": {"name": "kasmweb/t:1", "friendly_name": "T"}}),
        "0123456789abcdef0123456789abcdef".into(),
    );
    let _ = match pick % 3 {
        0 => kasm_sim::rules::create(&mut images, &world, &none, &body, "f".repeat(32)),
        1 => kasm_sim::rules::update(&mut images, &world, &none, &body, pick & 4 == 0),
        _ => kasm_sim::rules::delete(&mut images, &world, &body),
    };
}

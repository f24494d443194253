//! `output` blocks through the CLI against the Kasm simulator: shown in the
//! plan, recorded after apply with the ids Kasm gave, printed by `output`,
//! sensitive ones never written out.

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::kasm::Kasm;
use common::{code, out, stdout};
use serde_json::{Value, json};

/// The seed's outputs over the `kasm_images` data source, an id Kasm
/// gives, and a sensitive value.
const CONFIG: &str = r#"
variable "registry_token" {
  type      = string
  sensitive = true
  default   = "tok-outputs-7f3a"
}

data "kasm_images" "all" {}

resource "kasm_image" "terminal" {
  name          = "kasmweb/terminal:1.18.0"
  image_src     = "img/thumbnails/terminal.png"
  friendly_name = "Terminal"
  memory        = 2768
  cores         = 2
}

output "all_images" {
  value = data.kasm_images.all.images[*].name
}

output "enabled_images" {
  value = [for img in data.kasm_images.all.images : img.friendly_name if img.enabled]
}

output "terminal_id" {
  description = "Kasm's id of the terminal image"
  value       = kasm_image.terminal.id
}

output "token" {
  value     = var.registry_token
  sensitive = true
}
"#;

#[test]
fn outputs_are_planned_recorded_and_printed() {
    let k = Kasm::start();
    let file = k.write("main.tf", CONFIG);

    let o = k.run(&["plan", &file]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let plan = stdout(&o);
    assert!(plan.contains("Changes to Outputs:"), "{plan}");
    assert!(
        plan.contains("+ terminal_id    = (known after apply)"),
        "{plan}"
    );
    assert!(
        plan.contains("+ token          = (sensitive value)"),
        "{plan}"
    );

    let o = k.run(&["apply", &file, "-auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let id = k
        .images()
        .into_iter()
        .find(|i| i.name.as_deref() == Some("kasmweb/terminal:1.18.0"))
        .map(|i| i.image_id)
        .unwrap_or_else(|| panic!("no image: {}", out(&o)));
    assert!(
        stdout(&o).contains("Outputs:\n\nall_images = ["),
        "{}",
        out(&o)
    );
    assert!(
        stdout(&o).contains(&format!("terminal_id = \"{id}\"")),
        "{}",
        out(&o)
    );
    assert!(stdout(&o).contains("token = <sensitive>"), "{}", out(&o));

    // The outputs saw Kasm as the apply left it: nothing is left to do.
    let o = k.run(&["plan", &file, "-detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}", out(&o));

    let o = k.run(&["output", "-json"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let all: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", out(&o)));
    assert_eq!(
        all["terminal_id"],
        json!({"sensitive": false, "type": "string", "value": id})
    );
    assert_eq!(all["token"], json!({"sensitive": true}));
    let names = all["all_images"]["value"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(names.contains(&json!("kasmweb/terminal:1.18.0")), "{all}");
    let o = k.run(&["output", "-raw", "terminal_id"]);
    assert_eq!((code(&o), stdout(&o)), (0, id.clone()), "{}", out(&o));
    let o = k.run(&["output", "terminal_id"]);
    assert_eq!(stdout(&o), format!("\"{id}\"\n"), "{}", out(&o));

    // A sensitive value is not kept, so it cannot be printed; an unknown name is named.
    let o = k.run(&["output", "-raw", "token"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(out(&o).contains("is sensitive"), "{}", out(&o));
    let o = k.run(&["output", "terminal"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(
        out(&o).contains("Output \"terminal\" not found"),
        "{}",
        out(&o)
    );

    // The token is in no file the CLI wrote.
    for entry in std::fs::read_dir(k.path(".")).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if path.file_name().is_some_and(|n| n != "main.tf") {
            assert!(
                !text.contains("tok-outputs-7f3a"),
                "{} holds the token",
                path.display()
            );
        }
    }

    // An output no longer declared is removed from the state by the next apply.
    let fewer = CONFIG.replace("output \"enabled_images\"", "output \"enabled\"");
    let file = k.write("main.tf", &fewer);
    let o = k.run(&["plan", &file]);
    assert!(stdout(&o).contains("- enabled_images"), "{}", out(&o));
    assert!(
        stdout(&o).contains("You can apply this plan to save these new output values"),
        "{}",
        out(&o)
    );
    let o = k.run(&["apply", &file, "-auto-approve"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let state = k.state();
    assert!(state["outputs"]["enabled_images"].is_null(), "{state}");
    assert!(state["outputs"]["enabled"]["value"].is_array(), "{state}");
}

#[test]
fn an_output_of_a_secret_must_say_it_is_sensitive() {
    let k = Kasm::start();
    let file = k.write(
        "main.tf",
        "variable \"t\" {\n  sensitive = true\n  default   = \"x\"\n}\n\noutput \"t\" {\n  value = var.t\n}\n",
    );
    let o = k.run(&["validate", &file]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(out(&o).contains("sensitive_output"), "{}", out(&o));
    assert!(
        out(&o).contains("refers to sensitive values"),
        "{}",
        out(&o)
    );
}

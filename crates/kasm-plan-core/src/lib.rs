//! kasm-plan's core: parse, validate, filter and plan Kasm Workspaces images.
//!
//! Pure: no I/O, no clock, no randomness, so the same code runs natively, as a
//! WebAssembly component and in the browser. Front doors call [`facade`].
//!
//! ```
//! use kasm_plan_core::facade::{validate, SourceInput, ValidateRequest};
//! let source = r#"resource "kasm_image" "t" {
//!   name = "kasmweb/terminal:1.18.0"
//!   image_src = "img/thumbnails/terminal.png"
//!   friendly_name = "Terminal"
//!   memory = 100
//! }"#;
//! let answer = validate(&ValidateRequest { input: SourceInput { source: source.into(), ..Default::default() }.into(), strict: false, unset_variables_unknown: false });
//! assert!(!answer.valid);
//! assert_eq!(answer.diagnostics[0].path.as_deref(), Some("kasm_image.t.memory"));
//! ```

pub mod access;
pub mod address;
pub mod adopt;
pub mod apply;
pub mod attributes;
pub mod change;
pub mod diagnostic;
pub mod duplicates;
pub mod edits;
pub mod facade;
pub mod field;
pub mod filter;
pub mod format;
pub mod graph;
pub mod group;
pub mod json_text;
pub mod lang;
pub mod model;
pub mod names;
pub mod object;
pub mod outputs;
pub mod parse;
pub mod plan;
pub mod plan_json;
pub mod policy;
pub mod policy_set;
pub mod positions;
pub mod reference;
#[cfg(feature = "rego")]
pub mod rego;
pub mod render;
pub mod schema;
pub mod state;
pub mod step;
pub mod targeting;
pub mod terraform_state;
#[cfg(feature = "typescript")]
pub mod typescript;
pub mod typing;
pub mod validate;
pub mod wire;

pub use diagnostic::{Code, Diagnostic, Location, Position, Severity};
pub use field::Field;
pub use model::{IgnoreChanges, Image, ImageSpec, Lifecycle, Secret};
pub use parse::Format;
pub use plan::{Action, Plan, Reason};
pub use state::State;

//! The part of the Terraform language that image configurations use:
//! expressions, functions, variables, locals, `count` and `for_each`.
//!
//! Why an evaluator of our own rather than hcl-rs's: Terraform's semantics need
//! typed values (a set is not a list), values known only after apply,
//! sensitivity that follows values, and errors that point at the
//! sub-expression at fault. hcl-edit still does all the parsing.

pub mod blocks;
pub mod body;
pub mod config;
pub mod convert;
pub mod describe;
pub mod eval;
pub mod expr;
pub mod functions;
pub mod hcl;
pub mod json;
pub mod locals;
pub mod resources;
pub mod types;
pub mod value;
pub mod variables;

use crate::diagnostic::Diagnostic;
use crate::parse::{Described, Document};
use body::File;
use config::Config;
pub use variables::{NamedValue, VariableFile, VariableInput};

/// Evaluates a configuration's files with variable values: the `kasm_image`
/// instances with their attribute values, and every problem found.
pub fn load(files: Vec<File>, inputs: &[VariableInput], workspace: Option<&str>) -> Document {
    evaluate(files, inputs, workspace, false)
}

/// [`load`], with the configuration described as plan JSON describes it (for plans).
pub fn load_described(
    files: Vec<File>,
    inputs: &[VariableInput],
    workspace: Option<&str>,
) -> Document {
    evaluate(files, inputs, workspace, true)
}

fn evaluate(
    files: Vec<File>,
    inputs: &[VariableInput],
    workspace: Option<&str>,
    describe: bool,
) -> Document {
    let mut config = Config::from_files(files);
    let mut diagnostics: Vec<Diagnostic> = std::mem::take(&mut config.diagnostics);
    let (vars, found) = variables::resolve(&config.variables, inputs);
    diagnostics.extend(found);
    let (locals, found) = locals::evaluate_all(&config.locals, &vars, workspace);
    diagnostics.extend(found);
    let cx = resources::Context {
        vars: &vars,
        locals: &locals,
        workspace,
    };
    let resources: Vec<_> = config
        .resources
        .iter()
        .flat_map(|r| resources::instances(r, &cx, &mut diagnostics))
        .collect();
    let moves = blocks::moves(&config.moved, &mut diagnostics);
    let imports = blocks::imports(&config.imports, &resources, &cx, &mut diagnostics);
    let described = describe.then(|| Described {
        configuration: describe::configuration(&config),
        variables: describe::values(&vars),
    });
    Document {
        resources,
        moves,
        imports,
        described,
        diagnostics,
    }
}

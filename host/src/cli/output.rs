//! `kasm-plan output [NAME]`: the outputs the last apply recorded in the
//! state, as Terraform's `output` prints them.

use super::configuration::current_backend_block;
use super::{CliError, CoreArgs, Outcome};
use crate::state_file::backend::{Backend, BackendArgs, local_path};
use kasm_plan_core::render::hcl_value;
use kasm_plan_core::state::StateOutput;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `output`.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// One output; without it, all of them.
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// As JSON: the value of NAME, or every output with its type.
    #[arg(long, conflicts_with = "raw")]
    pub json: bool,
    /// NAME's value as it is, for scripts: a string without quotes (text,
    /// numbers and bools only).
    #[arg(long, requires = "name")]
    pub raw: bool,
    /// The state file.
    #[arg(long, value_name = "PATH", default_value = crate::state_file::DEFAULT)]
    pub state: PathBuf,
    #[command(flatten)]
    pub backend: BackendArgs,
}

pub fn run(core: &CoreArgs, args: &OutputArgs) -> Outcome {
    let outputs = recorded(core, args)?;
    match &args.name {
        Some(name) => one(args, name, &outputs),
        None if args.json => {
            let all: serde_json::Map<String, Value> = outputs
                .iter()
                .map(|(name, o)| (name.clone(), described(o)))
                .collect();
            println!("{}", serde_json::to_string_pretty(&all)?);
            Ok(ExitCode::SUCCESS)
        }
        None if outputs.is_empty() => {
            eprintln!(
                "Warning: No outputs found\n\nThe state has no outputs: the configuration declares none, or it has not been applied since they were added."
            );
            Ok(ExitCode::SUCCESS)
        }
        None => {
            for (name, o) in &outputs {
                println!("{name} = {}", shown(o));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The outputs the state of the backend and workspace in use records.
fn recorded(core: &CoreArgs, args: &OutputArgs) -> Result<BTreeMap<String, StateOutput>, CliError> {
    let backend = args.backend.with_block(current_backend_block(core)?);
    let file = local_path(&args.state, &backend.workspace()?);
    if backend.backend()? == Backend::Local && !file.exists() {
        return Ok(BTreeMap::new());
    }
    let locked = backend.open(&args.state, std::time::Duration::ZERO, "output")?;
    Ok(locked.state.outputs.clone())
}

fn one(args: &OutputArgs, name: &str, outputs: &BTreeMap<String, StateOutput>) -> Outcome {
    let Some(o) = outputs.get(name) else {
        let known: Vec<&str> = outputs.keys().map(String::as_str).collect();
        let have = if known.is_empty() {
            "the state has no outputs".to_owned()
        } else {
            format!("the state has {}", known.join(", "))
        };
        return Err(CliError::Stop(format!(
            "Output \"{name}\" not found: {have}; an output is recorded when `apply` completes"
        )));
    };
    let value = match (&o.value, o.sensitive) {
        (Some(v), false) => v,
        (_, true) if args.json || args.raw => {
            return Err(CliError::Stop(format!(
                "output \"{name}\" is sensitive: kasm-plan writes no secret to the state, so its value is not kept (Terraform's would be); give it to what needs it from its source, e.g. the variable"
            )));
        }
        (_, true) => {
            println!("<sensitive>");
            return Ok(ExitCode::SUCCESS);
        }
        (None, false) => &Value::Null,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else if args.raw {
        match value {
            Value::String(s) => print!("{s}"),
            Value::Number(_) | Value::Bool(_) => print!("{value}"),
            _ => {
                return Err(CliError::Stop(format!(
                    "Unsupported value for raw output: output \"{name}\" is not a string, number or bool; use -json for it"
                )));
            }
        }
    } else {
        println!("{}", hcl_value(value));
    }
    Ok(ExitCode::SUCCESS)
}

fn shown(o: &StateOutput) -> String {
    match (&o.value, o.sensitive) {
        (_, true) => "<sensitive>".into(),
        (Some(v), false) => hcl_value(v),
        (None, false) => "null".into(),
    }
}

/// `{"sensitive", "type", "value"}` as Terraform's `output -json` gives
/// each output; a sensitive one has no value here (none is kept).
fn described(o: &StateOutput) -> Value {
    let mut out = json!({ "sensitive": o.sensitive });
    if let (Some(v), Some(map)) = (&o.value, out.as_object_mut()) {
        map.insert("type".into(), kasm_plan_core::plan_json::type_of(v));
        map.insert("value".into(), v.clone());
    }
    out
}

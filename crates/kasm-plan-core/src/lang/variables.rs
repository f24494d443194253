//! Input variables: their values from the environment, tfvars files and the
//! command line, with Terraform's precedence, type conversion, nullability
//! and `validation` blocks.

use super::config::{Declared, Variable};
use super::eval::{Failure, Named, Scope, evaluate};
use super::expr::Expr;
use super::types::conform;
use super::value::Value;
use super::{convert, hcl, json};
use crate::diagnostic::{Code, Diagnostic, Location, Severity};
use crate::lang::raw::Format;
use crate::names::did_you_mean;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A value for a variable, given from outside the configuration. Several are
/// given lowest precedence first, as Terraform orders them: the environment,
/// `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)` in
/// lexical order, then `-var` and `-var-file` in command-line order.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum VariableInput {
    /// `TF_VAR_<name>` from the environment; undeclared names are ignored.
    Environment(NamedValue),
    /// A `.tfvars` (HCL) or `.tfvars.json` file; undeclared names are a warning.
    File(VariableFile),
    /// `-var 'name=value'`; an undeclared name is an error.
    Argument(NamedValue),
}

/// A variable's value as text, as the environment and the command line give it.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedValue {
    /// The variable's name.
    pub name: String,
    /// The text: taken as it is for a primitive type, read as an expression otherwise.
    pub value: String,
}

/// A variables file.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariableFile {
    /// The file's text.
    pub source: String,
    /// Its name, which also tells its language (`.tfvars.json` is JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

/// A value given for a variable, and where it came from.
struct Given {
    value: Value,
    from: Declared,
    /// "the environment variable TF_VAR_x", "-var x", "terraform.tfvars".
    origin: String,
}

/// The value of every declared variable, and every problem with them.
pub fn resolve(
    declared: &BTreeMap<String, Variable>,
    inputs: &[VariableInput],
    unset_unknown: bool,
) -> (BTreeMap<String, Named>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut given: BTreeMap<String, Given> = BTreeMap::new();
    for input in inputs {
        read_input(input, declared, &mut given, &mut diagnostics);
    }
    let mut values: BTreeMap<String, Named> = declared
        .values()
        .map(|var| {
            let given = given.remove(&var.name);
            let value = if given.is_none() && var.default.is_none() && unset_unknown {
                None // unknown: what uses it is left unchecked, silently
            } else {
                value_of(var, given, &mut diagnostics)
            };
            (
                var.name.clone(),
                Named {
                    value,
                    sensitive: var.sensitive,
                    ephemeral: var.ephemeral,
                },
            )
        })
        .collect();
    for var in declared.values() {
        if !validate(var, &values, &mut diagnostics)
            && let Some(named) = values.get_mut(&var.name)
        {
            named.value = None;
        }
    }
    (values, diagnostics)
}

fn read_input(
    input: &VariableInput,
    declared: &BTreeMap<String, Variable>,
    given: &mut BTreeMap<String, Given>,
    out: &mut Vec<Diagnostic>,
) {
    match input {
        VariableInput::Environment(NamedValue { name, value }) => {
            // Terraform ignores TF_VAR_ values nothing declares.
            if let Some(var) = declared.get(name) {
                let origin = format!("the environment variable TF_VAR_{name}");
                give_text(var, value, origin, given, out);
            }
        }
        VariableInput::Argument(NamedValue { name, value }) => {
            let Some(var) = declared.get(name) else {
                let mut d = undeclared(name, declared, "-var", Declared::default());
                d.severity = Severity::Error;
                out.push(d);
                return;
            };
            give_text(var, value, format!("-var {name}"), given, out);
        }
        VariableInput::File(VariableFile { source, file_name }) => {
            read_file(source, file_name.as_deref(), declared, given, out)
        }
    }
}

/// Records a `-var` or `TF_VAR_` value for `var`, when its text reads.
fn give_text(
    var: &Variable,
    text: &str,
    origin: String,
    given: &mut BTreeMap<String, Given>,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(value) = from_text(var, text, &origin, out) {
        let from = Declared::default();
        given.insert(
            var.name.clone(),
            Given {
                value,
                from,
                origin,
            },
        );
    }
}

/// A `-var` or `TF_VAR_` text: taken as a string for primitive (or untyped)
/// variables, read as an expression otherwise, as Terraform does.
fn from_text(var: &Variable, text: &str, origin: &str, out: &mut Vec<Diagnostic>) -> Option<Value> {
    if var.ty.is_primitive() || !var.typed {
        return Some(Value::String(text.to_owned()));
    }
    let expr = match hcl::parse_expr(text) {
        Ok(e) => e,
        Err(d) => {
            out.push(invalid_value(
                var,
                origin,
                &format!("it is not a valid expression ({})", d.message),
                None,
                None,
            ));
            return None;
        }
    };
    constant(&expr)
        .map_err(|why| out.push(invalid_value(var, origin, &why, None, None)))
        .ok()
}

/// A tfvars file: `name = value` lines (HCL) or one JSON object.
fn read_file(
    text: &str,
    file_name: Option<&str>,
    declared: &BTreeMap<String, Variable>,
    given: &mut BTreeMap<String, Given>,
    out: &mut Vec<Diagnostic>,
) {
    let format = Format::detect(file_name, text);
    let (body, mut problems) = match format {
        Format::Json => json::parse_values(text),
        Format::Hcl => match hcl::parse_body(text) {
            Ok(b) => (b, Vec::new()),
            Err(d) => (Default::default(), vec![*d]),
        },
    };
    let origin = file_name.unwrap_or("a variables file").to_owned();
    for block in &body.blocks {
        problems.push(
            Diagnostic::error(
                Code::InvalidBlock,
                format!(
                    "a variables file holds only `name = value`, not a `{}` block",
                    block.kind
                ),
            )
            .help("declare variables in the configuration; give their values here")
            .located(block.at),
        );
    }
    for attr in &body.attributes {
        let from = Declared {
            file: file_name.map(Into::into),
            at: attr.expr.at,
        };
        let Some(var) = declared.get(&*attr.name) else {
            problems.push(undeclared(&attr.name, declared, &origin, from));
            continue;
        };
        match constant(&attr.expr) {
            Ok(value) => {
                given.insert(
                    attr.name.to_string(),
                    Given {
                        value,
                        from,
                        origin: origin.clone(),
                    },
                );
            }
            Err(why) => problems.push(invalid_value(var, &origin, &why, attr.expr.at, file_name)),
        }
    }
    for mut d in problems {
        if d.file.is_none() {
            d.file = file_name.map(str::to_owned);
        }
        out.push(d);
    }
}

/// Evaluates an expression that may not refer to anything (a tfvars value, a default).
fn constant(expr: &Expr) -> Result<Value, String> {
    match evaluate(expr, &Scope::default()) {
        Ok(e) => Ok(e.value),
        Err(Failure::Problem(p)) if p.code == Code::UnknownReference => Err(
            "it refers to something, and variable values cannot; quote a string: `\"...\"`".into(),
        ),
        Err(Failure::Problem(p)) => Err(p.message),
        Err(Failure::Reported) => Err("it cannot be evaluated".into()),
    }
}

/// The converted value of one variable, or `None` after reporting why not.
fn value_of(var: &Variable, given: Option<Given>, out: &mut Vec<Diagnostic>) -> Option<Value> {
    let address = format!("var.{}", var.name);
    let (value, origin, from) = match given {
        Some(g) if g.value == Value::Null && !var.nullable && var.default.is_some() => {
            (None, g.origin, g.from) // a non-nullable variable given null takes its default
        }
        Some(g) => (Some(g.value), g.origin, g.from),
        None => (None, "its default".to_owned(), var.declared.clone()),
    };
    let value = match (value, &var.default) {
        (Some(v), _) => v,
        (None, Some(default)) => match constant(default) {
            Ok(v) => v,
            Err(why) => {
                out.push(invalid_value(
                    var,
                    "its default",
                    &why,
                    default.at,
                    var.declared.file.as_deref(),
                ));
                return None;
            }
        },
        (None, None) => {
            out.push(var.declared.place(
                Diagnostic::error(Code::MissingVariable, format!("variable `{}` has no value", var.name))
                    .at(&address, "")
                    .help(format!(
                        "set it with `-var '{0}=...'`, in terraform.tfvars, or as TF_VAR_{0}; or give it a default",
                        var.name
                    )),
            ));
            return None;
        }
    };
    if value == Value::Null && !var.nullable {
        out.push(invalid_value(
            var,
            &origin,
            "the variable is not nullable, and the value is null",
            from.at,
            from.file.as_deref(),
        ));
        return None;
    }
    match conform(value, &var.ty) {
        Ok(v) => Some(v),
        Err(why) => {
            let why = if why.starts_with(['[', '.']) {
                format!("element {why}")
            } else {
                why
            };
            out.push(invalid_value(
                var,
                &origin,
                &why,
                from.at,
                from.file.as_deref(),
            ));
            None
        }
    }
}

/// Runs a variable's validation blocks; false when one fails.
fn validate(var: &Variable, values: &BTreeMap<String, Named>, out: &mut Vec<Diagnostic>) -> bool {
    let Some(Some(_)) = values.get(&var.name).map(|n| n.value.as_ref()) else {
        return true; // no value: already reported
    };
    let scope = Scope {
        vars: Some(values),
        ..Scope::default()
    };
    let address = format!("var.{}", var.name);
    let mut ok = true;
    for v in &var.validations {
        let at = Declared {
            file: var.declared.file.clone(),
            at: v.condition.at,
        };
        let condition = match evaluate(&v.condition, &scope) {
            Ok(e) => e.value,
            Err(Failure::Problem(p)) => {
                out.push(
                    at.place(
                        Diagnostic::error(
                            p.code,
                            format!(
                                "the validation of `{}` cannot be evaluated: {}",
                                var.name, p.message
                            ),
                        )
                        .at(&address, "")
                        .located(p.at),
                    ),
                );
                ok = false;
                continue;
            }
            Err(Failure::Reported) => continue,
        };
        let passed = match condition {
            Value::Unknown(_) => true,
            c => match convert::to_bool(&c) {
                Ok(b) => b,
                Err(why) => {
                    out.push(
                        at.place(
                            Diagnostic::error(
                                Code::InvalidExpression,
                                format!(
                                    "the validation condition of `{}` is not a bool: {why}",
                                    var.name
                                ),
                            )
                            .at(&address, ""),
                        ),
                    );
                    ok = false;
                    continue;
                }
            },
        };
        if !passed {
            let message = evaluate(&v.error_message, &scope)
                .ok()
                .and_then(|e| convert::to_string(&e.value).ok())
                .unwrap_or_else(|| "the value is not valid".into());
            out.push(
                at.place(
                    Diagnostic::error(
                        Code::VariableValidation,
                        format!("invalid value for variable `{}`: {message}", var.name),
                    )
                    .at(&address, "")
                    .help("this is the variable's own validation rule; its condition is shown"),
                ),
            );
            ok = false;
        }
    }
    ok
}

fn invalid_value(
    var: &Variable,
    origin: &str,
    why: &str,
    at: Option<Location>,
    file: Option<&str>,
) -> Diagnostic {
    let mut d = Diagnostic::error(
        Code::InvalidVariableValue,
        format!(
            "invalid value for variable `{}` from {origin}: {why}",
            var.name
        ),
    )
    .at(&format!("var.{}", var.name), "")
    .help("give a value of the variable's type")
    .located(at.or(var.declared.at));
    d.file = file
        .map(str::to_owned)
        .or_else(|| var.declared.file.as_deref().map(str::to_owned));
    d
}

/// A value for a variable nothing declares: a warning from a file, an error from `-var`.
fn undeclared(
    name: &str,
    declared: &BTreeMap<String, Variable>,
    origin: &str,
    from: Declared,
) -> Diagnostic {
    let hint = did_you_mean(name, declared.keys().map(String::as_str)).map_or_else(
        || format!("declare it with `variable \"{name}\" {{}}`, or remove the value"),
        |s| format!("did you mean `{s}`?"),
    );
    from.place(
        Diagnostic::warning(
            Code::UndeclaredVariable,
            format!("{origin} gives a value for `{name}`, which no variable block declares"),
        )
        .at(&format!("var.{name}"), "")
        .help(hint),
    )
}

//! `output` blocks, evaluated against what a plan or an apply leaves behind:
//! an id Kasm already gave is known, one a create will give is not.

use super::config::OutputDecl;
use super::eval::{Failure, Named, Scope, evaluate};
use super::value::Value;
use crate::diagnostic::{Code, Diagnostic};
use std::collections::BTreeMap;

/// The outputs of a configuration, with what their expressions may refer to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outputs {
    pub(super) decls: Vec<OutputDecl>,
    pub(super) vars: BTreeMap<String, Named>,
    pub(super) locals: BTreeMap<String, Named>,
    /// Resources and data sources by address; a resource's id is unknown,
    /// naming the instance whose id it is.
    pub(super) resources: BTreeMap<String, Value>,
    pub(super) workspace: Option<String>,
}

/// One output's value.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputValue {
    /// Its name.
    pub name: String,
    /// Its value; unknown where an id is not given yet.
    pub value: Value,
    /// Declared `sensitive = true`.
    pub sensitive: bool,
}

impl Outputs {
    /// Whether the configuration declares none.
    pub fn is_empty(&self) -> bool {
        self.decls.is_empty()
    }

    /// Each output's value, ids filled in where `known` gives the id of an
    /// instance address, and the problems found (each at its output).
    pub fn evaluate(
        &self,
        known: &dyn Fn(&str) -> Option<String>,
    ) -> (Vec<OutputValue>, Vec<Diagnostic>) {
        if self.decls.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let resources: BTreeMap<String, Value> = self
            .resources
            .iter()
            .map(|(address, v)| (address.clone(), with_ids(v, known)))
            .collect();
        let scope = Scope {
            vars: Some(&self.vars),
            locals: Some(&self.locals),
            workspace: self.workspace.as_deref(),
            resources: Some(&resources),
            ..Scope::default()
        };
        let mut values = Vec::new();
        let mut diagnostics = Vec::new();
        for decl in &self.decls {
            let address = format!("output.{}", decl.name);
            match evaluate(&decl.value, &scope) {
                Ok(e) if e.sensitive && !decl.sensitive => diagnostics.push(
                    decl.declared.place(
                        Diagnostic::error(
                            Code::SensitiveOutput,
                            format!("output `{}` refers to sensitive values", decl.name),
                        )
                        .at(&address, "value")
                        .help("mark the output `sensitive = true` to confirm it may carry them (it is then hidden in plans and in `kasm-plan output`), or wrap the value in nonsensitive() if it reveals nothing")
                        .located(decl.value.at),
                    ),
                ),
                Ok(e) => values.push(OutputValue {
                    name: decl.name.clone(),
                    value: e.value,
                    sensitive: decl.sensitive,
                }),
                Err(Failure::Problem(p)) => {
                    diagnostics.push(decl.declared.place(p.named(&address, "value")));
                }
                // Reported where the value it needs failed.
                Err(Failure::Reported) => {}
            }
        }
        (values, diagnostics)
    }
}

/// `value` with each id `known` gives in place of its unknown.
fn with_ids(value: &Value, known: &dyn Fn(&str) -> Option<String>) -> Value {
    match value {
        Value::Unknown(Some(address)) => {
            known(address).map_or_else(|| value.clone(), Value::String)
        }
        Value::List(items) => Value::List(items.iter().map(|v| with_ids(v, known)).collect()),
        Value::Set(items) => Value::set(items.iter().map(|v| with_ids(v, known)).collect()),
        Value::Map(map) => Value::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), with_ids(v, known)))
                .collect(),
        ),
        other => other.clone(),
    }
}

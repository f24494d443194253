//! Local values: evaluated in dependency order, whatever order they are
//! written in; a cycle is reported with its path.

use super::config::Local;
use super::eval::{Failure, Named, Scope, evaluate};
use crate::diagnostic::{Code, Diagnostic};
use std::collections::{BTreeMap, BTreeSet};

/// Every local's value (`None` for those that failed, reported once).
pub fn evaluate_all(
    locals: &BTreeMap<String, Local>,
    vars: &BTreeMap<String, Named>,
    workspace: Option<&str>,
    data: &BTreeMap<String, super::value::Value>,
) -> (BTreeMap<String, Named>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let (order, cyclic) = order(locals);
    let mut values: BTreeMap<String, Named> = BTreeMap::new();
    for path in &cyclic {
        if let Some(first) = path.first().and_then(|n| locals.get(n)) {
            diagnostics.push(
                first.declared.place(
                    Diagnostic::error(
                        Code::ReferenceCycle,
                        format!(
                            "local values refer to each other in a cycle: {}",
                            path.iter()
                                .map(|n| format!("local.{n}"))
                                .collect::<Vec<_>>()
                                .join(" -> ")
                        ),
                    )
                    .at(&format!("local.{}", first.name), "")
                    .help("break the cycle: one of them must not depend on the others"),
                ),
            );
        }
    }
    for name in cyclic.iter().flatten() {
        values.insert(
            name.clone(),
            Named {
                value: None,
                sensitive: false,
                ephemeral: false,
            },
        );
    }
    for name in order {
        let Some(local) = locals.get(&name) else {
            continue;
        };
        let scope = Scope {
            vars: Some(vars),
            locals: Some(&values),
            workspace,
            resources: Some(data),
            ..Scope::default()
        };
        let named = match evaluate(&local.expr, &scope) {
            Ok(e) => Named {
                value: Some(e.value),
                sensitive: e.sensitive,
                ephemeral: e.ephemeral,
            },
            Err(failure) => {
                if let Failure::Problem(p) = failure {
                    let address = format!("local.{}", local.name);
                    diagnostics.push(local.declared.place(p.named(&address, "")));
                }
                Named {
                    value: None,
                    sensitive: false,
                    ephemeral: false,
                }
            }
        };
        values.insert(name, named);
    }
    (values, diagnostics)
}

/// Locals in an order where each comes after those it uses, and the cycles
/// (each a path of names) left out of that order.
fn order(locals: &BTreeMap<String, Local>) -> (Vec<String>, Vec<Vec<String>>) {
    let deps: BTreeMap<&str, BTreeSet<String>> = locals
        .iter()
        .map(|(name, local)| {
            let mut uses = BTreeSet::new();
            local.expr.references(&mut |root, attr, _| {
                if let (Some(attr), true) = (attr, root == "local")
                    && locals.contains_key(attr)
                {
                    uses.insert(attr.to_owned());
                }
            });
            (name.as_str(), uses)
        })
        .collect();
    let mut state: BTreeMap<&str, Mark> = BTreeMap::new();
    let mut order = Vec::new();
    let mut cycles = Vec::new();
    for name in deps.keys() {
        visit(
            name,
            &deps,
            &mut state,
            &mut Vec::new(),
            &mut order,
            &mut cycles,
        );
    }
    let in_cycle: BTreeSet<&String> = cycles.iter().flatten().collect();
    let order = order
        .into_iter()
        .filter(|n| !in_cycle.contains(n))
        .collect();
    (order, cycles)
}

#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Visiting,
    Done,
}

fn visit<'a>(
    name: &'a str,
    deps: &'a BTreeMap<&'a str, BTreeSet<String>>,
    state: &mut BTreeMap<&'a str, Mark>,
    path: &mut Vec<&'a str>,
    order: &mut Vec<String>,
    cycles: &mut Vec<Vec<String>>,
) {
    match state.get(name) {
        Some(Mark::Done) => return,
        Some(Mark::Visiting) => {
            let start = path.iter().position(|n| *n == name).unwrap_or(0);
            let mut cycle: Vec<String> = path
                .get(start..)
                .unwrap_or_default()
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            cycle.push(name.to_owned());
            cycles.push(cycle);
            return;
        }
        None => {}
    }
    state.insert(name, Mark::Visiting);
    path.push(name);
    if let Some(uses) = deps.get(name) {
        for dep in uses {
            if let Some((key, _)) = deps.get_key_value(dep.as_str()) {
                visit(key, deps, state, path, order, cycles);
            }
        }
    }
    path.pop();
    state.insert(name, Mark::Done);
    order.push(name.to_owned());
}

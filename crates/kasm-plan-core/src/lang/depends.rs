//! `depends_on`: the resources a resource must wait for beyond the ones its
//! expressions refer to, as Terraform reads it: a list of whole resources.

use super::config::{Config, Kind, Resource};
use super::expr::{Expr, ExprKind};
use crate::diagnostic::{Code, Diagnostic};
use std::collections::{BTreeMap, BTreeSet};

/// A resource's address → the managed resources its `depends_on` names.
pub type DependsOn = BTreeMap<String, BTreeSet<String>>;

/// Every managed resource's `depends_on`, checked: each entry must name a
/// declared resource, and no resource may wait for itself through others.
/// A data source or a resource of a type kasm-plan skips adds no order: data
/// is read before any change, and a skipped resource is never applied.
pub fn depends_on(config: &Config, out: &mut Vec<Diagnostic>) -> DependsOn {
    if config.resources.iter().all(|r| r.depends_on.is_none()) {
        return DependsOn::new();
    }
    let declared: BTreeSet<String> = config.resources.iter().map(Resource::address).collect();
    let mut found = DependsOn::new();
    for resource in &config.resources {
        let Some(attr) = &resource.depends_on else {
            continue;
        };
        let address = resource.address();
        let problem = |code: Code, message: String, at: &Expr| {
            resource.declared.place(
                Diagnostic::error(code, message)
                    .at(&address, "depends_on")
                    .help("write `depends_on = [kasm_image.base]`: whole resources, no attributes")
                    .located(at.at.or(attr.at)),
            )
        };
        let ExprKind::Tuple(items) = &attr.expr.kind else {
            out.push(problem(
                Code::InvalidExpression,
                "`depends_on` takes a list of resources".into(),
                &attr.expr,
            ));
            continue;
        };
        for item in items {
            match target(item) {
                Ok(Some(target)) if declared.contains(&target) => {
                    found.entry(address.clone()).or_default().insert(target);
                }
                Ok(Some(target)) => out.push(problem(
                    Code::UnknownReference,
                    format!("`depends_on` names {target}, which is not declared"),
                    item,
                )),
                Ok(None) => {}
                Err(message) => out.push(problem(Code::InvalidExpression, message, item)),
            }
        }
    }
    for cycle in cycles(&found) {
        let first = cycle.first().cloned().unwrap_or_default();
        let mut d = Diagnostic::error(
            Code::ReferenceCycle,
            format!("resources wait for each other: {}", cycle.join(" → ")),
        )
        .at(&first, "depends_on")
        .help("remove one of these `depends_on` entries");
        if let Some(r) = config.resources.iter().find(|r| r.address() == first) {
            d = r
                .declared
                .place(d.located(r.depends_on.as_ref().and_then(|a| a.at)));
        }
        out.push(d);
    }
    found
}

/// The managed resource an entry names; `None` for a data source or a type
/// kasm-plan skips.
fn target(item: &Expr) -> Result<Option<String>, String> {
    let names = item.as_names().ok_or_else(|| {
        "`depends_on` entries are references to resources, such as `kasm_image.base`".to_owned()
    })?;
    match names.as_slice() {
        [data, ..] if data == "data" => Ok(None),
        [type_name, name] => Ok(Kind::of(type_name).map(|_| format!("{type_name}.{name}"))),
        [type_name, name, ..] => Err(format!(
            "`depends_on` takes whole resources: write `{type_name}.{name}`, without the attribute"
        )),
        _ => Err(format!("`{}` is not a resource", names.join("."))),
    }
}

/// Each cycle once, as the path from its first resource back to it.
fn cycles(edges: &DependsOn) -> Vec<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit<'a>(
        node: &'a str,
        edges: &'a DependsOn,
        marks: &mut BTreeMap<&'a str, Mark>,
        path: &mut Vec<&'a str>,
        out: &mut Vec<Vec<String>>,
    ) {
        marks.insert(node, Mark::Open);
        path.push(node);
        for next in edges.get(node).into_iter().flatten() {
            match marks.get(next.as_str()) {
                Some(Mark::Open) => {
                    let start = path.iter().position(|p| *p == next).unwrap_or(0);
                    let mut cycle: Vec<String> =
                        path.iter().skip(start).map(|p| (*p).to_owned()).collect();
                    cycle.push(next.clone());
                    out.push(cycle);
                }
                Some(Mark::Done) => {}
                None => visit(next, edges, marks, path, out),
            }
        }
        path.pop();
        marks.insert(node, Mark::Done);
    }
    let mut marks = BTreeMap::new();
    let mut out = Vec::new();
    for node in edges.keys() {
        if !marks.contains_key(node.as_str()) {
            visit(node, edges, &mut marks, &mut Vec::new(), &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(pairs: &[(&str, &str)]) -> DependsOn {
        let mut out = DependsOn::new();
        for (a, b) in pairs {
            out.entry((*a).to_owned())
                .or_default()
                .insert((*b).to_owned());
        }
        out
    }

    #[test]
    fn a_cycle_is_found_once_with_its_path() {
        let found = cycles(&edges(&[("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]));
        assert_eq!(found, vec![vec!["a", "b", "c", "a"]]);
    }

    #[test]
    fn a_diamond_is_no_cycle() {
        assert!(cycles(&edges(&[("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])).is_empty());
    }
}

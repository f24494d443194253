//! `kasm_image` resources to instances: `count` and `for_each` expanded,
//! every attribute evaluated with `each`/`count` in scope.

use super::config::{Declared, Resource};
use super::eval::{Evaluated, Failure, Named, Problem, Scope, evaluate};
use super::expr::{Expr, ExprKind};
use super::value::Value;
use super::{body::Attribute, body::Body, body::Name, convert};
use crate::address::{Instance, InstanceKey};
use crate::diagnostic::{Code, Diagnostic};
use crate::lang::raw::{RawAttribute, RawResource, RawValue};
use std::collections::BTreeMap;

/// The most instances one resource may have: far beyond any Kasm, and low
/// enough that a mistyped `count` fails at once instead of exhausting memory.
pub const MAX_INSTANCES: i64 = 100_000;

/// What a resource's attributes can refer to.
pub struct Context<'a> {
    /// `var.*`.
    pub vars: &'a BTreeMap<String, Named>,
    /// `local.*`.
    pub locals: &'a BTreeMap<String, Named>,
    /// `terraform.workspace`.
    pub workspace: Option<&'a str>,
    /// Resources and data sources the attributes may refer to.
    pub resources: Option<&'a BTreeMap<String, Value>>,
    /// Nothing was read from Kasm (validate): a `count` or `for_each` known
    /// only after reading makes no instances instead of an error.
    pub unread: bool,
}

/// A resource's instances: held in place when there is one, as for most.
pub type Instances = smallvec::SmallVec<[RawResource; 1]>;

/// The instances of one resource, with their attributes evaluated. A
/// resource without `count` or `for_each` gives its attributes up to its one
/// instance (a literal is moved, not copied): they are left empty.
pub fn instances(resource: &mut Resource, cx: &Context, out: &mut Vec<Diagnostic>) -> Instances {
    let base = Scope {
        vars: Some(cx.vars),
        locals: Some(cx.locals),
        workspace: cx.workspace,
        resources: cx.resources,
        ..Scope::default()
    };
    if resource.count.is_none() && resource.for_each.is_none() {
        let attributes = std::mem::take(&mut resource.attributes);
        let attributes = attributes
            .into_iter()
            .map(|Attribute { name, expr, at }| {
                let value = match expr {
                    // Already what typing takes.
                    Expr {
                        kind: ExprKind::Json(json),
                        ..
                    } => {
                        return RawAttribute {
                            key: name,
                            value: RawValue::Object(json),
                            location: at,
                            sensitive: false,
                        };
                    }
                    Expr {
                        kind: ExprKind::Literal(value),
                        ..
                    } => Ok(Evaluated {
                        value,
                        sensitive: false,
                        ephemeral: false,
                    }),
                    expr => evaluate(&expr, &base),
                };
                raw_attribute(resource, None, name, at, value, out)
            })
            .collect();
        return Instances::from_buf([raw_resource(resource, None, attributes)]);
    }
    let keys = match repetition(resource, &base) {
        Ok(keys) => keys,
        Err(_) if cx.unread && repeats_over_unknown(resource, &base) => return Instances::new(),
        Err(Some(d)) => {
            out.push(*d);
            return Instances::new();
        }
        Err(None) => return Instances::new(),
    };
    keys.into_iter()
        .map(|(key, each)| {
            let scope = Scope {
                each: each.as_ref().map(|(k, v)| (k, v)),
                count: match &key {
                    Some(InstanceKey::Index(i)) => Some(*i),
                    _ => None,
                },
                ..base
            };
            instance(resource, key, &scope, out)
        })
        .collect()
}

/// Whether `count` or `for_each` is known only after reading Kasm.
fn repeats_over_unknown(resource: &Resource, scope: &Scope) -> bool {
    [&resource.for_each, &resource.count]
        .into_iter()
        .flatten()
        .any(|e| evaluate(e, scope).is_ok_and(|v| v.value.is_unknown()))
}

/// An instance key and, under `for_each`, its `each.key` and `each.value`.
type Key = (Option<InstanceKey>, Option<(Value, Value)>);

/// The instance keys; `Err(None)` when the expression used a value whose problem was reported.
fn repetition(resource: &Resource, scope: &Scope) -> Result<Vec<Key>, Option<Box<Diagnostic>>> {
    let address = resource.address();
    let fail = |field: &str, message: String, help: &str, at| {
        Some(Box::new(
            resource.declared.place(
                Diagnostic::error(Code::InvalidRepetition, message)
                    .at(&address, field)
                    .help(help)
                    .located(at),
            ),
        ))
    };
    if let Some(expr) = &resource.for_each {
        let e = eval_meta(expr, scope, &address, "for_each", &resource.declared)?;
        let at = expr.at;
        if e.sensitive {
            return Err(fail(
                "for_each",
                "`for_each` cannot use sensitive values: the instance keys would show them".into(),
                "use non-sensitive keys",
                at,
            ));
        }
        return match e.value {
            Value::Map(map) => Ok(map
                .into_iter()
                .map(|(k, v)| {
                    (
                        Some(InstanceKey::Key(k.clone())),
                        Some((Value::String(k), v)),
                    )
                })
                .collect()),
            Value::Set(items) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok((
                        Some(InstanceKey::Key(s.clone())),
                        Some((Value::String(s.clone()), Value::String(s))),
                    )),
                    other => Err(fail(
                        "for_each",
                        format!(
                            "`for_each` takes a set of strings; this set holds {}",
                            convert::a(&other)
                        ),
                        "convert the elements with tostring(), or use a map",
                        at,
                    )),
                })
                .collect(),
            Value::List(_) => Err(fail(
                "for_each",
                "`for_each` takes a map or a set of strings, not a list".into(),
                "wrap the list in toset(...)",
                at,
            )),
            Value::Unknown(_) => Err(fail(
                "for_each",
                "`for_each` depends on values known only after apply".into(),
                "use values known when planning: variables, locals, literals",
                at,
            )),
            Value::Null => Err(fail(
                "for_each",
                "`for_each` is null".into(),
                "give a map or a set of strings (an empty one for no instances)",
                at,
            )),
            other => Err(fail(
                "for_each",
                format!(
                    "`for_each` takes a map or a set of strings, not {}",
                    convert::a(&other)
                ),
                "give a map or a set of strings",
                at,
            )),
        };
    }
    if let Some(expr) = &resource.count {
        let e = eval_meta(expr, scope, &address, "count", &resource.declared)?;
        let at = expr.at;
        if e.sensitive {
            return Err(fail(
                "count",
                "`count` cannot use sensitive values".into(),
                "use a non-sensitive number",
                at,
            ));
        }
        return match e.value {
            Value::Unknown(_) => Err(fail(
                "count",
                "`count` depends on values known only after apply".into(),
                "use values known when planning",
                at,
            )),
            v => match convert::to_integer(&v) {
                Ok(n) if n > MAX_INSTANCES => Err(fail(
                    "count",
                    format!(
                        "`count` is more than {MAX_INSTANCES}, the most instances one resource may have"
                    ),
                    "use a smaller count",
                    at,
                )),
                Ok(n) if n >= 0 => Ok((0..n)
                    .map(|i| (Some(InstanceKey::Index(i)), None))
                    .collect()),
                Ok(n) => Err(fail(
                    "count",
                    format!("`count` cannot be negative ({n})"),
                    "use 0 for no instances",
                    at,
                )),
                Err(why) => Err(fail(
                    "count",
                    format!("`count` must be a whole number: {why}"),
                    "write `count = 3`",
                    at,
                )),
            },
        };
    }
    Ok(vec![(None, None)])
}

fn eval_meta(
    expr: &Expr,
    scope: &Scope,
    address: &str,
    field: &str,
    declared: &Declared,
) -> Result<Evaluated, Option<Box<Diagnostic>>> {
    evaluate(expr, scope).map_err(|f| match f {
        Failure::Problem(p) => Some(Box::new(problem(&p, address, field, declared))),
        Failure::Reported => None,
    })
}

fn instance(
    resource: &Resource,
    key: Option<InstanceKey>,
    scope: &Scope,
    out: &mut Vec<Diagnostic>,
) -> RawResource {
    let attributes = resource
        .attributes
        .iter()
        .map(|attr| {
            let value = evaluate(&attr.expr, scope);
            raw_attribute(
                resource,
                key.as_ref(),
                attr.name.clone(),
                attr.at,
                value,
                out,
            )
        })
        .collect();
    raw_resource(resource, key, attributes)
}

/// An attribute of an instance, from its evaluation.
fn raw_attribute(
    resource: &Resource,
    key: Option<&InstanceKey>,
    name: Name,
    at: Option<crate::diagnostic::Location>,
    evaluated: Result<Evaluated, Failure>,
    out: &mut Vec<Diagnostic>,
) -> RawAttribute {
    let (value, sensitive) = match evaluated {
        Ok(Evaluated {
            value: Value::Unknown(Some(at)),
            sensitive,
            ..
        }) => (RawValue::Pending(at), sensitive),
        // `None` only when the value holds an unknown.
        Ok(e) => (
            e.value.into_json().map_or_else(
                || RawValue::NotStatic("known only after apply".into()),
                RawValue::Static,
            ),
            e.sensitive,
        ),
        Err(Failure::Problem(p)) => {
            let instance = Instance {
                name: resource.name.clone(),
                key: key.cloned(),
            };
            let address = format!("{}.{instance}", resource.kind.type_name());
            out.push(problem(&p, &address, &name, &resource.declared));
            (RawValue::Reported, false)
        }
        Err(Failure::Reported) => (RawValue::Reported, false),
    };
    RawAttribute {
        key: name,
        value,
        location: at,
        sensitive,
    }
}

fn raw_resource(
    resource: &Resource,
    key: Option<InstanceKey>,
    attributes: Vec<RawAttribute>,
) -> RawResource {
    RawResource {
        name: resource.name.clone(),
        key,
        file: resource.declared.file.clone(),
        location: resource.declared.at,
        attributes,
        lifecycle: resource.lifecycle.as_ref().map(lifecycle),
    }
}

/// Lifecycle arguments are literal: `ignore_changes` names attributes (or is `all`).
fn lifecycle(body: &Body) -> Vec<RawAttribute> {
    body.attributes
        .iter()
        .map(|attr| {
            let value = if attr.name == "ignore_changes" {
                names(&attr.expr)
            } else {
                match evaluate(&attr.expr, &Scope::default()) {
                    Ok(e) => e.value.to_json().map_or_else(
                        || RawValue::NotStatic("known only after apply".into()),
                        RawValue::Static,
                    ),
                    Err(Failure::Problem(p)) => RawValue::NotStatic(p.message),
                    Err(Failure::Reported) => RawValue::Reported,
                }
            };
            RawAttribute {
                key: attr.name.clone(),
                value,
                location: attr.at,
                sensitive: false,
            }
        })
        .collect()
}

const NOT_NAMES: &str = "ignore_changes must be a list of attribute names or `all`";

/// `[description, memory]`, `["memory"]` or `all`, as a JSON list of names or `"all"`.
fn names(expr: &Expr) -> RawValue {
    let name = |e: &Expr| -> Option<serde_json::Value> {
        match &e.kind {
            ExprKind::Literal(Value::String(s)) => Some(s.clone().into()),
            _ => e.as_names().map(|n| n.join(".").into()),
        }
    };
    match &expr.kind {
        ExprKind::Tuple(items) => items
            .iter()
            .map(name)
            .collect::<Option<Vec<_>>>()
            .map_or_else(
                || RawValue::Invalid(NOT_NAMES.into()),
                |v| RawValue::Static(v.into()),
            ),
        _ => name(expr).map_or_else(|| RawValue::Invalid(NOT_NAMES.into()), RawValue::Static),
    }
}

/// A problem as a diagnostic at a resource's attribute.
pub(super) fn problem(p: &Problem, address: &str, field: &str, declared: &Declared) -> Diagnostic {
    let mut d = Diagnostic::error(p.code, format!("`{field}`: {}", p.message))
        .at(address, field)
        .located(p.at);
    if let Some(help) = &p.help {
        d = d.help(help.clone());
    }
    declared.place(d)
}

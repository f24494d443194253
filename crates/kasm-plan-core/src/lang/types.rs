//! Type constraints (`type = list(string)`, `object({ a = optional(number, 1) })`)
//! and Terraform's conversion of a value to one.

use super::convert;
use super::eval::{Scope, evaluate};
use super::expr::{Expr, ExprKind};
use super::value::Value;
use std::collections::BTreeMap;

/// A type constraint.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// `any`: whatever the value is.
    Any,
    /// `string`.
    String,
    /// `number`.
    Number,
    /// `bool`.
    Bool,
    /// `list(T)`.
    List(Box<Type>),
    /// `set(T)`.
    Set(Box<Type>),
    /// `map(T)`.
    Map(Box<Type>),
    /// `tuple([T, ...])`.
    Tuple(Vec<Type>),
    /// `object({ name = T, ... })`.
    Object(BTreeMap<String, Attribute>),
}

/// One attribute of an object type.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// Its type.
    pub ty: Type,
    /// Written as `optional(T)` or `optional(T, default)`.
    pub optional: bool,
    /// The default of an optional attribute.
    pub default: Option<Value>,
}

impl Type {
    /// Whether values of this type come from text as they are (`-var`, `TF_VAR_`),
    /// rather than parsed as an expression.
    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::String | Type::Number | Type::Bool)
    }
}

/// Reads a type constraint; the error says what is wrong with it.
pub fn parse(expr: &Expr) -> Result<Type, String> {
    match &expr.kind {
        ExprKind::Variable(name) => match name.as_str() {
            "any" => Ok(Type::Any),
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            // Terraform still reads the bare forms of 0.11 as `list(any)`, `map(any)`.
            "list" => Ok(Type::List(Box::new(Type::Any))),
            "map" => Ok(Type::Map(Box::new(Type::Any))),
            other => Err(format!("`{other}` is not a type")),
        },
        ExprKind::Call(call) => {
            let (name, args) = (&call.name, &call.args);
            let one = || match args.as_slice() {
                [arg] => parse(arg).map(Box::new),
                _ => Err(format!("`{name}(...)` takes one type")),
            };
            match name.as_str() {
                "list" => Ok(Type::List(one()?)),
                "set" => Ok(Type::Set(one()?)),
                "map" => Ok(Type::Map(one()?)),
                "tuple" => match args.as_slice() {
                    [
                        Expr {
                            kind: ExprKind::Tuple(items),
                            ..
                        },
                    ] => items
                        .iter()
                        .map(parse)
                        .collect::<Result<_, _>>()
                        .map(Type::Tuple),
                    _ => Err(
                        "`tuple(...)` takes a list of types, e.g. `tuple([string, number])`".into(),
                    ),
                },
                "object" => match args.as_slice() {
                    [
                        Expr {
                            kind: ExprKind::Object(items),
                            ..
                        },
                    ] => object(items),
                    _ => Err(
                        "`object(...)` takes an object of types, e.g. `object({ name = string })`"
                            .into(),
                    ),
                },
                "optional" => {
                    Err("`optional(...)` is allowed only for an attribute of an object type".into())
                }
                other => Err(format!("`{other}(...)` is not a type")),
            }
        }
        _ => Err(
            "a type is a keyword such as `string` or a constructor such as `list(string)`".into(),
        ),
    }
}

fn object(items: &[(Expr, Expr)]) -> Result<Type, String> {
    let mut attrs = BTreeMap::new();
    for (key, value) in items {
        let name = match &key.kind {
            ExprKind::Literal(Value::String(s)) => s.clone(),
            ExprKind::Variable(s) => s.clone(),
            _ => return Err("an object type's attribute names must be plain names".into()),
        };
        let attr = match &value.kind {
            ExprKind::Call(call) if call.name == "optional" => match call.args.as_slice() {
                [ty] => Attribute {
                    ty: parse(ty)?,
                    optional: true,
                    default: None,
                },
                [ty, default] => {
                    let ty = parse(ty)?;
                    let raw = evaluate(default, &Scope::default())
                        .map_err(|_| format!("the default of `{name}` must be a constant value"))?
                        .value;
                    let default = Some(
                        conform(raw, &ty).map_err(|e| format!("the default of `{name}`: {e}"))?,
                    );
                    Attribute {
                        ty,
                        optional: true,
                        default,
                    }
                }
                _ => return Err("`optional(...)` takes a type and an optional default".into()),
            },
            _ => Attribute {
                ty: parse(value)?,
                optional: false,
                default: None,
            },
        };
        attrs.insert(name, attr);
    }
    Ok(Type::Object(attrs))
}

/// Converts a value to a type as Terraform does: primitives convert
/// (`"2048"` to 2048), a tuple becomes a list or set, an object a map,
/// optional attributes get their defaults and extra attributes are dropped.
/// The error names the element at fault (`["web"].memory: ...`).
pub fn conform(value: Value, ty: &Type) -> Result<Value, String> {
    match (value, ty) {
        (u @ Value::Unknown(_), _) => Ok(u),
        (v @ Value::Null, _) | (v, Type::Any) => Ok(v),
        (v, Type::String) => convert::to_string(&v).map(Value::String),
        (v, Type::Number) => convert::to_number(&v).map(Value::Number),
        (v, Type::Bool) => convert::to_bool(&v).map(Value::Bool),
        (Value::List(items) | Value::Set(items), Type::List(el)) => {
            elements(items, el).map(Value::List)
        }
        (Value::List(items) | Value::Set(items), Type::Set(el)) => {
            elements(items, el).map(Value::set)
        }
        (Value::Map(map), Type::Map(el)) => map
            .into_iter()
            .map(|(k, v)| {
                conform(v, el)
                    .map(|v| (k.clone(), v))
                    .map_err(|e| format!("[{k:?}]{}", sep(&e)))
            })
            .collect::<Result<_, _>>()
            .map(Value::Map),
        (Value::List(items), Type::Tuple(types)) if items.len() == types.len() => items
            .into_iter()
            .zip(types)
            .enumerate()
            .map(|(i, (v, t))| conform(v, t).map_err(|e| format!("[{i}]{}", sep(&e))))
            .collect::<Result<_, _>>()
            .map(Value::List),
        (Value::List(items), Type::Tuple(types)) => Err(format!(
            "a tuple of {} elements is required, not {}",
            types.len(),
            items.len()
        )),
        (Value::Map(mut map), Type::Object(attrs)) => {
            let mut out = BTreeMap::new();
            for (name, attr) in attrs {
                let value = match map.remove(name) {
                    Some(Value::Null) | None if attr.optional => {
                        attr.default.clone().unwrap_or(Value::Null)
                    }
                    Some(v) => conform(v, &attr.ty).map_err(|e| format!(".{name}{}", sep(&e)))?,
                    None => return Err(format!("the attribute `{name}` is required")),
                };
                out.insert(name.clone(), value);
            }
            Ok(Value::Map(out))
        }
        (v, t) => Err(format!(
            "{} is required, not {}",
            describe(t),
            convert::a(&v)
        )),
    }
}

fn elements(items: Vec<Value>, el: &Type) -> Result<Vec<Value>, String> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| conform(v, el).map_err(|e| format!("[{i}]{}", sep(&e))))
        .collect()
}

/// Joins a path step and the inner message: `[0].name: ...` or `[0]: ...`.
fn sep(inner: &str) -> String {
    if inner.starts_with('[') || inner.starts_with('.') {
        inner.to_owned()
    } else {
        format!(": {inner}")
    }
}

fn describe(t: &Type) -> String {
    match t {
        Type::Any => "any value".into(),
        Type::String => "a string".into(),
        Type::Number => "a number".into(),
        Type::Bool => "a bool".into(),
        Type::List(_) => "a list".into(),
        Type::Set(_) => "a set".into(),
        Type::Map(_) => "a map".into(),
        Type::Tuple(_) => "a tuple".into(),
        Type::Object(_) => "an object".into(),
    }
}

//! Explicit conversions: `tostring`, `tonumber`, `tobool`, `toset`, `tolist`, `tomap`.

use super::{arg, arity};
use crate::lang::convert::{self, a};
use crate::lang::value::Value;

/// Null converts to null, as in Terraform.
fn primitive(args: &[Value], f: impl Fn(&Value) -> Result<Value, String>) -> Result<Value, String> {
    arity(args, 1, 1)?;
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        v => f(v),
    }
}

pub fn tostring(args: &[Value]) -> Result<Value, String> {
    primitive(args, |v| convert::to_string(v).map(Value::String))
}

pub fn tonumber(args: &[Value]) -> Result<Value, String> {
    primitive(args, |v| convert::to_number(v).map(Value::Number))
}

pub fn tobool(args: &[Value]) -> Result<Value, String> {
    primitive(args, |v| convert::to_bool(v).map(Value::Bool))
}

/// Elements of mixed primitive types become strings, as Terraform unifies them.
fn unified(items: &[Value]) -> Result<Vec<Value>, String> {
    let kinds: std::collections::BTreeSet<&str> = items.iter().map(Value::type_name).collect();
    if kinds.len() <= 1 {
        return Ok(items.to_vec());
    }
    items
        .iter()
        .map(|v| convert::to_string(v).map(Value::String))
        .collect::<Result<_, _>>()
        .map_err(|_| "the elements have different types that cannot be unified".into())
}

pub fn toset(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    let v = arg(args, 0);
    let items = v
        .elements()
        .ok_or_else(|| format!("a list or set is required, not {}", a(v)))?;
    Ok(Value::set(unified(items)?))
}

pub fn tolist(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    let v = arg(args, 0);
    let items = v
        .elements()
        .ok_or_else(|| format!("a list or set is required, not {}", a(v)))?;
    Ok(Value::List(unified(items)?))
}

pub fn tomap(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    match arg(args, 0) {
        Value::Map(m) => {
            let values: Vec<Value> = m.values().cloned().collect();
            let unified = unified(&values)?;
            Ok(Value::Map(m.keys().cloned().zip(unified).collect()))
        }
        v => Err(format!("a map or object is required, not {}", a(v))),
    }
}

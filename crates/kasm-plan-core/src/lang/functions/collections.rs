//! Functions over lists, sets and maps.

use super::{arg, arity};
use crate::lang::convert::{self, a};
use crate::lang::value::Value;
use std::collections::BTreeMap;

/// The most elements `range` produces, as Terraform.
const RANGE_LIMIT: usize = 1024;

fn list(args: &[Value], i: usize) -> Result<&[Value], String> {
    let v = arg(args, i);
    v.elements()
        .ok_or_else(|| format!("argument {}: a list is required, not {}", i + 1, a(v)))
}

fn map(args: &[Value], i: usize) -> Result<&BTreeMap<String, Value>, String> {
    match arg(args, i) {
        Value::Map(m) => Ok(m),
        v => Err(format!(
            "argument {}: a map is required, not {}",
            i + 1,
            a(v)
        )),
    }
}

fn integer(args: &[Value], i: usize) -> Result<i64, String> {
    convert::to_integer(arg(args, i)).map_err(|m| format!("argument {}: {m}", i + 1))
}

pub fn length(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    let n = match arg(args, 0) {
        Value::String(s) => s.chars().count(),
        Value::List(items) | Value::Set(items) => items.len(),
        Value::Map(m) => m.len(),
        v => {
            return Err(format!(
                "a string, list, set or map is required, not {}",
                a(v)
            ));
        }
    };
    Ok(Value::Number(n as f64))
}

pub fn concat(args: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for i in 0..args.len() {
        out.extend_from_slice(list(args, i)?);
    }
    Ok(Value::List(out))
}

/// Later maps win; null arguments are skipped.
pub fn merge(args: &[Value]) -> Result<Value, String> {
    let mut out = BTreeMap::new();
    for (i, v) in args.iter().enumerate() {
        match v {
            Value::Null => {}
            Value::Map(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
            v => {
                return Err(format!(
                    "argument {}: a map is required, not {}",
                    i + 1,
                    a(v)
                ));
            }
        }
    }
    Ok(Value::Map(out))
}

pub fn lookup(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 3)?;
    let m = map(args, 0)?;
    let key = convert::to_string(arg(args, 1)).map_err(|e| format!("argument 2: {e}"))?;
    match (m.get(&key), args.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(format!(
            "the map has no key {key:?} and no default was given"
        )),
    }
}

/// The first argument that is neither null nor an empty string.
pub fn coalesce(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, usize::MAX)?;
    args.iter()
        .find(|v| !matches!(v, Value::Null) && !matches!(v, Value::String(s) if s.is_empty()))
        .cloned()
        .ok_or_else(|| "every argument is null or an empty string".into())
}

/// The first list that is not empty.
pub fn coalescelist(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, usize::MAX)?;
    for i in 0..args.len() {
        if !list(args, i)?.is_empty() {
            return Ok(arg(args, i).clone());
        }
    }
    Err("every list is empty".into())
}

/// Removes null and empty-string elements.
pub fn compact(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    Ok(Value::List(
        list(args, 0)?
            .iter()
            .filter(|v| !matches!(v, Value::Null) && !matches!(v, Value::String(s) if s.is_empty()))
            .cloned()
            .collect(),
    ))
}

/// Removes repeats, keeping first occurrences in order.
pub fn distinct(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    let mut out: Vec<Value> = Vec::new();
    for v in list(args, 0)? {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    Ok(Value::List(out))
}

/// Replaces nested lists (and sets) with their elements, at any depth.
pub fn flatten(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    fn walk(items: &[Value], out: &mut Vec<Value>) {
        for v in items {
            match v.elements() {
                Some(inner) => walk(inner, out),
                None => out.push(v.clone()),
            }
        }
    }
    let mut out = Vec::new();
    walk(list(args, 0)?, &mut out);
    Ok(Value::List(out))
}

pub fn keys(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    Ok(Value::List(
        map(args, 0)?
            .keys()
            .map(|k| Value::String(k.clone()))
            .collect(),
    ))
}

pub fn values(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    Ok(Value::List(map(args, 0)?.values().cloned().collect()))
}

pub fn contains(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    Ok(Value::Bool(list(args, 0)?.contains(arg(args, 1))))
}

/// `element(list, index)`: the index wraps around the list's length.
pub fn element(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let items = list(args, 0)?;
    if matches!(arg(args, 0), Value::Set(_)) {
        return Err("a set has no order; use tolist() first".into());
    }
    let i = integer(args, 1)?;
    let i = usize::try_from(i).map_err(|_| "the index cannot be negative")?;
    if items.is_empty() {
        return Err("cannot take an element of an empty list".into());
    }
    Ok(items.get(i % items.len()).cloned().unwrap_or(Value::Null))
}

/// `index(list, value)`: the first position of the value.
pub fn index(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    list(args, 0)?
        .iter()
        .position(|v| v == arg(args, 1))
        .map(|i| Value::Number(i as f64))
        .ok_or_else(|| format!("the list does not contain {}", arg(args, 1)))
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`.
pub fn range(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 3)?;
    let n =
        |i: usize| convert::to_number(arg(args, i)).map_err(|m| format!("argument {}: {m}", i + 1));
    let (start, limit) = if args.len() == 1 {
        (0.0, n(0)?)
    } else {
        (n(0)?, n(1)?)
    };
    let step = if args.len() == 3 {
        n(2)?
    } else if limit < start {
        -1.0
    } else {
        1.0
    };
    if step == 0.0 {
        return Err("the step cannot be zero".into());
    }
    if (limit > start && step < 0.0) || (limit < start && step > 0.0) {
        return Err("the step goes away from the limit".into());
    }
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < limit) || (step < 0.0 && x > limit) {
        if out.len() == RANGE_LIMIT {
            return Err(format!("more than {RANGE_LIMIT} elements"));
        }
        out.push(Value::Number(x));
        x += step;
    }
    Ok(Value::List(out))
}

pub fn zipmap(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let (keys, values) = (list(args, 0)?, list(args, 1)?);
    if keys.len() != values.len() {
        return Err(format!(
            "{} keys and {} values: the lists must be equally long",
            keys.len(),
            values.len()
        ));
    }
    let mut out = BTreeMap::new();
    for (k, v) in keys.iter().zip(values) {
        out.insert(
            convert::to_string(k).map_err(|m| format!("a key: {m}"))?,
            v.clone(),
        );
    }
    Ok(Value::Map(out))
}

/// `slice(list, start, end)`: `start` included, `end` excluded.
pub fn slice(args: &[Value]) -> Result<Value, String> {
    arity(args, 3, 3)?;
    let items = list(args, 0)?;
    let (start, end) = (integer(args, 1)?, integer(args, 2)?);
    let bounds = usize::try_from(start).ok().zip(usize::try_from(end).ok());
    match bounds.and_then(|(s, e)| items.get(s..e)) {
        Some(part) => Ok(Value::List(part.to_vec())),
        None => Err(format!(
            "{start}..{end} is outside a list of {} elements",
            items.len()
        )),
    }
}

pub fn reverse(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    Ok(Value::List(list(args, 0)?.iter().rev().cloned().collect()))
}

/// Sorts strings lexically (numbers are sorted as their strings, as Terraform).
pub fn sort(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    let mut texts = list(args, 0)?
        .iter()
        .map(convert::to_string)
        .collect::<Result<Vec<_>, _>>()?;
    texts.sort();
    Ok(Value::List(texts.into_iter().map(Value::String).collect()))
}

/// The only element, null for an empty list, an error for more.
pub fn one(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    match list(args, 0)? {
        [] => Ok(Value::Null),
        [v] => Ok(v.clone()),
        more => Err(format!(
            "the list has {} elements; one() takes at most one",
            more.len()
        )),
    }
}

fn bools(args: &[Value]) -> Result<Vec<bool>, String> {
    arity(args, 1, 1)?;
    list(args, 0)?.iter().map(convert::to_bool).collect()
}

pub fn alltrue(args: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(bools(args)?.into_iter().all(|b| b)))
}

pub fn anytrue(args: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(bools(args)?.into_iter().any(|b| b)))
}

fn sets(args: &[Value]) -> Result<Vec<&[Value]>, String> {
    arity(args, 1, usize::MAX)?;
    (0..args.len()).map(|i| list(args, i)).collect()
}

pub fn setunion(args: &[Value]) -> Result<Value, String> {
    Ok(Value::set(sets(args)?.concat()))
}

pub fn setintersection(args: &[Value]) -> Result<Value, String> {
    let all = sets(args)?;
    let (first, rest) = all.split_first().ok_or("takes at least 1 argument")?;
    Ok(Value::set(
        first
            .iter()
            .filter(|v| rest.iter().all(|s| s.contains(v)))
            .cloned()
            .collect(),
    ))
}

pub fn setsubtract(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let (a, b) = (list(args, 0)?, list(args, 1)?);
    Ok(Value::set(
        a.iter().filter(|v| !b.contains(v)).cloned().collect(),
    ))
}

/// `chunklist(list, size)`: the list in lists of `size` elements (the last
/// may be shorter); a size of 0 gives the whole list as one chunk.
pub fn chunklist(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let items = list(args, 0)?;
    let size = integer(args, 1)?;
    let size =
        usize::try_from(size).map_err(|_| "the size argument must be positive".to_owned())?;
    if size == 0 {
        return Ok(Value::List(vec![Value::List(items.to_vec())]));
    }
    Ok(Value::List(
        items
            .chunks(size)
            .map(|c| Value::List(c.to_vec()))
            .collect(),
    ))
}

/// `transpose(map)`: a map of lists of strings turned inside out, each new
/// list in the order of the keys it came from.
pub fn transpose(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (key, values) in map(args, 0)? {
        let values = values.elements().ok_or_else(|| {
            format!(
                "the value of \"{key}\" must be a list of strings, not {}",
                a(values)
            )
        })?;
        for v in values {
            let v = convert::to_string(v).map_err(|m| format!("an element of \"{key}\": {m}"))?;
            out.entry(v).or_default().push(Value::String(key.clone()));
        }
    }
    Ok(Value::Map(
        out.into_iter().map(|(k, v)| (k, Value::List(v))).collect(),
    ))
}

/// `matchkeys(values, keys, searchset)`: the elements of `values` whose
/// element at the same index in `keys` is in `searchset`.
pub fn matchkeys(args: &[Value]) -> Result<Value, String> {
    arity(args, 3, 3)?;
    let (values, keys, search) = (list(args, 0)?, list(args, 1)?, list(args, 2)?);
    if values.len() != keys.len() {
        return Err("length of keys and values should be equal".into());
    }
    Ok(Value::List(
        values
            .iter()
            .zip(keys)
            .filter(|(_, k)| search.contains(k))
            .map(|(v, _)| v.clone())
            .collect(),
    ))
}

/// `setproduct(a, b, ...)`: every combination of one element of each, in
/// order; a set when every argument is a set, else a list.
pub fn setproduct(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, usize::MAX)?;
    let mut combos: Vec<Vec<Value>> = vec![Vec::new()];
    for i in 0..args.len() {
        let items = list(args, i)?;
        combos = combos
            .iter()
            .flat_map(|c| {
                items.iter().map(move |v| {
                    let mut next = c.clone();
                    next.push(v.clone());
                    next
                })
            })
            .collect();
    }
    let out: Vec<Value> = combos.into_iter().map(Value::List).collect();
    Ok(if args.iter().all(|a| matches!(a, Value::Set(_))) {
        Value::set(out)
    } else {
        Value::List(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(x: f64) -> Value {
        Value::Number(x)
    }

    #[test]
    fn range_counts_as_terraform() {
        assert_eq!(
            range(&[n(3.0)]),
            Ok(Value::List(vec![n(0.0), n(1.0), n(2.0)]))
        );
        assert_eq!(
            range(&[n(3.0), n(0.0)]),
            Ok(Value::List(vec![n(3.0), n(2.0), n(1.0)]))
        );
        assert!(range(&[n(0.0), n(5.0), n(-1.0)]).is_err());
        assert!(range(&[n(2000.0)]).is_err());
    }

    #[test]
    fn element_wraps_and_flatten_goes_deep() {
        let l = Value::List(vec![n(1.0), n(2.0)]);
        assert_eq!(element(&[l.clone(), n(3.0)]), Ok(n(2.0)));
        let nested = Value::List(vec![l.clone(), Value::List(vec![l])]);
        assert_eq!(
            flatten(&[nested]),
            Ok(Value::List(vec![n(1.0), n(2.0), n(1.0), n(2.0)]))
        );
    }
}

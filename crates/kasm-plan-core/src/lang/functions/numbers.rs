//! Numeric functions.

use super::{arg, arity};
use crate::lang::convert;
use crate::lang::value::Value;

fn number(args: &[Value], i: usize) -> Result<f64, String> {
    convert::to_number(arg(args, i)).map_err(|m| format!("argument {}: {m}", i + 1))
}

fn unary(args: &[Value], f: fn(f64) -> f64) -> Result<Value, String> {
    arity(args, 1, 1)?;
    Ok(Value::Number(f(number(args, 0)?)))
}

pub fn abs(args: &[Value]) -> Result<Value, String> {
    unary(args, f64::abs)
}

pub fn ceil(args: &[Value]) -> Result<Value, String> {
    unary(args, f64::ceil)
}

pub fn floor(args: &[Value]) -> Result<Value, String> {
    unary(args, f64::floor)
}

pub fn signum(args: &[Value]) -> Result<Value, String> {
    unary(args, |x| if x == 0.0 { 0.0 } else { x.signum() })
}

pub fn pow(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    finite(number(args, 0)?.powf(number(args, 1)?))
}

fn numbers(args: &[Value]) -> Result<Vec<f64>, String> {
    arity(args, 1, usize::MAX)?;
    (0..args.len()).map(|i| number(args, i)).collect()
}

pub fn min(args: &[Value]) -> Result<Value, String> {
    Ok(Value::Number(
        numbers(args)?.into_iter().fold(f64::INFINITY, f64::min),
    ))
}

pub fn max(args: &[Value]) -> Result<Value, String> {
    Ok(Value::Number(
        numbers(args)?.into_iter().fold(f64::NEG_INFINITY, f64::max),
    ))
}

/// A result that is a number: not infinite, not NaN.
pub(super) fn finite(n: f64) -> Result<Value, String> {
    if n.is_finite() {
        Ok(Value::Number(n))
    } else {
        Err("the result is too large to be a number".into())
    }
}

/// The sum of a list of numbers.
pub fn sum(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    let items = arg(args, 0)
        .elements()
        .ok_or("a list of numbers is required")?;
    if items.is_empty() {
        return Err("cannot sum an empty list".into());
    }
    items
        .iter()
        .map(convert::to_number)
        .sum::<Result<f64, _>>()
        .and_then(finite)
}

/// `parseint(string, base)` for bases 2 to 62, as Terraform.
pub fn parseint(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let s = convert::to_string(arg(args, 0)).map_err(|m| format!("argument 1: {m}"))?;
    let base = convert::to_integer(arg(args, 1)).map_err(|m| format!("argument 2: {m}"))?;
    if !(2..=62).contains(&base) {
        return Err(format!("the base must be between 2 and 62, not {base}"));
    }
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    if digits.is_empty() {
        return Err(format!("{s:?} is not a number in base {base}"));
    }
    let mut n = 0f64;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as i64 - '0' as i64,
            'a'..='z' => c as i64 - 'a' as i64 + 10,
            'A'..='Z' if base <= 36 => c as i64 - 'A' as i64 + 10,
            'A'..='Z' => c as i64 - 'A' as i64 + 36,
            _ => 99,
        };
        if d >= base {
            return Err(format!("{s:?} is not a number in base {base}"));
        }
        n = n * base as f64 + d as f64;
    }
    Ok(Value::Number(if negative { -n } else { n }))
}

/// `log(number, base)`: the logarithm of `number` in `base`.
pub fn log(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    Ok(Value::Number(number(args, 0)?.log(number(args, 1)?)))
}

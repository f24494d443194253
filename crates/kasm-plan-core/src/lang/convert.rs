//! Terraform's automatic conversions between primitive types: a number or a
//! bool where a string is wanted, `"2048"` where a number is, `"true"` where a bool is.

use super::value::{Value, format_number};

/// Why a value cannot be used where a primitive is wanted.
pub type Mismatch = String;

/// The value as a string, converting numbers and bools.
pub fn to_string(v: &Value) -> Result<String, Mismatch> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(format_number(*n)),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err("a string is required, but the value is null".into()),
        other => Err(format!("a string is required, not {}", a(other))),
    }
}

/// The value as a number, converting strings that spell one.
pub fn to_number(v: &Value) -> Result<f64, Mismatch> {
    match v {
        Value::Number(n) => Ok(*n),
        Value::String(s) => parse_number(s)
            .ok_or_else(|| format!("a number is required; the string {s:?} is not one")),
        Value::Null => Err("a number is required, but the value is null".into()),
        other => Err(format!("a number is required, not {}", a(other))),
    }
}

/// The value as a bool, converting `"true"` and `"false"`.
pub fn to_bool(v: &Value) -> Result<bool, Mismatch> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        Value::String(s) => Err(format!("a bool is required; the string {s:?} is not one")),
        Value::Null => Err("a bool is required, but the value is null".into()),
        other => Err(format!("a bool is required, not {}", a(other))),
    }
}

/// The value as a whole number (an index, a count).
pub fn to_integer(v: &Value) -> Result<i64, Mismatch> {
    let n = to_number(v)?;
    if n.fract() != 0.0 || !n.is_finite() {
        return Err(format!(
            "a whole number is required, not {}",
            format_number(n)
        ));
    }
    #[allow(clippy::cast_possible_truncation)]
    Ok(n as i64)
}

/// A decimal number as Terraform reads one from a string: no hex, no `inf`.
fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let plain = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if plain { t.parse().ok() } else { None }
}

/// "a list", "an object"...: the value's type with its article.
pub fn a(v: &Value) -> String {
    let name = v.type_name();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives_convert_as_terraform_does() {
        assert_eq!(to_number(&Value::String("2048".into())), Ok(2048.0));
        assert!(to_number(&Value::String("0x10".into())).is_err());
        assert_eq!(to_string(&Value::Number(2.0)).as_deref(), Ok("2"));
        assert_eq!(to_bool(&Value::String("true".into())), Ok(true));
        assert!(to_bool(&Value::String("yes".into())).is_err());
        assert!(to_integer(&Value::Number(1.5)).is_err());
    }
}

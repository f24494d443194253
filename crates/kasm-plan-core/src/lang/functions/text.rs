//! String functions.

use super::{arg, arity};
use crate::lang::convert::{self, a};
use crate::lang::value::{Value, format_number};

fn string(args: &[Value], i: usize) -> Result<String, String> {
    convert::to_string(arg(args, i)).map_err(|m| format!("argument {}: {m}", i + 1))
}

fn strings(args: &[Value], n: usize) -> Result<Vec<String>, String> {
    arity(args, n, n)?;
    (0..n).map(|i| string(args, i)).collect()
}

pub(super) fn one_string(args: &[Value], f: impl Fn(&str) -> String) -> Result<Value, String> {
    let [s] = <[String; 1]>::try_from(strings(args, 1)?).map_err(|_| "takes 1 argument")?;
    Ok(Value::String(f(&s)))
}

pub fn lower(args: &[Value]) -> Result<Value, String> {
    one_string(args, str::to_lowercase)
}

pub fn upper(args: &[Value]) -> Result<Value, String> {
    one_string(args, str::to_uppercase)
}

pub fn trimspace(args: &[Value]) -> Result<Value, String> {
    one_string(args, |s| s.trim().to_owned())
}

pub fn strrev(args: &[Value]) -> Result<Value, String> {
    one_string(args, |s| s.chars().rev().collect())
}

/// Removes newline characters at the end of the string.
pub fn chomp(args: &[Value]) -> Result<Value, String> {
    one_string(args, |s| s.trim_end_matches(['\n', '\r']).to_owned())
}

/// Upper-cases the first letter of each word (a word follows anything but a
/// letter, digit or `_`, as Go's `strings.Title`).
pub fn title(args: &[Value]) -> Result<Value, String> {
    one_string(args, |s| {
        let mut out = String::with_capacity(s.len());
        let mut after_separator = true;
        for c in s.chars() {
            if after_separator {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            after_separator = !(c.is_alphanumeric() || c == '_');
        }
        out
    })
}

pub fn trim(args: &[Value]) -> Result<Value, String> {
    let [s, cut] = <[String; 2]>::try_from(strings(args, 2)?).map_err(|_| "takes 2 arguments")?;
    Ok(Value::String(
        s.trim_matches(|c| cut.contains(c)).to_owned(),
    ))
}

pub fn trimprefix(args: &[Value]) -> Result<Value, String> {
    let [s, p] = <[String; 2]>::try_from(strings(args, 2)?).map_err(|_| "takes 2 arguments")?;
    Ok(Value::String(
        s.strip_prefix(p.as_str()).unwrap_or(&s).to_owned(),
    ))
}

pub fn trimsuffix(args: &[Value]) -> Result<Value, String> {
    let [s, p] = <[String; 2]>::try_from(strings(args, 2)?).map_err(|_| "takes 2 arguments")?;
    Ok(Value::String(
        s.strip_suffix(p.as_str()).unwrap_or(&s).to_owned(),
    ))
}

pub fn startswith(args: &[Value]) -> Result<Value, String> {
    let [s, p] = <[String; 2]>::try_from(strings(args, 2)?).map_err(|_| "takes 2 arguments")?;
    Ok(Value::Bool(s.starts_with(p.as_str())))
}

pub fn endswith(args: &[Value]) -> Result<Value, String> {
    let [s, p] = <[String; 2]>::try_from(strings(args, 2)?).map_err(|_| "takes 2 arguments")?;
    Ok(Value::Bool(s.ends_with(p.as_str())))
}

pub fn strcontains(args: &[Value]) -> Result<Value, String> {
    let [s, p] = <[String; 2]>::try_from(strings(args, 2)?).map_err(|_| "takes 2 arguments")?;
    Ok(Value::Bool(s.contains(p.as_str())))
}

/// Indents every line but the first by `spaces`.
pub fn indent(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let n = convert::to_integer(arg(args, 0)).map_err(|m| format!("argument 1: {m}"))?;
    let s = string(args, 1)?;
    let pad =
        " ".repeat(usize::try_from(n).map_err(|_| "the number of spaces cannot be negative")?);
    Ok(Value::String(s.replace('\n', &format!("\n{pad}"))))
}

pub fn split(args: &[Value]) -> Result<Value, String> {
    let [sep, s] = <[String; 2]>::try_from(strings(args, 2)?).map_err(|_| "takes 2 arguments")?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep.as_str())
            .map(|p| Value::String(p.to_owned()))
            .collect()
    };
    Ok(Value::List(parts))
}

/// `join(separator, list, ...)`.
pub fn join(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, usize::MAX)?;
    let sep = string(args, 0)?;
    let mut parts = Vec::new();
    for (i, list) in args.iter().enumerate().skip(1) {
        let items = list
            .elements()
            .ok_or_else(|| format!("argument {}: a list is required, not {}", i + 1, a(list)))?;
        for item in items {
            parts.push(
                convert::to_string(item).map_err(|m| format!("argument {}: element {m}", i + 1))?,
            );
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

/// `substr(string, offset, length)`: in characters; a negative offset counts
/// from the end, a length of -1 takes the rest.
pub fn substr(args: &[Value]) -> Result<Value, String> {
    arity(args, 3, 3)?;
    let s = string(args, 0)?;
    let offset = convert::to_integer(arg(args, 1)).map_err(|m| format!("argument 2: {m}"))?;
    let length = convert::to_integer(arg(args, 2)).map_err(|m| format!("argument 3: {m}"))?;
    let chars: Vec<char> = s.chars().collect();
    let len = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    let start = if offset < 0 {
        (len + offset).max(0)
    } else {
        offset.min(len)
    };
    let end = if length < 0 {
        len
    } else {
        start.saturating_add(length).min(len)
    };
    let range = usize::try_from(start).unwrap_or(0)..usize::try_from(end).unwrap_or(0);
    Ok(Value::String(
        chars
            .get(range)
            .map_or_else(String::new, |c| c.iter().collect()),
    ))
}

/// `replace(string, search, replacement)`; a search between slashes is a regular expression.
pub fn replace(args: &[Value]) -> Result<Value, String> {
    let [s, search, with] =
        <[String; 3]>::try_from(strings(args, 3)?).map_err(|_| "takes 3 arguments")?;
    match search
        .strip_prefix('/')
        .and_then(|r| r.strip_suffix('/'))
        .filter(|_| search.len() > 1)
    {
        Some(pattern) => {
            let re = compile(pattern)?;
            Ok(Value::String(
                re.replace_all(&s, with.as_str()).into_owned(),
            ))
        }
        None => Ok(Value::String(s.replace(search.as_str(), &with))),
    }
}

/// `regex(pattern, string)`: the match, its captures as a list, or named captures as a map.
pub fn regex(args: &[Value]) -> Result<Value, String> {
    let [pattern, s] =
        <[String; 2]>::try_from(strings(args, 2)?).map_err(|_| "takes 2 arguments")?;
    let re = compile(&pattern)?;
    let caps = re
        .captures(&s)
        .ok_or("the pattern does not match the string")?;
    Ok(captures(&re, &caps))
}

/// `regexall(pattern, string)`: every match, as `regex` gives each.
pub fn regexall(args: &[Value]) -> Result<Value, String> {
    let [pattern, s] =
        <[String; 2]>::try_from(strings(args, 2)?).map_err(|_| "takes 2 arguments")?;
    let re = compile(&pattern)?;
    Ok(Value::List(
        re.captures_iter(&s).map(|c| captures(&re, &c)).collect(),
    ))
}

fn compile(pattern: &str) -> Result<regex_lite::Regex, String> {
    regex_lite::Regex::new(pattern).map_err(|e| format!("invalid regular expression: {e}"))
}

fn captures(re: &regex_lite::Regex, caps: &regex_lite::Captures) -> Value {
    let text = |m: Option<regex_lite::Match>| {
        m.map_or(Value::Null, |m| Value::String(m.as_str().to_owned()))
    };
    if re.captures_len() == 1 {
        return text(caps.get(0));
    }
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.iter().all(Option::is_some) {
        Value::Map(
            names
                .iter()
                .flatten()
                .map(|n| ((*n).to_owned(), text(caps.name(n))))
                .collect(),
        )
    } else {
        Value::List((1..re.captures_len()).map(|i| text(caps.get(i))).collect())
    }
}

/// `format(spec, values...)`, with Go's verbs as Terraform supports them.
pub fn format(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, usize::MAX)?;
    let spec = string(args, 0)?;
    let rest = args.get(1..).unwrap_or_default();
    Ok(Value::String(render(&spec, rest)?))
}

/// `formatlist(spec, values...)`: `format` for each element; lists must be equally long.
pub fn formatlist(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, usize::MAX)?;
    let spec = string(args, 0)?;
    let rest = args.get(1..).unwrap_or_default();
    let mut len: Option<usize> = None;
    for v in rest {
        if let Some(items) = v.elements() {
            match len {
                Some(n) if n != items.len() => {
                    return Err("all list arguments must have the same length".into());
                }
                _ => len = Some(items.len()),
            }
        }
    }
    let Some(n) = len else {
        return Ok(Value::List(vec![Value::String(render(&spec, rest)?)]));
    };
    (0..n)
        .map(|i| {
            let row: Vec<Value> = rest
                .iter()
                .map(|v| v.elements().and_then(|e| e.get(i)).unwrap_or(v).clone())
                .collect();
            render(&spec, &row).map(Value::String)
        })
        .collect::<Result<_, _>>()
        .map(Value::List)
}

/// The widest field and longest precision a verb may ask for: beyond it a
/// format would only serve to exhaust memory.
const MAX_WIDTH: usize = 10_000;

/// A format verb's flags, width and precision.
#[derive(Default)]
struct Verb {
    minus: bool,
    plus: bool,
    zero: bool,
    space: bool,
    sharp: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

fn render(spec: &str, values: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    let mut next = 0usize;
    let mut used = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut v = Verb::default();
        while let Some(&f) = chars.peek() {
            match f {
                '-' => v.minus = true,
                '+' => v.plus = true,
                '0' => v.zero = true,
                ' ' => v.space = true,
                '#' => v.sharp = true,
                _ => break,
            }
            chars.next();
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            let digits: String = chars.by_ref().take_while(|c| *c != ']').collect();
            let n: usize = digits
                .parse()
                .map_err(|_| format!("invalid argument index `[{digits}]`"))?;
            next = n.checked_sub(1).ok_or("argument indexes start at 1")?;
        }
        v.width = number(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            v.precision = Some(number(&mut chars).unwrap_or(0));
        }
        if v.width.max(v.precision).is_some_and(|n| n > MAX_WIDTH) {
            return Err(format!("a width or precision above {MAX_WIDTH}"));
        }
        let verb = chars
            .next()
            .ok_or("the format ends in the middle of a verb")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let value = values
            .get(next)
            .ok_or_else(|| format!("not enough arguments for the `%{verb}` verb"))?;
        next += 1;
        used = used.max(next);
        out.push_str(&pad(&v, verb_text(&v, verb, value)?));
    }
    if used < values.len() {
        return Err(format!(
            "too many arguments: {} given, {used} used",
            values.len()
        ));
    }
    Ok(out)
}

fn number(chars: &mut std::iter::Peekable<std::str::Chars>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
        chars.next();
    }
    n
}

fn verb_text(v: &Verb, verb: char, value: &Value) -> Result<String, String> {
    let num = || convert::to_number(value).map_err(|m| format!("`%{verb}`: {m}"));
    let sign = |n: f64, s: String| {
        if n >= 0.0 && v.plus {
            format!("+{s}")
        } else if n >= 0.0 && v.space {
            format!(" {s}")
        } else {
            s
        }
    };
    Ok(match verb {
        'v' if v.sharp => super::encoding::json_text(value)?,
        'v' => match value {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => convert::to_string(value)?,
            Value::Null => "null".into(),
            other => super::encoding::json_text(other)?,
        },
        's' => {
            let s = convert::to_string(value).map_err(|m| format!("`%s`: {m}"))?;
            match v.precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            }
        }
        'q' => {
            let s = convert::to_string(value).map_err(|m| format!("`%q`: {m}"))?;
            serde_json::to_string(&s).map_err(|e| e.to_string())?
        }
        't' => convert::to_bool(value)
            .map_err(|m| format!("`%t`: {m}"))?
            .to_string(),
        'd' => {
            let n = convert::to_integer(value).map_err(|m| format!("`%d`: {m}"))?;
            sign(n as f64, n.to_string())
        }
        'b' | 'o' | 'x' | 'X'
            if matches!(value, Value::String(_)) && verb != 'b' && verb != 'o' =>
        {
            let s = convert::to_string(value)?;
            let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
            if verb == 'X' { hex.to_uppercase() } else { hex }
        }
        'b' | 'o' | 'x' | 'X' => {
            let n = convert::to_integer(value).map_err(|m| format!("`%{verb}`: {m}"))?;
            let mag = n.unsigned_abs();
            let digits = match verb {
                'b' => format!("{mag:b}"),
                'o' => format!("{mag:o}"),
                'x' => format!("{mag:x}"),
                _ => format!("{mag:X}"),
            };
            sign(n as f64, if n < 0 { format!("-{digits}") } else { digits })
        }
        'f' | 'F' => {
            let n = num()?;
            sign(n, format!("{n:.*}", v.precision.unwrap_or(6)))
        }
        'e' | 'E' => {
            let n = num()?;
            let s = go_exponent(&format!("{n:.*e}", v.precision.unwrap_or(6)));
            sign(n, if verb == 'E' { s.to_uppercase() } else { s })
        }
        'g' | 'G' => {
            let n = num()?;
            sign(n, format_number(n))
        }
        other => return Err(format!("unsupported verb `%{other}`")),
    })
}

/// Rust writes `1.5e3`; Go writes `1.5e+03`.
fn go_exponent(s: &str) -> String {
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s.to_owned(),
    }
}

fn pad(v: &Verb, s: String) -> String {
    let Some(width) = v.width else { return s };
    let len = s.chars().count();
    if len >= width {
        return s;
    }
    let fill = width - len;
    if v.minus {
        format!("{s}{}", " ".repeat(fill))
    } else if v.zero {
        match s.strip_prefix(['-', '+']) {
            Some(rest) => format!("{}{}{rest}", s.get(..1).unwrap_or(""), "0".repeat(fill)),
            None => format!("{}{s}", "0".repeat(fill)),
        }
    } else {
        format!("{}{s}", " ".repeat(fill))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::String(x.into())
    }

    #[test]
    fn format_follows_go_verbs() {
        let f = |spec: &str, args: &[Value]| render(spec, args).unwrap();
        assert_eq!(f("%s-%d", &[s("web"), Value::Number(3.0)]), "web-3");
        assert_eq!(
            f(
                "%03d|%-4s|%5.2f",
                &[Value::Number(7.0), s("ab"), Value::Number(4.25678)]
            ),
            "007|ab  | 4.26"
        );
        assert_eq!(
            f("%q %t %%", &[s("a\"b"), Value::Bool(true)]),
            "\"a\\\"b\" true %"
        );
        assert_eq!(f("%[2]s %[1]s", &[s("a"), s("b")]), "b a");
        assert_eq!(f("%e", &[Value::Number(1500.0)]), "1.500000e+03");
        assert!(render("%d", &[s("x")]).is_err());
        assert!(render("%s %s", &[s("x")]).is_err());
        assert!(render("%s", &[s("x"), s("y")]).is_err());
    }

    #[test]
    fn title_and_substr() {
        assert_eq!(title(&[s("hello world-wide")]), Ok(s("Hello World-Wide")));
        assert_eq!(
            substr(&[s("hello"), Value::Number(-3.0), Value::Number(-1.0)]),
            Ok(s("llo"))
        );
        assert_eq!(
            substr(&[s("hello"), Value::Number(1.0), Value::Number(2.0)]),
            Ok(s("el"))
        );
    }

    #[test]
    fn replace_takes_regular_expressions_between_slashes() {
        assert_eq!(replace(&[s("a-b-c"), s("-"), s("_")]), Ok(s("a_b_c")));
        assert_eq!(
            replace(&[s("v1.2.3"), s("/v(\\d+).*/"), s("$1")]),
            Ok(s("1"))
        );
    }
}

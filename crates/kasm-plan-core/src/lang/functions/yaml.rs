//! YAML: `yamlencode` writes Terraform's style, `yamldecode` reads YAML as
//! Terraform does (YAML 1.1's plain scalars: `yes` and `on` are true, `~`
//! is null, an unquoted date is an RFC 3339 string). The parser is a crate;
//! the resolution of plain scalars is Terraform's contract, so it is here.

use super::{arg, arity};
use crate::lang::convert;
use crate::lang::value::Value;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use std::collections::BTreeMap;

/// YAML as Terraform's `yamlencode` writes it: block style, every string
/// double-quoted. Written here because that exact style is the contract;
/// YAML crates choose their own quoting.
pub fn yamlencode(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    let mut out = String::new();
    yaml(arg(args, 0), 0, &mut out)?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(Value::String(out))
}

fn yaml(v: &Value, indent: usize, out: &mut String) -> Result<(), String> {
    let pad = " ".repeat(indent);
    match v {
        Value::List(items) | Value::Set(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(&pad);
                }
                out.push_str("- ");
                yaml(item, indent + 2, out)?;
            }
        }
        Value::Map(map) if !map.is_empty() => {
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(&pad);
                }
                out.push_str(&quoted(k)?);
                out.push(':');
                match item {
                    Value::Map(m) if !m.is_empty() => {
                        out.push('\n');
                        out.push_str(&" ".repeat(indent + 2));
                        yaml(item, indent + 2, out)?;
                    }
                    Value::List(l) | Value::Set(l) if !l.is_empty() => {
                        out.push('\n');
                        out.push_str(&pad);
                        yaml(item, indent, out)?;
                    }
                    _ => {
                        out.push(' ');
                        yaml(item, indent + 2, out)?;
                    }
                }
            }
        }
        Value::List(_) | Value::Set(_) => out.push_str("[]\n"),
        Value::Map(_) => out.push_str("{}\n"),
        Value::String(s) if literal_fits(s) => literal(s, indent.max(2), out),
        Value::String(s) => {
            out.push_str(&quoted(s)?);
            out.push('\n');
        }
        Value::Unknown(_) => return Err("the value is not known yet".into()),
        scalar => {
            out.push_str(&scalar.to_json().map(|j| j.to_string()).unwrap_or_default());
            out.push('\n');
        }
    }
    Ok(())
}

/// Whether Terraform writes the string as a literal block (`|`): it has
/// a line break, and no space before one nor any control character.
fn literal_fits(s: &str) -> bool {
    s.contains('\n') && !s.contains(" \n") && !s.chars().any(|c| c.is_control() && c != '\n')
}

/// A literal block: `|`, the indentation (`2`) when the text starts with a
/// space or line break, `-` without a final line break or `+` for more than
/// one (or a text that is one), then the lines indented (empty lines empty).
fn literal(s: &str, indent: usize, out: &mut String) {
    out.push('|');
    if s.starts_with([' ', '\n']) {
        out.push('2');
    }
    let body = s.trim_end_matches('\n');
    match s.len() - body.len() {
        0 => out.push('-'),
        1 if !body.is_empty() => {}
        _ => out.push('+'),
    }
    out.push('\n');
    for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
        if !line.is_empty() {
            out.push_str(&" ".repeat(indent));
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// A YAML double-quoted scalar; JSON's escapes are valid in it.
fn quoted(s: &str) -> Result<String, String> {
    serde_json::to_string(s).map_err(|e| e.to_string())
}

/// The value of a YAML document. Mappings are objects, sequences tuples;
/// anchors and aliases are followed; a stream of several documents is refused.
pub fn yamldecode(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    let text = convert::to_string(arg(args, 0))?;
    let mut reader = Reader {
        events: Parser::new_from_str(&text),
        anchors: BTreeMap::new(),
    };
    let mut value = None;
    loop {
        match reader.next()? {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd => {}
            Event::DocumentStart(_) if value.is_some() => {
                return Err("unexpected extra content after value (a second YAML document)".into());
            }
            Event::DocumentStart(_) => {
                let event = reader.next()?;
                value = Some(reader.node(event)?);
            }
            _ => return Err("the YAML stream is malformed".into()),
        }
    }
    value.ok_or_else(|| "missing start of document (the text holds no YAML value)".into())
}

/// Events in, values out, remembering anchored nodes.
struct Reader<'a> {
    events: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: BTreeMap<usize, Value>,
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Result<Event<'a>, String> {
        match self.events.next_event() {
            Some(Ok((event, _))) => Ok(event),
            Some(Err(e)) => Err(format!(
                "on line {}, column {}: {}",
                e.marker().line(),
                e.marker().col() + 1,
                e.info()
            )),
            None => Ok(Event::StreamEnd),
        }
    }

    /// The node that starts with `event`.
    fn node(&mut self, event: Event<'a>) -> Result<Value, String> {
        let (anchor, value) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                (anchor, scalar(&text, style, tag.as_deref())?)
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        Event::SequenceEnd => break,
                        e => items.push(self.node(e)?),
                    }
                }
                (anchor, Value::List(items))
            }
            Event::MappingStart(anchor, _) => (anchor, self.mapping()?),
            Event::Alias(id) => {
                return self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| "an alias names no anchor".into());
            }
            _ => return Err("the YAML stream is malformed".into()),
        };
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
        Ok(value)
    }

    /// A mapping's entries, after its start; `<<` merges another mapping in.
    fn mapping(&mut self) -> Result<Value, String> {
        let mut map = BTreeMap::new();
        let mut merged = BTreeMap::new();
        loop {
            let key = match self.next()? {
                Event::MappingEnd => break,
                e => self.node(e)?,
            };
            let next = self.next()?;
            let value = self.node(next)?;
            if key == Value::String("<<".into()) {
                for source in merge_sources(value)? {
                    merged.extend(source);
                }
                continue;
            }
            let key = match key {
                Value::Null => return Err("a mapping key is null".into()),
                Value::Map(_) | Value::List(_) => {
                    return Err("a mapping key must be a string, number or bool".into());
                }
                k => convert::to_string(&k)?,
            };
            map.insert(key, value);
        }
        for (k, v) in merged {
            map.entry(k).or_insert(v);
        }
        Ok(Value::Map(map))
    }
}

/// The mappings a `<<` key merges: one, or a sequence of them.
fn merge_sources(value: Value) -> Result<Vec<BTreeMap<String, Value>>, String> {
    let bad = || "a `<<` merge key takes a mapping or a sequence of mappings".to_owned();
    match value {
        Value::Map(m) => Ok(vec![m]),
        Value::List(items) => items
            .into_iter()
            .map(|i| {
                if let Value::Map(m) = i {
                    Ok(m)
                } else {
                    Err(bad())
                }
            })
            .collect(),
        _ => Err(bad()),
    }
}

/// A scalar's value: quoted and block scalars are strings whatever their
/// tag; plain ones are resolved as Terraform resolves them.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let tag = tag.map(|t| {
        if t.is_yaml_core_schema() {
            format!("!!{}", t.suffix)
        } else {
            format!("{}{}", t.handle, t.suffix)
        }
    });
    if style != ScalarStyle::Plain {
        return Ok(Value::String(text.into()));
    }
    match tag.as_deref() {
        None => Ok(plain(text)),
        Some("!!str") => Ok(Value::String(text.into())),
        Some("!!null") => Ok(Value::Null),
        Some("!!bool") => match plain(text) {
            b @ Value::Bool(_) => Ok(b),
            _ => Err(format!("cannot parse {text:?} as !!bool")),
        },
        Some("!!int" | "!!float") => number(text)
            .ok_or_else(|| format!("cannot parse {text:?} as {}", tag.unwrap_or_default())),
        Some(other) => Err(format!("unsupported tag {other:?}")),
    }
}

/// A plain scalar: YAML 1.1's booleans and nulls, decimal numbers, `0x` and
/// `0o` integers, dates as RFC 3339 strings; anything else (`1_000`,
/// `0b101`, `-0x10`) is a string, as in Terraform.
fn plain(text: &str) -> Value {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Value::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        _ => {
            let first = text.bytes().next().unwrap_or_default();
            if first == b'.' {
                return decimal(text).map_or_else(|| Value::String(text.into()), Value::Number);
            }
            if first.is_ascii_digit() || first == b'+' || first == b'-' {
                if let Some(date) = date(text) {
                    return Value::String(date);
                }
                if let Some(n) = decimal(text).or_else(|| prefixed(text)) {
                    return Value::Number(n);
                }
            }
            Value::String(text.into())
        }
    }
}

/// A decimal number as Terraform parses one (no hex, no infinity).
fn decimal(text: &str) -> Option<f64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let valid = !digits.is_empty()
        && digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if valid {
        text.parse().ok().filter(|n: &f64| n.is_finite())
    } else {
        None
    }
}

/// An unsigned `0x` (hexadecimal) or `0o` (octal) integer.
fn prefixed(text: &str) -> Option<f64> {
    let (radix, digits) = match text.split_at_checked(2)? {
        ("0x", d) => (16, d),
        ("0o", d) => (8, d),
        _ => return None,
    };
    #[allow(clippy::cast_precision_loss)] // as Terraform's numbers are f64 here
    u64::from_str_radix(digits, radix)
        .ok()
        .filter(|_| digits.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|n| n as f64)
}

/// A number for an explicit `!!int` or `!!float`: decimal, or `0x`, `0o`,
/// `0b` and leading-zero octal integers.
fn number(text: &str) -> Option<Value> {
    let plain = text.replace('_', "");
    if let Some(n) = decimal(&plain) {
        return Some(Value::Number(n));
    }
    let (negative, digits) = match plain.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, plain.strip_prefix('+').unwrap_or(&plain)),
    };
    let (radix, digits) = if let Some(d) = digits.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = digits.strip_prefix("0b") {
        (2, d)
    } else if let Some(d) = digits.strip_prefix("0o") {
        (8, d)
    } else {
        (8, digits.strip_prefix('0')?)
    };
    let n = i64::from_str_radix(digits, radix).ok()?;
    #[allow(clippy::cast_precision_loss)] // as Terraform's numbers are f64 here
    Some(Value::Number(if negative { -n as f64 } else { n as f64 }))
}

/// An unquoted YAML date or date-time, as the RFC 3339 string Terraform
/// gives for it: `2001-12-14` is `2001-12-14T00:00:00Z`.
fn date(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    if bytes.get(4) != Some(&b'-') || !bytes.iter().take(4).all(u8::is_ascii_digit) {
        return None;
    }
    let (day, time, spaced) = match text.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t), text.get(d.len()..=d.len()) == Some(" ")),
        None => (text, None, false),
    };
    let mut parts = day.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (year, month, dom) = (parts.next()??, parts.next()??, parts.next()??);
    let base = format!("{year:04}-{month:02}-{dom:02}");
    let Some(time) = time else {
        return super::dates::normalized(&format!("{base}T00:00:00Z"));
    };
    // `T` needs a zone; a space takes none and means UTC.
    let (clock, zone) = match (time.find(['Z', 'z', '+', '-']), spaced) {
        (Some(i), false) => time.split_at(i),
        (None, true) => (time, "Z"),
        _ => return None,
    };
    let mut hms = clock.splitn(3, ':');
    let (h, m, s) = (hms.next()?, hms.next()?, hms.next()?);
    let s = s.split_once('.').map_or(s, |(whole, _)| whole);
    let (h, m, s) = (
        h.parse::<u32>().ok()?,
        m.parse::<u32>().ok()?,
        s.parse::<u32>().ok()?,
    );
    let zone = if zone.eq_ignore_ascii_case("z") {
        "Z"
    } else {
        zone
    };
    super::dates::normalized(&format!("{base}T{h:02}:{m:02}:{s:02}{zone}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::String(x.into())
    }

    #[test]
    fn yamlencode_matches_terraform_style() {
        let v = Value::Map(BTreeMap::from([
            (
                "foo".into(),
                Value::List(vec![Value::Number(1.0), Value::Number(2.0)]),
            ),
            ("bar".into(), s("baz")),
        ]));
        assert_eq!(
            yamlencode(&[v]),
            Ok(s("\"bar\": \"baz\"\n\"foo\":\n- 1\n- 2\n"))
        );
    }

    #[test]
    fn yamldecode_resolves_plain_scalars_as_terraform() {
        let v = yamldecode(&[s(
            "a: yes\nb: '1'\nc: ~\nd: [1, two]\ne: 0x10\nf: 2001-12-14\ng: !!int 0x10\nh: 0b101\n",
        )]);
        let want = Value::Map(BTreeMap::from([
            ("a".into(), Value::Bool(true)),
            ("b".into(), s("1")),
            ("c".into(), Value::Null),
            ("d".into(), Value::List(vec![Value::Number(1.0), s("two")])),
            ("e".into(), Value::Number(16.0)),
            ("f".into(), s("2001-12-14T00:00:00Z")),
            ("g".into(), Value::Number(16.0)),
            ("h".into(), s("0b101")),
        ]));
        assert_eq!(v, Ok(want));
        assert!(yamldecode(&[s("a: [")]).is_err());
        assert!(yamldecode(&[s("")]).is_err_and(|e| e.contains("missing start of document")));
        assert!(yamldecode(&[s("a: 1\n---\nb: 2\n")]).is_err());
    }

    #[test]
    fn yamldecode_follows_anchors_and_merges() {
        let v = yamldecode(&[s("base: &b {x: 1}\nderived:\n  <<: *b\n  z: 2\n")]);
        let derived = Value::Map(BTreeMap::from([
            ("x".into(), Value::Number(1.0)),
            ("z".into(), Value::Number(2.0)),
        ]));
        assert!(
            matches!(&v, Ok(Value::Map(m)) if m.get("derived") == Some(&derived)),
            "{v:?}"
        );
    }
}

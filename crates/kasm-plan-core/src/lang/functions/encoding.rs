//! JSON, YAML, base64, URL and hash functions.

use super::{arg, arity};
use crate::lang::convert;
use crate::lang::value::Value;
use base64::Engine as _;
use sha2::Digest as _;

fn string(args: &[Value]) -> Result<String, String> {
    arity(args, 1, 1)?;
    convert::to_string(arg(args, 0))
}

/// JSON text as Terraform writes it: keys sorted, and `<`, `>`, `&`, U+2028
/// and U+2029 escaped (Go's encoder does so for HTML safety).
pub(super) fn json_text(value: &Value) -> Result<String, String> {
    let json = value.to_json().ok_or("the value is not known yet")?;
    let text = serde_json::to_string(&json).map_err(|e| e.to_string())?;
    Ok(text
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029"))
}

pub fn jsonencode(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    json_text(arg(args, 0)).map(Value::String)
}

pub fn jsondecode(args: &[Value]) -> Result<Value, String> {
    let text = string(args)?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("not valid JSON: {e}"))?;
    Ok(Value::from_json(&json))
}

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

/// A YAML double-quoted scalar; JSON's escapes are valid in it.
fn quoted(s: &str) -> Result<String, String> {
    serde_json::to_string(s).map_err(|e| e.to_string())
}

/// Bytes in standard base64, as every base64 function writes them.
fn base64(bytes: impl AsRef<[u8]>) -> Value {
    Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
}

pub fn base64encode(args: &[Value]) -> Result<Value, String> {
    Ok(base64(string(args)?))
}

pub fn base64decode(args: &[Value]) -> Result<Value, String> {
    let s = string(args)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.as_bytes())
        .map_err(|e| format!("not valid base64: {e}"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "the decoded bytes are not UTF-8 text".into())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256(args: &[Value]) -> Result<Value, String> {
    Ok(Value::String(hex(&sha2::Sha256::digest(
        string(args)?.as_bytes(),
    ))))
}

pub fn sha512(args: &[Value]) -> Result<Value, String> {
    Ok(Value::String(hex(&sha2::Sha512::digest(
        string(args)?.as_bytes(),
    ))))
}

pub fn sha1(args: &[Value]) -> Result<Value, String> {
    Ok(Value::String(hex(&sha1::Sha1::digest(
        string(args)?.as_bytes(),
    ))))
}

pub fn md5(args: &[Value]) -> Result<Value, String> {
    Ok(Value::String(hex(&md5::Md5::digest(
        string(args)?.as_bytes(),
    ))))
}

/// `uuidv5(namespace, name)`: the name-based UUID (RFC 4122, SHA-1) of
/// `name` in a namespace given as `dns`, `url`, `oid`, `x500` or a UUID.
pub fn uuidv5(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let namespace = convert::to_string(arg(args, 0))?;
    let name = convert::to_string(arg(args, 1))?;
    let known = match namespace.as_str() {
        "dns" => "6ba7b8109dad11d180b400c04fd430c8".to_owned(),
        "url" => "6ba7b8119dad11d180b400c04fd430c8".to_owned(),
        "oid" => "6ba7b8129dad11d180b400c04fd430c8".to_owned(),
        "x500" => "6ba7b8149dad11d180b400c04fd430c8".to_owned(),
        other => crate::model::canonical_uuid(other)
            .ok_or_else(|| format!("uuidv5() doesn't support namespace {other:?}"))?,
    };
    let mut bytes = Vec::with_capacity(16 + name.len());
    for pair in known.as_bytes().chunks(2) {
        let text = std::str::from_utf8(pair).map_err(|e| e.to_string())?;
        bytes.push(u8::from_str_radix(text, 16).map_err(|e| e.to_string())?);
    }
    bytes.extend_from_slice(name.as_bytes());
    let digest = sha1::Sha1::digest(&bytes);
    let mut id = [0u8; 16];
    id.copy_from_slice(digest.get(..16).ok_or("short digest")?);
    id[6] = (id[6] & 0x0f) | 0x50;
    id[8] = (id[8] & 0x3f) | 0x80;
    let h = hex(&id);
    Ok(Value::String(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )))
}

/// The digest in base64 rather than hex, as Terraform's `base64sha256`.
pub fn base64sha256(args: &[Value]) -> Result<Value, String> {
    Ok(base64(sha2::Sha256::digest(string(args)?.as_bytes())))
}

pub fn base64sha512(args: &[Value]) -> Result<Value, String> {
    Ok(base64(sha2::Sha512::digest(string(args)?.as_bytes())))
}

/// Query escaping, as Go's `url.QueryEscape`: a space becomes `+`.
pub fn urlencode(args: &[Value]) -> Result<Value, String> {
    let s = string(args)?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn s(x: &str) -> Value {
        Value::String(x.into())
    }

    #[test]
    fn jsonencode_sorts_keys_and_escapes_html() {
        let v = Value::Map(BTreeMap::from([
            ("b".into(), s("<x>")),
            ("a".into(), Value::Number(1.0)),
        ]));
        assert_eq!(jsonencode(&[v]), Ok(s(r#"{"a":1,"b":"\u003cx\u003e"}"#)));
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
    fn hashes_and_encodings() {
        assert_eq!(
            sha256(&[s("hello")]),
            Ok(s(
                "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
            ))
        );
        assert_eq!(base64decode(&[s("aGVsbG8=")]), Ok(s("hello")));
        assert_eq!(urlencode(&[s("a b&c")]), Ok(s("a+b%26c")));
    }
}

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

/// Gzip, then base64, as Terraform's `base64gzip` writes it: Go's header
/// (no name, no time, unknown system), the text compressed and
/// sync-flushed, then an empty stored block to end the stream. Short texts
/// come out byte for byte as Terraform's; longer ones can differ in how the
/// deflate encoder chose to compress, and any gzip reader gets the same
/// text back from either.
pub fn base64gzip(args: &[Value]) -> Result<Value, String> {
    const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    const LAST_EMPTY_STORED_BLOCK: [u8; 5] = [1, 0, 0, 0xff, 0xff];
    use std::io::Write as _;
    let text = string(args)?;
    let mut deflate =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflate
        .write_all(text.as_bytes())
        .and_then(|()| deflate.flush())
        .map_err(|e| format!("failed to compress: {e}"))?;
    let mut out = HEADER.to_vec();
    out.append(deflate.get_mut());
    out.extend(LAST_EMPTY_STORED_BLOCK);
    let mut crc = flate2::Crc::new();
    crc.update(text.as_bytes());
    out.extend(crc.sum().to_le_bytes());
    out.extend(crc.amount().to_le_bytes());
    Ok(base64(out))
}

/// `csvdecode(text)`: the first line names the columns, each further line
/// is an object of strings; every line has as many fields as the first.
pub fn csvdecode(args: &[Value]) -> Result<Value, String> {
    let text = string(args)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let error = |e: csv::Error| {
        let line = e.position().map_or(0, csv::Position::line);
        let why = match e.kind() {
            csv::ErrorKind::UnequalLengths { .. } => "wrong number of fields".to_owned(),
            _ => e.to_string(),
        };
        format!("CSV parse error on line {line}: {why}")
    };
    let header = records
        .next()
        .ok_or("missing header line")?
        .map_err(error)?;
    let columns: Vec<String> = header.iter().map(str::to_owned).collect();
    if let Some(dup) = columns
        .iter()
        .enumerate()
        .find_map(|(i, c)| columns.get(..i)?.contains(c).then_some(c))
    {
        return Err(format!("duplicate column name {dup:?}"));
    }
    let rows = records
        .map(|record| {
            let record = record.map_err(error)?;
            Ok(Value::Map(
                columns
                    .iter()
                    .cloned()
                    .zip(record.iter().map(|f| Value::String(f.to_owned())))
                    .collect(),
            ))
        })
        .collect::<Result<_, String>>()?;
    Ok(Value::List(rows))
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
    fn base64gzip_is_gzip_of_the_text_with_gos_header() {
        use std::io::Read as _;
        let Ok(Value::String(b64)) = base64gzip(&[s("hello, hello, hello")]) else {
            panic!("base64gzip failed");
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&b64)
            .unwrap_or_default();
        assert_eq!(
            bytes.get(..10),
            Some(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff][..])
        );
        let mut text = String::new();
        let read = flate2::read::GzDecoder::new(bytes.as_slice()).read_to_string(&mut text);
        assert!(read.is_ok());
        assert_eq!(text, "hello, hello, hello");
    }

    #[test]
    fn csvdecode_needs_a_header_and_equal_rows() {
        assert!(csvdecode(&[s("")]).is_err_and(|e| e == "missing header line"));
        assert_eq!(
            csvdecode(&[s("a,b\n1,2,3\n")]),
            Err("CSV parse error on line 2: wrong number of fields".into())
        );
        assert!(csvdecode(&[s("a,a\n1,2\n")]).is_err_and(|e| e.contains("duplicate")));
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

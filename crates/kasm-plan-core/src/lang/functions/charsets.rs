//! `textencodebase64` and `textdecodebase64`: text in another character
//! encoding, as base64. Terraform accepts every IANA name Go knows; the core
//! offers the encodings configurations use (Unicode's, Latin-1, ASCII and
//! Windows' Western code page) and names them when another is asked for,
//! rather than carry dozens of code-page tables into every build.

use super::{arg, arity};
use crate::lang::convert;
use crate::lang::value::Value;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// An encoding the functions offer.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Charset {
    Utf8,
    /// UTF-16 with a byte order mark (big-endian without one), as Go's.
    Utf16,
    Utf16Be,
    Utf16Le,
    Latin1,
    Ascii,
    Windows1252,
}

/// IANA names and aliases, lower case, with the name messages use.
const NAMES: &[(&str, Charset, &str)] = &[
    ("utf-8", Charset::Utf8, "UTF-8"),
    ("csutf8", Charset::Utf8, "UTF-8"),
    ("utf-16", Charset::Utf16, "UTF-16"),
    ("csutf16", Charset::Utf16, "UTF-16"),
    ("utf-16be", Charset::Utf16Be, "UTF-16BE"),
    ("csutf16be", Charset::Utf16Be, "UTF-16BE"),
    ("utf-16le", Charset::Utf16Le, "UTF-16LE"),
    ("csutf16le", Charset::Utf16Le, "UTF-16LE"),
    ("iso-8859-1", Charset::Latin1, "ISO-8859-1"),
    ("iso_8859-1", Charset::Latin1, "ISO-8859-1"),
    ("iso_8859-1:1987", Charset::Latin1, "ISO-8859-1"),
    ("iso-ir-100", Charset::Latin1, "ISO-8859-1"),
    ("latin1", Charset::Latin1, "ISO-8859-1"),
    ("l1", Charset::Latin1, "ISO-8859-1"),
    ("ibm819", Charset::Latin1, "ISO-8859-1"),
    ("cp819", Charset::Latin1, "ISO-8859-1"),
    ("csisolatin1", Charset::Latin1, "ISO-8859-1"),
    ("us-ascii", Charset::Ascii, "US-ASCII"),
    ("ascii", Charset::Ascii, "US-ASCII"),
    ("us", Charset::Ascii, "US-ASCII"),
    ("ansi_x3.4-1968", Charset::Ascii, "US-ASCII"),
    ("iso-ir-6", Charset::Ascii, "US-ASCII"),
    ("iso646-us", Charset::Ascii, "US-ASCII"),
    ("csascii", Charset::Ascii, "US-ASCII"),
    ("windows-1252", Charset::Windows1252, "windows-1252"),
    ("cswindows1252", Charset::Windows1252, "windows-1252"),
];

/// Windows-1252's bytes 0x80 to 0x9F (the rest are Latin-1's); the five it
/// leaves undefined stand for the C1 controls, as in Go's table.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

fn charset(name: &str) -> Result<(Charset, &'static str), String> {
    let lower = name.to_ascii_lowercase();
    NAMES
        .iter()
        .find(|(n, _, _)| *n == lower)
        .map(|(_, c, canonical)| (*c, *canonical))
        .ok_or_else(|| {
            format!(
                "{name:?} is not a supported IANA encoding name or alias here (supported: UTF-8, UTF-16, UTF-16BE, UTF-16LE, ISO-8859-1, US-ASCII, windows-1252)"
            )
        })
}

fn encode(text: &str, charset: Charset) -> Option<Vec<u8>> {
    let units = || text.encode_utf16();
    Some(match charset {
        Charset::Utf8 => text.as_bytes().to_vec(),
        Charset::Utf16 => [0xFE, 0xFF]
            .into_iter()
            .chain(units().flat_map(u16::to_be_bytes))
            .collect(),
        Charset::Utf16Be => units().flat_map(u16::to_be_bytes).collect(),
        Charset::Utf16Le => units().flat_map(u16::to_le_bytes).collect(),
        Charset::Latin1 | Charset::Ascii | Charset::Windows1252 => text
            .chars()
            .map(|c| single_byte(c, charset))
            .collect::<Option<_>>()?,
    })
}

/// The byte a single-byte charset writes for `c`, if it has one.
fn single_byte(c: char, charset: Charset) -> Option<u8> {
    let code = u32::from(c);
    match charset {
        Charset::Ascii if code < 0x80 => u8::try_from(code).ok(),
        Charset::Latin1 => u8::try_from(code).ok(),
        Charset::Windows1252 if !(0x80..0xA0).contains(&code) => u8::try_from(code).ok(),
        _ => None,
    }
    .or_else(|| {
        let i = CP1252_HIGH
            .iter()
            .position(|h| *h == c)
            .filter(|_| charset == Charset::Windows1252)?;
        u8::try_from(0x80 + i).ok()
    })
}

fn decode(bytes: &[u8], charset: Charset) -> String {
    let utf16 = |bytes: &[u8], big: bool| {
        let units = bytes.chunks(2).map(|pair| match pair {
            [a, b] if big => u16::from_be_bytes([*a, *b]),
            [a, b] => u16::from_le_bytes([*a, *b]),
            _ => 0xFFFD,
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    };
    match charset {
        Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Charset::Utf16 => match bytes {
            [0xFF, 0xFE, rest @ ..] => utf16(rest, false),
            [0xFE, 0xFF, rest @ ..] => utf16(rest, true),
            _ => utf16(bytes, true),
        },
        Charset::Utf16Be => utf16(bytes, true),
        Charset::Utf16Le => utf16(bytes, false),
        Charset::Latin1 => bytes.iter().map(|b| char::from(*b)).collect(),
        Charset::Ascii => bytes
            .iter()
            .map(|b| {
                if b.is_ascii() {
                    char::from(*b)
                } else {
                    char::REPLACEMENT_CHARACTER
                }
            })
            .collect(),
        Charset::Windows1252 => bytes
            .iter()
            .map(|b| match b {
                0x80..0xA0 => CP1252_HIGH
                    .get(usize::from(b - 0x80))
                    .copied()
                    .unwrap_or_default(),
                _ => char::from(*b),
            })
            .collect(),
    }
}

pub fn textencodebase64(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let text = convert::to_string(arg(args, 0))?;
    let (charset, name) = charset(&convert::to_string(arg(args, 1))?)?;
    let bytes = encode(&text, charset).ok_or_else(|| {
        format!("the given string contains characters that cannot be represented in {name}")
    })?;
    Ok(Value::String(STANDARD.encode(bytes)))
}

pub fn textdecodebase64(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let encoded = convert::to_string(arg(args, 0))?;
    let (charset, _) = charset(&convert::to_string(arg(args, 1))?)?;
    let bytes = STANDARD
        .decode(&encoded)
        .map_err(|e| format!("the given value has an invalid base64 symbol ({e})"))?;
    Ok(Value::String(decode(&bytes, charset)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_charset_round_trips_what_it_can_represent() {
        for (_, charset, _) in NAMES {
            let text = if *charset == Charset::Ascii {
                "Hello"
            } else {
                "Héllo"
            };
            let bytes = encode(text, *charset).unwrap_or_default();
            assert_eq!(decode(&bytes, *charset), text, "{charset:?}");
        }
        assert_eq!(encode("€", Charset::Windows1252), Some(vec![0x80]));
        assert_eq!(encode("€", Charset::Latin1), None);
        assert_eq!(encode("é", Charset::Ascii), None);
    }
}

//! HCL's tokens as the formatter needs them: what each is and its text.
//! Strings, heredocs and comments are single tokens kept verbatim, so their
//! contents never change. The text was parsed before, so it is well formed.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or keyword.
    Ident,
    /// A number.
    Number,
    /// A quoted template, interpolations included.
    Str,
    /// A heredoc, from `<<` to its closing marker (spans lines).
    Heredoc,
    /// `#` or `//` to the end of the line.
    LineComment,
    /// `/* ... */` (may span lines).
    BlockComment,
    /// `{`, `[` or `(`.
    Open,
    /// `}`, `]` or `)`.
    Close,
    /// Operators and other punctuation.
    Punct,
    /// A line break.
    Newline,
}

/// One token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// What it is.
    pub kind: Kind,
    /// Its text.
    pub text: &'a str,
}

/// The tokens of `text`, whitespace dropped (newlines kept).
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let c = bytes[i];
        let rest = &text[i..];
        let kind = if c == b'\n' {
            i += 1;
            Kind::Newline
        } else if c == b' ' || c == b'\t' || c == b'\r' {
            i += 1;
            continue;
        } else if c == b'#' || rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
            Kind::LineComment
        } else if rest.starts_with("/*") {
            i += rest
                .get(2..)
                .and_then(|r| r.find("*/"))
                .map_or(rest.len(), |e| e + 4);
            Kind::BlockComment
        } else if c == b'"' {
            i += quoted_len(rest);
            Kind::Str
        } else if let Some(len) = heredoc_len(rest) {
            i += len;
            Kind::Heredoc
        } else if c.is_ascii_digit() {
            i += number_len(rest);
            Kind::Number
        } else if c == b'_' || c.is_ascii_alphabetic() || !c.is_ascii() {
            i += rest
                .char_indices()
                .find(|&(_, ch)| !(ch == '_' || ch == '-' || ch.is_alphanumeric()))
                .map_or(rest.len(), |(n, _)| n);
            Kind::Ident
        } else if matches!(c, b'{' | b'[' | b'(') {
            i += 1;
            Kind::Open
        } else if matches!(c, b'}' | b']' | b')') {
            i += 1;
            Kind::Close
        } else {
            const LONG: [&str; 9] = ["...", "==", "!=", "<=", ">=", "&&", "||", "=>", "::"];
            i += LONG
                .iter()
                .find(|op| rest.starts_with(*op))
                .map_or(1, |op| op.len());
            Kind::Punct
        };
        out.push(Token {
            kind,
            text: &text[start..i],
        });
    }
    out
}

/// A quoted template's length, quotes included: `${...}`/`%{...}` may hold strings.
fn quoted_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'$' | b'%'
                if b.get(i + 1) == Some(&b'{') && b.get(i.wrapping_sub(1)) != Some(&b[i]) =>
            {
                i += 2 + braced_len(&s[i + 2..]);
            }
            b'\n' => return i,
            _ => i += 1,
        }
    }
    b.len()
}

/// The length up to and including the `}` closing an interpolation.
fn braced_len(s: &str) -> usize {
    let b = s.as_bytes();
    let (mut depth, mut i) = (0usize, 0);
    while i < b.len() {
        match b[i] {
            b'"' => i += quoted_len(&s[i..]),
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return i + 1,
            b'}' => {
                depth -= 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    b.len()
}

/// `<<EOF` or `<<-EOF` through the line holding only the marker.
fn heredoc_len(s: &str) -> Option<usize> {
    let head = s.strip_prefix("<<")?;
    let head = head.strip_prefix('-').unwrap_or(head);
    let marker_len = head.find(|c: char| !(c == '_' || c.is_alphanumeric()))?;
    let marker = &head[..marker_len];
    if marker.is_empty() {
        return None;
    }
    let first_newline = s.find('\n')?;
    let mut at = first_newline + 1;
    for line in s[at..].split_inclusive('\n') {
        if line.trim() == marker {
            return Some(at + line.trim_end_matches(['\n', '\r']).len());
        }
        at += line.len();
    }
    Some(s.len())
}

fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let exponent_sign = (c == b'+' || c == b'-') && i > 0 && matches!(b[i - 1], b'e' | b'E');
        let fraction = c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !(c.is_ascii_digit() || matches!(c, b'e' | b'E') || exponent_sign || fraction) {
            break;
        }
        i += 1;
    }
    i
}

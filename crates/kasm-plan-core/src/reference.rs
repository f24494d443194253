//! Docker image references (`[host[:port]/]path[:tag][@digest]`), following the
//! grammar of the distribution project that Docker uses to pull. Parsing says
//! which rule a string breaks, so a diagnostic can quote it.

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry host (with port), when the first component names one.
    pub domain: Option<&'a str>,
    /// Repository path, e.g. `kasmweb/terminal`.
    pub path: &'a str,
    /// Tag, e.g. `1.18.0`.
    pub tag: Option<&'a str>,
    /// Digest, e.g. `sha256:...`.
    pub digest: Option<&'a str>,
}

/// The grammar rule a string breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefError {
    /// Empty text.
    Empty,
    /// Spaces or control characters.
    Whitespace,
    /// Uppercase letters in the repository path.
    Uppercase,
    /// A path component that is empty, or starts or ends with a separator.
    BadComponent,
    /// A bad tag.
    BadTag,
    /// A bad digest.
    BadDigest,
    /// A bad registry host or port.
    BadDomain,
    /// Longer than 255 characters.
    TooLong,
}

impl RefError {
    /// The rule, in words.
    pub fn rule(self) -> &'static str {
        match self {
            RefError::Empty => "a reference cannot be empty",
            RefError::Whitespace => "a reference cannot contain spaces",
            RefError::Uppercase => "repository names must be lowercase",
            RefError::BadComponent => {
                "each path component is lowercase letters and digits, separated inside by `.`, `_`, `__` or dashes, and cannot start or end with a separator"
            }
            RefError::BadTag => {
                "a tag is 1 to 128 letters, digits, `_`, `.` or `-`, and cannot start with `.` or `-`"
            }
            RefError::BadDigest => "a digest is `algorithm:hex` with at least 32 hex digits",
            RefError::BadDomain => {
                "a registry host is dot-separated letters, digits and dashes, with an optional `:port`"
            }
            RefError::TooLong => "a repository name is at most 255 characters",
        }
    }
}

/// Parses an image reference.
pub fn parse(text: &str) -> Result<ImageRef<'_>, RefError> {
    if text.is_empty() {
        return Err(RefError::Empty);
    }
    if has_space_or_control(text) {
        return Err(RefError::Whitespace);
    }
    let (rest, digest) = match text.split_once('@') {
        Some((r, d)) => (r, Some(check_digest(d)?)),
        None => (text, None),
    };
    // A tag follows the last `:` after the last `/` (a `:` before it is a port).
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest.get(last_slash..).and_then(|tail| tail.rfind(':')) {
        Some(i) => {
            let at = last_slash + i;
            (
                rest.get(..at).unwrap_or(rest),
                Some(check_tag(rest.get(at + 1..).unwrap_or(""))?),
            )
        }
        None => (rest, None),
    };
    if name.len() > 255 {
        return Err(RefError::TooLong);
    }
    let (domain, path) = split_domain(name);
    if let Some(d) = domain {
        check_domain(d)?;
    }
    for component in path.split('/') {
        check_component(component)?;
    }
    Ok(ImageRef {
        domain,
        path,
        tag,
        digest,
    })
}

/// Whether `text` holds a space or a control character (an ASCII text, as
/// most are, is checked byte by byte).
pub(crate) fn has_space_or_control(text: &str) -> bool {
    if text.is_ascii() {
        text.bytes().any(|b| b <= b' ' || b == 0x7F)
    } else {
        text.chars().any(|c| c.is_whitespace() || c.is_control())
    }
}

/// Docker's rule: the first component is a host when it has `.` or `:`, is `localhost`, or has uppercase.
fn split_domain(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn check_component(c: &str) -> Result<(), RefError> {
    if c.chars().any(|ch| ch.is_ascii_uppercase()) {
        return Err(RefError::Uppercase);
    }
    let bytes = c.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().is_some_and(alnum) || !bytes.last().is_some_and(alnum) {
        return Err(RefError::BadComponent);
    }
    // Separators: one `.`, one or two `_`, or any run of `-`.
    let separator = |run: &[u8]| {
        matches!(run, [] | [b'.'] | [b'_'] | [b'_', b'_']) || run.iter().all(|r| *r == b'-')
    };
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if alnum(&b) {
            if !separator(bytes.get(run_start..i).unwrap_or_default()) {
                return Err(RefError::BadComponent);
            }
            run_start = i + 1;
        } else if !matches!(b, b'.' | b'_' | b'-') {
            return Err(RefError::BadComponent);
        }
    }
    Ok(())
}

pub(crate) fn check_domain(d: &str) -> Result<(), RefError> {
    let (host, port) = match d.rsplit_once(':') {
        Some((h, _)) if h.contains(':') && !h.ends_with(']') => (d, None), // bare IPv6: fails below
        Some((h, p)) => (h, Some(p)),
        None => (d, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(RefError::BadDomain);
    }
    if host.starts_with('[') && host.ends_with(']') {
        let inner = host.get(1..host.len() - 1).unwrap_or("");
        return (!inner.is_empty() && inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':'))
            .then_some(())
            .ok_or(RefError::BadDomain);
    }
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.first().is_some_and(u8::is_ascii_alphanumeric)
            && b.last().is_some_and(u8::is_ascii_alphanumeric)
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    };
    host.split('.')
        .all(label_ok)
        .then_some(())
        .ok_or(RefError::BadDomain)
}

fn check_tag(tag: &str) -> Result<&str, RefError> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let ok = tag.len() <= 128
        && tag.chars().next().is_some_and(word)
        && tag.chars().all(|c| word(c) || c == '.' || c == '-');
    ok.then_some(tag).ok_or(RefError::BadTag)
}

fn check_digest(digest: &str) -> Result<&str, RefError> {
    let Some((algo, hex)) = digest.split_once(':') else {
        return Err(RefError::BadDigest);
    };
    let algo_ok = algo.split(['+', '.', '-', '_']).all(|p| {
        p.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && p.chars().all(|c| c.is_ascii_alphanumeric())
    });
    let hex_ok = hex.len() >= 32 && hex.chars().all(|c| c.is_ascii_hexdigit());
    (algo_ok && hex_ok)
        .then_some(digest)
        .ok_or(RefError::BadDigest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_references() {
        let r = parse("kasmweb/terminal:1.18.0");
        assert_eq!(
            r.map(|r| (r.domain, r.path, r.tag)),
            Ok((None, "kasmweb/terminal", Some("1.18.0")))
        );
        let r = parse("registry.company.com:5000/dev-workspace:latest");
        assert_eq!(
            r.map(|r| (r.domain, r.tag)),
            Ok((Some("registry.company.com:5000"), Some("latest")))
        );
        assert!(parse("ubuntu:focal").is_ok());
        assert!(parse("localhost/a__b.c-d").is_ok());
        let digest = format!("alpine@sha256:{}", "a".repeat(64));
        assert_eq!(parse(&digest).map(|r| r.tag), Ok(None));
    }

    #[test]
    fn names_the_rule_broken() {
        assert_eq!(parse("Ubuntu Workspace"), Err(RefError::Whitespace));
        assert_eq!(parse("kasmweb/Terminal:1.0"), Err(RefError::Uppercase));
        assert_eq!(parse("kasmweb/terminal:"), Err(RefError::BadTag));
        assert_eq!(parse("kasmweb/-terminal"), Err(RefError::BadComponent));
        assert_eq!(parse("a..b"), Err(RefError::BadComponent));
        assert_eq!(parse("alpine@sha256:abc"), Err(RefError::BadDigest));
        assert_eq!(parse("bad_host.com/x"), Err(RefError::BadDomain));
        assert_eq!(parse(""), Err(RefError::Empty));
    }

    #[test]
    fn spaces_and_controls_are_found_in_ascii_and_in_other_text() {
        for text in [
            "a b", "a\tb", "a\u{7f}", "a\u{0}", "é b", "a\u{a0}b", "é\u{85}",
        ] {
            assert!(has_space_or_control(text), "{text:?}");
            assert!(
                text.chars().any(|c| c.is_whitespace() || c.is_control()),
                "{text:?}"
            );
        }
        for text in ["kasmweb/terminal:1.18.0", "é/à", "~+%"] {
            assert!(!has_space_or_control(text), "{text:?}");
        }
    }
}

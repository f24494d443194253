//! Names: whether a name is one Terraform accepts, and the closest of some
//! names to a mistyped one. The base of every layer that reports a name.

/// The candidate closest to `input` by edit distance, if it is close enough to be a typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (input.len() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&input.to_ascii_lowercase(), c),
                c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A resource name Terraform accepts: a letter or `_`, then letters, digits, `_` or `-`.
pub fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(is_ident_start) && bytes.all(is_ident_continue)
}

/// Whether a byte may start an identifier: an ASCII letter or `_`.
pub(crate) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// Whether a byte may continue an identifier: an ASCII letter, a digit, `_` or `-`.
pub(crate) fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_only() {
        let names = || ["memory", "volume_mapping", "cores", "name"].into_iter();
        assert_eq!(did_you_mean("memroy", names()), Some("memory"));
        assert_eq!(
            did_you_mean("volume_mappings", names()),
            Some("volume_mapping")
        );
        assert_eq!(did_you_mean("colour", names()), None);
    }

    #[test]
    fn identifiers_follow_terraform() {
        assert!(is_identifier("ubuntu_2-x"));
        assert!(!is_identifier("2ubuntu"));
        assert!(!is_identifier("a b"));
        assert!(!is_identifier(""));
    }
}

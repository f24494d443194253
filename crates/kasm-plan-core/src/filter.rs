//! The `kasm_images` and `kasm_groups` data sources: filter a list by name
//! (exact or glob) and, for images, by enabled.

use crate::diagnostic::{Code, Diagnostic};
use crate::group::Group;
use crate::model::Image;
use serde::{Deserialize, Serialize};

/// Filter arguments; each unset argument matches everything.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImageFilter {
    /// Exact name, or a glob (`*`, `?`, `[...]`) such as `kasmweb/*`.
    pub name: Option<String>,
    /// Only enabled (true) or only disabled (false) images.
    pub enabled: Option<bool>,
}

/// Keeps the images that match, in their original order.
pub fn filter_images<'a>(
    images: &'a [Image],
    filter: &ImageFilter,
) -> Result<Vec<&'a Image>, Box<Diagnostic>> {
    let matcher = name_matcher(filter.name.as_deref())?;
    Ok(images
        .iter()
        .filter(|i| filter.enabled.is_none_or(|e| i.enabled == e))
        .filter(|i| match &matcher {
            None => true,
            Some(m) => i.name.as_deref().is_some_and(|n| m.matches(n)),
        })
        .collect())
}

/// Keeps the groups whose name matches (exact or glob), in their original order.
pub fn filter_groups<'a>(
    groups: &'a [Group],
    name: Option<&str>,
) -> Result<Vec<&'a Group>, Box<Diagnostic>> {
    let matcher = name_matcher(name)?;
    Ok(groups
        .iter()
        .filter(|g| matcher.as_ref().is_none_or(|m| m.matches(&g.name)))
        .collect())
}

/// An exact name, or a glob when the pattern has `*`, `?` or `[`.
fn name_matcher(pattern: Option<&str>) -> Result<Option<NameMatch<'_>>, Box<Diagnostic>> {
    Ok(match pattern {
        None => None,
        Some(p) if !p.contains(['*', '?', '[']) => Some(NameMatch::Exact(p)),
        Some(p) => match glob::Pattern::new(p) {
            Ok(pattern) => Some(NameMatch::Glob(pattern)),
            Err(err) => {
                return Err(Box::new(
                    Diagnostic::error(
                        Code::InvalidFilter,
                        format!("name pattern \"{p}\" is invalid: {}", err.msg),
                    )
                    .help("use `*` for any run of characters, `?` for one, `[abc]` for a set"),
                ));
            }
        },
    })
}

enum NameMatch<'a> {
    Exact(&'a str),
    Glob(glob::Pattern),
}

impl NameMatch<'_> {
    fn matches(&self, name: &str) -> bool {
        match self {
            NameMatch::Exact(p) => *p == name,
            // `/` is an ordinary character in image names, so `*` crosses it.
            NameMatch::Glob(g) => g.matches(name),
        }
    }
}

/// A test on names: exact, or a glob when the pattern has `*`, `?` or `[`;
/// every name passes without a pattern.
pub fn names_matching(
    pattern: Option<&str>,
) -> Result<impl Fn(&str) -> bool + '_, Box<Diagnostic>> {
    let matcher = name_matcher(pattern)?;
    Ok(move |name: &str| matcher.as_ref().is_none_or(|m| m.matches(name)))
}

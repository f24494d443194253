//! `basename` and `dirname`: the last part of a path and what comes before
//! it, as Terraform computes them (Go's `filepath.Base` and `filepath.Dir`,
//! `/` as the separator). They read only the text, never the file system.

use super::text::one_string;
use crate::lang::value::Value;

pub fn basename(args: &[Value]) -> Result<Value, String> {
    one_string(args, base)
}

pub fn dirname(args: &[Value]) -> Result<Value, String> {
    one_string(args, dir)
}

/// The last element, trailing separators dropped: `"."` for an empty path,
/// `"/"` for separators only.
fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    match trimmed.rfind('/') {
        Some(at) => trimmed.get(at + 1..).unwrap_or_default().to_owned(),
        None => trimmed.to_owned(),
    }
}

/// Everything before the last element, cleaned.
fn dir(path: &str) -> String {
    let cut = path.rfind('/').map_or(0, |at| at + 1);
    clean(path.get(..cut).unwrap_or_default())
}

/// The shortest path naming the same place, lexically (Go's `path.Clean`).
fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if rooted => {}
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

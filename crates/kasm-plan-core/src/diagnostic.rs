//! Diagnostics: the one shape every problem takes, across every front door.

use serde::{Deserialize, Serialize};

/// How serious a diagnostic is.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks validation and planning.
    Error,
    /// Legal but risky; an error under `strict`.
    Warning,
}

/// Stable diagnostic codes. Tools may match on these; messages may change.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// The source text is not valid JSON or HCL.
    SyntaxError,
    /// The document does not have the expected top-level shape.
    InvalidDocument,
    /// A block other than `resource "kasm_image"` was skipped.
    BlockSkipped,
    /// A value is a reference or function call that cannot be known before apply.
    NotStatic,
    /// A Terraform meta-argument kasm-plan does not support (count, for_each, ...).
    UnsupportedMetaArgument,
    /// An attribute `kasm_image` does not have.
    UnknownAttribute,
    /// The same attribute set twice in one resource.
    DuplicateAttribute,
    /// The same resource address defined twice.
    DuplicateAddress,
    /// A resource name that is not a valid identifier.
    InvalidAddress,
    /// A required attribute is missing.
    MissingRequired,
    /// A value of the wrong type.
    WrongType,
    /// A required text is empty.
    EmptyValue,
    /// A text longer than Kasm's column.
    TooLong,
    /// A text with control characters.
    InvalidCharacters,
    /// Memory outside Kasm's 256–256000 MB.
    MemoryOutOfRange,
    /// Cores outside (0, 128].
    CoresOutOfRange,
    /// A size below zero.
    NegativeSize,
    /// `name` is not a Docker image reference, so Kasm cannot pull it.
    NameNotImageReference,
    /// An image reference with the `latest` tag.
    ImageTagLatest,
    /// An image reference without tag or digest (Docker pulls `latest`).
    ImageUntagged,
    /// `image_src` is neither an image reference nor a thumbnail path or URL.
    ImageSrcInvalid,
    /// `image_type` is not one of Kasm's values.
    ImageTypeInvalid,
    /// `restrict_to_server` without `server_id`.
    MissingServerId,
    /// `restrict_to_zone` without `zone_id`.
    MissingZoneId,
    /// `restrict_to_network` without `network_name`.
    MissingNetworkName,
    /// An id that is not a UUID.
    InvalidUuid,
    /// A server, zone or network set without its `restrict_to_*` flag.
    RestrictionUnused,
    /// A `volume_mapping` entry Kasm would refuse.
    VolumeMappingInvalid,
    /// A `lifecycle` block Kasm-plan cannot honour.
    LifecycleInvalid,
    /// `docker_registry` is not a registry host or URL.
    RegistryInvalid,
    /// The image's registry differs from `docker_registry`.
    RegistryMismatch,
    /// An empty description, which Kasm ignores on update.
    DescriptionEmpty,
    /// A plan would delete a resource with `prevent_destroy`.
    PreventDestroy,
    /// A state entry that does not fit the plan's inputs.
    InvalidState,
    /// An invalid image-list filter.
    InvalidFilter,
    /// A facade request that is not valid JSON of the expected shape.
    InvalidRequest,
    /// A policy file that cannot be read as rules.
    InvalidPolicy,
    /// An override naming no rule of the policy set (a typo would otherwise go unnoticed).
    UnknownOverride,
    /// An image id Kasm does not list.
    ImageNotFound,
    /// Images no address manages that equal a managed spec (a create that landed twice).
    DuplicateImage,
    /// An expression that cannot be evaluated: a wrong operand, a missing key, a failing function.
    InvalidExpression,
    /// A reference to something not declared or not available here.
    UnknownReference,
    /// A call to a function kasm-plan does not provide.
    UnknownFunction,
    /// A variable or local declared twice.
    DuplicateDeclaration,
    /// A required variable without a value.
    MissingVariable,
    /// A value given for a variable that is not declared.
    UndeclaredVariable,
    /// A variable value that does not convert to the variable's type.
    InvalidVariableValue,
    /// A variable's `validation` condition is false.
    VariableValidation,
    /// Local values that depend on each other in a cycle.
    ReferenceCycle,
    /// A `count` or `for_each` that cannot expand the resource.
    InvalidRepetition,
    /// A block of a kind kasm-plan reads, written wrongly (`variable`, `locals`, `moved`, `import`).
    InvalidBlock,
    /// A `group_name` that names no group, or a group the plan cannot resolve.
    UnknownGroup,
    /// A group that exists on Kasm but is not in the state, differing from the spec.
    GroupExists,
    /// A change Kasm refuses for a system group (All Users, Administrators).
    ProtectedGroup,
    /// The configuration or state has groups or links, but Kasm's groups were not read.
    AccessUnread,
}

/// A one-based line and column (columns count characters, not bytes).
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Position {
    /// One-based line.
    pub line: u32,
    /// One-based column, in characters.
    pub column: u32,
}

/// The stretch of source text a diagnostic points at.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// First character.
    pub start: Position,
    /// Just past the last character.
    pub end: Position,
}

/// One problem found in an input.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code.
    pub code: Code,
    /// The resource address, e.g. `kasm_image.ubuntu`, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The field path, e.g. `kasm_image.ubuntu.memory`, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Where in the source, when parsed from text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The source's file name, when it was given one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Diagnostic {
    /// An error with a message.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A warning with a message.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            address: None,
            path: None,
            message: message.into(),
            help: None,
            location: None,
            file: None,
        }
    }

    /// Sets the resource address and the field path below it (`""` for the resource itself).
    pub fn at(mut self, address: &str, field: &str) -> Self {
        self.address = Some(address.to_owned());
        self.path = Some(if field.is_empty() {
            address.to_owned()
        } else {
            format!("{address}.{field}")
        });
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the source location.
    pub fn located(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    /// Whether this diagnostic blocks.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Whether any diagnostic in the list is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// Maps byte offsets of one source text to line and column.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    /// Per line: only ASCII, so a column is a byte difference. Without this a
    /// long single-line document (minified JSON) costs O(n) per position.
    ascii_lines: Vec<bool>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let ascii_lines = text.split('\n').map(|l| l.is_ascii()).collect();
        LineIndex {
            text,
            line_starts,
            ascii_lines,
        }
    }

    pub(crate) fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = if self.ascii_lines.get(line - 1).copied().unwrap_or(false) {
            offset - start
        } else {
            self.text
                .get(start..offset)
                .map_or(offset - start, |s| s.chars().count())
        };
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }

    pub(crate) fn location(&self, span: std::ops::Range<usize>) -> Location {
        Location {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let idx = LineIndex::new("ab\nçd\n");
        assert_eq!(idx.position(0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(3), Position { line: 2, column: 1 });
        // 'ç' is two bytes, so byte 5 ('d') is the second character of line 2.
        assert_eq!(idx.position(5), Position { line: 2, column: 2 });
        assert_eq!(idx.position(99), Position { line: 3, column: 1 });
    }
}

//! Diagnostics: the one shape every problem takes, across every front door.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::num::NonZeroU32;

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

macro_rules! codes {
    ($($variant:ident => $description:literal;)*) => {
        /// Stable diagnostic codes. Tools may match on these; messages may change.
        #[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Code { $(#[doc = $description] $variant),* }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// One line on what the code means (the schema, SARIF rules and the docs use it).
            pub const fn description(self) -> &'static str {
                match self { $(Code::$variant => $description),* }
            }
        }
    };
}

codes! {
    SyntaxError => "The source text is not valid JSON or HCL.";
    InvalidDocument => "The document does not have the expected top-level shape.";
    BlockSkipped => "A block kasm-plan does not act on (a provider, an output, another resource type) was skipped.";
    NotStatic => "A value known only after apply where kasm-plan needs it when planning.";
    UnsupportedMetaArgument => "A Terraform meta-argument kasm-plan ignores (`provider`).";
    UnknownAttribute => "An attribute the resource type does not have.";
    DuplicateAttribute => "The same attribute set twice in one resource.";
    DuplicateAddress => "The same resource address defined twice.";
    InvalidAddress => "A resource name that is not a valid identifier.";
    MissingRequired => "A required attribute is missing.";
    WrongType => "A value of the wrong type.";
    EmptyValue => "A required text is empty.";
    TooLong => "A text longer than Kasm's column.";
    InvalidCharacters => "A text with control characters.";
    MemoryOutOfRange => "Memory outside Kasm's 256–256000 MB.";
    CoresOutOfRange => "Cores outside (0, 128].";
    NegativeSize => "A size below zero.";
    NameNotImageReference => "`name` is not a Docker image reference, so Kasm cannot pull it.";
    ImageTagLatest => "An image reference with the `latest` tag.";
    ImageUntagged => "An image reference without tag or digest (Docker pulls `latest`).";
    ImageSrcInvalid => "`image_src` is neither an image reference nor a thumbnail path or URL.";
    ImageTypeInvalid => "`image_type` is not one of Kasm's values.";
    MissingServerId => "`restrict_to_server` without `server_id`.";
    MissingZoneId => "`restrict_to_zone` without `zone_id`.";
    MissingNetworkName => "`restrict_to_network` without `network_name`.";
    InvalidUuid => "An id that is not a UUID.";
    RestrictionUnused => "A server, zone or network set without its `restrict_to_*` flag.";
    VolumeMappingInvalid => "A `volume_mapping` entry Kasm would refuse.";
    LifecycleInvalid => "A `lifecycle` block kasm-plan cannot honour.";
    RegistryInvalid => "`docker_registry` is not a registry host or URL.";
    RegistryMismatch => "The image's registry differs from `docker_registry`.";
    DescriptionEmpty => "An empty description, which Kasm ignores on update.";
    PreventDestroy => "A plan would delete a resource with `prevent_destroy`.";
    InvalidState => "A state entry that does not fit the plan's inputs.";
    InvalidFilter => "An invalid image-list filter.";
    InvalidRequest => "A facade request that is not valid JSON of the expected shape.";
    InvalidPolicy => "A policy file that cannot be read as rules.";
    UnknownOverride => "An override naming no rule of the policy set (a typo would otherwise go unnoticed).";
    ImageNotFound => "An image id Kasm does not list.";
    DuplicateImage => "Images no address manages that equal a managed spec (a create that landed twice).";
    UnmanagedNamesake => "A planned create whose image Kasm already holds, unmanaged by this state: apply records an identical one, or creates another beside it.";
    InvalidExpression => "An expression that cannot be evaluated: a wrong operand, a missing key, a failing function.";
    UnknownReference => "A reference to something not declared or not available here.";
    UnknownFunction => "A call to a function kasm-plan does not provide.";
    DuplicateDeclaration => "A variable or local declared twice.";
    MissingVariable => "A required variable without a value.";
    UndeclaredVariable => "A value given for a variable that is not declared.";
    InvalidVariableValue => "A variable value that does not convert to the variable's type.";
    VariableValidation => "A variable's `validation` condition is false.";
    ReferenceCycle => "Local values, or resources through `depends_on`, that depend on each other in a cycle.";
    InvalidRepetition => "A `count` or `for_each` that cannot expand the resource.";
    InvalidBlock => "A block of a kind kasm-plan reads, written wrongly (`variable`, `locals`, `moved`, `import`).";
    UnknownGroup => "A `group_name` or a user's `groups` entry that names no group, or a group the plan cannot resolve.";
    GroupExists => "A group that exists on Kasm but is not in the state, differing from the spec.";
    ProtectedGroup => "A change Kasm refuses for a system group (All Users, Administrators).";
    InterruptedCreate => "A create that a stopped run sent but did not record: what Kasm made is found and recorded, or it is created again.";
    UserExists => "A user that exists on Kasm but is not in the state: import it or choose another username.";
    PasswordRules => "A password Kasm's `update_user` would refuse (length, digit, lower and upper case, symbol).";
    GroupsArgument => "A `kasm_group_membership` of a user whose `groups` lists all its groups: each would undo the other.";
    AccessUnread => "The configuration or state has groups or links, but Kasm's groups were not read.";
    UsersUnread => "The configuration or the state has users, memberships, sessions or `kasm_users` data, but Kasm's users and sessions were not read.";
    PlanModeConflict => "Planning options that cannot be combined (`-destroy` with `-refresh-only` or `-target`).";
    SessionNotAuthorized => "A session Kasm would refuse: after the plan, none of its user's groups may launch its image (or the image is disabled).";
    SessionLimit => "A plan that leaves a user more sessions than Kasm allows when no group sets `max_kasms_per_user` (2); kasm-plan cannot read group settings, so it warns.";
    ResourceTargeting => "A plan narrowed by `-target`: it may not show every change the configuration asks for.";
    UnmatchedAddress => "A `-target` or `-replace` address that names nothing in the configuration or the state.";
    SensitiveOutput => "An output whose value comes from a sensitive one, without `sensitive = true`.";
}

/// A file's name as the declarations read from it hold it: shared, not
/// copied for each of a large file's blocks.
pub type FileName = std::sync::Arc<str>;

/// A one-based line and column (columns count characters, not bytes).
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Position {
    /// One-based line, never 0.
    // Non-zero, so that an optional location takes no more room than one.
    #[cfg_attr(feature = "typescript", ts(type = "number"))]
    pub line: NonZeroU32,
    /// One-based column, in characters.
    pub column: u32,
}

impl Position {
    /// The position at a one-based line and column (a line of 0 is read as the first).
    pub fn new(line: usize, column: usize) -> Position {
        Position {
            line: one_based(line),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

/// A one-based line number: 0, which no reader gives, is read as 1.
fn one_based(line: usize) -> NonZeroU32 {
    NonZeroU32::new(u32::try_from(line).unwrap_or(u32::MAX)).unwrap_or(NonZeroU32::MIN)
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
    /// An edit that resolves the problem, when one is certain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// A quick fix: within the diagnostic's location, the first `old` becomes
/// `new`. An editor offers it only when that text is there (a value that came
/// from a variable is not, so nothing is offered).
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What the fix does, e.g. "Rename to `memory`".
    pub title: String,
    /// The text to replace, as written in the source.
    pub old: String,
    /// Its replacement.
    pub new: String,
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
            fix: None,
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

    /// Proposes a quick fix.
    pub fn fix(
        mut self,
        title: impl Into<String>,
        old: impl Into<String>,
        new: impl Into<String>,
    ) -> Self {
        self.fix = Some(Fix {
            title: title.into(),
            old: old.into(),
            new: new.into(),
        });
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
    /// For a text that is not all ASCII, how many characters start before
    /// each [`STRIDE`]-byte boundary: a column then counts at most `STRIDE`
    /// bytes, however long its line (a minified JSON document is one line).
    /// Empty for ASCII, where a column is a byte difference.
    char_starts: Vec<usize>,
    /// The line of the last position asked for: readers ask in the text's
    /// order, so the next one is most often on the same line or just after.
    last_line: std::cell::Cell<usize>,
}

/// The distance between two counts of [`LineIndex::char_starts`].
const STRIDE: usize = 256;

/// How many characters start in `bytes` (the bytes that do not continue one).
fn starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let char_starts = if text.is_ascii() {
            Vec::new()
        } else {
            let mut before = 0;
            text.as_bytes()
                .chunks(STRIDE)
                .map(|chunk| {
                    let at = before;
                    before += starts(chunk);
                    at
                })
                .collect()
        };
        LineIndex {
            text,
            line_starts,
            char_starts,
            last_line: std::cell::Cell::new(1),
        }
    }

    /// How many characters start before byte `offset`.
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / STRIDE;
        let counted = self.char_starts.get(block).copied().unwrap_or(0);
        let rest = self
            .text
            .as_bytes()
            .get(block * STRIDE..offset)
            .unwrap_or(&[]);
        counted + starts(rest)
    }

    pub(crate) fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line_of(offset);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = if self.char_starts.is_empty() {
            offset - start
        } else {
            self.chars_before(offset) - self.chars_before(start)
        };
        Position::new(line, column + 1)
    }

    /// The one-based line of a byte offset: the last line asked for or the
    /// one after it when it is there, else found by bisection.
    fn line_of(&self, offset: usize) -> usize {
        let starts = |line: usize| self.line_starts.get(line.wrapping_sub(1)).copied();
        let holds = |line: usize| {
            starts(line).is_some_and(|s| s <= offset)
                && starts(line + 1).is_none_or(|next| offset < next)
        };
        let last = self.last_line.get();
        let line = if holds(last) {
            last
        } else if holds(last + 1) {
            last + 1
        } else {
            self.line_starts.partition_point(|&s| s <= offset).max(1)
        };
        self.last_line.set(line);
        line
    }

    pub(crate) fn location(&self, span: std::ops::Range<usize>) -> Location {
        Location {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }
}

/// A short description of a JSON value's type, for messages.
pub fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a fractional number",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let idx = LineIndex::new("ab\nçd\n");
        assert_eq!(idx.position(0), Position::new(1, 1));
        assert_eq!(idx.position(3), Position::new(2, 1));
        // 'ç' is two bytes, so byte 5 ('d') is the second character of line 2.
        assert_eq!(idx.position(5), Position::new(2, 2));
        assert_eq!(idx.position(99), Position::new(3, 1));
    }

    #[test]
    fn columns_on_a_long_line_count_characters_across_strides() {
        // One line, characters of one to four bytes, longer than several strides.
        let text: String = "aé€😀".repeat(300);
        let idx = LineIndex::new(&text);
        for (chars, (offset, _)) in text.char_indices().enumerate() {
            assert_eq!(idx.position(offset), Position::new(1, chars + 1));
        }
        let two_lines = format!("{text}\n{text}");
        let idx = LineIndex::new(&two_lines);
        let second = text.len() + 1 + "aé€".len();
        assert_eq!(idx.position(second), Position::new(2, 4));
    }

    #[test]
    fn a_line_is_the_same_in_any_order_of_asking() {
        let text = "a\n\nbc\nd\n\n\nefg\n";
        let fresh = |offset| LineIndex::new(text).position(offset);
        let idx = LineIndex::new(text);
        for offset in [0, 1, 2, 3, 5, 4, 11, 0, 6, 7, 12, 99, 3, 8, 9, 10] {
            assert_eq!(idx.position(offset), fresh(offset), "offset {offset}");
        }
    }
}

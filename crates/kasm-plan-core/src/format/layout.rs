//! Lays tokens out as `terraform fmt` does: two spaces per nesting level,
//! one space between tokens where HCL reads them apart and none where it
//! reads them together (calls, indexes, attribute access, unary operators),
//! and the `=` of consecutive attributes (and their trailing comments)
//! aligned.

use super::lexer::{Kind, Token};

/// A line's tokens and its indent level.
struct Line<'a> {
    depth: usize,
    tokens: Vec<Token<'a>>,
}

/// A line as hclwrite sees it: the lead, the assignment from its `=` (when
/// the value ends on the line) and a trailing comment, each aligned with
/// the same cell of the lines around it.
struct Row<'a> {
    lead: String,
    assign: Option<String>,
    comment: Option<&'a str>,
}

/// The formatted text.
pub fn layout(tokens: &[Token<'_>]) -> String {
    let mut rows: Vec<Row<'_>> = lines(tokens).iter().map(row).collect();
    align(&mut rows, |r| r.assign.is_some());
    for r in &mut rows {
        if let Some(assign) = r.assign.take() {
            r.lead = format!("{} {assign}", r.lead);
        }
    }
    align(&mut rows, |r| r.comment.is_some());
    let mut out = String::new();
    for r in &rows {
        out.push_str(&r.lead);
        if let Some(c) = r.comment {
            out.push(' ');
            out.push_str(c);
        }
        let kept = out.trim_end_matches([' ', '\t']).len();
        out.truncate(kept);
        out.push('\n');
    }
    let trimmed = out.trim_end_matches('\n');
    if trimmed.trim().is_empty() {
        String::new()
    } else {
        format!("{trimmed}\n")
    }
}

/// Pads the lead of each run of consecutive rows that `has` a next cell,
/// so that cell starts in one column.
fn align(rows: &mut [Row<'_>], has: impl Fn(&Row<'_>) -> bool) {
    let mut i = 0;
    while i < rows.len() {
        let end = i + rows[i..].iter().take_while(|r| has(r)).count();
        if end == i {
            i += 1;
            continue;
        }
        let width = rows[i..end]
            .iter()
            .map(|r| r.lead.chars().count())
            .max()
            .unwrap_or(0);
        for r in &mut rows[i..end] {
            let pad = width - r.lead.chars().count();
            r.lead.push_str(&" ".repeat(pad));
        }
        i = end;
    }
}

/// A line's cells, spaced, the lead indented.
fn row<'a>(line: &Line<'a>) -> Row<'a> {
    let tokens = &line.tokens[..];
    let (tokens, comment) = match tokens.split_last() {
        Some((last, rest)) if is_trailing_comment(last) && !rest.is_empty() => {
            (rest, Some(last.text))
        }
        _ => (tokens, None),
    };
    let indent = if tokens.is_empty() {
        String::new()
    } else {
        "  ".repeat(line.depth)
    };
    // The first `=` after the first token starts the assignment, when the
    // value closes every bracket it opens on this line.
    let equals = tokens
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, t)| t.text == "=")
        .map(|(i, _)| i);
    match equals.filter(|&i| net_brackets(&tokens[i..]) == 0) {
        Some(i) => Row {
            lead: format!("{indent}{}", spaced(&tokens[..i])),
            assign: Some(spaced(&tokens[i..])),
            comment,
        },
        None => Row {
            lead: format!("{indent}{}", spaced(tokens)),
            assign: None,
            comment,
        },
    }
}

fn is_trailing_comment(t: &Token<'_>) -> bool {
    t.kind == Kind::LineComment || (t.kind == Kind::BlockComment && !t.text.contains('\n'))
}

/// Brackets opened minus brackets closed.
fn net_brackets(tokens: &[Token<'_>]) -> isize {
    tokens
        .iter()
        .map(|t| match t.kind {
            Kind::Open => 1,
            Kind::Close => -1,
            _ => 0,
        })
        .sum()
}

/// Splits tokens into lines with their indent level, as hclwrite counts
/// it: a line that opens brackets indents the lines after it by one level
/// however many it opens; the line that closes them returns to its level.
/// A multi-line token (heredoc, block comment) stays on the line it starts.
fn lines<'a>(tokens: &[Token<'a>]) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    // Per indent level, the brackets still open from the line that made it.
    let mut indents: Vec<usize> = Vec::new();
    for tokens in tokens.split(|t| t.kind == Kind::Newline) {
        let net = net_brackets(tokens);
        let depth = if tokens.is_empty() {
            0
        } else if net > 0 {
            indents.push(net.unsigned_abs());
            indents.len() - 1
        } else {
            let mut closed = net.unsigned_abs();
            while closed > 0 {
                let Some(top) = indents.last_mut() else { break };
                if closed >= *top {
                    closed -= *top;
                    indents.pop();
                } else {
                    *top -= closed;
                    closed = 0;
                }
            }
            indents.len()
        };
        lines.push(Line {
            depth,
            tokens: tokens.to_vec(),
        });
    }
    lines
}

/// Tokens joined with HCL's spacing.
fn spaced(tokens: &[Token<'_>]) -> String {
    let mut text = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 && space_between(tokens, i) {
            text.push(' ');
        }
        text.push_str(t.text);
    }
    text
}

/// Whether a space goes between `tokens[i - 1]` and `tokens[i]`.
fn space_between(tokens: &[Token<'_>], i: usize) -> bool {
    let (a, b) = (&tokens[i - 1], &tokens[i]);
    let before = i.checked_sub(2).and_then(|j| tokens.get(j));
    if a.text == "{" {
        return b.text != "}";
    }
    if b.text == "}" {
        return true;
    }
    if matches!(a.text, "(" | "[" | ".") || matches!(b.text, ")" | "]" | "," | "." | "...") {
        return false;
    }
    if a.text == "!" || is_unary_minus(a, before) {
        return false;
    }
    // An index follows a name, a number or a closing bracket (hclwrite's rule).
    let value_end = matches!(a.kind, Kind::Ident | Kind::Number | Kind::Close);
    // A call `f(`, an index `x[`.
    if (b.text == "(" && a.kind == Kind::Ident) || (b.text == "[" && value_end && !is_keyword(a)) {
        return false;
    }
    // `.*` then an index or call: the splat reads as one value (`[*]` and
    // `.*.` are kept together by the bracket and dot rules above).
    if a.text == "*" && before.is_some_and(|p| p.text == ".") {
        return false;
    }
    true
}

/// `-` after an opening bracket, a separator or an operator: a negation
/// (hclwrite's heuristic); after anything else, a subtraction.
fn is_unary_minus(t: &Token<'_>, before: Option<&Token<'_>>) -> bool {
    const NEGATES_AFTER: [&str; 22] = [
        "(", "{", "[", "=", ":", ",", "?", "+", "*", "/", "%", "-", "==", "!=", ">", ">=", "<",
        "<=", "&&", "||", "!", "=>",
    ];
    t.text == "-" && before.is_none_or(|p| NEGATES_AFTER.contains(&p.text))
}

/// Keywords after which `[` starts a value (`in [1, 2]`), not an index.
fn is_keyword(t: &Token<'_>) -> bool {
    t.kind == Kind::Ident && matches!(t.text, "in" | "if" | "for" | "else")
}

//! Lays tokens out as `terraform fmt` does: two spaces per nesting level,
//! one space between tokens where HCL reads them apart and none where it
//! reads them together (calls, indexes, attribute access, unary operators),
//! and the `=` of consecutive attributes (and their trailing comments)
//! aligned.

use super::lexer::{Kind, Token};

/// A line's tokens, their nesting level and whether it is kept verbatim
/// (it continues a heredoc or block comment).
struct Line<'a> {
    depth: usize,
    tokens: Vec<Token<'a>>,
}

/// The formatted text.
pub fn layout(tokens: &[Token<'_>]) -> String {
    let lines = lines(tokens);
    let texts: Vec<(usize, Option<usize>, String, Option<&str>)> = lines
        .iter()
        .map(|l| {
            let (body, comment) = match l.tokens.split_last() {
                Some((last, rest)) if last.kind == Kind::LineComment && !rest.is_empty() => {
                    (rest, Some(last.text))
                }
                _ => (&l.tokens[..], None),
            };
            let (text, equals) = spaced(body);
            (l.depth, equals, text, comment)
        })
        .collect();
    let mut out = String::new();
    let mut i = 0;
    while i < texts.len() {
        // A run of attribute lines at one depth, not broken by a blank line.
        let mut end = i + 1;
        if texts[i].1.is_some() {
            while end < texts.len() && texts[end].1.is_some() && texts[end].0 == texts[i].0 {
                end += 1;
            }
        }
        let run = &texts[i..end];
        let key_width = run.iter().filter_map(|t| t.1).max().unwrap_or(0);
        let aligned: Vec<String> = run
            .iter()
            .map(|(_, equals, text, _)| match equals {
                Some(at) => format!("{:<key_width$}{}", &text[..*at], &text[*at..]),
                None => text.clone(),
            })
            .collect();
        let comment_at = aligned
            .iter()
            .zip(run)
            .filter(|(_, t)| t.3.is_some())
            .map(|(a, _)| a.len())
            .max()
            .unwrap_or(0);
        for (text, (depth, _, _, comment)) in aligned.iter().zip(run) {
            let mut line = if text.is_empty() {
                String::new()
            } else {
                format!("{}{text}", "  ".repeat(*depth))
            };
            if let Some(c) = comment {
                let pad = if run.len() > 1 {
                    comment_at - text.len()
                } else {
                    0
                };
                line = format!("{line}{} {c}", " ".repeat(pad));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        i = end;
    }
    let trimmed = out.trim_end_matches('\n').trim_start_matches('\n');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("{trimmed}\n")
    }
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
        let net: isize = tokens
            .iter()
            .map(|t| match t.kind {
                Kind::Open => 1,
                Kind::Close => -1,
                _ => 0,
            })
            .sum();
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

/// A line's tokens joined with HCL's spacing; for `key = value`, the offset of ` =`.
fn spaced(tokens: &[Token<'_>]) -> (String, Option<usize>) {
    let mut text = String::new();
    let mut equals = None;
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 && space_between(tokens, i) {
            text.push(' ');
        }
        if i == 1 && t.text == "=" && matches!(tokens[0].kind, Kind::Ident | Kind::Str) {
            equals = Some(text.trim_end().len());
        }
        text.push_str(t.text);
    }
    if equals.is_some() {
        // `key = value`: the key then exactly one space before `=`, padded later.
        let at = equals.unwrap_or(0);
        text = format!("{}{}", &text[..at], &text[at..]);
    }
    (text, equals)
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
    let value_end = matches!(
        a.kind,
        Kind::Ident | Kind::Number | Kind::Str | Kind::Heredoc
    ) || matches!(a.text, ")" | "]");
    // A call `f(`, an index `x[`, a splat `.*` / `[*]`.
    if (b.text == "(" && a.kind == Kind::Ident) || (b.text == "[" && value_end && !is_keyword(a)) {
        return false;
    }
    if a.text == "*" && before.is_some_and(|p| matches!(p.text, "[" | ".")) {
        return false;
    }
    if b.text == "*" && matches!(a.text, "[" | ".") {
        return false;
    }
    true
}

/// `-` with no value before it: a negation.
fn is_unary_minus(t: &Token<'_>, before: Option<&Token<'_>>) -> bool {
    t.text == "-"
        && before.is_none_or(|p| {
            !(matches!(
                p.kind,
                Kind::Ident | Kind::Number | Kind::Str | Kind::Heredoc
            ) && !is_keyword(p)
                || matches!(p.text, ")" | "]" | "}"))
        })
}

/// Keywords after which `[` or `-` starts a value: `in`, `if`, `for`.
fn is_keyword(t: &Token<'_>) -> bool {
    t.kind == Kind::Ident && matches!(t.text, "in" | "if" | "for" | "else")
}

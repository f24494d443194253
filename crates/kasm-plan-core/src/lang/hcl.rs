//! HCL native syntax to [`Body`] and [`Expr`], with positions (hcl-edit parses).

use super::body::{Attribute, Block, Body, Name, label, name};
use super::expr::{Call, Expr, ExprKind, ForExpr, Operator, Part};
use super::value::Value;
use crate::diagnostic::{Code, Diagnostic, LineIndex, Location, Position};
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{BlockLabel, Structure};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::{Decorated, Ident, Span};

/// Parses a file's text; a syntax error is the only diagnostic then.
pub fn parse_body(text: &str) -> Result<Body, Box<Diagnostic>> {
    let lines = LineIndex::new(text);
    if let Some(body) = super::hcl_plain::read(text, &lines) {
        // Every test that reads HCL also checks that hcl-edit reads the same.
        #[cfg(debug_assertions)]
        {
            let full = hcl_edit::parser::parse_body(text).map(|tree| read_body(&tree, &lines));
            assert_eq!(
                full.ok().as_ref(),
                Some(&body),
                "the readers differ on:\n{text}"
            );
        }
        return Ok(body);
    }
    let body = syntax(text)?;
    Ok(read_body(&body, &lines))
}

/// hcl-edit's tree of a file's text, or its syntax error.
fn syntax(text: &str) -> Result<hcl_edit::structure::Body, Box<Diagnostic>> {
    refuse_unclosed(text, Syntax::Expression)?;
    hcl_edit::parser::parse_body(text).map_err(|e| {
        // The parser notices a string left open only on a later line; say
        // where it opens, as Terraform does.
        unterminated_string(text)
            .filter(|at| line_of(text, *at) <= e.location().line())
            .map_or_else(|| syntax_error(&e), |at| open_string(text, at))
    })
}

/// The one-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1
}

/// Terraform's "Invalid multi-line string", at the quote that opens it.
fn open_string(text: &str, at: usize) -> Box<Diagnostic> {
    let location = LineIndex::new(text).location(at..at + 1);
    Box::new(
        Diagnostic::error(
            Code::SyntaxError,
            "invalid HCL: this quoted string is not closed on its line (a quoted string cannot span lines)",
        )
        .help("close it with `\"` before the line ends; for text over several lines use a heredoc (<<-EOT ... EOT)")
        .located(Some(location)),
    )
}

/// The byte offset of the first quoted string that reaches the end of its
/// line unclosed; `None` when there is none, or when the text cannot be
/// judged this simply (a heredoc, an unterminated comment).
fn unterminated_string(text: &str) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Open {
        String(usize),
        Template,
        Brace,
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        if let Some(Open::String(start)) = stack.last().copied() {
            match (b, next) {
                (b'\\', _) => i += 1,
                (b'"', _) => {
                    stack.pop();
                }
                (b'\n', _) => return Some(start),
                (b'$' | b'%', Some(c)) if c == b && bytes.get(i + 2) == Some(&b'{') => i += 2,
                (b'$' | b'%', Some(b'{')) => {
                    stack.push(Open::Template);
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match (b, next) {
            (b'"', _) => stack.push(Open::String(i)),
            (b'#', _) | (b'/', Some(b'/')) => {
                i = text.get(i..)?.find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            (b'/', Some(b'*')) => i += text.get(i + 2..)?.find("*/")? + 3,
            (b'<', Some(b'<')) => return None,
            (b'{', _) => stack.push(Open::Brace),
            (b'}', _) => {
                stack.pop();
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether a file's text parses; its syntax error if not.
pub fn check_syntax(text: &str) -> Result<(), Box<Diagnostic>> {
    syntax(text).map(drop)
}

/// Parses one expression (a `-var` value, a JSON string's `${...}`).
pub fn parse_expr(text: &str) -> Result<Expr, Box<Diagnostic>> {
    refuse_unclosed(text, Syntax::Expression)?;
    let expr = hcl_edit::parser::parse_expr(text).map_err(|e| syntax_error(&e))?;
    Ok(read_expr(&expr, &Reader::Text(&LineIndex::new(text))))
}

/// Parses an expression written inside a JSON string; every position is `at`.
pub fn parse_expr_at(text: &str, at: Option<Location>) -> Result<Expr, Box<Diagnostic>> {
    refuse_unclosed(text, Syntax::Expression)?;
    let expr = hcl_edit::parser::parse_expr(text).map_err(|e| syntax_error(&e))?;
    Ok(read_expr(&expr, &Reader::Fixed(at)))
}

/// Parses a template (a string of Terraform's JSON syntax); every position is `at`.
pub fn parse_template(text: &str, at: Option<Location>) -> Result<Expr, Box<Diagnostic>> {
    refuse_unclosed(text, Syntax::Template)?;
    let template = hcl_edit::parser::parse_template(text).map_err(|e| syntax_error(&e))?;
    let reader = Reader::Fixed(at);
    Ok(template_expr(&template, &reader, at))
}

/// How many brackets may be left open before the text is refused unparsed.
/// The parser backtracks over unclosed brackets, and its time grows steeply
/// with their number (fuzzing found 19 of them taking a quarter of a second,
/// and 25 before a stray `}` taking half a second); a text that leaves any
/// open, or closes what was never opened, is a syntax error anyway.
const MAX_UNCLOSED: usize = 4;

/// What a text is: an expression or a file (brackets count from the first
/// byte), or a template (brackets count only inside `${...}` and `%{...}`).
#[derive(Clone, Copy, PartialEq)]
enum Syntax {
    Expression,
    Template,
}

/// Refuses, before the parser sees it, a text that leaves more than
/// [`MAX_UNCLOSED`] brackets open (naming the first) or that closes a bracket
/// never opened while more than that many are open (naming the closer).
fn refuse_unclosed(text: &str, syntax: Syntax) -> Result<(), Box<Diagnostic>> {
    let refusal = |offset: usize, len: usize, message: String| {
        let at = LineIndex::new(text).location(offset..offset + len);
        Err(Box::new(
            Diagnostic::error(Code::SyntaxError, message)
                .help("close each `[`, `(`, `{` and `${` where its expression ends")
                .located(Some(at)),
        ))
    };
    match brackets(text, syntax) {
        Brackets::Open(open) if open.len() > MAX_UNCLOSED => {
            let Some(&(first, offset)) = open.first() else {
                return Ok(());
            };
            refusal(
                offset,
                first.len_utf8(),
                format!(
                    "invalid HCL: `{first}` is never closed ({} brackets are left open)",
                    open.len()
                ),
            )
        }
        Brackets::Stray { closer, at, open } if open > MAX_UNCLOSED => refusal(
            at,
            1,
            format!(
                "invalid HCL: this `{closer}` closes no bracket ({open} brackets are open before it)"
            ),
        ),
        _ => Ok(()),
    }
}

/// How a text's brackets (and `${`/`%{`) pair up, outside strings, comments
/// and literal template text.
#[derive(Debug, PartialEq)]
enum Brackets {
    /// Those left open with their byte offsets, outermost first: at the
    /// text's end, or those a closing bracket skips to close an outer one.
    Open(Vec<(char, usize)>),
    /// A closer at byte `at` that no open bracket matches, with how many
    /// were open before it.
    Stray {
        closer: char,
        at: usize,
        open: usize,
    },
    /// The text cannot be judged this simply (a heredoc, an unterminated
    /// comment): the parser decides alone.
    Unknown,
}

fn brackets(text: &str, syntax: Syntax) -> Brackets {
    #[derive(Clone, Copy, PartialEq)]
    enum Open {
        Bracket(char, usize),
        Template(usize),
        String,
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        let in_text = match stack.last() {
            Some(Open::String) => true,
            None => syntax == Syntax::Template,
            _ => false,
        };
        if in_text {
            match (b, next) {
                (b'\\', _) if !stack.is_empty() => i += 1,
                (b'"', _) if !stack.is_empty() => {
                    stack.pop();
                }
                (b'$' | b'%', Some(c)) if c == b && bytes.get(i + 2) == Some(&b'{') => i += 2,
                (b'$' | b'%', Some(b'{')) => {
                    stack.push(Open::Template(i));
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match (b, next) {
            (b'"', _) => stack.push(Open::String),
            (b'#', _) | (b'/', Some(b'/')) => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            (b'/', Some(b'*')) => match text.get(i + 2..).and_then(|t| t.find("*/")) {
                Some(n) => i += n + 3,
                None => return Brackets::Unknown,
            },
            (b'<', Some(b'<')) => return Brackets::Unknown,
            (b'[' | b'(' | b'{', _) => stack.push(Open::Bracket(char::from(b), i)),
            (b']' | b')' | b'}', _) => {
                let closes = |o: &Open| match o {
                    Open::Bracket(o, _) => {
                        matches!((o, b), ('[', b']') | ('(', b')') | ('{', b'}'))
                    }
                    Open::Template(_) => b == b'}',
                    Open::String => false,
                };
                match stack.iter().rposition(closes) {
                    Some(p) if p + 1 == stack.len() => {
                        stack.pop();
                    }
                    // It closes an outer bracket: those opened since were never closed.
                    Some(p) => {
                        stack.drain(..=p);
                        break;
                    }
                    None => {
                        return Brackets::Stray {
                            closer: char::from(b),
                            at: i,
                            open: stack.iter().filter(|o| **o != Open::String).count(),
                        };
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    Brackets::Open(
        stack
            .into_iter()
            .filter_map(|o| match o {
                Open::Bracket(c, at) => Some((c, at)),
                Open::Template(at) => Some(('$', at)),
                Open::String => None,
            })
            .collect(),
    )
}

fn syntax_error(err: &hcl_edit::parser::Error) -> Box<Diagnostic> {
    let at = Position::new(err.location().line(), err.location().column());
    // HCL forbids redefining an attribute; the parser reports it as syntax.
    let code = if err.message().contains("redefined attribute") {
        Code::DuplicateAttribute
    } else {
        Code::SyntaxError
    };
    Box::new(
        Diagnostic::error(code, format!("invalid HCL: {}", err.message()))
            .help(format!("check the syntax near `{}`", err.line().trim()))
            .located(Some(Location { start: at, end: at })),
    )
}

/// Where positions come from: spans in a text, spans in a part of a text
/// that starts at a byte offset, or one fixed location.
pub(super) enum Reader<'a> {
    Text(&'a LineIndex<'a>),
    Offset(&'a LineIndex<'a>, usize),
    Fixed(Option<Location>),
}

impl Reader<'_> {
    fn at(&self, node: &impl Span) -> Option<Location> {
        match self {
            Reader::Text(lines) => node.span().map(|s| lines.location(s)),
            Reader::Offset(lines, base) => node
                .span()
                .map(|s| lines.location(s.start + base..s.end + base)),
            Reader::Fixed(at) => *at,
        }
    }
}

pub(super) fn read_body(body: &hcl_edit::structure::Body, lines: &LineIndex) -> Body {
    let reader = Reader::Text(lines);
    let attributes = body.iter().filter(|s| s.is_attribute()).count();
    let mut out = Body {
        attributes: Vec::with_capacity(attributes),
        blocks: Vec::with_capacity(body.len().saturating_sub(attributes)),
    };
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => out.attributes.push(Attribute {
                name: name(attr.key.as_str()),
                expr: read_expr(&attr.value, &reader),
                at: reader.at(attr),
            }),
            Structure::Block(block) => out.blocks.push(Block {
                kind: name(block.ident.as_str()),
                labels: block.labels.iter().map(label_text).collect(),
                body: read_body(&block.body, lines),
                at: reader.at(block),
            }),
        }
    }
    out
}

fn label_text(block_label: &BlockLabel) -> Name {
    match block_label {
        BlockLabel::Ident(ident) => label(ident.as_str()),
        BlockLabel::String(s) => label(s.as_str()),
    }
}

pub(super) fn read_expr(expr: &Expression, r: &Reader) -> Expr {
    let at = r.at(expr);
    let kind = match expr {
        Expression::Null(_) => ExprKind::Literal(Value::Null),
        Expression::Bool(b) => ExprKind::Literal(Value::Bool(*b.value())),
        Expression::Number(n) => {
            ExprKind::Literal(Value::Number(n.value().as_f64().unwrap_or(f64::NAN)))
        }
        Expression::String(s) => ExprKind::Literal(Value::String(s.value().clone())),
        Expression::Array(items) => {
            ExprKind::Tuple(items.iter().map(|e| read_expr(e, r)).collect())
        }
        Expression::Object(object) => ExprKind::object(
            object
                .iter()
                .map(|(key, value)| (object_key(key, r), read_expr(value.expr(), r)))
                .collect(),
        ),
        Expression::StringTemplate(t) => return template_expr(t, r, at),
        Expression::HeredocTemplate(h) => return template_expr(&h.template, r, at),
        Expression::Parenthesis(p) => return read_expr(p.inner(), r),
        Expression::Variable(v) => ExprKind::Variable(v.as_str().to_owned()),
        Expression::Conditional(c) => ExprKind::Conditional(Box::new([
            read_expr(&c.cond_expr, r),
            read_expr(&c.true_expr, r),
            read_expr(&c.false_expr, r),
        ])),
        Expression::FuncCall(call) => ExprKind::Call(Box::new(Call {
            name: call
                .name
                .namespace
                .iter()
                .chain(std::iter::once(&call.name.name))
                .map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join("::"),
            args: call.args.iter().map(|e| read_expr(e, r)).collect(),
            expand_final: call.args.expand_final(),
        })),
        Expression::Traversal(t) => {
            ExprKind::Traversal(Box::new(read_expr(&t.expr, r)), operators(&t.operators, r))
        }
        Expression::UnaryOp(op) => {
            ExprKind::Unary(*op.operator.value(), Box::new(read_expr(&op.expr, r)))
        }
        Expression::BinaryOp(op) => ExprKind::Binary(
            *op.operator.value(),
            Box::new([read_expr(&op.lhs_expr, r), read_expr(&op.rhs_expr, r)]),
        ),
        Expression::ForExpr(f) => ExprKind::For(Box::new(ForExpr {
            key_var: f.intro.key_var.as_ref().map(ident),
            value_var: ident(&f.intro.value_var),
            collection: read_expr(&f.intro.collection_expr, r),
            key: f.key_expr.as_ref().map(|e| read_expr(e, r)),
            value: read_expr(&f.value_expr, r),
            grouping: f.grouping,
            cond: f.cond.as_ref().map(|c| read_expr(&c.expr, r)),
        })),
    };
    Expr { kind, at }
}

fn ident(i: &Decorated<Ident>) -> String {
    i.as_str().to_owned()
}

/// A bare key is a string; a key in parentheses or quotes is an expression.
fn object_key(key: &ObjectKey, r: &Reader) -> Expr {
    match key {
        ObjectKey::Ident(i) => Expr::literal(Value::String(ident(i)), r.at(i)),
        ObjectKey::Expression(e) => read_expr(e, r),
    }
}

/// Traversal operators; a splat takes the operators after it (all of them for
/// `[*]`, the attribute accesses for `.*`).
fn operators(ops: &[Decorated<TraversalOperator>], r: &Reader) -> Vec<Operator> {
    let mut out = Vec::new();
    let mut rest = ops.iter();
    while let Some(op) = rest.next() {
        match op.value() {
            TraversalOperator::GetAttr(name) => out.push(Operator::Attr(ident(name))),
            TraversalOperator::Index(e) => out.push(Operator::Index(read_expr(e, r))),
            TraversalOperator::LegacyIndex(i) => out.push(Operator::Index(Expr::literal(
                Value::Number(*i.value() as f64),
                r.at(i),
            ))),
            TraversalOperator::FullSplat(_) => {
                let tail: Vec<_> = rest.by_ref().cloned().collect();
                out.push(Operator::Splat(operators(&tail, r)));
            }
            TraversalOperator::AttrSplat(_) => {
                let mut attrs = Vec::new();
                let mut tail = Vec::new();
                for op in rest.by_ref() {
                    match op.value() {
                        TraversalOperator::GetAttr(name) if tail.is_empty() => {
                            attrs.push(Operator::Attr(ident(name)));
                        }
                        _ => tail.push(op.clone()),
                    }
                }
                out.push(Operator::Splat(attrs));
                out.extend(operators(&tail, r));
            }
        }
    }
    out
}

fn template_expr(template: &Template, r: &Reader, at: Option<Location>) -> Expr {
    let parts = template_parts(template, r, false, false);
    let kind = match parts.as_slice() {
        [] => ExprKind::Literal(Value::String(String::new())),
        [Part::Literal(s)] => ExprKind::Literal(Value::String(s.clone())),
        _ => ExprKind::Template(parts),
    };
    Expr { kind, at }
}

/// A template's parts with `~` strip markers applied to the literals beside them.
fn template_parts(
    template: &Template,
    r: &Reader,
    strip_first: bool,
    strip_last: bool,
) -> Vec<Part> {
    let elements: Vec<&Element> = template.iter().collect();
    let mut parts = Vec::with_capacity(elements.len());
    for (i, element) in elements.iter().enumerate() {
        match element {
            Element::Literal(text) => {
                let before = i.checked_sub(1).and_then(|j| elements.get(j));
                let after = elements.get(i + 1);
                let mut s: &str = text.as_str();
                if (i == 0 && strip_first) || before.is_some_and(|e| strips_after(e)) {
                    s = s.trim_start();
                }
                if (i + 1 == elements.len() && strip_last)
                    || after.is_some_and(|e| strips_before(e))
                {
                    s = s.trim_end();
                }
                if !s.is_empty() {
                    parts.push(Part::Literal(s.to_owned()));
                }
            }
            Element::Interpolation(i) => parts.push(Part::Interpolation(read_expr(&i.expr, r))),
            Element::Directive(d) => parts.push(directive(d, r)),
        }
    }
    parts
}

fn directive(d: &Directive, r: &Reader) -> Part {
    match d {
        Directive::If(d) => {
            let then_last = d
                .else_expr
                .as_ref()
                .map_or(d.endif_expr.strip.strip_start(), |e| e.strip.strip_start());
            Part::If {
                cond: read_expr(&d.if_expr.cond_expr, r),
                then: template_parts(
                    &d.if_expr.template,
                    r,
                    d.if_expr.strip.strip_end(),
                    then_last,
                ),
                otherwise: d.else_expr.as_ref().map_or_else(Vec::new, |e| {
                    template_parts(
                        &e.template,
                        r,
                        e.strip.strip_end(),
                        d.endif_expr.strip.strip_start(),
                    )
                }),
            }
        }
        Directive::For(d) => Part::For {
            key_var: d.for_expr.key_var.as_ref().map(ident),
            value_var: ident(&d.for_expr.value_var),
            collection: read_expr(&d.for_expr.collection_expr, r),
            body: template_parts(
                &d.for_expr.template,
                r,
                d.for_expr.strip.strip_end(),
                d.endfor_expr.strip.strip_start(),
            ),
        },
    }
}

/// Whether the element strips the whitespace before it (`~` after its `${`/`%{`).
fn strips_before(e: &Element) -> bool {
    match e {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_start(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(d) => d.if_expr.strip.strip_start(),
            Directive::For(d) => d.for_expr.strip.strip_start(),
        },
    }
}

/// Whether the element strips the whitespace after it (`~` before its closing `}`).
fn strips_after(e: &Element) -> bool {
    match e {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_end(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(d) => d.endif_expr.strip.strip_end(),
            Directive::For(d) => d.endfor_expr.strip.strip_end(),
        },
    }
}

#[cfg(test)]
#[allow(clippy::panic)] // test code: a failure should stop the test
mod tests {
    use super::*;

    #[test]
    fn brackets_in_strings_comments_and_templates_do_not_count() {
        let text =
            "a = \"[[[[ ${ { b = \"}}\" }[\"b\"] } $${ %%{\" # [[[[\n/* (((( */ c = [1, (2)]\n";
        assert_eq!(
            brackets(text, Syntax::Expression),
            Brackets::Open(Vec::new())
        );
        assert_eq!(
            brackets("a = <<EOT\n[[[[\nEOT\n", Syntax::Expression),
            Brackets::Unknown,
            "heredocs are left to the parser"
        );
        assert_eq!(
            brackets("a = [}", Syntax::Expression),
            Brackets::Stray {
                closer: '}',
                at: 5,
                open: 1
            }
        );
        let Brackets::Open(open) = brackets("a = [ { b = (", Syntax::Expression) else {
            panic!("brackets left open are listed");
        };
        assert_eq!(open.iter().map(|(c, _)| *c).collect::<String>(), "[{(");
    }

    #[test]
    fn a_template_counts_brackets_only_in_its_interpolations() {
        let text = "[[[[[ \" {{{ ${ [1, (2)][0] } ]]]]] %{ if true }(((((%{ endif }";
        assert_eq!(brackets(text, Syntax::Template), Brackets::Open(Vec::new()));
        assert!(parse_template(text, None).is_ok());
        let Brackets::Open(open) = brackets("a ${ [[", Syntax::Template) else {
            panic!("brackets left open are listed");
        };
        assert_eq!(open.iter().map(|(c, _)| *c).collect::<String>(), "$[[");
    }

    #[test]
    fn many_unclosed_brackets_are_refused_before_parsing() {
        let text = format!("r = {}x", "a[b ? c % ".repeat(19));
        let Err(d) = parse_body(&text) else {
            panic!("an unclosed text parsed");
        };
        assert_eq!(d.code, Code::SyntaxError);
        assert!(d.message.contains("never closed"), "{}", d.message);
        assert_eq!(
            d.location.map(|l| (l.start.line.get(), l.start.column)),
            Some((1, 6))
        );
        // Few unclosed brackets are the parser's to report.
        assert!(
            parse_body("r = a[b")
                .err()
                .is_some_and(|d| !d.message.contains("never closed"))
        );
    }

    #[test]
    fn a_stray_closer_after_many_open_brackets_is_refused_before_parsing() {
        // The shape fuzzing found: index brackets left open in a chain of
        // operators, then a `}` that closes none of them.
        let text = format!("r = {}x\n}}\n", "a[b ? c % ".repeat(25));
        let Err(d) = parse_body(&text) else {
            panic!("a text with a stray closer parsed");
        };
        assert!(d.message.contains("closes no bracket"), "{}", d.message);
        assert_eq!(
            d.location.map(|l| (l.start.line.get(), l.start.column)),
            Some((2, 1))
        );
        // With few open, the parser reports it.
        assert!(
            parse_body("r = a[b\n}\n")
                .err()
                .is_some_and(|d| !d.message.contains("closes no bracket"))
        );
    }
}

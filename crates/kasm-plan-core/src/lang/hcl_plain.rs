//! A direct reader for HCL files written the way large configurations are:
//! blocks, and attributes whose values are mostly literals.
//!
//! hcl-edit keeps every space and comment in a lossless tree, which validation
//! never reads, and building it is most of the cost of reading a file. This
//! reader builds the [`Body`] in one pass instead. A literal (a string without
//! escapes or templates, a number, `true`, `false`, `null`, and lists and
//! objects of them) is read here; any other expression is cut out at its line's
//! end and handed to hcl-edit's expression parser. Whatever else it meets (a
//! heredoc, a `/* */` comment, a one-line block, a repeated attribute, an
//! escape, anything it cannot prove is well formed) makes it give up, and
//! hcl-edit reads the whole file: every syntax error is hcl-edit's, and a file
//! read here gives the body hcl-edit's would (a test compares the two).

use super::body::{Attribute, Block, Body};
use super::expr::{Expr, ExprKind};
use super::hcl::{Reader, read_expr};
use super::value::Value;
use crate::diagnostic::LineIndex;
use crate::names::{is_ident_continue, is_ident_start};

/// The file's body, or `None` when hcl-edit must read it.
pub(super) fn read(text: &str, lines: &LineIndex) -> Option<Body> {
    let mut scan = Scan {
        text,
        bytes: text.as_bytes(),
        at: 0,
        lines,
    };
    let body = scan.body(false)?;
    (scan.at == scan.bytes.len()).then_some(body)
}

/// Numbers with more digits than this are left to hcl-edit, so every number
/// read here converts exactly as hcl-edit's would.
const MAX_DIGITS: usize = 15;

struct Scan<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    lines: &'a LineIndex<'a>,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    fn expr(&self, kind: ExprKind, start: usize) -> Expr {
        Expr {
            kind,
            at: Some(self.lines.location(start..self.at)),
        }
    }

    /// Spaces and tabs.
    fn spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// A `#` or `//` comment up to (not over) its line's end; `None` at a
    /// `/*` comment, which is left to hcl-edit.
    fn comment(&mut self) -> Option<()> {
        match (self.peek(), self.peek_at(1)) {
            (Some(b'#'), _) | (Some(b'/'), Some(b'/')) => {
                while !matches!(self.peek(), None | Some(b'\n' | b'\r')) {
                    self.at += 1;
                }
                Some(())
            }
            (Some(b'/'), Some(b'*')) => None,
            _ => Some(()),
        }
    }

    /// A line ending, `\n` or `\r\n`; false when there is none here.
    fn newline(&mut self) -> bool {
        match (self.peek(), self.peek_at(1)) {
            (Some(b'\n'), _) => self.at += 1,
            (Some(b'\r'), Some(b'\n')) => self.at += 2,
            _ => return false,
        }
        true
    }

    /// The rest of a line after an attribute or a block: spaces, a comment,
    /// then the line's end or the file's.
    fn end_of_line(&mut self) -> Option<()> {
        self.spaces();
        self.comment()?;
        (self.newline() || self.peek().is_none()).then_some(())
    }

    /// Blank lines, spaces and comments: up to the next item of a body, or
    /// between the items of a list or an object.
    fn blank(&mut self) -> Option<()> {
        loop {
            self.spaces();
            self.comment()?;
            if !self.newline() {
                return Some(());
            }
        }
    }

    /// A body: to the file's end, or (`nested`) to the `}` that closes it,
    /// which is left for the caller.
    fn body(&mut self, nested: bool) -> Option<Body> {
        let mut body = if nested {
            Body::for_block()
        } else {
            Body::default()
        };
        loop {
            self.blank()?;
            match self.peek() {
                None => return (!nested).then_some(body),
                Some(b'}') if nested => return Some(body),
                Some(b) if is_ident_start(b) => self.item(&mut body)?,
                Some(_) => return None,
            }
        }
    }

    /// An attribute or a block.
    fn item(&mut self, body: &mut Body) -> Option<()> {
        let start = self.at;
        let name = self.ident();
        self.spaces();
        if self.peek() == Some(b'=') {
            // hcl-edit refuses a repeated attribute; let it say so.
            if body.attributes.iter().any(|a| a.name == name) {
                return None;
            }
            self.at += 1;
            self.spaces();
            let expr = self.value()?;
            let end = self.at;
            body.attributes.push(Attribute {
                name: super::body::name(name),
                expr,
                at: Some(self.lines.location(start..end)),
            });
            return self.end_of_line();
        }
        let mut labels = super::body::Labels::new();
        loop {
            match self.peek()? {
                b'"' => labels.push(super::body::label(self.plain_string()?)),
                b if is_ident_start(b) => labels.push(super::body::label(self.ident())),
                b'{' => break,
                _ => return None,
            }
            self.spaces();
        }
        self.at += 1;
        // Only a block over several lines: a one-line block is left to hcl-edit.
        self.end_of_line()?;
        let inner = self.body(true)?;
        self.at += 1;
        body.blocks.push(Block {
            kind: super::body::name(name),
            labels,
            body: inner,
            at: Some(self.lines.location(start..self.at)),
        });
        self.end_of_line()
    }

    /// An identifier (the caller saw its first byte).
    fn ident(&mut self) -> &'a str {
        let start = self.at;
        self.at += 1;
        while self.peek().is_some_and(is_ident_continue) {
            self.at += 1;
        }
        self.text.get(start..self.at).unwrap_or_default()
    }

    /// A quoted string with no escape, template or line break in it.
    fn plain_string(&mut self) -> Option<&'a str> {
        let start = self.at + 1;
        let mut i = start;
        loop {
            match self.bytes.get(i)? {
                b'"' => break,
                b'\\' | b'\n' | b'\r' => return None,
                b'$' | b'%' if self.bytes.get(i + 1) == Some(&b'{') => return None,
                _ => i += 1,
            }
        }
        self.at = i + 1;
        self.text.get(start..i)
    }

    /// An attribute's value: a literal that ends its line, or else the
    /// expression up to the line's end, parsed by hcl-edit.
    fn value(&mut self) -> Option<Expr> {
        let start = self.at;
        if let Some(expr) = self.literal() {
            let end = self.at;
            self.spaces();
            let ends_line = matches!(
                (self.peek(), self.peek_at(1)),
                (None | Some(b'\n' | b'\r' | b'#'), _) | (Some(b'/'), Some(b'/'))
            );
            self.at = end;
            if ends_line {
                return Some(expr);
            }
        }
        self.at = start;
        self.expression()
    }

    /// A literal; `None` (the position then unspecified) for anything else.
    fn literal(&mut self) -> Option<Expr> {
        let start = self.at;
        let kind = match self.peek()? {
            b'"' => ExprKind::Literal(Value::String(self.plain_string()?.to_owned())),
            b'0'..=b'9' => ExprKind::Literal(Value::Number(self.number()?)),
            b'[' => self.tuple()?,
            b'{' => self.object()?,
            b if is_ident_start(b) => match self.ident() {
                "true" => ExprKind::Literal(Value::Bool(true)),
                "false" => ExprKind::Literal(Value::Bool(false)),
                "null" => ExprKind::Literal(Value::Null),
                _ => return None,
            },
            _ => return None,
        };
        Some(self.expr(kind, start))
    }

    /// Digits, with a fraction or not; an exponent, a leading zero or too
    /// many digits are left to hcl-edit.
    fn number(&mut self) -> Option<f64> {
        let start = self.at;
        let digits = |s: &mut Self| {
            let from = s.at;
            while s.peek().is_some_and(|b| b.is_ascii_digit()) {
                s.at += 1;
            }
            s.at - from
        };
        let mut count = digits(self);
        if count > 1 && self.bytes.get(start) == Some(&b'0') {
            return None;
        }
        if self.peek() == Some(b'.') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
            count += digits(self);
        }
        if count > MAX_DIGITS
            || self
                .peek()
                .is_some_and(|b| is_ident_continue(b) || b == b'.')
        {
            return None;
        }
        self.text.get(start..self.at)?.parse().ok()
    }

    /// `[literal, ...]`.
    fn tuple(&mut self) -> Option<ExprKind> {
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.blank()?;
            if self.peek()? == b']' {
                break;
            }
            items.push(self.literal()?);
            self.blank()?;
            match self.peek()? {
                b',' => self.at += 1,
                b']' => break,
                _ => return None,
            }
        }
        self.at += 1;
        Some(ExprKind::Tuple(items))
    }

    /// `{ key = literal, ... }`, keys bare or quoted, each once.
    fn object(&mut self) -> Option<ExprKind> {
        self.at += 1;
        let mut items: Vec<(Expr, Expr)> = Vec::new();
        loop {
            self.blank()?;
            let start = self.at;
            let key = match self.peek()? {
                b'}' => break,
                b'"' => self.plain_string()?,
                b if is_ident_start(b) => match self.ident() {
                    "true" | "false" | "null" => return None,
                    name => name,
                },
                _ => return None,
            };
            let repeated = items
                .iter()
                .any(|(k, _)| matches!(&k.kind, ExprKind::Literal(Value::String(s)) if s == key));
            if repeated {
                return None;
            }
            let key = self.expr(ExprKind::Literal(Value::String(key.to_owned())), start);
            self.spaces();
            match self.peek()? {
                b'=' | b':' => self.at += 1,
                _ => return None,
            }
            self.spaces();
            let value = self.literal()?;
            items.push((key, value));
            self.spaces();
            self.comment()?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => break,
                _ if self.newline() => {}
                _ => return None,
            }
        }
        self.at += 1;
        Some(ExprKind::object(items))
    }

    /// Any other expression: its text up to the line's end (brackets,
    /// strings and templates may span lines), parsed by hcl-edit.
    fn expression(&mut self) -> Option<Expr> {
        let start = self.at;
        let end = self.extent()?;
        let source = self.text.get(start..end)?;
        let parsed = hcl_edit::parser::parse_expr(source).ok()?;
        Some(read_expr(&parsed, &Reader::Offset(self.lines, start)))
    }

    /// Where the expression starting here ends, its trailing spaces left
    /// out; the position is left there.
    fn extent(&mut self) -> Option<usize> {
        #[derive(PartialEq)]
        enum Open {
            Bracket(u8),
            Template,
            String,
        }
        let start = self.at;
        let mut stack: Vec<Open> = Vec::new();
        let mut end = self.at;
        while let Some(b) = self.peek() {
            let next = self.peek_at(1);
            if stack.last() == Some(&Open::String) {
                match (b, next) {
                    (b'\\', _) => self.at += 1,
                    (b'"', _) => {
                        stack.pop();
                    }
                    (b'\n' | b'\r', _) => return None,
                    (b'$' | b'%', Some(c)) if c == b && self.peek_at(2) == Some(b'{') => {
                        self.at += 2;
                    }
                    (b'$' | b'%', Some(b'{')) => {
                        stack.push(Open::Template);
                        self.at += 1;
                    }
                    _ => {}
                }
                self.at += 1;
                end = self.at;
                continue;
            }
            match (b, next) {
                (b' ' | b'\t', _) => {
                    self.at += 1;
                    continue;
                }
                (b'\n' | b'\r' | b'#', _) | (b'/', Some(b'/')) if stack.is_empty() => break,
                (b'\n' | b'\r', _) => {
                    self.at += 1;
                    continue;
                }
                (b'#', _) | (b'/', Some(b'/')) => {
                    self.comment()?;
                    continue;
                }
                (b'/', Some(b'*')) | (b'<', Some(b'<')) => return None,
                (b'"', _) => stack.push(Open::String),
                (b'(' | b'[' | b'{', _) => stack.push(Open::Bracket(b)),
                (b')' | b']' | b'}', _) => {
                    let closes = match stack.pop()? {
                        Open::Bracket(open) => {
                            matches!((open, b), (b'(', b')') | (b'[', b']') | (b'{', b'}'))
                        }
                        Open::Template => b == b'}',
                        Open::String => false,
                    };
                    if !closes {
                        return None;
                    }
                }
                _ => {}
            }
            self.at += 1;
            end = self.at;
        }
        if !stack.is_empty() || end == start {
            return None;
        }
        self.at = end;
        Some(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// hcl-edit's body of a text, when it parses.
    fn hcl_edit_body(text: &str) -> Option<Body> {
        let tree = hcl_edit::parser::parse_body(text).ok()?;
        Some(super::super::hcl::read_body(&tree, &LineIndex::new(text)))
    }

    /// Whether the text was read here; panics where the two readers differ.
    fn read_alike(text: &str) -> bool {
        let Some(fast) = read(text, &LineIndex::new(text)) else {
            return false;
        };
        let Some(full) = hcl_edit_body(text) else {
            panic!("read a text hcl-edit refuses:\n{text}");
        };
        assert_eq!(fast, full, "the readers differ on:\n{text}");
        true
    }

    #[test]
    fn a_configuration_of_literals_is_read_here_as_hcl_edit_reads_it() {
        let synthetic = kasm_plan_vectors::synthetic::hcl_source(200);
        assert!(read_alike(&synthetic));
        let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/images.tf");
        let text = std::fs::read_to_string(examples).unwrap_or_default();
        assert!(read_alike(&text), "examples/images.tf");
    }

    #[test]
    fn other_expressions_are_parsed_by_hcl_edit_in_place() {
        let text = "variable \"apps\" {\n  default = { a = { n = 1 } }\n}\n\
            resource \"kasm_image\" \"x\" {\n  for_each = var.apps # each app\n  name = \"kasmweb/${each.key}:1.0\"\n  \
            memory = local.memory * 2\n  run_config = jsonencode({\n    hostname = \"h${each.value.n}\"\n  })\n  \
            tags = [for k, v in var.apps : k if v.n > 0]\n}\n";
        assert!(read_alike(text));
    }

    #[test]
    fn what_hcl_edit_refuses_is_left_to_it_to_say() {
        for text in [
            "a = 1\na = 2\n",
            "a = [1\n2]\n",
            "a = { x = 1 x = 2 }\n",
            "a = { x = 1, x = 2 }\n",
            "a = 1 }\n",
            "}\n",
            "a = \n1\n",
            "a = \"open\n",
            "b \"l\" {\n  a = 1\n",
        ] {
            assert!(hcl_edit_body(text).is_none(), "hcl-edit reads {text:?}");
            assert!(read(text, &LineIndex::new(text)).is_none(), "read {text:?}");
        }
    }

    #[test]
    fn what_this_reader_does_not_know_is_read_alike_by_hcl_edit() {
        for text in [
            "b { a = 1 }\n",
            "a = <<EOT\nx\nEOT\n",
            "/* c */ a = 1\n",
            "a = \"x\\ny\"\n",
            "a = \"$${x}\"\n",
            "a = 007\n",
            "a = 1e3\n",
            "a = 12345678901234567\n",
        ] {
            assert!(hcl_edit_body(text).is_some(), "hcl-edit refuses {text:?}");
            read_alike(text);
        }
    }

    #[test]
    fn layouts_hcl_allows_are_read_alike() {
        for text in [
            "",
            "\n\n# only a comment\n",
            "a = 1",
            "a = 1 # one\r\nb = \"two\" // two\r\n",
            "a = 0.5\nb = 0\nc = true\nd = null\ne = false\n",
            "a = []\nb = {}\nc = [ ]\n",
            "a = [1, 2,]\nb = [\n  \"x\",\n  \"y\"\n]\n",
            "a = {\n  x = 1\n  \"y z\" = [true]\n  w: \"v\",\n}\n",
            "a = { x = { y = { z = 1 } } }\n",
            "a = { x = 1, y = 2 }\n",
            "b {\n}\nc \"l\" m {\n  # inside\n  d {\n    e = 1\n  }\n}\n",
            "b \"T\u{e9}rminal\" {\n  a = \"\u{e9}t\u{e9}\"\n}\n",
            "a = \"x\"\t\n",
            "a = -1\n",
            "a = (1)\n",
            "a = [1, var.x]\n",
            "a = { x = [1, 2], y = \"${v}\" }\n",
            "a = \"${x}\" # trailing\n",
            "a = f(\n  1,\n  2\n)\n",
        ] {
            read_alike(text);
        }
    }

    /// A value: literals and other expressions, nested in lists and objects.
    fn value() -> impl Strategy<Value = String> {
        let leaf = prop::sample::select(vec![
            "1",
            "0",
            "2.5",
            "007",
            "1e2",
            "-1",
            "true",
            "null",
            "\"s\"",
            "\"\"",
            "\"${v}\"",
            "\"$${v}\"",
            "\"\\n\"",
            "var.x",
            "f(1)",
            "\"\u{e9}\"",
            "(2)",
            "<<EOT\nx\nEOT",
        ])
        .prop_map(str::to_owned);
        leaf.prop_recursive(3, 24, 4, |inner| {
            let separator = prop::sample::select(vec![", ", ",\n", "\n", " ", ",", ", # c\n"]);
            let tuple = (
                prop::collection::vec(inner.clone(), 0..4),
                separator.clone(),
                any::<bool>(),
            )
                .prop_map(|(items, sep, trailing)| {
                    let comma = if trailing && !items.is_empty() {
                        ","
                    } else {
                        ""
                    };
                    format!("[{}{comma}]", items.join(sep))
                });
            let key = prop::sample::select(vec!["x", "y", "\"q r\"", "null", "a-b"]);
            let assign = prop::sample::select(vec![" = ", ": ", "=", " "]);
            let object = (prop::collection::vec((key, assign, inner), 0..4), separator).prop_map(
                |(items, sep)| {
                    let items: Vec<String> =
                        items.iter().map(|(k, a, v)| format!("{k}{a}{v}")).collect();
                    format!("{{{}}}", items.join(sep))
                },
            );
            prop_oneof![tuple, object]
        })
    }

    /// A body: attributes and blocks, with the spacing and comments HCL allows
    /// and some it does not.
    fn body() -> impl Strategy<Value = String> {
        let name = prop::sample::select(vec!["a", "b", "name", "c_1"]);
        let trailing = prop::sample::select(vec!["", " # c", " // c", " /* c */", "\t", " }"]);
        let attribute =
            (name.clone(), value(), trailing).prop_map(|(n, v, t)| format!("{n} = {v}{t}"));
        let label = prop::sample::select(vec!["", " \"kasm_image\" \"t\"", " l", " \"l\" m"]);
        let block_item = (name.clone(), value()).prop_map(|(n, v)| format!("  {n} = {v}"));
        let block = (
            name,
            label,
            prop::collection::vec(block_item, 0..3),
            any::<bool>(),
        )
            .prop_map(|(n, l, items, one_line)| match (one_line, items.first()) {
                (true, Some(item)) => format!("{n}{l} {{ {} }}", item.trim()),
                _ => format!("{n}{l} {{\n{}\n}}", items.join("\n")),
            });
        let newline = prop::sample::select(vec!["\n", "\r\n", "\n\n", "\n# c\n"]);
        prop::collection::vec((prop_oneof![attribute, block], newline), 0..5).prop_map(|items| {
            items
                .iter()
                .map(|(item, nl)| format!("{item}{nl}"))
                .collect()
        })
    }

    /// Pieces inserted at random into a body, to break it.
    const PIECES: &[&str] = &[
        "{", "}", "[", "]", "\"", "\n", "=", ",", "#", "/*", "$", "\\", "\u{e9}", " ", "0",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn random_bodies_are_read_alike_or_left_to_hcl_edit(
            text in body(),
            cut in any::<prop::sample::Index>(),
            piece in prop::sample::select(PIECES),
            broken in any::<bool>(),
        ) {
            read_alike(&text);
            if broken {
                let at = cut.index(text.len() + 1);
                if text.is_char_boundary(at) {
                    let mut text = text.clone();
                    text.insert_str(at, piece);
                    read_alike(&text);
                }
            }
        }
    }
}

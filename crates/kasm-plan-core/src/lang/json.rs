//! JSON files to [`Body`]: Terraform's JSON syntax (`.tf.json`, where strings
//! are templates), and kasm-plan's own `{"images": {"<name>": {...}}}` (literal values).
//!
//! The text is read in one pass with jiter, strict JSON, straight into the
//! body's attributes and expressions: no syntax tree is built in between.

use super::body::{Attribute, Block, Body, Labels, label, name};
use super::expr::{Expr, ExprKind};
use super::hcl;
use super::value::Value;
use crate::address::RESOURCE_TYPE;
use crate::diagnostic::{Code, Diagnostic, LineIndex, Location};
use crate::json_text::{JsonObject, ObjectBuilder};
use jiter::{Jiter, JiterError, JiterErrorType, JsonErrorType, Peek};
use std::borrow::Cow;
use std::ops::Range;

/// The block types Terraform's JSON syntax knows, with their label counts.
const BLOCKS: &[(&str, usize)] = &[
    ("resource", 2),
    ("data", 2),
    ("variable", 1),
    ("output", 1),
    ("module", 1),
    ("provider", 1),
    ("check", 1),
    ("locals", 0),
    ("terraform", 0),
    ("moved", 0),
    ("import", 0),
    ("removed", 0),
];

/// How a JSON value stands for an expression.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Strings are templates (`"${var.x}"`), as Terraform reads most attributes.
    Template,
    /// Strings are expressions: references and types (`"var.x"`, `"list(string)"`).
    Expression,
    /// Values are taken as they are (a variable's `default`, kasm-plan's own format).
    Literal,
}

/// Reads a JSON file: a syntax error or a wrong shape gives diagnostics and
/// whatever body could be read.
pub fn parse_body(text: &str) -> (Body, Vec<Diagnostic>) {
    let lines = LineIndex::new(text);
    let mut reader = Reader::new(text, &lines);
    match reader.document() {
        Ok(body) => (body, reader.diagnostics),
        Err(err) => (Body::default(), vec![syntax_error(&err, &lines)]),
    }
}

/// Reads a `.tfvars.json` file: one object of variable values, taken literally.
pub fn parse_values(text: &str) -> (Body, Vec<Diagnostic>) {
    let lines = LineIndex::new(text);
    let mut reader = Reader::new(text, &lines);
    match reader.values() {
        Ok(Some(attributes)) => (
            Body {
                attributes,
                blocks: Vec::new(),
            },
            reader.diagnostics,
        ),
        Ok(None) => (Body::default(), reader.diagnostics),
        Err(err) => (Body::default(), vec![syntax_error(&err, &lines)]),
    }
}

/// The diagnostic of text that is not JSON.
fn syntax_error(err: &JiterError, lines: &LineIndex) -> Diagnostic {
    let message = match &err.error_type {
        JiterErrorType::JsonError(JsonErrorType::RecursionLimitExceeded) => {
            format!("arrays and objects nested deeper than {MAX_DEPTH} levels")
        }
        JiterErrorType::JsonError(kind) => kind.to_string(),
        other => other.to_string(),
    };
    Diagnostic::error(Code::SyntaxError, format!("invalid JSON: {message}"))
        .help("fix the JSON syntax at the position shown")
        .located(Some(lines.location(err.index..err.index + 1)))
}

/// Arrays and objects nested deeper than this are refused, so a hostile
/// document cannot exhaust the stack.
const MAX_DEPTH: usize = 128;

type Parsed<T> = Result<T, JiterError>;

/// An object's key: its text, unescaped (borrowed from the source unless it
/// holds an escape), and where it stands (quotes included).
struct Key<'a> {
    text: Cow<'a, str>,
    span: Range<usize>,
}

struct Reader<'a> {
    json: Jiter<'a>,
    text: &'a str,
    lines: &'a LineIndex<'a>,
    diagnostics: Vec<Diagnostic>,
    depth: usize,
    /// The attributes of the block being read (see [`Reader::block_body`]).
    scratch: Vec<Attribute>,
    /// Builders of literal objects, kept for the next object (one per
    /// level of nesting).
    builders: Vec<ObjectBuilder<Cow<'a, str>>>,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, lines: &'a LineIndex<'a>) -> Self {
        Reader {
            json: Jiter::new(text.as_bytes()),
            text,
            lines,
            diagnostics: Vec::new(),
            depth: 0,
            scratch: Vec::new(),
            builders: Vec::new(),
        }
    }

    /// Where the text from `start` to the reader's position stands.
    fn since(&self, start: usize) -> Location {
        self.lines.location(start..self.json.current_index())
    }

    /// The next value's kind and where it starts.
    fn peek(&mut self) -> Parsed<(Peek, usize)> {
        let peek = self.json.peek()?;
        Ok((peek, self.json.current_index()))
    }

    /// Skips the next value, and says where it stood.
    fn skip(&mut self) -> Parsed<Location> {
        let (peek, start) = self.peek()?;
        self.json.known_skip(peek)?;
        Ok(self.since(start))
    }

    /// Counts one level of nesting in, refusing too deep a document.
    fn enter(&mut self) -> Parsed<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(JiterError {
                error_type: JiterErrorType::JsonError(JsonErrorType::RecursionLimitExceeded),
                index: self.json.current_index(),
            });
        }
        Ok(())
    }

    /// The properties of the object ahead, each handed to `each` with the
    /// reader before its value, which `each` reads.
    fn object(&mut self, mut each: impl FnMut(&mut Self, Key<'a>) -> Parsed<()>) -> Parsed<()> {
        self.enter()?;
        let base = self.text.as_ptr() as usize;
        let at = |raw: &[u8]| {
            let start = raw.as_ptr() as usize - base;
            start..start + raw.len()
        };
        let mut next = self.json.next_object_bytes()?.map(at);
        while let Some(raw) = next {
            let key = self.key(raw)?;
            each(self, key)?;
            next = self.json.next_key_bytes()?.map(at);
        }
        self.depth -= 1;
        Ok(())
    }

    /// A key from its text between the quotes, unescaped.
    fn key(&self, raw: Range<usize>) -> Parsed<Key<'a>> {
        let span = raw.start - 1..raw.end + 1;
        let text: &'a str = self.text;
        let inner = text.get(raw.clone()).unwrap_or_default();
        let text = if inner.contains('\\') {
            let quoted = self.text.get(span.clone()).unwrap_or_default();
            let mut decoder = Jiter::new(quoted.as_bytes());
            match decoder.next_str() {
                Ok(text) => Cow::Owned(text.to_owned()),
                Err(err) => {
                    return Err(JiterError {
                        index: span.start + err.index,
                        ..err
                    });
                }
            }
        } else {
            Cow::Borrowed(inner)
        };
        Ok(Key { text, span })
    }

    /// The whole document: kasm-plan's `images`, Terraform's blocks, and
    /// attributes at the top.
    fn document(&mut self) -> Parsed<Body> {
        if is_blank(self.text) {
            self.diagnostics.push(not_an_object(None));
            return Ok(Body::default());
        }
        let (peek, start) = self.peek()?;
        if peek != Peek::Object {
            let at = self.skip()?;
            self.json.finish()?;
            self.diagnostics.push(not_an_object(Some(at)));
            return Ok(Body::default());
        }
        let mut body = Body::default();
        let mut known = false;
        self.object(|r, key| {
            let name = &*key.text;
            if name == "images" {
                known = true;
                r.own_images(&mut body)
            } else if let Some((_, labels)) = BLOCKS.iter().find(|(k, _)| *k == name) {
                known = true;
                r.blocks(name, *labels, Labels::new(), &mut body.blocks)
            } else if name == "//" {
                r.skip().map(drop)
            } else {
                body.attributes.push(r.attribute(key, Mode::Template)?);
                Ok(())
            }
        })?;
        self.json.finish()?;
        if !known {
            let at = self.lines.location(start..self.json.current_index());
            self.diagnostics.insert(0, Diagnostic::error(Code::InvalidDocument, "no `images` object and no Terraform blocks in the document")
                .help(r#"put the images under a top-level "images" key: {"images": {"<name>": {...}}}, or write Terraform's JSON syntax"#)
                .located(Some(at)));
        }
        Ok(body)
    }

    /// A variables file's one object, its values literal; `None` (reported)
    /// when the document is not an object.
    fn values(&mut self) -> Parsed<Option<Vec<Attribute>>> {
        let at = if is_blank(self.text) {
            None
        } else {
            let (peek, _) = self.peek()?;
            if peek == Peek::Object {
                let attributes = self.literal_body()?.attributes;
                self.json.finish()?;
                return Ok(Some(attributes));
            }
            let at = self.skip()?;
            self.json.finish()?;
            Some(at)
        };
        self.diagnostics.push(
            Diagnostic::error(
                Code::InvalidDocument,
                "a variables file in JSON is one object of values",
            )
            .help(r#"write {"name": value, ...}"#)
            .located(at),
        );
        Ok(None)
    }

    /// `"kind": {"label": ... {body}}` down through `labels` levels; a body may
    /// be an array of bodies (several blocks with the same labels).
    fn blocks(
        &mut self,
        kind: &str,
        labels: usize,
        prefix: Labels,
        out: &mut Vec<Block>,
    ) -> Parsed<()> {
        let (peek, start) = self.peek()?;
        if labels > prefix.len() {
            if peek != Peek::Object {
                return self.wrong_shape(kind, "an object keyed by the block's labels");
            }
            return self.object(|r, key| {
                if key.text == "//" {
                    return r.skip().map(drop);
                }
                let mut labels_so_far = prefix.clone();
                labels_so_far.push(label(&key.text));
                r.blocks(kind, labels, labels_so_far, out)
            });
        }
        match peek {
            Peek::Object => {
                let body = self.body(kind)?;
                out.push(Block {
                    kind: name(kind),
                    labels: prefix,
                    body,
                    at: Some(self.since(start)),
                });
                Ok(())
            }
            Peek::Array => {
                self.enter()?;
                let mut item = self.json.known_array()?;
                while item.is_some() {
                    self.blocks(kind, labels, prefix.clone(), out)?;
                    item = self.json.array_step()?;
                }
                self.depth -= 1;
                Ok(())
            }
            _ => self.wrong_shape(kind, "an object (the block's body) or an array of them"),
        }
    }

    /// Reports (and skips) a block's value of the wrong shape.
    fn wrong_shape(&mut self, kind: &str, expected: &str) -> Parsed<()> {
        let at = self.skip()?;
        self.diagnostics.push(
            Diagnostic::error(
                Code::InvalidDocument,
                format!("a `{kind}` block must be {expected}"),
            )
            .help("see Terraform's JSON configuration syntax")
            .located(Some(at)),
        );
        Ok(())
    }

    /// A block body; nested blocks are known by name (`lifecycle`, `validation`).
    fn body(&mut self, kind: &str) -> Parsed<Body> {
        self.block_body(|r, key, body| {
            let name = &*key.text;
            match (kind, name) {
                (_, "//") => r.skip().map(drop),
                ("resource", "lifecycle") | ("variable", "validation") => {
                    r.blocks(name, 0, Labels::new(), &mut body.blocks)
                }
                _ => {
                    let mode = mode(kind, name);
                    body.attributes.push(r.attribute(key, mode)?);
                    Ok(())
                }
            }
        })
    }

    /// The object ahead as a block's body, each property handed to `each`.
    /// Its attributes are gathered in a list kept for the next block, then
    /// copied into one of their exact length: a list grown by doubling for
    /// each of thousands of blocks costs more in the allocator than the copy.
    fn block_body(
        &mut self,
        mut each: impl FnMut(&mut Self, Key, &mut Body) -> Parsed<()>,
    ) -> Parsed<Body> {
        let mut body = Body {
            attributes: std::mem::take(&mut self.scratch),
            blocks: Vec::new(),
        };
        let read = self.object(|r, key| each(r, key, &mut body));
        let mut gathered = std::mem::take(&mut body.attributes);
        body.attributes = Vec::with_capacity(gathered.len());
        body.attributes.append(&mut gathered);
        self.scratch = gathered;
        read.map(|()| body)
    }

    /// `"images": {"<name>": {...}}`: kasm-plan's own format, literal values.
    fn own_images(&mut self, out: &mut Body) -> Parsed<()> {
        let (peek, _) = self.peek()?;
        if peek != Peek::Object {
            let at = self.skip()?;
            self.diagnostics.push(
                Diagnostic::error(Code::InvalidDocument, "`images` must be an object")
                    .help(r#"write {"images": {"<name>": {...}}}"#)
                    .located(Some(at)),
            );
            return Ok(());
        }
        self.object(|r, image| {
            let (peek, _) = r.peek()?;
            if peek != Peek::Object {
                let at = r.skip()?;
                let name = &image.text;
                r.diagnostics.push(
                    Diagnostic::error(Code::WrongType, format!("image `{name}` must be an object"))
                        .at(&format!("{RESOURCE_TYPE}.{name}"), "")
                        .help(r#"write "<name>": {"name": ..., "image_src": ..., "friendly_name": ...}"#)
                        .located(Some(at)),
                );
                return Ok(());
            }
            let body = r.block_body(|r, key, body| {
                let (peek, _) = r.peek()?;
                if key.text == "lifecycle" && peek == Peek::Object {
                    let block = r.literal_body()?;
                    body.blocks.push(Block {
                        kind: "lifecycle".into(),
                        labels: Labels::new(),
                        body: block,
                        at: Some(r.since(key.span.start)),
                    });
                } else {
                    body.attributes.push(r.attribute(key, Mode::Literal)?);
                }
                Ok(())
            })?;
            out.blocks.push(Block {
                kind: "resource".into(),
                labels: Labels::from_buf([Cow::Borrowed(RESOURCE_TYPE), Cow::Owned(image.text.into_owned())]),
                body,
                at: Some(r.since(image.span.start)),
            });
            Ok(())
        })
    }

    /// The object ahead as attributes with literal values.
    fn literal_body(&mut self) -> Parsed<Body> {
        let mut attributes = Vec::new();
        self.object(|r, key| {
            attributes.push(r.attribute(key, Mode::Literal)?);
            Ok(())
        })?;
        Ok(Body {
            attributes,
            blocks: Vec::new(),
        })
    }

    /// The property whose key was just read: its value ahead as an
    /// expression, the whole property as its place.
    fn attribute(&mut self, key: Key, mode: Mode) -> Parsed<Attribute> {
        let expr = self.expr(mode)?;
        Ok(Attribute {
            name: name(&key.text),
            expr,
            at: Some(self.since(key.span.start)),
        })
    }

    /// The value ahead as an expression.
    fn expr(&mut self, mode: Mode) -> Parsed<Expr> {
        let (peek, start) = self.peek()?;
        let kind = match peek {
            Peek::String => {
                let text = self.json.known_str()?.to_owned();
                let at = Some(self.since(start));
                return Ok(self.string(text, mode, at));
            }
            Peek::True | Peek::False => ExprKind::Literal(Value::Bool(self.json.known_bool(peek)?)),
            Peek::Null => {
                self.json.known_null()?;
                ExprKind::Literal(Value::Null)
            }
            Peek::Array => {
                self.enter()?;
                let mut items = Vec::new();
                let mut item = self.json.known_array()?;
                while item.is_some() {
                    items.push(self.expr(mode)?);
                    item = self.json.array_step()?;
                }
                self.depth -= 1;
                ExprKind::Tuple(items)
            }
            Peek::Object => self.object_expr(mode)?,
            _ => {
                let digits = self.json.known_number_bytes(peek)?;
                let text = std::str::from_utf8(digits).unwrap_or_default();
                match text.parse::<f64>() {
                    Ok(x) if x.is_finite() => ExprKind::Literal(Value::Number(x)),
                    _ => ExprKind::Invalid(
                        Code::WrongType,
                        format!("holds the number {text}, which is out of range"),
                    ),
                }
            }
        };
        Ok(Expr {
            kind,
            at: Some(self.since(start)),
        })
    }

    /// An object: while every key and value is literal (a value may be an
    /// object of literals itself), its members are written into one JSON
    /// text, the form typing takes; from the first that is not, they are the
    /// items of an object expression. Keys are templates unless read literally.
    fn object_expr(&mut self, mode: Mode) -> Parsed<ExprKind> {
        let members = self.members(mode)?;
        Ok(self.close(members))
    }

    /// The object `members` read, its builder kept for the next object.
    fn close(&mut self, mut members: Members<'a>) -> ExprKind {
        let kind = members.finish();
        self.builders.push(members.literal);
        kind
    }

    /// The members of the object ahead, as [`Reader::object_expr`] reads them.
    fn members(&mut self, mode: Mode) -> Parsed<Members<'a>> {
        let mut members = Members {
            literal: self.builders.pop().unwrap_or_default(),
            items: Vec::new(),
        };
        self.object(|r, key| {
            if mode != Mode::Literal && key.text == "//" {
                return r.skip().map(drop);
            }
            let open =
                members.items.is_empty() && (mode == Mode::Literal || !is_template(&key.text));
            let (peek, start) = r.peek()?;
            // A literal string or object is written into this object's text
            // straight from the source; made a value only when not literal.
            let value = match peek {
                Peek::String => {
                    let text = r.json.known_str()?;
                    if open && is_literal_string(mode, text) {
                        members.literal.text(key.text, text);
                        return Ok(());
                    }
                    let text = text.to_owned();
                    let at = Some(r.since(start));
                    r.string(text, mode, at)
                }
                Peek::Object => {
                    let mut inner = r.members(mode)?;
                    if open && inner.is_literal() {
                        members.literal.nested(key.text, &mut inner.literal);
                        r.builders.push(inner.literal);
                        return Ok(());
                    }
                    Expr {
                        kind: r.close(inner),
                        at: Some(r.since(start)),
                    }
                }
                _ => r.expr(mode)?,
            };
            if open && value.kind.is_json() {
                value.kind.add_to(key.text, &mut members.literal);
                return Ok(());
            }
            let key_at = Some(r.lines.location(key.span));
            let key = match mode {
                Mode::Literal => Expr::literal(Value::String(key.text.into_owned()), key_at),
                _ => r.string(key.text.into_owned(), Mode::Template, key_at),
            };
            members.push(key, value);
            Ok(())
        })?;
        Ok(members)
    }

    fn string(&mut self, text: String, mode: Mode, at: Option<Location>) -> Expr {
        if is_literal_string(mode, &text) {
            return Expr::literal(Value::String(text), at);
        }
        let parsed = match mode {
            Mode::Template => hcl::parse_template(&text, at),
            Mode::Expression | Mode::Literal => hcl::parse_expr_at(&text, at),
        };
        parsed.unwrap_or_else(|d| Expr {
            kind: ExprKind::Invalid(d.code, d.message),
            at,
        })
    }
}

/// Whether a string read in `mode` is the literal string it spells: always
/// when read literally, as a template when it holds no interpolation or
/// directive, never as an expression.
fn is_literal_string(mode: Mode, text: &str) -> bool {
    match mode {
        Mode::Literal => true,
        Mode::Template => !is_template(text),
        Mode::Expression => false,
    }
}

/// Whether a string holds an interpolation or a directive.
fn is_template(text: &str) -> bool {
    text.contains("${") || text.contains("%{")
}

/// An object's members as they are read: the text of one JSON object while
/// every key and value is literal, so a literal object is never a list of
/// members folded afterwards.
struct Members<'a> {
    literal: ObjectBuilder<Cow<'a, str>>,
    items: Vec<(Expr, Expr)>,
}

impl<'a> Members<'a> {
    /// A member that is not literal: the members read so far become items
    /// (their places are not needed: a literal member cannot fail).
    fn push(&mut self, key: Expr, value: Expr) {
        let literal = self.literal.take_members().into_iter().map(|(k, v)| {
            let kind = match v {
                serde_json::Value::Object(map) => ExprKind::Json(JsonObject::of_map(&map)),
                v => ExprKind::Literal(Value::from_json(&v)),
            };
            (
                Expr::literal(Value::String(k.into_owned()), None),
                Expr { kind, at: None },
            )
        });
        self.items.extend(literal);
        self.items.push((key, value));
    }

    /// Whether every member is literal, and there is one.
    fn is_literal(&self) -> bool {
        self.items.is_empty() && !self.literal.is_empty()
    }

    /// The object; the builder is left empty, to be used again.
    fn finish(&mut self) -> ExprKind {
        if self.is_literal() {
            ExprKind::Json(self.literal.finish())
        } else {
            ExprKind::object(std::mem::take(&mut self.items))
        }
    }
}

/// Whether the text is only JSON's white space.
fn is_blank(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// The diagnostic of a spec file that is not an object.
fn not_an_object(at: Option<Location>) -> Diagnostic {
    Diagnostic::error(Code::InvalidDocument, "a spec file must be a JSON object")
        .help(r#"write {"images": {"<name>": {"name": ..., "image_src": ..., "friendly_name": ...}}} or Terraform's JSON syntax"#)
        .located(at)
}

/// Which attributes Terraform's JSON syntax reads as expressions or literals.
fn mode(kind: &str, name: &str) -> Mode {
    match (kind, name) {
        ("variable", "type")
        | ("lifecycle", "ignore_changes")
        | ("lifecycle", "replace_triggered_by") => Mode::Expression,
        ("resource" | "data", "depends_on") | ("moved", "from" | "to") | ("import", "to") => {
            Mode::Expression
        }
        ("variable", "default") => Mode::Literal,
        _ => Mode::Template,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::eval::{Scope, evaluate};

    /// The value of the one output's `value` in a Terraform JSON document.
    fn output_value(text: &str) -> (ExprKind, Value) {
        let (body, diagnostics) = parse_body(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let expr = body
            .blocks
            .first()
            .and_then(|b| b.body.attribute("value"))
            .map(|a| a.expr.clone())
            .expect("an output with a value");
        let value = evaluate(&expr, &Scope::default()).expect("evaluates").value;
        (expr.kind, value)
    }

    fn map(pairs: &[(&str, Value)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn an_object_of_literals_is_one_literal() {
        let (kind, value) = output_value(r#"{"output": {"o": {"value": {"b": "x", "a": 1}}}}"#);
        let expected = map(&[("a", Value::Number(1.0)), ("b", Value::String("x".into()))]);
        assert!(
            matches!(kind, ExprKind::Json(ref o) if o.as_str() == r#"{"a":1,"b":"x"}"#),
            "{kind:?}"
        );
        assert_eq!(value, expected);
    }

    #[test]
    fn literal_members_read_before_a_template_keep_their_values_and_order() {
        // The literal `z` before the template, and again after it: the last one wins.
        let (kind, value) = output_value(
            r#"{"output": {"o": {"value": {"z": 1, "a": "x", "t": "x${1 + 1}", "z": 2}}}}"#,
        );
        assert!(
            matches!(kind, ExprKind::Object(ref items) if items.len() == 4),
            "{kind:?}"
        );
        let expected = map(&[
            ("a", Value::String("x".into())),
            ("t", Value::String("x2".into())),
            ("z", Value::Number(2.0)),
        ]);
        assert_eq!(value, expected);
    }

    #[test]
    fn an_empty_object_stays_an_object() {
        let (kind, value) = output_value(r#"{"output": {"o": {"value": {}}}}"#);
        assert_eq!(kind, ExprKind::Object(Vec::new()));
        assert_eq!(value, Value::Map(Default::default()));
    }

    /// The expression of attribute `name` of the one image in kasm-plan's format.
    fn own_attribute(text: &str, name: &str) -> Expr {
        let (body, diagnostics) = parse_body(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        body.blocks
            .first()
            .and_then(|b| b.body.attribute(name))
            .map(|a| a.expr.clone())
            .expect("the attribute")
    }

    #[test]
    fn a_literal_object_is_read_as_the_json_typing_takes() {
        let expr = own_attribute(
            r#"{"images": {"a": {"volume_mapping": {"/d": {"mode": "rw", "uid": 1000, "bind": "/d"}}}}}"#,
            "volume_mapping",
        );
        let json = serde_json::json!({"/d": {"bind": "/d", "mode": "rw", "uid": 1000}});
        let text = serde_json::to_string(&json).unwrap_or_default();
        assert!(
            matches!(expr.kind, ExprKind::Json(ref o) if o.as_str() == text),
            "{:?}",
            expr.kind
        );
        // Evaluated (a reference to it), it is the language's value of that JSON.
        let value = evaluate(&expr, &Scope::default()).expect("evaluates").value;
        assert_eq!(value, Value::from_json(&json));
    }

    #[test]
    fn a_literal_object_is_written_as_serde_json_writes_its_map() {
        // Keys out of order, escaped, repeated (the last wins), nested; numbers
        // as the language reads them (a whole number is written whole); text
        // that JSON escapes.
        let text = r#"{"images": {"a": {"run_config": {"z\u00e9": {"y": 2, "x": -0.5e1}, "a\"b": "t\u0001\n/é", "m": null, "a\"b": 1e2, "k": false}}}}"#;
        let expr = own_attribute(text, "run_config");
        let map = serde_json::json!({"a\"b": 100, "k": false, "m": null, "zé": {"x": -5, "y": 2}});
        let written = serde_json::to_string(&map).unwrap_or_default();
        assert!(
            matches!(expr.kind, ExprKind::Json(ref o) if o.as_str() == written),
            "{:?} against {written}",
            expr.kind
        );
    }

    #[test]
    fn a_literal_object_with_an_array_is_an_object_expression_of_the_same_value() {
        let expr = own_attribute(
            r#"{"images": {"a": {"run_config": {"b": {"c": 1}, "a": [1, "x"], "z": true}}}}"#,
            "run_config",
        );
        assert!(
            matches!(expr.kind, ExprKind::Object(ref items) if items.len() == 3),
            "{:?}",
            expr.kind
        );
        let value = evaluate(&expr, &Scope::default()).expect("evaluates").value;
        let expected = serde_json::json!({"a": [1, "x"], "b": {"c": 1}, "z": true});
        assert_eq!(value.to_json(), Some(expected));
    }

    #[test]
    fn a_number_out_of_range_in_a_literal_object_is_reported_when_evaluated() {
        let expr = own_attribute(
            r#"{"images": {"a": {"run_config": {"ok": 1, "big": 1e999}}}}"#,
            "run_config",
        );
        let failed = evaluate(&expr, &Scope::default()).is_err();
        assert!(failed, "{:?}", expr.kind);
    }
}

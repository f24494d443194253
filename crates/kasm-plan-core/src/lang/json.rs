//! JSON files to [`Body`]: Terraform's JSON syntax (`.tf.json`, where strings
//! are templates), and kasm-plan's own `{"images": {"<name>": {...}}}` (literal values).
//!
//! jsonc-parser, with every leniency off, gives strict JSON with source ranges.

use super::body::{Attribute, Block, Body};
use super::expr::{Expr, ExprKind};
use super::hcl;
use super::value::Value;
use crate::address::RESOURCE_TYPE;
use crate::diagnostic::{Code, Diagnostic, LineIndex, Location};
use jsonc_parser::ast::{Object, ObjectProp, Value as Json};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

const STRICT: ParseOptions = ParseOptions {
    allow_comments: false,
    allow_loose_object_property_names: false,
    allow_trailing_commas: false,
    allow_missing_commas: false,
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

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
    let mut reader = Reader {
        lines: &lines,
        diagnostics: Vec::new(),
    };
    let root = match parse_to_ast(text, &CollectOptions::default(), &STRICT) {
        Ok(result) => result.value,
        Err(err) => {
            let range = err.range();
            let d = Diagnostic::error(Code::SyntaxError, format!("invalid JSON: {}", err.kind()))
                .help("fix the JSON syntax at the position shown")
                .located(Some(lines.location(range.start..range.end)));
            return (Body::default(), vec![d]);
        }
    };
    let Some(Json::Object(root)) = root else {
        reader.diagnostics.push(
            Diagnostic::error(Code::InvalidDocument, "a spec file must be a JSON object")
                .help(r#"write {"images": {"<name>": {"name": ..., "image_src": ..., "friendly_name": ...}}} or Terraform's JSON syntax"#)
                .located(root.map(|v| reader.at(&v))),
        );
        return (Body::default(), reader.diagnostics);
    };
    let body = reader.root(&root);
    (body, reader.diagnostics)
}

/// Reads a `.tfvars.json` file: one object of variable values, taken literally.
pub fn parse_values(text: &str) -> (Body, Vec<Diagnostic>) {
    let lines = LineIndex::new(text);
    let mut reader = Reader {
        lines: &lines,
        diagnostics: Vec::new(),
    };
    match parse_to_ast(text, &CollectOptions::default(), &STRICT) {
        Ok(result) => match result.value {
            Some(Json::Object(root)) => {
                let attributes = reader.literal_body(&root).attributes;
                (
                    Body {
                        attributes,
                        blocks: Vec::new(),
                    },
                    reader.diagnostics,
                )
            }
            other => {
                let d = Diagnostic::error(
                    Code::InvalidDocument,
                    "a variables file in JSON is one object of values",
                )
                .help(r#"write {"name": value, ...}"#)
                .located(other.map(|v| reader.at(&v)));
                (Body::default(), vec![d])
            }
        },
        Err(err) => {
            let range = err.range();
            let d = Diagnostic::error(Code::SyntaxError, format!("invalid JSON: {}", err.kind()))
                .help("fix the JSON syntax at the position shown")
                .located(Some(lines.location(range.start..range.end)));
            (Body::default(), vec![d])
        }
    }
}

struct Reader<'a> {
    lines: &'a LineIndex<'a>,
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn at(&self, node: &impl Ranged) -> Location {
        let r = node.range();
        self.lines.location(r.start..r.end)
    }

    fn root(&mut self, root: &Object) -> Body {
        let mut body = Body::default();
        let known = |k: &str| k == "images" || BLOCKS.iter().any(|(b, _)| *b == k);
        if !root.properties.iter().any(|p| known(p.name.as_str())) {
            self.diagnostics.push(
                Diagnostic::error(Code::InvalidDocument, "no `images` object and no Terraform blocks in the document")
                    .help(r#"put the images under a top-level "images" key: {"images": {"<name>": {...}}}, or write Terraform's JSON syntax"#)
                    .located(Some(self.at(root))),
            );
        }
        for prop in &root.properties {
            let key = prop.name.as_str();
            if key == "images" {
                self.own_images(prop, &mut body);
            } else if let Some((_, labels)) = BLOCKS.iter().find(|(k, _)| *k == key) {
                self.blocks(key, *labels, &prop.value, Vec::new(), &mut body.blocks);
            } else if key != "//" {
                body.attributes.push(Attribute {
                    name: key.to_owned(),
                    expr: self.expr(&prop.value, Mode::Template),
                    at: Some(self.at(prop)),
                });
            }
        }
        body
    }

    /// `"kind": {"label": ... {body}}` down through `labels` levels; a body may
    /// be an array of bodies (several blocks with the same labels).
    fn blocks(
        &mut self,
        kind: &str,
        labels: usize,
        value: &Json,
        prefix: Vec<String>,
        out: &mut Vec<Block>,
    ) {
        if labels > prefix.len() {
            let Json::Object(obj) = value else {
                self.wrong_shape(kind, value, "an object keyed by the block's labels");
                return;
            };
            for prop in obj.properties.iter().filter(|p| p.name.as_str() != "//") {
                let mut labels_so_far = prefix.clone();
                labels_so_far.push(prop.name.as_str().to_owned());
                self.blocks(kind, labels, &prop.value, labels_so_far, out);
            }
            return;
        }
        match value {
            Json::Object(obj) => out.push(Block {
                kind: kind.to_owned(),
                labels: prefix,
                body: self.body(kind, obj),
                at: Some(self.at(value)),
            }),
            Json::Array(items) => {
                for item in &items.elements {
                    self.blocks(kind, labels, item, prefix.clone(), out);
                }
            }
            other => self.wrong_shape(
                kind,
                other,
                "an object (the block's body) or an array of them",
            ),
        }
    }

    fn wrong_shape(&mut self, kind: &str, value: &Json, expected: &str) {
        let at = self.at(value);
        self.diagnostics.push(
            Diagnostic::error(
                Code::InvalidDocument,
                format!("a `{kind}` block must be {expected}"),
            )
            .help("see Terraform's JSON configuration syntax")
            .located(Some(at)),
        );
    }

    /// A block body; nested blocks are known by name (`lifecycle`, `validation`).
    fn body(&mut self, kind: &str, obj: &Object) -> Body {
        let mut body = Body {
            attributes: Vec::with_capacity(obj.properties.len()),
            blocks: Vec::new(),
        };
        for prop in obj.properties.iter().filter(|p| p.name.as_str() != "//") {
            let name = prop.name.as_str();
            match (kind, name) {
                ("resource", "lifecycle") | ("variable", "validation") => {
                    self.blocks(name, 0, &prop.value, Vec::new(), &mut body.blocks);
                }
                _ => body.attributes.push(Attribute {
                    name: name.to_owned(),
                    expr: self.expr(&prop.value, mode(kind, name)),
                    at: Some(self.at(prop)),
                }),
            }
        }
        body
    }

    /// `"images": {"<name>": {...}}`: kasm-plan's own format, literal values.
    fn own_images(&mut self, prop: &ObjectProp, out: &mut Body) {
        let Json::Object(images) = &prop.value else {
            let at = self.at(&prop.value);
            self.diagnostics.push(
                Diagnostic::error(Code::InvalidDocument, "`images` must be an object")
                    .help(r#"write {"images": {"<name>": {...}}}"#)
                    .located(Some(at)),
            );
            return;
        };
        for image in &images.properties {
            let name = image.name.as_str().to_owned();
            let Json::Object(obj) = &image.value else {
                let at = self.at(&image.value);
                self.diagnostics.push(
                    Diagnostic::error(Code::WrongType, format!("image `{name}` must be an object"))
                        .at(&format!("{RESOURCE_TYPE}.{name}"), "")
                        .help(r#"write "<name>": {"name": ..., "image_src": ..., "friendly_name": ...}"#)
                        .located(Some(at)),
                );
                continue;
            };
            let mut body = Body {
                attributes: Vec::with_capacity(obj.properties.len()),
                blocks: Vec::new(),
            };
            for attr in &obj.properties {
                let expr = self.expr(&attr.value, Mode::Literal);
                match (attr.name.as_str(), &attr.value) {
                    ("lifecycle", Json::Object(block)) => body.blocks.push(Block {
                        kind: "lifecycle".into(),
                        labels: Vec::new(),
                        body: self.literal_body(block),
                        at: Some(self.at(attr)),
                    }),
                    (name, _) => body.attributes.push(Attribute {
                        name: name.to_owned(),
                        expr,
                        at: Some(self.at(attr)),
                    }),
                }
            }
            out.blocks.push(Block {
                kind: "resource".into(),
                labels: vec![RESOURCE_TYPE.into(), name],
                body,
                at: Some(self.at(image)),
            });
        }
    }

    fn literal_body(&mut self, obj: &Object) -> Body {
        let attributes = obj
            .properties
            .iter()
            .map(|p| Attribute {
                name: p.name.as_str().to_owned(),
                expr: self.expr(&p.value, Mode::Literal),
                at: Some(self.at(p)),
            })
            .collect();
        Body {
            attributes,
            blocks: Vec::new(),
        }
    }

    fn expr(&mut self, value: &Json, mode: Mode) -> Expr {
        let at = Some(self.at(value));
        let kind = match value {
            Json::StringLit(s) => return self.string(&s.value, mode, at),
            Json::NumberLit(n) => match n.value.parse::<f64>() {
                Ok(x) if x.is_finite() => ExprKind::Literal(Value::Number(x)),
                _ => ExprKind::Invalid(
                    Code::WrongType,
                    format!("holds the number {}, which is out of range", n.value),
                ),
            },
            Json::BooleanLit(b) => ExprKind::Literal(Value::Bool(b.value)),
            Json::NullKeyword(_) => ExprKind::Literal(Value::Null),
            Json::Array(items) => {
                ExprKind::Tuple(items.elements.iter().map(|e| self.expr(e, mode)).collect())
            }
            Json::Object(obj) => ExprKind::Object(
                obj.properties
                    .iter()
                    .filter(|p| mode == Mode::Literal || p.name.as_str() != "//")
                    .map(|p| {
                        let key_at = Some(self.at(&p.name));
                        let key = match mode {
                            Mode::Literal => {
                                Expr::literal(Value::String(p.name.as_str().to_owned()), key_at)
                            }
                            _ => self.string(p.name.as_str(), Mode::Template, key_at),
                        };
                        (key, self.expr(&p.value, mode))
                    })
                    .collect(),
            ),
        };
        Expr { kind, at }
    }

    fn string(&mut self, text: &str, mode: Mode, at: Option<Location>) -> Expr {
        let parsed = match mode {
            Mode::Literal => return Expr::literal(Value::String(text.to_owned()), at),
            Mode::Template if !text.contains("${") && !text.contains("%{") => {
                return Expr::literal(Value::String(text.to_owned()), at);
            }
            Mode::Template => hcl::parse_template(text, at),
            Mode::Expression => hcl::parse_expr_at(text, at),
        };
        parsed.unwrap_or_else(|d| Expr {
            kind: ExprKind::Invalid(d.code, d.message),
            at,
        })
    }
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

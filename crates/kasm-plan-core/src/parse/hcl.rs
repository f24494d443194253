//! Terraform HCL: `resource "kasm_image" "<name>" { ... }` blocks.
//!
//! hcl-edit parses with source spans; hcl-rs evaluates each value with an
//! empty context, so literals and arithmetic evaluate and anything that needs
//! Terraform (a variable, a reference, a function call) is reported.

use super::{Document, RESOURCE_TYPE, RawAttribute, RawResource, RawValue};
use crate::diagnostic::{Code, Diagnostic, LineIndex, Location, Position};
use hcl::eval::{Context, Evaluate};
use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Attribute, Block, BlockLabel, Body, Structure};

pub(super) fn parse(text: &str) -> Document {
    let mut doc = Document::default();
    let body = match hcl_edit::parser::parse_body(text) {
        Ok(body) => body,
        Err(err) => {
            let at = Position {
                line: u32::try_from(err.location().line()).unwrap_or(u32::MAX),
                column: u32::try_from(err.location().column()).unwrap_or(u32::MAX),
            };
            // HCL forbids redefining an attribute; the parser reports it as syntax.
            let code = if err.message().contains("redefined attribute") {
                Code::DuplicateAttribute
            } else {
                Code::SyntaxError
            };
            doc.diagnostics.push(
                Diagnostic::error(code, format!("invalid HCL: {}", err.message()))
                    .help(format!("check the syntax near `{}`", err.line().trim()))
                    .located(Some(Location { start: at, end: at })),
            );
            return doc;
        }
    };
    let lines = LineIndex::new(text);
    let ctx = Context::new();
    for structure in body.iter() {
        match structure {
            Structure::Block(block) => read_block(block, &lines, &ctx, &mut doc),
            Structure::Attribute(attr) => doc.diagnostics.push(
                Diagnostic::warning(
                    Code::BlockSkipped,
                    format!("top-level attribute `{}` skipped", attr.key.as_str()),
                )
                .help("kasm-plan reads only `resource \"kasm_image\"` blocks")
                .located(locate(&lines, attr.span())),
            ),
        }
    }
    doc
}

fn read_block(block: &Block, lines: &LineIndex, ctx: &Context, doc: &mut Document) {
    let labels: Vec<&str> = block.labels.iter().map(label_text).collect();
    let location = locate(lines, block.span());
    match (block.ident.as_str(), labels.as_slice()) {
        ("resource", labels) if labels.len() != 2 => doc.diagnostics.push(
            Diagnostic::error(
                Code::InvalidDocument,
                format!(
                    "a resource block has two labels, its type and its name; this one has {}",
                    labels.len()
                ),
            )
            .help("write `resource \"kasm_image\" \"<name>\" { ... }`")
            .located(location),
        ),
        ("resource", [kind, name]) if *kind == RESOURCE_TYPE => {
            let (attributes, lifecycle) = read_body(&block.body, name, lines, ctx, doc);
            doc.resources.push(RawResource {
                name: (*name).to_owned(),
                location,
                attributes,
                lifecycle,
            });
        }
        (ident, labels) => {
            let quoted: Vec<String> = labels.iter().map(|l| format!("\"{l}\"")).collect();
            let what = [ident.to_owned()]
                .into_iter()
                .chain(quoted)
                .collect::<Vec<_>>();
            doc.diagnostics.push(
                Diagnostic::warning(
                    Code::BlockSkipped,
                    format!("block `{}` skipped", what.join(" ")),
                )
                .help("kasm-plan reads only `resource \"kasm_image\"` blocks")
                .located(location),
            );
        }
    }
}

/// A resource body: its attributes, and its lifecycle block's attributes if present.
type ResourceBody = (Vec<RawAttribute>, Option<Vec<RawAttribute>>);

fn read_body(
    body: &Body,
    name: &str,
    lines: &LineIndex,
    ctx: &Context,
    doc: &mut Document,
) -> ResourceBody {
    let mut attributes = Vec::new();
    let mut lifecycle: Option<Vec<RawAttribute>> = None;
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => attributes.push(read_attribute(attr, lines, ctx, false)),
            Structure::Block(inner) if inner.ident.as_str() == "lifecycle" => {
                let list = lifecycle.get_or_insert_with(Vec::new);
                for s in inner.body.iter() {
                    match s {
                        Structure::Attribute(attr) => {
                            list.push(read_attribute(attr, lines, ctx, true))
                        }
                        Structure::Block(b) => {
                            doc.diagnostics
                                .push(nested_block(b, name, "lifecycle", lines))
                        }
                    }
                }
            }
            Structure::Block(inner) => doc.diagnostics.push(nested_block(inner, name, "", lines)),
        }
    }
    (attributes, lifecycle)
}

fn nested_block(block: &Block, name: &str, parent: &str, lines: &LineIndex) -> Diagnostic {
    let ident = block.ident.as_str();
    let field = if parent.is_empty() {
        ident.to_owned()
    } else {
        format!("{parent}.{ident}")
    };
    Diagnostic::error(
        Code::UnknownAttribute,
        format!("unexpected block `{ident}` in kasm_image.{name}"),
    )
    .at(&format!("{RESOURCE_TYPE}.{name}"), &field)
    .help("kasm_image takes only attributes (`key = value`) and a `lifecycle` block")
    .located(locate(lines, block.span()))
}

fn read_attribute(
    attr: &Attribute,
    lines: &LineIndex,
    ctx: &Context,
    in_lifecycle: bool,
) -> RawAttribute {
    let key = attr.key.as_str().to_owned();
    let value = if in_lifecycle && key == "ignore_changes" {
        ignore_changes(&attr.value, ctx)
    } else {
        evaluate(&attr.value, ctx)
    };
    RawAttribute {
        key,
        value,
        location: locate(lines, attr.span()),
    }
}

fn evaluate(expr: &Expression, ctx: &Context) -> RawValue {
    // Literals, by far the common case, convert directly; only the rest pay for
    // a conversion to hcl-rs and an evaluation.
    if let Some(value) = literal(expr) {
        return RawValue::Static(value);
    }
    let expr: hcl::Expression = expr.clone().into();
    match expr.evaluate(ctx) {
        Ok(value) => match serde_json::to_value(&value) {
            Ok(json) => RawValue::Static(json),
            Err(err) => RawValue::NotStatic(err.to_string()),
        },
        Err(err) => RawValue::NotStatic(err.to_string()),
    }
}

/// A literal expression as JSON; `None` when it needs evaluating.
fn literal(expr: &Expression) -> Option<serde_json::Value> {
    use serde_json::Value;
    Some(match expr {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::Number(n) => {
            let n = n.value();
            match (n.as_i64(), n.as_f64()) {
                (Some(i), _) if !n.is_f64() => Value::from(i),
                (_, Some(f)) => serde_json::Number::from_f64(f).map(Value::Number)?,
                _ => return None,
            }
        }
        Expression::Array(items) => Value::Array(items.iter().map(literal).collect::<Option<_>>()?),
        Expression::Object(object) => {
            let mut map = serde_json::Map::new();
            for (key, value) in object.iter() {
                let key = match key {
                    ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                    ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                    ObjectKey::Expression(_) => return None,
                };
                map.insert(key, literal(value.expr())?);
            }
            Value::Object(map)
        }
        _ => return None,
    })
}

/// Terraform writes `ignore_changes = [description, memory]` or `= all`, with bare names.
fn ignore_changes(expr: &Expression, ctx: &Context) -> RawValue {
    match expr {
        Expression::Variable(v) => RawValue::Static(v.as_str().into()),
        Expression::Array(items) => {
            let mut names = Vec::new();
            for item in items.iter() {
                match item {
                    Expression::Variable(v) => names.push(v.as_str().into()),
                    other => match evaluate(other, ctx) {
                        RawValue::Static(value) => names.push(value),
                        not_static => return not_static,
                    },
                }
            }
            RawValue::Static(serde_json::Value::Array(names))
        }
        other => evaluate(other, ctx),
    }
}

fn label_text(label: &BlockLabel) -> &str {
    match label {
        BlockLabel::Ident(ident) => ident.as_str(),
        BlockLabel::String(s) => s.as_str(),
    }
}

fn locate(lines: &LineIndex, span: Option<std::ops::Range<usize>>) -> Option<Location> {
    span.map(|s| lines.location(s))
}

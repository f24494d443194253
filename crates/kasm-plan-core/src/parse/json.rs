//! JSON specs: `{"images": {"<name>": {...}}}`, or Terraform's JSON syntax
//! `{"resource": {"kasm_image": {"<name>": {...}}}}`.
//!
//! jsonc-parser, with every leniency off, gives strict JSON with source ranges.

use super::{Document, RESOURCE_TYPE, RawAttribute, RawResource, RawValue};
use crate::diagnostic::{Code, Diagnostic, LineIndex, Location};
use jsonc_parser::ast::{Object, ObjectProp, Value};
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

pub(super) fn parse(text: &str) -> Document {
    let mut doc = Document::default();
    let lines = LineIndex::new(text);
    let root = match parse_to_ast(text, &CollectOptions::default(), &STRICT) {
        Ok(result) => result.value,
        Err(err) => {
            let range = err.range();
            doc.diagnostics.push(
                Diagnostic::error(Code::SyntaxError, format!("invalid JSON: {}", err.kind()))
                    .help("fix the JSON syntax at the position shown")
                    .located(Some(lines.location(range.start..range.end))),
            );
            return doc;
        }
    };
    let Some(Value::Object(root)) = root else {
        doc.diagnostics.push(
            Diagnostic::error(Code::InvalidDocument, "a spec file must be a JSON object")
                .help(r#"write {"images": {"<name>": {"name": ..., "image_src": ..., "friendly_name": ...}}}"#)
                .located(root.map(|v| locate(&lines, &v))),
        );
        return doc;
    };
    let mut found = false;
    for prop in &root.properties {
        match prop.name.as_str() {
            "images" => {
                found = true;
                read_resources(prop, &lines, &mut doc);
            }
            "resource" => {
                found = true;
                read_terraform_resources(prop, &lines, &mut doc);
            }
            other => doc.diagnostics.push(skipped(
                format!("top-level key `{other}` skipped"),
                &lines,
                prop,
            )),
        }
    }
    if !found {
        doc.diagnostics.push(
            Diagnostic::error(Code::InvalidDocument, "no `images` object in the document")
                .help(r#"put the images under a top-level "images" key: {"images": {"<name>": {...}}}"#)
                .located(Some(locate(&lines, &root))),
        );
    }
    doc
}

/// `"resource": {"kasm_image": {...}, "other_type": {...}}`.
fn read_terraform_resources(prop: &ObjectProp, lines: &LineIndex, doc: &mut Document) {
    let Some(types) = object_or_report(prop, "resource", lines, doc) else {
        return;
    };
    for kind in &types.properties {
        if kind.name.as_str() == RESOURCE_TYPE {
            read_resources(kind, lines, doc);
        } else {
            let what = format!("resource type `{}` skipped", kind.name.as_str());
            doc.diagnostics.push(skipped(what, lines, kind));
        }
    }
}

fn read_resources(prop: &ObjectProp, lines: &LineIndex, doc: &mut Document) {
    let key = prop.name.as_str().to_owned();
    let Some(images) = object_or_report(prop, &key, lines, doc) else {
        return;
    };
    for image in &images.properties {
        let name = image.name.as_str().to_owned();
        let Value::Object(body) = &image.value else {
            doc.diagnostics.push(
                Diagnostic::error(Code::WrongType, format!("image `{name}` must be an object"))
                    .at(&format!("{RESOURCE_TYPE}.{name}"), "")
                    .help(
                        r#"write "<name>": {"name": ..., "image_src": ..., "friendly_name": ...}"#,
                    )
                    .located(Some(locate(lines, &image.value))),
            );
            continue;
        };
        let mut attributes = Vec::new();
        let mut lifecycle = None;
        for attr in &body.properties {
            match (attr.name.as_str(), &attr.value) {
                ("lifecycle", Value::Object(block)) => {
                    lifecycle
                        .get_or_insert_with(Vec::new)
                        .extend(block.properties.iter().map(|p| raw(p, lines)));
                }
                _ => attributes.push(raw(attr, lines)),
            }
        }
        doc.resources.push(RawResource {
            name,
            location: Some(locate(lines, image)),
            attributes,
            lifecycle,
        });
    }
}

fn object_or_report<'a>(
    prop: &'a ObjectProp<'a>,
    key: &str,
    lines: &LineIndex,
    doc: &mut Document,
) -> Option<&'a Object<'a>> {
    if let Value::Object(obj) = &prop.value {
        return Some(obj);
    }
    doc.diagnostics.push(
        Diagnostic::error(Code::InvalidDocument, format!("`{key}` must be an object"))
            .help(r#"write {"images": {"<name>": {...}}}"#)
            .located(Some(locate(lines, &prop.value))),
    );
    None
}

fn raw(prop: &ObjectProp, lines: &LineIndex) -> RawAttribute {
    RawAttribute {
        key: prop.name.as_str().to_owned(),
        value: to_json(&prop.value).map_or_else(
            |n| RawValue::Invalid(format!("holds the number {n}, which is out of range")),
            RawValue::Static,
        ),
        location: Some(locate(lines, prop)),
    }
}

/// The value as JSON, or the number literal that is out of range.
fn to_json<'a>(value: &Value<'a>) -> Result<serde_json::Value, &'a str> {
    Ok(match value {
        Value::StringLit(s) => serde_json::Value::String(s.value.to_string()),
        Value::NumberLit(n) => serde_json::from_str(n.value).map_err(|_| n.value)?,
        Value::BooleanLit(b) => serde_json::Value::Bool(b.value),
        Value::NullKeyword(_) => serde_json::Value::Null,
        Value::Array(a) => a.elements.iter().map(to_json).collect::<Result<_, _>>()?,
        Value::Object(o) => serde_json::Value::Object(
            o.properties
                .iter()
                .map(|p| Ok((p.name.as_str().to_owned(), to_json(&p.value)?)))
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn skipped(message: String, lines: &LineIndex, prop: &ObjectProp) -> Diagnostic {
    Diagnostic::warning(Code::BlockSkipped, message)
        .help("kasm-plan reads only `images` (or Terraform's `resource.kasm_image`)")
        .located(Some(locate(lines, prop)))
}

fn locate(lines: &LineIndex, node: &impl Ranged) -> Location {
    let r = node.range();
    lines.location(r.start..r.end)
}

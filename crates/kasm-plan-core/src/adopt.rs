//! Adopting an existing Kasm: a configuration written for the images (and
//! their links) already there, and the state bindings that make the next
//! plan empty. Terraform's `import` blocks with `-generate-config-out`, in
//! one step.
//!
//! The configuration is what a person would write: one `kasm_image` block
//! per image with the values that say something (Kasm's defaults left out:
//! an unset argument is not managed), one `kasm_group_image` per link naming
//! its group by name and its image by reference, and a sensitive variable
//! for each registry token (Kasm never shows tokens).

use crate::access::{Access, LinkRecord};
use crate::attributes::{Attributes, SECRET_SET};
use crate::field::Field;
use crate::model::Image;
use crate::state::{State, image_record};
use hcl::expr::{Traversal, Variable};
use hcl::{Block, Body, Expression};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One generated file.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GeneratedFile {
    /// `images.tf`, `authorization.tf` or `variables.tf`.
    pub file_name: String,
    /// HCL text.
    pub source: String,
}

/// A configuration for `images` and their links, and the state binding them.
#[derive(Debug, Default)]
pub struct Adoption {
    /// The files, in order: images, links, variables (only those with blocks).
    pub files: Vec<GeneratedFile>,
    /// `state` with every image and link bound.
    pub state: State,
    /// The addresses bound, with their ids.
    pub bound: Vec<(String, String)>,
}

/// The values Kasm gives an image it was not told otherwise: left out.
fn is_default(field: Field, v: &Value) -> bool {
    match field.kasm_default() {
        Some(default) => v == &default,
        None => match v {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            Value::Object(m) => m.is_empty(),
            Value::Array(a) => a.is_empty(),
            _ => false,
        },
    }
}

/// Writes the configuration and binds `images` (and the links of `access`
/// that name them) in a copy of `state`. Images `state` already binds are
/// left out.
pub fn adopt(images: &[&Image], access: Option<&Access>, state: &State) -> Adoption {
    let owned: BTreeSet<&str> = state.images().map(|(_, r)| r.id.as_str()).collect();
    let images: Vec<&Image> = images
        .iter()
        .copied()
        .filter(|i| !owned.contains(i.image_id.as_str()))
        .collect();
    let names = unique_names(&images);
    let mut out = Adoption {
        state: state.clone(),
        ..Adoption::default()
    };
    let mut image_blocks = Body::builder();
    let mut variables = Body::builder();
    let mut has_variables = false;
    for (image, name) in images.iter().zip(&names) {
        let address = format!("kasm_image.{name}");
        let attributes = Attributes::from_image(image);
        let mut block = Block::builder("resource")
            .add_label("kasm_image")
            .add_label(name.as_str());
        for field in attributes.set_fields() {
            let v = attributes.get(field);
            if is_default(field, v)
                && !matches!(field, Field::Name | Field::ImageSrc | Field::FriendlyName)
            {
                continue;
            }
            if field == Field::DockerToken {
                if v.as_str() == Some(SECRET_SET) {
                    let variable = format!("{name}_docker_token");
                    block =
                        block.add_attribute((field.spec_name(), reference(&["var", &variable])));
                    variables = variables.add_block(
                        Block::builder("variable")
                            .add_label(variable.as_str())
                            .add_attribute((
                                "description",
                                format!(
                                    "The registry token of {}",
                                    image.name.as_deref().unwrap_or(name)
                                ),
                            ))
                            .add_attribute(("type", reference(&["string"])))
                            .add_attribute(("sensitive", true))
                            .build(),
                    );
                    has_variables = true;
                }
                continue;
            }
            block = block.add_attribute((field.spec_name(), expression(v)));
        }
        image_blocks = image_blocks.add_block(block.build());
        out.state
            .objects
            .insert(address.clone(), image_record(image, None, false));
        out.bound.push((address, image.image_id.clone()));
    }
    out.files.push(file("images.tf", &image_blocks.build()));
    if let Some(access) = access {
        let links = link_blocks(&images, &names, access, &mut out);
        if !links.0.is_empty() {
            out.files.push(file("authorization.tf", &links));
        }
    }
    if has_variables {
        out.files.push(file("variables.tf", &variables.build()));
    }
    out
}

/// One `kasm_group_image` per linked group of each adopted image (once per
/// pair, whatever the duplicate rows).
fn link_blocks(images: &[&Image], names: &[String], access: &Access, out: &mut Adoption) -> Body {
    let by_id: BTreeMap<&str, &str> = images
        .iter()
        .zip(names)
        .map(|(i, n)| (i.image_id.as_str(), n.as_str()))
        .collect();
    let mut taken = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    let mut body = Body::builder();
    for link in &access.links {
        let (Some(image), Some(group)) = (
            by_id.get(link.image_id.as_str()),
            access.group(&link.group_id),
        ) else {
            continue;
        };
        if !pairs.insert((link.group_id.clone(), link.image_id.clone())) {
            continue;
        }
        let mut name = format!("{image}_{}", slug(&group.name));
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{image}_{}_{n}", slug(&group.name));
            n += 1;
        }
        body = body.add_block(
            Block::builder("resource")
                .add_label("kasm_group_image")
                .add_label(name.as_str())
                .add_attribute(("group_name", group.name.as_str()))
                .add_attribute(("image_id", reference(&["kasm_image", image, "id"])))
                .build(),
        );
        let address = format!("kasm_group_image.{name}");
        let record = LinkRecord {
            group_id: link.group_id.clone(),
            image_id: link.image_id.clone(),
        };
        out.bound.push((address.clone(), record.id()));
        out.state.objects.insert(address, record.to_record());
    }
    body.build()
}

fn file(name: &str, body: &Body) -> GeneratedFile {
    use hcl::format::{Format, Formatter};
    let mut formatter = Formatter::builder().prefer_ident_keys(true).build_vec();
    let text = body.format_string(&mut formatter).unwrap_or_default();
    GeneratedFile {
        file_name: name.to_owned(),
        source: aligned(&text),
    }
}

/// Aligns the `=` of consecutive one-line attributes at one indentation, as
/// `terraform fmt` does.
fn aligned(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let attribute = |line: &str| -> Option<(usize, usize)> {
        let indent = line.len() - line.trim_start().len();
        let (key, value) = line.trim_start().split_once(" = ")?;
        let one_line = !value.ends_with('{') && !value.ends_with('[');
        (one_line && !key.contains(' ')).then_some((indent, key.len()))
    };
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest: &[&str] = &lines;
    while let Some((first, tail)) = rest.split_first() {
        let Some((indent, _)) = attribute(first) else {
            out.push_str(first);
            out.push('\n');
            rest = tail;
            continue;
        };
        let len = rest
            .iter()
            .take_while(|l| attribute(l).is_some_and(|(n, _)| n == indent))
            .count();
        let (run, after) = rest.split_at(len);
        let width = run
            .iter()
            .filter_map(|l| attribute(l))
            .map(|(_, k)| k)
            .max()
            .unwrap_or(0);
        for line in run {
            let (key, value) = line.trim_start().split_once(" = ").unwrap_or((line, ""));
            out.push_str(&format!("{:indent$}{key:<width$} = {value}\n", ""));
        }
        rest = after;
    }
    out
}

fn reference(parts: &[&str]) -> Expression {
    let (root, rest) = parts.split_first().unwrap_or((&"null", &[]));
    if rest.is_empty() {
        return Expression::Variable(Variable::unchecked(*root));
    }
    let mut t = Traversal::builder(Variable::unchecked(*root));
    for p in rest {
        t = t.attr(*p);
    }
    t.build().into()
}

fn expression(v: &Value) -> Expression {
    hcl::to_expression(v).unwrap_or(Expression::Null)
}

/// Resource names: the image's repository (`chrome` for
/// `kasmweb/chrome:1.18.0`), with its tag when two share it, then a number.
fn unique_names(images: &[&Image]) -> Vec<String> {
    let base = |i: &Image| {
        let name = i.name.as_deref().unwrap_or(&i.image_id);
        let (repo, tag) = match name.rsplit_once(':').filter(|(_, t)| !t.contains('/')) {
            Some((r, t)) => (r, Some(t)),
            None => (name, None),
        };
        let last = repo.rsplit('/').next().unwrap_or(repo);
        (identifier(last), tag.map(slug))
    };
    let bases: Vec<(String, Option<String>)> = images.iter().map(|i| base(i)).collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for (b, _) in &bases {
        *count.entry(b.as_str()).or_default() += 1;
    }
    let mut taken = BTreeSet::new();
    bases
        .iter()
        .map(|(b, tag)| {
            let first = match tag {
                Some(t) if count.get(b.as_str()).is_some_and(|n| *n > 1) => format!("{b}_{t}"),
                _ => b.clone(),
            };
            let mut name = first.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{first}_{n}");
                n += 1;
            }
            name
        })
        .collect()
}

/// A Terraform identifier from any text: lowercase letters, digits and `_`,
/// not starting with a digit.
fn identifier(text: &str) -> String {
    let s = slug(text);
    match s.chars().next() {
        None => "image".into(),
        Some(c) if c.is_ascii_digit() => format!("i_{s}"),
        Some(_) => s,
    }
}

/// Lowercase letters, digits and single `_` between them.
fn slug(text: &str) -> String {
    let mut s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    s.trim_matches('_').to_owned()
}

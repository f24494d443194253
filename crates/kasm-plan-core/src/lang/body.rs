//! Configuration files as blocks and attributes, whichever syntax they were
//! written in: HCL ([`super::hcl`]) and JSON ([`super::json`]) both read into this.

use super::expr::Expr;
use crate::diagnostic::{Diagnostic, Location};
use crate::field::Field;
use std::borrow::Cow;

/// An attribute's or a block type's name: most are names the language and
/// the resource types know, borrowed from them instead of copied for each use.
pub type Name = Cow<'static, str>;

/// The name `text` spells: borrowed when it is an image's field or a word
/// of the language, copied otherwise.
pub fn name(text: &str) -> Name {
    if let Some(field) = Field::from_spec_name(text) {
        return Cow::Borrowed(field.spec_name());
    }
    let known = match text {
        "resource" => "resource",
        "data" => "data",
        "variable" => "variable",
        "locals" => "locals",
        "output" => "output",
        "lifecycle" => "lifecycle",
        "count" => "count",
        "for_each" => "for_each",
        "depends_on" => "depends_on",
        "default" => "default",
        "type" => "type",
        "value" => "value",
        "ignore_changes" => "ignore_changes",
        "prevent_destroy" => "prevent_destroy",
        _ => return Cow::Owned(text.to_owned()),
    };
    Cow::Borrowed(known)
}

/// A block's labels: held in place, since a block has at most two but for
/// a rare `check`'s or a module's.
pub type Labels = smallvec::SmallVec<[Name; 2]>;

/// The label `text` spells: borrowed when it names a resource type, so that
/// each of thousands of resource blocks copies only its own name.
pub fn label(text: &str) -> Name {
    match crate::schema::tables::resource(text) {
        Some(table) => Cow::Borrowed(table.type_name),
        None => Cow::Owned(text.to_owned()),
    }
}

/// The contents of a block (or of a whole file).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    /// `name = expr`, in source order.
    pub attributes: Vec<Attribute>,
    /// Nested blocks, in source order.
    pub blocks: Vec<Block>,
}

/// `name = expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// The attribute name.
    pub name: Name,
    /// Its expression.
    pub expr: Expr,
    /// Where the whole attribute stands.
    pub at: Option<Location>,
}

/// `kind "label" ... { body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The block type: `resource`, `variable`, `lifecycle`...
    pub kind: Name,
    /// Its labels.
    pub labels: Labels,
    /// Its contents.
    pub body: Body,
    /// Where the block stands.
    pub at: Option<Location>,
}

/// One configuration file, read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    /// Its name, when it has one.
    pub name: Option<String>,
    /// Its top-level blocks and attributes.
    pub body: Body,
    /// Syntax errors and structural problems found while reading.
    pub diagnostics: Vec<Diagnostic>,
}

impl Body {
    /// An empty block body, with room for the attributes a resource usually
    /// has, so reading one seldom grows its list.
    pub fn for_block() -> Body {
        Body {
            attributes: Vec::with_capacity(8),
            blocks: Vec::new(),
        }
    }

    /// Calls `visit` with every reference of every expression in this body
    /// and its nested blocks (as [`Expr::references`] gives them).
    pub fn references(&self, visit: &mut super::expr::Visit) {
        for a in &self.attributes {
            a.expr.references(visit);
        }
        for b in &self.blocks {
            b.body.references(visit);
        }
    }

    /// The attribute with this name, if any.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

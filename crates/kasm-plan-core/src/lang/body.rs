//! Configuration files as blocks and attributes, whichever syntax they were
//! written in: HCL ([`super::hcl`]) and JSON ([`super::json`]) both read into this.

use super::expr::Expr;
use crate::diagnostic::{Diagnostic, Location};

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
    pub name: String,
    /// Its expression.
    pub expr: Expr,
    /// Where the whole attribute stands.
    pub at: Option<Location>,
}

/// `kind "label" ... { body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The block type: `resource`, `variable`, `lifecycle`...
    pub kind: String,
    /// Its labels.
    pub labels: Vec<String>,
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

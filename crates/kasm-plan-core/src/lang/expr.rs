//! Expressions, read from HCL or from Terraform's JSON syntax into one tree
//! that owns its positions, so evaluation errors point at the sub-expression.

use super::value::Value;
use crate::diagnostic::Location;
use crate::json_text::{JsonObject, ObjectBuilder};
pub use hcl_edit::expr::{BinaryOperator, UnaryOperator};

/// What [`Expr::references`] calls for each reference: root, first attribute, position.
pub type Visit<'a> = dyn FnMut(&str, Option<&str>, Option<Location>) + 'a;

/// An expression and where it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it stands in its file.
    pub at: Option<Location>,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal value.
    Literal(Value),
    /// An object of literals (`{ hostname = "x" }`, any JSON object read
    /// literally): kept as the JSON text that typing takes, and made a
    /// language value only if it is evaluated.
    Json(JsonObject),
    /// A string template; a template that is one interpolation yields its value unconverted.
    Template(Vec<Part>),
    /// `[a, b]`.
    Tuple(Vec<Expr>),
    /// `{ key = value }`; a bare key is a string.
    Object(Vec<(Expr, Expr)>),
    /// A name at the root of a reference: `var`, `local`, `each`, a `for` variable.
    Variable(String),
    /// `expr.attr`, `expr[index]`, `expr[*].attr`.
    Traversal(Box<Expr>, Vec<Operator>),
    /// `name(args...)`: boxed, so that the common kinds stay small.
    Call(Box<Call>),
    /// `cond ? a : b`.
    Conditional(Box<[Expr; 3]>),
    /// `-a`, `!a`.
    Unary(UnaryOperator, Box<Expr>),
    /// `a + b`, `a == b`, `a && b`...
    Binary(BinaryOperator, Box<[Expr; 2]>),
    /// `[for ...]` or `{for ...}`.
    For(Box<ForExpr>),
    /// Written, but not an expression (a number out of range, a bad template
    /// in a JSON string); evaluating it reports why, with this code.
    Invalid(crate::diagnostic::Code, String),
}

/// `name(args...)`, with `...` after the last argument when `expand_final`.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The function name (with its namespace, `provider::x::f`).
    pub name: String,
    /// The arguments.
    pub args: Vec<Expr>,
    /// Whether the last argument is expanded into arguments.
    pub expand_final: bool,
}

/// One step of a traversal.
#[derive(Clone, Debug, PartialEq)]
pub enum Operator {
    /// `.name`.
    Attr(String),
    /// `[expr]` (and the legacy `.0`).
    Index(Expr),
    /// `[*]` or `.*`, with the steps applied to each element.
    Splat(Vec<Operator>),
}

/// A `for` expression.
#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr {
    /// The key (or index) variable, when two are named.
    pub key_var: Option<String>,
    /// The value variable.
    pub value_var: String,
    /// The collection iterated.
    pub collection: Expr,
    /// The key expression of an object `for` (`{for ...: key => value}`).
    pub key: Option<Expr>,
    /// The value expression.
    pub value: Expr,
    /// `...` after the value: values with equal keys are grouped into lists.
    pub grouping: bool,
    /// The `if` filter.
    pub cond: Option<Expr>,
}

/// One part of a template, with strip markers already applied.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Literal text.
    Literal(String),
    /// `${expr}`.
    Interpolation(Expr),
    /// `%{ if cond }...%{ else }...%{ endif }`.
    If {
        /// The condition.
        cond: Expr,
        /// Rendered when true.
        then: Vec<Part>,
        /// Rendered when false.
        otherwise: Vec<Part>,
    },
    /// `%{ for k, v in collection }...%{ endfor }`.
    For {
        /// The key variable, when two are named.
        key_var: Option<String>,
        /// The value variable.
        value_var: String,
        /// The collection iterated.
        collection: Expr,
        /// Rendered for each element.
        body: Vec<Part>,
    },
}

impl ExprKind {
    /// An object expression. One whose keys are literal strings and whose
    /// values are literal is itself a literal, kept as JSON: typing takes it
    /// as it is, and evaluating it (a reference to it) makes the language's
    /// value. A key given twice keeps its last value, as evaluating the
    /// object would. An empty object stays an object: `object({})` is a type.
    pub fn object(items: Vec<(Expr, Expr)>) -> ExprKind {
        let constant = |(k, v): &(Expr, Expr)| {
            matches!(k.kind, ExprKind::Literal(Value::String(_))) && v.kind.is_json()
        };
        if items.is_empty() || !items.iter().all(constant) {
            return ExprKind::Object(items);
        }
        let mut object = ObjectBuilder::default();
        for (k, v) in items {
            if let ExprKind::Literal(Value::String(k)) = k.kind {
                v.kind.add_to(k, &mut object);
            }
        }
        ExprKind::Json(object.finish())
    }

    /// Adds itself to an object being built, as the member `key`, when it is
    /// JSON ([`ExprKind::is_json`]); anything else is left out.
    pub fn add_to<K: AsRef<str>>(self, key: K, object: &mut ObjectBuilder<K>) {
        match self {
            ExprKind::Json(json) => object.object(key, &json),
            kind => {
                if let Ok(value) = kind.into_json() {
                    object.value(key, &value);
                }
            }
        }
    }

    /// Whether it is a literal that JSON can hold: a literal value without
    /// an unknown, or an object of literals already kept as JSON.
    pub fn is_json(&self) -> bool {
        match self {
            ExprKind::Literal(value) => !value.has_unknown(),
            ExprKind::Json(_) => true,
            _ => false,
        }
    }

    /// Its value as JSON when [`ExprKind::is_json`], else itself.
    pub fn into_json(self) -> Result<serde_json::Value, ExprKind> {
        match self {
            ExprKind::Json(json) => Ok(json.value()),
            // Known throughout, so it converts.
            ExprKind::Literal(value) if !value.has_unknown() => {
                value.into_json().ok_or(ExprKind::Literal(Value::UNKNOWN))
            }
            kind => Err(kind),
        }
    }
}

impl Expr {
    /// A literal value at a location.
    pub fn literal(value: Value, at: Option<Location>) -> Expr {
        Expr {
            kind: ExprKind::Literal(value),
            at,
        }
    }

    /// The static name list a reference expression spells: `a.b` → `["a", "b"]`.
    /// `None` for anything else. Used where Terraform takes names, not values
    /// (`ignore_changes`, `moved`, `import.to`, `depends_on`).
    pub fn as_names(&self) -> Option<Vec<String>> {
        match &self.kind {
            ExprKind::Variable(name) => Some(vec![name.clone()]),
            ExprKind::Traversal(root, ops) => {
                let mut names = root.as_names()?;
                for op in ops {
                    match op {
                        Operator::Attr(a) => names.push(a.clone()),
                        _ => return None,
                    }
                }
                Some(names)
            }
            _ => None,
        }
    }

    /// The resource instance address a reference spells: `kasm_image.web`,
    /// `kasm_image.pool[0]`, `kasm_image.browser["chrome"]` (literal keys only).
    pub fn as_address(&self) -> Option<String> {
        let ExprKind::Traversal(root, ops) = &self.kind else {
            return None;
        };
        let ExprKind::Variable(kind) = &root.kind else {
            return None;
        };
        match ops.as_slice() {
            [Operator::Attr(name)] => Some(format!("{kind}.{name}")),
            [Operator::Attr(name), Operator::Index(key)] => match &key.kind {
                ExprKind::Literal(Value::String(k)) => {
                    Some(format!("{kind}.{name}[{}]", serde_json::to_string(k).ok()?))
                }
                ExprKind::Literal(Value::Number(n)) if n.fract() == 0.0 && *n >= 0.0 => {
                    Some(format!("{kind}.{name}[{n:.0}]"))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Calls `visit` with every reference's root and first attribute (`local.x`
    /// gives `("local", Some("x"))`), skipping names bound by `for`.
    pub fn references(&self, visit: &mut Visit) {
        self.walk_references(&mut Vec::new(), visit);
    }

    fn walk_references(&self, bound: &mut Vec<String>, visit: &mut Visit) {
        match &self.kind {
            ExprKind::Literal(_) | ExprKind::Json(_) | ExprKind::Invalid(..) => {}
            ExprKind::Variable(name) => {
                if !bound.contains(name) {
                    visit(name, None, self.at);
                }
            }
            ExprKind::Traversal(root, ops) => {
                match (&root.kind, ops.as_slice()) {
                    // `data.<type>.<name>` names its data source by two attributes.
                    (
                        ExprKind::Variable(name),
                        [Operator::Attr(kind), Operator::Attr(attr), ..],
                    ) if name == "data" && !bound.contains(name) => {
                        visit(name, Some(&format!("{kind}.{attr}")), self.at);
                    }
                    (ExprKind::Variable(name), [Operator::Attr(attr), ..]) => {
                        if !bound.contains(name) {
                            visit(name, Some(attr), self.at);
                        }
                    }
                    _ => root.walk_references(bound, visit),
                }
                for op in ops {
                    op.walk_references(bound, visit);
                }
            }
            ExprKind::Template(parts) => walk_parts(parts, bound, visit),
            ExprKind::Tuple(items) => items.iter().for_each(|e| e.walk_references(bound, visit)),
            ExprKind::Object(items) => items.iter().for_each(|(k, v)| {
                k.walk_references(bound, visit);
                v.walk_references(bound, visit);
            }),
            ExprKind::Call(call) => call
                .args
                .iter()
                .for_each(|e| e.walk_references(bound, visit)),
            ExprKind::Conditional(parts) => {
                parts.iter().for_each(|e| e.walk_references(bound, visit))
            }
            ExprKind::Unary(_, e) => e.walk_references(bound, visit),
            ExprKind::Binary(_, parts) => {
                parts.iter().for_each(|e| e.walk_references(bound, visit))
            }
            ExprKind::For(f) => {
                f.collection.walk_references(bound, visit);
                let depth = bound.len();
                bound.extend(f.key_var.iter().cloned());
                bound.push(f.value_var.clone());
                for e in [f.key.as_ref(), Some(&f.value), f.cond.as_ref()]
                    .into_iter()
                    .flatten()
                {
                    e.walk_references(bound, visit);
                }
                bound.truncate(depth);
            }
        }
    }
}

impl Operator {
    fn walk_references(&self, bound: &mut Vec<String>, visit: &mut Visit) {
        match self {
            Operator::Attr(_) => {}
            Operator::Index(e) => e.walk_references(bound, visit),
            Operator::Splat(ops) => ops.iter().for_each(|o| o.walk_references(bound, visit)),
        }
    }
}

fn walk_parts(parts: &[Part], bound: &mut Vec<String>, visit: &mut Visit) {
    for part in parts {
        match part {
            Part::Literal(_) => {}
            Part::Interpolation(e) => e.walk_references(bound, visit),
            Part::If {
                cond,
                then,
                otherwise,
            } => {
                cond.walk_references(bound, visit);
                walk_parts(then, bound, visit);
                walk_parts(otherwise, bound, visit);
            }
            Part::For {
                key_var,
                value_var,
                collection,
                body,
            } => {
                collection.walk_references(bound, visit);
                let depth = bound.len();
                bound.extend(key_var.iter().cloned());
                bound.push(value_var.clone());
                walk_parts(body, bound, visit);
                bound.truncate(depth);
            }
        }
    }
}

//! Evaluates [`Expr`]s with Terraform's semantics: references, operators,
//! templates, `for` expressions, splats and function calls.

use super::convert::{self, a};
use super::expr::{BinaryOperator, Expr, ExprKind, ForExpr, Operator, Part, UnaryOperator};
use super::functions;
use super::value::Value;
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::names::did_you_mean;
use std::collections::BTreeMap;

/// A problem found while evaluating, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Its code.
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The sub-expression at fault.
    pub at: Option<Location>,
}

impl Problem {
    /// The problem as a diagnostic of a named value (`local.x`, `output.y`):
    /// its message prefixed with the name, at `path` within it.
    pub fn named(self, address: &str, path: &str) -> Diagnostic {
        Diagnostic::error(self.code, format!("{address}: {}", self.message))
            .at(address, path)
            .help(self.help.unwrap_or_else(|| "fix the expression".into()))
            .located(self.at)
    }
}

/// Why an evaluation produced no value.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// A problem to report.
    Problem(Box<Problem>),
    /// The expression uses a value whose own problem was already reported.
    Reported,
}

impl Failure {
    fn new(code: Code, message: impl Into<String>, at: Option<Location>) -> Failure {
        Failure::Problem(Box::new(Problem {
            code,
            message: message.into(),
            help: None,
            at,
        }))
    }

    fn help(self, help: impl Into<String>) -> Failure {
        match self {
            Failure::Problem(mut p) => {
                p.help = Some(help.into());
                Failure::Problem(p)
            }
            reported => reported,
        }
    }

    /// Whether `try` and `can` may catch it: problems with values, not with
    /// the configuration's shape (an undeclared name, an unknown function).
    fn is_dynamic(&self) -> bool {
        match self {
            Failure::Problem(p) => p.code == Code::InvalidExpression,
            Failure::Reported => false,
        }
    }
}

type Result<T> = std::result::Result<T, Failure>;

/// The longest string a template may build (no image attribute comes near).
const MAX_STRING: usize = 1 << 22;

/// A named value in scope (`var.x`, `local.y`): `None` when its own evaluation failed.
#[derive(Clone, Debug, PartialEq)]
pub struct Named {
    /// The value.
    pub value: Option<Value>,
    /// Whether it is sensitive (a `sensitive` variable, or derived from one).
    pub sensitive: bool,
    /// Whether it is ephemeral (an `ephemeral` variable, or derived from one).
    pub ephemeral: bool,
}

/// What references can see.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scope<'a> {
    /// `var.<name>`.
    pub vars: Option<&'a BTreeMap<String, Named>>,
    /// `local.<name>`; `None` where locals cannot be used.
    pub locals: Option<&'a BTreeMap<String, Named>>,
    /// `each.key` and `each.value`, inside a `for_each` resource.
    pub each: Option<(&'a Value, &'a Value)>,
    /// `count.index`, inside a `count` resource.
    pub count: Option<i64>,
    /// `terraform.workspace`.
    pub workspace: Option<&'a str>,
    /// Resources and data sources by address (`kasm_image.web`,
    /// `data.kasm_images.all`); `None` where they cannot be used.
    pub resources: Option<&'a BTreeMap<String, Value>>,
}

/// A value, and whether anything sensitive went into it.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluated {
    /// The value.
    pub value: Value,
    /// Whether a sensitive value contributed.
    pub sensitive: bool,
    /// Whether an ephemeral value contributed.
    pub ephemeral: bool,
}

/// Evaluates an expression in a scope.
pub fn evaluate(expr: &Expr, scope: &Scope) -> Result<Evaluated> {
    let mut eval = Eval {
        scope,
        bound: Vec::new(),
        sensitive: false,
        ephemeral: false,
    };
    let value = eval.expr(expr)?;
    Ok(Evaluated {
        value,
        sensitive: eval.sensitive,
        ephemeral: eval.ephemeral,
    })
}

struct Eval<'s> {
    scope: &'s Scope<'s>,
    /// Names bound by `for` expressions and directives, innermost last.
    bound: Vec<(String, Value)>,
    sensitive: bool,
    ephemeral: bool,
}

fn invalid(message: impl Into<String>, at: Option<Location>) -> Failure {
    Failure::new(Code::InvalidExpression, message, at)
}

impl Eval<'_> {
    fn expr(&mut self, expr: &Expr) -> Result<Value> {
        let at = expr.at;
        match &expr.kind {
            ExprKind::Literal(v) => Ok(v.clone()),
            ExprKind::Json(v) => Ok(Value::from_json(&v.value())),
            ExprKind::Template(parts) => self.template(parts),
            ExprKind::Tuple(items) => Ok(Value::List(
                items.iter().map(|e| self.expr(e)).collect::<Result<_>>()?,
            )),
            ExprKind::Object(items) => self.object(items),
            ExprKind::Variable(name) => self.variable(name, at),
            ExprKind::Traversal(root, ops) => self.traversal(root, ops, at),
            ExprKind::Call(call) => self.call(&call.name, &call.args, call.expand_final, at),
            ExprKind::Conditional(parts) => {
                let [cond, yes, no] = parts.as_ref();
                match self.expr(cond)? {
                    Value::Unknown(_) => Ok(Value::UNKNOWN),
                    c => {
                        let c = convert::to_bool(&c).map_err(|m| {
                            invalid(format!("the condition is not a bool: {m}"), cond.at)
                        })?;
                        self.expr(if c { yes } else { no })
                    }
                }
            }
            ExprKind::Unary(op, operand) => {
                let v = self.expr(operand)?;
                if v.is_unknown() {
                    return Ok(v);
                }
                let bad = |m: String| {
                    invalid(
                        format!("invalid operand for `{}`: {m}", op.as_str()),
                        operand.at,
                    )
                };
                Ok(match op {
                    UnaryOperator::Neg => Value::Number(-convert::to_number(&v).map_err(bad)?),
                    UnaryOperator::Not => Value::Bool(!convert::to_bool(&v).map_err(bad)?),
                })
            }
            ExprKind::Binary(op, sides) => self.binary(*op, sides),
            ExprKind::For(f) => self.for_expr(f, at),
            ExprKind::Invalid(code, why) => Err(Failure::new(*code, why.clone(), at)),
        }
    }

    fn object(&mut self, items: &[(Expr, Expr)]) -> Result<Value> {
        let mut map = BTreeMap::new();
        for (key, value) in items {
            let k = match self.expr(key)? {
                Value::Unknown(_) => return Ok(Value::UNKNOWN),
                k => convert::to_string(&k)
                    .map_err(|m| invalid(format!("an object key must be a string: {m}"), key.at))?,
            };
            let v = self.expr(value)?;
            map.insert(k, v);
        }
        Ok(Value::Map(map))
    }

    fn variable(&self, name: &str, at: Option<Location>) -> Result<Value> {
        if let Some((_, v)) = self.bound.iter().rev().find(|(n, _)| n == name) {
            return Ok(v.clone());
        }
        let message = match name {
            "var" | "local" | "each" | "count" | "path" | "terraform" => {
                format!("`{name}` alone is not a value; name an attribute, e.g. `{name}.<name>`")
            }
            _ => format!("there is no `{name}` here"),
        };
        Err(Failure::new(Code::UnknownReference, message, at).help(
            "references are `var.<name>`, `local.<name>`, `each.key`, `each.value`, `count.index` or a `for` variable",
        ))
    }

    fn traversal(&mut self, root: &Expr, ops: &[Operator], at: Option<Location>) -> Result<Value> {
        let (mut value, rest) = match (&root.kind, ops) {
            (ExprKind::Variable(name), [Operator::Attr(kind), Operator::Attr(attr), rest @ ..])
                if name == "data" && !self.bound.iter().any(|(n, _)| n == name) =>
            {
                (self.resource(&format!("data.{kind}.{attr}"), at)?, rest)
            }
            (ExprKind::Variable(name), [Operator::Attr(attr), rest @ ..])
                if crate::schema::tables::resource(name).is_some()
                    && !self.bound.iter().any(|(n, _)| n == name) =>
            {
                (self.resource(&format!("{name}.{attr}"), at)?, rest)
            }
            (ExprKind::Variable(name), [Operator::Attr(attr), rest @ ..])
                if !self.bound.iter().any(|(n, _)| n == name) =>
            {
                (self.reference(name, attr, at)?, rest)
            }
            _ => (self.expr(root)?, ops),
        };
        for op in rest {
            value = self.step(value, op, at)?;
        }
        Ok(value)
    }

    /// A resource's or data source's value.
    fn resource(&mut self, address: &str, at: Option<Location>) -> Result<Value> {
        let Some(table) = self.scope.resources else {
            return Err(Failure::new(
                Code::UnknownReference,
                format!("`{address}` cannot be used here"),
                at,
            )
            .help("only `kasm_group_image` arguments may refer to resources; data sources may be used in locals and resources"));
        };
        if address.starts_with("kasm_group_image.") {
            return Err(Failure::new(
                Code::UnknownReference,
                format!("`{address}`: links cannot be referred to"),
                at,
            )
            .help("refer to the group or the image instead"));
        }
        table.get(address).cloned().ok_or_else(|| {
            let f = Failure::new(
                Code::UnknownReference,
                format!("`{address}` is not declared"),
                at,
            );
            match did_you_mean(address, table.keys().map(String::as_str)) {
                Some(s) => f.help(format!("did you mean `{s}`?")),
                None => f.help("declare it, or check the type and name"),
            }
        })
    }

    /// `var.x`, `local.x`, `each.key`, `count.index`, `path.module`, `terraform.workspace`.
    fn reference(&mut self, root: &str, attr: &str, at: Option<Location>) -> Result<Value> {
        let named = |table: Option<&BTreeMap<String, Named>>, what: &str| -> Result<Named> {
            let Some(table) = table else {
                return Err(Failure::new(
                    Code::UnknownReference,
                    format!("`{root}.{attr}` cannot be used here"),
                    at,
                )
                .help(format!("{what} cannot be referred to from here")));
            };
            table.get(attr).cloned().ok_or_else(|| {
                let hint = did_you_mean(attr, table.keys().map(String::as_str)).map_or_else(
                    || format!("declare it in a `{}` block", block_of(root)),
                    |s| format!("did you mean `{root}.{s}`?"),
                );
                Failure::new(
                    Code::UnknownReference,
                    format!("`{root}.{attr}` is not declared"),
                    at,
                )
                .help(hint)
            })
        };
        let found = match root {
            "var" => named(self.scope.vars, "variables")?,
            "local" => named(self.scope.locals, "local values")?,
            "each" => {
                let Some((key, value)) = self.scope.each else {
                    return Err(Failure::new(
                        Code::UnknownReference,
                        format!("`each.{attr}` is only available in a resource with `for_each`"),
                        at,
                    )
                    .help("add `for_each` to the resource, or use a variable or local"));
                };
                return match attr {
                    "key" => Ok(key.clone()),
                    "value" => Ok(value.clone()),
                    _ => Err(Failure::new(
                        Code::UnknownReference,
                        format!("`each` has `key` and `value`, not `{attr}`"),
                        at,
                    )),
                };
            }
            "count" => {
                return match (self.scope.count, attr) {
                    (Some(i), "index") => Ok(Value::Number(i as f64)),
                    (Some(_), _) => Err(Failure::new(
                        Code::UnknownReference,
                        format!("`count` has `index`, not `{attr}`"),
                        at,
                    )),
                    (None, _) => Err(Failure::new(
                        Code::UnknownReference,
                        "`count.index` is only available in a resource with `count`",
                        at,
                    )
                    .help("add `count` to the resource")),
                };
            }
            "path" if matches!(attr, "module" | "root" | "cwd") => {
                return Ok(Value::String(".".into()));
            }
            "terraform" if attr == "workspace" => {
                return Ok(Value::String(
                    self.scope.workspace.unwrap_or("default").into(),
                ));
            }
            _ => {
                return Err(Failure::new(
                    Code::UnknownReference,
                    format!("`{root}.{attr}` is not something kasm-plan can refer to"),
                    at,
                )
                .help("references are `var.<name>`, `local.<name>`, `each.key`, `each.value`, `count.index`, `path.module`, `terraform.workspace`, `kasm_image.<name>`, `kasm_group.<name>`, `kasm_user.<name>` and `data.<type>.<name>`"));
            }
        };
        self.sensitive |= found.sensitive;
        self.ephemeral |= found.ephemeral;
        found.value.ok_or(Failure::Reported)
    }

    fn step(&mut self, value: Value, op: &Operator, at: Option<Location>) -> Result<Value> {
        match op {
            Operator::Attr(name) => match value {
                u @ Value::Unknown(_) => Ok(u),
                Value::Map(mut map) => map.remove(name).ok_or_else(|| {
                    let hint = did_you_mean(name, map.keys().map(String::as_str));
                    let f = invalid(format!("the object has no attribute `{name}`"), at);
                    match hint {
                        Some(h) => f.help(format!("did you mean `{h}`?")),
                        None => f,
                    }
                }),
                Value::Null => Err(invalid(
                    format!("cannot get attribute `{name}` of a null value"),
                    at,
                )),
                other => Err(invalid(
                    format!("cannot get attribute `{name}` of {}", a(&other)),
                    at,
                )),
            },
            Operator::Index(key_expr) => {
                let key = self.expr(key_expr)?;
                index(value, &key, key_expr.at.or(at))
            }
            Operator::Splat(ops) => {
                let items = match value {
                    Value::Unknown(_) => return Ok(Value::UNKNOWN),
                    Value::Null => Vec::new(),
                    Value::List(items) | Value::Set(items) => items,
                    single => vec![single],
                };
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let mut v = item;
                    for op in ops {
                        v = self.step(v, op, at)?;
                    }
                    out.push(v);
                }
                Ok(Value::List(out))
            }
        }
    }

    fn binary(&mut self, op: BinaryOperator, sides: &[Expr; 2]) -> Result<Value> {
        use BinaryOperator as B;
        let [lhs, rhs] = sides;
        let l = self.expr(lhs)?;
        // `&&` and `||` decide on a known left side alone.
        match (op, &l) {
            (B::And, Value::Bool(false)) => return Ok(Value::Bool(false)),
            (B::Or, Value::Bool(true)) => return Ok(Value::Bool(true)),
            _ => {}
        }
        let r = self.expr(rhs)?;
        match op {
            B::Eq => {
                return Ok(if l.has_unknown() || r.has_unknown() {
                    Value::UNKNOWN
                } else {
                    Value::Bool(l == r)
                });
            }
            B::NotEq => {
                return Ok(if l.has_unknown() || r.has_unknown() {
                    Value::UNKNOWN
                } else {
                    Value::Bool(l != r)
                });
            }
            _ => {}
        }
        if l.is_unknown() || r.is_unknown() {
            return Ok(Value::UNKNOWN);
        }
        let operand = |v: &Value, e: &Expr| -> Result<f64> {
            convert::to_number(v)
                .map_err(|m| invalid(format!("invalid operand for `{}`: {m}", op.as_str()), e.at))
        };
        let flag = |v: &Value, e: &Expr| -> Result<bool> {
            convert::to_bool(v)
                .map_err(|m| invalid(format!("invalid operand for `{}`: {m}", op.as_str()), e.at))
        };
        let value = match op {
            B::And => Value::Bool(flag(&l, lhs)? && flag(&r, rhs)?),
            B::Or => Value::Bool(flag(&l, lhs)? || flag(&r, rhs)?),
            B::Less => Value::Bool(operand(&l, lhs)? < operand(&r, rhs)?),
            B::LessEq => Value::Bool(operand(&l, lhs)? <= operand(&r, rhs)?),
            B::Greater => Value::Bool(operand(&l, lhs)? > operand(&r, rhs)?),
            B::GreaterEq => Value::Bool(operand(&l, lhs)? >= operand(&r, rhs)?),
            B::Plus => Value::Number(operand(&l, lhs)? + operand(&r, rhs)?),
            B::Minus => Value::Number(operand(&l, lhs)? - operand(&r, rhs)?),
            B::Mul => Value::Number(operand(&l, lhs)? * operand(&r, rhs)?),
            B::Div | B::Mod => {
                let (x, y) = (operand(&l, lhs)?, operand(&r, rhs)?);
                if y == 0.0 {
                    return Err(invalid("division by zero", rhs.at));
                }
                Value::Number(if op == B::Div { x / y } else { x % y })
            }
            B::Eq | B::NotEq => Value::Bool(false), // handled above
        };
        match value {
            Value::Number(n) if !n.is_finite() => Err(invalid(
                format!("`{}` gives a number too large to represent", op.as_str()),
                lhs.at,
            )),
            v => Ok(v),
        }
    }

    fn template(&mut self, parts: &[Part]) -> Result<Value> {
        // A template that is one interpolation yields the value itself.
        if let [Part::Interpolation(e)] = parts {
            return self.expr(e);
        }
        let mut out = String::new();
        match self.render(parts, &mut out)? {
            true => Ok(Value::String(out)),
            false => Ok(Value::UNKNOWN),
        }
    }

    /// Renders parts into `out`; false when a value is known only after apply.
    fn render(&mut self, parts: &[Part], out: &mut String) -> Result<bool> {
        for part in parts {
            // Templates that repeat each other double at every step: stop early.
            if out.len() > MAX_STRING {
                return Err(invalid(
                    format!("a template longer than {MAX_STRING} bytes"),
                    None,
                ));
            }
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Interpolation(e) => match self.expr(e)? {
                    Value::Unknown(_) => return Ok(false),
                    Value::Null => {
                        return Err(invalid("a template cannot include a null value", e.at)
                            .help("use a default, e.g. `coalesce(var.x, \"\")`"));
                    }
                    v => out.push_str(&convert::to_string(&v).map_err(|m| {
                        invalid(
                            format!("cannot include this value in a template: {m}"),
                            e.at,
                        )
                        .help("use jsonencode() or join() to turn a collection into a string")
                    })?),
                },
                Part::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    let c = match self.expr(cond)? {
                        Value::Unknown(_) => return Ok(false),
                        c => convert::to_bool(&c).map_err(|m| {
                            invalid(format!("the `if` condition is not a bool: {m}"), cond.at)
                        })?,
                    };
                    if !self.render(if c { then } else { otherwise }, out)? {
                        return Ok(false);
                    }
                }
                Part::For {
                    key_var,
                    value_var,
                    collection,
                    body,
                } => {
                    let items = match self.expr(collection)? {
                        Value::Unknown(_) => return Ok(false),
                        c => entries(c, collection.at)?,
                    };
                    for (k, v) in items {
                        let depth = self.bound.len();
                        if let Some(name) = key_var {
                            self.bound.push((name.clone(), k));
                        }
                        self.bound.push((value_var.clone(), v));
                        let rendered = self.render(body, out);
                        self.bound.truncate(depth);
                        if !rendered? {
                            return Ok(false);
                        }
                    }
                }
            }
        }
        Ok(true)
    }

    fn for_expr(&mut self, f: &ForExpr, at: Option<Location>) -> Result<Value> {
        let items = match self.expr(&f.collection)? {
            Value::Unknown(_) => return Ok(Value::UNKNOWN),
            c => entries(c, f.collection.at)?,
        };
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        for (k, v) in items {
            let depth = self.bound.len();
            if let Some(name) = &f.key_var {
                self.bound.push((name.clone(), k));
            }
            self.bound.push((f.value_var.clone(), v));
            let result = self.for_item(f, &mut list, &mut map, at);
            self.bound.truncate(depth);
            if !result? {
                return Ok(Value::UNKNOWN);
            }
        }
        Ok(if f.key.is_some() {
            Value::Map(map)
        } else {
            Value::List(list)
        })
    }

    /// Adds one element's result; false when it is known only after apply.
    fn for_item(
        &mut self,
        f: &ForExpr,
        list: &mut Vec<Value>,
        map: &mut BTreeMap<String, Value>,
        at: Option<Location>,
    ) -> Result<bool> {
        if let Some(cond) = &f.cond {
            match self.expr(cond)? {
                Value::Unknown(_) => return Ok(false),
                c => {
                    let keep = convert::to_bool(&c).map_err(|m| {
                        invalid(format!("the `if` clause is not a bool: {m}"), cond.at)
                    })?;
                    if !keep {
                        return Ok(true);
                    }
                }
            }
        }
        let value = self.expr(&f.value)?;
        let Some(key_expr) = &f.key else {
            list.push(value);
            return Ok(true);
        };
        let key = match self.expr(key_expr)? {
            Value::Unknown(_) => return Ok(false),
            k => convert::to_string(&k)
                .map_err(|m| invalid(format!("a `for` key must be a string: {m}"), key_expr.at))?,
        };
        if f.grouping {
            if let Value::List(group) = map.entry(key).or_insert_with(|| Value::List(Vec::new())) {
                group.push(value);
            }
        } else if map.insert(key.clone(), value).is_some() {
            return Err(invalid(
                format!("two elements produce the key {key:?}"),
                key_expr.at.or(at),
            )
            .help("make the keys unique, or add `...` after the value to group elements by key"));
        }
        Ok(true)
    }

    fn call(
        &mut self,
        name: &str,
        args: &[Expr],
        expand_final: bool,
        at: Option<Location>,
    ) -> Result<Value> {
        // Terraform offers every built-in under `core::` too.
        let name = name.strip_prefix("core::").unwrap_or(name);
        match name {
            "try" => return self.try_each(args, at),
            "can" => {
                let [arg] = args else {
                    return Err(invalid("`can` takes one argument", at));
                };
                return match self.expr(arg) {
                    Ok(v) => Ok(if v.has_unknown() {
                        Value::UNKNOWN
                    } else {
                        Value::Bool(true)
                    }),
                    Err(f) if f.is_dynamic() => Ok(Value::Bool(false)),
                    Err(f) => Err(f),
                };
            }
            "sensitive" | "nonsensitive" | "issensitive" | "ephemeralasnull" => {
                return self.marks(name, args, at);
            }
            "templatestring" => return self.templatestring(args, at),
            _ => {}
        }
        let Some(function) = functions::lookup(name) else {
            if functions::left_out(name) {
                return Err(Failure::new(
                    Code::UnknownFunction,
                    format!("`{name}` is left out of this build of kasm-plan (the npm package's, to keep it small)"),
                    at,
                )
                .help("plan with the kasm-plan CLI, which evaluates it, or give the value as a variable"));
            }
            if let Some(why) = functions::not_offered(name) {
                return Err(Failure::new(
                    Code::UnknownFunction,
                    format!("`{name}` is one of Terraform's functions, but it {why}, and kasm-plan's core reads no file, clock or randomness, so its plans are the same wherever they run"),
                    at,
                )
                .help("give the value as a variable instead: `-var`, a .tfvars file or TF_VAR_<name> (e.g. TF_VAR_x=\"$(cat file)\")"));
            }
            let hint = did_you_mean(name, functions::names()).map_or_else(
                || "see the functions kasm-plan provides in docs/language.md".to_owned(),
                |s| format!("did you mean `{s}`?"),
            );
            return Err(Failure::new(
                Code::UnknownFunction,
                format!("there is no function `{name}`"),
                at,
            )
            .help(hint));
        };
        let mut values = args
            .iter()
            .map(|e| self.expr(e))
            .collect::<Result<Vec<_>>>()?;
        if values.iter().any(Value::has_unknown) {
            return Ok(Value::UNKNOWN);
        }
        if expand_final {
            match values.pop() {
                Some(Value::List(items) | Value::Set(items)) => values.extend(items),
                Some(Value::Unknown(_)) => return Ok(Value::UNKNOWN),
                Some(other) => {
                    return Err(invalid(
                        format!("`...` needs a list to expand, not {}", a(&other)),
                        at,
                    ));
                }
                None => {}
            }
        }
        function(&values).map_err(|m| invalid(format!("{name}(): {m}"), at))
    }

    /// The functions that read or change what is known about their argument:
    /// `sensitive(x)` and `nonsensitive(x)` mark and unmark it,
    /// `issensitive(x)` says whether it is marked, `ephemeralasnull(x)` is
    /// null for an ephemeral value. Marks are per expression, not per
    /// element: `issensitive([sensitive(1), 2][1])` is true here (Terraform
    /// tracks each element and says false).
    fn marks(&mut self, name: &str, args: &[Expr], at: Option<Location>) -> Result<Value> {
        let [arg] = args else {
            return Err(invalid(
                format!("`{name}` takes one argument, not {}", args.len()),
                at,
            ));
        };
        let (outer_sensitive, outer_ephemeral) = (self.sensitive, self.ephemeral);
        self.sensitive = false;
        self.ephemeral = false;
        let evaluated = self.expr(arg);
        let (sensitive, ephemeral) = (self.sensitive, self.ephemeral);
        // Restored before a failure returns too: a `try` around this call goes
        // on, and what it had already read must stay marked.
        self.sensitive = outer_sensitive;
        self.ephemeral = outer_ephemeral;
        let value = evaluated?;
        let (value, sensitive, ephemeral) = match name {
            "sensitive" => (value, true, ephemeral),
            "nonsensitive" => (value, false, ephemeral),
            "issensitive" => (Value::Bool(sensitive), false, false),
            _ if ephemeral => (Value::Null, sensitive, false),
            _ => (value, sensitive, false),
        };
        self.sensitive = outer_sensitive || sensitive;
        self.ephemeral = outer_ephemeral || ephemeral;
        Ok(value)
    }

    /// `templatestring(ref, vars)`: the template held in a string that comes
    /// from elsewhere (a variable, a local, an attribute), rendered with only
    /// `vars` in scope. A literal is refused, as Terraform refuses it: write
    /// the template itself instead.
    fn templatestring(&mut self, args: &[Expr], at: Option<Location>) -> Result<Value> {
        let [template, vars] = args else {
            return Err(invalid(
                format!("`templatestring` takes two arguments, not {}", args.len()),
                at,
            ));
        };
        if !matches!(
            template.kind,
            ExprKind::Variable(_) | ExprKind::Traversal(..)
        ) {
            return Err(invalid(
                "templatestring(): invalid template expression: templatestring is only for rendering templates retrieved dynamically from elsewhere, and so does not support providing a literal template",
                template.at,
            )
            .help("write the template directly as a string with interpolations, or refer to one held in a variable or local"));
        }
        let text = match self.expr(template)? {
            Value::Unknown(_) => return Ok(Value::UNKNOWN),
            v => convert::to_string(&v).map_err(|m| {
                invalid(
                    format!("templatestring(): the template must be a string: {m}"),
                    template.at,
                )
            })?,
        };
        let vars = match self.expr(vars)? {
            Value::Map(map) => map,
            Value::Unknown(_) => return Ok(Value::UNKNOWN),
            other => {
                return Err(invalid(
                    format!(
                        "templatestring(): the variables must be an object, not {}",
                        a(&other)
                    ),
                    vars.at,
                ));
            }
        };
        let parsed = super::hcl::parse_template(&text, template.at).map_err(|d| {
            invalid(
                format!(
                    "templatestring(): the template does not parse: {}",
                    d.message
                ),
                template.at,
            )
        })?;
        let scope = Scope::default();
        let mut inner = Eval {
            scope: &scope,
            bound: vars.into_iter().collect(),
            sensitive: false,
            ephemeral: false,
        };
        let value = inner.expr(&parsed)?;
        self.sensitive |= inner.sensitive;
        self.ephemeral |= inner.ephemeral;
        convert::to_string(&value).map(Value::String).map_err(|m| {
            invalid(
                format!("templatestring(): the template must produce a string: {m}"),
                template.at,
            )
        })
    }

    /// `try(a, b, ...)`: the first argument that evaluates without a dynamic error.
    fn try_each(&mut self, args: &[Expr], at: Option<Location>) -> Result<Value> {
        let mut last = None;
        for arg in args {
            match self.expr(arg) {
                Ok(v) => return Ok(v),
                Err(f) if f.is_dynamic() => last = Some(f),
                Err(f) => return Err(f),
            }
        }
        Err(last.unwrap_or_else(|| invalid("`try` needs at least one argument", at)))
    }
}

/// The (key, value) pairs a `for` iterates: index and element of a list,
/// key and value of a map, the element twice for a set.
fn entries(collection: Value, at: Option<Location>) -> Result<Vec<(Value, Value)>> {
    Ok(match collection {
        Value::List(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::Number(i as f64), v))
            .collect(),
        Value::Set(items) => items.into_iter().map(|v| (v.clone(), v)).collect(),
        Value::Map(map) => map
            .into_iter()
            .map(|(k, v)| (Value::String(k), v))
            .collect(),
        Value::Null => return Err(invalid("cannot iterate over a null value", at)),
        other => return Err(invalid(format!("cannot iterate over {}", a(&other)), at)),
    })
}

/// `collection[key]`.
fn index(value: Value, key: &Value, at: Option<Location>) -> Result<Value> {
    if key.is_unknown() {
        return Ok(Value::UNKNOWN);
    }
    match value {
        u @ Value::Unknown(_) => Ok(u),
        Value::List(mut items) => {
            let i = convert::to_integer(key)
                .map_err(|m| invalid(format!("a list index must be a number: {m}"), at))?;
            let len = items.len();
            usize::try_from(i)
                .ok()
                .filter(|&i| i < len)
                .map(|i| items.swap_remove(i))
                .ok_or_else(|| {
                    invalid(
                        format!("index {i} is out of range for a list of {len} elements"),
                        at,
                    )
                })
        }
        Value::Map(mut map) => {
            let k = convert::to_string(key)
                .map_err(|m| invalid(format!("a map key must be a string: {m}"), at))?;
            map.remove(&k)
                .ok_or_else(|| invalid(format!("the map has no element {k:?}"), at))
        }
        Value::Set(_) => Err(invalid(
            "a set has no indexes: its elements are identified only by their value",
            at,
        )
        .help("use tolist() to index it, or a for expression to go through it")),
        Value::Null => Err(invalid("cannot index a null value", at)),
        other => Err(invalid(format!("cannot index {}", a(&other)), at)),
    }
}

fn block_of(root: &str) -> &'static str {
    match root {
        "var" => "variable",
        _ => "locals",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret_scope_eval(text: &str) -> Evaluated {
        let vars = BTreeMap::from([(
            "pw".to_owned(),
            Named {
                value: Some(Value::String("hunter2".into())),
                sensitive: true,
                ephemeral: false,
            },
        )]);
        let scope = Scope {
            vars: Some(&vars),
            ..Scope::default()
        };
        let expr = super::super::hcl::parse_expr(text).unwrap_or_else(|d| panic!("{}", d.message));
        evaluate(&expr, &scope).unwrap_or_else(|f| panic!("{f:?}"))
    }

    #[test]
    fn a_failed_mark_function_inside_try_keeps_what_was_read_marked() {
        let e = secret_scope_eval(r#""${var.pw}${try(nonsensitive(tonumber("x")), "")}""#);
        assert_eq!(e.value, Value::String("hunter2".into()));
        assert!(e.sensitive);
        assert!(!secret_scope_eval("nonsensitive(var.pw)").sensitive);
        assert!(secret_scope_eval("[var.pw, nonsensitive(var.pw)]").sensitive);
    }
}

//! A value's change drawn as Terraform's `jsonformat` renderer draws one
//! (an output's under `Changes to Outputs:`, and here a list or an object in
//! a resource too): objects key by key with unchanged keys counted, lists
//! element by element along their longest common subsequence with one
//! unchanged element of context, strings that hold JSON as `jsonencode(...)`,
//! multi-line strings as heredocs diffed line by line.

use serde_json::Value;
use std::collections::BTreeSet;

/// What happens to a value or a part of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    /// Unchanged.
    NoOp,
    /// Added.
    Create,
    /// Removed.
    Delete,
    /// Changed.
    Update,
}

/// A value's change, part by part, and what happens to it as a whole.
#[derive(Debug)]
pub struct Diff {
    /// What happens to the value.
    pub action: Act,
    node: Node,
}

/// What a change is made of, by the kind of value.
#[derive(Debug)]
enum Node {
    Primitive(Option<Value>, Option<Value>),
    List(Vec<Diff>),
    Object(Vec<(String, Diff)>),
    TypeChange(Box<Diff>, Box<Diff>),
    Sensitive,
    Unknown(Option<Box<Diff>>),
}

/// One side of a change: its value (JSON's null as `None`) and whether it
/// is there at all (a key or an element present, even holding null).
#[derive(Clone, Copy)]
struct Side<'a> {
    value: Option<&'a Value>,
    explicit: bool,
}

impl<'a> Side<'a> {
    const MISSING: Side<'static> = Side {
        value: None,
        explicit: false,
    };

    fn top(value: Option<&'a Value>) -> Self {
        Side {
            value: value.filter(|v| !v.is_null()),
            explicit: false,
        }
    }

    fn child(value: Option<&'a Value>) -> Self {
        Side {
            value: value.filter(|v| !v.is_null()),
            explicit: value.is_some(),
        }
    }

    fn missing(self) -> bool {
        self.value.is_none() && !self.explicit
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Type {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

fn type_of(side: Side) -> Type {
    match side.value {
        None | Some(Value::Null) => Type::Null,
        Some(Value::Bool(_)) => Type::Bool,
        Some(Value::Number(_)) => Type::Number,
        Some(Value::String(_)) => Type::String,
        Some(Value::Array(_)) => Type::Array,
        Some(Value::Object(_)) => Type::Object,
    }
}

impl Diff {
    /// An output's change from the value before to the value after.
    pub fn of(before: Option<&Value>, after: Option<&Value>) -> Diff {
        let (before, after) = (before.map(super::whole), after.map(super::whole));
        transform(Side::top(before.as_ref()), Side::top(after.as_ref()))
    }

    /// A value hidden as sensitive, with the change's own action.
    pub fn sensitive(action: Act) -> Diff {
        Diff {
            action,
            node: Node::Sensitive,
        }
    }

    /// A value known only after apply, from `before` if there was one.
    pub fn unknown(before: Option<&Value>) -> Diff {
        match before.filter(|v| !v.is_null()).map(super::whole).as_ref() {
            None => Diff {
                action: Act::Create,
                node: Node::Unknown(None),
            },
            Some(v) => Diff {
                action: Act::Update,
                node: Node::Unknown(Some(Box::new(transform(Side::top(Some(v)), Side::MISSING)))),
            },
        }
    }

    /// The change as Terraform writes it after `name = `, at the top level.
    pub fn render(&self) -> String {
        self.draw(0, Opts::default())
    }

    /// The change as an attribute of a resource block: one level in, and a
    /// removed value without ` -> null` (the plan's resources do not say it).
    pub fn render_in_block(&self) -> String {
        self.draw(1, Opts::default().without_null_suffix())
    }
}

/// The change of a value from one side to the other.
fn transform(before: Side, after: Side) -> Diff {
    let (bt, at) = (type_of(before), type_of(after));
    let created = bt == Type::Null && !before.explicit;
    let deleted = at == Type::Null && !after.explicit;
    if bt == at || created || deleted {
        let target = if bt == Type::Null { at } else { bt };
        return by_type(before, after, target);
    }
    type_change(
        by_type(before, Side::MISSING, bt),
        by_type(Side::MISSING, after, at),
    )
}

/// A value of one kind replaced by one of another: the old one removed, then
/// the new one added.
fn type_change(old: Diff, new: Diff) -> Diff {
    Diff {
        action: Act::Update,
        node: Node::TypeChange(Box::new(old), Box::new(new)),
    }
}

fn by_type(before: Side, after: Side, target: Type) -> Diff {
    match target {
        Type::Object => object(before, after),
        Type::Array => list(before, after),
        _ => primitive(before, after),
    }
}

fn primitive(before: Side, after: Side) -> Diff {
    let action = match (before.missing(), after.missing()) {
        (true, false) => Act::Create,
        (false, true) => Act::Delete,
        _ if before.value == after.value => Act::NoOp,
        _ => Act::Update,
    };
    Diff {
        action,
        node: Node::Primitive(before.value.cloned(), after.value.cloned()),
    }
}

/// The action of a collection: created or deleted as a whole, else from its parts.
fn collection_action(before: bool, after: bool, parts: impl Iterator<Item = Act>) -> Act {
    let start = match (before, after) {
        (true, false) => Act::Delete,
        (false, true) => Act::Create,
        _ => Act::NoOp,
    };
    parts.fold(start, |current, next| match next {
        Act::NoOp => current,
        next if next == current => current,
        _ => Act::Update,
    })
}

fn object(before: Side, after: Side) -> Diff {
    let (b, a) = (
        before.value.and_then(Value::as_object),
        after.value.and_then(Value::as_object),
    );
    let keys: BTreeSet<&String> = b.into_iter().chain(a).flat_map(|m| m.keys()).collect();
    let members: Vec<(String, Diff)> = keys
        .into_iter()
        .map(|k| {
            let old = Side::child(b.and_then(|m| m.get(k)));
            let new = Side::child(a.and_then(|m| m.get(k)));
            (k.clone(), transform(old, new))
        })
        .collect();
    Diff {
        action: collection_action(
            b.is_some(),
            a.is_some(),
            members.iter().map(|(_, d)| d.action),
        ),
        node: Node::Object(members),
    }
}

fn list(before: Side, after: Side) -> Diff {
    let (b, a) = (
        before.value.and_then(Value::as_array),
        after.value.and_then(Value::as_array),
    );
    let (old, new) = (
        b.map_or(&[][..], Vec::as_slice),
        a.map_or(&[][..], Vec::as_slice),
    );
    let mut elements = Vec::new();
    pairs(old, new, Value::is_object, |i, j| {
        elements.push(transform(Side::child(old.get(i)), Side::child(new.get(j))));
    });
    Diff {
        action: collection_action(b.is_some(), a.is_some(), elements.iter().map(|d| d.action)),
        node: Node::List(elements),
    }
}

/// Walks two lists as Terraform does: index by index when they are as long
/// and not a reordering, else along their longest common subsequence, items
/// off it deleted then created (two objects side by side diffed as one).
/// An index past a list's end stands for no item.
fn pairs<T: PartialEq>(
    before: &[T],
    after: &[T],
    is_object: impl Fn(&T) -> bool,
    mut visit: impl FnMut(usize, usize),
) {
    if before.len() == after.len() && !is_reorder(before, after) {
        (0..before.len()).for_each(|i| visit(i, i));
        return;
    }
    let common = lcs(before, after);
    let (mut b, mut a, mut c) = (0, 0, 0);
    while b < before.len() || a < after.len() || c < common.len() {
        let off = |x: &T, c: usize| common.get(c).is_none_or(|y| x != *y);
        while let Some(x) = before.get(b).filter(|x| off(x, c)) {
            let paired = is_object(x) && after.get(a).is_some_and(|y| is_object(y) && off(y, c));
            if paired {
                visit(b, a);
                a += 1;
            } else {
                visit(b, after.len());
            }
            b += 1;
        }
        while after.get(a).is_some_and(|y| off(y, c)) {
            visit(before.len(), a);
            a += 1;
        }
        if c < common.len() {
            visit(b, a);
            b += 1;
            a += 1;
            c += 1;
        }
    }
}

/// Whether every item of `before` is somewhere in `after`, as long.
fn is_reorder<T: PartialEq>(before: &[T], after: &[T]) -> bool {
    before.len() == after.len() && before.iter().all(|b| after.contains(b))
}

/// The longest common subsequence, as Terraform's `objchange` finds it: a
/// table of the longest over each pair of prefixes, walked back from the
/// end, taking a match where there is one, else the longer way (upward on a tie).
fn lcs<'a, T: PartialEq>(xs: &'a [T], ys: &[T]) -> Vec<&'a T> {
    let width = xs.len();
    let mut table = vec![0usize; width * ys.len()];
    let cell = |table: &[usize], x: Option<usize>, y: Option<usize>| match (x, y) {
        (Some(x), Some(y)) => table.get(y * width + x).copied().unwrap_or(0),
        _ => 0,
    };
    for (y, b) in ys.iter().enumerate() {
        for (x, a) in xs.iter().enumerate() {
            let value = if a == b {
                cell(&table, x.checked_sub(1), y.checked_sub(1)) + 1
            } else {
                let left = cell(&table, x.checked_sub(1), Some(y));
                let up = cell(&table, Some(x), y.checked_sub(1));
                left.max(up)
            };
            if let Some(slot) = table.get_mut(y * width + x) {
                *slot = value;
            }
        }
    }
    let mut out = Vec::new();
    let (mut x, mut y) = (xs.len().checked_sub(1), ys.len().checked_sub(1));
    while let (Some(i), Some(j)) = (x, y) {
        match (xs.get(i), ys.get(j)) {
            (Some(a), Some(b)) if a == b => {
                out.push(a);
                (x, y) = (i.checked_sub(1), j.checked_sub(1));
            }
            _ if cell(&table, i.checked_sub(1), Some(j))
                > cell(&table, Some(i), j.checked_sub(1)) =>
            {
                x = i.checked_sub(1);
            }
            _ => y = j.checked_sub(1),
        }
    }
    out.reverse();
    out
}

/// How a part is drawn.
#[derive(Clone, Copy, Default)]
struct Opts {
    /// No ` -> null` after a deleted part (its parent says it).
    no_null_suffix: bool,
    /// Unchanged parts drawn instead of counted.
    show_unchanged: bool,
}

impl Opts {
    fn without_null_suffix(self) -> Opts {
        Opts {
            no_null_suffix: true,
            ..self
        }
    }

    fn showing_unchanged(self) -> Opts {
        Opts {
            show_unchanged: true,
            ..self
        }
    }
}

/// The mark before a line: Terraform's action symbol and a space.
pub fn mark(action: Act) -> &'static str {
    match action {
        Act::NoOp => "    ",
        Act::Create => "  + ",
        Act::Delete => "  - ",
        Act::Update => "  ~ ",
    }
}

fn indent(n: usize) -> String {
    "    ".repeat(n)
}

fn null_suffix(action: Act, opts: Opts) -> &'static str {
    if action == Act::Delete && !opts.no_null_suffix {
        " -> null"
    } else {
        ""
    }
}

fn hidden(what: &str, count: usize) -> String {
    let s = if count == 1 { "" } else { "s" };
    format!("# ({count} unchanged {what}{s} hidden)")
}

impl Diff {
    fn draw(&self, depth: usize, opts: Opts) -> String {
        match &self.node {
            Node::Primitive(before, after) => {
                self.primitive(before.as_ref(), after.as_ref(), depth, opts)
            }
            Node::List(elements) => self.list(elements, depth, opts),
            Node::Object(members) => self.object(members, depth, opts),
            Node::TypeChange(old, new) => {
                let opts = opts.without_null_suffix();
                format!("{} -> {}", old.draw(depth, opts), new.draw(depth, opts))
            }
            Node::Sensitive => format!("(sensitive value){}", null_suffix(self.action, opts)),
            Node::Unknown(None) => "(known after apply)".to_owned(),
            Node::Unknown(Some(before)) => format!(
                "{} -> (known after apply)",
                before.draw(depth, opts.without_null_suffix())
            ),
        }
    }

    fn primitive(
        &self,
        before: Option<&Value>,
        after: Option<&Value>,
        depth: usize,
        opts: Opts,
    ) -> String {
        let is_text = |v: Option<&Value>| matches!(v, Some(Value::String(_)));
        if is_text(before) || is_text(after) {
            return self.text(before, after, depth, opts);
        }
        let (b, a) = (scalar(before), scalar(after));
        match self.action {
            Act::Create => a,
            Act::Delete => format!("{b}{}", null_suffix(self.action, opts)),
            Act::NoOp => b,
            Act::Update => format!("{b} -> {a}"),
        }
    }

    /// A string's change: quoted, as `jsonencode(...)` when it holds JSON,
    /// or as a heredoc when it spans lines.
    fn text(
        &self,
        before: Option<&Value>,
        after: Option<&Value>,
        depth: usize,
        opts: Opts,
    ) -> String {
        let (b, a) = (Text::of(before), Text::of(after));
        let lines: Vec<String> = match self.action {
            Act::Create | Act::NoOp => {
                if a.json.is_some() {
                    let old = if self.action == Act::NoOp {
                        &a
                    } else {
                        &Text::NONE
                    };
                    return self.json_text(old, &a, depth, opts);
                }
                if !a.multiline {
                    return a.simple();
                }
                unchanged_lines(&a.text, depth)
            }
            Act::Delete => {
                if b.null {
                    return b.simple();
                }
                if b.json.is_some() {
                    return self.json_text(&b, &Text::NONE, depth, opts);
                }
                if !b.multiline {
                    return format!("{}{}", b.simple(), null_suffix(self.action, opts));
                }
                unchanged_lines(&b.text, depth)
            }
            Act::Update => {
                match (&b.json, &a.json) {
                    (Some(_), Some(_)) => return self.json_text(&b, &a, depth, opts),
                    // One side JSON and the other not: drawn as a change of type.
                    (Some(_), None) | (None, Some(_)) => {
                        let old = primitive(Side::top(before), Side::MISSING);
                        let new = primitive(Side::MISSING, Side::top(after));
                        return type_change(old, new).draw(depth, opts);
                    }
                    (None, None) => {}
                }
                if !b.multiline && !a.multiline {
                    return format!("{} -> {}", b.simple(), a.simple());
                }
                changed_lines(&b.text, &a.text, depth)
            }
        };
        format!(
            "<<-EOT\n{}\n{}{}EOT{}",
            lines.join("\n"),
            indent(depth),
            mark(Act::NoOp),
            null_suffix(self.action, opts)
        )
    }

    /// A string that holds JSON: its value's change inside `jsonencode(...)`.
    fn json_text(&self, before: &Text, after: &Text, depth: usize, opts: Opts) -> String {
        let inner = transform(
            before.side(self.action != Act::Create),
            after.side(self.action != Act::Delete),
        );
        let mut inner_opts = opts.without_null_suffix();
        let (mut action, mut whitespace) = (self.action, "");
        if inner.action == Act::NoOp && self.action == Act::Update {
            // Only the text's spacing changed: shown whole, not as an edit.
            whitespace = " # whitespace changes";
            inner_opts = inner_opts.showing_unchanged();
            action = Act::NoOp;
        }
        let drawn = inner.draw(depth + 1, inner_opts);
        if matches!(self.action, Act::Create | Act::Delete) {
            action = Act::NoOp;
        }
        if drawn.contains('\n') {
            format!(
                "jsonencode({whitespace}\n{}{}{drawn}\n{}{}){}",
                indent(depth + 1),
                mark(action),
                indent(depth),
                mark(Act::NoOp),
                null_suffix(self.action, opts)
            )
        } else {
            format!("jsonencode({drawn}){whitespace}")
        }
    }

    fn list(&self, elements: &[Diff], depth: usize, opts: Opts) -> String {
        if elements.is_empty() {
            return format!("[]{}", null_suffix(self.action, opts));
        }
        let element_opts = opts.without_null_suffix();
        let unchanged_opts = opts.showing_unchanged();
        let pad = indent(depth + 1);
        let mut out = String::from("[\n");
        let mut unchanged: Vec<&Diff> = Vec::new();
        let mut next_too = false;
        for element in elements {
            if element.action == Act::NoOp && !next_too && !opts.show_unchanged {
                unchanged.push(element);
                continue;
            }
            next_too = false;
            // One unchanged element of context on each side of a change.
            if unchanged.len() > 1 {
                let count = hidden("element", unchanged.len() - 1);
                out.push_str(&format!("{pad}{}{count}\n", mark(Act::NoOp)));
            }
            if let Some(last) = unchanged.last() {
                out.push_str(&format!(
                    "{pad}{}{},\n",
                    mark(last.action),
                    last.draw(depth + 1, unchanged_opts)
                ));
            }
            unchanged.clear();
            let this_opts = if element.action == Act::NoOp {
                unchanged_opts
            } else {
                next_too = true;
                element_opts
            };
            out.push_str(&format!(
                "{pad}{}{},\n",
                mark(element.action),
                element.draw(depth + 1, this_opts)
            ));
        }
        if !unchanged.is_empty() {
            out.push_str(&format!(
                "{pad}{}{}\n",
                mark(Act::NoOp),
                hidden("element", unchanged.len())
            ));
        }
        out.push_str(&format!(
            "{}{}]{}",
            indent(depth),
            mark(Act::NoOp),
            null_suffix(self.action, opts)
        ));
        out
    }

    fn object(&self, members: &[(String, Diff)], depth: usize, opts: Opts) -> String {
        if members.is_empty() {
            return format!("{{}}{}", null_suffix(self.action, opts));
        }
        let member_opts = opts.without_null_suffix();
        let keys: Vec<String> = members.iter().map(|(k, _)| key(k)).collect();
        let width = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
        let pad = indent(depth + 1);
        let mut out = String::from("{\n");
        let mut unchanged = 0;
        for ((name, member), key) in members.iter().zip(&keys) {
            let member_opts = if IMPORTANT.contains(&name.as_str()) {
                member_opts.showing_unchanged()
            } else if member.action == Act::NoOp && !opts.show_unchanged {
                unchanged += 1;
                continue;
            } else {
                member_opts
            };
            let drawn = member.draw(depth + 1, member_opts);
            out.push_str(&format!(
                "{pad}{}{key:<width$} = {drawn}\n",
                mark(member.action)
            ));
        }
        if unchanged > 0 {
            out.push_str(&format!(
                "{pad}{}{}\n",
                mark(Act::NoOp),
                hidden("attribute", unchanged)
            ));
        }
        out.push_str(&format!(
            "{}{}}}{}",
            indent(depth),
            mark(Act::NoOp),
            null_suffix(self.action, opts)
        ));
        out
    }
}

/// Keys Terraform always shows, changed or not.
const IMPORTANT: [&str; 3] = ["id", "name", "tags"];

/// Two texts' lines diffed as a heredoc's: along their longest common
/// subsequence, a changed line as its old one removed and its new one added.
fn changed_lines(before: &str, after: &str, depth: usize) -> Vec<String> {
    let (old, new): (Vec<&str>, Vec<&str>) =
        (before.split('\n').collect(), after.split('\n').collect());
    let line = |action: Act, text: &str| format!("{}{}{text}", indent(depth + 1), mark(action));
    let mut lines = Vec::new();
    pairs(
        &old,
        &new,
        |_| false,
        |i, j| match (old.get(i), new.get(j)) {
            (None, Some(y)) => lines.push(line(Act::Create, y)),
            (Some(x), None) => lines.push(line(Act::Delete, x)),
            (Some(x), Some(y)) if x != y => {
                lines.push(line(Act::Delete, x));
                lines.push(line(Act::Create, y));
            }
            (Some(x), Some(_)) => lines.push(line(Act::NoOp, x)),
            (None, None) => {}
        },
    );
    lines
}

/// The lines of a text, each as an unchanged line of a heredoc.
fn unchanged_lines(text: &str, depth: usize) -> Vec<String> {
    text.split('\n')
        .map(|l| format!("{}{}{l}", indent(depth + 1), mark(Act::NoOp)))
        .collect()
}

/// A value that is not text or a collection, as JSON writes it.
fn scalar(v: Option<&Value>) -> String {
    v.map_or_else(|| "null".to_owned(), |v| super::whole(v).to_string())
}

/// A string side of a change, as Terraform sees it.
struct Text {
    text: String,
    json: Option<Value>,
    multiline: bool,
    null: bool,
}

impl Text {
    const NONE: Text = Text {
        text: String::new(),
        json: None,
        multiline: false,
        null: false,
    };

    fn of(v: Option<&Value>) -> Text {
        let Some(Value::String(s)) = v else {
            return Text {
                text: "null".to_owned(),
                null: true,
                ..Text::NONE
            };
        };
        if s.starts_with(['{', '[']) {
            // The first value in the text, as Terraform's reader takes it.
            let mut values = serde_json::Deserializer::from_str(s).into_iter::<Value>();
            if let Some(Ok(json)) = values.next() {
                return Text {
                    text: s.clone(),
                    json: Some(super::whole(&json)),
                    ..Text::NONE
                };
            }
        }
        if s.contains('\n') {
            return Text {
                text: s.trim().to_owned(),
                multiline: true,
                ..Text::NONE
            };
        }
        Text {
            text: s.clone(),
            ..Text::NONE
        }
    }

    /// The JSON it holds, as one side of a change.
    fn side(&self, explicit: bool) -> Side<'_> {
        Side {
            value: self.json.as_ref().filter(|v| !v.is_null()),
            explicit,
        }
    }

    fn simple(&self) -> String {
        if self.null {
            self.text.clone()
        } else {
            quoted(&self.text)
        }
    }
}

/// Text quoted as Go's `%q` quotes it (what Terraform prints).
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An object key as Terraform writes it: bare when it is an identifier.
pub fn key(name: &str) -> String {
    if crate::names::is_identifier(name) {
        name.to_owned()
    } else {
        quoted(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_value_known_only_after_apply_shows_what_it_was() {
        assert_eq!(Diff::unknown(None).render(), "(known after apply)");
        let was = json!(["a"]);
        let diff = Diff::unknown(Some(&was));
        assert_eq!(diff.action, Act::Update);
        assert_eq!(
            diff.render(),
            "[\n      - \"a\",\n    ] -> (known after apply)"
        );
    }

    #[test]
    fn the_longest_common_subsequence_keeps_order() {
        let common = lcs(&[1, 2, 3, 4, 5], &[2, 9, 4, 5, 1]);
        assert_eq!(common, [&2, &4, &5]);
        assert!(lcs::<i32>(&[], &[1]).is_empty());
    }
}

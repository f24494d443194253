//! Instances of the table-driven types typed from their table: each
//! argument by its kind (text, bool, an id that may refer to a managed
//! instance, a write-only secret), then the few checks Kasm's rules add.

use super::access::Attrs;
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::lang::lifecycle;
use crate::lang::raw::RawResource;
use crate::model::Secret;
use crate::object::ObjectSpec;
use crate::schema::Presence;
use crate::schema::tables::{Arg, Block};
use serde_json::Value;
use std::collections::BTreeMap;

/// An instance of a table-driven type, typed.
pub struct Typed {
    /// Its spec; none after an error (or when nothing was read from Kasm).
    pub spec: Option<ObjectSpec>,
    /// Its lifecycle says `prevent_destroy = true`: a plan that would
    /// delete it is refused while its block says so, as Terraform's.
    pub protected: bool,
}

/// Types an instance of a table-driven type, its lifecycle block included.
/// `unread`: nothing was read from Kasm, so an id known only after reading
/// is accepted (and no spec made).
pub fn object_spec(
    table: &'static Block,
    r: &RawResource,
    address: &str,
    unread: bool,
    out: &mut Vec<Diagnostic>,
) -> Typed {
    let allowed: Vec<&str> = table.settable().collect();
    let computed: Vec<&str> = table
        .arguments
        .iter()
        .filter(|arg| arg.presence == Presence::Computed)
        .map(|arg| arg.name)
        .collect();
    let subject = lifecycle::Subject {
        type_name: table.type_name,
        arguments: &allowed,
        also: &computed,
        no_create_first: "a replace deletes before it creates",
    };
    let read = lifecycle::read(
        r.lifecycle.as_deref(),
        r.file.as_deref(),
        &subject,
        address,
        out,
    );
    let ignore_changes = read.ignore_changes.names(&subject);
    Typed {
        spec: typed_spec(table, &allowed, r, address, unread, ignore_changes, out),
        protected: read.prevent_destroy,
    }
}

/// The spec of an instance of a table-driven type (`allowed`: the
/// arguments a configuration may set).
fn typed_spec(
    table: &'static Block,
    allowed: &[&str],
    r: &RawResource,
    address: &str,
    unread: bool,
    ignore_changes: Vec<String>,
    out: &mut Vec<Diagnostic>,
) -> Option<ObjectSpec> {
    let mut a = Attrs::new(r, address, allowed, out);
    let mut spec = ObjectSpec {
        address: address.to_owned(),
        resource_type: table.type_name,
        values: serde_json::Map::new(),
        refs: BTreeMap::new(),
        secrets: BTreeMap::new(),
        ignore_changes,
    };
    one_of(table, &mut a);
    for arg in table
        .arguments
        .iter()
        .filter(|arg| arg.presence != Presence::Computed)
    {
        let name = arg.name;
        if arg.presence == Presence::Required && !a.has(name) {
            a.fail(
                name,
                Code::MissingRequired,
                format!("`{name}` is required"),
                &format!("add {}", example(arg)),
            );
            continue;
        }
        if !a.has(name) {
            continue;
        }
        if let Some(type_name) = arg.refers_to {
            if let Some(target) = a.target(name, type_name, unread) {
                spec.refs.insert(name.to_owned(), target);
            }
            continue;
        }
        let value = match arg.value_type {
            "bool" => a.boolean(name).map(Value::Bool),
            "number" => whole_number(&mut a, name, arg.range).map(Value::from),
            "list(string)" => groups_list(&mut a, name),
            "map(string)" => string_map(&mut a, name),
            _ => a.string(name, false).map(Value::String),
        };
        let Some(value) = value else { continue };
        if let (Some(max), Value::String(s)) = (arg.max_length, &value)
            && s.chars().count() > max as usize
        {
            a.fail(
                name,
                Code::TooLong,
                format!(
                    "`{name}` is {} characters; Kasm keeps {max}",
                    s.chars().count()
                ),
                "shorten it: Kasm would cut it, and every plan would show the difference",
            );
            continue;
        }
        match (arg.write_only, value) {
            (true, Value::String(secret)) => {
                spec.secrets.insert(name.to_owned(), Secret::new(secret));
            }
            (_, value) => {
                spec.values.insert(name.to_owned(), value);
            }
        }
    }
    if let Some(Value::String(username)) = spec.values.get("username")
        && username.trim().to_lowercase() != *username
    {
        a.fail(
            "username",
            Code::WrongType,
            format!("`username` = \"{username}\" is not as Kasm stores it"),
            &format!(
                "write \"{}\": Kasm trims and lower-cases usernames",
                username.trim().to_lowercase()
            ),
        );
    }
    a.finish()?;
    Some(spec)
}

/// Exactly one of the table's `one_of` arguments must be given (a null
/// one is not given, as in Terraform).
fn one_of(table: &Block, a: &mut Attrs) {
    let [first, rest @ ..] = table.one_of else {
        return;
    };
    let given = table.one_of.iter().filter(|n| a.has_value(n)).count();
    let others: Vec<String> = rest.iter().map(|n| format!("`{n}`")).collect();
    let message = match given {
        1 => return,
        0 => format!("`{first}` (or {}) is required", others.join(", ")),
        _ => format!("give either `{first}` or {}, not both", others.join(", ")),
    };
    let choices: Vec<String> = table
        .one_of
        .iter()
        .filter_map(|n| table.argument(n))
        .map(example)
        .collect();
    a.fail(
        first,
        Code::MissingRequired,
        message,
        &format!("write one of {}", choices.join("; ")),
    );
}

/// How an argument is written: `group_id = kasm_group.<name>.id`, or an id.
fn example(arg: &Arg) -> String {
    let name = arg.name;
    match (arg.refers_to, arg.value_type) {
        (Some(t), _) => format!("`{name} = {t}.<name>.id` (or an id)"),
        (None, "string") => format!("`{name} = \"...\"`"),
        (None, _) => format!("`{name} = ...`"),
    }
}

/// A whole number within the argument's range (a group's `priority`).
fn whole_number(a: &mut Attrs, name: &str, range: Option<(i64, i64)>) -> Option<i64> {
    let n = a.integer(name)?;
    match range {
        Some((lo, hi)) if !(lo..=hi).contains(&n) => {
            a.fail(
                name,
                Code::WrongType,
                format!("`{name}` must be from {lo} to {hi}, not {n}"),
                &format!("write a whole number from {lo} to {hi}"),
            );
            None
        }
        _ => Some(n),
    }
}

/// An object whose values are all text (`environment`).
fn string_map(a: &mut Attrs, name: &str) -> Option<Value> {
    let value = a.value(name)?.clone();
    let texts = value
        .as_object()
        .is_some_and(|o| o.values().all(Value::is_string));
    if !texts {
        a.fail(
            name,
            Code::WrongType,
            format!("`{name}` must be a map of strings"),
            "write `{ NAME = \"value\" }`",
        );
        return None;
    }
    Some(value)
}

/// A user's `groups`: the names of its groups, each once. Whether the list
/// may stand beside `kasm_group_membership` blocks is the plan's question.
fn groups_list(a: &mut Attrs, name: &str) -> Option<Value> {
    let value = a.value(name)?.clone();
    let names: Option<Vec<&str>> = value
        .as_array()
        .and_then(|items| items.iter().map(Value::as_str).collect());
    let Some(names) = names else {
        a.fail(
            name,
            Code::WrongType,
            format!("`{name}` must be a list of group names"),
            "write `groups = [\"Developers\"]`, or `groups = []`",
        );
        return None;
    };
    let mut seen = std::collections::BTreeSet::new();
    if let Some(twice) = names.iter().find(|n| !seen.insert(**n)) {
        a.fail(
            name,
            Code::WrongType,
            format!("`{name}` lists \"{twice}\" twice"),
            "list each group once",
        );
        return None;
    }
    Some(value)
}

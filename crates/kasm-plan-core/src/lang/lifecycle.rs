//! A resource's `lifecycle` block, read the same way for every type:
//! `prevent_destroy` (true or false), `ignore_changes` (a list of the
//! type's attribute names, or `all`) and `create_before_destroy`
//! (accepted with a warning: kasm-plan never creates a replacement first).
//! Every problem is reported; what is valid is still used.

use crate::diagnostic::{Code, Diagnostic, describe};
use crate::lang::raw::{RawAttribute, RawValue};
use crate::names::did_you_mean;
use serde_json::Value;

/// What a type's `lifecycle` may name.
pub struct Subject<'a> {
    /// `kasm_group`, for messages.
    pub type_name: &'a str,
    /// The arguments `ignore_changes` may list; `all` is all of them.
    pub arguments: &'a [&'a str],
    /// Attributes it may also list, to no effect (computed ones).
    pub also: &'a [&'a str],
    /// Why `create_before_destroy` does nothing for this type.
    pub no_create_first: &'static str,
}

/// A lifecycle block as read.
#[derive(Debug, Default, PartialEq)]
pub struct Lifecycle {
    /// `prevent_destroy = true`.
    pub prevent_destroy: bool,
    /// What `ignore_changes` names.
    pub ignore_changes: Ignored,
}

/// What `ignore_changes` leaves alone.
#[derive(Debug, Default, PartialEq)]
pub enum Ignored {
    #[default]
    Nothing,
    /// `ignore_changes = all`.
    All,
    /// The listed names, each one of the subject's.
    Names(Vec<String>),
}

/// Reads the lifecycle block of the resource at `address` (`block`: its
/// arguments, none without one) for `subject`, reporting each problem there.
pub fn read(
    block: Option<&[RawAttribute]>,
    file: Option<&str>,
    subject: &Subject,
    address: &str,
    out: &mut Vec<Diagnostic>,
) -> Lifecycle {
    let mut lifecycle = Lifecycle::default();
    for attr in block.unwrap_or_default() {
        let mut report = |d: Diagnostic| {
            let mut d = d
                .at(address, &format!("lifecycle.{}", attr.key))
                .located(attr.location);
            d.file = file.map(str::to_owned);
            out.push(d);
        };
        let Some(value) = literal(attr, &mut report) else {
            continue;
        };
        match (&*attr.key, value) {
            ("prevent_destroy", Value::Bool(b)) => lifecycle.prevent_destroy = *b,
            ("prevent_destroy", other) => report(invalid(
                format!(
                    "prevent_destroy must be true or false, not {}",
                    describe(other)
                ),
                example("prevent_destroy"),
            )),
            ("ignore_changes", Value::String(all)) if all == "all" => {
                lifecycle.ignore_changes = Ignored::All;
            }
            ("ignore_changes", Value::Array(items)) => {
                let names = listed(items, subject, &mut report);
                lifecycle.ignore_changes = Ignored::Names(names);
            }
            ("ignore_changes", other) => report(invalid(
                format!(
                    "ignore_changes must be a list of attribute names or `all`, not {}",
                    describe(other)
                ),
                example("ignore_changes"),
            )),
            ("create_before_destroy", _) => report(
                Diagnostic::warning(
                    Code::LifecycleInvalid,
                    format!(
                        "create_before_destroy has no effect: {}",
                        subject.no_create_first
                    ),
                )
                .help("remove it"),
            ),
            (other, _) => report(invalid(
                format!("lifecycle has no `{other}` that kasm-plan supports"),
                "kasm-plan supports ignore_changes and prevent_destroy",
            )),
        }
    }
    lifecycle
}

impl Ignored {
    /// The names left alone: `all` is every argument of the subject.
    pub fn names(self, subject: &Subject) -> Vec<String> {
        match self {
            Ignored::Nothing => Vec::new(),
            Ignored::All => subject.arguments.iter().map(|a| (*a).to_owned()).collect(),
            Ignored::Names(names) => names,
        }
    }
}

/// The attribute's value, when it is one known before apply (lifecycle
/// takes literals only, as Terraform's does).
fn literal<'a>(attr: &'a RawAttribute, report: &mut impl FnMut(Diagnostic)) -> Option<&'a Value> {
    let key = &attr.key;
    let message = match &attr.value {
        RawValue::Static(value) => return Some(value),
        RawValue::Reported => return None,
        RawValue::Invalid(why) => why.clone(),
        // Not made here: lifecycle's arguments are evaluated to values.
        RawValue::Object(o) => format!("`lifecycle.{key}` cannot be the object {}", o.as_str()),
        RawValue::Pending(_) => {
            format!("`lifecycle.{key}` cannot use an id known only after apply")
        }
        RawValue::NotStatic(why) => format!("`lifecycle.{key}` cannot be evaluated: {why}"),
    };
    report(invalid(message, example(key)));
    None
}

/// How an argument of the block is written.
fn example(key: &str) -> &'static str {
    match key {
        "prevent_destroy" => "write `prevent_destroy = true`",
        "ignore_changes" => "write `ignore_changes = [description]` or `ignore_changes = all`",
        _ => "use literal values in lifecycle",
    }
}

/// The names an `ignore_changes` list gives, each checked against the subject's.
fn listed(items: &[Value], subject: &Subject, report: &mut impl FnMut(Diagnostic)) -> Vec<String> {
    let mut names = Vec::new();
    for item in items {
        let Some(name) = item.as_str() else {
            report(invalid(
                format!(
                    "ignore_changes items must be attribute names, not {}",
                    describe(item)
                ),
                "write `ignore_changes = [description]`",
            ));
            continue;
        };
        if subject.arguments.contains(&name) {
            names.push(name.to_owned());
        } else if !subject.also.contains(&name) {
            let known = subject.arguments.iter().chain(subject.also).copied();
            let help = did_you_mean(name, known).map_or_else(
                || format!("{} has {}", subject.type_name, subject.arguments.join(", ")),
                |m| format!("did you mean `{m}`?"),
            );
            report(invalid(
                format!(
                    "ignore_changes names `{name}`, which {} does not have",
                    subject.type_name
                ),
                &help,
            ));
        }
    }
    names
}

fn invalid(message: String, help: &str) -> Diagnostic {
    Diagnostic::error(Code::LifecycleInvalid, message).help(help)
}

//! Rego policies, evaluated by regorus built without std (no clock, no
//! randomness).
//!
//! Conftest conventions: `deny`, `violation` (hard-mandatory) and `warn`
//! (advisory), and every rule named `deny_*`, `violation_*` or `warn_*`, are
//! sets of messages (strings, or objects with `msg` and optionally `address`
//! and `path`), read against Terraform-shaped plan JSON. `exception[rules]`
//! excepts the rules it names (`"x"` for `deny_x`, `""` for `deny`). A
//! package that defines none of them is a warning, never a silent pass.
//! Policies written before OPA 1.0 (`deny[msg] { ... }`) are read as Rego v0
//! when they do not parse as v1 (or when asked). `data` documents are loaded
//! under `data.`. A policy file's `policy` blocks name other queries and set
//! their levels.
//!
//! Runaway policies: regorus's execution timer asks a time source every
//! [`CHECK_INTERVAL`] steps. The core has no clock, so its time source counts
//! those checks instead: the "time limit" becomes a step budget, the same on
//! every platform, shared by all the queries of one evaluation. The host's
//! epoch deadline still bounds wall time.

use crate::diagnostic::{Code, Diagnostic};
use crate::policy::{
    Failure, Level, RegoModule as Module, RegoOutcome as Outcome, RegoQuery, RegoSettings,
    RegoVersion,
};
use core::num::NonZeroU32;
use core::time::Duration;
use serde_json::Value;
use std::cell::Cell;

/// Largest Rego file accepted, in bytes.
pub const MAX_POLICY_BYTES: usize = 256 * 1024;

/// Largest input (plan JSON or specs) accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// The deepest nesting of brackets a policy may have: regorus's parser takes
/// time exponential in the depth of unclosed brackets (found by fuzzing), and
/// real policies nest far less.
pub const MAX_NESTING: usize = 16;

/// Interpreter steps between two looks at the budget.
const CHECK_INTERVAL: u32 = 1024;

/// Conftest's rules, read from every package when the policy file names no
/// queries (the bare name or `<name>_*`), and how a message from each counts.
const CONFTEST_RULES: &[(&str, Level)] = &[
    ("deny", Level::HardMandatory),
    ("violation", Level::HardMandatory),
    ("warn", Level::Advisory),
];

/// The level of a rule Conftest reads, if it reads it.
fn conftest_level(rule: &str) -> Option<Level> {
    CONFTEST_RULES.iter().find_map(|(name, level)| {
        let prefixed = rule
            .strip_prefix(name)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('_'));
        prefixed.then_some(*level)
    })
}

thread_local! {
    /// Budget checks made on this thread: the step clock's "now".
    static CHECKS: Cell<u64> = const { Cell::new(0) };
}

/// regorus's time source in the core: one "nanosecond" per budget check.
struct StepClock;

impl regorus::utils::limits::TimeSource for StepClock {
    fn now(&self) -> Option<Duration> {
        let checks = CHECKS.with(|c| {
            c.set(c.get() + 1);
            c.get()
        });
        Some(Duration::from_nanos(checks))
    }
}

static STEP_CLOCK: StepClock = StepClock;

fn install_step_clock() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Only this module sets it, once; a second setter would be a bug here.
        let _ = regorus::utils::limits::set_time_source(&STEP_CLOCK);
    });
}

fn failed(e: &dyn std::fmt::Display, file: Option<&str>) -> Box<Diagnostic> {
    let mut d = Diagnostic::error(Code::InvalidPolicy, format!("the Rego policy failed: {e}"))
        .help("Conftest style: `package main`, `deny contains msg if { ... }` (Rego v1) or `deny[msg] { ... }` (v0, `--rego-version v0`), `warn`, `violation`, `deny_*`");
    d.file = file.map(str::to_owned);
    Box::new(d)
}

/// Evaluates the Rego `modules` (one policy: packages may span files and
/// import each other) against `input`: the `queries` given, or Conftest's
/// rules of every package.
pub fn evaluate(
    modules: &[Module<'_>],
    queries: &[RegoQuery],
    input: &Value,
    max_steps: u64,
    options: RegoSettings<'_>,
) -> Result<(Vec<Outcome>, Vec<Diagnostic>), Box<Diagnostic>> {
    install_step_clock();
    let (mut engine, packages) = engine_with(modules, options.version)?;
    if let Some(data) = options.data {
        if !data.is_object() {
            return Err(failed(
                &"`data` must be a JSON object (its keys go under `data.`)",
                None,
            ));
        }
        engine
            .add_data_json(&data.to_string())
            .map_err(|e| failed(&format!("the data documents: {e}"), None))?;
    }
    set_input(&mut engine, input)?;
    let mut budget = Budget {
        max_steps,
        checks_left: max_steps.div_ceil(u64::from(CHECK_INTERVAL)),
    };
    let mut notes = Vec::new();
    let outcomes = if queries.is_empty() {
        conftest_outcomes(&mut engine, &packages, &mut budget, &mut notes)?
    } else {
        unnamed_rules(&packages, queries, &mut notes);
        query_outcomes(&mut engine, &packages, queries, &mut budget)?
    };
    Ok((outcomes, notes))
}

/// An engine with the modules loaded in the version asked for; unasked, v1,
/// then v0 when v1 cannot parse them (policies written before OPA 1.0).
fn engine_with<'a>(
    modules: &[Module<'a>],
    version: Option<RegoVersion>,
) -> Result<(regorus::Engine, Packages<'a>), Box<Diagnostic>> {
    let attempt = |v0: bool| {
        let mut engine = regorus::Engine::new();
        engine.set_rego_v0(v0);
        load(&mut engine, modules).map(|packages| (engine, packages))
    };
    match version {
        Some(v) => attempt(v == RegoVersion::V0),
        None => attempt(false).or_else(|v1_error| attempt(true).map_err(|_| v1_error)),
    }
}

/// The loaded packages, each with the modules that define it.
struct Packages<'a>(Vec<(String, Vec<Module<'a>>)>);

impl Packages<'_> {
    /// The files defining the package a query reads, as one text.
    fn files_of(&self, query: &str) -> String {
        self.0
            .iter()
            .filter(|(p, _)| query.starts_with(&format!("{p}.")))
            .flat_map(|(_, modules)| modules.iter().map(|m| m.file))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The rules a package's modules declare: the names that open a line
/// (`deny_x contains msg if`, `deny[msg] {`, `default allow := false`), as
/// `opa fmt` writes every rule head. A name that is not a rule is harmless:
/// its query is undefined and skipped.
fn declared_rules(modules: &[Module<'_>]) -> std::collections::BTreeSet<String> {
    let identifier = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    modules
        .iter()
        .flat_map(|m| m.text.lines())
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        .map(|l| match l.strip_prefix("default ") {
            Some(rest) => identifier(rest.trim_start()),
            None => identifier(l),
        })
        .filter(|n| !matches!(n.as_str(), "package" | "import" | "default" | ""))
        .collect()
}

/// Adds every module (each within the size cap) to the engine.
fn load<'a>(
    engine: &mut regorus::Engine,
    modules: &[Module<'a>],
) -> Result<Packages<'a>, Box<Diagnostic>> {
    let mut packages: Vec<(String, Vec<Module<'a>>)> = Vec::new();
    for m in modules {
        if m.text.len() > MAX_POLICY_BYTES {
            let size = m.text.len();
            return Err(failed(
                &format!("it is {size} bytes; at most {MAX_POLICY_BYTES} are accepted"),
                Some(m.file),
            ));
        }
        let depth = nesting(m.text);
        if depth > MAX_NESTING {
            return Err(failed(
                &format!("it nests brackets {depth} deep; at most {MAX_NESTING} are accepted"),
                Some(m.file),
            ));
        }
        let package = engine
            .add_policy(m.file.to_owned(), m.text.to_owned())
            .map_err(|e| failed(&e, Some(m.file)))?;
        match packages.iter_mut().find(|(p, _)| *p == package) {
            Some((_, modules)) => modules.push(*m),
            None => packages.push((package, vec![*m])),
        }
    }
    Ok(Packages(packages))
}

/// The deepest nesting of `(`, `[` and `{` outside strings and comments.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '#' => {
                chars.by_ref().find(|c| *c == '\n');
            }
            '`' => {
                chars.by_ref().find(|c| *c == '`');
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    deepest
}

/// Gives the engine its input (within the size cap).
fn set_input(engine: &mut regorus::Engine, input: &Value) -> Result<(), Box<Diagnostic>> {
    let input = input.to_string();
    if input.len() > MAX_INPUT_BYTES {
        let size = input.len();
        return Err(failed(
            &format!("its input is {size} bytes; at most {MAX_INPUT_BYTES} are accepted"),
            None,
        ));
    }
    engine.set_input_json(&input).map_err(|e| failed(&e, None))
}

/// Conftest's rules of every package: `deny`, `violation`, `warn` and their
/// `_`-suffixed variants, each its own query, less those `exception` names. A
/// package with none is a warning.
fn conftest_outcomes(
    engine: &mut regorus::Engine,
    packages: &Packages<'_>,
    budget: &mut Budget,
    notes: &mut Vec<Diagnostic>,
) -> Result<Vec<Outcome>, Box<Diagnostic>> {
    let mut out = Vec::new();
    for (package, modules) in &packages.0 {
        let declared = declared_rules(modules);
        let excepted = if declared.contains("exception") {
            exceptions(run(engine, &format!("{package}.exception"), budget)?.as_ref())
        } else {
            std::collections::BTreeSet::new()
        };
        let mut read = 0;
        for rule in &declared {
            let Some(level) = conftest_level(rule) else {
                continue;
            };
            let query = format!("{package}.{rule}");
            // A name that is no rule (or a rule that yields nothing) is undefined.
            let Some(value) = run(engine, &query, budget)? else {
                continue;
            };
            read += 1;
            let suffix = rule.split_once('_').map_or("", |(_, s)| s);
            let failures = if excepted.contains(suffix) {
                Vec::new()
            } else {
                messages(&query, value)?
            };
            out.push(Outcome {
                id: query.trim_start_matches("data.").to_owned(),
                level,
                failures,
                file: packages.files_of(&query),
                query,
            });
        }
        if read == 0 {
            notes.push(checks_nothing(package, modules, &declared));
        }
    }
    Ok(out)
}

/// The warning for a package none of whose rules Conftest reads.
fn checks_nothing(
    package: &str,
    modules: &[Module<'_>],
    declared: &std::collections::BTreeSet<String>,
) -> Diagnostic {
    let names: Vec<&str> = declared.iter().map(String::as_str).collect();
    let mut d = Diagnostic::warning(
        Code::InvalidPolicy,
        format!(
            "package `{}` defines no `deny`, `violation` or `warn` rule (nor `deny_*`, `violation_*`, `warn_*`): it checks nothing",
            package.trim_start_matches("data.")
        ),
    )
    .help(if names.is_empty() {
        "Conftest reads `deny`, `violation` and `warn` rules and their `_`-suffixed variants".to_owned()
    } else {
        format!(
            "its rules are {}; Conftest reads `deny`, `violation` and `warn` rules and their `_`-suffixed variants",
            names.join(", ")
        )
    });
    d.file = modules.first().map(|m| m.file.to_owned());
    d
}

/// The rule suffixes `exception[rules]` names (`x` for `deny_x`).
fn exceptions(value: Option<&Value>) -> std::collections::BTreeSet<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|names| match names {
            Value::Array(items) => items.clone(),
            single => vec![single.clone()],
        })
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect()
}

/// With `policy` blocks, Conftest-named rules no block names are not run:
/// each is a warning, never a silent pass.
fn unnamed_rules(packages: &Packages<'_>, queries: &[RegoQuery], notes: &mut Vec<Diagnostic>) {
    for (package, modules) in &packages.0 {
        for rule in declared_rules(modules) {
            let query = format!("{package}.{rule}");
            if conftest_level(&rule).is_some() && !queries.iter().any(|q| q.query == query) {
                let mut d = Diagnostic::warning(
                    Code::InvalidPolicy,
                    format!(
                        "rule `{}` is not run: no `policy` block names it",
                        query.trim_start_matches("data.")
                    ),
                )
                .help(format!(
                    "add `policy \"<id>\" {{ query = \"{query}\" }}`, or remove the rule"
                ));
                d.file = modules.first().map(|m| m.file.to_owned());
                notes.push(d);
            }
        }
    }
}

/// The queries `policy` blocks name; one no package defines is an error.
fn query_outcomes(
    engine: &mut regorus::Engine,
    packages: &Packages<'_>,
    queries: &[RegoQuery],
    budget: &mut Budget,
) -> Result<Vec<Outcome>, Box<Diagnostic>> {
    queries
        .iter()
        .map(|q| {
            let Some(value) = run(engine, &q.query, budget)? else {
                return Err(failed(
                    &format!(
                        "policy `{}`: query `{}` is undefined: no loaded package defines that rule",
                        q.id, q.query
                    ),
                    None,
                ));
            };
            Ok(Outcome {
                id: q.id.clone(),
                level: q.level,
                query: q.query.clone(),
                file: packages.files_of(&q.query),
                failures: messages(&q.query, value)?,
            })
        })
        .collect()
}

/// The step budget of one evaluation, shared by its queries.
struct Budget {
    max_steps: u64,
    /// Budget checks (one per [`CHECK_INTERVAL`] steps) still allowed.
    checks_left: u64,
}

/// The query's value, or `None` when it is undefined. It may use what the
/// earlier queries left of the budget.
fn run(
    engine: &mut regorus::Engine,
    query: &str,
    budget: &mut Budget,
) -> Result<Option<Value>, Box<Diagnostic>> {
    let max_steps = budget.max_steps;
    let out_of_steps = || {
        failed(
            &format!(
                "the policy ran more than {max_steps} steps, and `{query}` was stopped (raise the step budget if the policy is meant to do that much)"
            ),
            None,
        )
    };
    if budget.checks_left == 0 {
        return Err(out_of_steps());
    }
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: Duration::from_nanos(budget.checks_left),
        check_interval: NonZeroU32::new(CHECK_INTERVAL).unwrap_or(NonZeroU32::MIN),
    });
    let before = CHECKS.with(Cell::get);
    let results = engine.eval_query(query.to_owned(), false);
    let used = CHECKS.with(Cell::get).saturating_sub(before);
    budget.checks_left = budget.checks_left.saturating_sub(used);
    let results = results.map_err(|e| {
        if e.chain()
            .any(|c| c.downcast_ref::<regorus::LimitError>().is_some())
            || e.to_string().contains("TimeLimitExceeded")
        {
            out_of_steps()
        } else {
            failed(&format!("`{query}`: {e}"), None)
        }
    })?;
    let Some(value) = results
        .result
        .first()
        .and_then(|r| r.expressions.first())
        .map(|e| &e.value)
    else {
        return Ok(None);
    };
    let json = value.to_json_str().map_err(|e| failed(&e, None))?;
    Ok(Some(
        serde_json::from_str(&json).map_err(|e| failed(&e, None))?,
    ))
}

/// A query's messages as failures; a query must yield a set of messages.
fn messages(query: &str, value: Value) -> Result<Vec<Failure>, Box<Diagnostic>> {
    let Value::Array(items) = value else {
        return Err(failed(
            &format!("`{query}` must be a set of messages, not {value}"),
            None,
        ));
    };
    Ok(items
        .into_iter()
        .map(|m| {
            let text = |key: &str| m.get(key).and_then(Value::as_str).map(str::to_owned);
            Failure {
                address: text("address"),
                path: text("path"),
                message: match &m {
                    Value::String(s) => s.clone(),
                    other => text("msg").unwrap_or_else(|| other.to_string()),
                },
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_rules_are_the_names_that_open_a_line() {
        let text = "package main\nimport rego.v1\n\ndeny_x contains msg if {\n  deny := 1\n}\ndeny[msg] {\n}\ndefault allow := false\nhelper(x) := x\n# warn_y\n";
        let found = declared_rules(&[Module {
            file: "p.rego",
            text,
        }]);
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            ["allow", "deny", "deny_x", "helper"]
        );
        assert_eq!(conftest_level("deny_x"), Some(Level::HardMandatory));
        assert_eq!(conftest_level("warn"), Some(Level::Advisory));
        assert_eq!(conftest_level("denied"), None);
        assert_eq!(conftest_level("violations"), None);
    }

    #[test]
    fn nesting_counts_brackets_outside_strings_and_comments() {
        assert_eq!(nesting("x := [{\"a\": (1)}]"), 3);
        assert_eq!(nesting("# [[[[[[\nx := \"[[[[\\\"[[\" + `[[[`"), 0);
        assert_eq!(nesting("den[[[[y"), 4);
    }
}

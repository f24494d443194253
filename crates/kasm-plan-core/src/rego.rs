//! Rego policies, evaluated by regorus built without std (no clock, no
//! randomness).
//!
//! Conftest conventions: `deny` and `violation` (hard-mandatory) and `warn`
//! (advisory) are sets of messages (strings, or objects with `msg` and
//! optionally `address` and `path`), read against Terraform-shaped plan JSON.
//! A policy file's `policy` blocks name other queries and set their levels.
//!
//! Runaway policies: regorus's execution timer asks a time source every
//! [`CHECK_INTERVAL`] steps. The core has no clock, so its time source counts
//! those checks instead: the "time limit" becomes a step budget, the same on
//! every platform, shared by all the queries of one evaluation. The host's
//! epoch deadline still bounds wall time.

use crate::diagnostic::{Code, Diagnostic};
use crate::policy::{Failure, Level, RegoModule as Module, RegoOutcome as Outcome, RegoQuery};
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
/// queries, and how a message from each counts.
const CONFTEST_RULES: &[(&str, Level)] = &[
    ("deny", Level::HardMandatory),
    ("violation", Level::HardMandatory),
    ("warn", Level::Advisory),
];

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
        .help("Conftest style: `package main`, `deny contains msg if { ... }`, `warn contains msg if { ... }`");
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
) -> Result<Vec<Outcome>, Box<Diagnostic>> {
    install_step_clock();
    let mut engine = regorus::Engine::new();
    let packages = load(&mut engine, modules)?;
    set_input(&mut engine, input)?;
    let mut budget = Budget {
        max_steps,
        checks_left: max_steps.div_ceil(u64::from(CHECK_INTERVAL)),
    };
    if queries.is_empty() {
        conftest_outcomes(&mut engine, &packages, &mut budget)
    } else {
        query_outcomes(&mut engine, &packages, queries, &mut budget)
    }
}

/// The loaded packages, each with the files that define it.
struct Packages<'a>(Vec<(String, Vec<&'a str>)>);

impl Packages<'_> {
    /// The files defining the package a query reads, as one text.
    fn files_of(&self, query: &str) -> String {
        self.0
            .iter()
            .filter(|(p, _)| query.starts_with(&format!("{p}.")))
            .flat_map(|(_, files)| files.iter().copied())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Adds every module (each within the size cap) to the engine.
fn load<'a>(
    engine: &mut regorus::Engine,
    modules: &[Module<'a>],
) -> Result<Packages<'a>, Box<Diagnostic>> {
    let mut packages: Vec<(String, Vec<&str>)> = Vec::new();
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
            Some((_, files)) => files.push(m.file),
            None => packages.push((package, vec![m.file])),
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

/// Conftest's rules (`deny`, `violation`, `warn`) of every package that defines them.
fn conftest_outcomes(
    engine: &mut regorus::Engine,
    packages: &Packages<'_>,
    budget: &mut Budget,
) -> Result<Vec<Outcome>, Box<Diagnostic>> {
    let mut out = Vec::new();
    for (package, _) in &packages.0 {
        for (rule, level) in CONFTEST_RULES {
            let query = format!("{package}.{rule}");
            // A Conftest rule the policy does not define is simply absent.
            let Some(value) = run(engine, &query, budget)? else {
                continue;
            };
            out.push(Outcome {
                id: query.trim_start_matches("data.").to_owned(),
                level: *level,
                failures: messages(&query, value)?,
                file: packages.files_of(&query),
                query,
            });
        }
    }
    Ok(out)
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
    fn nesting_counts_brackets_outside_strings_and_comments() {
        assert_eq!(nesting("x := [{\"a\": (1)}]"), 3);
        assert_eq!(nesting("# [[[[[[\nx := \"[[[[\\\"[[\" + `[[[`"), 0);
        assert_eq!(nesting("den[[[[y"), 4);
    }
}

//! Built-in policy rules on specs and plans, with Sentinel's enforcement
//! levels: advisory (reported), soft-mandatory (blocks unless overridden by
//! id), hard-mandatory (always blocks).
//!
//! A policy file is JSON (`{"rules": [{"id", "check", ...}], "policies": [...]}`)
//! or HCL (`rule "<id>" { check = "...", ... }` and `policy "<id>" { query = ... }`
//! blocks, the latter giving Rego queries their ids and levels).

use crate::access::policy as access;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::ImageSpec;
use crate::parse::Format;
use crate::plan::{Action, Plan, address_of};
use crate::reference;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// How a failed rule counts.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Reported, never blocks.
    Advisory,
    /// Blocks unless the run overrides the rule by id.
    SoftMandatory,
    /// Always blocks.
    #[default]
    HardMandatory,
}

/// What a rule checks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// `memory` at most `max_mb`.
    MaxMemory {
        /// MB.
        max_mb: i64,
    },
    /// `cores` at most `max`.
    MaxCores {
        /// Cores.
        max: f64,
    },
    /// The image's registry host matches one of the globs (Docker Hub is `docker.io`).
    AllowedRegistries {
        /// Globs, e.g. `registry.example.com`, `*.corp.example`.
        patterns: Vec<String>,
    },
    /// The image's repository (registry host and path, no tag) matches one of the globs.
    AllowedRepositories {
        /// Globs, e.g. `kasmweb/*`, `registry.example.com/team/*`.
        patterns: Vec<String>,
    },
    /// The tag is not one of these; `untagged` stands for no tag and no digest.
    ForbiddenTags {
        /// Tags, e.g. `latest`, `untagged`.
        tags: Vec<String>,
    },
    /// A non-empty `description`.
    RequireDescription {},
    /// `friendly_name` matches the glob.
    FriendlyNamePattern {
        /// A glob, e.g. `[A-Z]*`.
        pattern: String,
    },
    /// Matching addresses may not be updated or deleted.
    Protected {
        /// Address globs, e.g. `kasm_image.prod_*`.
        addresses: Vec<String>,
    },
    /// These plan actions are not allowed.
    ForbiddenActions {
        /// `create`, `update`, `delete`.
        actions: Vec<Action>,
    },
    /// The image is restricted to a zone or a server.
    RequireRestriction {},
    /// No image may be authorized for these groups (globs on group names or ids).
    ForbiddenGroups {
        /// Globs, e.g. `All Users`, `contractors-*`.
        groups: Vec<String>,
    },
    /// Every image is authorized for at least one group after the plan.
    RequireGroup {},
}

/// One rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Its id, named by `--override-policy`.
    pub id: String,
    /// What it checks.
    #[serde(flatten)]
    pub check: Check,
    /// How a failure counts.
    #[serde(default, alias = "enforcement_level")]
    pub level: Level,
    /// Shown on failure instead of the built-in text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A Rego query with its level, as in HCP Terraform's `policies.hcl`:
/// `policy "<id>" { query = "data.kasm.no_latest.deny", enforcement_level = "soft-mandatory" }`.
/// It yields a set of messages; each one is a failure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegoQuery {
    /// Its id, named by `--override-policy`.
    pub id: String,
    /// `data.<package>.<rule>`.
    pub query: String,
    /// How a failure counts.
    #[serde(default, alias = "enforcement_level")]
    pub level: Level,
}

/// A policy file: built-in rules, and levels for the Rego files beside it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The rules, in file order.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Rego queries and their levels; without any, Conftest's `deny`,
    /// `violation` and `warn` of every Rego package are read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<RegoQuery>,
}

/// The outcome of one rule for one address (or for all, when it passed).
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyResult {
    /// The rule's id.
    pub rule: String,
    /// Its level.
    pub level: Level,
    /// Whether it held.
    pub passed: bool,
    /// The resource concerned, for a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The field concerned, for a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What was found (or that it held).
    pub message: String,
    /// A soft-mandatory failure the run overrode.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overridden: bool,
    /// The file that defines the rule (for Rego, the `.rego` file or files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// For Rego, the query evaluated, e.g. `data.main.deny`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// One place a rule fails.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Failure {
    /// The resource concerned.
    pub address: Option<String>,
    /// The field concerned.
    pub path: Option<String>,
    /// What was found.
    pub message: String,
}

/// Where a rule comes from, for its results.
#[derive(Clone, Copy, Debug, Default)]
pub struct Origin<'a> {
    /// The file that defines it.
    pub file: Option<&'a str>,
    /// The Rego query.
    pub query: Option<&'a str>,
}

/// One `.rego` file.
#[derive(Clone, Copy, Debug)]
pub struct RegoModule<'a> {
    /// Its name, shown in results and errors.
    pub file: &'a str,
    /// Its text.
    pub text: &'a str,
}

/// The Rego language version (`v0`, `v1`; unset: v1, or v0 when v1 cannot
/// parse the policy), named here so builds without the engine accept it.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegoVersion {
    /// Before OPA 1.0: `deny[msg] { ... }`.
    V0,
    /// OPA 1.0 and later.
    V1,
}

/// How Rego policies are read besides their text.
#[derive(Clone, Copy, Debug, Default)]
pub struct RegoSettings<'a> {
    /// The language version.
    pub version: Option<RegoVersion>,
    /// Documents under `data.` (a JSON object).
    pub data: Option<&'a Value>,
}

/// What one query found.
#[derive(Clone, Debug)]
pub struct RegoOutcome {
    /// The rule id: the `policy` block's, or `<package>.<rule>`.
    pub id: String,
    /// How its failures count.
    pub level: Level,
    /// The query, e.g. `data.main.deny`.
    pub query: String,
    /// The file or files of the query's package.
    pub file: String,
    /// One per message.
    pub failures: Vec<Failure>,
}

/// Every result, and whether the run must stop.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyReport {
    /// Per rule: failures by address, or one pass.
    pub results: Vec<PolicyResult>,
    /// A hard-mandatory failure, or a soft-mandatory one not overridden.
    pub blocking: bool,
    /// The soft-mandatory rules this run overrode (and that did fail).
    pub overridden: Vec<String>,
}

impl PolicyReport {
    /// Records one rule's failures (none: one pass), applying its level and the run's overrides.
    pub fn record(
        &mut self,
        rule: &str,
        level: Level,
        origin: Origin<'_>,
        failures: Vec<Failure>,
        overrides: &[String],
    ) {
        let result = |passed, overridden, f: Failure| PolicyResult {
            rule: rule.to_owned(),
            level,
            passed,
            address: f.address,
            path: f.path,
            message: f.message,
            overridden,
            file: origin.file.map(str::to_owned),
            query: origin.query.map(str::to_owned),
        };
        if failures.is_empty() {
            let pass = Failure {
                message: "passed".into(),
                ..Failure::default()
            };
            self.results.push(result(true, false, pass));
            return;
        }
        let overridden = level == Level::SoftMandatory && overrides.iter().any(|o| o == rule);
        self.blocking |= match level {
            Level::Advisory => false,
            Level::SoftMandatory => !overridden,
            Level::HardMandatory => true,
        };
        if overridden && !self.overridden.iter().any(|o| o == rule) {
            self.overridden.push(rule.to_owned());
        }
        for f in failures {
            self.results.push(result(false, overridden, f));
        }
    }
}

/// Reads a policy file.
pub fn parse_policy(text: &str, format: Format) -> Result<Policy, Box<Diagnostic>> {
    let policy: Policy = match format {
        Format::Json => serde_json::from_str(text).map_err(|e| invalid(&e))?,
        Format::Hcl => {
            let body = hcl::parse(text).map_err(|e| invalid(&e))?;
            if let Some(a) = body.attributes().next() {
                let key = a.key();
                return Err(invalid(&format!(
                    "`{key}` is not a policy block (use `rule` or `policy`)"
                )));
            }
            let mut policy = Policy::default();
            for block in body.into_blocks() {
                match block.identifier() {
                    "rule" => policy.rules.push(labelled(block)?),
                    "policy" => policy.policies.push(labelled(block)?),
                    other => {
                        return Err(invalid(&format!(
                            "`{other}` is not a policy block (use `rule` or `policy`)"
                        )));
                    }
                }
            }
            policy
        }
    };
    let mut seen = std::collections::BTreeSet::new();
    let ids = policy.rules.iter().map(|r| &r.id);
    for id in ids.chain(policy.policies.iter().map(|p| &p.id)) {
        if !seen.insert(id) {
            return Err(invalid(&format!("rule `{id}` is defined twice")));
        }
    }
    for r in &policy.rules {
        for pattern in patterns(&r.check) {
            glob::Pattern::new(pattern).map_err(|e| {
                invalid(&format!("rule `{}`: pattern `{pattern}`: {}", r.id, e.msg))
            })?;
        }
    }
    for p in &policy.policies {
        if !p.query.starts_with("data.") {
            return Err(invalid(&format!(
                "policy `{}`: query `{}` must start with `data.` (e.g. `data.main.deny`)",
                p.id, p.query
            )));
        }
    }
    Ok(policy)
}

/// A policy file that cannot be read.
pub fn invalid(e: &dyn std::fmt::Display) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(Code::InvalidPolicy, format!("the policy cannot be read: {e}"))
        .help("a policy is {\"rules\": [{\"id\", \"check\", ...}], \"policies\": [{\"id\", \"query\", \"enforcement_level\"}]} or HCL `rule \"<id>\" { check = \"...\" }` and `policy \"<id>\" { query = \"data.main.deny\" }` blocks"))
}

/// A `kind "<id>" { ... }` block as a record with that id.
fn labelled<T: serde::de::DeserializeOwned>(block: hcl::Block) -> Result<T, Box<Diagnostic>> {
    let kind = block.identifier().to_owned();
    let [label] = block.labels() else {
        return Err(invalid(&format!(
            "a `{kind}` block needs one label, its id"
        )));
    };
    let id = label.as_str().to_owned();
    // Evaluated first, so `max_mb = 8 * 1024` is a number; references have nothing to name.
    let body = hcl::eval::Evaluate::evaluate(&block.body, &hcl::eval::Context::new())
        .map_err(|e| invalid(&format!("{kind} `{id}`: {e}")))?;
    let mut fields: Value =
        hcl::from_body(body).map_err(|e| invalid(&format!("{kind} `{id}`: {e}")))?;
    if let Value::Object(f) = &mut fields {
        f.insert("id".into(), Value::String(id.clone()));
    }
    serde_json::from_value(fields).map_err(|e| invalid(&format!("{kind} `{id}`: {e}")))
}

fn patterns(check: &Check) -> Vec<&str> {
    match check {
        Check::AllowedRegistries { patterns } | Check::AllowedRepositories { patterns } => {
            patterns.iter().map(String::as_str).collect()
        }
        Check::Protected { addresses } => addresses.iter().map(String::as_str).collect(),
        Check::ForbiddenGroups { groups } => groups.iter().map(String::as_str).collect(),
        Check::FriendlyNamePattern { pattern } => vec![pattern.as_str()],
        _ => Vec::new(),
    }
}

/// A rule's globs, compiled once per evaluation (they were checked when the file was read).
struct Globs(Vec<glob::Pattern>);

impl Globs {
    fn of(check: &Check) -> Self {
        Globs(
            patterns(check)
                .into_iter()
                .filter_map(|p| glob::Pattern::new(p).ok())
                .collect(),
        )
    }

    fn any(&self, text: &str) -> bool {
        self.0.iter().any(|p| p.matches(text))
    }
}

/// Evaluates `policy` on the desired specs (by name) and, for the rules on
/// actions, on `plan`. Soft-mandatory rules named in `overrides` do not block.
pub fn evaluate(
    policy: &Policy,
    desired: &BTreeMap<String, ImageSpec>,
    plan: Option<&Plan>,
    overrides: &[String],
) -> PolicyReport {
    let mut report = PolicyReport::default();
    evaluate_into(&mut report, policy, None, desired, plan, overrides);
    report
}

/// [`evaluate`], adding to `report`, with `file` as the rules' origin.
pub fn evaluate_into(
    report: &mut PolicyReport,
    policy: &Policy,
    file: Option<&str>,
    desired: &BTreeMap<String, ImageSpec>,
    plan: Option<&Plan>,
    overrides: &[String],
) {
    for rule in &policy.rules {
        let mut failures = failures(rule, desired, plan);
        if let Some(message) = &rule.message {
            for f in &mut failures {
                f.message.clone_from(message);
            }
        }
        let origin = Origin { file, query: None };
        report.record(&rule.id, rule.level, origin, failures, overrides);
    }
}

/// Each place the rule fails.
fn failures(
    rule: &Rule,
    desired: &BTreeMap<String, ImageSpec>,
    plan: Option<&Plan>,
) -> Vec<Failure> {
    let globs = Globs::of(&rule.check);
    let at = |address: &str, message: String| Failure {
        address: Some(address.to_owned()),
        path: None,
        message,
    };
    let actions: Vec<(&str, Action)> = plan.map(|p| p.actions().collect()).unwrap_or_default();
    match &rule.check {
        // A replace deletes too.
        Check::Protected { .. } => actions
            .iter()
            .filter(|(address, action)| {
                matches!(action, Action::Update | Action::Delete | Action::Replace)
                    && globs.any(address)
            })
            .map(|&(address, action)| {
                let word = action_word(action);
                at(
                    address,
                    format!("{address} is protected; the plan would {word} it"),
                )
            })
            .collect(),
        Check::ForbiddenActions { actions: forbidden } => actions
            .iter()
            .filter(|(_, action)| forbidden.contains(action))
            .map(|&(address, action)| {
                let word = action_word(action);
                at(
                    address,
                    format!("the plan would {word} {address}, which is not allowed"),
                )
            })
            .collect(),
        Check::ForbiddenGroups { .. } => plan
            .map(|p| access::forbidden_groups(p, &|g| globs.any(g)))
            .unwrap_or_default()
            .into_iter()
            .map(|(address, message)| at(&address, message))
            .collect(),
        Check::RequireGroup {} => plan
            .map(access::ungrouped_images)
            .unwrap_or_default()
            .into_iter()
            .map(|(address, message)| at(&address, message))
            .collect(),
        check => desired
            .iter()
            .filter_map(|(name, spec)| {
                let (field, found) = spec_failure(check, &globs, spec)?;
                let address = address_of(name);
                Some(Failure {
                    path: Some(format!("{address}.{field}")),
                    address: Some(address),
                    message: found,
                })
            })
            .collect(),
    }
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
        Action::NoOp => "leave",
        Action::Replace => "replace",
    }
}

/// The failing field and what was found, if `spec` breaks a spec rule.
fn spec_failure(check: &Check, globs: &Globs, spec: &ImageSpec) -> Option<(&'static str, String)> {
    match check {
        Check::MaxMemory { max_mb } => spec.memory.filter(|m| m > max_mb).map(|m| {
            (
                "memory",
                format!("memory is {m} MB; at most {max_mb} MB is allowed"),
            )
        }),
        Check::MaxCores { max } => spec
            .cores
            .filter(|c| c > max)
            .map(|c| ("cores", format!("cores is {c}; at most {max} is allowed"))),
        Check::AllowedRegistries { .. }
        | Check::AllowedRepositories { .. }
        | Check::ForbiddenTags { .. } => name_failure(check, globs, spec),
        Check::RequireDescription {} => spec
            .description
            .as_deref()
            .is_none_or(|d| d.trim().is_empty())
            .then(|| ("description", "no description".to_owned())),
        Check::FriendlyNamePattern { pattern } => (!globs.any(&spec.friendly_name)).then(|| {
            (
                "friendly_name",
                format!(
                    "friendly_name `{}` does not match `{pattern}`",
                    spec.friendly_name
                ),
            )
        }),
        Check::RequireRestriction {} => {
            let restricted =
                spec.restrict_to_zone == Some(true) || spec.restrict_to_server == Some(true);
            (!restricted).then(|| {
                (
                    "restrict_to_zone",
                    "not restricted to a zone or a server".to_owned(),
                )
            })
        }
        Check::Protected { .. }
        | Check::ForbiddenActions { .. }
        | Check::ForbiddenGroups { .. }
        | Check::RequireGroup {} => None,
    }
}

/// Where a spec's image reference (`name`) fails a check on registries,
/// repositories or tags.
fn name_failure(check: &Check, globs: &Globs, spec: &ImageSpec) -> Option<(&'static str, String)> {
    let image = reference::parse(&spec.name).ok();
    match check {
        Check::AllowedRegistries { .. } => {
            let host = image
                .as_ref()
                .map_or("docker.io", |r| r.domain.unwrap_or("docker.io"));
            (!globs.any(host)).then(|| ("name", format!("registry `{host}` is not allowed")))
        }
        Check::AllowedRepositories { .. } => {
            let repo = image
                .as_ref()
                .map_or(spec.name.clone(), |r| match r.domain {
                    Some(d) => format!("{d}/{}", r.path),
                    None => r.path.to_owned(),
                });
            (!globs.any(&repo)).then(|| ("name", format!("repository `{repo}` is not allowed")))
        }
        Check::ForbiddenTags { tags } => {
            let tag = match &image {
                Some(r) if r.tag.is_none() && r.digest.is_none() => "untagged".to_owned(),
                Some(r) => r.tag.unwrap_or_default().to_owned(),
                None => return None,
            };
            tags.contains(&tag).then(|| {
                (
                    "name",
                    format!("`{}` uses the forbidden tag `{tag}`", spec.name),
                )
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_blocks_keep_file_order_and_expressions_are_evaluated() {
        let text = "rule \"z\" {\n  check = \"max_memory\"\n  max_mb = 8 * 1024\n}\nrule \"a\" {\n  check = \"require_description\"\n}\npolicy \"m\" {\n  query = \"data.main.deny\"\n  enforcement_level = \"advisory\"\n}\n";
        let policy = parse_policy(text, Format::Hcl).unwrap_or_default();
        let ids: Vec<&str> = policy.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["z", "a"]);
        assert_eq!(
            policy.rules.first().map(|r| &r.check),
            Some(&Check::MaxMemory { max_mb: 8192 })
        );
        assert_eq!(
            policy.policies.first().map(|p| p.level),
            Some(Level::Advisory)
        );
        let unknown = "rule \"z\" {\n  check = \"max_memory\"\n  max_mb = var.cap\n}\n";
        let err = parse_policy(unknown, Format::Hcl).err().map(|d| d.message);
        assert!(err.is_some_and(|m| m.contains("undefined variable `var`")));
    }
}

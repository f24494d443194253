//! Built-in policy rules on specs and plans, with Sentinel's enforcement
//! levels: advisory (reported), soft-mandatory (blocks unless overridden by
//! id), hard-mandatory (always blocks).
//!
//! A policy file is JSON (`{"rules": [{"id", "check", ...}]}`) or HCL
//! (`rule "<id>" { check = "...", ... }`).

use crate::diagnostic::{Code, Diagnostic};
use crate::model::ImageSpec;
use crate::parse::Format;
use crate::plan::{Action, Plan, address_of};
use crate::reference;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// How a failed rule counts.
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
    #[serde(default)]
    pub level: Level,
    /// Shown on failure instead of the built-in text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A policy: its rules.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// The rules, in file order.
    pub rules: Vec<Rule>,
}

/// The outcome of one rule for one address (or for all, when it passed).
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
}

impl PolicyResult {
    /// The one result of a rule that held everywhere.
    pub fn pass(rule: &str, level: Level) -> Self {
        PolicyResult {
            rule: rule.to_owned(),
            level,
            passed: true,
            address: None,
            path: None,
            message: "passed".into(),
            overridden: false,
        }
    }
}

/// Every result, and whether the run must stop.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyReport {
    /// Per rule: failures by address, or one pass.
    pub results: Vec<PolicyResult>,
    /// A hard-mandatory failure, or a soft-mandatory one not overridden.
    pub blocking: bool,
    /// The soft-mandatory rules this run overrode (and that did fail).
    pub overridden: Vec<String>,
}

/// Reads a policy file.
pub fn parse_policy(text: &str, format: Format) -> Result<Policy, Box<Diagnostic>> {
    let bad = |e: &dyn std::fmt::Display| {
        Box::new(Diagnostic::error(Code::InvalidPolicy, format!("the policy cannot be read: {e}"))
            .help("a policy is {\"rules\": [{\"id\", \"check\", ...}]} or HCL `rule \"<id>\" { check = \"...\" }` blocks"))
    };
    let policy: Policy = match format {
        Format::Json => serde_json::from_str(text).map_err(|e| bad(&e))?,
        Format::Hcl => {
            let body: Value = hcl::from_str(text).map_err(|e| bad(&e))?;
            let blocks = match body.get("rule") {
                Some(Value::Object(blocks)) => blocks.clone(),
                _ => Map::new(),
            };
            let rules = blocks
                .into_iter()
                .map(|(id, mut fields)| {
                    if let Value::Object(f) = &mut fields {
                        f.insert("id".into(), Value::String(id));
                    }
                    serde_json::from_value::<Rule>(fields)
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(&e))?;
            Policy { rules }
        }
    };
    let mut seen = std::collections::BTreeSet::new();
    for r in &policy.rules {
        if !seen.insert(r.id.as_str()) {
            return Err(bad(&format!("rule `{}` is defined twice", r.id)));
        }
        for pattern in patterns(&r.check) {
            glob::Pattern::new(pattern)
                .map_err(|e| bad(&format!("rule `{}`: pattern `{pattern}`: {}", r.id, e.msg)))?;
        }
    }
    Ok(policy)
}

fn patterns(check: &Check) -> Vec<&str> {
    match check {
        Check::AllowedRegistries { patterns } | Check::AllowedRepositories { patterns } => {
            patterns.iter().map(String::as_str).collect()
        }
        Check::Protected { addresses } => addresses.iter().map(String::as_str).collect(),
        Check::FriendlyNamePattern { pattern } => vec![pattern.as_str()],
        _ => Vec::new(),
    }
}

fn matches_any(globs: &[String], text: &str) -> bool {
    globs
        .iter()
        .any(|g| glob::Pattern::new(g).is_ok_and(|p| p.matches(text)))
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
    for rule in &policy.rules {
        let failures = failures(rule, desired, plan);
        let overridden = rule.level == Level::SoftMandatory && overrides.contains(&rule.id);
        if failures.is_empty() {
            report
                .results
                .push(PolicyResult::pass(&rule.id, rule.level));
            continue;
        }
        report.blocking |= match rule.level {
            Level::Advisory => false,
            Level::SoftMandatory => !overridden,
            Level::HardMandatory => true,
        };
        if overridden {
            report.overridden.push(rule.id.clone());
        }
        for (address, field, found) in failures {
            report.results.push(PolicyResult {
                rule: rule.id.clone(),
                level: rule.level,
                passed: false,
                path: field.map(|f| format!("{address}.{f}")),
                address: Some(address),
                message: rule.message.clone().unwrap_or(found),
                overridden,
            });
        }
    }
    report
}

/// `(address, field, what was found)` for each place the rule fails.
fn failures(
    rule: &Rule,
    desired: &BTreeMap<String, ImageSpec>,
    plan: Option<&Plan>,
) -> Vec<(String, Option<&'static str>, String)> {
    let mut out = Vec::new();
    match &rule.check {
        Check::Protected { addresses } => {
            for c in plan.map_or(&[][..], |p| &p.resource_changes) {
                if matches!(c.action, Action::Update | Action::Delete)
                    && matches_any(addresses, &c.address)
                {
                    out.push((
                        c.address.clone(),
                        None,
                        format!(
                            "{} is protected; the plan would {} it",
                            c.address,
                            action_word(c.action)
                        ),
                    ));
                }
            }
        }
        Check::ForbiddenActions { actions } => {
            for c in plan.map_or(&[][..], |p| &p.resource_changes) {
                if actions.contains(&c.action) {
                    out.push((
                        c.address.clone(),
                        None,
                        format!(
                            "the plan would {} {}, which is not allowed",
                            action_word(c.action),
                            c.address
                        ),
                    ));
                }
            }
        }
        check => {
            for (name, spec) in desired {
                if let Some((field, found)) = spec_failure(check, spec) {
                    out.push((address_of(name), Some(field), found));
                }
            }
        }
    }
    out
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
        Action::NoOp => "leave",
    }
}

/// The failing field and what was found, if `spec` breaks a spec rule.
fn spec_failure(check: &Check, spec: &ImageSpec) -> Option<(&'static str, String)> {
    let image = reference::parse(&spec.name).ok();
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
        Check::AllowedRegistries { patterns } => {
            let host = image
                .as_ref()
                .map_or("docker.io", |r| r.domain.unwrap_or("docker.io"));
            (!matches_any(patterns, host))
                .then(|| ("name", format!("registry `{host}` is not allowed")))
        }
        Check::AllowedRepositories { patterns } => {
            let repo = image
                .as_ref()
                .map_or(spec.name.clone(), |r| match r.domain {
                    Some(d) => format!("{d}/{}", r.path),
                    None => r.path.to_owned(),
                });
            (!matches_any(patterns, &repo))
                .then(|| ("name", format!("repository `{repo}` is not allowed")))
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
        Check::RequireDescription {} => spec
            .description
            .as_deref()
            .is_none_or(|d| d.trim().is_empty())
            .then(|| ("description", "no description".to_owned())),
        Check::FriendlyNamePattern { pattern } => {
            (!matches_any(std::slice::from_ref(pattern), &spec.friendly_name)).then(|| {
                (
                    "friendly_name",
                    format!(
                        "friendly_name `{}` does not match `{pattern}`",
                        spec.friendly_name
                    ),
                )
            })
        }
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
        Check::Protected { .. } | Check::ForbiddenActions { .. } => None,
    }
}

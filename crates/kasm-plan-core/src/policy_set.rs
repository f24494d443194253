//! A policy set: built-in rule files and Rego files checked as one, like an
//! HCP Terraform policy set (a `policies.hcl` with levels beside `.rego` files).

use crate::diagnostic::Diagnostic;
use crate::model::ImageSpec;
use crate::parse::Format;
use crate::plan::Plan;
use crate::policy::{self, Origin, Policy, PolicyReport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The language of a policy file.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyFormat {
    /// Built-in rules as JSON.
    Json,
    /// Built-in rules as HCL.
    Hcl,
    /// A Rego module.
    Rego,
}

/// One policy file.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyFile {
    /// Its text.
    pub source: String,
    /// Its language; guessed from `file_name` or the text when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<PolicyFormat>,
    /// Its name, shown in results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

impl PolicyFile {
    /// The given format, else the file name's, else the text's.
    pub fn format(&self) -> PolicyFormat {
        if let Some(f) = self.format {
            return f;
        }
        let name = self.file_name.as_deref().unwrap_or_default();
        if name.ends_with(".rego") {
            return PolicyFormat::Rego;
        }
        if !name.ends_with(".json") && !name.ends_with(".hcl") && starts_with_package(&self.source)
        {
            return PolicyFormat::Rego;
        }
        match Format::detect(self.file_name.as_deref(), &self.source) {
            Format::Json => PolicyFormat::Json,
            Format::Hcl => PolicyFormat::Hcl,
        }
    }

    /// Its name in results and errors: the file name, else its place in the set.
    fn label(&self, index: usize) -> String {
        self.file_name
            .clone()
            .unwrap_or_else(|| format!("policy file {}", index + 1))
    }
}

/// Rego begins with `package`, after comments.
fn starts_with_package(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with("package "))
}

/// What a check reads besides the policy files.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    /// The desired specs, by name.
    pub desired: &'a BTreeMap<String, ImageSpec>,
    /// The plan, for the rules on actions and as Rego's input.
    pub plan: Option<&'a Plan>,
    /// Soft-mandatory rules the run overrides.
    pub overrides: &'a [String],
    /// The Rego step budget, shared by the queries.
    pub max_steps: u64,
    /// The Rego version and `data` documents.
    pub rego: crate::policy::RegoSettings<'a>,
}

/// Checks every file of the set; unreadable files are errors, each naming its
/// file. Also returns warnings (a Rego package that checks nothing).
pub fn run(
    files: &[&PolicyFile],
    subject: Subject<'_>,
) -> Result<(PolicyReport, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (rules, rego) = read(files)?;
    let mut report = PolicyReport::default();
    for (p, file) in &rules {
        policy::evaluate_into(
            &mut report,
            p,
            Some(file),
            subject.desired,
            subject.plan,
            subject.overrides,
        );
    }
    let queries: Vec<_> = rules
        .iter()
        .flat_map(|(p, _)| p.policies.iter().cloned())
        .collect();
    if rego.is_empty() {
        let named = rules
            .iter()
            .find_map(|(p, file)| p.policies.first().map(|q| (q, file)));
        if let Some((q, file)) = named {
            let why = format!(
                "policy `{}` names the query `{}`, but no Rego file was given",
                q.id, q.query
            );
            let mut d = policy::invalid(&why);
            d.file = Some(file.clone());
            return Err(vec![*d]);
        }
        return Ok((report, Vec::new()));
    }
    let modules: Vec<_> = rego
        .iter()
        .map(|(file, text)| policy::RegoModule { file, text })
        .collect();
    let (outcomes, notes) = run_rego(&modules, &queries, subject).map_err(|d| vec![*d])?;
    for o in outcomes {
        let origin = Origin {
            file: Some(&o.file),
            query: Some(&o.query),
        };
        report.record(&o.id, o.level, origin, o.failures, subject.overrides);
    }
    Ok((report, notes))
}

/// A policy set's files read: the rule files parsed, with their names, and
/// the Rego files' names and texts. Every unreadable file is an error naming it.
type ReadSet<'a> = (Vec<(Policy, String)>, Vec<(String, &'a str)>);

fn read<'a>(files: &[&'a PolicyFile]) -> Result<ReadSet<'a>, Vec<Diagnostic>> {
    let mut rules: Vec<(Policy, String)> = Vec::new();
    let mut rego: Vec<(String, &str)> = Vec::new();
    let mut errors = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let name = f.label(i);
        let format = match f.format() {
            PolicyFormat::Rego => {
                rego.push((name, f.source.as_str()));
                continue;
            }
            PolicyFormat::Json => Format::Json,
            PolicyFormat::Hcl => Format::Hcl,
        };
        match policy::parse_policy(&f.source, format) {
            Ok(p) => rules.push((p, name)),
            Err(mut d) => {
                d.file = Some(name);
                errors.push(*d);
            }
        }
    }
    errors.extend(duplicate_ids(&rules));
    if errors.is_empty() {
        Ok((rules, rego))
    } else {
        Err(errors)
    }
}

/// Rule ids are unique across the set, since `--override-policy` names them.
fn duplicate_ids(rules: &[(Policy, String)]) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    let mut out = Vec::new();
    for (p, file) in rules {
        let ids = p
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .chain(p.policies.iter().map(|q| q.id.as_str()));
        for id in ids {
            if let Some(first) = seen.insert(id, file) {
                let mut d = *policy::invalid(&format!("rule `{id}` is also defined in {first}"));
                d.file = Some(file.clone());
                out.push(d);
            }
        }
    }
    out
}

#[cfg(feature = "rego")]
fn run_rego(
    modules: &[policy::RegoModule<'_>],
    queries: &[policy::RegoQuery],
    subject: Subject<'_>,
) -> Result<(Vec<policy::RegoOutcome>, Vec<Diagnostic>), Box<Diagnostic>> {
    // Rego reads Terraform's plan JSON, or the specs when there is no plan.
    let input = match subject.plan {
        Some(p) => crate::plan_json::to_terraform_json(p),
        None => serde_json::json!({ "specs": subject.desired }),
    };
    crate::rego::evaluate(modules, queries, &input, subject.max_steps, subject.rego)
}

/// Builds without the Rego engine say so.
#[cfg(not(feature = "rego"))]
fn run_rego(
    modules: &[policy::RegoModule<'_>],
    _queries: &[policy::RegoQuery],
    _subject: Subject<'_>,
) -> Result<(Vec<policy::RegoOutcome>, Vec<Diagnostic>), Box<Diagnostic>> {
    let mut d = crate::diagnostic::Diagnostic::error(
        crate::diagnostic::Code::InvalidPolicy,
        "this build has no Rego engine",
    )
    .help("use the CLI, the component, or the npm package's `kasm-plan/rego` entry");
    d.file = modules.first().map(|m| m.file.to_owned());
    Err(Box::new(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(source: &str, file_name: Option<&str>) -> PolicyFile {
        PolicyFile {
            source: source.into(),
            format: None,
            file_name: file_name.map(str::to_owned),
        }
    }

    #[test]
    fn format_from_name_then_text() {
        let rego = "# kasm rules\n\npackage main\n";
        assert_eq!(file(rego, None).format(), PolicyFormat::Rego);
        assert_eq!(file(rego, Some("p.rego")).format(), PolicyFormat::Rego);
        assert_eq!(file("{}", Some("p.rego")).format(), PolicyFormat::Rego);
        assert_eq!(file(rego, Some("p.hcl")).format(), PolicyFormat::Hcl);
        assert_eq!(file("{\"rules\": []}", None).format(), PolicyFormat::Json);
        assert_eq!(file("rule \"a\" {}", None).format(), PolicyFormat::Hcl);
        assert_eq!(file("packages = 1", None).format(), PolicyFormat::Hcl);
    }
}

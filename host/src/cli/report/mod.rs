//! Reports for CI: `validate` and `policy check` findings as SARIF (code
//! scanning), JUnit XML (test reports) or GitHub workflow commands
//! (annotations). Both commands turn their answer into [`Findings`]; each
//! format renders those.

mod github;
mod junit;
mod sarif;

use kasm_plan_core::Diagnostic;
use kasm_plan_core::Location;
use kasm_plan_core::facade::CheckedResource;
use kasm_plan_core::policy::{Level, PolicyResult};

/// How `validate` and `policy check` print their answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for people, with the lines concerned.
    #[default]
    Human,
    /// The core's answer as JSON.
    Json,
    /// SARIF 2.1.0, for code scanning (rule ids are diagnostic codes or policy rules).
    Sarif,
    /// JUnit XML, one test case per resource.
    Junit,
    /// GitHub Actions workflow commands (`::error file=...::`), one annotation per finding.
    Github,
}

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Fails the check.
    Error,
    /// Reported; does not fail.
    Warning,
}

/// A rule that findings refer to.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// A diagnostic code or a policy rule id.
    pub id: String,
    /// What the rule checks.
    pub description: String,
    /// Where to read more.
    pub help: String,
}

/// One problem found.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The rule's id.
    pub rule: String,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The file concerned.
    pub file: Option<String>,
    /// Where in it.
    pub location: Option<Location>,
    /// The resource concerned (`kasm_image.web`).
    pub address: Option<String>,
    /// The attribute concerned (`kasm_image.web.memory`).
    pub path: Option<String>,
}

/// What a command found, for a report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Findings {
    /// `validate` or `policy check`: the report's name.
    pub command: &'static str,
    /// The rules the findings refer to, each once.
    pub rules: Vec<Rule>,
    /// Every finding.
    pub findings: Vec<Finding>,
    /// Every resource checked (passing ones too): JUnit's test cases, and
    /// where a policy finding about one points.
    pub resources: Vec<CheckedResource>,
}

impl Findings {
    /// An empty report for a command and its resources.
    pub fn new(command: &'static str, resources: Vec<CheckedResource>) -> Findings {
        Findings {
            command,
            resources,
            ..Findings::default()
        }
    }

    /// Adds the core's diagnostics (rules: their codes).
    pub fn diagnostics(mut self, list: &[Diagnostic]) -> Findings {
        for d in list {
            let id = super::render::code(d);
            let help = format!(
                "{} Every code: docs/reference.md#diagnostic-codes.",
                d.code.description()
            );
            self.rule(&id, d.code.description(), help);
            self.findings.push(Finding {
                rule: id,
                severity: if d.is_error() {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                message: d.message.clone(),
                help: d.help.clone(),
                file: d.file.clone(),
                location: d.location,
                address: d.address.clone(),
                path: d.path.clone(),
            });
        }
        self
    }

    /// Adds the failed policy results: a blocking failure is an error, an
    /// advisory or overridden one a warning.
    pub fn policy_results(mut self, results: &[PolicyResult]) -> Findings {
        for r in results {
            let description = match r.level {
                Level::Advisory => "advisory policy rule",
                Level::SoftMandatory => "soft-mandatory policy rule (blocks unless overridden)",
                Level::HardMandatory => "hard-mandatory policy rule",
            };
            let help = match &r.file {
                Some(file) => format!("A {description}, defined in {file}."),
                None => format!("A {description} of the policy set."),
            };
            self.rule(&r.rule, description, help);
            if r.passed {
                continue;
            }
            let blocks = r.level != Level::Advisory && !r.overridden;
            // At the resource's block when the configuration locates it, else the policy file.
            let declared = r
                .address
                .as_ref()
                .and_then(|a| self.resources.iter().find(|c| &c.address == a))
                .filter(|c| c.file.is_some());
            let (file, location) = match declared {
                Some(c) => {
                    // The attribute at fault (`kasm_image.web.memory`), else the block.
                    let argument = r
                        .path
                        .as_deref()
                        .and_then(|p| p.strip_prefix(&format!("{}.", c.address)));
                    let at = argument
                        .and_then(|a| c.arguments.get(a.split(['.', '[']).next().unwrap_or(a)));
                    (c.file.clone(), at.copied().or(c.location))
                }
                None => (r.file.clone(), None),
            };
            self.findings.push(Finding {
                rule: r.rule.clone(),
                severity: if blocks {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                message: r.message.clone(),
                help: r.overridden.then(|| "overridden for this run".to_owned()),
                file,
                location,
                address: r.address.clone(),
                path: r.path.clone(),
            });
        }
        self
    }

    fn rule(&mut self, id: &str, description: &str, help: String) {
        if !self.rules.iter().any(|r| r.id == id) {
            self.rules.push(Rule {
                id: id.to_owned(),
                description: description.to_owned(),
                help,
            });
        }
    }

    /// The report in a machine format (`None` for human and JSON, which the commands print).
    pub fn render(&self, format: Format) -> Option<String> {
        match format {
            Format::Human | Format::Json => None,
            Format::Sarif => Some(sarif::render(self)),
            Format::Junit => Some(junit::render(self)),
            Format::Github => Some(github::render(self)),
        }
    }
}

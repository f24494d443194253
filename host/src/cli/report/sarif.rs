//! SARIF 2.1.0 (serde-sarif's types): one run, a rule per diagnostic code
//! or policy rule, a result per finding. Columns count Unicode characters,
//! as the core's do.

use super::{Findings, Severity};
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Run, Sarif, Tool, ToolComponent,
};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(f: &Findings) -> String {
    let rules: Vec<ReportingDescriptor> = f
        .rules
        .iter()
        .map(|r| {
            let level = f
                .findings
                .iter()
                .find(|x| x.rule == r.id)
                .map(|x| x.severity);
            let mut rule = ReportingDescriptor::builder()
                .id(r.id.clone())
                .short_description(text(&r.description))
                .help(text(&r.help))
                .build();
            if let Some(level) = level {
                rule.default_configuration = Some(
                    ReportingConfiguration::builder()
                        .level(serde_json::json!(level_name(level)))
                        .build(),
                );
            }
            rule
        })
        .collect();
    let results: Vec<SarifResult> = f
        .findings
        .iter()
        .map(|x| {
            let index = f
                .rules
                .iter()
                .position(|r| r.id == x.rule)
                .unwrap_or_default();
            let message = match &x.help {
                Some(help) => format!("{} ({help})", x.message),
                None => x.message.clone(),
            };
            let mut result = SarifResult::builder()
                .rule_id(x.rule.clone())
                .rule_index(i64::try_from(index).unwrap_or_default())
                .level(if x.severity == Severity::Error {
                    ResultLevel::Error
                } else {
                    ResultLevel::Warning
                })
                .message(Message::builder().text(message).build())
                .build();
            result.locations = Some(vec![location(x)]);
            result
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("kasm-plan".to_owned())
        .version(env!("CARGO_PKG_VERSION").to_owned())
        .semantic_version(env!("CARGO_PKG_VERSION").to_owned())
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA.to_owned())
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder()
        .text(s.to_owned())
        .build()
}

fn level_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The file and region, and the resource attribute as a logical location.
fn location(x: &super::Finding) -> Location {
    let physical = x.file.as_ref().map(|file| {
        let mut p = PhysicalLocation::builder()
            .artifact_location(ArtifactLocation::builder().uri(file.clone()).build())
            .build();
        p.region = x.location.map(|l| {
            Region::builder()
                .start_line(i64::from(l.start.line.get()))
                .start_column(i64::from(l.start.column))
                .end_line(i64::from(l.end.line.get()))
                .end_column(i64::from(l.end.column))
                .build()
        });
        p
    });
    let logical = x.path.as_ref().or(x.address.as_ref()).map(|name| {
        vec![
            LogicalLocation::builder()
                .fully_qualified_name(name.clone())
                .kind("resource".to_owned())
                .build(),
        ]
    });
    let mut l = Location::builder().build();
    l.physical_location = physical;
    l.logical_locations = logical;
    l
}

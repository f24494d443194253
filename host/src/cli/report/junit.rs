//! JUnit XML (quick-junit): a test suite per command, a test case per
//! resource (failing with its errors, its warnings as output), and one for
//! findings that name no resource.

use super::{Findings, Severity};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

/// The test case of findings that name no resource.
const CONFIGURATION: &str = "configuration";

pub fn render(f: &Findings) -> String {
    let mut cases: Vec<&str> = f.resources.iter().map(|r| r.address.as_str()).collect();
    if f.findings.iter().any(|x| x.address.is_none()) {
        cases.push(CONFIGURATION);
    }
    let mut suite = TestSuite::new(format!("kasm-plan {}", f.command));
    for name in cases {
        let mine: Vec<_> = f
            .findings
            .iter()
            .filter(|x| x.address.as_deref().unwrap_or(CONFIGURATION) == name)
            .collect();
        let lines = |severity: Severity| -> Vec<String> {
            mine.iter()
                .filter(|x| x.severity == severity)
                .map(|x| {
                    let at = match (&x.file, x.location) {
                        (Some(file), Some(l)) => {
                            format!("{file}:{}:{}: ", l.start.line, l.start.column)
                        }
                        (Some(file), None) => format!("{file}: "),
                        _ => String::new(),
                    };
                    format!("{at}{} [{}]", x.message, x.rule)
                })
                .collect()
        };
        let (errors, warnings) = (lines(Severity::Error), lines(Severity::Warning));
        let status = match errors.first() {
            None => TestCaseStatus::success(),
            Some(first) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(first.clone());
                s.set_type(
                    mine.iter()
                        .find(|x| x.severity == Severity::Error)
                        .map_or("", |x| x.rule.as_str()),
                );
                s.set_description(errors.join("\n"));
                s
            }
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(name.split('.').next().unwrap_or(name));
        if !warnings.is_empty() {
            case.set_system_out(warnings.join("\n"));
        }
        suite.add_test_case(case);
    }
    let mut report = Report::new("kasm-plan");
    report.add_test_suite(suite);
    report.to_string().unwrap_or_default()
}

//! GitHub Actions workflow commands: `::error file=F,line=L,col=C,endLine=..,endColumn=..,title=T::message`,
//! escaped as the runner reads them.

use super::{Findings, Severity};
use std::fmt::Write;

pub fn render(f: &Findings) -> String {
    let mut out = String::new();
    for x in &f.findings {
        let command = match x.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = Vec::new();
        if let Some(file) = &x.file {
            properties.push(format!("file={}", property(file)));
        }
        if let Some(l) = x.location {
            properties.push(format!("line={},col={}", l.start.line, l.start.column));
            properties.push(format!("endLine={},endColumn={}", l.end.line, l.end.column));
        }
        let place = x
            .path
            .as_deref()
            .or(x.address.as_deref())
            .map(|p| format!(" {p}"))
            .unwrap_or_default();
        properties.push(format!("title={}", property(&format!("{}{place}", x.rule))));
        let message = match &x.help {
            Some(help) => format!("{}\n{help}", x.message),
            None => x.message.clone(),
        };
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            data(&message)
        );
    }
    out
}

/// A message: `%`, CR and LF escaped.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: also `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_reads() {
        assert_eq!(data("50% off\nnext"), "50%25 off%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}

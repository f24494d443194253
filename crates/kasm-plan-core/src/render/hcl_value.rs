//! A value as Terraform's `output` and `apply` print it (its console's
//! format): lists one element a line, objects one key a line with every key
//! quoted, text quoted, text of several lines as a heredoc.
//!
//! Where kasm-plan differs: a value is JSON here, so a list, set or map that
//! Terraform prints as `tolist([...])`, `toset([...])` or `tomap({...})`
//! prints as the tuple or object it holds.

use serde_json::Value;

/// `value` as Terraform prints an output's value.
pub fn hcl_value(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value, 0);
    out
}

fn write(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => match heredoc(s, indent) {
            Some(text) => out.push_str(&text),
            None => out.push_str(&super::values::quoted(s)),
        },
        Value::Array(items) => {
            out.push('[');
            for item in items {
                newline(out, indent + 2);
                write(out, item, indent + 2);
                out.push(',');
            }
            if !items.is_empty() {
                newline(out, indent);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (key, item) in map {
                newline(out, indent + 2);
                out.push_str(&super::values::quoted(key));
                out.push_str(" = ");
                write(out, item, indent + 2);
            }
            if !map.is_empty() {
                newline(out, indent);
            }
            out.push('}');
        }
    }
}

fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A number in decimal, without an exponent, as Terraform prints it.
fn number(n: &serde_json::Number) -> String {
    // An f64's `{}` is its shortest decimal form, never with an exponent.
    match n.as_f64().filter(|_| n.is_f64()) {
        Some(f) => format!("{f}"),
        None => n.to_string(),
    }
}

/// Text of several lines as a heredoc (`<<-` when indented), its marker
/// lengthened while a line would end it early.
fn heredoc(text: &str, indent: usize) -> Option<String> {
    if !text.contains('\n') {
        return None;
    }
    let mut marker = String::from("EOT");
    while text.split('\n').any(|line| line.trim() == marker) {
        marker.push('_');
    }
    let operator = if indent > 0 { "<<-" } else { "<<" };
    let pad = " ".repeat(indent);
    let mut out = format!("{operator}{marker}");
    for line in text.split('\n') {
        out.push('\n');
        out.push_str(&pad);
        out.push_str(line);
    }
    out.push('\n');
    out.push_str(&pad);
    out.push_str(&marker);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_written_as_terraform_writes_them() {
        let v = json!({"a b": {"x": [1, 2]}, "k": 1.5, "s": "t", "e": [], "o": {}});
        assert_eq!(
            hcl_value(&v),
            "{\n  \"a b\" = {\n    \"x\" = [\n      1,\n      2,\n    ]\n  }\n  \"e\" = []\n  \"k\" = 1.5\n  \"o\" = {}\n  \"s\" = \"t\"\n}"
        );
        assert_eq!(hcl_value(&json!(1e21)), "1000000000000000000000");
        assert_eq!(hcl_value(&json!("a\nb")), "<<EOT\na\nb\nEOT");
        assert_eq!(
            hcl_value(&json!(["EOT\nx"])),
            "[\n  <<-EOT_\n  EOT\n  x\n  EOT_,\n]"
        );
    }
}

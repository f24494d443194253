//! The `provider "kasm"` block's settings, evaluated with the variables:
//! which Kasm, whether to verify its certificate, and the key, which may come
//! only from a sensitive variable (a key written in the configuration would be
//! in every copy of it).

use super::config::{ProviderDecl, ProviderSettings};
use super::eval::{Failure, Scope, evaluate};
use super::resources::problem;
use super::value::Value;
use crate::diagnostic::{Code, Diagnostic};

const ADDRESS: &str = "provider.kasm";

/// The settings the block gives; each problem in `out`.
pub fn settings(decl: &ProviderDecl, scope: &Scope, out: &mut Vec<Diagnostic>) -> ProviderSettings {
    let mut settings = ProviderSettings::default();
    for attr in &decl.attributes {
        let evaluated = match evaluate(&attr.expr, scope) {
            Ok(e) => e,
            Err(Failure::Problem(p)) => {
                out.push(problem(&p, ADDRESS, &attr.name, &decl.declared));
                continue;
            }
            Err(Failure::Reported) => continue,
        };
        let wrong = |expected: &str| {
            decl.declared.place(
                Diagnostic::error(
                    Code::WrongType,
                    format!("provider \"kasm\" `{}` must be {expected}", attr.name),
                )
                .at(ADDRESS, &attr.name)
                .located(attr.at),
            )
        };
        let value = evaluated.value;
        match (&*attr.name, value) {
            (_, v) if v.is_unknown() && attr.name != "api_key" && attr.name != "api_secret" => {}
            ("base_url", Value::String(url)) if is_http(&url) => settings.base_url = Some(url),
            ("base_url", Value::String(_)) => out.push(wrong("an http:// or https:// URL")),
            ("base_url", _) => out.push(wrong("a string")),
            ("insecure", Value::Bool(b)) => settings.insecure = Some(b),
            ("insecure", _) => out.push(wrong("a bool")),
            (name @ ("api_key" | "api_secret"), _) if !evaluated.sensitive => {
                out.push(written_key(decl, name, attr.at));
            }
            ("api_key", Value::String(key)) => settings.api_key = Some(key),
            ("api_secret", Value::String(secret)) => settings.api_secret = Some(secret),
            ("api_key" | "api_secret", v) if v.is_unknown() => {}
            _ => out.push(wrong("a string")),
        }
    }
    settings
}

fn is_http(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://"].iter().any(|scheme| {
        lower
            .strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty())
    })
}

fn written_key(
    decl: &ProviderDecl,
    name: &str,
    at: Option<crate::diagnostic::Location>,
) -> Diagnostic {
    let env = if name == "api_key" {
        "KASM_API_KEY"
    } else {
        "KASM_API_KEY_SECRET"
    };
    decl.declared.place(
        Diagnostic::error(
            Code::InvalidBlock,
            format!("provider \"kasm\" `{name}` must come from a sensitive variable, not from the configuration's text"),
        )
        .at(ADDRESS, name)
        .help(format!(
            "declare `variable \"kasm_{name}\" {{ sensitive = true }}`, write `{name} = var.kasm_{name}` and give it with TF_VAR_kasm_{name}; or leave it out and set {env}"
        ))
        .located(at),
    )
}

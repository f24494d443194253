//! A state the Terraform provider for Kasm wrote (`terraform.tfstate`,
//! format version 4), read for the addresses it binds and Kasm's ids: what
//! `kasm-plan state import-terraform` imports, one address at a time.
//!
//! Only the ids are taken. Each object is then read from Kasm as `import`
//! reads it, so what the provider stored (memory in bytes, its own attribute
//! names) never has to be translated, and the next plan shows real drift only.

use crate::address::{GROUP_TYPE, InstanceKey, LINK_TYPE, RESOURCE_TYPE};

/// The types read from a Terraform state: those `import` binds (users and
/// memberships are imported by hand).
const READ_TYPES: [&str; 3] = [RESOURCE_TYPE, GROUP_TYPE, LINK_TYPE];
use crate::diagnostic::{Code, Diagnostic};
use crate::model::canonical_id;
use crate::state::State;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The one state format Terraform has written since 0.12.
const FORMAT: u64 = 4;

#[derive(Deserialize)]
struct Document {
    version: Option<Value>,
    #[serde(default)]
    resources: Vec<Resource>,
}

#[derive(Deserialize)]
struct Resource {
    #[serde(default)]
    module: Option<String>,
    #[serde(default)]
    mode: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    instances: Vec<Instance>,
}

#[derive(Deserialize)]
struct Instance {
    #[serde(default)]
    index_key: Option<Value>,
    #[serde(default)]
    deposed: Option<String>,
    #[serde(default)]
    attributes: Option<BTreeMap<String, Value>>,
}

/// What a Terraform state binds.
#[derive(Debug, Default, PartialEq)]
pub struct Bindings {
    /// Addresses to import, with Kasm's id (a link's is `group_id:image_id`,
    /// as the provider writes it and `import` reads it).
    pub import: Vec<(String, String)>,
    /// Addresses the state here already binds to the same id.
    pub bound: Vec<String>,
    /// Errors (nothing should be imported) and warnings (what is left out).
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a Terraform state against the state here.
pub fn bindings(text: &str, state: &State) -> Bindings {
    let mut out = Bindings::default();
    let document = match serde_json::from_str::<Document>(text) {
        Ok(d) => d,
        Err(e) => {
            out.diagnostics
                .push(not_a_state(format!("this is not a Terraform state ({e})")));
            return out;
        }
    };
    match document.version.as_ref().and_then(Value::as_u64) {
        Some(FORMAT) => {}
        Some(v) => {
            out.diagnostics.push(not_a_state(format!(
                "Terraform state format version {v}; kasm-plan reads version {FORMAT}, which Terraform 0.12 and later write"
            )).help("let a recent Terraform rewrite it first (terraform refresh), then import"));
            return out;
        }
        None => {
            out.diagnostics.push(not_a_state(
                "this is not a Terraform state: it has no format `version`".into(),
            ));
            return out;
        }
    }
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    for r in document.resources.iter().filter(|r| r.mode == "managed") {
        if !READ_TYPES.contains(&r.kind.as_str()) {
            *skipped.entry(&r.kind).or_default() += r.instances.len();
            continue;
        }
        if let Some(module) = &r.module {
            out.diagnostics.push(
                Diagnostic::warning(
                    Code::BlockSkipped,
                    format!(
                        "{module}.{}.{} is in a module; kasm-plan reads the root module only, so it is left out",
                        r.kind, r.name
                    ),
                )
                .help("import it by hand to an address of the root module: kasm-plan import ADDRESS ID"),
            );
            continue;
        }
        for instance in r.instances.iter().filter(|i| i.deposed.is_none()) {
            bind(r, instance, state, &mut out);
        }
    }
    for (kind, count) in skipped {
        out.diagnostics.push(Diagnostic::warning(
            Code::BlockSkipped,
            format!(
                "{count} instance(s) of {kind} left out: kasm-plan reads {} from a Terraform state",
                READ_TYPES.join(", ")
            ),
        ));
    }
    out
}

fn bind(r: &Resource, instance: &Instance, state: &State, out: &mut Bindings) {
    let key = match &instance.index_key {
        None => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(|i| Some(InstanceKey::Index(i))).ok_or(()),
        Some(Value::String(s)) => Ok(Some(InstanceKey::Key(s.clone()))),
        Some(_) => Err(()),
    };
    let base = format!("{}.{}", r.kind, r.name);
    let Ok(key) = key else {
        out.diagnostics.push(
            not_a_state(format!(
                "{base} has an instance key that is neither a number nor a string"
            ))
            .at(&base, "index_key"),
        );
        return;
    };
    let address = key.map_or_else(|| base.clone(), |k| format!("{base}{k}"));
    let id = instance
        .attributes
        .as_ref()
        .and_then(|a| a.get("id"))
        .and_then(Value::as_str)
        .filter(|id| !id.trim().is_empty());
    let Some(id) = id else {
        out.diagnostics.push(
            not_a_state(format!("{address} has no `id` in the Terraform state")).at(&address, "id"),
        );
        return;
    };
    let same = state
        .id_of(&address)
        .is_some_and(|bound| canonical(&bound, &r.kind) == canonical(id, &r.kind));
    if same {
        out.bound.push(address);
    } else {
        out.import.push((address, id.to_owned()));
    }
}

/// An id as 32 hex digits (a link's, each half), to compare ids written in
/// either of Kasm's forms.
fn canonical(id: &str, kind: &str) -> String {
    let one = |part: &str| canonical_id(part).into_owned();
    if kind == LINK_TYPE {
        id.split(':').map(one).collect::<Vec<_>>().join(":")
    } else {
        one(id)
    }
}

fn not_a_state(message: String) -> Diagnostic {
    Diagnostic::error(Code::InvalidState, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_and_keyed_instances_get_terraforms_addresses() {
        let text = r#"{"version": 4, "resources": [
            {"mode": "managed", "type": "kasm_image", "name": "pool", "instances": [
                {"index_key": 0, "attributes": {"id": "a1"}},
                {"index_key": "web", "attributes": {"id": "b2"}}]},
            {"mode": "data", "type": "kasm_images", "name": "all", "instances": [{"attributes": {"id": "x"}}]}
        ]}"#;
        let b = bindings(text, &State::default());
        assert_eq!(
            b.import,
            [
                ("kasm_image.pool[0]".to_owned(), "a1".to_owned()),
                ("kasm_image.pool[\"web\"]".to_owned(), "b2".to_owned())
            ]
        );
        assert!(b.diagnostics.is_empty(), "{:?}", b.diagnostics);
    }
}

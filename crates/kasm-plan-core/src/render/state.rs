//! What the state records of one instance, as `state show` prints it: the
//! same for every type.

use super::resources::Written;
use crate::address::{Instance, RESOURCE_TYPE};
use crate::field::Field;
use crate::schema::tables;
use crate::state::State;
use std::fmt::Write;

/// One address of the state as `state show` prints it: its id, then each
/// attribute it records, secrets hidden; `None` when the state has no such address.
pub fn instance(state: &State, address: &str) -> Option<String> {
    let (type_name, rest) = address.split_once('.')?;
    let record = state.objects.get(address)?;
    // Secrets and write-only values are kept as fingerprints, and shown as hidden.
    let hidden = |k: &str| match Field::from_spec_name(k).filter(|_| type_name == RESOURCE_TYPE) {
        Some(field) => field.is_sensitive(),
        None => tables::resource(type_name)
            .and_then(|t| t.argument(k))
            .is_some_and(|a| a.write_only),
    };
    let lines: Vec<(&str, String)> = record
        .attributes
        .iter()
        .filter(|(k, v)| *k != "id" && !v.is_null())
        .map(|(k, v)| (k, Written(type_name, k, hidden(k), v).to_string()))
        .collect();
    let (id, prevent_destroy) = (record.id.as_str(), record.prevent_destroy);
    let name = Instance::parse(rest).map_or_else(|| rest.to_owned(), |i| i.name);
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0).max(2);
    let mut out = format!("# {address}:\nresource \"{type_name}\" \"{name}\" {{\n");
    let _ = writeln!(
        out,
        "    {:<width$} = {}",
        "id",
        serde_json::Value::from(id)
    );
    for (k, v) in lines {
        let _ = writeln!(out, "    {k:<width$} = {v}");
    }
    if prevent_destroy {
        out.push_str("    # lifecycle: prevent_destroy\n");
    }
    out.push_str("}\n");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::Attributes;
    use crate::object::ObjectRecord;
    use serde_json::json;

    #[test]
    fn an_image_and_a_user_show_alike_secrets_hidden() {
        let mut state = State::default();
        let mut attributes = Attributes::default();
        attributes.set(Field::Memory, json!(2048));
        attributes.set(Field::DockerToken, json!("fingerprint"));
        state.objects.insert(
            "kasm_image.pool[1]".into(),
            ObjectRecord {
                id: "a1".into(),
                attributes: attributes.into(),
                prevent_destroy: true,
            },
        );
        let attributes =
            json!({"username": "alice", "password": "fingerprint", "groups": ["Devs", "Ops"]});
        state.objects.insert(
            "kasm_user.alice".into(),
            ObjectRecord {
                id: "b2".into(),
                attributes: attributes.as_object().cloned().unwrap_or_default().into(),
                prevent_destroy: false,
            },
        );
        let image = instance(&state, "kasm_image.pool[1]").unwrap_or_default();
        assert_eq!(
            image,
            "# kasm_image.pool[1]:\nresource \"kasm_image\" \"pool\" {\n    id           = \"a1\"\n    docker_token = (sensitive value)\n    memory       = 2048 MB\n    # lifecycle: prevent_destroy\n}\n"
        );
        let user = instance(&state, "kasm_user.alice").unwrap_or_default();
        assert_eq!(
            user,
            "# kasm_user.alice:\nresource \"kasm_user\" \"alice\" {\n    id       = \"b2\"\n    groups   = [\"Devs\", \"Ops\"]\n    password = (sensitive value)\n    username = \"alice\"\n}\n"
        );
        assert_eq!(instance(&state, "kasm_user.bob"), None);
    }
}

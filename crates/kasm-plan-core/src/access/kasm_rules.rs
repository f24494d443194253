//! Kasm's own rules on a planned change, checked when planning so an apply
//! never stops on them halfway: a new user's username and a new group's name
//! must be free, a new password must pass Kasm's password rules, a system
//! group is never deleted.

use super::{GROUP_TYPE, USER_TYPE};
use crate::change::{Action, Change};
use crate::diagnostic::{Code, Diagnostic};
use crate::group::{Access, Group, GroupSpec, same_id};
use crate::object::{ObjectRecord, ObjectSpec};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Every rule Kasm would apply to the change of a spec. `recorded`: the
/// state's records of the spec's type.
pub fn check(
    spec: &ObjectSpec,
    change: &Change,
    access: &Access,
    recorded: &BTreeMap<&str, &ObjectRecord>,
    errors: &mut Vec<Diagnostic>,
) {
    let new = !recorded.contains_key(spec.address.as_str());
    match (spec.resource_type, change.action) {
        (USER_TYPE, Action::Create) if new => {
            check_username_free(spec, access, recorded, errors);
        }
        (GROUP_TYPE, Action::Create) if new => {
            let owned: BTreeSet<&str> = recorded.values().map(|r| r.id.as_str()).collect();
            check_group_name_free(&GroupSpec::of(spec), access, &owned, errors);
        }
        (USER_TYPE, Action::Update) if change.changes.iter().any(|c| c.attribute == "password") => {
            check_password(spec, errors);
        }
        _ => {}
    }
}

/// Kasm's rules on deleting a recorded instance no spec declares.
pub fn check_delete(
    type_name: &str,
    address: &str,
    record: &ObjectRecord,
    access: &Access,
    errors: &mut Vec<Diagnostic>,
) {
    if type_name == GROUP_TYPE
        && let Some(group) = access.group(&record.id)
    {
        check_group_delete(address, group, errors);
    }
}

/// A new user's username must be free on Kasm (usernames are unique, case aside).
fn check_username_free(
    spec: &ObjectSpec,
    access: &Access,
    recorded: &BTreeMap<&str, &ObjectRecord>,
    errors: &mut Vec<Diagnostic>,
) {
    let Some(Value::String(name)) = spec.values.get("username") else {
        return;
    };
    let Some(existing) = access
        .users()
        .iter()
        .find(|u| u.username.eq_ignore_ascii_case(name))
    else {
        return;
    };
    if recorded.values().any(|r| same_id(&r.id, &existing.user_id)) {
        return;
    }
    errors.push(
        Diagnostic::error(
            Code::UserExists,
            format!(
                "a user named \"{name}\" already exists on Kasm (id {}), and this state does not manage it",
                existing.user_id
            ),
        )
        .at(&spec.address, "username")
        .help(format!(
            "import it: `import {{ to = {}  id = \"{}\" }}`, or choose another username",
            spec.address,
            crate::model::canonical_id(&existing.user_id)
        )),
    );
}

/// A password change is sent with `update_user`, which applies Kasm's rules:
/// checked here so an apply never stops on it halfway.
fn check_password(spec: &ObjectSpec, errors: &mut Vec<Diagnostic>) {
    let Some(password) = spec.secrets.get("password") else {
        return;
    };
    if let Some(why) = password_problem(password.expose()) {
        errors.push(
            Diagnostic::error(Code::PasswordRules, format!("Kasm would refuse the new password: {why}"))
                .at(&spec.address, "password")
                .help("Kasm's update_user wants at least 8 characters, a digit, a lower-case and an upper-case letter and a symbol"),
        );
    }
}

/// Kasm's password rules, in the order Kasm checks them; the problem Kasm
/// would answer, without the password.
pub fn password_problem(password: &str) -> Option<&'static str> {
    const SYMBOLS: &str = " !#@$%&'()*+,-./[\\]^_`{|}~\"";
    if !password.chars().any(|c| c.is_ascii_digit()) {
        return Some("it has no digit");
    }
    if password.chars().count() < 8 {
        return Some("it is shorter than 8 characters");
    }
    if !password.chars().any(|c| SYMBOLS.contains(c)) {
        return Some("it has no symbol");
    }
    if !password.chars().any(char::is_lowercase) {
        return Some("it has no lower-case letter");
    }
    if !password.chars().any(char::is_uppercase) {
        return Some("it has no upper-case letter");
    }
    None
}

/// A new group's name must be free on Kasm, unless an interrupted run made
/// that very group (the apply adopts it).
fn check_group_name_free(
    spec: &GroupSpec,
    access: &Access,
    owned: &BTreeSet<&str>,
    errors: &mut Vec<Diagnostic>,
) {
    let Some(existing) = access.groups.iter().find(|g| g.name == spec.name) else {
        return;
    };
    if owned.contains(existing.group_id.as_str()) || spec.matches(existing) {
        return;
    }
    errors.push(
        Diagnostic::error(
            Code::GroupExists,
            format!(
                "a group named \"{}\" already exists on Kasm (id {}), with other settings",
                spec.name, existing.group_id
            ),
        )
        .at(&spec.address, "name")
        .help(format!(
            "import it: `import {{ to = {}  id = \"{}\" }}`, or choose another name",
            spec.address, existing.group_id
        )),
    );
}

/// Kasm's system groups (All Users, Administrators) cannot be deleted.
fn check_group_delete(address: &str, group: &Group, errors: &mut Vec<Diagnostic>) {
    if group.is_system {
        errors.push(
            Diagnostic::error(
                Code::ProtectedGroup,
                format!(
                    "{address} is Kasm's system group \"{}\", which cannot be deleted",
                    group.name
                ),
            )
            .at(address, "")
            .help(format!(
                "keep its block, or forget it with `kasm-plan state rm {address}`"
            )),
        );
    }
}

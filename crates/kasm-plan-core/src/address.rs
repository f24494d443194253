//! Resource instance addresses as Terraform writes them: `kasm_image.web`,
//! `kasm_image.pool[0]`, `kasm_image.browser["chrome"]`.

use crate::names::is_identifier;
use std::fmt;

/// The resource type kasm-plan manages.
pub const RESOURCE_TYPE: &str = "kasm_image";

/// The provider whose `kasm_image` schema the attributes follow.
pub const PROVIDER_NAME: &str = "registry.terraform.io/sim22/kasm";

/// The group resource type.
pub const GROUP_TYPE: &str = "kasm_group";
/// The link resource type.
pub const LINK_TYPE: &str = "kasm_group_image";

/// The user resource type.
pub const USER_TYPE: &str = "kasm_user";
/// The group membership resource type.
pub const MEMBERSHIP_TYPE: &str = "kasm_group_membership";

/// The session resource type.
pub const SESSION_TYPE: &str = "kasm_session";

/// The type of an address: `kasm_group` for `kasm_group.devs`.
pub fn type_of(address: &str) -> Option<&str> {
    address.split_once('.').map(|(t, _)| t)
}

/// Whether `name` names `address`: the same instance, or the resource whose
/// instance it is (`kasm_image.pool` names `kasm_image.pool[0]`).
pub fn names(name: &str, address: &str) -> bool {
    address == name
        || address
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('['))
}

/// Where each address `source` names goes under `destination`: an instance
/// to the instance, a resource's instances to the same keys (`kasm_image.a[0]`
/// → `kasm_image.b[0]`). As `moved` blocks and `state mv` move.
pub fn renames<'a>(
    addresses: impl IntoIterator<Item = &'a String>,
    source: &str,
    destination: &str,
) -> Vec<(String, String)> {
    addresses
        .into_iter()
        .filter(|a| names(source, a))
        .map(|from| {
            let key = from.get(source.len()..).unwrap_or_default();
            (from.clone(), format!("{destination}{key}"))
        })
        .collect()
}

/// The key of one instance of a resource with `count` or `for_each`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InstanceKey {
    /// `count.index`.
    Index(i64),
    /// `each.key`.
    Key(String),
}

impl fmt::Display for InstanceKey {
    /// `[0]` or `["chrome"]`, quoted as Terraform quotes keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::Index(i) => write!(f, "[{i}]"),
            InstanceKey::Key(k) => {
                let quoted = serde_json::to_string(k).map_err(|_| fmt::Error)?;
                write!(f, "[{quoted}]")
            }
        }
    }
}

impl InstanceKey {
    /// The key as plan JSON's `index`: a number or a string.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            InstanceKey::Index(i) => (*i).into(),
            InstanceKey::Key(k) => k.clone().into(),
        }
    }
}

/// A resource instance: its resource name and, under `count`/`for_each`, its key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instance {
    /// The resource's name (the block's second label).
    pub name: String,
    /// The instance key, if the resource repeats.
    pub key: Option<InstanceKey>,
}

impl Instance {
    /// Reads `<name>`, `<name>[0]` or `<name>["key"]`.
    pub fn parse(text: &str) -> Option<Instance> {
        let Some(open) = text.find('[') else {
            return is_identifier(text).then(|| Instance {
                name: text.to_owned(),
                key: None,
            });
        };
        let (name, rest) = text.split_at(open);
        let inner = rest.strip_prefix('[')?.strip_suffix(']')?;
        let key = if inner.starts_with('"') {
            InstanceKey::Key(serde_json::from_str::<String>(inner).ok()?)
        } else {
            let i: i64 = inner.parse().ok()?;
            (i >= 0 && i.to_string() == inner).then_some(InstanceKey::Index(i))?
        };
        is_identifier(name).then(|| Instance {
            name: name.to_owned(),
            key: Some(key),
        })
    }

    /// Reads a full address, `kasm_image.<instance>`.
    pub fn from_address(address: &str) -> Option<Instance> {
        Instance::parse(address.strip_prefix(RESOURCE_TYPE)?.strip_prefix('.')?)
    }

    /// `kasm_image.<name><key>`.
    pub fn address(&self) -> String {
        format!("{RESOURCE_TYPE}.{self}")
    }
}

impl fmt::Display for Instance {
    /// The instance name: `web`, `pool[0]`, `browser["chrome"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        match &self.key {
            Some(key) => write!(f, "{key}"),
            None => Ok(()),
        }
    }
}

/// The resource an address names: `kasm_image.web["a"]` → `kasm_image.web`.
pub fn resource_of(address: &str) -> &str {
    address
        .find('[')
        .and_then(|at| address.get(..at))
        .unwrap_or(address)
}

/// `kasm_image.<name>`.
pub fn address_of(name: &str) -> String {
    // Not `format!`: a plan makes one per image, and the formatter costs
    // several times the copy.
    let mut address = String::with_capacity(RESOURCE_TYPE.len() + 1 + name.len());
    address.push_str(RESOURCE_TYPE);
    address.push('.');
    address.push_str(name);
    address
}

/// The instance name of a `kasm_image.<name>` (or `<name>[key]`) address,
/// when the address is one.
pub fn name_of(address: &str) -> Option<&str> {
    address
        .strip_prefix(RESOURCE_TYPE)
        .and_then(|rest| rest.strip_prefix('.'))
        .filter(|name| crate::address::Instance::parse(name).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        for text in ["web", "pool[0]", r#"browser["chrome"]"#, r#"b["a \"q\""]"#] {
            let i = Instance::parse(text).unwrap();
            assert_eq!(i.to_string(), text);
        }
        assert_eq!(
            Instance::from_address(r#"kasm_image.b["x"]"#).map(|i| i.key),
            Some(Some(InstanceKey::Key("x".into())))
        );
        for bad in ["9x", "pool[-1]", "pool[01]", "pool[x]", "pool[0", "a b"] {
            assert_eq!(Instance::parse(bad), None, "{bad}");
        }
    }
}

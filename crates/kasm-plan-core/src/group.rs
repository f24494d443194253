//! Groups and their image links: as Kasm's `get_groups` and `get_images_group`
//! return them (docs/kasm-api.md, "Groups and image authorization"), as a
//! configuration declares them (`kasm_group`, `kasm_group_image`), and as the
//! state records them. The data model of authorization, as `model` is that of images.

use serde::{Deserialize, Serialize};

/// The fixed id of the All Users group: every user is a member, and with a
/// default install every new image is linked to it.
pub const ALL_USERS: &str = "68d557ac4cac42cca9f31c7c853de0f3";

/// The name Kasm gives that group.
pub const ALL_USERS_NAME: &str = "All Users";

/// A group, as `get_groups` lists it (other keys are ignored).
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Group {
    /// 32-hex id.
    pub group_id: String,
    /// Its unique name.
    pub name: String,
    /// Free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// 1 to 4095; the lowest wins where a user's groups disagree.
    pub priority: i64,
    /// All Users and Administrators: never deleted.
    pub is_system: bool,
}

/// One link row of `get_images_group`: users of the group may launch the image.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupImage {
    /// The row's id (a pair may have several rows).
    pub group_image_id: String,
    /// The group.
    pub group_id: String,
    /// The image.
    pub image_id: String,
    /// The image's Docker name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_name: Option<String>,
    /// The image's friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_friendly_name: Option<String>,
    /// The group's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
}

/// A group or image named by a link.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Kasm's id (32 hex), given literally or read from a data source.
    Id(String),
    /// The managed resource instance at this address (`kasm_image.web`).
    Managed(String),
    /// A group looked up by its exact name (`group_name`).
    Name(String),
}

/// A `kasm_group` instance.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSpec {
    /// `kasm_group.<name>`.
    pub address: String,
    /// The unique group name.
    pub name: String,
    /// 1 to 4095.
    pub priority: i64,
    /// Managed only when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Delete the group even when users are members (Kasm's `force`).
    #[serde(default)]
    pub force_destroy: bool,
    /// `lifecycle { ignore_changes = [...] }`: arguments set on create only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_changes: Vec<String>,
}

/// A `kasm_group_image` instance: users of the group may launch the image.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSpec {
    /// `kasm_group_image.<name>`.
    pub address: String,
    /// The group.
    pub group: Target,
    /// The image.
    pub image: Target,
    /// `lifecycle { ignore_changes = [...] }`: arguments set on create only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_changes: Vec<String>,
}

/// Kasm's groups and every link row of them (`get_groups`, `get_images_group`),
/// and its users with their groups (`get_users`), when anything needs them.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Access {
    /// The groups.
    pub groups: Vec<Group>,
    /// The link rows, duplicates included.
    pub links: Vec<GroupImage>,
    /// The users (not anonymous ones), each with its membership rows;
    /// absent when they were not read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<User>>,
    /// The sessions (`get_kasms`), read with the users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<Vec<Session>>,
    /// The other lists read by table, each by its list's name, the items as
    /// Kasm answers them: the types planned from their table alone need no
    /// view of their own here.
    #[serde(flatten)]
    // Left out of the TypeScript declaration: an index signature there
    // would refuse `users: null`.
    #[cfg_attr(feature = "typescript", ts(skip))]
    pub listed: std::collections::BTreeMap<String, Vec<serde_json::Value>>,
}

impl Session {
    /// Destroyed or about to be: Kasm lists it until its teardown is done
    /// (the statuses are the session table's, [`crate::schema::tables::SESSION`]).
    pub fn is_ending(&self) -> bool {
        crate::schema::tables::SESSION
            .list
            .is_some_and(|list| list.ends("operational_status", &self.operational_status))
    }
}

/// A session, as `get_kasms` lists it (other keys are ignored).
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    /// Kasm's id.
    pub kasm_id: String,
    /// Its user.
    pub user_id: String,
    /// Its image.
    pub image_id: String,
    /// `provisioning`, `starting`, `running`, `deleting`...
    pub operational_status: String,
}

/// A user, as `get_users` lists it (other keys are ignored; ids in either form).
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct User {
    /// Kasm's id (`get_users` gives it hyphenated).
    pub user_id: String,
    /// Lower case, unique.
    pub username: String,
    /// Free text, at most 64 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Free text, at most 64 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Free text, at most 64 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Free text, at most 64 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Locked out (too many failed logins, or by an admin).
    pub locked: bool,
    /// Disabled by an admin.
    pub disabled: bool,
    /// One entry per membership row.
    pub groups: Vec<UserGroup>,
}

/// One membership row of a user.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserGroup {
    /// The group.
    pub group_id: String,
    /// The group's name.
    pub name: String,
}

impl GroupSpec {
    /// Whether Kasm's group is what the spec would create.
    pub fn matches(&self, group: &Group) -> bool {
        group.name == self.name
            && group.priority == self.priority
            && self
                .description
                .as_ref()
                .is_none_or(|d| group.description.as_ref() == Some(d))
    }
}

impl Access {
    /// Kasm's groups and links with the lists read by table (each by its
    /// table's list name, as a request's `access` holds it: `users`,
    /// `sessions`). A list is the items as Kasm answers them; one that does
    /// not read as its type is an error.
    pub fn with_lists(
        groups: Vec<Group>,
        links: Vec<GroupImage>,
        lists: Vec<(String, Vec<serde_json::Value>)>,
    ) -> Result<Access, String> {
        let tabled = |name: &str| {
            crate::schema::tables::RESOURCES
                .iter()
                .filter_map(|t| t.list)
                .any(|list| list.name == name)
        };
        if let Some((name, _)) = lists.iter().find(|(name, _)| !tabled(name)) {
            return Err(format!("no table lists Kasm's {name}"));
        }
        let listed = serde_json::Value::Object(serde_json::Map::from_iter(
            lists.into_iter().map(|(n, items)| (n, items.into())),
        ));
        let mut access = match Access::deserialize(&listed) {
            Ok(access) => access,
            // Read again one list at a time, to name the one that does not read.
            Err(e) => {
                let lists = listed.as_object().into_iter().flatten();
                let unread = lists.into_iter().find_map(|(name, items)| {
                    let one = serde_json::json!({ name: items });
                    let e = Access::deserialize(&one).err()?;
                    Some(format!("Kasm's {name} do not read: {e}"))
                });
                return Err(unread.unwrap_or_else(|| format!("Kasm's lists do not read: {e}")));
            }
        };
        access.groups = groups;
        access.links = links;
        Ok(access)
    }

    /// The lists read by table, each by its name, as [`Access::with_lists`]
    /// takes them.
    pub fn lists(&self) -> Vec<(String, Vec<serde_json::Value>)> {
        // The groups and links cross on their own.
        let names = ["users", "sessions"].into_iter().map(str::to_owned);
        names
            .chain(self.listed.keys().cloned())
            .filter_map(|name| Some((name.clone(), self.items(&name)?.into_owned())))
            .collect()
    }

    /// One list read by table, by its name; `None` when it was not read.
    pub fn items(&self, name: &str) -> Option<std::borrow::Cow<'_, [serde_json::Value]>> {
        use std::borrow::Cow;
        let typed = |items: Result<serde_json::Value, _>| match items {
            Ok(serde_json::Value::Array(items)) => Some(Cow::Owned(items)),
            _ => None,
        };
        // Every field named, so a new list cannot be left out.
        let Access {
            groups,
            links,
            users,
            sessions,
            listed,
        } = self;
        match name {
            "groups" => typed(serde_json::to_value(groups)),
            "links" => typed(serde_json::to_value(links)),
            "users" => typed(serde_json::to_value(users.as_ref()?)),
            "sessions" => typed(serde_json::to_value(sessions.as_ref()?)),
            _ => listed
                .get(name)
                .map(|items| Cow::Borrowed(items.as_slice())),
        }
    }

    /// How many rows link the group to the image.
    pub fn rows(&self, group_id: &str, image_id: &str) -> usize {
        self.links
            .iter()
            .filter(|l| same_id(&l.group_id, group_id) && same_id(&l.image_id, image_id))
            .count()
    }

    /// The group with this id.
    pub fn group(&self, group_id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| same_id(&g.group_id, group_id))
    }

    /// The users read (none when they were not).
    pub fn users(&self) -> &[User] {
        self.users.as_deref().unwrap_or_default()
    }

    /// The session with this id, when sessions were read and it is not
    /// being destroyed.
    pub fn session(&self, kasm_id: &str) -> Option<&Session> {
        self.sessions
            .iter()
            .flatten()
            .find(|s| same_id(&s.kasm_id, kasm_id))
            .filter(|s| !s.is_ending())
    }

    /// The user with this id.
    pub fn user(&self, user_id: &str) -> Option<&User> {
        self.users().iter().find(|u| same_id(&u.user_id, user_id))
    }

    /// How many membership rows put the user in the group.
    pub fn memberships(&self, group_id: &str, user_id: &str) -> usize {
        self.user(user_id).map_or(0, |u| {
            u.groups
                .iter()
                .filter(|g| same_id(&g.group_id, group_id))
                .count()
        })
    }
}

/// A managed group, as last applied.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupRecord {
    /// Kasm's id.
    pub group_id: String,
    /// Its name.
    pub name: String,
    /// Its priority.
    pub priority: i64,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The spec's `force_destroy` when last applied; honoured after the spec is removed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force_destroy: bool,
}

/// A managed link: the pair it stands for.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkRecord {
    /// The group.
    pub group_id: String,
    /// The image.
    pub image_id: String,
}

impl LinkRecord {
    /// Terraform's import id and `id` attribute: `group_id:image_id`.
    pub fn id(&self) -> String {
        format!("{}:{}", self.group_id, self.image_id)
    }
}

/// Whether two Kasm ids name the same object (hyphens and case aside).
pub fn same_id(a: &str, b: &str) -> bool {
    a == b
        || crate::model::canonical_uuid(a)
            .is_some_and(|x| Some(x) == crate::model::canonical_uuid(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every list a table reads crosses by its name and comes back the same;
    /// an item that does not read as its type is an error, never dropped.
    #[test]
    fn access_crosses_as_named_lists() {
        let users = json!([{ "user_id": "u1", "username": "bob", "groups": [{ "group_id": "g1", "name": "Devs" }] }]);
        let sessions = json!([{ "kasm_id": "k1", "user_id": "u1", "image_id": "i1", "operational_status": "running" }]);
        let lists = vec![
            (
                "users".to_owned(),
                users.as_array().cloned().unwrap_or_default(),
            ),
            (
                "sessions".to_owned(),
                sessions.as_array().cloned().unwrap_or_default(),
            ),
        ];
        let access = Access::with_lists(Vec::new(), Vec::new(), lists);
        let access = access.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(access.user("u1").map(|u| u.username.as_str()), Some("bob"));
        assert_eq!(access.memberships("g1", "u1"), 1);
        assert!(access.session("k1").is_some());
        let again = Access::with_lists(Vec::new(), Vec::new(), access.lists());
        assert_eq!(again.as_ref().ok(), Some(&access));
        // The lists read with the users cross by name; the groups on their own.
        for schema in crate::schema::tables::RESOURCES
            .iter()
            .filter(|t| t.reads_users)
            .filter_map(|t| t.list)
        {
            assert!(
                access.lists().iter().any(|(name, _)| name == schema.name),
                "{}",
                schema.name
            );
        }

        let unread = Access::with_lists(Vec::new(), Vec::new(), Vec::new());
        assert_eq!(unread.map(|a| (a.users, a.sessions)), Ok((None, None)));
        let bad = vec![("users".to_owned(), vec![json!({ "user_id": 7 })])];
        let refused = Access::with_lists(Vec::new(), Vec::new(), bad);
        assert!(refused.is_err_and(|e| e.contains("users")));
        let unknown = vec![("servers".to_owned(), Vec::new())];
        let refused = Access::with_lists(Vec::new(), Vec::new(), unknown);
        assert!(refused.is_err_and(|e| e.contains("servers")));
        assert_eq!(
            access.items("sessions").as_deref(),
            sessions.as_array().map(Vec::as_slice)
        );
        assert_eq!(access.items("servers"), None);
    }
}

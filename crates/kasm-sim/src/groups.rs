//! Groups and image authorization, as Kasm 1.15 does them (docs/kasm-api.md,
//! "Groups and image authorization"): `get_groups`, `get_images_group`,
//! `add_images_group`, `remove_images_group`, `create_group`, `update_group`,
//! `delete_group`, with their exact texts, their crashes, the duplicates
//! `add_images_group` inserts and the arbitrary group an empty id selects.

use crate::auth::{ApiKey, Permission};
use crate::image::StoredImage;
use crate::rules::{Outcome, uuid_hex};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The fixed id of the All Users group.
pub const ALL_USERS: &str = "68d557ac4cac42cca9f31c7c853de0f3";
/// The Administrators group's id here (a real install makes its own).
pub const ADMINISTRATORS: &str = "a0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5";

/// A group row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// 32-hex id.
    pub group_id: String,
    /// Unique name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// 1 to 4095; lower wins.
    pub priority: i64,
    /// All Users and Administrators: listed only with "Groups View System", never deleted.
    #[serde(default)]
    pub is_system: bool,
    /// Free-form settings.
    #[serde(default)]
    pub group_metadata: Map<String, Value>,
    /// Users seeded as members beyond the membership rows (deleting a group
    /// with members needs `force`).
    #[serde(default)]
    pub users: u32,
    /// Group settings (`max_kasms_per_user`, `keepalive_expiration`,
    /// `allow_kasm_sharing`, ...): for a user, the group with the lowest
    /// priority number that sets one wins.
    #[serde(default)]
    pub settings: Map<String, Value>,
    /// Names of the cast configs that refer to it (it cannot be deleted).
    #[serde(default)]
    pub cast_configs: Vec<String>,
}

/// One authorization row: the image may be launched by the group's users.
/// Nothing makes a (group, image) pair unique.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupImage {
    /// 32-hex id of the row.
    pub group_image_id: String,
    /// The group.
    pub group_id: String,
    /// The image.
    pub image_id: String,
}

/// Global settings that change what the calls do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// `images.add_images_to_default_group`: `create_image` authorizes every
    /// new image for All Users (on in a default install).
    #[serde(default = "yes")]
    pub add_images_to_default_group: bool,
    /// `scale.keepalive_expiration`, in seconds: how long a session lives
    /// without keepalives when no group or image says otherwise.
    #[serde(default = "an_hour")]
    pub keepalive_expiration: u64,
    /// At most this many sessions at once (agents' capacity); `None`: no limit.
    #[serde(default)]
    pub session_capacity: Option<usize>,
    /// The named-user licence: at most this many (non-anonymous) users.
    #[serde(default)]
    pub user_license_limit: Option<usize>,
}

fn yes() -> bool {
    true
}

fn an_hour() -> u64 {
    3600
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            add_images_to_default_group: true,
            keepalive_expiration: an_hour(),
            session_capacity: None,
            user_license_limit: None,
        }
    }
}

/// The two system groups every Kasm has.
pub fn system_groups() -> Vec<Group> {
    let group = |id: String, name: &str, description: &str, priority| Group {
        group_id: id,
        name: name.into(),
        description: Some(description.into()),
        priority,
        is_system: true,
        group_metadata: Map::new(),
        users: 0,
        settings: Map::new(),
        cast_configs: Vec::new(),
    };
    vec![
        group(
            ALL_USERS.into(),
            "All Users",
            "Default Users Group: All users are members of this group",
            1000,
        ),
        group(
            ADMINISTRATORS.into(),
            "Administrators",
            "Administrators Group: Members have full administrative access",
            1,
        ),
    ]
}

/// A new row id: 32 lowercase hex, as Kasm renders a UUID.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The groups, links and images the calls work on.
pub struct Tables<'a> {
    /// Group rows.
    pub groups: &'a mut Vec<Group>,
    /// Membership rows (a group with members needs `force` to go).
    pub members: &'a mut Vec<crate::users::UserGroup>,
    /// Authorization rows.
    pub links: &'a mut Vec<GroupImage>,
    /// Image rows (read only).
    pub images: &'a [StoredImage],
}

/// A key with no group membership (API keys belong to none): the "If Member"
/// permissions never apply.
fn may(key: &ApiKey, group: &Group, plain: Permission, system: Permission) -> bool {
    key.holds(Permission::GlobalAdmin)
        || if group.is_system {
            key.holds(system) && key.holds(plain)
        } else {
            key.holds(plain)
        }
}

pub(crate) fn may_view(key: &ApiKey, group: &Group) -> bool {
    may(
        key,
        group,
        Permission::GroupsView,
        Permission::GroupsViewSystem,
    )
}

pub(crate) fn may_modify(key: &ApiKey, group: &Group) -> bool {
    may(
        key,
        group,
        Permission::GroupsModify,
        Permission::GroupsModifySystem,
    )
}

/// `getGroup(id)` / `getImage(id)`: the index of the row with that id. An empty
/// or null id applies no filter, so the first row comes back; an id that is
/// not a UUID makes the query fail (a crash).
fn row_by<T>(rows: &[T], id: &Value, row_id: fn(&T) -> &str) -> Result<Option<usize>, Outcome> {
    match id {
        Value::Null => Ok((!rows.is_empty()).then_some(0)),
        Value::String(s) if s.is_empty() => Ok((!rows.is_empty()).then_some(0)),
        Value::String(s) => match uuid_hex(s) {
            Some(hex) => Ok(rows.iter().position(|r| row_id(r) == hex)),
            None => Err(Outcome::Crash(format!(
                "invalid input syntax for type uuid: {s:?}"
            ))),
        },
        other => Err(Outcome::Crash(format!("can't adapt type {other}"))),
    }
}

/// The index of the group an id names (see [`row_by`]).
pub(crate) fn group_index(groups: &[Group], id: &Value) -> Result<Option<usize>, Outcome> {
    row_by(groups, id, |g| &g.group_id)
}

/// The group and image rows an add or remove names (`None` where absent).
fn link_rows(t: &Tables, body: &Value) -> Result<(Option<usize>, Option<usize>), Outcome> {
    let (group_id, image_id) = link_ids(body)?;
    let group = group_index(t.groups, group_id)?;
    let image = row_by(t.images, image_id, |i| &i.image_id)?;
    Ok((group, image))
}

fn group_answer(g: &Group) -> Value {
    json!({
        "group_id": g.group_id,
        "name": g.name,
        "description": g.description,
        "priority": g.priority,
        "is_system": g.is_system,
        "group_metadata": g.group_metadata,
        "group_mappings": [],
    })
}

/// The model's own rendering (create and update answers).
fn group_model(g: &Group) -> Value {
    json!({
        "group_id": g.group_id,
        "name": g.name,
        "is_system": g.is_system,
        "description": g.description,
        "priority": g.priority,
        "program_data": null,
        "group_metadata": g.group_metadata,
    })
}

/// `get_groups`: the groups the key may view.
pub fn list(t: &Tables, key: &ApiKey) -> Outcome {
    let groups: Vec<Value> = t
        .groups
        .iter()
        .filter(|g| may_view(key, g))
        .map(group_answer)
        .collect();
    Outcome::Ok(json!({ "groups": groups }))
}

/// `get_images_group`: every link row of the group (duplicates included).
pub fn images(t: &Tables, key: &ApiKey, body: &Value) -> Outcome {
    let id = body.get("target_group").and_then(|g| g.get("group_id"));
    let Some(id) = id.filter(|id| id.as_str() != Some("")) else {
        return Outcome::Refused("Invalid Request: Missing group id".into());
    };
    let index = match group_index(t.groups, id) {
        Ok(Some(i)) => i,
        Ok(None) => return Outcome::Refused("Request group does not exist".into()),
        Err(crash) => return crash,
    };
    let Some(group) = t.groups.get(index) else {
        return Outcome::Refused("Request group does not exist".into());
    };
    if !may_view(key, group) {
        return Outcome::Unauthorized;
    }
    let rows: Vec<Value> = t
        .links
        .iter()
        .filter(|l| l.group_id == group.group_id)
        .map(|l| {
            let image = t.images.iter().find(|i| i.image_id == l.image_id);
            json!({
                "group_image_id": l.group_image_id,
                "group_id": l.group_id,
                "image_id": l.image_id,
                "image_name": image.and_then(|i| i.name.clone()),
                "group_name": group.name,
                "image_friendly_name": image.and_then(|i| i.friendly_name.clone()),
                "image_src": image.and_then(|i| i.image_src.clone()),
            })
        })
        .collect();
    Outcome::Ok(json!({ "images": rows }))
}

/// The `(group_id, image_id)` values of an add or remove request, or the refusal.
fn link_ids(body: &Value) -> Result<(&Value, &Value), Outcome> {
    let group = body
        .get("target_group")
        .filter(|g| truthy(g))
        .and_then(|g| g.get("group_id"));
    let image = body
        .get("target_image")
        .filter(|i| truthy(i))
        .and_then(|i| i.get("image_id"));
    match (group, image) {
        (Some(g), Some(i)) => Ok((g, i)),
        _ => Err(Outcome::Refused(
            "Invalid request, missing group or image id".into(),
        )),
    }
}

/// Python's truth of the `target_*` objects: an empty one is false.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.is_empty(),
        Value::Null => false,
        _ => true,
    }
}

/// `add_images_group`: inserts a row, even when one exists; an unknown group or
/// image crashes (the handler dereferences the missing row).
pub fn add(t: &mut Tables, key: &ApiKey, body: &Value) -> Outcome {
    let (group, image) = match link_rows(t, body) {
        Ok((g, i)) => (
            g.and_then(|g| t.groups.get(g)),
            i.and_then(|i| t.images.get(i)),
        ),
        Err(outcome) => return outcome,
    };
    let (Some(group), Some(image)) = (group, image) else {
        return Outcome::Crash("'NoneType' object has no attribute 'group_id'".into());
    };
    if !may_modify(key, group) {
        return Outcome::Unauthorized;
    }
    t.links.push(GroupImage {
        group_image_id: new_id(),
        group_id: group.group_id.clone(),
        image_id: image.image_id.clone(),
    });
    Outcome::Ok(json!({}))
}

/// `remove_images_group`: deletes one row of the pair (the first), if any.
pub fn remove(t: &mut Tables, key: &ApiKey, body: &Value) -> Outcome {
    let (group, image) = match link_rows(t, body) {
        Ok((g, i)) => (
            g.and_then(|g| t.groups.get(g)).cloned(),
            i.and_then(|i| t.images.get(i)),
        ),
        Err(outcome) => return outcome,
    };
    let (Some(group), Some(image)) = (group, image) else {
        return Outcome::Refused("Group or image does not exist".into());
    };
    if !may_modify(key, &group) {
        return Outcome::Unauthorized;
    }
    if let Some(i) = t
        .links
        .iter()
        .position(|l| l.group_id == group.group_id && l.image_id == image.image_id)
    {
        t.links.remove(i);
    }
    Outcome::Ok(json!({}))
}

/// A new image: All Users may launch it when the setting says so.
pub fn on_create(links: &mut Vec<GroupImage>, settings: &Settings, image_id: &str) {
    if settings.add_images_to_default_group {
        links.push(GroupImage {
            group_image_id: new_id(),
            group_id: ALL_USERS.into(),
            image_id: image_id.into(),
        });
    }
}

/// A deleted image takes its rows with it.
pub fn on_delete(links: &mut Vec<GroupImage>, image_id: &str) {
    links.retain(|l| l.image_id != image_id);
}

fn priority(v: Option<&Value>) -> Result<i64, Outcome> {
    let text = match v {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        other => return Err(Outcome::Crash(format!("int() argument: {other:?}"))),
    };
    match text.trim().parse::<i64>() {
        Ok(p) if 0 < p && p < 4096 => Ok(p),
        Ok(_) => Err(Outcome::Refused(format!("Invalid priority value ({text})"))),
        Err(_) => Err(Outcome::Crash(format!(
            "invalid literal for int(): {text:?}"
        ))),
    }
}

/// `create_group`. A `group_mappings` key crashes after the group is saved.
pub fn create(t: &mut Tables, body: &Value) -> Outcome {
    let target = body.get("target_group").and_then(Value::as_object);
    let (Some(target), true) = (
        target,
        target.is_some_and(|t| t.contains_key("name") && t.contains_key("priority")),
    ) else {
        return Outcome::Refused("Invalid Request. Missing required parameters".into());
    };
    let name = match target.get("name") {
        Some(Value::String(s)) => s.clone(),
        other => other.map(Value::to_string).unwrap_or_default(),
    };
    if t.groups.iter().any(|g| g.name == name) {
        return Outcome::Refused(format!("Group ({name}) already exists"));
    }
    let priority = match priority(target.get("priority")) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let group = Group {
        group_id: new_id(),
        name,
        description: target
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        priority,
        is_system: false,
        group_metadata: target
            .get("group_metadata")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        users: 0,
        settings: Map::new(),
        cast_configs: Vec::new(),
    };
    let answer = json!({ "group": group_model(&group), "group_mappings": [] });
    t.groups.push(group);
    if target.contains_key("group_mappings") {
        return Outcome::CrashAfterWrite("'dict' object is not callable".into());
    }
    Outcome::Ok(answer)
}

/// `update_group`: the keys given; a `group_mappings` key crashes after the update.
pub fn update(t: &mut Tables, key: &ApiKey, body: &Value) -> Outcome {
    let target = body.get("target_group").and_then(Value::as_object);
    let Some(target) = target.filter(|t| t.contains_key("group_id")) else {
        return Outcome::Refused("Invalid Request. Missing required parameters".into());
    };
    let index = match group_index(t.groups, target.get("group_id").unwrap_or(&Value::Null)) {
        Ok(Some(i)) => i,
        Ok(None) => return Outcome::Refused("Group does not exist".into()),
        Err(crash) => return crash,
    };
    let new_priority = match target.get("priority") {
        Some(v) => match priority(Some(v)) {
            Ok(p) => Some(p),
            Err(outcome) => return outcome,
        },
        None => None,
    };
    let new_name = target.get("name").and_then(Value::as_str);
    if let Some(n) = new_name
        && t.groups
            .iter()
            .enumerate()
            .any(|(i, g)| i != index && g.name == n)
    {
        return Outcome::Refused(format!("Group ({n}) already exists"));
    }
    let Some(group) = t.groups.get_mut(index) else {
        return Outcome::Refused("Group does not exist".into());
    };
    if !may_modify(key, group) {
        return Outcome::Unauthorized;
    }
    if let Some(n) = new_name {
        group.name = n.to_owned();
    }
    if let Some(p) = new_priority {
        group.priority = p;
    }
    if let Some(d) = target.get("description") {
        group.description = d.as_str().map(str::to_owned);
    }
    if let Some(Value::Object(m)) = target.get("group_metadata") {
        group.group_metadata = m.clone();
    }
    let answer = json!({ "group": group_model(group), "group_mappings": [] });
    if target.contains_key("group_mappings") {
        return Outcome::CrashAfterWrite("'dict' object is not callable".into());
    }
    Outcome::Ok(answer)
}

/// `delete_group`: refuses system groups, groups cast configs use, and groups
/// with users unless `force`; its rows go with it.
pub fn delete(t: &mut Tables, body: &Value) -> Outcome {
    let force = match body.get("force") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Outcome::Refused("Invalid Request. 'force' option must be boolean".into());
        }
    };
    let id = body
        .get("target_group")
        .and_then(|g| g.get("group_id"))
        .cloned()
        .unwrap_or(Value::Null);
    let index = match group_index(t.groups, &id) {
        Ok(Some(i)) => i,
        Ok(None) => {
            return Outcome::Refused(format!(
                "Group {} does not exist",
                id.as_str().unwrap_or("")
            ));
        }
        Err(crash) => return crash,
    };
    let Some(group) = t.groups.get(index) else {
        return Outcome::Refused("Group does not exist".into());
    };
    if group.is_system {
        return Outcome::Refused(format!(
            "Group ({}) is a protected group and cannot be deleted",
            group.name
        ));
    }
    if let Some(cast) = group.cast_configs.first() {
        return Outcome::Refused(format!(
            "Group ({}) is referenced in Cast configuration ({cast}) and cannot be deleted",
            group.name
        ));
    }
    let users = group.users as usize
        + t.members
            .iter()
            .filter(|m| m.group_id == group.group_id)
            .count();
    if users > 0 && !force {
        return Outcome::Refused(format!(
            "Group contains ({users}) users and 'force' option not set to True"
        ));
    }
    let gone = t.groups.remove(index);
    t.links.retain(|l| l.group_id != gone.group_id);
    t.members.retain(|m| m.group_id != gone.group_id);
    Outcome::Ok(json!({}))
}

//! Users and their group memberships, as Kasm 1.15 does them (docs/kasm-api.md,
//! "Users, memberships and sessions"): `create_user`, `get_user`, `get_users`,
//! `update_user`, `delete_user`, `logout_user`, `add_user_group`,
//! `remove_user_group`, `get_users_group`, with their order of checks, texts
//! and id forms.

use crate::auth::{ApiKey, Permission};
use crate::clock::{date, now_ms};
use crate::groups::{ADMINISTRATORS, ALL_USERS, Group, new_id};
use crate::rules::{Outcome, uuid_hex};
use crate::sessions;
use crate::store::Db;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// A row of Kasm's `users` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[allow(missing_docs)] // the keys of docs/kasm-api.md, "Users"
pub struct User {
    pub user_id: String,
    pub username: String,
    /// `sha256(password + salt)`, hex.
    pub pw_hash: String,
    pub salt: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub organization: Option<String>,
    pub notes: Option<String>,
    pub email: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub custom_attribute_1: Option<String>,
    pub custom_attribute_2: Option<String>,
    pub custom_attribute_3: Option<String>,
    pub locked: bool,
    pub disabled: bool,
    pub anonymous: bool,
    pub realm: String,
    /// Milliseconds since the epoch.
    pub created: u64,
    pub password_set: Option<u64>,
    pub last_session: Option<u64>,
}

impl Default for User {
    fn default() -> Self {
        User {
            user_id: String::new(),
            username: String::new(),
            pw_hash: String::new(),
            salt: String::new(),
            first_name: None,
            last_name: None,
            phone: None,
            organization: None,
            notes: None,
            email: None,
            city: None,
            state: None,
            country: None,
            custom_attribute_1: None,
            custom_attribute_2: None,
            custom_attribute_3: None,
            locked: false,
            disabled: false,
            anonymous: false,
            realm: "local".into(),
            created: 0,
            password_set: None,
            last_session: None,
        }
    }
}

impl User {
    /// Whether `password` is this user's password.
    pub fn password_is(&self, password: &str) -> bool {
        hash(password, &self.salt) == self.pw_hash
    }

    fn set_password(&mut self, password: &str) {
        self.salt = new_id();
        self.pw_hash = hash(password, &self.salt);
        self.password_set = Some(now_ms());
    }
}

/// One membership row. Nothing in the table makes a (user, group) pair unique.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserGroup {
    /// 32-hex id of the row.
    pub user_group_id: String,
    /// The user.
    pub user_id: String,
    /// The group.
    pub group_id: String,
}

/// A session token: what a `kasm_url` or a UI login carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionToken {
    /// Hyphenated UUID.
    pub token: String,
    /// Whose.
    pub user_id: String,
}

fn hash(password: &str, salt: &str) -> String {
    Sha256::digest(format!("{password}{salt}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A 32-hex id as `str(uuid)` prints it.
pub fn hyphenated(hex: &str) -> String {
    uuid::Uuid::parse_str(hex).map_or_else(|_| hex.to_owned(), |u| u.hyphenated().to_string())
}

/// The groups of a user, one entry per membership row, in row order.
pub fn groups_of<'d>(db: &'d Db, user_id: &str) -> impl Iterator<Item = &'d Group> {
    db.user_groups
        .iter()
        .filter(move |m| m.user_id == user_id)
        .filter_map(|m| db.groups.iter().find(|g| g.group_id == m.group_id))
}

/// A group setting for a user: among the user's groups that set it, the one
/// with the lowest priority number wins.
pub fn setting<'d>(db: &'d Db, user_id: &str, name: &str) -> Option<&'d Value> {
    groups_of(db, user_id)
        .filter_map(|g| g.settings.get(name).map(|v| (g.priority, v)))
        .min_by_key(|(p, _)| *p)
        .map(|(_, v)| v)
}

/// Adds a session token for the user and returns it.
pub fn new_token(db: &mut Db, user_id: &str) -> String {
    let token = uuid::Uuid::new_v4().hyphenated().to_string();
    db.session_tokens.push(SessionToken {
        token: token.clone(),
        user_id: user_id.to_owned(),
    });
    token
}

fn group_list(db: &Db, user_id: &str) -> Vec<Value> {
    groups_of(db, user_id)
        .map(|g| json!({ "name": g.name, "group_id": g.group_id }))
        .collect()
}

/// The answer of `create_user` and `update_user` (U12).
fn short(db: &Db, u: &User) -> Value {
    json!({
        "user_id": u.user_id,
        "username": u.username,
        "locked": u.locked,
        "disabled": u.disabled,
        "last_session": u.last_session.map(date),
        "groups": group_list(db, &u.user_id),
        "first_name": u.first_name,
        "last_name": u.last_name,
        "phone": u.phone,
        "organization": u.organization,
        "notes": u.notes,
        "realm": u.realm,
    })
}

/// The answer of `get_user` (U24): U12 and the user's details and sessions.
fn long(db: &Db, key: &ApiKey, u: &User) -> Value {
    let mut v = short(db, u);
    let two_factor = setting(db, &u.user_id, "require_2fa")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let kasms = if key.holds(Permission::SessionsView) {
        sessions::of_user(db, &u.user_id)
    } else {
        Vec::new()
    };
    if let Some(o) = v.as_object_mut() {
        let extra = json!({
            "kasms": kasms,
            "two_factor": two_factor,
            "program_id": null,
            "created": date(u.created),
            "password_set_date": u.password_set.map(date),
            "city": u.city,
            "state": u.state,
            "country": u.country,
            "email": u.email,
            "custom_attribute_1": u.custom_attribute_1,
            "custom_attribute_2": u.custom_attribute_2,
            "custom_attribute_3": u.custom_attribute_3,
        });
        if let Value::Object(extra) = extra {
            o.extend(extra);
        }
    }
    v
}

/// A `get_users` element (UL): the id hyphenated, `last_session` as Python prints `None`.
fn listed(db: &Db, key: &ApiKey, u: &User) -> Value {
    json!({
        "user_id": hyphenated(&u.user_id),
        "username": u.username,
        "anonymous": u.anonymous,
        "locked": u.locked,
        "disabled": u.disabled,
        "last_session": u.last_session.map_or_else(|| "None".to_owned(), date),
        "groups": if key.holds(Permission::GroupsView) { group_list(db, &u.user_id) } else { Vec::new() },
        "first_name": u.first_name,
        "last_name": u.last_name,
        "phone": u.phone,
        "organization": u.organization,
        "notes": u.notes,
        "kasms": if key.holds(Permission::SessionsView) { sessions::of_user(db, &u.user_id) } else { Vec::new() },
        "realm": u.realm,
        "company": {},
        "created": date(u.created),
    })
}

fn text(v: Option<&Value>, limit: usize) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.trim().chars().take(limit).collect()),
        other => Some(other.to_string().chars().take(limit).collect()),
    }
}

/// Python's truth of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn target_user(body: &Value) -> Option<&Map<String, Value>> {
    body.get("target_user").and_then(Value::as_object)
}

/// The index of the user a `user_id` names; a non-UUID crashes, as the database does.
fn user_by_id(db: &Db, id: &Value) -> Result<Option<usize>, Outcome> {
    let hex = id
        .as_str()
        .and_then(uuid_hex)
        .ok_or_else(|| Outcome::Crash(format!("invalid input syntax for type uuid: {id}")))?;
    Ok(db.users.iter().position(|u| u.user_id == hex))
}

fn sent(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// Whether the user is a Global Admin through its groups.
fn is_admin(db: &Db, user_id: &str) -> bool {
    groups_of(db, user_id).any(|g| g.group_id == ADMINISTRATORS)
}

/// `create_user`. On the public path a missing password becomes a random one.
pub fn create(db: &mut Db, body: &Value, public: bool) -> Outcome {
    let missing = || Outcome::Bad("Invalid Request: Missing required parameters".into());
    let Some(target) = target_user(body).filter(|t| t.contains_key("username")) else {
        return missing();
    };
    let password = match target.get("password").and_then(Value::as_str) {
        Some(p) if !p.is_empty() => p.to_owned(),
        _ if public => new_id(),
        _ => return missing(),
    };
    if target.get("company_id").is_some_and(truthy) {
        return Outcome::Bad("Invalid Request: Company does not exist".into());
    }
    if let Some(program) = target.get("program_id").filter(|v| truthy(v)) {
        return Outcome::Bad(format!("Unknown program_id ({})", sent(program)));
    }
    if db
        .settings
        .user_license_limit
        .is_some_and(|limit| db.users.iter().filter(|u| !u.anonymous).count() >= limit)
    {
        return Outcome::Status(403, "License limit exceeded. Unable to create user".into());
    }
    let Some(raw) = target.get("username").and_then(Value::as_str) else {
        return Outcome::Crash("'int' object has no attribute 'strip'".into());
    };
    let username = raw.trim().to_lowercase();
    if username.chars().count() > 255 {
        return Outcome::Crash("value too long for type character varying(255)".into());
    }
    if db.users.iter().any(|u| u.username == username) {
        return Outcome::Bad(format!(
            "Error creating user ({raw}): (User already exists)"
        ));
    }
    let mut user = User {
        user_id: new_id(),
        username,
        first_name: text(target.get("first_name"), 64),
        last_name: text(target.get("last_name"), 64),
        phone: text(target.get("phone"), 64),
        organization: text(target.get("organization"), 64),
        notes: text(target.get("notes"), usize::MAX),
        locked: target.get("locked").is_some_and(truthy),
        disabled: target
            .get("disabled")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        realm: text(target.get("realm"), 64).unwrap_or_else(|| "local".into()),
        created: now_ms(),
        ..User::default()
    };
    user.set_password(&password);
    let answer_user = user.clone();
    add_member(db, &user.user_id, ALL_USERS);
    if user.realm == "local" {
        let auto: Vec<String> = db
            .groups
            .iter()
            .filter(|g| g.group_id != ALL_USERS)
            .filter(|g| g.settings.get("auto_add_local_users") == Some(&Value::Bool(true)))
            .map(|g| g.group_id.clone())
            .collect();
        for group in auto {
            add_member(db, &user.user_id, &group);
        }
    }
    db.users.push(user);
    Outcome::Ok(json!({ "user": short(db, &answer_user) }))
}

/// A new anonymous user (`request_kasm` without a `user_id`), in All Users.
pub fn anonymous(db: &mut Db) -> String {
    let letters: String = uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .chars()
        .take(16)
        .collect();
    let mut user = User {
        user_id: new_id(),
        username: format!("anon_{letters}"),
        anonymous: true,
        created: now_ms(),
        ..User::default()
    };
    user.set_password(&new_id());
    let id = user.user_id.clone();
    db.users.push(user);
    add_member(db, &id, ALL_USERS);
    id
}

fn add_member(db: &mut Db, user_id: &str, group_id: &str) {
    db.user_groups.push(UserGroup {
        user_group_id: new_id(),
        user_id: user_id.to_owned(),
        group_id: group_id.to_owned(),
    });
}

/// `get_user`: by `user_id` (parsed as a UUID; a bad one is "not found") or by
/// `username`. Every failure reads `Invalid Request`.
pub fn get(db: &Db, key: &ApiKey, body: &Value) -> Outcome {
    let invalid = || Outcome::Bad("Invalid Request".into());
    let Some(target) = target_user(body) else {
        return invalid();
    };
    let found = if let Some(id) = target.get("user_id") {
        let hex = id.as_str().and_then(uuid_hex);
        db.users
            .iter()
            .find(|u| hex.as_deref() == Some(u.user_id.as_str()))
    } else if let Some(name) = target.get("username").and_then(Value::as_str) {
        let name = name.trim().to_lowercase();
        db.users.iter().find(|u| u.username == name)
    } else {
        None
    };
    match found {
        Some(u) => Outcome::Ok(json!({ "user": long(db, key, u) })),
        None => invalid(),
    }
}

/// `get_users`: the filtered, sorted and paged list; `{}` when nothing matches.
pub fn list(db: &Db, key: &ApiKey, body: &Value) -> Outcome {
    let flag = |name: &str| body.get(name).is_some_and(truthy);
    let (with_anonymous, only_anonymous) = (flag("anonymous"), flag("anonymous_only"));
    let filters: Vec<(&str, &Value)> = body
        .get("filters")
        .and_then(Value::as_array)
        .map(|fs| {
            fs.iter()
                .filter_map(|f| Some((f.get("id")?.as_str()?, f.get("value")?)))
                .filter(|(_, v)| truthy(v))
                .collect()
        })
        .unwrap_or_default();
    let mut users: Vec<&User> = db
        .users
        .iter()
        .filter(|u| {
            if only_anonymous {
                u.anonymous
            } else {
                with_anonymous || !u.anonymous
            }
        })
        .filter(|u| filters.iter().all(|(id, v)| matches_filter(db, u, id, v)))
        .collect();
    if let Some(column) = body.get("sort_by").and_then(Value::as_str) {
        let descending = body.get("sort_direction").and_then(Value::as_str) != Some("asc");
        users.sort_by_key(|u| sort_key(u, column));
        if descending {
            users.reverse();
        }
    }
    let total = users.len();
    let page = body.get("page").and_then(Value::as_i64).map(|p| p.max(0));
    if let (Some(page), Some(size)) = (page, body.get("page_size").and_then(Value::as_u64)) {
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        let skip = usize::try_from(page).unwrap_or(0).saturating_mul(size);
        users = users.into_iter().skip(skip).take(size).collect();
    }
    if users.is_empty() {
        return Outcome::Ok(json!({}));
    }
    let mut answer = json!({
        "users": users.iter().map(|u| listed(db, key, u)).collect::<Vec<_>>(),
        "total": total,
    });
    if let (Some(page), Some(o)) = (page, answer.as_object_mut()) {
        o.insert("page".into(), json!(page));
    }
    Outcome::Ok(answer)
}

fn matches_filter(db: &Db, u: &User, id: &str, value: &Value) -> bool {
    match id {
        "username" => value
            .as_str()
            .is_some_and(|s| u.username.contains(&s.to_lowercase())),
        "locked" => value.as_bool() == Some(u.locked),
        "disabled" => value.as_bool() == Some(u.disabled),
        "exclude_group" => {
            let group = value.as_str().and_then(uuid_hex);
            !groups_of(db, &u.user_id).any(|g| Some(&g.group_id) == group.as_ref())
        }
        _ => true,
    }
}

fn sort_key(u: &User, column: &str) -> String {
    match column {
        "username" => u.username.clone(),
        "first_name" => u.first_name.clone().unwrap_or_default(),
        "last_name" => u.last_name.clone().unwrap_or_default(),
        "created" => format!("{:020}", u.created),
        _ => String::new(),
    }
}

/// Kasm's password rules for `update_user`: the first failing rule's message,
/// in Kasm's order of priority.
pub fn complexity(password: &str) -> Option<&'static str> {
    const SYMBOLS: &str = " !#@$%&'()*+,-./[\\]^_`{|}~\"";
    if !password.chars().any(|c| c.is_ascii_digit()) {
        return Some("Your password must contain at least one number.");
    }
    if password.chars().count() < 8 {
        return Some("Your password must be at least 8 characters long");
    }
    if !password.chars().any(|c| SYMBOLS.contains(c)) {
        return Some("Your password must contain at least one special character.");
    }
    if !password.chars().any(|c| c.is_lowercase()) {
        return Some("Your password must contain at least one lower case character.");
    }
    if !password.chars().any(|c| c.is_uppercase()) {
        return Some("Your password must contain at least one upper case character.");
    }
    None
}

/// `update_user`: 400 on every path; every check runs and the last failure
/// wins; keys left out keep their values; a new password logs the user out.
pub fn update(db: &mut Db, key: &ApiKey, body: &Value) -> Outcome {
    let refuse = |msg: String| Outcome::Status(400, msg);
    let Some(target) = target_user(body) else {
        return refuse("Invalid Request".into());
    };
    let Some(id) = target.get("user_id") else {
        return refuse("Invalid Request".into());
    };
    let index = match user_by_id(db, id) {
        Ok(Some(i)) => i,
        Ok(None) => return refuse("Unknown User".into()),
        Err(crash) => return crash,
    };
    let Some(current) = db.users.get(index).cloned() else {
        return refuse("Unknown User".into());
    };
    let needed = if is_admin(db, &current.user_id) {
        Permission::UsersModifyAdmin
    } else {
        Permission::UsersModify
    };
    if !key.holds(needed) {
        return Outcome::Unauthorized;
    }
    let password = target
        .get("password")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty());
    let mut error = None;
    if target.get("username").is_none_or(|v| !truthy(v)) {
        error = Some("Username is not present".to_owned());
    }
    if let Some(p) = password {
        if current.realm != "local" && current.realm != "ldap" {
            error = Some("Passwords can only be set on local and ldap accounts.".into());
        }
        if let Some(msg) = complexity(p) {
            error = Some(msg.into());
        }
    }
    if let Some(company) = target.get("company_id").filter(|v| !v.is_null()) {
        error = Some(format!("Company does not exist by id ({})", sent(company)));
    }
    if let Some(program) = target.get("program_id").filter(|v| !v.is_null()) {
        error = Some(format!("Unknown program_id ({})", sent(program)));
    }
    let mut lock = None;
    if let Some(status) = target.get("status").filter(|v| !v.is_null()) {
        match status.as_str() {
            Some("active") => lock = Some(false),
            Some("inactive") => lock = Some(true),
            _ => error = Some(format!("Invalid Status ({})", sent(status))),
        }
    }
    if let Some(msg) = error {
        return refuse(msg);
    }
    let Some(user) = db.users.get_mut(index) else {
        return refuse("Unknown User".into());
    };
    apply_update(user, target, lock);
    if let Some(p) = password {
        user.set_password(p);
        user.locked = false;
    }
    let user = user.clone();
    if password.is_some() {
        db.session_tokens.retain(|t| t.user_id != user.user_id);
    }
    Outcome::Ok(json!({ "user": short(db, &user) }))
}

fn apply_update(user: &mut User, target: &Map<String, Value>, lock: Option<bool>) {
    let given = |name: &str| target.get(name).filter(|v| !v.is_null());
    if let Some(name) = given("username").and_then(Value::as_str) {
        user.username = name.trim().to_lowercase().chars().take(255).collect();
    }
    for (field, slot) in [
        ("first_name", &mut user.first_name),
        ("last_name", &mut user.last_name),
        ("phone", &mut user.phone),
        ("organization", &mut user.organization),
    ] {
        if let Some(v) = given(field) {
            *slot = text(Some(v), 64).filter(|s| !s.is_empty());
        }
    }
    for (field, slot) in [
        ("notes", &mut user.notes),
        ("city", &mut user.city),
        ("state", &mut user.state),
        ("country", &mut user.country),
        ("email", &mut user.email),
        ("custom_attribute_1", &mut user.custom_attribute_1),
        ("custom_attribute_2", &mut user.custom_attribute_2),
        ("custom_attribute_3", &mut user.custom_attribute_3),
    ] {
        if let Some(v) = given(field) {
            *slot = text(Some(v), usize::MAX);
        }
    }
    if let Some(realm) = given("realm").and_then(Value::as_str) {
        user.realm = realm.to_owned();
    }
    if let Some(locked) = given("locked").and_then(Value::as_bool).or(lock) {
        user.locked = locked;
    }
    if given("force_password_reset") == Some(&Value::Bool(true)) {
        user.password_set = None;
    }
    if let Some(disabled) = given("disabled").and_then(Value::as_bool) {
        user.disabled = disabled;
    }
}

/// `delete_user`: refuses a user with sessions unless `force`; then the
/// user's sessions, memberships and tokens go with it.
pub fn delete(db: &mut Db, key: &ApiKey, body: &Value) -> Outcome {
    let force = match body.get("force") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Outcome::Status(
                200,
                "Invalid Request. 'force' option must be boolean".into(),
            );
        }
    };
    let Some(id) = target_user(body).and_then(|t| t.get("user_id")) else {
        return Outcome::Bad("Invalid Request: Missing required parameters".into());
    };
    let index = match user_by_id(db, id) {
        Ok(Some(i)) => i,
        Ok(None) => return Outcome::Bad(format!("Unknown user ({})", sent(id))),
        Err(crash) => return crash,
    };
    let Some(user) = db.users.get(index).cloned() else {
        return Outcome::Bad(format!("Unknown user ({})", sent(id)));
    };
    let denied = |what: &str| {
        Outcome::Status(
            401,
            format!(
                "API Key ({}) unauthorized for deleting the requested user ({}){what}.",
                key.name, user.username
            ),
        )
    };
    if is_admin(db, &user.user_id) && !key.holds(Permission::UsersModifyAdmin) {
        return denied("");
    }
    let owned = db
        .kasms
        .iter()
        .filter(|k| k.user_id == user.user_id)
        .count();
    if owned > 0 && !force {
        return Outcome::Bad(format!(
            "Users contains ({owned}) kasms and 'force' option not set to True"
        ));
    }
    if owned > 0 && !key.holds(Permission::SessionsDelete) {
        return denied(" sessions");
    }
    db.kasms.retain(|k| k.user_id != user.user_id);
    db.user_groups.retain(|m| m.user_id != user.user_id);
    db.session_tokens.retain(|t| t.user_id != user.user_id);
    db.users.remove(index);
    Outcome::Ok(json!({}))
}

/// `logout_user`: deletes every session token of the user; sessions keep running.
pub fn logout(db: &mut Db, body: &Value) -> Outcome {
    let Some(target) = target_user(body) else {
        return Outcome::Bad("Invalid Request: Missing required target_user".into());
    };
    let Some(id) = target.get("user_id") else {
        return Outcome::Bad("Invalid Request: Missing required user_id".into());
    };
    let hex = id.as_str().and_then(uuid_hex);
    if !db.users.iter().any(|u| Some(&u.user_id) == hex.as_ref()) {
        return Outcome::Bad(format!("Unknown user ({})", sent(id)));
    }
    db.session_tokens
        .retain(|t| Some(&t.user_id) != hex.as_ref());
    Outcome::Ok(json!({}))
}

/// Which membership call.
#[derive(Clone, Copy, PartialEq)]
pub enum Membership {
    /// `add_user_group`.
    Add,
    /// `remove_user_group`.
    Remove,
}

/// `add_user_group` / `remove_user_group`: user, then group, then the
/// membership, then the right to change that group. Neither is idempotent.
pub fn membership(db: &mut Db, key: &ApiKey, body: &Value, call: Membership) -> Outcome {
    let user_id = target_user(body).and_then(|t| t.get("user_id"));
    let group_id = body
        .get("target_group")
        .and_then(Value::as_object)
        .and_then(|g| g.get("group_id"));
    let (Some(user_id), Some(group_id)) = (user_id, group_id) else {
        return Outcome::Bad("Invalid Request: Missing required parameters".into());
    };
    let group = match crate::groups::group_index(&db.groups, group_id) {
        Ok(g) => g.and_then(|i| db.groups.get(i)).cloned(),
        Err(crash) => return crash,
    };
    let user = match user_by_id(db, user_id) {
        Ok(u) => u.and_then(|i| db.users.get(i)).cloned(),
        Err(crash) => return crash,
    };
    let Some(user) = user else {
        return Outcome::Bad(format!("Invalid User ID ({})", sent(user_id)));
    };
    let Some(group) = group else {
        return Outcome::Bad(format!("Invalid Group ID ({})", sent(group_id)));
    };
    let row = db
        .user_groups
        .iter()
        .position(|m| m.user_id == user.user_id && m.group_id == group.group_id);
    let (uid, gid) = (sent(user_id), sent(group_id));
    match (call, row) {
        (Membership::Add, Some(_)) => {
            return Outcome::Bad(format!("User ({uid}) is already a member of group ({gid})"));
        }
        (Membership::Remove, None) => {
            return Outcome::Bad(format!("User ({uid}) is not a member of group ({gid})"));
        }
        _ => {}
    }
    if !crate::groups::may_modify(key, &group) {
        return Outcome::Unauthorized;
    }
    match row {
        Some(i) => {
            db.user_groups.remove(i);
        }
        None => add_member(db, &user.user_id, &group.group_id),
    }
    Outcome::Ok(json!({}))
}

/// `get_users_group`: the group's members (a repeated row lists a user twice).
/// Its refusals are 200 on every path.
pub fn of_group(db: &Db, key: &ApiKey, body: &Value) -> Outcome {
    let refuse = |msg: String| Outcome::Status(200, msg);
    let Some(id) = body
        .get("target_group")
        .and_then(Value::as_object)
        .and_then(|g| g.get("group_id"))
    else {
        return refuse("Invalid Request: Missing required parameters".into());
    };
    let group = match crate::groups::group_index(&db.groups, id) {
        Ok(g) => g.and_then(|i| db.groups.get(i)),
        Err(crash) => return crash,
    };
    let Some(group) = group else {
        return refuse(format!("Invalid Group ID ({})", sent(id)));
    };
    if !crate::groups::may_view(key, group) {
        return Outcome::Unauthorized;
    }
    let name_filter = body
        .get("filters")
        .and_then(Value::as_array)
        .and_then(|fs| {
            fs.iter()
                .find(|f| f.get("id").and_then(Value::as_str) == Some("name"))
        })
        .and_then(|f| f.get("value"))
        .and_then(Value::as_str)
        .map(str::to_lowercase);
    let members: Vec<Value> = db
        .user_groups
        .iter()
        .filter(|m| m.group_id == group.group_id)
        .filter_map(|m| db.users.iter().find(|u| u.user_id == m.user_id))
        .filter(|u| name_filter.as_ref().is_none_or(|f| u.username.contains(f)))
        .map(|u| json!({ "name": u.username, "user_id": u.user_id }))
        .collect();
    let total = members.len();
    Outcome::Ok(json!({ "users": members, "total": total }))
}

#[cfg(test)]
mod tests {
    use super::complexity;

    #[test]
    fn password_rules_answer_in_kasms_priority() {
        assert_eq!(
            complexity("short"),
            Some("Your password must contain at least one number.")
        );
        assert_eq!(
            complexity("a1"),
            Some("Your password must be at least 8 characters long")
        );
        assert_eq!(
            complexity("abcdefg1"),
            Some("Your password must contain at least one special character.")
        );
        assert_eq!(
            complexity("ABCDEFG1!"),
            Some("Your password must contain at least one lower case character.")
        );
        assert_eq!(
            complexity("abcdefg1!"),
            Some("Your password must contain at least one upper case character.")
        );
        // `:` is not one of Kasm's symbols.
        assert_eq!(
            complexity("Abcdefg1:"),
            Some("Your password must contain at least one special character.")
        );
        assert_eq!(complexity("Abcdefg1 "), None);
    }
}

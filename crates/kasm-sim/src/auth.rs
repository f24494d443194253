//! API keys and the 1.15 authentication sequence (docs/kasm-api.md, "Credentials").

use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Permissions that matter for images, groups, users and sessions (1.15
/// numbers in docs/kasm-api.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// 100: launch and use sessions. Global Admin does not imply it.
    User,
    /// 200: implies every permission numbered 200 and above.
    GlobalAdmin,
    /// 300.
    UsersView,
    /// 301.
    UsersModify,
    /// 302.
    UsersCreate,
    /// 303.
    UsersDelete,
    /// 351: modify or delete users who are Global Admins through their groups.
    UsersModifyAdmin,
    /// 352: act as a user (a top-level `user_id`).
    UsersAuthSession,
    /// 800.
    SessionsView,
    /// 801.
    SessionsModify,
    /// 803.
    SessionsDelete,
    /// 1700: refusals carry an `error_detail`.
    ReportsView,
    /// 900.
    ImagesView,
    /// 901.
    ImagesModify,
    /// 902.
    ImagesCreate,
    /// 903.
    ImagesDelete,
    /// 904.
    ImagesModifyResources,
    /// 400: see groups (not the system ones).
    GroupsView,
    /// 401: change groups and their images (not the system ones).
    GroupsModify,
    /// 402.
    GroupsCreate,
    /// 403.
    GroupsDelete,
    /// 420: see the groups the key's user belongs to (an API key belongs to none).
    GroupsViewIfMember,
    /// 421.
    GroupsModifyIfMember,
    /// 440: with Groups View, see the system groups too.
    GroupsViewSystem,
    /// 441: with Groups Modify, change the system groups too.
    GroupsModifySystem,
}

impl std::str::FromStr for Permission {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let key: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        Ok(match key.as_str() {
            "user" | "100" => Permission::User,
            "globaladmin" | "200" => Permission::GlobalAdmin,
            "usersview" | "300" => Permission::UsersView,
            "usersmodify" | "301" => Permission::UsersModify,
            "userscreate" | "302" => Permission::UsersCreate,
            "usersdelete" | "303" => Permission::UsersDelete,
            "usersmodifyadmin" | "351" => Permission::UsersModifyAdmin,
            "usersauthsession" | "352" => Permission::UsersAuthSession,
            "sessionsview" | "800" => Permission::SessionsView,
            "sessionsmodify" | "801" => Permission::SessionsModify,
            "sessionsdelete" | "803" => Permission::SessionsDelete,
            "reportsview" | "1700" => Permission::ReportsView,
            "imagesview" | "view" | "900" => Permission::ImagesView,
            "imagesmodify" | "modify" | "901" => Permission::ImagesModify,
            "imagescreate" | "create" | "902" => Permission::ImagesCreate,
            "imagesdelete" | "delete" | "903" => Permission::ImagesDelete,
            "imagesmodifyresources" | "modifyresources" | "904" => {
                Permission::ImagesModifyResources
            }
            "groupsview" | "400" => Permission::GroupsView,
            "groupsmodify" | "401" => Permission::GroupsModify,
            "groupscreate" | "402" => Permission::GroupsCreate,
            "groupsdelete" | "403" => Permission::GroupsDelete,
            "groupsviewifmember" | "420" => Permission::GroupsViewIfMember,
            "groupsmodifyifmember" | "421" => Permission::GroupsModifyIfMember,
            "groupsviewsystem" | "440" => Permission::GroupsViewSystem,
            "groupsmodifysystem" | "441" => Permission::GroupsModifySystem,
            _ => return Err(format!("unknown permission `{s}`")),
        })
    }
}

/// A developer API key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    /// Its name, used in some error texts.
    pub name: String,
    /// The key.
    pub key: String,
    /// The secret.
    pub secret: String,
    /// Refused on every mutating endpoint.
    #[serde(default)]
    pub read_only: bool,
    /// Refused everywhere with 401 "Access has expired".
    #[serde(default)]
    pub expired: bool,
    /// What it may do.
    pub permissions: Vec<Permission>,
}

impl ApiKey {
    /// A key with Global Admin and User: everything the authorization
    /// workflow calls, sessions included.
    pub fn admin(key: impl Into<String>, secret: impl Into<String>) -> Self {
        ApiKey {
            name: "admin".into(),
            key: key.into(),
            secret: secret.into(),
            read_only: false,
            expired: false,
            permissions: vec![Permission::GlobalAdmin, Permission::User],
        }
    }

    /// Whether the key holds `p`. Global Admin holds every permission but
    /// User, as Kasm numbers them (User is below 200).
    pub fn holds(&self, p: Permission) -> bool {
        self.permissions
            .iter()
            .any(|h| *h == p || (*h == Permission::GlobalAdmin && p != Permission::User))
    }
}

/// What an endpoint needs.
pub struct Requirement {
    /// Any one of these permissions.
    pub any_of: &'static [Permission],
    /// The endpoint changes data (refused to read-only keys).
    pub mutating: bool,
}

/// A refusal: status and `error_message` (a 500 is answered with the crash page).
pub type Refusal = (StatusCode, String);

/// Whether a user or a session with this 32-hex id exists.
pub struct Known<'a> {
    /// A user id.
    pub user: &'a dyn Fn(&str) -> bool,
    /// A session (kasm) id.
    pub kasm: &'a dyn Fn(&str) -> bool,
}

/// Runs the 1.15 decision sequence; returns the authenticated key.
pub fn authenticate<'k>(
    keys: &'k [ApiKey],
    licensed: bool,
    headers: &HeaderMap,
    body: &Value,
    need: &Requirement,
    known: &Known,
) -> Result<&'k ApiKey, Refusal> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let field = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
    // 1.15 reads the headers first, then the body; the next API generation's Basic auth last.
    let (key, secret) = match (
        header("api-key").or_else(|| field("api_key")),
        header("api-key-secret").or_else(|| field("api_key_secret")),
    ) {
        (Some(k), Some(s)) => (k, s),
        _ => match basic(headers) {
            Some(pair) => pair,
            // A UI session (username + token) would be checked here; none exists in the simulator.
            None if field("username").is_some() && field("token").is_some() => {
                return Err(refuse(StatusCode::FORBIDDEN, "Access Denied"));
            }
            None => return Err(refuse(StatusCode::BAD_REQUEST, "Invalid Request")),
        },
    };
    if !licensed {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "Access Denied. This feature is not licensed",
        ));
    }
    let Some(found) = keys.iter().find(|k| k.key == key && k.secret == secret) else {
        return Err(refuse(StatusCode::FORBIDDEN, "Access Denied"));
    };
    if found.expired {
        return Err(refuse(StatusCode::UNAUTHORIZED, "Access has expired"));
    }
    if need.mutating && found.read_only {
        return Err(refuse(StatusCode::UNAUTHORIZED, "Unauthorized"));
    }
    if let Some(id) = body.get("user_id") {
        if !found.holds(Permission::UsersAuthSession) {
            let msg = format!(
                "API Key ({}) is not authorized to impersonate a user.",
                found.name
            );
            return Err((StatusCode::UNAUTHORIZED, msg));
        }
        subject(id, "user_id", known.user)?;
    }
    if let Some(id) = body.get("kasm_id") {
        subject(id, "kasm_id", known.kasm)?;
    }
    if !need.any_of.iter().any(|p| found.holds(*p)) {
        return Err(refuse(StatusCode::UNAUTHORIZED, "Unauthorized"));
    }
    Ok(found)
}

/// A top-level `user_id` or `kasm_id` must name a row: 400 when it does not,
/// a crash when the database cannot read it as a UUID.
fn subject(id: &Value, field: &str, exists: &dyn Fn(&str) -> bool) -> Result<(), Refusal> {
    let crash = || {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("invalid input syntax for type uuid: {id}"),
        )
    };
    let hex = id
        .as_str()
        .and_then(crate::rules::uuid_hex)
        .ok_or_else(crash)?;
    if exists(&hex) {
        return Ok(());
    }
    let sent = id.as_str().unwrap_or_default();
    Err((StatusCode::BAD_REQUEST, format!("Invalid {field} ({sent})")))
}

fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (k, s) = text.split_once(':')?;
    Some((k.to_owned(), s.to_owned()))
}

fn refuse(status: StatusCode, msg: &str) -> Refusal {
    (status, msg.to_owned())
}

//! API keys and the 1.15 authentication sequence (docs/kasm-api.md, "Credentials").

use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Permissions that matter for images and groups (1.15 numbers in docs/kasm-api.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// 200: implies every permission.
    GlobalAdmin,
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
            "globaladmin" | "200" => Permission::GlobalAdmin,
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
    /// A key with Global Admin.
    pub fn admin(key: impl Into<String>, secret: impl Into<String>) -> Self {
        ApiKey {
            name: "admin".into(),
            key: key.into(),
            secret: secret.into(),
            read_only: false,
            expired: false,
            permissions: vec![Permission::GlobalAdmin],
        }
    }

    /// Whether the key holds `p` (Global Admin holds all).
    pub fn holds(&self, p: Permission) -> bool {
        self.permissions
            .iter()
            .any(|h| *h == p || *h == Permission::GlobalAdmin)
    }
}

/// What an endpoint needs.
pub struct Requirement {
    /// Any one of these permissions.
    pub any_of: &'static [Permission],
    /// The endpoint changes data (refused to read-only keys).
    pub mutating: bool,
}

/// A refusal: status and `error_message`.
pub type Refusal = (StatusCode, String);

/// Runs the 1.15 decision sequence; returns the authenticated key.
pub fn authenticate<'k>(
    keys: &'k [ApiKey],
    licensed: bool,
    headers: &HeaderMap,
    body: &Value,
    need: &Requirement,
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
    if body.get("user_id").is_some() {
        // No key here holds "Users Auth Session".
        let msg = format!(
            "API Key ({}) is not authorized to impersonate a user.",
            found.name
        );
        return Err((StatusCode::UNAUTHORIZED, msg));
    }
    if !need.any_of.iter().any(|p| found.holds(*p)) {
        return Err(refuse(StatusCode::UNAUTHORIZED, "Unauthorized"));
    }
    Ok(found)
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

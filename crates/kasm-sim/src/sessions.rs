//! Workspace sessions ("kasms"), as Kasm 1.15 does them (docs/kasm-api.md,
//! "Users, memberships and sessions"): `request_kasm`, `get_kasm_status`,
//! `get_kasms`, `get_kasm`, `get_user_kasms`, `destroy_kasm`, `keepalive`.
//!
//! Time is read, not scheduled: a session's status follows from when it was
//! requested, and every call first removes what has expired or finished
//! tearing down, so a simulator that was stopped resumes where the clock is.

use crate::auth::{ApiKey, Permission};
use crate::clock::date;
use crate::rules::{Outcome, uuid_hex};
use crate::store::Db;
use crate::users::{self, hyphenated, setting};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// A row of Kasm's `kasms` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// 32-hex id.
    pub kasm_id: String,
    /// The owner.
    pub user_id: String,
    /// The image it runs.
    pub image_id: String,
    /// When it was requested (milliseconds since the epoch).
    pub created: u64,
    /// When it is `running` (before: `provisioning`, then `starting`).
    pub running_at: u64,
    /// The last keepalive.
    pub keepalive: u64,
    /// When it expires.
    pub expires: u64,
    /// A session time limit applies: keepalives do not extend it and expiry deletes.
    #[serde(default)]
    pub time_limited: bool,
    /// When a destroy was accepted (the row is `deleting` until the teardown ends).
    #[serde(default)]
    pub deleting_since: Option<u64>,
    /// `stopped` or `paused` after an expiry whose action says so.
    #[serde(default)]
    pub held: Option<String>,
    /// Eight hex characters, when sharing was allowed.
    #[serde(default)]
    pub share_id: Option<String>,
    /// What `environment` asked for.
    #[serde(default)]
    pub environment: Map<String, Value>,
}

/// Now and the configured durations, in milliseconds.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// Now.
    pub now: u64,
    /// From request to `running`.
    pub start: u64,
    /// From an accepted destroy to the row being gone.
    pub teardown: u64,
}

impl Session {
    /// The operational status at `now`.
    pub fn status(&self, now: u64) -> &str {
        if self.deleting_since.is_some() {
            return "deleting";
        }
        if let Some(held) = &self.held {
            return held;
        }
        let provisioned = self.created + (self.running_at - self.created) / 2;
        if now >= self.running_at {
            "running"
        } else if now >= provisioned {
            "starting"
        } else {
            "provisioning"
        }
    }
}

/// Removes sessions that expired (or stops/pauses them, as the owner's groups
/// say) and those whose teardown ended. Whether anything changed.
pub fn tick(db: &mut Db, clock: Clock) -> bool {
    let before = db.kasms.clone();
    let actions: Vec<Option<String>> = db
        .kasms
        .iter()
        .map(|k| {
            setting(db, &k.user_id, "keepalive_expiration_action")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    let mut actions = actions.into_iter();
    db.kasms.retain_mut(|k| {
        let action = actions.next().flatten();
        if let Some(since) = k.deleting_since {
            return clock.now < since.saturating_add(clock.teardown);
        }
        if clock.now < k.expires || k.held.is_some() {
            return true;
        }
        match action.as_deref() {
            Some(held @ ("stop" | "pause"))
                if !k.time_limited && k.status(clock.now) == "running" =>
            {
                k.held = Some(if held == "stop" { "stopped" } else { "paused" }.into());
                true
            }
            _ => false,
        }
    });
    db.kasms != before
}

fn image_answer(db: &Db, image_id: &str) -> Value {
    let Some(i) = db.images.iter().find(|i| i.image_id == image_id) else {
        return Value::Null;
    };
    json!({
        "image_id": i.image_id,
        "name": i.name,
        "friendly_name": i.friendly_name,
        "image_src": i.image_src,
        "session_time_limit": i.session_time_limit,
        "categories": i.categories,
        "default_category": i.categories.first(),
        "image_type": i.image_type,
    })
}

fn progress(status: &str) -> (&'static str, u32) {
    match status {
        "provisioning" => ("Provisioning the session", 30),
        "starting" => ("Starting the session's services", 70),
        "running" => ("Session is running", 100),
        _ => ("", 0),
    }
}

/// The "normalised kasm" (K): the row's columns, tokens blanked.
fn normalized(db: &Db, k: &Session, now: u64) -> Value {
    let status = k.status(now);
    let (message, percent) = progress(status);
    let image = db.images.iter().find(|i| i.image_id == k.image_id);
    let ready = !matches!(
        status,
        "requested" | "provisioning" | "assigned" | "starting"
    );
    json!({
        "kasm_id": k.kasm_id,
        "user_id": k.user_id,
        "image_id": k.image_id,
        "server_id": null,
        "container_id": format!("{:0<64}", k.kasm_id),
        "container_ip": "172.18.0.2",
        "cores": image.map(|i| i.cores),
        "gpus": 0,
        "memory": image.map(|i| i.memory),
        "operational_status": status,
        "operational_message": message,
        "operational_progress": percent,
        "start_date": date(k.created),
        "keepalive_date": date(k.keepalive),
        "expiration_date": date(k.expires),
        "created_date": date(k.created),
        "share_id": k.share_id,
        "is_standby": false,
        "docker_network": "kasm_default_network",
        "cast_config_id": null,
        "staging_config_id": null,
        "autoscale_config_id": null,
        "token": "",
        "view_only_token": "",
        "is_persistent_profile": false,
        "persistent_profile_mode": null,
        "port_map": {
            "vnc": { "port": 6901, "path": format!("desktop/{}/vnc", hyphenated(&k.kasm_id)) },
        },
        "host": "127.0.0.1",
        "port": 443,
        "hostname": "kasm.local",
        "image": image_answer(db, &k.image_id),
        "client_settings": if ready { json!({}) } else { json!([]) },
    })
}

/// K with the owner and the server (K+), as the admin listings answer.
fn admin_view(db: &Db, k: &Session, now: u64) -> Value {
    let mut v = normalized(db, k, now);
    let username = db
        .users
        .iter()
        .find(|u| u.user_id == k.user_id)
        .map_or("", |u| u.username.as_str());
    let placed = !matches!(k.status(now), "requested" | "provisioning" | "assigned");
    if let Some(o) = v.as_object_mut() {
        o.insert("user".into(), json!({ "username": username }));
        o.insert(
            "server".into(),
            json!({
                "hostname": placed.then_some("agent-1"),
                "port": placed.then_some(443),
                "provider": placed.then_some("docker"),
                "zone_name": "default",
            }),
        );
    }
    v
}

/// The sessions of a user as `get_user` and `get_users` list them.
pub fn of_user(db: &Db, user_id: &str) -> Vec<Value> {
    db.kasms
        .iter()
        .filter(|k| k.user_id == user_id)
        .map(|k| {
            json!({
                "kasm_id": k.kasm_id,
                "start_date": date(k.created),
                "keepalive_date": date(k.keepalive),
                "expiration_date": date(k.expires),
                "server": { "server_id": null, "hostname": "agent-1", "port": 443 },
            })
        })
        .collect()
}

/// The impersonated user (authentication checked that it exists).
fn acting_user(body: &Value) -> Option<String> {
    body.get("user_id")
        .and_then(Value::as_str)
        .and_then(uuid_hex)
}

fn seconds(v: Option<&Value>) -> Option<u64> {
    v.and_then(|v| v.as_f64().or_else(|| v.as_str()?.trim().parse().ok()))
        .filter(|s| *s > 0.0)
        .map(|s| (s * 1000.0) as u64)
}

/// How long a session of `user_id` on `image_id` lives without keepalives, and
/// whether that is a hard time limit: the image's limit, the groups' limit,
/// the groups' keepalive expiration, then the global one.
fn expiration(db: &Db, user_id: &str, image_id: &str) -> (u64, bool) {
    let image_limit = db
        .images
        .iter()
        .find(|i| i.image_id == image_id)
        .and_then(|i| i.session_time_limit)
        .filter(|s| *s > 0)
        .map(|s| s.unsigned_abs() * 1000);
    if let Some(limit) = image_limit.or_else(|| seconds(setting(db, user_id, "session_time_limit")))
    {
        return (limit, true);
    }
    let keepalive = seconds(setting(db, user_id, "keepalive_expiration"))
        .unwrap_or(db.settings.keepalive_expiration.saturating_mul(1000));
    (keepalive, false)
}

/// Whether the user may launch the image: an enabled image linked to one of its groups.
pub fn authorized(db: &Db, user_id: &str, image_id: &str) -> bool {
    let enabled = db
        .images
        .iter()
        .any(|i| i.image_id == image_id && i.enabled);
    enabled
        && users::groups_of(db, user_id).any(|g| {
            db.group_images
                .iter()
                .any(|l| l.group_id == g.group_id && l.image_id == image_id)
        })
}

/// `request_kasm`: the refusals in Kasm's order, then a new session that
/// starts on the clock. Every call that passes the checks launches another one.
pub fn request(db: &mut Db, key: &ApiKey, body: &Value, public: bool, clock: Clock) -> Outcome {
    let user_id = match acting_user(body) {
        Some(id) => id,
        None if public => users::anonymous(db),
        None => {
            return Outcome::Status(
                400,
                format!(
                    "DevAPI Key ({}) made invalid call to impersonate a user without providing a user_id.",
                    key.key
                ),
            );
        }
    };
    let username = db
        .users
        .iter()
        .find(|u| u.user_id == user_id)
        .map(|u| u.username.clone())
        .unwrap_or_default();
    let image_id = match body.get("image_id") {
        Some(id) => id.clone(),
        None => match setting(db, &user_id, "default_image").filter(|v| !v.is_null()) {
            Some(id) => id.clone(),
            None => return Outcome::Refused("No Default Image Found".into()),
        },
    };
    let limit = setting(db, &user_id, "max_kasms_per_user")
        .and_then(Value::as_i64)
        .unwrap_or(2);
    let owned = db.kasms.iter().filter(|k| k.user_id == user_id).count();
    if limit <= 0 || owned as i64 >= limit {
        return Outcome::Refused(format!("Kasm limit exceeded for user: ({username})"));
    }
    let image_id = match image_id.as_str() {
        None | Some("") => return Outcome::Refused("Invalid Request".into()),
        Some(text) => match uuid_hex(text) {
            Some(hex) if db.images.iter().any(|i| i.image_id == hex) => hex,
            Some(_) => return Outcome::Refused("Invalid Request".into()),
            None => {
                return Outcome::Crash(format!("invalid input syntax for type uuid: {text:?}"));
            }
        },
    };
    if !authorized(db, &user_id, &image_id) {
        return Outcome::Refused("Image Not Authorized".into());
    }
    let live = db
        .kasms
        .iter()
        .filter(|k| k.deleting_since.is_none())
        .count();
    if db.settings.session_capacity.is_some_and(|c| live >= c) {
        let mut answer = json!({
            "error_message": "No resources are available to create the requested Kasm. Please try again later or contact an Administrator",
        });
        if key.holds(Permission::ReportsView)
            && let Some(o) = answer.as_object_mut()
        {
            o.insert(
                "error_detail".into(),
                json!("No Agent slots available. No Agent can be contacted with enough available resources to provision the image"),
            );
        }
        return Outcome::Ok(answer);
    }
    launch(db, body, &user_id, &username, &image_id, clock)
}

fn launch(
    db: &mut Db,
    body: &Value,
    user_id: &str,
    username: &str,
    image_id: &str,
    clock: Clock,
) -> Outcome {
    let (lifetime, time_limited) = expiration(db, user_id, image_id);
    let sharing = body.get("enable_sharing").and_then(Value::as_bool) == Some(true);
    let may_share = setting(db, user_id, "allow_kasm_sharing") == Some(&Value::Bool(true));
    let kasm_id = uuid::Uuid::new_v4().simple().to_string();
    let share_id = (sharing && may_share).then(|| {
        uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .chars()
            .take(8)
            .collect()
    });
    db.kasms.push(Session {
        kasm_id: kasm_id.clone(),
        user_id: user_id.to_owned(),
        image_id: image_id.to_owned(),
        created: clock.now,
        running_at: clock.now.saturating_add(clock.start),
        keepalive: clock.now,
        expires: clock.now.saturating_add(lifetime),
        time_limited,
        deleting_since: None,
        held: None,
        share_id: share_id.clone(),
        environment: body
            .get("environment")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
    });
    if let Some(u) = db.users.iter_mut().find(|u| u.user_id == user_id) {
        u.last_session = Some(clock.now);
    }
    let token = users::new_token(db, user_id);
    let kasm = hyphenated(&kasm_id);
    let mut answer = json!({
        "kasm_id": kasm,
        "status": "starting",
        "user_id": user_id,
        "username": username,
        "session_token": token,
        "kasm_url": format!("/#/connect/kasm/{kasm}/{user_id}/{token}"),
    });
    if let Some(o) = answer.as_object_mut() {
        match share_id {
            Some(share) => {
                o.insert("share_id".into(), json!(share));
            }
            // The session exists, and the answer says sharing failed.
            None if sharing => {
                o.insert("error_message".into(), json!("Failed to create Share ID"));
            }
            None => {}
        }
    }
    Outcome::Ok(answer)
}

/// A session that ended between authentication and the handler: what
/// authentication answers for it.
fn gone(body: &Value) -> Outcome {
    let sent = body
        .get("kasm_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Outcome::Status(400, format!("Invalid kasm_id ({sent})"))
}

/// `get_kasm_status`: "not ready yet" comes as an `error_message` with the
/// status; a running session comes with its K and a fresh `kasm_url`.
pub fn status(db: &mut Db, body: &Value, clock: Clock) -> Outcome {
    let Some(kasm_id) = body
        .get("kasm_id")
        .and_then(Value::as_str)
        .and_then(uuid_hex)
    else {
        return Outcome::Crash("KeyError: 'kasm_id'".into());
    };
    let Some(user_id) = acting_user(body) else {
        return Outcome::Crash("'NoneType' object has no attribute 'user_id'".into());
    };
    let Some(k) = db.kasms.iter().find(|k| k.kasm_id == kasm_id).cloned() else {
        return gone(body);
    };
    let token = users::new_token(db, &user_id);
    if k.user_id != user_id {
        return Outcome::Refused("Access Denied".into());
    }
    let status = k.status(clock.now).to_owned();
    Outcome::Ok(match status.as_str() {
        "deleting" => json!({ "error_message": "Kasm is currently scheduled to be deleted." }),
        "provisioning" | "starting" => {
            let (message, percent) = progress(&status);
            json!({
                "error_message": format!("This session is currently {status}."),
                "operational_status": status,
                "operational_message": message,
                "operational_progress": percent,
            })
        }
        "running" => json!({
            "kasm": normalized(db, &k, clock.now),
            "current_time": date(clock.now),
            "kasm_url": format!("/#/connect/kasm/{}/{}/{token}", k.kasm_id, hyphenated(&user_id)),
        }),
        _ => json!({ "operational_status": status }),
    })
}

/// `get_kasms`: every session with its owner and server; `current_time` only
/// when there is one.
pub fn list(db: &Db, now: u64) -> Outcome {
    let kasms: Vec<Value> = db.kasms.iter().map(|k| admin_view(db, k, now)).collect();
    if kasms.is_empty() {
        return Outcome::Ok(json!({ "kasms": [] }));
    }
    Outcome::Ok(json!({ "kasms": kasms, "current_time": date(now) }))
}

/// `get_kasm`: one session, `{}` for a well-formed id that names none.
pub fn get(db: &Db, body: &Value, now: u64) -> Outcome {
    let Some(target) = body.get("target_kasm") else {
        return Outcome::Refused("Invalid Request. Missing target_kasm".into());
    };
    let Some(id) = target.get("kasm_id") else {
        return Outcome::Refused("Invalid Request. Missing kasm_id".into());
    };
    let Some(hex) = id.as_str().and_then(uuid_hex) else {
        return Outcome::Refused("Invalid Request. Invalid kasm_id".into());
    };
    match db.kasms.iter().find(|k| k.kasm_id == hex) {
        Some(k) => {
            Outcome::Ok(json!({ "kasm": admin_view(db, k, now), "current_time": date(now) }))
        }
        None => Outcome::Ok(json!({})),
    }
}

/// `get_user_kasms`: the impersonated user's sessions (everyone's without a user).
pub fn of_acting_user(db: &Db, body: &Value, now: u64) -> Outcome {
    let user = acting_user(body);
    let kasms: Vec<Value> = db
        .kasms
        .iter()
        .filter(|k| user.as_ref().is_none_or(|u| &k.user_id == u))
        .map(|k| normalized(db, k, now))
        .collect();
    Outcome::Ok(json!({ "kasms": kasms, "current_time": date(now) }))
}

/// `destroy_kasm`: the owner (where its groups allow) or a key with Sessions
/// Delete; the row is `deleting` for the teardown, and a repeat meanwhile is `{}`.
pub fn destroy(db: &mut Db, key: &ApiKey, body: &Value, clock: Clock) -> Outcome {
    let Some(kasm_id) = body
        .get("kasm_id")
        .and_then(Value::as_str)
        .and_then(uuid_hex)
    else {
        return Outcome::Refused("Invalid Request".into());
    };
    let Some(user_id) = acting_user(body) else {
        return Outcome::Crash("'NoneType' object has no attribute 'user_id'".into());
    };
    let Some(index) = db.kasms.iter().position(|k| k.kasm_id == kasm_id) else {
        return gone(body);
    };
    let Some(k) = db.kasms.get(index) else {
        return Outcome::Refused("Invalid Request".into());
    };
    let deleter = key.holds(Permission::SessionsDelete);
    if k.user_id != user_id && !deleter {
        return Outcome::Refused("Unauthorized attempt to delete session".into());
    }
    if setting(db, &k.user_id, "allow_kasm_delete") == Some(&Value::Bool(false)) && !deleter {
        return Outcome::Refused("User is not authorized to issue a delete request".into());
    }
    if k.deleting_since.is_some() {
        return Outcome::Ok(json!({}));
    }
    if clock.teardown == 0 {
        db.kasms.remove(index);
    } else if let Some(k) = db.kasms.get_mut(index) {
        k.deleting_since = Some(clock.now);
    }
    Outcome::Ok(json!({}))
}

/// `keepalive`: moves the expiry on, unless a session time limit applies.
pub fn keepalive(db: &mut Db, body: &Value, clock: Clock) -> Outcome {
    let Some(kasm_id) = body
        .get("kasm_id")
        .and_then(Value::as_str)
        .and_then(uuid_hex)
    else {
        return Outcome::Bad("Invalid Request: Missing required parameters".into());
    };
    let Some(k) = db.kasms.iter().find(|k| k.kasm_id == kasm_id).cloned() else {
        return gone(body);
    };
    if k.deleting_since.is_some() {
        return Outcome::Crash("'UUID' object is not subscriptable".into());
    }
    if k.time_limited {
        return Outcome::Ok(json!({}));
    }
    let (lifetime, _) = expiration(db, &k.user_id, &k.image_id);
    if let Some(row) = db.kasms.iter_mut().find(|r| r.kasm_id == kasm_id) {
        row.keepalive = clock.now;
        row.expires = clock.now.saturating_add(lifetime);
    }
    Outcome::Ok(json!({ "usage_reached": false }))
}

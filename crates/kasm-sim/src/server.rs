//! HTTP: the framework's behaviour around Kasm's handlers (CherryPy's `json_in`
//! and error pages), routing, authentication and the agent.

use crate::auth::{ApiKey, Known, Permission, Requirement, authenticate};
use crate::clock::{ms, now_ms};
use crate::faults::{Decision, FaultState, Faults};
use crate::groups;
use crate::rules::{self, Outcome};
use crate::sessions;
use crate::store::Db;
use crate::users::{self, Membership};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The page Kasm 1.15 answers for an unhandled exception.
pub const CRASH_PAGE: &str =
    "<html><body>An unhandled exception occurred check logs for details<body><html>";

/// Settings shared by every request.
pub struct Shared {
    pub(crate) db: Mutex<Db>,
    pub(crate) keys: Mutex<Vec<ApiKey>>,
    pub(crate) counts: Mutex<BTreeMap<String, u64>>,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) data: Option<PathBuf>,
    pub(crate) agent_delay: Option<Duration>,
    pub(crate) session_start: Duration,
    pub(crate) session_teardown: Duration,
    pub(crate) licensed: bool,
    pub(crate) max_body: usize,
}

impl Shared {
    /// Writes the data file, if there is one; false (and a log line) when that failed.
    fn persist(&self, db: &Db) -> bool {
        let Some(path) = &self.data else { return true };
        match db.save(path) {
            Ok(()) => true,
            Err(e) => {
                eprintln!("kasm-sim: cannot save data: {e}");
                false
            }
        }
    }
}

/// Locks a mutex; a panic elsewhere while holding it does not make the data unusable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[derive(Clone, Copy, PartialEq)]
enum Endpoint {
    List,
    Create,
    Update,
    Delete,
    Groups,
    GroupImages,
    AddGroupImage,
    RemoveGroupImage,
    CreateGroup,
    UpdateGroup,
    DeleteGroup,
    CreateUser,
    GetUser,
    GetUsers,
    UpdateUser,
    DeleteUser,
    LogoutUser,
    AddUserGroup,
    RemoveUserGroup,
    GroupUsers,
    RequestKasm,
    KasmStatus,
    Kasms,
    Kasm,
    UserKasms,
    DestroyKasm,
    Keepalive,
}

/// A call and the path it came by: `/api/public/` (business errors of the
/// user and membership calls answer 400) or `/api/admin/` (they answer 200).
#[derive(Clone, Copy)]
struct Route {
    endpoint: Endpoint,
    public: bool,
}

impl Route {
    fn from_path(path: &str) -> Option<Route> {
        let (name, public) = match path.strip_prefix("/api/public/") {
            Some(name) => (name, true),
            None => (path.strip_prefix("/api/admin/")?, false),
        };
        let endpoint = match name {
            "get_images" => Endpoint::List,
            "create_image" => Endpoint::Create,
            "update_image" => Endpoint::Update,
            "delete_image" => Endpoint::Delete,
            "get_groups" => Endpoint::Groups,
            "get_images_group" => Endpoint::GroupImages,
            "add_images_group" => Endpoint::AddGroupImage,
            "remove_images_group" => Endpoint::RemoveGroupImage,
            "create_group" => Endpoint::CreateGroup,
            "update_group" => Endpoint::UpdateGroup,
            "delete_group" => Endpoint::DeleteGroup,
            "create_user" => Endpoint::CreateUser,
            "get_user" => Endpoint::GetUser,
            "get_users" => Endpoint::GetUsers,
            "update_user" => Endpoint::UpdateUser,
            "delete_user" => Endpoint::DeleteUser,
            "logout_user" => Endpoint::LogoutUser,
            "add_user_group" => Endpoint::AddUserGroup,
            "remove_user_group" => Endpoint::RemoveUserGroup,
            "get_users_group" => Endpoint::GroupUsers,
            "request_kasm" => Endpoint::RequestKasm,
            "get_kasm_status" => Endpoint::KasmStatus,
            "get_kasms" => Endpoint::Kasms,
            "get_kasm" => Endpoint::Kasm,
            "get_user_kasms" => Endpoint::UserKasms,
            "destroy_kasm" => Endpoint::DestroyKasm,
            "keepalive" => Endpoint::Keepalive,
            _ => return None,
        };
        Some(Route { endpoint, public })
    }

    fn requirement(self) -> Requirement {
        use Permission::*;
        let need = |any_of, mutating| Requirement { any_of, mutating };
        match self.endpoint {
            Endpoint::List => need(&[ImagesView], false),
            Endpoint::Create => need(&[ImagesCreate], true),
            Endpoint::Update => need(&[ImagesModify, ImagesModifyResources], true),
            Endpoint::Delete => need(&[ImagesDelete], true),
            Endpoint::Groups | Endpoint::GroupImages | Endpoint::GroupUsers => {
                need(&[GroupsView, GroupsViewIfMember, GroupsViewSystem], false)
            }
            Endpoint::AddGroupImage | Endpoint::RemoveGroupImage | Endpoint::UpdateGroup => need(
                &[GroupsModify, GroupsModifyIfMember, GroupsModifySystem],
                true,
            ),
            // The public membership wrappers accept read-only keys.
            Endpoint::AddUserGroup | Endpoint::RemoveUserGroup => need(
                if self.public {
                    &[GroupsModify]
                } else {
                    &[GroupsModify, GroupsModifyIfMember, GroupsModifySystem]
                },
                !self.public,
            ),
            Endpoint::CreateGroup => need(&[GroupsCreate], true),
            Endpoint::DeleteGroup => need(&[GroupsDelete], true),
            Endpoint::CreateUser => need(&[UsersCreate], true),
            Endpoint::GetUser | Endpoint::GetUsers => need(&[UsersView], false),
            Endpoint::UpdateUser => need(&[UsersModify], true),
            Endpoint::DeleteUser => need(&[UsersDelete], true),
            Endpoint::LogoutUser => need(&[UsersAuthSession], true),
            Endpoint::RequestKasm | Endpoint::DestroyKasm => need(&[User], true),
            Endpoint::KasmStatus | Endpoint::UserKasms => need(&[User], false),
            Endpoint::Kasms | Endpoint::Kasm => need(&[SessionsView], false),
            Endpoint::Keepalive => need(&[SessionsModify], false),
        }
    }
}

impl Endpoint {
    /// Whether a successful call changes the data.
    fn writes(self) -> bool {
        !matches!(
            self,
            Endpoint::List
                | Endpoint::Groups
                | Endpoint::GroupImages
                | Endpoint::GetUser
                | Endpoint::GetUsers
                | Endpoint::GroupUsers
                | Endpoint::Kasms
                | Endpoint::Kasm
                | Endpoint::UserKasms
        )
    }
}

/// CherryPy's error page text, as Kasm's sanitised error hook renders it.
fn framework_error(status: StatusCode) -> Response {
    let text = format!(
        "An error has occurred {} {} - see logs for details",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/plain;charset=utf-8")],
        text,
    )
        .into_response()
}

fn crash() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html;charset=utf-8")],
        CRASH_PAGE,
    )
        .into_response()
}

fn json_answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Every request comes here.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(what) = uri.path().strip_prefix("/_sim/") {
        return admin(&shared, &method, what, body).await;
    }
    *lock(&shared.counts)
        .entry(uri.path().to_owned())
        .or_insert(0) += 1;
    let Some(route) = Route::from_path(uri.path()) else {
        return framework_error(StatusCode::NOT_FOUND);
    };
    let fate = lock(&shared.faults).decide();
    if !fate.delay.is_zero() {
        tokio::time::sleep(fate.delay).await;
    }
    if let Some(refusal) = injected_refusal(&fate) {
        return refusal;
    }
    let bytes = match axum::body::to_bytes(body, shared.max_body).await {
        Ok(b) => b,
        Err(_) => return framework_error(StatusCode::PAYLOAD_TOO_LARGE),
    };
    // Detached from the connection: a client that gives up does not cancel the work.
    let worker = Arc::clone(&shared);
    let hang = fate.hang;
    let work = tokio::spawn(async move {
        // Even a zero sleep waits for the timer's next millisecond tick.
        if !hang.is_zero() {
            tokio::time::sleep(hang).await;
        }
        api(&worker, route, &headers, &bytes)
    });
    let answer = work.await.unwrap_or_else(|_| crash());
    if fate.drop_answer {
        // The work is done; the client never hears of it.
        let lost = futures_util::stream::once(async {
            Err::<Bytes, _>(std::io::Error::other("answer dropped by fault"))
        });
        return Response::new(Body::from_stream(lost));
    }
    answer
}

/// The answer of an injected rate limit (429 with `Retry-After`) or
/// failure status, before any work is done.
fn injected_refusal(fate: &Decision) -> Option<Response> {
    if fate.limited {
        let page = "<html><body><h1>429 Too Many Requests</h1></body></html>";
        let headers = [
            (header::RETRY_AFTER, "1"),
            (header::CONTENT_TYPE, "text/html"),
        ];
        return Some((StatusCode::TOO_MANY_REQUESTS, headers, page).into_response());
    }
    let status = fate.fail.and_then(|s| StatusCode::from_u16(s).ok())?;
    let page = format!(
        "<html><body><h1>{} {}</h1></body></html>",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    Some((status, [(header::CONTENT_TYPE, "text/html")], page).into_response())
}

/// `/_sim/faults` (GET: read, POST: replace) and `/_sim/requests` (GET: counts by path).
async fn admin(shared: &Shared, method: &Method, what: &str, body: Body) -> Response {
    match (what, method.as_str()) {
        ("faults", "GET") => json_answer(StatusCode::OK, json!(lock(&shared.faults).config())),
        ("faults", "POST" | "PUT") => {
            let bytes = axum::body::to_bytes(body, shared.max_body)
                .await
                .unwrap_or_default();
            match serde_json::from_slice::<Faults>(&bytes) {
                Ok(f) => {
                    *lock(&shared.faults) = FaultState::new(f.clone());
                    json_answer(StatusCode::OK, json!(f))
                }
                Err(e) => json_answer(StatusCode::BAD_REQUEST, json!({ "error": e.to_string() })),
            }
        }
        ("requests", "GET") => json_answer(StatusCode::OK, json!(*lock(&shared.counts))),
        _ => framework_error(StatusCode::NOT_FOUND),
    }
}

/// Kasm's side: the framework's JSON checks, authentication, then the handler.
fn api(shared: &Arc<Shared>, route: Route, headers: &HeaderMap, bytes: &Bytes) -> Response {
    let body = match json_body(headers, bytes) {
        Ok(body) => body,
        Err(refusal) => return *refusal,
    };
    let key = {
        let db = lock(&shared.db);
        let keys = lock(&shared.keys);
        let user = |id: &str| db.users.iter().any(|u| u.user_id == id);
        let kasm = |id: &str| db.kasms.iter().any(|k| k.kasm_id == id);
        let known = Known {
            user: &user,
            kasm: &kasm,
        };
        match authenticate(
            &keys,
            shared.licensed,
            headers,
            &body,
            &route.requirement(),
            &known,
        ) {
            Ok(k) => k.clone(),
            Err((StatusCode::INTERNAL_SERVER_ERROR, why)) => {
                eprintln!("kasm-sim: 500: {why}");
                return crash();
            }
            Err((status, msg)) => return json_answer(status, json!({ "error_message": msg })),
        }
    };
    let Some(outcome) = run(shared, route, &key, &body) else {
        return crash();
    };
    let refusal =
        |status: StatusCode, msg: String| json_answer(status, json!({ "error_message": msg }));
    match outcome {
        Outcome::Ok(v) => {
            schedule_pull(shared, &v);
            json_answer(StatusCode::OK, v)
        }
        Outcome::Refused(msg) => refusal(StatusCode::OK, msg),
        Outcome::Bad(msg) if route.public => refusal(StatusCode::BAD_REQUEST, msg),
        Outcome::Bad(msg) => refusal(StatusCode::OK, msg),
        Outcome::Status(status, msg) => refusal(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            msg,
        ),
        Outcome::Crash(why) | Outcome::CrashAfterWrite(why) => {
            eprintln!("kasm-sim: 500: {why}");
            crash()
        }
        Outcome::Unauthorized => refusal(StatusCode::UNAUTHORIZED, "Unauthorized".into()),
    }
}

/// The body as the framework reads it: JSON only (415 otherwise), well formed
/// (400), an object (the handler crashes on anything else).
fn json_body(headers: &HeaderMap, bytes: &Bytes) -> Result<Value, Box<Response>> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return Err(Box::new(framework_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        )));
    }
    let Ok(body) = serde_json::from_slice::<Value>(bytes) else {
        return Err(Box::new(framework_error(StatusCode::BAD_REQUEST)));
    };
    if !body.is_object() {
        return Err(Box::new(crash())); // the handler calls .get on the body
    }
    Ok(body)
}

/// Runs the call on the data, and stores a change; `None` when it could not be stored.
fn run(shared: &Shared, route: Route, key: &ApiKey, body: &Value) -> Option<Outcome> {
    let mut db = lock(&shared.db);
    let clock = sessions::Clock {
        now: now_ms(),
        start: ms(shared.session_start),
        teardown: ms(shared.session_teardown),
    };
    let expired = sessions::tick(&mut db, clock);
    let outcome = match route.endpoint {
        Endpoint::List
        | Endpoint::Create
        | Endpoint::Update
        | Endpoint::Delete
        | Endpoint::Groups
        | Endpoint::GroupImages
        | Endpoint::AddGroupImage
        | Endpoint::RemoveGroupImage
        | Endpoint::CreateGroup
        | Endpoint::UpdateGroup
        | Endpoint::DeleteGroup => images_and_groups(&mut db, route.endpoint, key, body),
        Endpoint::CreateUser => users::create(&mut db, body, route.public),
        Endpoint::GetUser => users::get(&db, key, body),
        Endpoint::GetUsers => users::list(&db, key, body),
        Endpoint::UpdateUser => users::update(&mut db, key, body),
        Endpoint::DeleteUser => users::delete(&mut db, key, body),
        Endpoint::LogoutUser => users::logout(&mut db, body),
        Endpoint::AddUserGroup => users::membership(&mut db, key, body, Membership::Add),
        Endpoint::RemoveUserGroup => users::membership(&mut db, key, body, Membership::Remove),
        Endpoint::GroupUsers => users::of_group(&db, key, body),
        Endpoint::RequestKasm => sessions::request(&mut db, key, body, route.public, clock),
        Endpoint::KasmStatus => sessions::status(&mut db, body, clock),
        Endpoint::Kasms => sessions::list(&db, clock.now),
        Endpoint::Kasm => sessions::get(&db, body, clock.now),
        Endpoint::UserKasms => sessions::of_acting_user(&db, body, clock.now),
        Endpoint::DestroyKasm => sessions::destroy(&mut db, key, body, clock),
        Endpoint::Keepalive => sessions::keepalive(&mut db, body, clock),
    };
    // request_kasm keeps the anonymous user it made even when it then refuses.
    let changed = expired
        || route.endpoint == Endpoint::RequestKasm
        || (matches!(outcome, Outcome::Ok(_) | Outcome::CrashAfterWrite(_))
            && route.endpoint.writes());
    if changed && !shared.persist(&db) {
        return None;
    }
    Some(outcome)
}

/// The image and group calls, on the tables they use.
fn images_and_groups(db: &mut Db, endpoint: Endpoint, key: &ApiKey, body: &Value) -> Outcome {
    let Db {
        images,
        world,
        pulled,
        groups,
        group_images,
        settings,
        user_groups,
        ..
    } = db;
    let is_pulled = |name: &str| pulled.contains(name);
    match endpoint {
        Endpoint::List => {
            // Unordered in Kasm (no ORDER BY): sorted by id here, so creation order never shows through.
            let mut listed: Vec<_> = images.iter().collect();
            listed.sort_by(|a, b| a.image_id.cmp(&b.image_id));
            Outcome::Ok(
                json!({ "images": listed.iter().map(|i| i.answer(world, true)).collect::<Vec<_>>() }),
            )
        }
        Endpoint::Create => {
            let id = uuid::Uuid::new_v4().simple().to_string();
            let outcome = rules::create(images, world, &is_pulled, body, id.clone());
            if matches!(outcome, Outcome::Ok(_)) {
                groups::on_create(group_images, settings, &id);
            }
            outcome
        }
        Endpoint::Update => {
            let full =
                key.holds(Permission::ImagesModify) && key.holds(Permission::ImagesModifyResources);
            rules::update(images, world, &is_pulled, body, full)
        }
        Endpoint::Delete => {
            let before: Vec<String> = images.iter().map(|i| i.image_id.clone()).collect();
            let outcome = rules::delete(images, world, body);
            for gone in before
                .iter()
                .filter(|id| !images.iter().any(|i| &i.image_id == *id))
            {
                groups::on_delete(group_images, gone);
            }
            outcome
        }
        group_call => {
            let mut tables = groups::Tables {
                groups,
                members: user_groups,
                links: group_images,
                images,
            };
            match group_call {
                Endpoint::Groups => groups::list(&tables, key),
                Endpoint::GroupImages => groups::images(&tables, key, body),
                Endpoint::AddGroupImage => groups::add(&mut tables, key, body),
                Endpoint::RemoveGroupImage => groups::remove(&mut tables, key, body),
                Endpoint::CreateGroup => groups::create(&mut tables, body),
                Endpoint::UpdateGroup => groups::update(&mut tables, key, body),
                _ => groups::delete(&mut tables, body),
            }
        }
    }
}

/// The agent: after the delay, the tag is pulled and every image with that name is available.
fn schedule_pull(shared: &Arc<Shared>, answer: &Value) {
    let (Some(delay), Some(img)) = (shared.agent_delay, answer.get("image")) else {
        return;
    };
    if img.get("available") != Some(&Value::Bool(false)) {
        return;
    }
    let Some(name) = img.get("name").and_then(Value::as_str).map(str::to_owned) else {
        return;
    };
    pull_later(shared, delay, name);
}

/// After `delay`, agents have pulled `name`: every image with that name is available.
pub(crate) fn pull_later(shared: &Arc<Shared>, delay: std::time::Duration, name: String) {
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let mut db = lock(&shared.db);
        db.pulled.insert(name.clone());
        for img in db
            .images
            .iter_mut()
            .filter(|i| i.name.as_deref() == Some(name.as_str()))
        {
            img.available = true;
        }
        shared.persist(&db);
    });
}

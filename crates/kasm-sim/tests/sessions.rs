//! Contract tests for sessions ("kasms"): raw HTTP against a running
//! simulator, one per rule of docs/kasm-api.md ("Users, memberships and
//! sessions"; Kasm 1.15). Tests wait for states, never for a time.

#![allow(clippy::indexing_slicing, clippy::panic)] // test helpers: a failure should stop the test

mod common;

use common::{Answer, KEY, Kasm, SECRET, kasm, start_with};
use kasm_sim::groups::ALL_USERS;
use kasm_sim::{ApiKey, Db, Faults, Permission};
use serde_json::{Value, json};
use std::time::Duration;

/// A user in a group that may launch one image (not through All Users).
async fn authorized() -> (Kasm, String, String) {
    let mut db = Db::default();
    db.settings.add_images_to_default_group = false;
    let k = start_with(db, Vec::new(), Duration::from_millis(200)).await;
    let user = k.user("pat").await;
    let image = k.image("kasmweb/terminal:1.0").await;
    let group = k.group("Devs", json!({})).await;
    k.authorize(&group, &image).await;
    k.join(&user, &group).await;
    (k, user, image)
}

fn kasm_id(a: &Answer) -> String {
    a.json()["kasm_id"].as_str().unwrap_or_default().to_owned()
}

async fn running(k: &Kasm, user: &str, kasm: &str) -> Answer {
    k.wait_until(
        "running",
        || k.status(user, kasm),
        |a| a.json().get("kasm").is_some(),
    )
    .await
}

#[tokio::test]
async fn request_kasm_launches_for_an_authorized_user_and_answers_as_kasm_does() {
    let (k, user, image) = authorized().await;
    let a = k.request(&user, &image).await;
    assert_eq!(a.outcome(), (200, None), "{}", a.text);
    let answer = a.json();
    let kasm = kasm_id(&a);
    assert_eq!(kasm.len(), 36, "the kasm id comes hyphenated: {kasm}");
    assert_eq!(answer["status"], json!("starting"));
    assert_eq!(answer["user_id"], json!(user), "the user id comes as hex");
    assert_eq!(answer["username"], json!("pat"));
    let token = answer["session_token"].as_str().unwrap_or_default();
    assert_eq!(
        answer["kasm_url"],
        json!(format!("/#/connect/kasm/{kasm}/{user}/{token}"))
    );
    assert!(answer.get("share_id").is_none());
    let stored = k.sim.sessions();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].kasm_id, kasm.replace('-', ""));
    // Not idempotent: the same call launches another.
    let again = k.request(&user, &image).await;
    assert_eq!(again.outcome(), (200, None));
    assert_ne!(kasm_id(&again), kasm);
}

#[tokio::test]
async fn request_kasm_refusals_come_in_kasms_order() {
    let (k, user, image) = authorized().await;
    let other = k.image("kasmweb/chrome:1.0").await;
    let unknown = "00000000-0000-0000-0000-000000000000";
    let a = k.post("request_kasm", json!({"user_id": user})).await;
    assert_eq!(a.outcome(), (200, Some("No Default Image Found".into())));
    let a = k.request(&user, unknown).await;
    assert_eq!(a.outcome(), (200, Some("Invalid Request".into())));
    let a = k.request(&user, "").await;
    assert_eq!(a.outcome(), (200, Some("Invalid Request".into())));
    let a = k.request(&user, "not-a-uuid").await;
    assert_eq!(a.status, 500);
    let a = k.request(&user, &other).await;
    assert_eq!(a.outcome(), (200, Some("Image Not Authorized".into())));
    // The limit (2 without a group setting) counts every session, and comes
    // before the image checks.
    assert_eq!(k.request(&user, &image).await.status, 200);
    assert_eq!(k.request(&user, &image).await.status, 200);
    let a = k.request(&user, unknown).await;
    assert_eq!(
        a.outcome(),
        (200, Some("Kasm limit exceeded for user: (pat)".into()))
    );
    assert_eq!(k.sim.sessions().len(), 2);
}

#[tokio::test]
async fn a_disabled_image_is_not_authorized() {
    let (k, user, image) = authorized().await;
    let a = k
        .post(
            "update_image",
            json!({"target_image": {"image_id": image, "enabled": false, "name": "kasmweb/terminal:1.0",
                "cores": 2, "memory": 2768000000_i64, "friendly_name": "t", "image_src": "img/x.png"}}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = k.request(&user, &image).await;
    assert_eq!(a.outcome(), (200, Some("Image Not Authorized".into())));
}

#[tokio::test]
async fn group_settings_decide_the_limit_and_sharing_lowest_priority_first() {
    let (k, user, image) = authorized().await;
    let strict = k
        .group(
            "Strict",
            json!({"max_kasms_per_user": 1, "allow_kasm_sharing": true}),
        )
        .await;
    k.join(&user, &strict).await;
    let a = k
        .post(
            "request_kasm",
            json!({"user_id": user, "image_id": image, "enable_sharing": true}),
        )
        .await;
    assert_eq!(a.outcome(), (200, None), "{}", a.text);
    assert_eq!(a.json()["share_id"].as_str().map(str::len), Some(8));
    let a = k.request(&user, &image).await;
    assert_eq!(
        a.outcome(),
        (200, Some("Kasm limit exceeded for user: (pat)".into()))
    );
}

#[tokio::test]
async fn sharing_refused_still_launches_and_says_so_beside_the_kasm_id() {
    let (k, user, image) = authorized().await;
    let a = k
        .post(
            "request_kasm",
            json!({"user_id": user, "image_id": image, "enable_sharing": true}),
        )
        .await;
    assert_eq!(a.outcome(), (200, Some("Failed to create Share ID".into())));
    assert!(!kasm_id(&a).is_empty());
    assert_eq!(k.sim.sessions().len(), 1, "the session exists");
}

#[tokio::test]
async fn without_a_user_id_the_public_path_launches_for_a_new_anonymous_user() {
    let k = kasm().await;
    let image = k.image("kasmweb/terminal:1.0").await;
    let a = k.post("request_kasm", json!({"image_id": image})).await;
    assert_eq!(a.outcome(), (200, None), "{}", a.text);
    let users = k.sim.users();
    assert_eq!(users.len(), 1);
    assert!(users[0].anonymous && users[0].username.starts_with("anon_"));
    assert_eq!(
        k.sim.memberships()[0].group_id,
        ALL_USERS,
        "anonymous users are in All Users"
    );
    let a = k.admin("request_kasm", json!({"image_id": image})).await;
    assert_eq!(
        a.outcome(),
        (
            400,
            Some(format!(
                "DevAPI Key ({KEY}) made invalid call to impersonate a user without providing a user_id."
            ))
        )
    );
}

#[tokio::test]
async fn authentication_checks_the_user_then_the_kasm_then_the_permission() {
    let no_user = ApiKey {
        name: "admin-only".into(),
        permissions: vec![Permission::GlobalAdmin],
        ..ApiKey::admin("admin-only", "a")
    };
    let no_impersonation = ApiKey {
        name: "plain".into(),
        permissions: vec![Permission::User],
        ..ApiKey::admin("plain", "p")
    };
    let read_only = ApiKey {
        name: "ro".into(),
        read_only: true,
        ..ApiKey::admin("ro", "r")
    };
    let k = start_with(
        Db::default(),
        vec![no_user, no_impersonation, read_only],
        Duration::from_millis(200),
    )
    .await;
    let user = k.user("quinn").await;
    let image = k.image("kasmweb/terminal:1.0").await;
    let unknown = "00000000-0000-0000-0000-000000000000";
    let body = json!({"user_id": user, "image_id": image});
    let a = k
        .call("public/request_kasm", ("ro", "r"), body.clone())
        .await;
    assert_eq!(a.outcome(), (401, Some("Unauthorized".into())));
    let a = k
        .call("public/request_kasm", ("plain", "p"), body.clone())
        .await;
    assert_eq!(
        a.outcome(),
        (
            401,
            Some("API Key (plain) is not authorized to impersonate a user.".into())
        )
    );
    let a = k
        .post(
            "request_kasm",
            json!({"user_id": unknown, "image_id": image}),
        )
        .await;
    assert_eq!(
        a.outcome(),
        (400, Some(format!("Invalid user_id ({unknown})")))
    );
    let a = k
        .post("request_kasm", json!({"user_id": "x", "image_id": image}))
        .await;
    assert_eq!(a.status, 500);
    // Global Admin does not imply User.
    let a = k
        .call("public/request_kasm", ("admin-only", "a"), body.clone())
        .await;
    assert_eq!(a.outcome(), (401, Some("Unauthorized".into())));
    // An unknown kasm_id is refused before the permission check.
    let a = k
        .call(
            "public/get_kasm_status",
            ("admin-only", "a"),
            json!({"user_id": user, "kasm_id": unknown}),
        )
        .await;
    assert_eq!(
        a.outcome(),
        (400, Some(format!("Invalid kasm_id ({unknown})")))
    );
}

#[tokio::test]
async fn a_session_goes_from_starting_to_running_and_each_status_call_mints_a_token() {
    let (k, user, image) = authorized().await;
    let kasm = kasm_id(&k.request(&user, &image).await);
    let first = k.status(&user, &kasm).await;
    let early = first.json();
    if early.get("kasm").is_none() {
        let status = early["operational_status"].as_str().unwrap_or_default();
        assert!(["provisioning", "starting"].contains(&status), "{early}");
        assert_eq!(
            first.error(),
            Some(format!("This session is currently {status}."))
        );
    }
    let a = running(&k, &user, &kasm).await;
    let answer = a.json();
    assert_eq!(answer["kasm"]["operational_status"], json!("running"));
    assert_eq!(answer["kasm"]["kasm_id"], json!(kasm.replace('-', "")));
    assert_eq!(answer["kasm"]["token"], json!(""));
    let hyphenated_user = uuid::Uuid::parse_str(&user)
        .map(|u| u.hyphenated().to_string())
        .unwrap_or_default();
    let url = answer["kasm_url"].as_str().unwrap_or_default();
    assert!(url.contains(&hyphenated_user), "{url}");
    let before = k.sim.session_tokens(&user);
    k.status(&user, &kasm).await;
    assert_eq!(k.sim.session_tokens(&user), before + 1);
    let stranger = k.user("ray").await;
    let a = k.status(&stranger, &kasm).await;
    assert_eq!(a.outcome(), (200, Some("Access Denied".into())));
}

#[tokio::test]
async fn destroy_tears_down_then_the_session_is_gone() {
    let (k, user, image) = authorized().await;
    let kasm = kasm_id(&k.request(&user, &image).await);
    let destroy = || k.post("destroy_kasm", json!({"user_id": user, "kasm_id": kasm}));
    let a = destroy().await;
    assert_eq!((a.status, a.json()), (200, json!({})), "{}", a.text);
    let a = k.status(&user, &kasm).await;
    let deleting = a.error().as_deref() == Some("Kasm is currently scheduled to be deleted.");
    if deleting {
        let a = destroy().await;
        assert_eq!(
            (a.status, a.json()),
            (200, json!({})),
            "a repeat while deleting"
        );
    }
    let gone = k
        .wait_until("gone", || k.status(&user, &kasm), |a| a.status == 400)
        .await;
    assert_eq!(gone.error(), Some(format!("Invalid kasm_id ({kasm})")));
    let a = destroy().await;
    assert_eq!(
        a.outcome(),
        (400, Some(format!("Invalid kasm_id ({kasm})")))
    );
    let a = k
        .post("get_kasm", json!({"target_kasm": {"kasm_id": kasm}}))
        .await;
    assert_eq!((a.status, a.json()), (200, json!({})));
}

#[tokio::test]
async fn destroy_refusals() {
    let plain = ApiKey {
        name: "no-delete".into(),
        permissions: vec![Permission::User, Permission::UsersAuthSession],
        ..ApiKey::admin("no-delete", "n")
    };
    let k = start_with(Db::default(), vec![plain], Duration::from_millis(200)).await;
    let owner = k.user("sam").await;
    let other = k.user("tia").await;
    let image = k.image("kasmweb/terminal:1.0").await;
    let kasm = kasm_id(&k.request(&owner, &image).await);
    let a = k
        .call(
            "public/destroy_kasm",
            ("no-delete", "n"),
            json!({"user_id": other, "kasm_id": kasm}),
        )
        .await;
    assert_eq!(
        a.outcome(),
        (200, Some("Unauthorized attempt to delete session".into()))
    );
    let a = k.post("destroy_kasm", json!({"user_id": owner})).await;
    assert_eq!(a.outcome(), (200, Some("Invalid Request".into())));
    let a = k.post("destroy_kasm", json!({"kasm_id": kasm})).await;
    assert_eq!(
        a.status, 500,
        "no user_id: the handler dereferences no user"
    );
    k.sim.set_group_settings(
        ALL_USERS,
        json!({"allow_kasm_delete": false})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    );
    let a = k
        .call(
            "public/destroy_kasm",
            ("no-delete", "n"),
            json!({"user_id": owner, "kasm_id": kasm}),
        )
        .await;
    assert_eq!(
        a.outcome(),
        (
            200,
            Some("User is not authorized to issue a delete request".into())
        )
    );
    assert_eq!(k.sim.sessions().len(), 1);
}

#[tokio::test]
async fn listings_show_every_session_with_owner_and_server() {
    let (k, user, image) = authorized().await;
    let a = k.post("get_kasms", json!({})).await;
    assert_eq!(a.json(), json!({"kasms": []}), "no current_time when empty");
    let kasm = kasm_id(&k.request(&user, &image).await);
    let a = k.post("get_kasms", json!({})).await;
    let listed = &a.json()["kasms"][0];
    assert_eq!(listed["user"], json!({"username": "pat"}));
    assert_eq!(listed["image_id"], json!(image));
    assert!(listed["server"].get("zone_name").is_some());
    assert!(a.json().get("current_time").is_some());
    let a = k
        .post("get_kasm", json!({"target_kasm": {"kasm_id": kasm}}))
        .await;
    assert_eq!(a.json()["kasm"]["kasm_id"], json!(kasm.replace('-', "")));
    let a = k
        .post("get_kasm", json!({"target_kasm": {"kasm_id": "x"}}))
        .await;
    assert_eq!(
        a.outcome(),
        (200, Some("Invalid Request. Invalid kasm_id".into()))
    );
    let a = k.post("get_user_kasms", json!({"user_id": user})).await;
    assert_eq!(a.json()["kasms"].as_array().map(Vec::len), Some(1));
    let a = k
        .post("get_user", json!({"target_user": {"user_id": user}}))
        .await;
    assert_eq!(
        a.json()["user"]["kasms"][0]["kasm_id"],
        json!(kasm.replace('-', ""))
    );
}

#[tokio::test]
async fn sessions_without_keepalives_expire_and_keepalive_moves_the_expiry() {
    let (k, user, image) = authorized().await;
    let short = k
        .group("Short-lived", json!({"keepalive_expiration": 1}))
        .await;
    k.join(&user, &short).await;
    let kasm = kasm_id(&k.request(&user, &image).await);
    let expiry = |a: &Answer| a.json()["kasm"]["expiration_date"].clone();
    let before = k
        .post("get_kasm", json!({"target_kasm": {"kasm_id": kasm}}))
        .await;
    let a = k.post("keepalive", json!({"kasm_id": kasm})).await;
    assert_eq!((a.status, a.json()), (200, json!({"usage_reached": false})));
    let after = k
        .post("get_kasm", json!({"target_kasm": {"kasm_id": kasm}}))
        .await;
    assert!(expiry(&after).as_str() >= expiry(&before).as_str());
    let a = k.post("keepalive", json!({})).await;
    assert_eq!(
        a.outcome(),
        (
            400,
            Some("Invalid Request: Missing required parameters".into())
        )
    );
    k.wait_until(
        "expired",
        || k.post("get_kasm", json!({"target_kasm": {"kasm_id": kasm}})),
        |a| a.json() == json!({}),
    )
    .await;
    let a = k.post("keepalive", json!({"kasm_id": kasm})).await;
    assert_eq!(
        a.outcome(),
        (400, Some(format!("Invalid kasm_id ({kasm})")))
    );
}

#[tokio::test]
async fn a_session_time_limit_is_not_extended_by_keepalives() {
    let (k, user, image) = authorized().await;
    let limited = k.group("Limited", json!({"session_time_limit": 600})).await;
    k.join(&user, &limited).await;
    let kasm = kasm_id(&k.request(&user, &image).await);
    let a = k.post("keepalive", json!({"kasm_id": kasm})).await;
    assert_eq!((a.status, a.json()), (200, json!({})));
}

#[tokio::test]
async fn no_capacity_refuses_with_kasms_text_and_a_detail_for_report_viewers() {
    let mut db = Db::default();
    db.settings.session_capacity = Some(0);
    let k = start_with(db, Vec::new(), Duration::ZERO).await;
    let user = k.user("uma").await;
    let image = k.image("kasmweb/terminal:1.0").await;
    let a = k.request(&user, &image).await;
    assert_eq!(
        a.error().as_deref(),
        Some(
            "No resources are available to create the requested Kasm. Please try again later or contact an Administrator"
        )
    );
    assert!(
        a.json()["error_detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("No Agent slots"))
    );
    assert!(k.sim.sessions().is_empty());
}

#[tokio::test]
async fn faults_reach_the_session_calls_a_lost_answer_still_launched() {
    let (k, user, image) = authorized().await;
    k.sim.set_faults(Faults {
        fail_next: 1,
        ..Faults::default()
    });
    let a = k.request(&user, &image).await;
    assert_eq!(a.status, 500);
    assert!(
        k.sim.sessions().is_empty(),
        "an injected error does nothing"
    );
    k.sim.set_faults(Faults {
        drop_next: 1,
        ..Faults::default()
    });
    let lost = reqwest::Client::new()
        .post(format!("{}/api/public/request_kasm", k.sim.url()))
        .json(
            &json!({"api_key": KEY, "api_key_secret": SECRET, "user_id": user, "image_id": image}),
        )
        .send()
        .await;
    let answered = match lost {
        Ok(r) => r.text().await.is_ok(),
        Err(_) => false,
    };
    assert!(!answered, "the answer was lost");
    assert_eq!(
        k.sim.sessions().len(),
        1,
        "the session was launched all the same"
    );
    let a = k.post("get_user_kasms", json!({"user_id": user})).await;
    assert_eq!(a.json()["kasms"][0]["image_id"], Value::String(image));
}

//! Contract tests for users and group membership: raw HTTP against a running
//! simulator, one per rule of docs/kasm-api.md ("Users, memberships and
//! sessions"; Kasm 1.15).

#![allow(clippy::indexing_slicing, clippy::panic)] // test helpers: a failure should stop the test

mod common;

use common::{KEY, SECRET, kasm, start_with};
use kasm_sim::groups::{ADMINISTRATORS, ALL_USERS};
use kasm_sim::{ApiKey, Db, Permission};
use serde_json::{Value, json};
use std::time::Duration;

fn key(name: &str, permissions: Vec<Permission>) -> ApiKey {
    ApiKey {
        name: name.into(),
        permissions,
        ..ApiKey::admin(name, format!("{name}-secret"))
    }
}

fn creds(name: &str) -> (&str, String) {
    (name, format!("{name}-secret"))
}

#[tokio::test]
async fn create_user_answers_u12_and_puts_every_new_user_in_all_users() {
    let k = kasm().await;
    let auto = k
        .group("Everyone local", json!({"auto_add_local_users": true}))
        .await;
    let a = k
        .post(
            "create_user",
            json!({"target_user": {
                "username": "  Alice@Example.COM ", "password": "weak",
                "first_name": "A".repeat(80), "groups": ["x"], "authorized_images": ["y"],
            }}),
        )
        .await;
    assert_eq!(a.outcome(), (200, None), "{}", a.text);
    let user = &a.json()["user"];
    let mut keys: Vec<&str> = user
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "disabled",
            "first_name",
            "groups",
            "last_name",
            "last_session",
            "locked",
            "notes",
            "organization",
            "phone",
            "realm",
            "user_id",
            "username"
        ]
    );
    assert_eq!(user["username"], json!("alice@example.com"));
    assert_eq!(user["first_name"].as_str().map(str::len), Some(64));
    assert_eq!(user["realm"], json!("local"));
    assert_eq!(user["last_session"], Value::Null);
    let groups: Vec<&str> = user["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["group_id"].as_str())
        .collect();
    assert_eq!(groups, [ALL_USERS, auto.as_str()]);
    // No password rules on create: "weak" was stored and works.
    let stored = k.sim.users();
    assert!(stored[0].password_is("weak"));
}

#[tokio::test]
async fn create_user_refusals_in_kasms_order_and_texts() {
    let k = kasm().await;
    k.user("bob").await;
    let cases = [
        (json!({}), "Invalid Request: Missing required parameters"),
        (
            json!({"target_user": {"password": "x"}}),
            "Invalid Request: Missing required parameters",
        ),
        (
            json!({"target_user": {"username": "carol", "password": "x", "company_id": "c"}}),
            "Invalid Request: Company does not exist",
        ),
        (
            json!({"target_user": {"username": "carol", "password": "x", "program_id": "p1"}}),
            "Unknown program_id (p1)",
        ),
        (
            json!({"target_user": {"username": " BOB ", "password": "x"}}),
            "Error creating user ( BOB ): (User already exists)",
        ),
    ];
    for (body, text) in cases {
        let public = k.post("create_user", body.clone()).await;
        assert_eq!(public.outcome(), (400, Some(text.into())), "{body}");
        let admin = k.admin("create_user", body.clone()).await;
        assert_eq!(admin.outcome(), (200, Some(text.into())), "{body}");
    }
    // A missing password: the public path makes a random one, the admin path refuses.
    let a = k
        .admin("create_user", json!({"target_user": {"username": "dan"}}))
        .await;
    assert_eq!(
        a.outcome(),
        (
            200,
            Some("Invalid Request: Missing required parameters".into())
        )
    );
    let a = k
        .post("create_user", json!({"target_user": {"username": "dan"}}))
        .await;
    assert_eq!(a.outcome(), (200, None), "{}", a.text);
    let a = k
        .post("create_user", json!({"target_user": {"username": 7}}))
        .await;
    assert_eq!(a.status, 500);
}

#[tokio::test]
async fn the_named_user_licence_refuses_with_403() {
    let mut db = Db::default();
    db.settings.user_license_limit = Some(1);
    let k = start_with(db, Vec::new(), Duration::ZERO).await;
    k.user("one").await;
    let a = k
        .post("create_user", json!({"target_user": {"username": "two"}}))
        .await;
    assert_eq!(
        a.outcome(),
        (
            403,
            Some("License limit exceeded. Unable to create user".into())
        )
    );
}

#[tokio::test]
async fn get_user_by_id_or_name_and_every_miss_reads_invalid_request() {
    let k = kasm().await;
    let id = k.user("erin").await;
    let other = k.user("frank").await;
    let hyphenated = uuid::Uuid::parse_str(&id)
        .map(|u| u.hyphenated().to_string())
        .unwrap_or_default();
    // user_id wins over username; either id form is read.
    let a = k
        .post(
            "get_user",
            json!({"target_user": {"user_id": hyphenated, "username": "frank"}}),
        )
        .await;
    assert_eq!(a.outcome(), (200, None), "{}", a.text);
    let user = &a.json()["user"];
    assert_eq!(user["user_id"], json!(id));
    for absent in ["password", "pw_hash", "salt", "authorized_images"] {
        assert!(user.get(absent).is_none(), "{absent} in {user}");
    }
    for present in [
        "kasms",
        "two_factor",
        "created",
        "password_set_date",
        "email",
    ] {
        assert!(user.get(present).is_some(), "{present} missing from {user}");
    }
    let a = k
        .post("get_user", json!({"target_user": {"username": "FRANK"}}))
        .await;
    assert_eq!(a.json()["user"]["user_id"], json!(other));
    for body in [
        json!({}),
        json!({"target_user": {"user_id": "00000000-0000-0000-0000-000000000000"}}),
        json!({"target_user": {"user_id": "not-a-uuid"}}),
        json!({"target_user": {"username": "nobody"}}),
    ] {
        let a = k.post("get_user", body.clone()).await;
        assert_eq!(a.outcome(), (400, Some("Invalid Request".into())), "{body}");
    }
}

#[tokio::test]
async fn get_users_lists_hyphenated_ids_and_hides_what_the_key_may_not_see() {
    let users_only = key("users-only", vec![Permission::UsersView]);
    let k = start_with(Db::default(), vec![users_only], Duration::ZERO).await;
    let a = k.post("get_users", json!({})).await;
    assert_eq!(
        (a.status, a.json()),
        (200, json!({})),
        "nothing matches: no `users` key"
    );
    let id = k.user("gina").await;
    // An anonymous user (request_kasm without a user_id) is not listed by default.
    k.post("request_kasm", json!({"image_id": "x"})).await;
    let a = k.post("get_users", json!({})).await;
    let listed = a.json()["users"].as_array().cloned().unwrap_or_default();
    assert_eq!(listed.len(), 1, "{}", a.text);
    let gina = &listed[0];
    assert_eq!(
        gina["user_id"].as_str().map(|s| s.replace('-', "")),
        Some(id.clone())
    );
    assert_eq!(gina["user_id"].as_str().map(str::len), Some(36));
    assert_eq!(gina["last_session"], json!("None"));
    assert_eq!(gina["groups"].as_array().map(Vec::len), Some(1));
    let a = k.post("get_users", json!({"anonymous": true})).await;
    assert_eq!(a.json()["total"], json!(2));
    let (name, secret) = creds("users-only");
    let a = k.call("public/get_users", (name, &secret), json!({})).await;
    assert_eq!(a.json()["users"][0]["groups"], json!([]), "no Groups View");
    assert_eq!(a.json()["users"][0]["kasms"], json!([]), "no Sessions View");
}

#[tokio::test]
async fn update_user_answers_400_everywhere_and_the_last_failing_check_wins() {
    let k = kasm().await;
    let id = k.user("hank").await;
    for path in ["public/update_user", "admin/update_user"] {
        let a = k
            .call(
                path,
                (KEY, SECRET),
                json!({"target_user": {"user_id": id, "first_name": "H"}}),
            )
            .await;
        assert_eq!(a.outcome(), (400, Some("Username is not present".into())));
    }
    // username missing and a weak password: the password's message comes last.
    let a = k
        .post(
            "update_user",
            json!({"target_user": {"user_id": id, "password": "abcdefgh1"}}),
        )
        .await;
    assert_eq!(
        a.outcome(),
        (
            400,
            Some("Your password must contain at least one special character.".into())
        )
    );
    let a = k
        .post(
            "update_user",
            json!({"target_user": {"user_id": id, "username": "hank", "status": "gone"}}),
        )
        .await;
    assert_eq!(a.outcome(), (400, Some("Invalid Status (gone)".into())));
    let a = k
        .post(
            "update_user",
            json!({"target_user": {"user_id": "00000000000000000000000000000000", "username": "x"}}),
        )
        .await;
    assert_eq!(a.outcome(), (400, Some("Unknown User".into())));
    let a = k
        .post(
            "update_user",
            json!({"target_user": {"user_id": "nope", "username": "x"}}),
        )
        .await;
    assert_eq!(a.status, 500);
}

#[tokio::test]
async fn update_user_keeps_what_is_left_out_and_a_new_password_logs_the_user_out() {
    let k = kasm().await;
    let id = k.user("ivy").await;
    let a = k
        .post(
            "update_user",
            json!({"target_user": {"user_id": id, "username": "ivy", "first_name": "Ivy", "phone": "123"}}),
        )
        .await;
    assert_eq!(a.outcome(), (200, None), "{}", a.text);
    let image = k.image("kasmweb/terminal:1.0").await;
    k.request(&id, &image).await;
    assert_eq!(k.sim.session_tokens(&id), 1);
    let a = k
        .post(
            "update_user",
            json!({"target_user": {"user_id": id, "username": "ivy", "password": "N3w-pass!", "locked": true}}),
        )
        .await;
    assert_eq!(a.outcome(), (200, None), "{}", a.text);
    let user = &a.json()["user"];
    assert_eq!(
        (&user["first_name"], &user["phone"]),
        (&json!("Ivy"), &json!("123"))
    );
    assert_eq!(user["locked"], json!(false), "a new password unlocks");
    assert_eq!(
        k.sim.session_tokens(&id),
        0,
        "a new password logs the user out"
    );
    assert!(k.sim.users()[0].password_is("N3w-pass!"));
    assert_eq!(k.sim.sessions().len(), 1, "sessions keep running");
}

#[tokio::test]
async fn global_admin_users_need_users_modify_admin() {
    let modify = key(
        "modifier",
        vec![
            Permission::UsersModify,
            Permission::UsersDelete,
            Permission::GroupsModify,
            Permission::GroupsModifySystem,
        ],
    );
    let k = start_with(Db::default(), vec![modify], Duration::ZERO).await;
    let id = k.user("root").await;
    assert_eq!(k.join(&id, ADMINISTRATORS).await.outcome(), (200, None));
    let (name, secret) = creds("modifier");
    let a = k
        .call(
            "public/update_user",
            (name, &secret),
            json!({"target_user": {"user_id": id, "username": "root"}}),
        )
        .await;
    assert_eq!(a.outcome(), (401, Some("Unauthorized".into())));
    let a = k
        .call(
            "public/delete_user",
            (name, &secret),
            json!({"target_user": {"user_id": id}}),
        )
        .await;
    assert_eq!(
        a.outcome(),
        (
            401,
            Some("API Key (modifier) unauthorized for deleting the requested user (root).".into())
        )
    );
}

#[tokio::test]
async fn delete_user_needs_force_for_sessions_and_takes_everything_with_it() {
    let k = kasm().await;
    let id = k.user("jay").await;
    let image = k.image("kasmweb/terminal:1.0").await;
    assert_eq!(k.request(&id, &image).await.status, 200);
    let a = k
        .post(
            "delete_user",
            json!({"target_user": {"user_id": id}, "force": "yes"}),
        )
        .await;
    assert_eq!(
        a.outcome(),
        (
            200,
            Some("Invalid Request. 'force' option must be boolean".into())
        )
    );
    let a = k
        .post("delete_user", json!({"target_user": {"user_id": id}}))
        .await;
    assert_eq!(
        a.outcome(),
        (
            400,
            Some("Users contains (1) kasms and 'force' option not set to True".into())
        )
    );
    let a = k
        .post(
            "delete_user",
            json!({"target_user": {"user_id": id}, "force": true}),
        )
        .await;
    assert_eq!((a.status, a.json()), (200, json!({})), "{}", a.text);
    assert!(k.sim.users().is_empty());
    assert!(k.sim.sessions().is_empty());
    assert!(k.sim.memberships().is_empty());
    assert_eq!(k.sim.session_tokens(&id), 0);
    let a = k
        .post("delete_user", json!({"target_user": {"user_id": id}}))
        .await;
    assert_eq!(a.outcome(), (400, Some(format!("Unknown user ({id})"))));
}

#[tokio::test]
async fn logout_user_deletes_the_tokens_and_is_idempotent() {
    let k = kasm().await;
    let id = k.user("kim").await;
    let image = k.image("kasmweb/terminal:1.0").await;
    k.request(&id, &image).await;
    for _ in 0..2 {
        let a = k
            .post("logout_user", json!({"target_user": {"user_id": id}}))
            .await;
        assert_eq!((a.status, a.json()), (200, json!({})));
    }
    assert_eq!(k.sim.session_tokens(&id), 0);
    assert_eq!(k.sim.sessions().len(), 1, "logging out destroys no session");
    let a = k.post("logout_user", json!({"target_user": {}})).await;
    assert_eq!(
        a.outcome(),
        (
            400,
            Some("Invalid Request: Missing required user_id".into())
        )
    );
}

#[tokio::test]
async fn memberships_check_user_then_group_then_the_row_with_the_ids_as_sent() {
    let k = kasm().await;
    let user = k.user("lee").await;
    let group = k.group("Devs", json!({})).await;
    let unknown = "00000000-0000-0000-0000-000000000000";
    let body =
        |u: &str, g: &str| json!({"target_user": {"user_id": u}, "target_group": {"group_id": g}});
    let a = k.post("add_user_group", body(unknown, unknown)).await;
    assert_eq!(
        a.outcome(),
        (400, Some(format!("Invalid User ID ({unknown})")))
    );
    let a = k.post("add_user_group", body(&user, unknown)).await;
    assert_eq!(
        a.outcome(),
        (400, Some(format!("Invalid Group ID ({unknown})")))
    );
    let a = k.post("add_user_group", body(&user, "bad")).await;
    assert_eq!(a.status, 500);
    let upper = user.to_uppercase();
    assert_eq!(
        k.post("add_user_group", body(&upper, &group))
            .await
            .outcome(),
        (200, None)
    );
    let a = k.post("add_user_group", body(&upper, &group)).await;
    assert_eq!(
        a.outcome(),
        (
            400,
            Some(format!(
                "User ({upper}) is already a member of group ({group})"
            ))
        )
    );
    let a = k.admin("add_user_group", body(&user, &group)).await;
    assert_eq!(a.status, 200, "the admin path answers 200: {}", a.text);
    let rows = k.sim.memberships();
    assert_eq!(
        rows.iter().filter(|m| m.group_id == group).count(),
        1,
        "never twice"
    );
    assert_eq!(
        k.post("remove_user_group", body(&user, &group))
            .await
            .outcome(),
        (200, None)
    );
    let a = k.post("remove_user_group", body(&user, &group)).await;
    assert_eq!(
        a.outcome(),
        (
            400,
            Some(format!("User ({user}) is not a member of group ({group})"))
        )
    );
    let a = k
        .post("add_user_group", json!({"target_user": {"user_id": user}}))
        .await;
    assert_eq!(
        a.outcome(),
        (
            400,
            Some("Invalid Request: Missing required parameters".into())
        )
    );
}

#[tokio::test]
async fn all_users_needs_modify_system_and_read_only_keys_may_change_memberships() {
    let modify = ApiKey {
        read_only: true,
        ..key("ro-modify", vec![Permission::GroupsModify])
    };
    let k = start_with(Db::default(), vec![modify], Duration::ZERO).await;
    let user = k.user("max").await;
    let group = k.group("Devs", json!({})).await;
    let (name, secret) = creds("ro-modify");
    let body = |g: &str| json!({"target_user": {"user_id": user}, "target_group": {"group_id": g}});
    let a = k
        .call("public/add_user_group", (name, &secret), body(&group))
        .await;
    assert_eq!(
        a.outcome(),
        (200, None),
        "read-only keys pass the public wrapper"
    );
    let a = k
        .call("public/remove_user_group", (name, &secret), body(ALL_USERS))
        .await;
    assert_eq!(a.outcome(), (401, Some("Unauthorized".into())));
    let a = k.post("remove_user_group", body(ALL_USERS)).await;
    assert_eq!(a.outcome(), (200, None), "Global Admin may leave All Users");
    let a = k
        .post("get_user", json!({"target_user": {"user_id": user}}))
        .await;
    assert_eq!(
        a.json()["user"]["groups"],
        json!([{"name": "Devs", "group_id": group}])
    );
}

#[tokio::test]
async fn get_users_group_lists_members_and_refuses_with_200() {
    let k = kasm().await;
    let user = k.user("nia").await;
    let group = k.group("Devs", json!({})).await;
    k.join(&user, &group).await;
    let a = k
        .post(
            "get_users_group",
            json!({"target_group": {"group_id": group}}),
        )
        .await;
    assert_eq!(
        a.json(),
        json!({"users": [{"name": "nia", "user_id": user}], "total": 1})
    );
    let unknown = "00000000000000000000000000000000";
    let a = k
        .post(
            "get_users_group",
            json!({"target_group": {"group_id": unknown}}),
        )
        .await;
    assert_eq!(
        a.outcome(),
        (200, Some(format!("Invalid Group ID ({unknown})")))
    );
    let a = k.post("get_users_group", json!({})).await;
    assert_eq!(
        a.outcome(),
        (
            200,
            Some("Invalid Request: Missing required parameters".into())
        )
    );
}

#[tokio::test]
async fn deleting_a_group_with_members_needs_force_and_takes_the_rows() {
    let k = kasm().await;
    let user = k.user("oz").await;
    let group = k.group("Devs", json!({})).await;
    k.join(&user, &group).await;
    let a = k
        .post("delete_group", json!({"target_group": {"group_id": group}}))
        .await;
    assert_eq!(
        a.error().as_deref(),
        Some("Group contains (1) users and 'force' option not set to True")
    );
    let a = k
        .post(
            "delete_group",
            json!({"target_group": {"group_id": group}, "force": true}),
        )
        .await;
    assert_eq!(a.outcome(), (200, None));
    assert!(k.sim.memberships().iter().all(|m| m.group_id != group));
}

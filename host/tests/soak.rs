//! The chaos soak: for each seed, apply a fleet under a random mix of 5xx,
//! 429, lost answers and hangs longer than the request timeout, `kill -9` the
//! run at a random moment, then run again without faults. Kasm must then hold
//! exactly the desired images (by name, each once), the state must match it,
//! and a plan must be empty. Then the same for updates and deletes.
//!
//! `KASM_PLAN_SOAK_SEEDS` and `KASM_PLAN_SOAK_IMAGES` size it (defaults keep the
//! test command short; `scripts/soak.sh` runs the long version).

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::kasm::{KEY, Kasm, SECRET};
use common::{code, stderr, stdout};
use kasm_sim::{ApiKey, Config};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A size from the environment, else the default.
fn size(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A simulator whose agents never pull: availability plays no part here.
fn start() -> Kasm {
    Kasm::with(Config {
        keys: vec![ApiKey::admin(KEY, SECRET)],
        agent_delay: None,
        ..Config::default()
    })
}

/// Images on Kasm by friendly name, with the memory of each.
fn memories(k: &Kasm) -> BTreeMap<String, Vec<i64>> {
    let mut out: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for i in k.images() {
        out.entry(i.friendly_name.clone().unwrap_or_default())
            .or_default()
            .push(i.memory);
    }
    out
}

/// `n` images named `App <i>`; those in `small` get 1024 MB, the others 2048.
fn specs(n: u64, small: impl Fn(u64) -> bool) -> String {
    (0..n)
        .map(|i| {
            let memory = if small(i) { 1024 } else { 2048 };
            format!(
                "resource \"kasm_image\" \"app_{i}\" {{\n  name = \"kasmweb/app-{i}:1.18.0\"\n  image_src = \"img/app.png\"\n  friendly_name = \"App {i}\"\n  memory = {memory}\n  cores = 1\n}}\n"
            )
        })
        .collect()
}

/// One chaotic apply: faults from the seed, killed at a random moment.
fn chaotic_apply(k: &Kasm, file: &str, seed: u64, rng: &mut fastrand::Rng) {
    let deadline = Instant::now() + Duration::from_millis(rng.u64(200..2500));
    faulty_apply(k, file, seed, Some(deadline));
}

/// An apply under faults from the seed, killed at `kill` if it runs that long.
fn faulty_apply(k: &Kasm, file: &str, seed: u64, kill: Option<Instant>) {
    k.faults(json!({
        "error_rate": 0.1, "error_statuses": [500, 502, 503],
        "drop_rate": 0.05, "hang_rate": 0.03, "hang_ms": 1500,
        "rate_limit": 60, "latency_ms": 5, "seed": seed,
    }));
    let mut child = k
        .command(&["apply", file, "--auto-approve", "--request-timeout", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    while kill.is_none_or(|deadline| Instant::now() < deadline) {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill(); // SIGKILL: nothing is flushed or cleaned up
    let _ = child.wait();
    k.faults(json!({}));
    // Requests still hanging on the server land before the clean run.
    std::thread::sleep(Duration::from_millis(1600));
}

/// A clean run converges: exactly the desired images, the state bound to them, nothing to plan.
fn converges(k: &Kasm, n: usize, memory_of: impl Fn(usize) -> i64, seed: u64) {
    let o = k.run(&["apply", "images.tf", "--auto-approve"]);
    assert_eq!(code(&o), 0, "seed {seed}: {}{}", stdout(&o), stderr(&o));
    let names = memories(k);
    assert_eq!(names.len(), n, "seed {seed}: {names:?}");
    for (i, (name, memories)) in names.iter().enumerate() {
        assert_eq!(memories.len(), 1, "seed {seed}: {name} duplicated");
        let index: usize = name.trim_start_matches("App ").parse().unwrap_or(i);
        assert_eq!(memories[0], memory_of(index), "seed {seed}: {name}");
    }
    let bound = k.state()["resources"].as_object().map(|r| r.len());
    assert_eq!(bound, Some(n), "seed {seed}: the state binds every image");
    let o = k.run(&["plan", "images.tf", "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "seed {seed}: {}{}", stdout(&o), stderr(&o));
    assert!(
        !stdout(&o).contains("duplicate"),
        "seed {seed}: {}",
        stdout(&o)
    );
}

#[test]
fn chaos_soak_converges_for_every_seed() {
    let seeds = size("KASM_PLAN_SOAK_SEEDS", 3);
    let n = size("KASM_PLAN_SOAK_IMAGES", 40);
    let count = usize::try_from(n).unwrap_or(0);
    let started = Instant::now();
    for seed in 1..=seeds {
        let mut rng = fastrand::Rng::with_seed(seed);
        let k = start();
        // Creates.
        k.write("images.tf", &specs(n, |_| false));
        chaotic_apply(&k, "images.tf", seed, &mut rng);
        converges(&k, count, |_| 2_048_000_000, seed);
        // Updates (every third image) and deletes (the last quarter).
        let kept = n - n / 4;
        k.write("images.tf", &specs(kept, |i| i.is_multiple_of(3)));
        chaotic_apply(&k, "images.tf", seed + 1000, &mut rng);
        let memory = |i: usize| {
            if i.is_multiple_of(3) {
                1_024_000_000
            } else {
                2_048_000_000
            }
        };
        converges(&k, usize::try_from(kept).unwrap_or(0), memory, seed);
    }
    // The soak script reads this line for the docs' figures.
    println!(
        "soak: {seeds} seeds x {n} images (creates, then updates and deletes), each killed once under faults: converged in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(Path::new(env!("CARGO_BIN_EXE_kasm-plan")).exists());
}

/// Kills while creates hang: 120 creates under 15 % 5xx, 5 % lost answers
/// and 5 % of requests hanging 3 s against a 1 s request timeout, killed six
/// times at random moments, each run starting while the creates the last
/// one left hanging may still land; then a clean run. No image may be
/// created twice.
#[test]
fn kills_while_creates_hang_leave_no_duplicate_image() {
    let seeds = size("KASM_PLAN_SOAK_KILL_SEEDS", 2);
    let n = 120;
    let started = Instant::now();
    for seed in 1..=seeds {
        let mut rng = fastrand::Rng::with_seed(seed);
        let k = start();
        k.write("images.tf", &specs(n, |_| false));
        k.faults(json!({
            "error_rate": 0.15, "error_statuses": [500, 502, 503],
            "drop_rate": 0.05, "hang_rate": 0.05, "hang_ms": 3000,
            "latency_ms": 5, "seed": seed,
        }));
        for _ in 0..6 {
            let mut child = k
                .command(&[
                    "apply",
                    "images.tf",
                    "--auto-approve",
                    "--request-timeout",
                    "1",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("{e}"));
            let deadline = Instant::now() + Duration::from_millis(rng.u64(300..2500));
            while Instant::now() < deadline && child.try_wait().ok().flatten().is_none() {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        k.faults(json!({}));
        // Re-run as the killed runs ran: a create left hanging may land
        // within its settle time, and is watched for before it is made again.
        let o = k.run(&[
            "apply",
            "images.tf",
            "--auto-approve",
            "--request-timeout",
            "1",
        ]);
        assert_eq!(code(&o), 0, "seed {seed}: {}{}", stdout(&o), stderr(&o));
        converges(&k, usize::try_from(n).unwrap_or(0), |_| 2_048_000_000, seed);
    }
    println!(
        "soak: {seeds} seeds x {n} creates, six kills each while creates hang: no duplicate, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// `images` images, `groups` groups named `Team <g>` (priority `priority`),
/// and a link from group `g` to every image `i` with `i % groups == g` or
/// `i == 0`.
fn access_specs(images: u64, groups: u64, priority: u64) -> String {
    let mut text = specs(images, |_| false);
    for g in 0..groups {
        text.push_str(&format!(
            "resource \"kasm_group\" \"team_{g}\" {{\n  name     = \"Team {g}\"\n  priority = {priority}\n}}\n"
        ));
        for i in (0..images).filter(|i| i % groups == g || *i == 0) {
            text.push_str(&format!(
                "resource \"kasm_group_image\" \"team_{g}_app_{i}\" {{\n  group_id = kasm_group.team_{g}.id\n  image_id = kasm_image.app_{i}.id\n}}\n"
            ));
        }
    }
    text
}

/// A clean run converges for groups and links: each group once with its
/// priority, exactly one link row per declared pair and none other of these
/// groups, the state bound to all of it, nothing to plan.
fn access_converges(k: &Kasm, (images, groups, priority): (u64, u64, i64), seed: u64) {
    let o = k.run(&["apply", "access.tf", "--auto-approve"]);
    assert_eq!(code(&o), 0, "seed {seed}: {}{}", stdout(&o), stderr(&o));
    let ours: Vec<_> = k
        .sim()
        .groups()
        .into_iter()
        .filter(|g| g.name.starts_with("Team "))
        .collect();
    let names: Vec<&str> = ours.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(ours.len() as u64, groups, "seed {seed}: {names:?}");
    assert!(ours.iter().all(|g| g.priority == priority), "seed {seed}");
    let image_of: BTreeMap<String, u64> = k
        .images()
        .into_iter()
        .filter_map(|i| {
            let n = i.friendly_name?.trim_start_matches("App ").parse().ok()?;
            Some((i.image_id, n))
        })
        .collect();
    let mut rows: BTreeMap<(u64, u64), usize> = BTreeMap::new();
    for link in k.sim().group_links() {
        let Some(group) = ours.iter().find(|g| g.group_id == link.group_id) else {
            continue;
        };
        let g: u64 = group
            .name
            .trim_start_matches("Team ")
            .parse()
            .unwrap_or(u64::MAX);
        let i = image_of.get(&link.image_id).copied().unwrap_or(u64::MAX);
        *rows.entry((g, i)).or_default() += 1;
    }
    let wanted: BTreeMap<(u64, u64), usize> = (0..groups)
        .flat_map(|g| {
            (0..images)
                .filter(move |i| i % groups == g || *i == 0)
                .map(move |i| ((g, i), 1))
        })
        .collect();
    assert_eq!(rows, wanted, "seed {seed}: link rows per (group, image)");
    let state = k.state();
    let bound = |kind: &str| state[kind].as_object().map_or(0, |m| m.len());
    assert_eq!(bound("groups") as u64, groups, "seed {seed}");
    assert_eq!(bound("links"), wanted.len(), "seed {seed}");
    let o = k.run(&["plan", "access.tf", "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "seed {seed}: {}{}", stdout(&o), stderr(&o));
}

/// The same soak for groups and links: creates, then a priority change on
/// every group and the last group and image removed, each apply killed once
/// under faults.
#[test]
fn chaos_soak_converges_for_groups_and_links() {
    let seeds = size("KASM_PLAN_SOAK_SEEDS", 3);
    let (images, groups) = (size("KASM_PLAN_SOAK_IMAGES", 40) / 4 + 2, 3);
    for seed in 1..=seeds {
        let mut rng = fastrand::Rng::with_seed(seed + 500);
        let k = start();
        k.write("access.tf", &access_specs(images, groups, 50));
        chaotic_apply(&k, "access.tf", seed + 2000, &mut rng);
        access_converges(&k, (images, groups, 50), seed);
        k.write("access.tf", &access_specs(images - 1, groups - 1, 60));
        chaotic_apply(&k, "access.tf", seed + 3000, &mut rng);
        access_converges(&k, (images - 1, groups - 1, 60), seed);
    }
}

/// One image linked to group `Team`, and `users` users `user-<u>`, each a
/// member of `Team` with a session on the image.
fn users_specs(users: u64) -> String {
    let mut text = specs(1, |_| false);
    text.push_str(
        "resource \"kasm_group\" \"team\" {\n  name     = \"Team\"\n  priority = 50\n}\n\
         resource \"kasm_group_image\" \"team_app\" {\n  group_id = kasm_group.team.id\n  image_id = kasm_image.app_0.id\n}\n",
    );
    for u in 0..users {
        text.push_str(&format!(
            "resource \"kasm_user\" \"user_{u}\" {{\n  username = \"user-{u}\"\n}}\n\
             resource \"kasm_group_membership\" \"user_{u}_team\" {{\n  group_id = kasm_group.team.id\n  user_id  = kasm_user.user_{u}.id\n}}\n\
             resource \"kasm_session\" \"user_{u}_app\" {{\n  user_id  = kasm_user.user_{u}.id\n  image_id = kasm_image.app_0.id\n}}\n"
        ));
    }
    text
}

/// A clean run converges for users: each user once, one membership row of
/// each in `Team`, one live session of each, every session recorded, no
/// session of these users left that no address owns, nothing to plan.
fn users_converge(k: &Kasm, users: usize, seed: u64) {
    let o = k.run(&["apply", "users.tf", "--auto-approve"]);
    assert_eq!(code(&o), 0, "seed {seed}: {}{}", stdout(&o), stderr(&o));
    let ours: BTreeMap<String, String> = k
        .sim()
        .users()
        .into_iter()
        .filter(|u| u.username.starts_with("user-"))
        .map(|u| (u.user_id, u.username))
        .collect();
    assert_eq!(ours.len(), users, "seed {seed}: {ours:?}");
    let team = k
        .sim()
        .groups()
        .into_iter()
        .find(|g| g.name == "Team")
        .map(|g| g.group_id)
        .unwrap_or_default();
    for user in ours.keys() {
        let rows = k
            .sim()
            .memberships()
            .iter()
            .filter(|m| &m.user_id == user && m.group_id == team)
            .count();
        assert_eq!(rows, 1, "seed {seed}: membership rows of {}", ours[user]);
    }
    let live: Vec<_> = k
        .sim()
        .sessions()
        .into_iter()
        .filter(|s| s.deleting_since.is_none() && ours.contains_key(&s.user_id))
        .collect();
    assert_eq!(live.len(), users, "seed {seed}: one session per user");
    let state = k.state();
    let recorded: Vec<&str> = state["objects"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(address, _)| address.starts_with("kasm_session."))
        .filter_map(|(_, r)| r["id"].as_str())
        .collect();
    for s in &live {
        assert!(
            recorded.contains(&s.kasm_id.as_str()),
            "seed {seed}: session {} of {} is owned by no address",
            s.kasm_id,
            ours[&s.user_id]
        );
    }
    let o = k.run(&["plan", "users.tf", "--detailed-exitcode"]);
    assert_eq!(code(&o), 0, "seed {seed}: {}{}", stdout(&o), stderr(&o));
}

/// Users, memberships and sessions under 5xx, 429, lost answers and hangs,
/// each apply killed once at a random moment: the creates, then the last
/// user and everything of it removed. A run killed between a `create_user`
/// or a `request_kasm` and its record leaves the create pending; the clean
/// run must find what it made, never make a second one.
#[test]
fn chaos_soak_converges_for_users_memberships_and_sessions() {
    let seeds = size("KASM_PLAN_SOAK_SEEDS", 3);
    let users = size("KASM_PLAN_SOAK_IMAGES", 40) / 8 + 2;
    let count = usize::try_from(users).unwrap_or(0);
    for seed in 1..=seeds {
        let mut rng = fastrand::Rng::with_seed(seed + 700);
        let k = start();
        k.write("users.tf", &users_specs(users));
        chaotic_apply(&k, "users.tf", seed + 4000, &mut rng);
        users_converge(&k, count, seed);
        k.write("users.tf", &users_specs(users - 1));
        chaotic_apply(&k, "users.tf", seed + 5000, &mut rng);
        users_converge(&k, count - 1, seed);
    }
}

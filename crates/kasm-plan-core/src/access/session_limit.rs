//! Kasm's session limit, as far as a plan can know it. `request_kasm`
//! refuses a user who already has `max_kasms_per_user` sessions (every row,
//! in any status). That limit is a group setting, 2 when none of the user's
//! groups sets it, and kasm-plan does not read group settings: a plan that
//! leaves a user more sessions than 2 is warned, not refused, because one
//! of the user's groups may allow more (Kasm's seed sets 5 on All Users).

use super::SESSION_TYPE;
use super::launch::{same, side};
use super::objects::Resolved;
use crate::change::{Action, Change};
use crate::diagnostic::{Code, Diagnostic};
use crate::group::{Access, same_id};

/// Kasm's limit when no group of the user sets `max_kasms_per_user`.
pub const DEFAULT_LIMIT: usize = 2;

/// A warning for each user the plan starts sessions for and leaves with
/// more than [`DEFAULT_LIMIT`] sessions on Kasm.
pub fn check(changes: &[Change], access: &Access) -> Vec<Diagnostic> {
    let sessions: Vec<&Change> = changes
        .iter()
        .filter(|c| c.resource_type == SESSION_TYPE)
        .collect();
    let mut users: Vec<(Resolved, Vec<&Change>)> = Vec::new();
    for c in sessions
        .iter()
        .filter(|c| matches!(c.action, Action::Create | Action::Replace))
    {
        let Some(user) = side(c, "user_id") else {
            continue;
        };
        match users.iter_mut().find(|(u, _)| same(u, &user)) {
            Some((_, starts)) => starts.push(c),
            None => users.push((user, vec![c])),
        }
    }
    users
        .into_iter()
        .filter_map(|(user, starts)| {
            let kept = match &user {
                Resolved::Known(id) => kept_on_kasm(id, &sessions, access),
                Resolved::Pending(_) => 0,
            };
            let total = kept + starts.len();
            let last = starts.last()?;
            (total > DEFAULT_LIMIT).then(|| warning(last, &user, total))
        })
        .collect()
}

/// The sessions Kasm has of a user that the plan does not destroy.
fn kept_on_kasm(user: &str, sessions: &[&Change], access: &Access) -> usize {
    let destroyed = |kasm_id: &str| {
        sessions.iter().any(|c| {
            matches!(c.action, Action::Delete | Action::Replace)
                && c.id.as_deref().is_some_and(|id| same_id(id, kasm_id))
        })
    };
    access
        .sessions
        .iter()
        .flatten()
        .filter(|s| same_id(&s.user_id, user) && !destroyed(&s.kasm_id))
        .count()
}

fn warning(session: &Change, user: &Resolved, total: usize) -> Diagnostic {
    let user = match user {
        Resolved::Known(id) => id.as_str(),
        Resolved::Pending(address) => address.as_str(),
    };
    Diagnostic::warning(
        Code::SessionLimit,
        format!(
            "after this plan user {user} would have {total} sessions; Kasm refuses {} (Kasm limit exceeded) unless one of the user's groups sets max_kasms_per_user to {total} or more",
            session.address
        ),
    )
    .at(&session.address, "user_id")
    .help(format!(
        "Kasm allows {DEFAULT_LIMIT} sessions per user when no group sets max_kasms_per_user; kasm-plan cannot read group settings, so check the user's groups (Kasm's seed sets 5 on All Users)"
    ))
}

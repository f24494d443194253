//! Built-in policy checks on authorization: which groups may launch which
//! images once the plan is applied.

use super::{Change, LINK_TYPE};
use crate::change::{Action, Plan};

/// A failure: the address at fault and why.
pub type Found = (String, String);

/// Links (declared, or on Kasm and kept) that authorize an image for a group
/// whose name or id matches; and new images Kasm would add to All Users.
pub fn forbidden_groups(plan: &Plan, matches: &dyn Fn(&str) -> bool) -> Vec<Found> {
    let group_matches = |id: &str, name: Option<&str>| matches(id) || name.is_some_and(matches);
    let mut out: Vec<Found> = plan
        .access_changes()
        .filter(|c| c.resource_type == LINK_TYPE && c.action != Action::Delete)
        .filter_map(|c| {
            let after = c.after.as_ref().or(c.before.as_ref())?;
            let id = after.get("group_id")?.as_str()?;
            let name = after.get("group_name").and_then(|v| v.as_str());
            group_matches(id, name).then(|| {
                let shown = name.unwrap_or(id);
                (
                    c.address.clone(),
                    format!(
                        "{} authorizes an image for group \"{shown}\", which is not allowed",
                        c.address
                    ),
                )
            })
        })
        .collect();
    for x in plan.extra_links.iter().filter(|x| !x.revoke) {
        if group_matches(&x.group_id, x.group_name.as_deref()) {
            let shown = x.group_name.as_deref().unwrap_or(&x.group_id);
            out.push((
                x.image_address.clone(),
                format!("{} may be launched by group \"{shown}\" (a link on Kasm), which is not allowed; set exclusive_group_links = true to remove it", x.image_address),
            ));
        }
    }
    let all_users = group_matches(crate::group::ALL_USERS, Some(crate::group::ALL_USERS_NAME));
    let revoked = |address: &str| {
        plan.extra_links
            .iter()
            .any(|x| x.revoke && x.image_address == address)
    };
    if all_users {
        for c in plan.image_changes().filter(|c| c.action == Action::Create) {
            if !revoked(&c.address) {
                out.push((
                    c.address.clone(),
                    format!("Kasm authorizes new images for \"All Users\" by default, which is not allowed; set exclusive_group_links = true on {}", c.address),
                ));
            }
        }
    }
    out
}

/// Images that no group may launch after the plan: no declared link and no
/// link on Kasm that stays.
pub fn ungrouped_images(plan: &Plan) -> Vec<Found> {
    let links: Vec<&Change> = plan
        .access_changes()
        .filter(|c| c.resource_type == LINK_TYPE && c.action != Action::Delete)
        .collect();
    plan.image_changes()
        .filter(|c| c.action != Action::Delete)
        .filter(|image| {
            let declared = links.iter().any(|l| {
                l.waits_for.get("image_id") == Some(&image.address)
                    || l.after
                        .as_ref()
                        .or(l.before.as_ref())
                        .and_then(|a| a.get("image_id"))
                        .and_then(|v| v.as_str())
                        .zip(image.id.as_deref())
                        .is_some_and(|(a, b)| crate::group::same_id(a, b))
            });
            let kept = plan
                .extra_links
                .iter()
                .any(|x| !x.revoke && x.image_address == image.address);
            !declared && !kept
        })
        .map(|c| {
            (
                c.address.clone(),
                format!(
                    "{} is authorized for no group: no user may launch it",
                    c.address
                ),
            )
        })
        .collect()
}

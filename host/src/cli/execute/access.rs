//! Group and link actions. Links are read before they are added (Kasm keeps
//! a second row for a link that exists) and removed until no row is left;
//! ids of resources created in an earlier phase are read from the state.

use super::{ActionError, Shared, lock, update_state};
use crate::kasm::KasmError;
use kasm_plan_core::access::steps::{GroupDeleteStep, GroupStep, LinkStep};
use kasm_plan_core::access::{GroupRecord, LinkRecord, Target};
use kasm_plan_core::group::Group;
use tokio::sync::OwnedSemaphorePermit;

/// Removals of one link before giving up: each request removes one row.
const MAX_REMOVALS: usize = 20;

pub(super) async fn create_group(
    shared: &Shared,
    step: GroupStep,
    permit: OwnedSemaphorePermit,
) -> Result<String, ActionError> {
    let sent = shared.kasm.create_group(&step.target_group).await;
    drop(permit);
    let (group, found) = match sent {
        Ok(group) => (group, false),
        // The group may exist although the answer was lost (Kasm saves it
        // before some failures): look it up by name, never create twice.
        Err(e) if e.is_ambiguous() || e.may_still_run() => match named(shared, &step).await? {
            Some(group) => (group, true),
            None => return Err(e.into()),
        },
        Err(e) => return Err(e.into()),
    };
    let record = GroupRecord::of(&group, step.force_destroy);
    let id = record.group_id.clone();
    update_state(shared, |state| {
        state.groups.insert(step.address.clone(), record);
    })
    .await?;
    lock(&shared.report).added += 1;
    Ok(if found {
        format!("Creation complete (found by name after a lost answer) [id={id}]")
    } else {
        format!("Creation complete [id={id}]")
    })
}

/// The group the step would have made, if Kasm has it.
async fn named(shared: &Shared, step: &GroupStep) -> Result<Option<Group>, ActionError> {
    let name = step.target_group.get("name").and_then(|v| v.as_str());
    let groups = shared.kasm.groups().await?;
    Ok(groups.into_iter().find(|g| Some(g.name.as_str()) == name))
}

pub(super) async fn update_group(
    shared: &Shared,
    step: GroupStep,
    permit: OwnedSemaphorePermit,
) -> Result<String, ActionError> {
    let updated = shared.kasm.update_group(&step.target_group).await;
    drop(permit);
    let record = GroupRecord::of(&updated?, step.force_destroy);
    let id = record.group_id.clone();
    update_state(shared, |state| {
        state.groups.insert(step.address.clone(), record);
    })
    .await?;
    lock(&shared.report).changed += 1;
    Ok(format!("Modifications complete [id={id}]"))
}

pub(super) async fn delete_group(
    shared: &Shared,
    step: GroupDeleteStep,
    permit: OwnedSemaphorePermit,
) -> Result<String, ActionError> {
    let deleted = shared.kasm.delete_group(&step.group_id, step.force).await;
    drop(permit);
    match deleted {
        Err(KasmError::Refused { message, .. }) if message.contains("'force' option") => {
            return Err(ActionError::Refused(format!(
                "{message}: set `force_destroy = true` on {} and apply before removing it, or remove the members first",
                step.address
            )));
        }
        other => other?,
    }
    update_state(shared, |state| {
        state.groups.remove(&step.address);
    })
    .await?;
    lock(&shared.report).destroyed += 1;
    Ok("Destruction complete".to_owned())
}

/// The ids a link step names: managed resources are read from the state.
fn ids(shared: &Shared, step: &LinkStep) -> Result<(String, String), ActionError> {
    let state = &lock(&shared.state).next;
    let resolve = |t: &Target| match t {
        Target::Id(id) => Ok(id.clone()),
        Target::Managed(address) => state
            .groups
            .get(address)
            .map(|g| g.group_id.clone())
            .or_else(|| state.resources.get(address).map(|r| r.image_id.clone()))
            .ok_or_else(|| ActionError::Waiting(address.clone())),
        Target::Name(name) => Err(ActionError::Waiting(format!("the group named {name}"))),
    };
    Ok((resolve(&step.group)?, resolve(&step.image)?))
}

/// How many rows link the pair on Kasm now.
async fn rows(shared: &Shared, group_id: &str, image_id: &str) -> Result<usize, ActionError> {
    let links = shared.kasm.group_images(group_id).await?;
    Ok(links
        .iter()
        .filter(|l| kasm_plan_core::group::same_id(&l.image_id, image_id))
        .count())
}

pub(super) async fn add_link(
    shared: &Shared,
    step: LinkStep,
    permit: OwnedSemaphorePermit,
) -> Result<String, ActionError> {
    let (group_id, image_id) = ids(shared, &step)?;
    let line = add_once_only(shared, &group_id, &image_id).await?;
    drop(permit);
    let record = LinkRecord { group_id, image_id };
    let id = record.id();
    update_state(shared, |state| {
        state.links.insert(step.address.clone(), record);
    })
    .await?;
    lock(&shared.report).added += 1;
    Ok(format!("{line} [id={id}]"))
}

/// Adds the link unless Kasm has it. After a failure that may have taken
/// effect the rows are read again before another attempt, so a link is never
/// added twice. Returns the progress text.
async fn add_once_only(
    shared: &Shared,
    group_id: &str,
    image_id: &str,
) -> Result<&'static str, ActionError> {
    if rows(shared, group_id, image_id).await? > 0 {
        return Ok("Recorded: Kasm already has this link (not added twice)");
    }
    let mut attempt = 1;
    loop {
        let error = match shared.kasm.add_images_group(group_id, image_id).await {
            Ok(()) => return Ok("Creation complete"),
            Err(e) => e,
        };
        if error.is_ambiguous() && rows(shared, group_id, image_id).await? > 0 {
            return Ok("Creation complete (found after a lost answer)");
        }
        // A request that may still be running could add its row later.
        let Some(delay) = shared
            .kasm
            .retry_delay(attempt, &error)
            .filter(|_| !error.may_still_run())
        else {
            return Err(error.into());
        };
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// Removes every row of the pair; with `forget`, then the address's record.
pub(super) async fn remove_link(
    shared: &Shared,
    step: LinkStep,
    permit: OwnedSemaphorePermit,
    forget: bool,
) -> Result<String, ActionError> {
    let (group_id, image_id) = ids(shared, &step)?;
    let mut removed = 0;
    while rows(shared, &group_id, &image_id).await? > 0 {
        if removed == MAX_REMOVALS {
            return Err(ActionError::Refused(format!(
                "the link still exists after {MAX_REMOVALS} removals"
            )));
        }
        shared
            .kasm
            .remove_images_group(&group_id, &image_id)
            .await?;
        removed += 1;
    }
    drop(permit);
    if forget {
        update_state(shared, |state| {
            if state
                .links
                .get(&step.address)
                .is_some_and(|r| r.group_id == group_id && r.image_id == image_id)
            {
                state.links.remove(&step.address);
            }
        })
        .await?;
    }
    // A revoke after a create in this run was not counted by the plan.
    if forget || matches!(step.image, Target::Id(_)) {
        lock(&shared.report).destroyed += 1;
    }
    let what = if forget {
        "Destruction complete".to_owned()
    } else {
        format!("Link to group {group_id} removed (exclusive_group_links)")
    };
    Ok(match removed {
        0 => format!("{what} (Kasm had no such link)"),
        1 => what,
        n => format!("{what} ({n} duplicate rows removed)"),
    })
}

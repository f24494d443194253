//! Link actions. Links are read before they are added (Kasm keeps a second
//! row for a link that exists) and removed until no row is left; ids of
//! resources created in an earlier phase are read from the state.

use super::{ActionError, Shared, lock, update_state};
use kasm_plan_core::access::steps::LinkStep;
use kasm_plan_core::access::{LinkRecord, Target};
use tokio::sync::OwnedSemaphorePermit;

/// Removals of one link before giving up: each request removes one row.
const MAX_REMOVALS: usize = 20;

/// The ids a link step names: managed resources are read from the state.
fn ids(shared: &Shared, step: &LinkStep) -> Result<(String, String), ActionError> {
    let state = &lock(&shared.state).next;
    let resolve = |t: &Target| match t {
        Target::Id(id) => Ok(id.clone()),
        Target::Managed(address) => state
            .id_of(address)
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

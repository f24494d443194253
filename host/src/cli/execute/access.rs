//! The revoke of a link no resource declares (an image's
//! `exclusive_group_links`): its rows are removed until none is left, and
//! the state does not change. Declared links are `call` steps of their
//! table ([`super::call`]).

use super::call::{MAX_REMOVALS, target_id};
use super::{ActionError, Shared, lock};
use kasm_plan_core::access::Target;
use kasm_plan_core::access::steps::LinkStep;
use tokio::sync::OwnedSemaphorePermit;

/// The ids a link step names: managed resources are read from the state.
fn ids(shared: &Shared, step: &LinkStep) -> Result<(String, String), ActionError> {
    let state = &lock(&shared.state).next;
    Ok((
        target_id(state, &step.group)?,
        target_id(state, &step.image)?,
    ))
}

/// How many rows link the pair on Kasm now.
async fn rows(shared: &Shared, group_id: &str, image_id: &str) -> Result<usize, ActionError> {
    let links = shared.kasm.group_images(group_id).await?;
    Ok(links
        .iter()
        .filter(|l| kasm_plan_core::group::same_id(&l.image_id, image_id))
        .count())
}

/// Removes every row of the pair; the state does not change.
pub(super) async fn revoke(
    shared: &Shared,
    step: LinkStep,
    permit: OwnedSemaphorePermit,
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
    // A revoke after a create in this run was not counted by the plan.
    if matches!(step.image, Target::Id(_)) {
        lock(&shared.report).destroyed += 1;
    }
    let what = format!("Link to group {group_id} removed (exclusive_group_links)");
    Ok(match removed {
        0 => format!("{what} (Kasm had no such link)"),
        1 => what,
        n => format!("{what} ({n} duplicate rows removed)"),
    })
}

//! The calls of the table-driven types (users, memberships), carried out as
//! their step says: ids of resources created earlier in the run are read
//! from the state, a refusal that means "already done" is success, a create
//! whose answer was lost is looked for before it is sent again, and the
//! record is written (or the address forgotten) after.

use super::{ActionError, Shared, lock, update_state};
use crate::kasm::KasmError;
use kasm_plan_core::access::Target;
use kasm_plan_core::access::steps::put;
use kasm_plan_core::object::ObjectRecord;
use kasm_plan_core::step::{CallKind, CallStep, FindStep};
use serde_json::Value;
use tokio::sync::OwnedSemaphorePermit;

pub(super) async fn call(
    shared: &Shared,
    mut step: CallStep,
    permit: OwnedSemaphorePermit,
) -> Result<String, ActionError> {
    let filled = fill(shared, &mut step)?;
    let outcome = send(shared, &step).await;
    drop(permit);
    let (answer_id, outcome) = outcome?;
    let id = match step.record.take() {
        Some(mut record) => {
            for (attribute, value) in filled {
                record.attributes.insert(attribute, value.into());
            }
            record.id = record_id(&step, &record, answer_id)?;
            if let Some(own) = own_id(&step.address) {
                record
                    .attributes
                    .insert("id".into(), record.id.clone().into());
                record
                    .attributes
                    .insert(own.into(), record.id.clone().into());
            }
            let id = record.id.clone();
            let address = step.address.clone();
            update_state(shared, move |state| {
                state.objects.insert(address, record);
            })
            .await?;
            id
        }
        None => {
            let address = step.address.clone();
            update_state(shared, move |state| {
                state.objects.remove(&address);
                state.dependencies.remove(&address);
            })
            .await?;
            step.id.clone().unwrap_or_default()
        }
    };
    let mut report = lock(&shared.report);
    let (verb, count) = match step.kind {
        CallKind::Create => ("Creation", &mut report.added),
        CallKind::Update => ("Modifications", &mut report.changed),
        CallKind::Delete => ("Destruction", &mut report.destroyed),
    };
    *count += 1;
    let note = match (outcome, step.kind) {
        (Outcome::Sent, _) => "",
        (Outcome::AlreadyDone, CallKind::Delete) => " (Kasm no longer had it)",
        (Outcome::AlreadyDone, _) => " (Kasm already had it)",
        (Outcome::Found, _) => " (found after a lost answer)",
    };
    Ok(format!("{verb} complete{note} [id={id}]"))
}

/// How a call ended well.
enum Outcome {
    /// Kasm answered it.
    Sent,
    /// Kasm refused it as done already (`done_when`).
    AlreadyDone,
    /// Its answer was lost, and what it made was found.
    Found,
}

/// The type's own id attribute (`user_id`), besides `id`.
fn own_id(address: &str) -> Option<&'static str> {
    match address.split('.').next() {
        Some("kasm_user") => Some("user_id"),
        _ => None,
    }
}

/// Puts the ids of the targets into the body; answers each filled id by
/// the attribute its pointer ends with.
fn fill(shared: &Shared, step: &mut CallStep) -> Result<Vec<(String, String)>, ActionError> {
    let state = &lock(&shared.state).next;
    let mut filled = Vec::new();
    for (pointer, target) in &step.ids {
        let id = match target {
            Target::Id(id) => id.clone(),
            Target::Managed(address) => state
                .id_of(address)
                .ok_or_else(|| ActionError::Waiting(address.clone()))?,
            Target::Name(name) => {
                return Err(ActionError::Waiting(format!("the group named {name}")));
            }
        };
        put(&mut step.body, pointer, id.clone().into());
        let attribute = pointer.rsplit('/').next().unwrap_or_default();
        filled.push((attribute.to_owned(), id));
    }
    Ok(filled)
}

/// Sends the call: retried when that is safe, looked for after a lost
/// create. Answers the new id (when the answer has one) and the progress text.
async fn send(shared: &Shared, step: &CallStep) -> Result<(Option<String>, Outcome), ActionError> {
    let mut attempt = 1;
    loop {
        let error = match shared
            .kasm
            .call(&step.endpoint, &step.body, step.repeat_safe)
            .await
        {
            Ok(answer) => {
                return Ok((answer_id(&answer, step.answer_id.as_deref()), Outcome::Sent));
            }
            Err(e) => e,
        };
        if let KasmError::Refused { message, .. } = &error
            && step.done_when.iter().any(|t| message.contains(t.as_str()))
        {
            return Ok((None, Outcome::AlreadyDone));
        }
        if error.is_ambiguous()
            && let Some(find) = &step.find
            && let Some(id) = found(shared, find).await?
        {
            return Ok((Some(id), Outcome::Found));
        }
        // A request that may still run could take effect later; one whose
        // repeat is refused when done (`done_when`) may be sent again.
        let repeatable = step.repeat_safe || !step.done_when.is_empty() || step.find.is_some();
        let delay = shared
            .kasm
            .retry_delay(attempt, &error)
            .filter(|_| repeatable && !error.may_still_run());
        let Some(delay) = delay else {
            return Err(error.into());
        };
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// What a lost create made, if Kasm has it.
async fn found(shared: &Shared, find: &FindStep) -> Result<Option<String>, ActionError> {
    match shared.kasm.call(&find.endpoint, &find.body, true).await {
        Ok(answer) => Ok(answer_id(&answer, Some(&find.answer_id))),
        Err(KasmError::Refused { message, .. }) if message.contains(find.none_when.as_str()) => {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// The id at a pointer of an answer, in Kasm's 32-hex form.
fn answer_id(answer: &Value, pointer: Option<&str>) -> Option<String> {
    let id = answer.pointer(pointer?)?.as_str()?;
    Some(kasm_plan_core::model::canonical_uuid(id).unwrap_or_else(|| id.to_owned()))
}

/// The id a record is kept under: the answer's, its parts', or the step's.
fn record_id(
    step: &CallStep,
    record: &ObjectRecord,
    answer_id: Option<String>,
) -> Result<String, ActionError> {
    if !step.id_parts.is_empty() {
        let parts: Option<Vec<&str>> = step.id_parts.iter().map(|p| record.text(p)).collect();
        return parts
            .map(|p| p.join(":"))
            .ok_or_else(|| ActionError::Refused("the record's id attributes are missing".into()));
    }
    if !record.id.is_empty() {
        return Ok(record.id.clone());
    }
    answer_id.ok_or_else(|| {
        ActionError::Refused(format!(
            "{} answered without the new id (`{}`)",
            step.endpoint,
            step.answer_id.as_deref().unwrap_or_default()
        ))
    })
}

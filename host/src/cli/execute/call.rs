//! The calls of the table-driven types (groups, links, users, memberships,
//! sessions), carried out as their step says: ids of resources created
//! earlier in the run are read from the state, a refusal that means "already
//! done" is success, a create whose answer was lost is looked for before it
//! is sent again (or before it is sent at all, when Kasm would make a second
//! equal object), a delete that removes one of several is repeated until
//! none is left, and the record is written (or the address forgotten) after.

use super::{ActionError, Shared, keep, lock, recorded, unmark_if_refused, update_state};
use crate::kasm::KasmError;
use kasm_plan_core::State;
use kasm_plan_core::access::Target;
use kasm_plan_core::access::pending::unowned_match;
use kasm_plan_core::state::recorded::Answered;
use kasm_plan_core::step::put;
use kasm_plan_core::step::{CallKind, CallStep, FindStep, ReadyStep};
use serde_json::Value;
use tokio::sync::OwnedSemaphorePermit;

pub(super) async fn call(
    shared: &Shared,
    mut step: CallStep,
    permit: OwnedSemaphorePermit,
) -> Result<String, ActionError> {
    let filled = fill(shared, &mut step)?;
    refuse_without_id(&step)?;
    let marked = mark_pending(shared, &step, &filled).await?;
    let outcome = carry_out(shared, &step, &filled)
        .await
        .map_err(|e| helped(&step, e));
    drop(permit);
    let (answer_id, outcome) = match outcome {
        Ok(sent) => sent,
        Err(e) => {
            if marked {
                unmark_if_refused(shared, &step.address, &e).await?;
            }
            return Err(e);
        }
    };
    // A session that does not get ready is recorded all the same: it
    // exists, and the next run must not make a second one.
    let ready = match (&step.ready, &answer_id) {
        (Some(ready), Some(id)) => Some(wait_until_ready(shared, ready, id).await),
        _ => None,
    };
    if let Some(done) = part_done(&step, &filled, &outcome) {
        return Ok(done);
    }
    if step.kind == CallKind::Remove {
        return Ok(removed(shared, &step, &filled, &outcome));
    }
    let id = match step.record.take() {
        Some(record) => {
            let answer = match &step.record_answer {
                Some(pointer) => answer_at(&outcome, pointer).ok_or_else(|| {
                    ActionError::Refused(format!(
                        "{} answered without the object (`{pointer}`)",
                        step.endpoint
                    ))
                })?,
                None => Value::Null,
            };
            let told = Answered {
                answer,
                filled: filled.into_iter().collect(),
                id: answer_id,
                id_parts: step.id_parts.clone(),
                status: ready.as_ref().and_then(|r| r.as_ref().ok()).cloned(),
            };
            let record = recorded(shared, &step.address, record, told)?;
            keep(shared, &step.address, record).await?
        }
        None => {
            update_state(shared, &step.address, |state| state.forget(&step.address)).await?;
            step.id.clone().unwrap_or_default()
        }
    };
    if let Some(Err(e)) = ready {
        return Err(e);
    }
    let mut report = lock(&shared.report);
    let (verb, count) = match step.kind {
        CallKind::Create => ("Creation", &mut report.added),
        CallKind::Update | CallKind::Attach | CallKind::Detach => {
            ("Modifications", &mut report.changed)
        }
        CallKind::Delete | CallKind::Remove => ("Destruction", &mut report.destroyed),
    };
    *count += 1;
    let note = note(&outcome, step.kind);
    Ok(format!("{verb} complete{note} [id={id}]"))
}

/// How the call ended, said after `complete` when it was not simply sent.
fn note(outcome: &Outcome, kind: CallKind) -> String {
    match (outcome, kind) {
        (Outcome::Sent(_), _) => String::new(),
        (Outcome::Repeated(n), _) => format!(" ({n} duplicate rows removed)"),
        (Outcome::AlreadyDone, CallKind::Delete | CallKind::Remove) => {
            " (Kasm no longer had it)".into()
        }
        (Outcome::AlreadyDone, _) => " (Kasm already had it, not made twice)".into(),
        (Outcome::Found, _) => " (found after a lost answer)".into(),
    }
}

/// A user's group call is part of the user's change: nothing to record,
/// and counted with the user's own create or update.
fn part_done(step: &CallStep, filled: &[(String, String)], outcome: &Outcome) -> Option<String> {
    let verb = match step.kind {
        CallKind::Attach => "added to",
        CallKind::Detach => "removed from",
        _ => return None,
    };
    let group = filled
        .iter()
        .find(|(attribute, _)| attribute == "group_id")
        .map_or("", |(_, id)| id.as_str());
    let note = match outcome {
        Outcome::AlreadyDone => " (as Kasm already had it)",
        _ => "",
    };
    Some(format!("{verb} group {group}{note}"))
}

/// A removal on behalf of an address (a duplicate image, a link its image
/// must not have): the state does not change. It is counted as the plan
/// counted it: not when it names an object made in this run, which the
/// plan could not see.
fn removed(
    shared: &Shared,
    step: &CallStep,
    filled: &[(String, String)],
    outcome: &Outcome,
) -> String {
    if step.ids.values().all(|t| matches!(t, Target::Id(_))) {
        lock(&shared.report).destroyed += 1;
    }
    let id = step.id.clone().unwrap_or_else(|| {
        let ids: Vec<&str> = filled.iter().map(|(_, id)| id.as_str()).collect();
        ids.join(":")
    });
    let note = note(outcome, step.kind);
    format!("Removal complete{note} [{} {id}]", step.endpoint)
}

/// An update or a delete without the object's id is never sent: Kasm
/// could take an empty id for another object.
fn refuse_without_id(step: &CallStep) -> Result<(), ActionError> {
    let needs_id = matches!(step.kind, CallKind::Update | CallKind::Delete);
    if needs_id && step.id.as_deref().is_none_or(str::is_empty) {
        return Err(ActionError::Refused(format!(
            "refusing to send {} for {} without its id",
            step.endpoint, step.address
        )));
    }
    Ok(())
}

/// A refusal with what to do about it, when the table says.
fn helped(step: &CallStep, error: ActionError) -> ActionError {
    let ActionError::Kasm(KasmError::Refused { message, .. }) = &error else {
        return error;
    };
    match step
        .help
        .iter()
        .find(|(refusal, _)| message.contains(refusal.as_str()))
    {
        Some((_, help)) => ActionError::Refused(format!(
            "{message}: {}",
            help.replace("{address}", &step.address)
        )),
        None => error,
    }
}

/// Deletes of one object before giving up (`until_gone`, a revoke): each
/// removes one of its equal rows.
pub(super) const MAX_REMOVALS: usize = 20;

/// The call as its step says: looked for first when Kasm would make a
/// second equal object (`search_first`), sent again until the find finds
/// none when each call removes one of several (`until_gone`).
async fn carry_out(
    shared: &Shared,
    step: &CallStep,
    filled: &[(String, String)],
) -> Result<(Option<String>, Outcome), ActionError> {
    let Some(find) = step
        .find
        .as_ref()
        .filter(|_| step.search_first || step.until_gone)
    else {
        return send(shared, step, filled).await;
    };
    if step.search_first
        && let Some(id) = found(shared, step, find, filled).await?
    {
        return Ok((Some(id), Outcome::AlreadyDone));
    }
    if !step.until_gone {
        return send(shared, step, filled).await;
    }
    let mut removed = 0;
    while found(shared, step, find, filled).await?.is_some() {
        if removed == MAX_REMOVALS {
            return Err(ActionError::Refused(format!(
                "{} is still on Kasm after {MAX_REMOVALS} calls of {}",
                step.address, step.endpoint
            )));
        }
        send(shared, step, filled).await?;
        removed += 1;
    }
    let outcome = match removed {
        0 => Outcome::AlreadyDone,
        1 => Outcome::Sent(Value::Null),
        n => Outcome::Repeated(n),
    };
    Ok((None, outcome))
}

/// How a call ended well.
enum Outcome {
    /// Kasm answered it, with this.
    Sent(Value),
    /// Sent this many times until nothing was left (`until_gone`).
    Repeated(usize),
    /// Kasm refused it as done already (`done_when`).
    AlreadyDone,
    /// Its answer was lost, and what it made was found.
    Found,
}

/// Before a create that cannot be sent twice (it has a search for what it
/// made), writes the record it will make, without its id, as pending: a
/// run stopped before the record is written leaves it, and the next plan
/// looks on Kasm for what the create made. Answers whether it was written.
async fn mark_pending(
    shared: &Shared,
    step: &CallStep,
    filled: &[(String, String)],
) -> Result<bool, ActionError> {
    let (CallKind::Create, Some(_), Some(record), false) =
        (step.kind, &step.find, &step.record, step.unmarked)
    else {
        return Ok(false);
    };
    let mut marker = record.clone();
    for (attribute, id) in filled {
        marker
            .attributes
            .insert(attribute.clone(), id.clone().into());
    }
    update_state(shared, &step.address, |state| {
        state.pending.insert(step.address.clone(), marker);
    })
    .await?;
    Ok(true)
}

/// A target's id: given, or read from the state (a managed resource
/// created earlier in the run).
pub(super) fn target_id(state: &State, target: &Target) -> Result<String, ActionError> {
    match target {
        Target::Id(id) => Ok(id.clone()),
        Target::Managed(address) => state
            .id_of(address)
            .ok_or_else(|| ActionError::Waiting(address.clone())),
        Target::Name(name) => Err(ActionError::Waiting(format!("the group named {name}"))),
    }
}

/// Puts the ids of the targets into the body; answers each filled id by
/// the attribute its pointer ends with.
fn fill(shared: &Shared, step: &mut CallStep) -> Result<Vec<(String, String)>, ActionError> {
    let state = &lock(&shared.state).next;
    let mut filled = Vec::new();
    for (pointer, target) in &step.ids {
        let id = target_id(state, target)?;
        // An empty or malformed id could make Kasm pick another object.
        if kasm_plan_core::model::canonical_uuid(&id).is_none() {
            return Err(ActionError::Refused(format!(
                "refusing to send {} for {}: {id:?} is not a Kasm id",
                step.endpoint, step.address
            )));
        }
        put(&mut step.body, pointer, id.clone().into());
        let attribute = pointer.rsplit('/').next().unwrap_or_default();
        filled.push((attribute.to_owned(), id));
    }
    Ok(filled)
}

/// Sends the call: retried when that is safe, looked for after a lost
/// create. Answers the new id (when the answer has one) and the progress text.
async fn send(
    shared: &Shared,
    step: &CallStep,
    filled: &[(String, String)],
) -> Result<(Option<String>, Outcome), ActionError> {
    let mut attempt = 1;
    loop {
        let error = match shared
            .kasm
            .call(&step.endpoint, &step.body, step.repeat_safe)
            .await
        {
            Ok(answer) => {
                let id = answer_id(&answer, step.answer_id.as_deref());
                return Ok((id, Outcome::Sent(answer)));
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
            && let Some(id) = look_for(shared, step, find, (filled, &error)).await?
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

/// How many times a create that may still be running on Kasm is looked for.
const LOOKS: u32 = 5;

/// [`found`], looked for again a few times while the lost request may still
/// be running on Kasm (it timed out here, not there): it would land after a
/// single look, and the next run would find a namesake it does not own.
async fn look_for(
    shared: &Shared,
    step: &CallStep,
    find: &FindStep,
    (filled, error): (&[(String, String)], &KasmError),
) -> Result<Option<String>, ActionError> {
    let looks = if error.may_still_run() { LOOKS } else { 1 };
    for look in 1..=looks {
        if let Some(id) = found(shared, step, find, filled).await? {
            return Ok(Some(id));
        }
        if look < looks {
            tokio::time::sleep(std::time::Duration::from_millis(400 * u64::from(look))).await;
        }
    }
    Ok(None)
}

/// What a lost create made, if Kasm has it: the object looked up, or the
/// listed item with the step's values that no other address records.
async fn found(
    shared: &Shared,
    step: &CallStep,
    find: &FindStep,
    filled: &[(String, String)],
) -> Result<Option<String>, ActionError> {
    let filled_id = |attribute: &str| {
        let (_, id) = filled.iter().find(|(a, _)| a == attribute)?;
        Some(id.as_str())
    };
    let recorded = |attribute: &str| step.record.as_ref()?.attributes.get(attribute);
    let mut body = find.body.clone();
    for (pointer, attribute) in &find.fill {
        let value = filled_id(attribute).map(Value::from);
        let value = value.or_else(|| recorded(attribute).cloned());
        put(&mut body, pointer, value.unwrap_or(Value::Null));
    }
    let answer = match shared.kasm.call(&find.endpoint, &body, true).await {
        Ok(answer) => answer,
        Err(KasmError::Refused { message, .. })
            if !find.none_when.is_empty() && message.contains(find.none_when.as_str()) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    let Some(list) = &find.list else {
        return Ok(answer_id(&answer, Some(&find.answer_id)));
    };
    let keys: Vec<(&str, &str)> = find
        .matching
        .iter()
        .map(|(key, attribute)| (key.as_str(), attribute.as_str()))
        .collect();
    let candidates = answer.pointer(list).and_then(Value::as_array);
    let found = unowned_match(
        candidates.into_iter().flatten(),
        &keys,
        |attribute| filled_id(attribute).or_else(|| recorded(attribute)?.as_str()),
        &find.answer_id,
        &lock(&shared.state).next,
    );
    Ok(found.map(|(id, _)| id))
}

/// Polls until the object reports the status wanted; answers it. A wait
/// that runs out, or an object that is gone, fails the action.
async fn wait_until_ready(
    shared: &Shared,
    ready: &ReadyStep,
    id: &str,
) -> Result<String, ActionError> {
    let mut body = serde_json::Map::new();
    put(&mut body, &ready.id_at, id.into());
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(ready.timeout_secs);
    loop {
        let answer = shared.kasm.call(&ready.endpoint, &body, true).await?;
        let status = answer.pointer(&ready.status_at).and_then(Value::as_str);
        match status {
            Some(s) if s == ready.want => return Ok(s.to_owned()),
            None if answer.as_object().is_some_and(serde_json::Map::is_empty) => {
                return Err(ActionError::Refused(format!(
                    "{id} is gone from Kasm before it was {}",
                    ready.want
                )));
            }
            _ => {}
        }
        if tokio::time::Instant::now() >= until {
            return Err(ActionError::Refused(format!(
                "{id} is not {} after {} s (it is {})",
                ready.want,
                ready.timeout_secs,
                status.unwrap_or("unknown")
            )));
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// The object an answer carries at `pointer`, when the call was sent and answered.
fn answer_at(outcome: &Outcome, pointer: &str) -> Option<Value> {
    match outcome {
        Outcome::Sent(answer) => answer.pointer(pointer).cloned(),
        _ => None,
    }
}

/// The id at a pointer of an answer, in Kasm's 32-hex form.
fn answer_id(answer: &Value, pointer: Option<&str>) -> Option<String> {
    let id = answer.pointer(pointer?)?.as_str()?;
    Some(kasm_plan_core::model::canonical_id(id).into_owned())
}

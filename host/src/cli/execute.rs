//! Carries out apply steps against Kasm, `--parallelism` at a time, writing
//! the state after every finished action.

use super::{Core, Failure};
use crate::kasm::{Kasm, KasmError};
use crate::state_file::Locked;
use kasm_plan_core::apply::{Step, StepAction};
use kasm_plan_core::facade::RecordRequest;
use kasm_plan_core::{Image, State, StateResource};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::Semaphore;

/// What an apply did.
#[derive(Debug, Default)]
pub struct Report {
    /// Images created (or adopted).
    pub added: usize,
    /// Images updated.
    pub changed: usize,
    /// Images deleted.
    pub destroyed: usize,
    /// Images created in this run, for `--wait-available`.
    pub created_ids: Vec<String>,
    /// `(address, message)` of each failed action.
    pub failures: Vec<(String, String)>,
}

/// Shared between the concurrent actions.
struct Shared {
    kasm: Kasm,
    core: Mutex<Core>,
    state: Mutex<Locked>,
    report: Mutex<Report>,
    progress: Box<dyn Fn(&str) + Send + Sync>,
}

/// Runs the steps; bookkeeping steps (refresh, forget) first, in one write.
pub async fn run(
    kasm: Kasm,
    core: Core,
    state: Locked,
    steps: Vec<Step>,
    observed: Vec<Image>,
    parallelism: usize,
    progress: Box<dyn Fn(&str) + Send + Sync>,
) -> Result<(Report, Locked), Failure> {
    let shared = Arc::new(Shared {
        kasm,
        core: Mutex::new(core),
        state: Mutex::new(state),
        report: Mutex::new(Report::default()),
        progress,
    });
    let (bookkeeping, actions): (Vec<Step>, Vec<Step>) = steps
        .into_iter()
        .partition(|s| matches!(s.action, StepAction::Refresh | StepAction::Forget));
    if !bookkeeping.is_empty() {
        update_state(&shared, |state| {
            for step in &bookkeeping {
                match (&step.action, &step.record) {
                    (StepAction::Refresh, Some(record)) => {
                        state.resources.insert(step.address.clone(), record.clone());
                    }
                    _ => {
                        state.resources.remove(&step.address);
                    }
                }
            }
        })?;
    }
    let observed = Arc::new(observed);
    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for step in actions {
        let shared = Arc::clone(&shared);
        let observed = Arc::clone(&observed);
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return;
            };
            let started = Instant::now();
            let address = step.address.clone();
            match act(&shared, &step, &observed).await {
                Ok(line) => {
                    (shared.progress)(&format!(
                        "{address}: {line} after {}s",
                        started.elapsed().as_secs()
                    ));
                }
                Err(message) => {
                    (shared.progress)(&format!("{address}: failed: {message}"));
                    lock(&shared.report).failures.push((address, message));
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let Ok(shared) = Arc::try_unwrap(shared) else {
        return Err(Failure("internal: actions still running".into()));
    };
    let report = shared
        .report
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let state = shared.state.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok((report, state))
}

/// One action: the request, then the state write. Returns the progress text.
async fn act(shared: &Shared, step: &Step, observed: &[Image]) -> Result<String, String> {
    let body = || step.target_image.clone().unwrap_or_default();
    match step.action {
        StepAction::Create => {
            let (image, adopted) = create(shared, &body()).await.map_err(|e| e.to_string())?;
            record(shared, step, &image)?;
            let mut report = lock(&shared.report);
            report.added += 1;
            report.created_ids.push(image.image_id.clone());
            Ok(if adopted {
                format!(
                    "Creation complete (recognised after a lost answer) [id={}]",
                    image.image_id
                )
            } else {
                format!("Creation complete [id={}]", image.image_id)
            })
        }
        StepAction::Adopt => {
            let id = step.image_id.as_deref().unwrap_or_default();
            let image = observed
                .iter()
                .find(|i| i.image_id == id)
                .ok_or_else(|| format!("image {id} is no longer listed"))?;
            record(shared, step, image)?;
            lock(&shared.report).added += 1;
            Ok(format!(
                "Adopted the matching image an interrupted run created [id={id}]"
            ))
        }
        StepAction::Update => {
            let image = shared
                .kasm
                .update(&body())
                .await
                .map_err(|e| e.to_string())?;
            record(shared, step, &image)?;
            lock(&shared.report).changed += 1;
            Ok(format!("Modifications complete [id={}]", image.image_id))
        }
        StepAction::Delete => {
            let id = step.image_id.clone().unwrap_or_default();
            shared.kasm.delete(&id).await.map_err(|e| e.to_string())?;
            update_state(shared, |state| {
                state.resources.remove(&step.address);
            })
            .map_err(|Failure(m)| m)?;
            lock(&shared.report).destroyed += 1;
            Ok("Destruction complete".to_owned())
        }
        StepAction::Refresh | StepAction::Forget => Ok(String::new()),
    }
}

/// A create that never duplicates: after an ambiguous failure (lost answer,
/// timeout, 5xx) it re-reads the images and recognises the one it made
/// before trying again. Returns the image and whether it was recognised.
async fn create(shared: &Shared, body: &Map<String, Value>) -> Result<(Image, bool), KasmError> {
    let mut attempt = 1;
    loop {
        let error = match shared.kasm.create_once(body).await {
            Ok(image) => return Ok((image, false)),
            Err(e) if e.is_transient() && attempt < 6 => e,
            Err(e) => return Err(e),
        };
        if error.is_ambiguous() {
            let images = shared.kasm.images().await?;
            if let Some(image) = recognise(shared, body, &images) {
                return Ok((image, true));
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(200 * (1 << attempt))).await;
        attempt += 1;
    }
}

/// Asks the core which unowned image matches the body.
fn recognise(shared: &Shared, body: &Map<String, Value>, images: &[Image]) -> Option<Image> {
    let owned: BTreeSet<String> = lock(&shared.state)
        .state
        .resources
        .values()
        .map(|r| r.image_id.clone())
        .collect();
    lock(&shared.core)
        .call::<_, Option<Image>>(
            "recognise",
            &json!({ "target_image": body, "images": images, "owned": owned }),
        )
        .ok()
        .flatten()
}

/// Records an image Kasm returned under the step's address.
fn record(shared: &Shared, step: &Step, image: &Image) -> Result<(), String> {
    let entry: StateResource = lock(&shared.core)
        .call(
            "record",
            &RecordRequest {
                image: image.clone(),
                token_fingerprint: step.token_fingerprint.clone(),
                prevent_destroy: step.prevent_destroy,
            },
        )
        .map_err(|Failure(m)| m)?;
    update_state(shared, |state| {
        state.resources.insert(step.address.clone(), entry);
    })
    .map_err(|Failure(m)| m)
}

/// Changes the state and writes it at once.
fn update_state(shared: &Shared, change: impl FnOnce(&mut State)) -> Result<(), Failure> {
    let mut locked = lock(&shared.state);
    let mut state = locked.state.clone();
    change(&mut state);
    locked.save(state).map_err(Failure)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

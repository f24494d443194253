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
    /// Actions not started because the run was interrupted.
    pub not_started: usize,
}

/// Shared between the concurrent actions.
struct Shared {
    kasm: Kasm,
    core: Mutex<Core>,
    state: Mutex<Pending>,
    /// The state file; written by one writer at a time.
    file: Mutex<Locked>,
    /// The newest change number on disk (or the write error).
    durable: tokio::sync::watch::Sender<Result<u64, String>>,
    /// Wakes the writer.
    wake: tokio::sync::Notify,
    report: Mutex<Report>,
    progress: Box<dyn Fn(&str) + Send + Sync>,
}

/// The state in memory, ahead of the file by the changes since the last write.
struct Pending {
    next: State,
    /// Number of the latest change.
    version: u64,
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
    let next = state.state.clone();
    let shared = Arc::new(Shared {
        kasm,
        core: Mutex::new(core),
        state: Mutex::new(Pending { next, version: 0 }),
        file: Mutex::new(state),
        durable: tokio::sync::watch::Sender::new(Ok(0)),
        wake: tokio::sync::Notify::new(),
        report: Mutex::new(Report::default()),
        progress,
    });
    let writer = tokio::spawn(write_behind(Arc::clone(&shared)));
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
        })
        .await?;
    }
    let observed = Arc::new(observed);
    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    // Ctrl-C: start nothing new, let the requests in flight finish and be recorded.
    let interrupt = {
        let permits = Arc::clone(&permits);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!(
                    "\nInterrupt received: finishing the requests in flight, then stopping..."
                );
                permits.close();
            }
        })
    };
    let mut tasks = tokio::task::JoinSet::new();
    for step in actions {
        let shared = Arc::clone(&shared);
        let observed = Arc::clone(&observed);
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let Ok(permit) = permits.acquire_owned().await else {
                lock(&shared.report).not_started += 1;
                return;
            };
            let started = Instant::now();
            let address = step.address.clone();
            match act(&shared, &step, &observed, permit).await {
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
    interrupt.abort();
    // Every action waited for its write, so nothing is left to write.
    writer.abort();
    let _ = writer.await;
    let Ok(shared) = Arc::try_unwrap(shared) else {
        return Err(Failure("internal: actions still running".into()));
    };
    let report = shared
        .report
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let file = shared.file.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok((report, file))
}

/// One action: the request, then the state write. The request slot (`permit`)
/// is given back as soon as Kasm has answered, so the next request does not
/// wait for this one's write. Returns the progress text.
async fn act(
    shared: &Shared,
    step: &Step,
    observed: &[Image],
    permit: tokio::sync::OwnedSemaphorePermit,
) -> Result<String, String> {
    let body = || step.target_image.clone().unwrap_or_default();
    match step.action {
        StepAction::Create => {
            let created = create(shared, &body()).await;
            drop(permit);
            let (image, adopted) = created.map_err(|e| e.to_string())?;
            record(shared, step, &image).await?;
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
            record(shared, step, image).await?;
            lock(&shared.report).added += 1;
            Ok(format!(
                "Adopted the matching image an interrupted run created [id={id}]"
            ))
        }
        StepAction::Update => {
            let updated = shared.kasm.update(&body()).await;
            drop(permit);
            let image = updated.map_err(|e| e.to_string())?;
            record(shared, step, &image).await?;
            lock(&shared.report).changed += 1;
            Ok(format!("Modifications complete [id={}]", image.image_id))
        }
        StepAction::Delete => {
            let id = step.image_id.clone().unwrap_or_default();
            let deleted = shared.kasm.delete(&id).await;
            drop(permit);
            deleted.map_err(|e| e.to_string())?;
            update_state(shared, |state| {
                state.resources.remove(&step.address);
            })
            .await
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
            Err(e) => e,
        };
        // Retried as the client retries safe requests, but only after checking
        // that the failed attempt did not create the image after all.
        let Some(delay) = shared.kasm.retry_delay(attempt, &error) else {
            return Err(error);
        };
        if error.is_ambiguous() {
            let images = shared.kasm.images().await?;
            if let Some(image) = recognise(shared, body, &images) {
                return Ok((image, true));
            }
        }
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// Asks the core which unowned image matches the body.
fn recognise(shared: &Shared, body: &Map<String, Value>, images: &[Image]) -> Option<Image> {
    let owned: BTreeSet<String> = lock(&shared.state)
        .next
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
async fn record(shared: &Shared, step: &Step, image: &Image) -> Result<(), String> {
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
    .await
    .map_err(|Failure(m)| m)
}

/// Changes the state and returns once the change is on disk. Changes that
/// finish while a write is under way share the next write (group commit), so
/// every finished action is recorded before it is reported, without one full
/// rewrite per action.
async fn update_state(shared: &Shared, change: impl FnOnce(&mut State)) -> Result<(), Failure> {
    let version = {
        let mut pending = lock(&shared.state);
        change(&mut pending.next);
        pending.version += 1;
        pending.version
    };
    shared.wake.notify_one();
    let mut durable = shared.durable.subscribe();
    let seen = durable
        .wait_for(|d| d.as_ref().map_or(true, |v| *v >= version))
        .await
        .map_err(|_| Failure("the state writer stopped".into()))?;
    match &*seen {
        Ok(_) => Ok(()),
        Err(e) => Err(Failure(e.clone())),
    }
}

/// Writes the newest state whenever there are changes not yet on disk.
async fn write_behind(shared: Arc<Shared>) {
    loop {
        shared.wake.notified().await;
        loop {
            let written = shared.durable.borrow().clone();
            let Ok(written) = written else { return };
            let (snapshot, version) = {
                let pending = lock(&shared.state);
                (pending.next.clone(), pending.version)
            };
            if version <= written {
                break;
            }
            let task_shared = Arc::clone(&shared);
            let saved = tokio::task::spawn_blocking(move || lock(&task_shared.file).save(snapshot))
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
            let _ = shared.durable.send(saved.map(|()| version));
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

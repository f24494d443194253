//! Carries out apply steps against Kasm, `--parallelism` at a time, in the
//! order the core's graph gives, writing the state after every finished action.

mod call;

use super::CliError;
use crate::kasm::{Kasm, KasmError};
use crate::state_file::{self, Locked, StateError};
use crate::{Core, CoreError};
use kasm_plan_core::apply::{AdoptStep, CreateStep, Step};
use kasm_plan_core::facade::{RecogniseRequest, RecordRequest};
use kasm_plan_core::graph::Walk;
use kasm_plan_core::object::ObjectRecord;
use kasm_plan_core::state::recorded::Answered;
use kasm_plan_core::state::text::StateText;
use kasm_plan_core::{Image, State};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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
    /// `(address, failed address)` of each action skipped because an action
    /// it waits for failed.
    pub skipped: Vec<(String, String)>,
}

/// What to carry out.
pub struct Work {
    /// The steps, as the core made them.
    pub steps: Vec<Step>,
    /// For each step, the steps that must finish before it starts.
    pub after: Vec<Vec<u32>>,
    /// Every configured resource → what it depends on, recorded in the state.
    pub dependencies: BTreeMap<String, Vec<String>>,
    /// Requests in flight at once.
    pub parallelism: usize,
}

/// Why one action failed.
#[derive(Debug, thiserror::Error)]
enum ActionError {
    #[error(transparent)]
    Kasm(#[from] KasmError),
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("{0}")]
    State(Arc<StateError>),
    #[error("the state writer stopped")]
    WriterStopped,
    #[error("{0} was not created, so its id is not known; run apply again")]
    Waiting(String),
    #[error("{0}")]
    Refused(String),
    #[error(
        "{0}; the create may still be running on Kasm, so it was not sent again (that could make a duplicate). Run apply again: it adopts the image if the create completed, or creates it"
    )]
    Unsettled(KasmError),
}

impl ActionError {
    /// Whether a failed create may have made something on Kasm.
    fn made_maybe(&self) -> bool {
        match self {
            ActionError::Kasm(e) => e.is_ambiguous() || e.may_still_run(),
            _ => true,
        }
    }
}

/// Shared between the concurrent actions.
struct Shared {
    kasm: Kasm,
    core: Mutex<Core>,
    state: Mutex<Pending>,
    /// The state file; written by one writer at a time.
    file: Mutex<Locked>,
    /// The newest change number on disk (or the write error).
    durable: tokio::sync::watch::Sender<Result<u64, Arc<StateError>>>,
    /// Wakes the writer.
    wake: tokio::sync::Notify,
    report: Mutex<Report>,
    dependencies: BTreeMap<String, Vec<String>>,
    /// The addresses whose create an interrupted run sent (the state's
    /// pending creates when this run started), with when it was sent.
    interrupted: BTreeMap<String, Option<u64>>,
    /// When the run started.
    started: Instant,
    progress: Box<dyn Fn(&str) + Send + Sync>,
}

/// The state in memory, ahead of the file by the changes since the last write.
struct Pending {
    next: State,
    /// Number of the latest change.
    version: u64,
    /// The text of every entry as last written, reused while it is unchanged.
    text: StateText,
}

/// Runs the steps: bookkeeping (refresh, forget) first in one write, then
/// the requests in the order the core gave (`after`). The state lock is
/// released when this returns.
pub async fn run(
    kasm: Kasm,
    core: Core,
    state: Locked,
    work: Work,
    progress: Box<dyn Fn(&str) + Send + Sync>,
) -> Result<Finished, CliError> {
    let mut next = state.state.clone();
    // Each change then records its own address's dependencies.
    next.record_dependencies(&work.dependencies);
    let interrupted = next
        .pending
        .iter()
        .map(|(a, r)| (a.clone(), r.attributes.get(SENT_AT).and_then(Value::as_u64)))
        .collect();
    let shared = Arc::new(Shared {
        kasm,
        core: Mutex::new(core),
        state: Mutex::new(Pending {
            next,
            version: 0,
            text: StateText::default(),
        }),
        file: Mutex::new(state),
        durable: tokio::sync::watch::Sender::new(Ok(0)),
        wake: tokio::sync::Notify::new(),
        report: Mutex::new(Report::default()),
        dependencies: work.dependencies,
        interrupted,
        started: Instant::now(),
        progress,
    });
    let writer = tokio::spawn(write_behind(Arc::clone(&shared)));
    let mut walk = Walk::new(&work.after);
    let mut slots: Vec<Option<Step>> = work.steps.into_iter().map(Some).collect();
    let bookkeeping: Vec<Step> = slots
        .iter_mut()
        .enumerate()
        .filter(|(_, s)| s.as_ref().is_some_and(|s| s.phase() == 0))
        .filter_map(|(i, s)| {
            walk.done(i);
            s.take()
        })
        .collect();
    if !bookkeeping.is_empty() {
        update_whole_state(&shared, |state| bookkeep(state, &bookkeeping))
            .await
            .map_err(|e| CliError::Stop(e.to_string()))?;
    }
    run_actions(&shared, walk, slots, work.parallelism).await;
    // Every action waited for its write, so nothing is left to write.
    writer.abort();
    let _ = writer.await;
    let Ok(shared) = Arc::try_unwrap(shared) else {
        return Err(CliError::Stop("internal: actions still running".into()));
    };
    let pending = shared.state.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut file = shared.file.into_inner().unwrap_or_else(|e| e.into_inner());
    let all_written = matches!(*shared.durable.borrow(), Ok(v) if v == pending.version);
    if pending.version > 0 && all_written {
        file.wrote(pending.next);
    }
    Ok(Finished {
        report: shared
            .report
            .into_inner()
            .unwrap_or_else(|e| e.into_inner()),
        file,
        core: shared.core.into_inner().unwrap_or_else(|e| e.into_inner()),
    })
}

/// A run's end: what was done, and the state file and core, still held.
pub struct Finished {
    /// What was done.
    pub report: Report,
    /// The state file, locked, as the run left it.
    pub file: Locked,
    /// The core.
    pub core: Core,
}

/// Applies refresh, forget and move steps to the state.
fn bookkeep(state: &mut State, steps: &[Step]) {
    for step in steps {
        match step {
            Step::RecordObject(r) => state.keep(&r.address, r.record.clone()),
            Step::Move(m) => state.rename(&m.from, &m.to),
            other => state.forget(other.address()),
        }
    }
}

/// How one action ended.
enum Outcome {
    Done,
    Failed,
    NotStarted,
}

/// Runs the actions as the walk frees them, `parallelism` requests at a
/// time. A failed action skips every action that waits for it (no request is
/// sent for those). Ctrl-C starts nothing new and lets the requests in flight
/// finish and be recorded.
async fn run_actions(
    shared: &Arc<Shared>,
    mut walk: Walk,
    mut steps: Vec<Option<Step>>,
    parallelism: usize,
) {
    let addresses: Vec<String> = steps
        .iter()
        .map(|s| {
            s.as_ref()
                .map(|s| s.address().to_owned())
                .unwrap_or_default()
        })
        .collect();
    let slots = Slots::new(parallelism);
    let interrupt = {
        let slots = slots.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!(
                    "\nInterrupt received: finishing the requests in flight, then stopping..."
                );
                slots.close();
            }
        })
    };
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        for i in walk.start_ready() {
            let Some(step) = steps.get_mut(i).and_then(Option::take) else {
                continue;
            };
            let shared = Arc::clone(shared);
            let slots = slots.clone();
            tasks.spawn(async move { (i, act_reported(&shared, step, slots).await) });
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let Ok((i, outcome)) = joined else { continue };
        match outcome {
            Outcome::Done => walk.done(i),
            Outcome::NotStarted => {}
            Outcome::Failed => {
                let name = |i: usize| addresses.get(i).cloned().unwrap_or_default();
                let failed = name(i);
                for skipped in walk.failed(i) {
                    let address = name(skipped);
                    (shared.progress)(&format!(
                        "{address}: skipped: it waits for {failed}, which failed (nothing was sent)"
                    ));
                    lock(&shared.report).skipped.push((address, failed.clone()));
                }
            }
        }
    }
    // Interrupted: the actions never handed out were not started either.
    lock(&shared.report).not_started += walk.waiting().count();
    interrupt.abort();
}

/// The request slots, and the slots for image creates marked ahead of them.
#[derive(Clone)]
struct Slots {
    /// Requests in flight at once (`--parallelism`).
    requests: Arc<Semaphore>,
    /// Image creates marked pending and not yet finished: those in flight
    /// and as many again waiting for a request slot.
    marks: Arc<Semaphore>,
}

impl Slots {
    fn new(parallelism: usize) -> Slots {
        let parallelism = parallelism.max(1);
        Slots {
            requests: Arc::new(Semaphore::new(parallelism)),
            marks: Arc::new(Semaphore::new(2 * parallelism)),
        }
    }

    /// Nothing new starts.
    fn close(&self) {
        self.marks.close();
        self.requests.close();
    }
}

/// One action once a request slot is free, its progress line printed and
/// its failure reported.
async fn act_reported(shared: &Shared, step: Step, slots: Slots) -> Outcome {
    let address = step.address().to_owned();
    let marked = match mark_ahead(shared, &step, &slots).await {
        Ok(marked) => marked,
        Err(Some(e)) => return failed(shared, address, &e),
        Err(None) => return not_started(shared),
    };
    let Ok(permit) = Arc::clone(&slots.requests).acquire_owned().await else {
        if marked.is_some()
            && let Err(e) = unmark(shared, &address).await
        {
            return failed(shared, address, &e);
        }
        return not_started(shared);
    };
    let started = Instant::now();
    let acted = act(shared, step, permit).await;
    drop(marked);
    match acted {
        Ok(line) => {
            (shared.progress)(&format!(
                "{address}: {line} after {}s",
                started.elapsed().as_secs()
            ));
            Outcome::Done
        }
        Err(e) => failed(shared, address, &e),
    }
}

fn failed(shared: &Shared, address: String, e: &ActionError) -> Outcome {
    (shared.progress)(&format!("{address}: failed: {e}"));
    lock(&shared.report).failures.push((address, e.to_string()));
    Outcome::Failed
}

fn not_started(shared: &Shared) -> Outcome {
    lock(&shared.report).not_started += 1;
    Outcome::NotStarted
}

/// Before an image create waits for a request slot, writes its pending
/// mark, so the write is done while earlier requests are in flight, not
/// between one request and the next. Answers the mark's slot, held until the
/// action ends; `Err(None)`: the run was interrupted first.
async fn mark_ahead(
    shared: &Shared,
    step: &Step,
    slots: &Slots,
) -> Result<Option<OwnedSemaphorePermit>, Option<ActionError>> {
    let Step::Create(create) = step else {
        return Ok(None);
    };
    let slot = Arc::clone(&slots.marks)
        .acquire_owned()
        .await
        .map_err(|_| None)?;
    mark_pending(shared, &create.address).await.map_err(Some)?;
    Ok(Some(slot))
}

/// One action: the request, then the state write. The request slot (`permit`)
/// is given back as soon as Kasm has answered, so the next request does not
/// wait for this one's write. Returns the progress text.
async fn act(
    shared: &Shared,
    step: Step,
    permit: OwnedSemaphorePermit,
) -> Result<String, ActionError> {
    match step {
        Step::Create(s) => create(shared, s, permit).await,
        Step::Adopt(s) => adopt(shared, s).await,
        Step::Call(s) => call::call(shared, *s, permit).await,
        Step::Forget(_) | Step::Move(_) | Step::RecordObject(_) => Ok(String::new()),
    }
}

async fn create(
    shared: &Shared,
    step: CreateStep,
    permit: OwnedSemaphorePermit,
) -> Result<String, ActionError> {
    // A create an interrupted run sent may still land: watched for first,
    // as after a timeout in this run.
    let landed = match interrupted_until(shared, &step.address) {
        Some(until) => {
            (shared.progress)(&format!(
                "{}: an interrupted run's create may still land on Kasm; watching for it for up to {} s",
                step.address,
                until.saturating_duration_since(Instant::now()).as_secs()
            ));
            settle(shared, &step.target_image, until).await?
        }
        None => None,
    };
    let created = match landed {
        Some(image) => Ok((image, true)),
        None => create_once_only(shared, &step.address, &step.target_image).await,
    };
    drop(permit);
    let (image, recognised) = match created {
        Ok(made) => made,
        Err(e) => {
            unmark_if_refused(shared, &step.address, &e).await?;
            return Err(e);
        }
    };
    let id = record(shared, &step.address, &image, step.record).await?;
    let mut report = lock(&shared.report);
    report.added += 1;
    report.created_ids.push(id.clone());
    Ok(if recognised {
        format!("Creation complete (recognised after a lost answer) [id={id}]")
    } else {
        format!("Creation complete [id={id}]")
    })
}

async fn adopt(shared: &Shared, step: AdoptStep) -> Result<String, ActionError> {
    let id = keep(shared, &step.address, step.record).await?;
    lock(&shared.report).added += 1;
    Ok(format!(
        "Recorded the identical image Kasm already had, which no address managed (the plan warned of it) [id={id}]"
    ))
}

/// A create that never duplicates. After a failure that ends the request but
/// may have taken effect (lost answer, 5xx) it re-reads the images and
/// recognises the one it made before trying again. After a timeout the
/// request may still be running, so it is never sent again in this run: the
/// image is watched for, and if it does not appear the address is left for
/// the next run. Returns the image and whether it was recognised.
async fn create_once_only(
    shared: &Shared,
    address: &str,
    body: &Map<String, Value>,
) -> Result<(Image, bool), ActionError> {
    let mut attempt = 1;
    loop {
        // The mark's time must not be older than a request the next run may
        // find still running: a resend first writes its own.
        match attempt {
            1 => note_sent(shared, address),
            _ => mark_sent(shared, address).await?,
        }
        let error = match shared.kasm.create_once(body).await {
            Ok(image) => return Ok((image, false)),
            Err(e) => e,
        };
        // Retried as the client retries safe requests, but only after checking
        // that the failed attempt did not create the image after all.
        if error.may_still_run() {
            let until = Instant::now() + shared.kasm.settle_time();
            return match settle(shared, body, until).await.map_err(unsettled)? {
                Some(image) => Ok((image, true)),
                None => Err(ActionError::Unsettled(error)),
            };
        }
        let Some(delay) = shared.kasm.retry_delay(attempt, &error) else {
            return Err(error.into());
        };
        if error.is_ambiguous() {
            let images = shared
                .kasm
                .images()
                .await
                .map_err(|e| unsettled(e.into()))?;
            if let Some(image) = recognise(shared, body, images)? {
                return Ok((image, true));
            }
        }
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// A read that failed while a create's outcome was unknown: the create
/// may have been made, whatever the read's error says.
fn unsettled(error: ActionError) -> ActionError {
    match error {
        ActionError::Kasm(e) => ActionError::Unsettled(e),
        other => other,
    }
}

/// After a create that timed out, whose request may still be running on Kasm:
/// watches for its image until `until` instead of creating again.
async fn settle(
    shared: &Shared,
    body: &Map<String, Value>,
    until: Instant,
) -> Result<Option<Image>, ActionError> {
    loop {
        let images = shared.kasm.images().await?;
        if let Some(image) = recognise(shared, body, images)? {
            return Ok(Some(image));
        }
        if Instant::now() >= until {
            return Ok(None);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Until when a create an interrupted run sent for the address may still
/// land: one settle time after it was sent (or, with no time on its mark,
/// after this run started).
fn interrupted_until(shared: &Shared, address: &str) -> Option<Instant> {
    let sent = shared.interrupted.get(address)?;
    let since_start = shared.started + shared.kasm.settle_time();
    let Some(sent) = sent else {
        return Some(since_start);
    };
    let ago = Duration::from_millis(unix_ms().saturating_sub(*sent));
    let left = shared.kasm.settle_time().saturating_sub(ago);
    Some((Instant::now() + left).min(since_start))
}

/// Before an image create is sent, writes a mark that it may be: a run
/// stopped before the image is recorded leaves it, and the next run watches
/// for the image before it creates it again (the request may still be
/// running on Kasm), as it does after a timeout. The mark has no time until
/// the create is sent ([`note_sent`]); without one, the next run watches
/// for a whole settle time.
async fn mark_pending(shared: &Shared, address: &str) -> Result<(), ActionError> {
    update_state(shared, address, |state| {
        let mark = ObjectRecord {
            id: String::new(),
            attributes: Map::new().into(),
            prevent_destroy: false,
        };
        state.pending.insert(address.to_owned(), mark);
    })
    .await
}

/// As an image create is first sent, puts the time on its mark. Not
/// waited for: it is written with the next change, and until then the mark
/// has no time, which only makes the next run watch longer.
fn note_sent(shared: &Shared, address: &str) {
    stamp(&mut lock(&shared.state).next, address);
}

/// As an image create is sent again, puts the new time on its mark and
/// waits for it to be on disk.
async fn mark_sent(shared: &Shared, address: &str) -> Result<(), ActionError> {
    update_state(shared, address, |state| stamp(state, address)).await
}

fn stamp(state: &mut State, address: &str) {
    if let Some(mark) = state.pending.get_mut(address) {
        mark.attributes.insert(SENT_AT.to_owned(), unix_ms().into());
    }
}

/// Takes out the mark of a create that was never sent, or that Kasm refused.
async fn unmark(shared: &Shared, address: &str) -> Result<(), ActionError> {
    update_state(shared, address, |state| {
        state.pending.remove(address);
    })
    .await
}

/// A failed create's pending mark, taken out when Kasm refused the create
/// outright (nothing was made); otherwise it stays for the next run.
async fn unmark_if_refused(
    shared: &Shared,
    address: &str,
    error: &ActionError,
) -> Result<(), ActionError> {
    if error.made_maybe() {
        return Ok(());
    }
    unmark(shared, address).await
}

/// Now, in milliseconds since the Unix epoch.
fn unix_ms() -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(now.as_millis()).unwrap_or(u64::MAX)
}

/// Where an image's pending mark keeps when its create was sent
/// (milliseconds since the Unix epoch).
const SENT_AT: &str = "sent_at_ms";

/// Asks the core which unowned image matches the body.
fn recognise(
    shared: &Shared,
    body: &Map<String, Value>,
    images: Vec<Image>,
) -> Result<Option<Image>, ActionError> {
    let owned = lock(&shared.state)
        .next
        .images()
        .map(|(_, r)| r.id.clone())
        .collect();
    let request = RecogniseRequest {
        target_image: body.clone(),
        images,
        owned,
    };
    Ok(lock(&shared.core).recognise(request)?)
}

/// Records an image Kasm returned under `address`; returns its id.
async fn record(
    shared: &Shared,
    address: &str,
    image: &Image,
    over: ObjectRecord,
) -> Result<String, ActionError> {
    let told = Answered {
        answer: serde_json::to_value(image).unwrap_or_default(),
        ..Answered::default()
    };
    let entry = recorded(shared, address, over, told)?;
    keep(shared, address, entry).await
}

/// Writes `record` for `address` and returns once it is on disk; answers
/// its id.
async fn keep(shared: &Shared, address: &str, record: ObjectRecord) -> Result<String, ActionError> {
    let id = record.id.clone();
    update_state(shared, address, |state| state.keep(address, record)).await?;
    Ok(id)
}

/// The record a finished call leaves for `address`, as the core makes it
/// from the step's record and what the call told.
fn recorded(
    shared: &Shared,
    address: &str,
    record: ObjectRecord,
    answered: Answered,
) -> Result<ObjectRecord, ActionError> {
    let request = RecordRequest {
        address: address.to_owned(),
        record,
        answered,
    };
    let response = lock(&shared.core).record(request)?;
    response.record.ok_or_else(|| {
        let why = response.diagnostics.into_iter().next();
        ActionError::Refused(why.map(|d| d.message).unwrap_or_default())
    })
}

/// Changes what the state holds for `address` and returns once the change
/// is on disk. Changes that finish while a write is under way share the
/// next write (group commit), so every finished action is recorded before
/// it is reported; a write serialises again only the entries changed since
/// the last one.
async fn update_state(
    shared: &Shared,
    address: &str,
    change: impl FnOnce(&mut State),
) -> Result<(), ActionError> {
    let version = {
        let mut pending = lock(&shared.state);
        change(&mut pending.next);
        pending
            .next
            .record_dependencies_of(address, &shared.dependencies);
        pending.text.forget(address);
        pending.version += 1;
        pending.version
    };
    on_disk(shared, version).await
}

/// [`update_state`] for a change to any part of the state.
async fn update_whole_state(
    shared: &Shared,
    change: impl FnOnce(&mut State),
) -> Result<(), ActionError> {
    let version = {
        let mut pending = lock(&shared.state);
        change(&mut pending.next);
        pending.next.record_dependencies(&shared.dependencies);
        pending.text = StateText::default();
        pending.version += 1;
        pending.version
    };
    on_disk(shared, version).await
}

/// Returns once change `version` is on disk.
async fn on_disk(shared: &Shared, version: u64) -> Result<(), ActionError> {
    shared.wake.notify_one();
    let mut durable = shared.durable.subscribe();
    let seen = durable
        .wait_for(|d| d.as_ref().map_or(true, |v| *v >= version))
        .await
        .map_err(|_| ActionError::WriterStopped)?;
    match &*seen {
        Ok(_) => Ok(()),
        Err(e) => Err(ActionError::State(Arc::clone(e))),
    }
}

/// Writes the newest state whenever there are changes not yet on disk.
async fn write_behind(shared: Arc<Shared>) {
    loop {
        shared.wake.notified().await;
        loop {
            let written = shared.durable.borrow().clone();
            let Ok(written) = written else { return };
            let Some((text, version)) = newer_text(&shared, written) else {
                break;
            };
            let saved = store(&shared, text).await;
            let _ = shared
                .durable
                .send(saved.map(|()| version).map_err(Arc::new));
        }
    }
}

/// The newest state's text, stamped as the next write, and its change
/// number; `None` when change `written` is the newest.
fn newer_text(shared: &Shared, written: u64) -> Option<(serde_json::Result<Vec<u8>>, u64)> {
    let mut pending = lock(&shared.state);
    if pending.version <= written {
        return None;
    }
    let Pending {
        next,
        version,
        text,
    } = &mut *pending;
    let last = next.serial;
    state_file::stamp(next, last);
    Some((text.render(next), *version))
}

/// Stores a state's text, off the async threads.
async fn store(shared: &Arc<Shared>, text: serde_json::Result<Vec<u8>>) -> Result<(), StateError> {
    let failed = |source| StateError::Write {
        path: lock(&shared.file).path().to_path_buf(),
        source,
    };
    let text = text.map_err(|e| failed(e.into()))?;
    let task_shared = Arc::clone(shared);
    tokio::task::spawn_blocking(move || lock(&task_shared.file).store_text(text))
        .await
        .unwrap_or_else(|e| Err(failed(std::io::Error::other(e))))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

//! Runs the core's component under wasmtime. The component imports nothing, so
//! it can reach no file, socket, clock or random source; the host adds limits on
//! memory and on wall-clock time.

use crate::cache::{self, Cached};
use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::Duration;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder};

/// How often the epoch advances: the granularity of the time limit.
const TICK: Duration = Duration::from_millis(10);

/// Generated from `wit/kasm-plan.wit`.
mod bindings {
    wasmtime::component::bindgen!({ world: "kasm-plan", path: "../wit" });
}

/// The WIT types and functions of the core.
pub use bindings::exports::kasm::plan::core as wit;

/// Errors loading or running the component.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// wasmtime refused the component, or a call trapped.
    #[error("component: {0:#}")]
    Wasm(#[from] wasmtime::Error),
    /// A call used more memory than the cap allows.
    #[error(
        "the core needed more than {} MiB of memory for this input (raise --max-memory if it is genuine)",
        .0 >> 20
    )]
    MemoryLimit(usize),
    /// A call ran past the time cap.
    #[error(
        "the core ran longer than {0:?} on this input and was stopped (raise --timeout if it is genuine)"
    )]
    TimeLimit(Duration),
}

/// Per-call limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Linear memory cap, in bytes.
    pub memory: usize,
    /// Wall-clock cap for one call.
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory: 512 << 20,
            time: Duration::from_secs(10),
        }
    }
}

/// The core's component compiled, ready to instantiate cheaply under limits.
pub struct Sandbox {
    engine: Arc<wasmtime::Engine>,
    pre: bindings::KasmPlanPre<Guard>,
    limits: Limits,
}

/// One instance of the core: a store and the core's exports. Its typed
/// operations are in `operations.rs`.
pub struct Core {
    store: Store<Guard>,
    bindings: bindings::KasmPlan,
    /// The time cap, in epoch ticks.
    ticks: u64,
    limits: Limits,
    /// Keeps the epoch ticker running while this instance lives.
    _ticking: Arc<wasmtime::Engine>,
}

impl Sandbox {
    /// Compiles component bytes in memory; every call runs under `limits`.
    pub fn new(bytes: &[u8], limits: Limits) -> Result<Self, SandboxError> {
        let engine = new_engine()?;
        let component = Component::new(&engine, bytes)?;
        Self::ready(engine, &component, limits)
    }

    /// Like [`Sandbox::new`], but reuses the compiled artifact kept in `cache_dir`
    /// (compiling and storing it on first use), so later runs skip compilation.
    /// `digest` is the SHA-256 of `bytes` (`COMPONENT_DIGEST` for the built-in one).
    pub fn cached(
        (bytes, digest): (&[u8], &[u8; 32]),
        limits: Limits,
        cache_dir: &Path,
    ) -> Result<(Self, Cached), SandboxError> {
        let engine = new_engine()?;
        let (component, how) = cache::load(&engine, (bytes, digest), cache_dir)?;
        Ok((Self::ready(engine, &component, limits)?, how))
    }

    fn ready(
        engine: Arc<wasmtime::Engine>,
        component: &Component,
        limits: Limits,
    ) -> Result<Self, SandboxError> {
        start_ticker(Arc::downgrade(&engine));
        // Nothing is linked in: the component imports nothing.
        let linker = Linker::<Guard>::new(&engine);
        let pre = bindings::KasmPlanPre::new(linker.instantiate_pre(component)?)?;
        Ok(Sandbox {
            engine,
            pre,
            limits,
        })
    }

    /// The wasmtime engine (its settings are part of the cache key).
    pub fn wasmtime(&self) -> &wasmtime::Engine {
        &self.engine
    }

    /// The same compiled component under other limits (no recompilation).
    pub fn with_limits(&self, limits: Limits) -> Sandbox {
        Sandbox {
            engine: Arc::clone(&self.engine),
            pre: self.pre.clone(),
            limits,
        }
    }

    /// A fresh instance.
    pub fn instantiate(&self) -> Result<Core, SandboxError> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.limits.memory)
            .instances(1)
            .build();
        let mut store = Store::new(
            &self.engine,
            Guard {
                limits,
                memory_refused: false,
            },
        );
        store.limiter(|g| g);
        let ticks = self
            .limits
            .time
            .as_millis()
            .div_ceil(TICK.as_millis())
            .max(1);
        let ticks = u64::try_from(ticks).unwrap_or(u64::MAX);
        // With epochs on, every store needs a deadline, instantiation included.
        store.set_epoch_deadline(ticks);
        let bindings = self.pre.instantiate(&mut store)?;
        Ok(Core {
            store,
            bindings,
            ticks,
            limits: self.limits,
            _ticking: Arc::clone(&self.engine),
        })
    }
}

impl Core {
    /// Runs one call into the component under the limits: the deadline is
    /// armed afresh, and a trap becomes the limit it hit.
    pub(crate) fn run<R>(
        &mut self,
        call: impl FnOnce(&wit::Guest, &mut Store<Guard>) -> wasmtime::Result<R>,
    ) -> Result<R, SandboxError> {
        self.store.set_epoch_deadline(self.ticks);
        let guest = self.bindings.kasm_plan_core();
        call(guest, &mut self.store).map_err(|e| self.explain(e))
    }

    fn explain(&self, e: wasmtime::Error) -> SandboxError {
        match e.downcast_ref::<wasmtime::Trap>() {
            Some(wasmtime::Trap::Interrupt) => SandboxError::TimeLimit(self.limits.time),
            // A refused memory.grow surfaces as the guest's allocation failure.
            Some(_) if self.store.data().memory_refused => {
                SandboxError::MemoryLimit(self.limits.memory)
            }
            _ => SandboxError::Wasm(e),
        }
    }
}

/// The store's data: its limits, and whether one refused to grow memory.
pub(crate) struct Guard {
    limits: StoreLimits,
    memory_refused: bool,
}

impl ResourceLimiter for Guard {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        self.memory_refused |= !allowed;
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

/// An engine with epoch interruption; precompiled artifacts must match its config.
fn new_engine() -> Result<Arc<wasmtime::Engine>, SandboxError> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    Ok(Arc::new(wasmtime::Engine::new(&config)?))
}

/// Advances the engine's epoch every tick until the engine is dropped.
fn start_ticker(engine: Weak<wasmtime::Engine>) {
    std::thread::spawn(move || {
        while let Some(engine) = engine.upgrade() {
            engine.increment_epoch();
            drop(engine);
            std::thread::sleep(TICK);
        }
    });
}

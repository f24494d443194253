//! The kasm-plan host: runs the core as a sandboxed WebAssembly component under
//! wasmtime. The component imports nothing, so it can reach no file, socket,
//! clock or random source; the host adds limits on memory and on wall-clock time.

use std::sync::{Arc, Weak};
use std::time::Duration;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Store, StoreLimits, StoreLimitsBuilder};

/// The core's component, built from source by `build.rs`.
pub const COMPONENT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/kasm_plan.wasm"));

/// How often the epoch advances: the granularity of the time limit.
const TICK: Duration = Duration::from_millis(10);

/// Generated from `wit/kasm-plan.wit`.
mod bindings {
    wasmtime::component::bindgen!({ world: "engine", path: "../wit" });
}

/// The WIT types and functions of the core.
pub use bindings::exports::kasm::plan::core as api;

/// Errors loading or running the component.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// wasmtime refused the component, or a call trapped (a limit was hit).
    #[error("component: {0:#}")]
    Wasm(#[from] wasmtime::Error),
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

/// A compiled component, ready to instantiate cheaply.
pub struct Engine {
    engine: Arc<wasmtime::Engine>,
    pre: bindings::EnginePre<StoreLimits>,
    limits: Limits,
}

/// One instance: a store and the core's exports.
pub struct Instance {
    store: Store<StoreLimits>,
    engine: bindings::Engine,
    /// The time cap, in epoch ticks.
    ticks: u64,
}

impl Engine {
    /// Compiles component bytes; every call runs under `limits`.
    pub fn new(bytes: &[u8], limits: Limits) -> Result<Self, HostError> {
        let mut config = Config::new();
        config.epoch_interruption(true);
        let engine = Arc::new(wasmtime::Engine::new(&config)?);
        start_ticker(Arc::downgrade(&engine));
        let component = Component::new(&engine, bytes)?;
        // Nothing is linked in: the component imports nothing.
        let linker = Linker::<StoreLimits>::new(&engine);
        let pre = bindings::EnginePre::new(linker.instantiate_pre(&component)?)?;
        Ok(Engine {
            engine,
            pre,
            limits,
        })
    }

    /// A fresh instance.
    pub fn instantiate(&self) -> Result<Instance, HostError> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.limits.memory)
            .instances(1)
            .build();
        let mut store = Store::new(&self.engine, limits);
        store.limiter(|l| l);
        let ticks = self
            .limits
            .time
            .as_millis()
            .div_ceil(TICK.as_millis())
            .max(1);
        let ticks = u64::try_from(ticks).unwrap_or(u64::MAX);
        // With epochs on, every store needs a deadline, instantiation included.
        store.set_epoch_deadline(ticks);
        let engine = self.pre.instantiate(&mut store)?;
        Ok(Instance {
            store,
            engine,
            ticks,
        })
    }
}

impl Instance {
    /// Gives the next call the whole time cap; past it the guest traps with an interrupt.
    fn arm(&mut self) {
        self.store.set_epoch_deadline(self.ticks);
    }

    /// The JSON-in/JSON-out facade, run inside the component.
    pub fn call(&mut self, operation: &str, request_json: &str) -> Result<String, HostError> {
        self.arm();
        Ok(self
            .engine
            .kasm_plan_core()
            .call_call(&mut self.store, operation, request_json)?)
    }

    /// Typed `validate`.
    pub fn validate(
        &mut self,
        source: &api::Source,
        strict: bool,
    ) -> Result<api::Validation, HostError> {
        self.arm();
        Ok(self
            .engine
            .kasm_plan_core()
            .call_validate(&mut self.store, source, strict)?)
    }
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

//! The kasm-plan host: runs the core as a sandboxed WebAssembly component under
//! wasmtime. The component imports nothing, so it can reach no file, socket,
//! clock or random source; the host adds limits on memory.

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Store, StoreLimits, StoreLimitsBuilder};

/// The core's component, built from source by `build.rs`.
pub const COMPONENT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/kasm_plan.wasm"));

/// Generated from `wit/kasm-plan.wit`.
mod bindings {
    wasmtime::component::bindgen!({ world: "engine", path: "../wit" });
}

/// The WIT types and functions of the core.
pub use bindings::exports::kasm::plan::core as api;

/// Errors loading or running the component.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// wasmtime refused the component, or a call trapped (e.g. the memory cap was hit).
    #[error("component: {0:#}")]
    Wasm(#[from] wasmtime::Error),
}

/// A compiled component, ready to instantiate cheaply.
pub struct Engine {
    engine: wasmtime::Engine,
    pre: bindings::EnginePre<StoreLimits>,
    memory_limit: usize,
}

/// One instance: a store and the core's exports.
pub struct Instance {
    /// The store the instance lives in.
    pub store: Store<StoreLimits>,
    engine: bindings::Engine,
}

impl Engine {
    /// Compiles component bytes; `memory_limit` caps each instance's linear memory in bytes.
    pub fn new(bytes: &[u8], memory_limit: usize) -> Result<Self, HostError> {
        let engine = wasmtime::Engine::new(&Config::new())?;
        let component = Component::new(&engine, bytes)?;
        // Nothing is linked in: the component imports nothing.
        let linker = Linker::<StoreLimits>::new(&engine);
        let pre = bindings::EnginePre::new(linker.instantiate_pre(&component)?)?;
        Ok(Engine {
            engine,
            pre,
            memory_limit,
        })
    }

    /// A fresh instance.
    pub fn instantiate(&self) -> Result<Instance, HostError> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.memory_limit)
            .instances(1)
            .build();
        let mut store = Store::new(&self.engine, limits);
        store.limiter(|l| l);
        let engine = self.pre.instantiate(&mut store)?;
        Ok(Instance { store, engine })
    }
}

impl Instance {
    /// The JSON-in/JSON-out facade, run inside the component.
    pub fn call(&mut self, operation: &str, request_json: &str) -> Result<String, HostError> {
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
        Ok(self
            .engine
            .kasm_plan_core()
            .call_validate(&mut self.store, source, strict)?)
    }
}

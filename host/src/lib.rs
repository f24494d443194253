//! The kasm-plan host: runs the core as a sandboxed WebAssembly component under
//! wasmtime, and offers it as the `kasm-plan` command line.

mod atomic;
pub mod cache;
pub mod cli;
pub mod kasm;
mod operations;
mod sandbox;
pub mod state_file;
pub mod tls;

pub use cache::Cached;
pub use operations::CoreError;
pub use sandbox::{Core, Limits, Sandbox, SandboxError, wit};

/// The core's component, built from source by `build.rs`.
pub const COMPONENT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/kasm_plan.wasm"));

/// The SHA-256 of [`COMPONENT`], computed by `build.rs` so that a start need
/// not hash it to find its compiled artifact.
pub const COMPONENT_DIGEST: &[u8; 32] =
    include_bytes!(concat!(env!("OUT_DIR"), "/kasm_plan.wasm.sha256"));

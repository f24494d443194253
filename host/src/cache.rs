//! The compiled-component cache: compiling the core with cranelift takes
//! seconds, loading a precompiled artifact takes milliseconds.
//!
//! An artifact's file name is a digest of the component bytes and of the
//! engine's compatibility hash (wasmtime version and settings), so a new
//! build or a new wasmtime never loads a stale artifact.

use sha2::{Digest, Sha256};
use std::fs;
use std::hash::{Hash, Hasher};

use std::path::{Path, PathBuf};
use wasmtime::component::Component;

/// How the component was obtained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cached {
    /// Loaded from this artifact.
    Hit(PathBuf),
    /// Compiled and stored as this artifact.
    Stored(PathBuf),
    /// Compiled; the artifact could not be stored (the reason), so the next run compiles again.
    NotStored(String),
}

/// The SHA-256 of component bytes (the built-in component's is computed at
/// build time: `COMPONENT_DIGEST`).
pub fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The artifact path for the component of this digest under this engine.
pub fn artifact_path(engine: &wasmtime::Engine, component: &[u8; 32], dir: &Path) -> PathBuf {
    let mut digest = DigestHasher(Sha256::new());
    digest.0.update(component);
    engine.precompile_compatibility_hash().hash(&mut digest);
    let hex: String = digest
        .0
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    dir.join(format!("kasm-plan-{hex}.cwasm"))
}

/// Loads the artifact for `bytes` (whose SHA-256 is `digest`), or compiles
/// it and stores it for next time.
pub fn load(
    engine: &wasmtime::Engine,
    (bytes, digest): (&[u8], &[u8; 32]),
    dir: &Path,
) -> wasmtime::Result<(Component, Cached)> {
    let path = artifact_path(engine, digest, dir);
    // An unreadable or incompatible artifact is replaced below.
    if path.is_file()
        && let Ok(component) = trusted::deserialize(engine, &path)
    {
        return Ok((component, Cached::Hit(path)));
    }
    let compiled = engine.precompile_component(bytes)?;
    let component = Component::new(engine, bytes)?;
    let how = match store(&path, &compiled) {
        Ok(()) => Cached::Stored(path),
        Err(e) => Cached::NotStored(format!("{}: {e}", path.display())),
    };
    Ok((component, how))
}

/// Writes an artifact atomically into a directory only this user can read.
fn store(path: &Path, compiled: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    restrict(dir)?;
    crate::atomic::write(path, compiled)
}

#[cfg(unix)]
fn restrict(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn restrict(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The default cache directory: `$KASM_PLAN_CACHE_DIR`, else the user's cache dir.
pub fn default_dir() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    var("KASM_PLAN_CACHE_DIR").map(PathBuf::from).or_else(|| {
        var("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .map(|d| d.join("kasm-plan"))
    })
}

/// Feeds `Hash` output into SHA-256, so the digest is stable across runs
/// (std's hashers are randomly keyed).
struct DigestHasher(Sha256);

impl Hasher for DigestHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        0
    }
}

/// The one unsafe operation of the host.
mod trusted {
    #![allow(unsafe_code)]
    use std::path::Path;
    use wasmtime::component::Component;

    /// Loads a precompiled artifact as native code, mapping the file: only
    /// the pages a run touches are read.
    pub fn deserialize(engine: &wasmtime::Engine, path: &Path) -> wasmtime::Result<Component> {
        // SAFETY: wasmtime runs these bytes as native code, so they must be an
        // artifact it produced. This cache only holds artifacts written by
        // `store` from `precompile_component`, in a directory restricted to the
        // user; wasmtime checks the header (version, settings) and refuses
        // artifacts from another engine configuration. A mapped file must not
        // change in place: `store` replaces an artifact by renaming a new file
        // over it, which leaves a mapping of the old one intact.
        unsafe { Component::deserialize_file(engine, path) }
    }
}

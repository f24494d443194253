//! Builds the core's component from source, so `cargo build` and `cargo test`
//! always embed a fresh one: the guest crate is compiled for
//! wasm32-unknown-unknown (in its own target dir, so the outer build's lock is
//! not contended), then encoded as a component that imports nothing.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() -> Result<(), Box<dyn Error>> {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?,
    );
    let root = manifest.parent().ok_or("host/ has no parent")?;
    // Relative to host/, and rerun when cargo runs in another directory: one
    // target dir serves several checkouts, and absolute paths would make a
    // build in one checkout watch another's files (and embed its component).
    for input in [
        "crates/kasm-plan-core",
        "crates/kasm-plan-component",
        "wit",
        "Cargo.toml",
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed=../{input}");
    }
    println!("cargo:rerun-if-env-changed=PWD");
    // OUT_DIR is <target>/<profile>/build/<pkg>/out: keep the guest build beside
    // the profiles, one per checkout: two checkouts sharing a target dir would
    // otherwise overwrite each other's module while each thinks its own fresh.
    let mut checkout = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(&root, &mut checkout);
    let target_dir = out.ancestors().nth(4).unwrap_or(&out).join(format!(
        "component-{:016x}",
        std::hash::Hasher::finish(&checkout)
    ));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--quiet",
            "-p",
            "kasm-plan-component",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "component",
            "--target-dir",
        ])
        .arg(&target_dir)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .status()?;
    if !status.success() {
        return Err(
            "building crates/kasm-plan-component for wasm32-unknown-unknown failed \
             (is the target installed? `rustup target add wasm32-unknown-unknown`)"
                .into(),
        );
    }
    let module_path = target_dir.join("wasm32-unknown-unknown/component/kasm_plan_component.wasm");
    let module =
        std::fs::read(&module_path).map_err(|e| format!("{}: {e}", module_path.display()))?;
    let component = wit_component::ComponentEncoder::default()
        .module(&module)?
        .validate(true)
        .encode()?;
    write_if_changed(&out.join("kasm_plan.wasm"), &component)?;
    // Named here rather than hashed on every start (the compiled-artifact cache's key).
    let digest = <sha2::Sha256 as sha2::Digest>::digest(&component);
    write_if_changed(&out.join("kasm_plan.wasm.sha256"), &digest)?;
    Ok(())
}

fn write_if_changed(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    std::fs::write(path, bytes)
}

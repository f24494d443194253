//! Writes each fuzz target's seeds into `<dir>/<target>/`, the corpora
//! cargo-fuzz starts from: `cargo run -p kasm-plan-fuzz --example write_seeds -- fuzz/corpus`

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: write_seeds DIR");
        return ExitCode::from(1);
    };
    for (name, _) in kasm_plan_fuzz::TARGETS {
        let written = kasm_plan_fuzz::seeds::of(name).and_then(|seeds| {
            let target = std::path::Path::new(&dir).join(name);
            std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
            for (i, seed) in seeds.iter().enumerate() {
                std::fs::write(target.join(format!("seed-{i:04}")), seed)
                    .map_err(|e| e.to_string())?;
            }
            Ok(seeds.len())
        });
        match written {
            Ok(n) => println!("{name}: {n} seeds"),
            Err(e) => {
                eprintln!("Error: {name}: {e}");
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}

//! Runs one fuzz target on one input file, on stable, to reproduce a finding:
//! `cargo run -p kasm-plan-fuzz --example replay -- TARGET FILE`

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [target, file] = args.as_slice() else {
        eprintln!("usage: replay TARGET FILE");
        return ExitCode::from(1);
    };
    let Some((_, run)) = kasm_plan_fuzz::TARGETS.iter().find(|(n, _)| n == target) else {
        eprintln!("no target `{target}`");
        return ExitCode::from(1);
    };
    match std::fs::read(file) {
        Ok(bytes) => {
            run(&bytes);
            println!("{target}: {file} ran to the end");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{file}: {e}");
            ExitCode::from(1)
        }
    }
}

//! Runs one facade operation on a JSON request read from standard input and
//! prints its answer (a request it cannot read: the reason, exit 1).
//! `cargo run -p kasm-plan-core --example call -- validate < request.json`
use std::io::Read;

fn main() {
    let op = std::env::args().nth(1).unwrap_or_default();
    let mut request = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut request) {
        eprintln!("cannot read standard input: {e}");
        std::process::exit(1);
    }
    match kasm_plan_core::facade::call(&op, &request) {
        Ok(answer) => println!("{answer}"),
        Err(refusal) => {
            eprintln!("refused: {}", refusal.message);
            std::process::exit(1);
        }
    }
}

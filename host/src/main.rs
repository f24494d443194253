use kasm_plan::cli::{Cli, run};
use std::process::ExitCode;

fn main() -> ExitCode {
    match Cli::parse_args(std::env::args_os()) {
        Ok(cli) => run(cli),
        Err(e) => {
            let _ = e.print();
            // Usage errors exit 1, not clap's 2: with --detailed-exitcode, 2 means "changes".
            if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

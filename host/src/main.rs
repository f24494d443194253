use kasm_plan::cli::{Cli, run};
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_closed_stdout();
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

/// `kasm-plan images | head` closes the pipe early; Rust's printing then
/// panics. Exit as a Unix tool killed by SIGPIPE would (141), quietly; every
/// other panic keeps the default report.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

//! `kasm-plan fmt [PATH...] [-check] [-diff] [-recursive]`: rewrites HCL files
//! in the canonical layout, as `terraform fmt` does (the layout is the core's
//! `format`). `-` reads standard input and writes the result to standard output.

use super::render;
use super::{CliError, CoreArgs, Outcome};
use crate::Core;
use kasm_plan_core::facade::FormatRequest;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit status of `-check` when a file would change (Terraform's).
const WOULD_CHANGE: u8 = 3;

/// Arguments of `fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Files or directories (`.tf` and `.tfvars` files in them); `-` for standard input; `.` when none.
    pub paths: Vec<PathBuf>,
    /// Write nothing; exit 3 when a file is not formatted.
    #[arg(long)]
    pub check: bool,
    /// Print the changes as unified diffs.
    #[arg(long)]
    pub diff: bool,
    /// Also format the files in subdirectories.
    #[arg(long)]
    pub recursive: bool,
    /// List the files that change (default true).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub list: bool,
    /// Write the changes (default true; false with -check).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub write: bool,
}

/// Exit 0 when done (or, with -check, when nothing would change), 3 when -check finds changes, 1 on errors.
pub fn run(core: &CoreArgs, args: &FmtArgs) -> Outcome {
    let mut core = core.open()?;
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        return stdin(&mut core, args);
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut files = Vec::new();
    for path in &paths {
        collect(path, args.recursive, true, &mut files)?;
    }
    let (mut changed, mut failed) = (false, false);
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|source| read_error(file, source))?;
        let answer = core.format(FormatRequest {
            source: text.clone(),
            file_name: Some(file.display().to_string()),
        })?;
        let Some(formatted) = answer.formatted else {
            eprint!("{}", render::diagnostics(&answer.diagnostics, &[]));
            failed = true;
            continue;
        };
        if !answer.changed {
            continue;
        }
        changed = true;
        if args.list {
            println!("{}", file.display());
        }
        if args.diff {
            print!("{}", diff(file, &text, &formatted));
        }
        if args.write && !args.check {
            write(file, &formatted)?;
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else if args.check && changed {
        ExitCode::from(WOULD_CHANGE)
    } else {
        ExitCode::SUCCESS
    })
}

fn stdin(core: &mut Core, args: &FmtArgs) -> Outcome {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::Stop(format!("cannot read standard input: {e}")))?;
    let answer = core.format(FormatRequest {
        source: text.clone(),
        file_name: Some("<stdin>".into()),
    })?;
    let Some(formatted) = answer.formatted else {
        eprint!("{}", render::diagnostics(&answer.diagnostics, &[]));
        return Ok(ExitCode::from(1));
    };
    if args.diff {
        print!("{}", diff(Path::new("<stdin>"), &text, &formatted));
    } else if !args.check {
        print!("{formatted}");
    }
    Ok(if args.check && answer.changed {
        ExitCode::from(WOULD_CHANGE)
    } else {
        ExitCode::SUCCESS
    })
}

/// The files to format: a file named is taken whatever its extension; a
/// directory gives its `.tf` and `.tfvars` files (and, recursively, its
/// subdirectories', hidden ones skipped).
fn collect(
    path: &Path,
    recursive: bool,
    named: bool,
    out: &mut Vec<PathBuf>,
) -> Result<(), CliError> {
    let meta = std::fs::metadata(path).map_err(|source| read_error(path, source))?;
    if meta.is_file() {
        if named
            || matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("tf" | "tfvars")
            )
        {
            out.push(path.to_owned());
        }
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|source| read_error(path, source))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        // `./main.tf` is listed as `main.tf`, as Terraform lists it.
        .map(|p| p.strip_prefix(".").map(Path::to_owned).unwrap_or(p))
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() && !recursive {
            continue;
        }
        collect(&entry, recursive, false, out)?;
    }
    Ok(())
}

/// Replaces the file atomically, keeping its permissions.
fn write(file: &Path, text: &str) -> Result<(), CliError> {
    let permissions = std::fs::metadata(file).map(|m| m.permissions()).ok();
    let failed =
        |e: std::io::Error| CliError::Stop(format!("cannot write {}: {e}", file.display()));
    crate::atomic::write(file, text.as_bytes()).map_err(failed)?;
    if let Some(p) = permissions {
        std::fs::set_permissions(file, p).map_err(failed)?;
    }
    Ok(())
}

fn diff(file: &Path, old: &str, new: &str) -> String {
    let name = file.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .header(&format!("old/{name}"), &format!("new/{name}"))
        .to_string()
}

fn read_error(path: &Path, source: std::io::Error) -> CliError {
    CliError::Stop(format!("cannot read {}: {source}", path.display()))
}

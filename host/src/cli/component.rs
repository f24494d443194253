//! Which core component runs, under which limits, and loading it (from the
//! compiled-component cache when possible).

use super::CliError;
use crate::{COMPONENT, COMPONENT_DIGEST, Cached, Core, Limits, Sandbox, cache};
use std::path::PathBuf;
use std::time::Duration;

/// How the core component is loaded and limited.
#[derive(Debug, clap::Args)]
pub struct CoreArgs {
    /// Run this component instead of the built-in one.
    #[arg(long, global = true, value_name = "PATH", env = "KASM_PLAN_COMPONENT")]
    pub component: Option<PathBuf>,
    /// Memory cap for the core, in MiB.
    #[arg(long, global = true, value_name = "MIB", default_value_t = 512,
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub max_memory: u32,
    /// Time cap for one call into the core, in seconds (fractions allowed).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 10.0,
          value_parser = positive_seconds)]
    pub timeout: f64,
    /// Where compiled components are kept [default: $KASM_PLAN_CACHE_DIR, else ~/.cache/kasm-plan].
    #[arg(long, global = true, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compile the component on every run instead of caching it.
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// Terraform's `-no-color`: kasm-plan prints no color codes, so this changes nothing.
    #[arg(long, global = true)]
    pub no_color: bool,
    /// `-input=false` never asks anything: an apply that would ask for approval
    /// is refused unless `-auto-approve` (or a saved plan) says yes.
    #[arg(long, global = true, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub input: bool,
    /// Warnings in one line each (Terraform's `-compact-warnings`).
    #[arg(long, global = true)]
    pub compact_warnings: bool,
}

impl CoreArgs {
    /// Loads the component the arguments name and instantiates it.
    pub fn open(&self) -> Result<Core, CliError> {
        let custom;
        let custom_digest;
        let (bytes, digest) = match &self.component {
            Some(path) => {
                custom = std::fs::read(path).map_err(|source| CliError::ReadComponent {
                    path: path.clone(),
                    source,
                })?;
                custom_digest = cache::digest(&custom);
                (&custom[..], &custom_digest)
            }
            None => (COMPONENT, COMPONENT_DIGEST),
        };
        let failed = |source| CliError::Load {
            what: match &self.component {
                Some(p) => format!("the component {}", p.display()),
                None => "the built-in component".to_owned(),
            },
            source,
        };
        let dir = self.cache_dir.clone().or_else(cache::default_dir);
        let sandbox = match dir.filter(|_| !self.no_cache) {
            Some(dir) => {
                let (sandbox, how) =
                    Sandbox::cached((bytes, digest), self.limits(), &dir).map_err(failed)?;
                if let Cached::NotStored(why) = how {
                    eprintln!("Warning: the compiled core could not be cached ({why})");
                }
                sandbox
            }
            None => Sandbox::new(bytes, self.limits()).map_err(failed)?,
        };
        sandbox.instantiate().map_err(failed)
    }

    fn limits(&self) -> Limits {
        Limits {
            memory: usize::try_from(self.max_memory)
                .unwrap_or(usize::MAX)
                .saturating_mul(1 << 20),
            time: Duration::from_secs_f64(self.timeout),
        }
    }
}

/// A `--timeout` value (clap names the flag and the value given).
fn positive_seconds(s: &str) -> Result<f64, &'static str> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err("not a number of seconds between 0 and 86400"),
    }
}

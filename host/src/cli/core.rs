//! The core, run as a component: loads it (from the cache when possible) and
//! calls the facade with typed requests and answers.

use super::{EngineArgs, Failure};
use crate::{COMPONENT, Cached, Engine, Instance, Limits, cache};
use kasm_plan_core::Diagnostic;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// One instance of the core.
pub struct Core {
    instance: Instance,
}

impl Core {
    /// Loads the component the arguments name, under their limits.
    pub fn open(args: &EngineArgs) -> Result<Self, Failure> {
        let limits = Limits {
            memory: usize::try_from(args.max_memory)
                .unwrap_or(usize::MAX)
                .saturating_mul(1 << 20),
            time: Duration::from_secs_f64(args.timeout),
        };
        let custom;
        let bytes = match &args.component {
            Some(path) => {
                custom = std::fs::read(path).map_err(|e| {
                    Failure(format!("cannot read the component {}: {e}", path.display()))
                })?;
                &custom[..]
            }
            None => COMPONENT,
        };
        let what = || match &args.component {
            Some(p) => format!("the component {}", p.display()),
            None => "the built-in component".to_owned(),
        };
        let dir = args.cache_dir.clone().or_else(cache::default_dir);
        let engine = match dir.filter(|_| !args.no_cache) {
            Some(dir) => {
                let (engine, how) = Engine::cached(bytes, limits, &dir)
                    .map_err(|e| Failure(format!("cannot load {}: {e}", what())))?;
                if let Cached::NotStored(why) = how {
                    eprintln!("Warning: the compiled core could not be cached ({why})");
                }
                engine
            }
            None => Engine::new(bytes, limits)
                .map_err(|e| Failure(format!("cannot load {}: {e}", what())))?,
        };
        let instance = engine.instantiate()?;
        Ok(Core { instance })
    }

    /// Calls a facade operation. An answer that is only diagnostics (a request
    /// the core could not read) becomes a failure carrying their messages.
    pub fn call<Req: Serialize, Res: DeserializeOwned>(
        &mut self,
        operation: &str,
        request: &Req,
    ) -> Result<Res, Failure> {
        let request = serde_json::to_string(request)?;
        let answer = self.instance.call(operation, &request)?;
        serde_json::from_str(&answer).map_err(|e| {
            #[derive(serde::Deserialize)]
            struct Refusal {
                diagnostics: Vec<Diagnostic>,
            }
            match serde_json::from_str::<Refusal>(&answer) {
                Ok(r) if !r.diagnostics.is_empty() => Failure(
                    r.diagnostics
                        .iter()
                        .map(|d| d.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                _ => Failure(format!(
                    "the core's `{operation}` answer does not decode: {e}"
                )),
            }
        })
    }
}

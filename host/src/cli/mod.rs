//! The `kasm-plan` command line. Every piece of core logic runs inside the
//! component (typed calls on [`crate::Core`]); these modules read files, call
//! it, talk to Kasm and print.

mod access;
mod adopt;
mod apply;
mod component;
mod configuration;
mod error;
mod execute;
mod fmt;
mod graph;
mod groups;
mod images;
mod import;
mod input;
mod output;
mod plan;
mod policy;
mod render;
mod report;
mod saved;
mod schema;
mod server;
mod show;
mod state;
mod state_transfer;
mod validate;
mod workspace;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::ffi::OsString;
use std::process::ExitCode;

pub use component::CoreArgs;
pub use error::CliError;

/// Plan and apply Kasm Workspaces as code: images, groups, users and sessions.
#[derive(Debug, Parser)]
#[command(name = "kasm-plan", version, about, max_term_width = 100)]
pub struct Cli {
    /// Switch to DIR before anything else, as Terraform's `-chdir=DIR`: the
    /// configuration, the state, variables files and the embedded simulator's
    /// data are then all DIR's.
    #[arg(long, value_name = "DIR")]
    pub chdir: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub core: CoreArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check spec files (.tf or .json) and report every problem.
    Validate(validate::ValidateArgs),
    /// Plan spec files against what Kasm has (or a saved list of images) and the state.
    Plan(plan::PlanArgs),
    /// Apply spec files, or a saved plan, to Kasm.
    Apply(apply::ApplyArgs),
    /// Delete everything the state manages (`apply -destroy`): sessions
    /// first, then memberships and links, then users, images and groups.
    Destroy(apply::ApplyArgs),
    /// Who may launch what: each user and image, the groups that grant it,
    /// now and once the configuration is applied (--user, --image, --json).
    Access(access::AccessArgs),
    /// Show a plan saved by `plan --out`.
    Show(show::ShowArgs),
    /// Print the outputs the last apply recorded (all, or one by name; -json, -raw).
    Output(output::OutputArgs),
    /// Print the order an apply of the plan follows, as Graphviz DOT.
    Graph(graph::GraphArgs),
    /// Bind an existing image, group, link, user, membership or session to an address in the state.
    Import(import::ImportArgs),
    /// Write a configuration for the images already on Kasm and bind them, so the next plan is empty.
    Adopt(adopt::AdoptArgs),
    /// List images, filtered like the kasm_images data source.
    Images(images::ImagesArgs),
    /// List groups, filtered like the kasm_groups data source, with the images each may launch.
    Groups(groups::GroupsArgs),
    /// Inspect or edit the state.
    State(state::StateArgs),
    /// Check specs or plans against a policy.
    Policy(policy::PolicyCommand),
    /// Keep separate states (staging, production) in one backend.
    Workspace(workspace::WorkspaceArgs),
    /// Rewrite HCL files in the canonical layout (terraform fmt's): -check, -diff, -recursive, - for standard input.
    Fmt(fmt::FmtArgs),
    /// Print every resource type's arguments and every diagnostic code as JSON (or, with --json-schema, the JSON Schema of .json specs).
    Schema(schema::SchemaArgs),
    /// Print a shell's completion script (e.g. `kasm-plan completions bash > /etc/bash_completion.d/kasm-plan`).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff; `kasm-plan man | man -l -`).
    Man,
    /// Print the version and the formats this build reads and writes.
    Version {
        /// As JSON (Terraform's `version -json`).
        #[arg(long)]
        json: bool,
    },
}

impl Cli {
    /// Parses a command line. Terraform's single-dash `-var` and `-var-file`
    /// are accepted, and their command-line order (their precedence) is kept.
    pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Cli, clap::Error> {
        // Everything after `--` is taken literally.
        let mut literal = false;
        let args = args.into_iter().enumerate().map(|(i, arg)| {
            if i == 0 || literal {
                return arg;
            }
            literal = arg == "--";
            terraform_flag(arg)
        });
        let matches = Cli::command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        if let Some(config) = cli.command.config_mut() {
            let leaf = leaf(&matches);
            let indices = |id: &str| -> Vec<usize> {
                leaf.try_get_raw(id)
                    .ok()
                    .flatten()
                    .map_or_else(Vec::new, |_| {
                        leaf.indices_of(id)
                            .map(Iterator::collect)
                            .unwrap_or_default()
                    })
            };
            config.set_order(&indices("vars"), &indices("var_files"));
        }
        Ok(cli)
    }
}

impl Command {
    /// The configuration arguments of the commands that read one.
    fn config_mut(&mut self) -> Option<&mut configuration::ConfigArgs> {
        match self {
            Command::Validate(a) => Some(&mut a.config),
            Command::Plan(a) => Some(&mut a.source.config),
            Command::Graph(a) => Some(&mut a.source.config),
            Command::Access(a) => Some(&mut a.source.config),
            Command::Apply(a) | Command::Destroy(a) => Some(&mut a.config),
            Command::Policy(p) => {
                let policy::PolicySub::Check(a) = &mut p.command;
                Some(&mut a.config)
            }
            _ => None,
        }
    }
}

/// The innermost subcommand's matches.
fn leaf(m: &ArgMatches) -> &ArgMatches {
    match m.subcommand() {
        Some((_, sub)) => leaf(sub),
        None => m,
    }
}

/// Terraform's single-dash spelling of a long option, as the double-dash one:
/// `-auto-approve`, `-out=tfplan`, `-lock-timeout=10s`, `-var x=1`. A single
/// letter (`-h`) and `-` (standard input) stay as they are.
fn terraform_flag(arg: OsString) -> OsString {
    let Some(text) = arg.to_str() else { return arg };
    let mut chars = text.chars();
    let long = chars.next() == Some('-')
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-');
    if long { format!("-{text}").into() } else { arg }
}

/// Terraform's durations (Go's syntax, read by the core's one parser: `10s`,
/// `1m30s`, `500ms`); a bare number is seconds.
pub fn duration(text: &str) -> Result<std::time::Duration, String> {
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(std::time::Duration::from_secs(seconds));
    }
    let parsed = kasm_plan_core::lang::functions::go_duration(text)
        .map_err(|e| format!("`{text}` is not a duration ({e}); write e.g. 10s, 1m30s or 500ms"))?;
    u64::try_from(parsed.whole_nanoseconds())
        .map(std::time::Duration::from_nanos)
        .map_err(|_| {
            format!("`{text}` is not a duration this long wait can take (negative, or too long)")
        })
}

/// What a command asks the process to exit with.
pub type Outcome = Result<ExitCode, CliError>;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    if let Some(dir) = &cli.chdir
        && let Err(e) = std::env::set_current_dir(dir)
    {
        eprintln!("Error: -chdir: cannot change to {}: {e}", dir.display());
        return ExitCode::from(1);
    }
    if cli.core.compact_warnings {
        render::compact_warnings();
    }
    let result = match cli.command {
        Command::Validate(args) => validate::run(&cli.core, &args),
        Command::Plan(args) => plan::run(&cli.core, &args),
        Command::Show(args) => show::run(&cli.core, &args),
        Command::Output(args) => output::run(&cli.core, &args),
        Command::Graph(args) => graph::run(&cli.core, &args),
        Command::Access(args) => access::run(&cli.core, &args),
        Command::Images(args) => images::run(&cli.core, &args),
        Command::Groups(args) => groups::run(&cli.core, &args),
        Command::Apply(args) => apply::run(&cli.core, &args),
        Command::Destroy(mut args) => {
            args.narrowing.destroy = true;
            apply::run(&cli.core, &args)
        }
        Command::Import(args) => import::run(&cli.core, &args),
        Command::Adopt(args) => adopt::run(&cli.core, &args),
        Command::Workspace(args) => workspace::run(&cli.core, &args),
        Command::Schema(args) => schema::run(&cli.core, &args),
        Command::Fmt(args) => fmt::run(&cli.core, &args),
        // Into a buffer, then printed: a closed pipe ends the run as for every command.
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "kasm-plan", &mut script);
            print!("{}", String::from_utf8_lossy(&script));
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map(|()| {
                    print!("{}", String::from_utf8_lossy(&page));
                    ExitCode::SUCCESS
                })
                .map_err(|e| CliError::Stop(format!("cannot render the manual page: {e}")))
        }
        Command::Version { json } => version(json),
        Command::State(args) => state::run(&cli.core, &args),
        Command::Policy(args) => policy::run(&cli.core, &args),
    };
    result.unwrap_or_else(|error| {
        eprintln!("Error: {error}");
        ExitCode::from(1)
    })
}

/// `version`: this build, its platform and the formats it reads and writes.
fn version(json: bool) -> Outcome {
    let platform = format!(
        "{}_{}",
        std::env::consts::OS,
        match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            other => other,
        }
    );
    let state = kasm_plan_core::state::STATE_VERSION;
    let plan = saved::VERSION;
    if json {
        let v = serde_json::json!({
            "kasm_plan_version": env!("CARGO_PKG_VERSION"),
            "platform": platform,
            "state_format": state,
            "plan_format": plan,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "kasm-plan v{}\non {platform}\nstate format {state}, plan format {plan}",
            env!("CARGO_PKG_VERSION")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The async runtime for commands that talk to Kasm.
fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Stop(format!("cannot start the runtime: {e}")))
}

//! `kasm-plan groups [--name PATTERN] [--images]`

use super::render;
use super::server::{ServerArgs, read_links, with_kasm};
use super::{CliError, CoreArgs, Outcome};
use kasm_plan_core::facade::GroupFilterRequest;
use kasm_plan_core::group::GroupImage;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `groups`.
#[derive(Debug, clap::Args)]
pub struct GroupsArgs {
    /// Keep groups whose name matches: exact, or a glob with `*`, `?`, `[...]`.
    #[arg(long, value_name = "PATTERN")]
    pub name: Option<String>,
    /// Also read which images each group may launch (one request per group).
    #[arg(long)]
    pub images: bool,
    /// Print `{"groups": [...]}` (each with its `images` when read).
    #[arg(long)]
    pub json: bool,
    /// The state file, beside which the embedded simulator keeps its data.
    #[arg(long, value_name = "PATH", default_value = crate::state_file::DEFAULT)]
    pub state: PathBuf,
    #[command(flatten)]
    pub server: ServerArgs,
}

/// The `kasm_groups` data source over the live server.
pub fn run(core: &CoreArgs, args: &GroupsArgs) -> Outcome {
    let mut core = core.open()?;
    let (groups, links) =
        super::runtime()?.block_on(with_kasm(&args.server, &args.state, async |kasm| {
            let context = format!("cannot read the groups from {}", kasm.url());
            let groups = kasm.groups().await.map_err(CliError::kasm(context))?;
            let answer = core.filter_groups(GroupFilterRequest {
                groups,
                name: args.name.clone(),
            })?;
            if let Some(d) = answer.diagnostics.first() {
                return Err(CliError::Stop(format!("--name: {}", d.message)));
            }
            let mut links: Vec<Vec<GroupImage>> = Vec::new();
            if args.images {
                for g in &answer.groups {
                    links.push(read_links(kasm, g).await?);
                }
            }
            Ok((answer.groups, links))
        }))?;
    if args.json {
        let listed: Vec<serde_json::Value> = groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let mut v = serde_json::to_value(g).unwrap_or_default();
                if let (Some(o), Some(l)) = (v.as_object_mut(), links.get(i)) {
                    o.insert("images".into(), serde_json::to_value(l).unwrap_or_default());
                }
                v
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "groups": listed }))?
        );
    } else {
        print!(
            "{}",
            render::groups(&groups, args.images.then_some(links.as_slice()))
        );
    }
    Ok(ExitCode::SUCCESS)
}

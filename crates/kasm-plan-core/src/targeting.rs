//! `-target` and `-replace`: the addresses a command line names, checked,
//! and the instances a targeted plan covers.
//!
//! As Terraform: a target names a resource (every instance) or one instance,
//! and the plan covers what the targets name and everything they depend on,
//! through references (a link's group and image) and `depends_on`. What is
//! left out is neither planned nor applied; the state keeps it as it was.

use crate::address::{names, resource_of};
use crate::change::Plan;
use crate::diagnostic::{Code, Diagnostic};
use crate::group::{LinkSpec, Target};
use crate::lang::depends::DependsOn;
use crate::names::did_you_mean;
use crate::schema::tables::{parse_address, type_names};
use crate::step::Step;
use std::collections::BTreeSet;

/// Whether `text` is a managed resource's or instance's address:
/// `kasm_image.web`, `kasm_group_image.dev["chrome"]`.
pub fn is_address(text: &str) -> bool {
    parse_address(text).is_some()
}

/// The errors for `-target` and `-replace` values that are not addresses.
pub fn check_syntax(targets: &[String], replace: &[String]) -> Vec<Diagnostic> {
    let flagged = targets
        .iter()
        .map(|t| ("-target", t))
        .chain(replace.iter().map(|r| ("-replace", r)));
    flagged
        .filter(|(_, text)| !is_address(text))
        .map(|(flag, text)| {
            Diagnostic::error(
                Code::InvalidAddress,
                format!("{flag}={text} is not a resource address"),
            )
            .help(format!(
                "write a managed resource or one of its instances: `kasm_image.web`, \
                 `kasm_group_image.dev[\"chrome\"]` (types: {})",
                type_names().collect::<Vec<_>>().join(", ")
            ))
        })
        .collect()
}

/// A warning for each `-target` or `-replace` address that names no
/// instance of the configuration or the state.
pub fn unmatched(
    targets: &[String],
    replace: &[String],
    known: &BTreeSet<String>,
) -> Vec<Diagnostic> {
    let candidates = || known.iter().map(String::as_str);
    let targeted = targets
        .iter()
        .filter(|t| is_address(t) && !candidates().any(|a| names(t, a)))
        .map(|t| ("-target", t));
    let replaced = replace
        .iter()
        .filter(|r| is_address(r) && !known.contains(*r))
        .map(|r| ("-replace", r));
    targeted
        .chain(replaced)
        .map(|(flag, text)| {
            let warning = Diagnostic::warning(
                Code::UnmatchedAddress,
                format!("{flag}={text} names nothing in the configuration or the state"),
            );
            match did_you_mean(text, candidates()) {
                Some(near) => warning.help(format!("did you mean {near}?")),
                None if flag == "-replace" => warning
                    .help("name one instance: `kasm_image.pool[0]` replaces one of a `count`"),
                None => warning.help("`kasm-plan state list` lists the addresses in the state"),
            }
        })
        .collect()
}

/// The warning every targeted plan and apply carries, as Terraform's does.
pub fn in_effect() -> Diagnostic {
    Diagnostic::warning(
        Code::ResourceTargeting,
        "resource targeting is in effect: the plan covers only the targeted resources \
         and what they depend on, so it may not show every change the configuration asks for",
    )
    .help(
        "use -target for exceptions only (recovering from a fault, or where a message \
         suggests it); run a plan without it afterwards",
    )
}

/// The instances a targeted plan covers: those the targets name, and what
/// they depend on, transitively.
pub struct Covered {
    addresses: BTreeSet<String>,
}

impl Covered {
    /// From the targets over every known instance, the links (whose group
    /// and image they reference) and `depends_on`.
    pub fn of(
        targets: &[String],
        known: &BTreeSet<String>,
        links: &[LinkSpec],
        depends_on: &DependsOn,
    ) -> Covered {
        let mut addresses = BTreeSet::new();
        let mut work: Vec<&str> = known
            .iter()
            .filter(|a| targets.iter().any(|t| names(t, a)))
            .map(String::as_str)
            .collect();
        while let Some(address) = work.pop() {
            if !addresses.insert(address.to_owned()) {
                continue;
            }
            let referenced = links
                .iter()
                .filter(|l| l.address == address)
                .flat_map(|l| [&l.group, &l.image])
                .filter_map(|t| match t {
                    Target::Managed(a) => Some(a.as_str()),
                    Target::Id(_) | Target::Name(_) => None,
                });
            let depended = depends_on
                .get(resource_of(address))
                .into_iter()
                .flatten()
                .flat_map(|r| known.iter().filter(move |a| names(r, a)))
                .map(String::as_str);
            work.extend(referenced.chain(depended));
        }
        Covered { addresses }
    }

    /// Whether the plan covers an instance.
    pub fn covers(&self, address: &str) -> bool {
        self.addresses.contains(address)
    }

    /// The plan without what it does not cover, its counts made again.
    pub fn narrow(&self, plan: &mut Plan) {
        plan.resource_changes.retain(|c| self.covers(&c.address));
        plan.resource_drift.retain(|d| self.covers(&d.address));
        plan.duplicates.retain(|d| self.covers(&d.address));
        plan.extra_links.retain(|x| self.covers(&x.image_address));
        plan.summary.import = plan
            .resource_changes
            .iter()
            .filter(|c| c.importing.is_some())
            .count();
        plan.count();
    }

    /// The steps of covered instances.
    pub fn steps(&self, steps: Vec<Step>) -> Vec<Step> {
        steps
            .into_iter()
            .filter(|s| self.covers(s.address()))
            .collect()
    }
}

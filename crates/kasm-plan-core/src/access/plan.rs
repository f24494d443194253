//! Plans every access type against the state and what Kasm shows: groups,
//! links, users, memberships and sessions, each by the one planner of
//! `access/objects`, from its table, after the types it refers to. What is
//! Kasm's own stays here: a link's group may be named (`group_name`,
//! looked up in the configuration, then on Kasm), a user's `groups`, and
//! the links of managed images that no link declares (an exclusive image's
//! are revoked).

use super::user_groups;
use super::{GROUP_TYPE, MEMBERSHIP_TYPE, USER_TYPE};
pub use crate::change::{AccessPlan, AttributeChange, Change, ExtraLink, GroupPart};
use crate::change::{Action, Reason};
use crate::diagnostic::{Code, Diagnostic};
use crate::group::ALL_USERS;
use crate::group::{Access, GroupSpec, LinkSpec, Target, same_id};
use crate::names::did_you_mean;
use crate::schema::tables;
use crate::state::State;
use std::collections::{BTreeMap, BTreeSet};

/// What groups and links are planned from.
pub struct AccessInputs<'a> {
    /// The `kasm_group` instances.
    pub groups: &'a [GroupSpec],
    /// The `kasm_group_image` instances.
    pub links: &'a [LinkSpec],
    /// Images whose declared links are the complete list.
    pub exclusive: &'a BTreeSet<String>,
    /// The state.
    pub state: &'a State,
    /// Kasm's groups and links.
    pub access: &'a Access,
    /// The image plan, for the ids of managed images.
    pub images: &'a [Change],
    /// Instances to replace although nothing forces it (`-replace`).
    pub replace: &'a [String],
    /// The `kasm_user`, `kasm_group_membership` and `kasm_session` instances.
    pub objects: &'a [crate::object::ObjectSpec],
}

use super::objects::{self, Resolved};
use crate::object::ObjectSpec;

/// Plans every group and link in the configuration or the state.
pub fn plan_access(inputs: &AccessInputs) -> Result<AccessPlan, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let groups: Vec<ObjectSpec> = inputs.groups.iter().map(GroupSpec::to_object).collect();
    let mut changes: Vec<Change> = objects::plan_type(
        tables::GROUP,
        &groups,
        inputs.state,
        inputs.access,
        &BTreeMap::new(),
        &mut errors,
    )
    .into_iter()
    .map(|change| replaced_on_request(change, inputs.replace))
    .collect();
    let group_ids: BTreeMap<String, Resolved> = changes
        .iter()
        .map(|c| (c.address.clone(), Resolved::of(c)))
        .collect();
    let image_ids: BTreeMap<&str, Resolved> = inputs
        .images
        .iter()
        .map(|c| {
            let r = match (c.action, &c.id) {
                (Action::Create | Action::Replace, _) | (_, None) => {
                    Resolved::Pending(c.address.clone())
                }
                (_, Some(id)) => Resolved::Known(id.clone()),
            };
            (c.address.as_str(), r)
        })
        .collect();
    let resolver = Resolver {
        inputs,
        groups: &group_ids,
        images: &image_ids,
    };
    let mut ids = group_ids.clone();
    ids.extend(image_ids.iter().map(|(a, r)| ((*a).to_owned(), r.clone())));
    // A link's group may be named: resolved here (Kasm's rule), then the
    // link is planned by its table as any pair.
    let mut declared: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut links = Vec::new();
    for spec in inputs.links {
        match resolver.link(spec) {
            // The image is resolved again by the planner, from `ids`.
            Ok((group, _)) => {
                if let (Resolved::Known(g), Some(image_address)) = (&group, managed(&spec.image)) {
                    declared
                        .entry(image_address.to_owned())
                        .or_default()
                        .insert(g.clone());
                }
                let name = group_name(inputs, &group);
                links.push(spec.object(Some(group.target()), name));
            }
            Err(e) => errors.push(*e),
        }
    }
    let planned = objects::plan_type(
        tables::LINK,
        &links,
        inputs.state,
        inputs.access,
        &ids,
        &mut errors,
    );
    changes.extend(
        planned
            .into_iter()
            .map(|change| replaced_on_request(change, inputs.replace)),
    );
    for table in tables::MANAGED.iter().filter(|t| t.type_name != GROUP_TYPE) {
        let planned = objects::plan_type(
            table,
            inputs.objects,
            inputs.state,
            inputs.access,
            &ids,
            &mut errors,
        );
        for change in planned {
            let change = replaced_on_request(change, inputs.replace);
            ids.insert(change.address.clone(), Resolved::of(&change));
            changes.push(change);
        }
    }
    plan_user_groups(&mut changes, &resolver, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let removed: BTreeSet<(String, String)> = changes
        .iter()
        .filter(|c| matches!(c.action, Action::Delete | Action::Replace))
        .filter_map(|c| inputs.state.link(&c.address))
        .map(|r| (r.group_id, r.image_id))
        .collect();
    let kept: BTreeMap<&str, Resolved> = inputs
        .images
        .iter()
        .filter(|c| c.action != Action::Delete)
        .filter_map(|c| {
            Some((
                c.address.as_str(),
                image_ids.get(c.address.as_str())?.clone(),
            ))
        })
        .collect();
    let extra = extra_links(inputs, &kept, &declared, &removed);
    Ok(AccessPlan { changes, extra })
}

/// Each user's `groups`, as parts of its change; a membership of a user
/// whose `groups` lists them all is an error.
fn plan_user_groups(changes: &mut [Change], resolver: &Resolver, errors: &mut Vec<Diagnostic>) {
    let inputs = resolver.inputs;
    let specs: BTreeMap<&str, &ObjectSpec> = inputs
        .objects
        .iter()
        .map(|o| (o.address.as_str(), o))
        .collect();
    let spec = |address: &str| specs.get(address).copied();
    for change in changes.iter_mut().filter(|c| c.resource_type == USER_TYPE) {
        let Some(spec) = spec(&change.address) else {
            continue;
        };
        let record = inputs.state.objects.get(&change.address);
        let resolve = |name: &str| resolver.group_named((&spec.address, "groups"), name);
        user_groups::plan(change, spec, record, inputs.access, resolve, errors);
    }
    let claimed = |user: &Target| {
        let address = match user {
            Target::Managed(address) => Some(address.as_str()),
            Target::Id(id) => inputs
                .state
                .objects
                .iter()
                .find(|(a, r)| crate::address::type_of(a) == Some(USER_TYPE) && same_id(&r.id, id))
                .map(|(a, _)| a.as_str()),
            Target::Name(_) => None,
        }?;
        spec(address)
            .filter(|s| user_groups::claims_memberships(s))
            .map(|s| s.address.clone())
    };
    for membership in inputs
        .objects
        .iter()
        .filter(|o| o.resource_type == MEMBERSHIP_TYPE)
    {
        if let Some(user) = membership.refs.get("user_id").and_then(claimed) {
            errors.push(user_groups::conflict(&membership.address, &user));
        }
    }
}

/// The name of a link's group: Kasm's, or the managed group's.
fn group_name(inputs: &AccessInputs, group: &Resolved) -> Option<String> {
    match group {
        Resolved::Known(id) => inputs.access.group(id).map(|g| g.name.clone()),
        Resolved::Pending(address) => inputs
            .groups
            .iter()
            .find(|g| &g.address == address)
            .map(|g| g.name.clone()),
    }
}

fn managed(target: &Target) -> Option<&str> {
    match target {
        Target::Managed(a) => Some(a),
        _ => None,
    }
}

struct Resolver<'a> {
    inputs: &'a AccessInputs<'a>,
    groups: &'a BTreeMap<String, Resolved>,
    images: &'a BTreeMap<&'a str, Resolved>,
}

impl Resolver<'_> {
    fn link(&self, spec: &LinkSpec) -> Result<(Resolved, Resolved), Box<Diagnostic>> {
        let group = self.group(spec)?;
        let image = match &spec.image {
            Target::Id(id) => Resolved::Known(id.clone()),
            Target::Managed(a) => self.images.get(a.as_str()).cloned().ok_or_else(|| {
                unresolved(spec, "image_id", format!("{a} is not in the configuration"))
            })?,
            Target::Name(_) => {
                return Err(unresolved(
                    spec,
                    "image_id",
                    "an image is named by id".into(),
                ));
            }
        };
        Ok((group, image))
    }

    fn group(&self, spec: &LinkSpec) -> Result<Resolved, Box<Diagnostic>> {
        match &spec.group {
            Target::Id(id) => Ok(Resolved::Known(id.clone())),
            Target::Managed(a) => self.groups.get(a).cloned().ok_or_else(|| {
                unresolved(spec, "group_id", format!("{a} is not in the configuration"))
            }),
            Target::Name(name) => self.group_named((&spec.address, "group_name"), name),
        }
    }

    /// A managed group of that name first (it may not exist yet), then
    /// Kasm's. `at`: the address and argument that name it.
    fn group_named(&self, at: (&str, &str), name: &str) -> Result<Resolved, Box<Diagnostic>> {
        if let Some(g) = self.inputs.groups.iter().find(|g| g.name == name) {
            return Ok(self.groups[&g.address].clone());
        }
        if let Some(g) = self.inputs.access.groups.iter().find(|g| g.name == name) {
            return Ok(Resolved::Known(g.group_id.clone()));
        }
        let names: Vec<&str> = self
            .inputs
            .groups
            .iter()
            .map(|g| g.name.as_str())
            .chain(self.inputs.access.groups.iter().map(|g| g.name.as_str()))
            .collect();
        let close: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| n.eq_ignore_ascii_case(name))
            .collect();
        let help = match close.as_slice() {
            [] => did_you_mean(name, names.iter().copied()).map_or_else(
                || format!("groups on Kasm: {}", list(&names)),
                |s| format!("did you mean \"{s}\"? Groups on Kasm: {}", list(&names)),
            ),
            one_or_more => format!(
                "names are exact; {} differs only in case",
                list(one_or_more)
            ),
        };
        Err(Box::new(
            Diagnostic::error(Code::UnknownGroup, format!("no group is named \"{name}\""))
                .at(at.0, at.1)
                .help(help),
        ))
    }
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn unresolved(spec: &LinkSpec, field: &str, why: String) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(Code::UnknownReference, format!("`{field}`: {why}"))
            .at(&spec.address, field),
    )
}

// ---- groups ----

/// A change to an instance named by `-replace`: an update or a no-op
/// becomes a replace. A replaced group's id is known only after apply.
fn replaced_on_request(mut change: Change, replace: &[String]) -> Change {
    if !matches!(change.action, Action::NoOp | Action::Update) || !replace.contains(&change.address)
    {
        return change;
    }
    let mut after = change
        .after
        .take()
        .or_else(|| change.before.clone())
        .unwrap_or_default();
    if let Some(own_id) = tables::resource(&change.resource_type).and_then(|t| t.id_alias) {
        for unknown in [own_id, "id"] {
            after.remove(unknown);
            change.after_unknown.push(unknown.into());
        }
    }
    Change {
        action: Action::Replace,
        reason: Some(Reason::ReplaceByRequest),
        after: Some(after),
        ..change
    }
}

/// What changed on Kasm since the state recorded it: groups deleted or
/// changed outside (name, priority, description), links whose every row is
/// gone, and the other table-driven types'. Each as a change from the
/// recorded values to Kasm's.
pub fn drift(state: &State, access: &Access) -> Vec<Change> {
    let (groups, others) = objects::split_groups();
    objects::drift(&groups, state, access)
        .into_iter()
        .chain(objects::drift(&[tables::LINK], state, access))
        .chain(objects::drift(&others, state, access))
        .collect()
}

/// Links on Kasm of managed images that no link declares; for exclusive
/// images, marked to revoke (and, for images created in this run, the All
/// Users link Kasm may add).
fn extra_links(
    inputs: &AccessInputs,
    images: &BTreeMap<&str, Resolved>,
    declared: &BTreeMap<String, BTreeSet<String>>,
    removed: &BTreeSet<(String, String)>,
) -> Vec<ExtraLink> {
    let none = BTreeSet::new();
    let mut out = Vec::new();
    for (&address, resolved) in images {
        let exclusive = inputs.exclusive.contains(address);
        let groups = declared.get(address).unwrap_or(&none);
        let is_declared = |g: &str| groups.iter().any(|d| same_id(d, g));
        match resolved {
            Resolved::Known(image_id) => {
                let mut seen = BTreeSet::new();
                for link in inputs
                    .access
                    .links
                    .iter()
                    .filter(|l| same_id(&l.image_id, image_id) && !is_declared(&l.group_id))
                    .filter(|l| !removed.contains(&(l.group_id.clone(), l.image_id.clone())))
                {
                    if seen.insert(link.group_id.clone()) {
                        out.push(ExtraLink {
                            image_address: address.to_owned(),
                            image_id: Some(image_id.clone()),
                            group_id: link.group_id.clone(),
                            group_name: inputs
                                .access
                                .group(&link.group_id)
                                .map(|g| g.name.clone())
                                .or_else(|| link.group_name.clone()),
                            revoke: exclusive,
                        });
                    }
                }
            }
            Resolved::Pending(_) if exclusive && !is_declared(ALL_USERS) => out.push(ExtraLink {
                image_address: address.to_owned(),
                image_id: None,
                group_id: ALL_USERS.into(),
                group_name: Some(crate::group::ALL_USERS_NAME.into()),
                revoke: true,
            }),
            Resolved::Pending(_) => {}
        }
    }
    out
}

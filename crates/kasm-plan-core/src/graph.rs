//! The order of an apply: which steps must finish before a step starts, and
//! a walk over that order. Pure: the host starts what [`Walk::start_ready`]
//! hands out, as many at once as its parallelism allows, and reports each
//! result back; a step that fails skips every step that waits for it.
//!
//! The edges, built from the steps and the plan as Terraform builds its
//! graph, in small passes:
//! - references: a link waits for the creates of the image and group it names;
//! - replace order: a replaced instance is made after its old object is gone;
//! - destroy order: an image or group is deleted after the links that name it;
//! - `depends_on`: a create or update waits for those of what it depends on,
//!   and a delete of what it depends on waits for its delete (reversed);
//! - unique names: a group that takes a name waits for the delete or rename
//!   of the group that holds it;
//! - a duplicate of an address is deleted after the address's own create;
//! - a session starts after the memberships and links the run adds (a
//!   user's `groups` included);
//! - a user joins its groups after its create and theirs.

use crate::address::{GROUP_TYPE, LINK_TYPE, MEMBERSHIP_TYPE, SESSION_TYPE, resource_of, type_of};
use crate::change::{Action, Plan};
use crate::group::{LinkSpec, Target, same_id};
use crate::lang::depends::DependsOn;
use crate::object::ObjectSpec;
use crate::state::State;
use crate::step::CallKind;
use crate::step::Step;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// For each step, the indexes of the steps that must finish before it starts.
pub type After = Vec<Vec<u32>>;

/// The order of `steps` (in the answer's order), from the steps themselves,
/// the plan they carry out and the configuration's `depends_on`.
pub fn order(steps: &[Step], plan: &Plan, depends_on: &DependsOn) -> After {
    let index = Index::of(steps, plan);
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let mut before: BTreeSet<usize> = BTreeSet::new();
            before.extend(index.references(step));
            before.extend(index.replace_order(step));
            before.extend(index.destroy_order(step));
            before.extend(index.depends_on(step, depends_on));
            before.extend(index.names(step));
            before.extend(index.on_behalf(step));
            before.extend(index.grants(step));
            before.remove(&i);
            before
                .into_iter()
                .filter_map(|j| u32::try_from(j).ok())
                .collect()
        })
        .collect()
}

/// Every configured resource (of `instances`) → the resources it depends
/// on: its `depends_on` and, for a link, the managed group and image it
/// names. The state records this per instance
/// ([`State::record_dependencies`]).
pub fn dependencies<'a>(
    instances: impl IntoIterator<Item = &'a str>,
    links: &[LinkSpec],
    objects: &[ObjectSpec],
    depends_on: &DependsOn,
) -> DependsOn {
    let mut out: DependsOn = instances
        .into_iter()
        .map(|address| {
            let resource = resource_of(address);
            let declared = depends_on.get(resource).cloned().unwrap_or_default();
            (resource.to_owned(), declared)
        })
        .collect();
    let named = links
        .iter()
        .map(|l| (&l.address, vec![&l.group, &l.image]))
        .chain(
            objects
                .iter()
                .map(|o| (&o.address, o.refs.values().collect())),
        );
    for (address, targets) in named {
        let managed = targets.into_iter().filter_map(|t| match t {
            Target::Managed(address) => Some(resource_of(address).to_owned()),
            Target::Id(_) | Target::Name(_) => None,
        });
        out.entry(resource_of(address).to_owned())
            .or_default()
            .extend(managed);
    }
    out
}

/// The `depends_on` an apply is ordered by: the configuration's, and for each
/// resource the configuration no longer has, what the state recorded of its
/// instances, so its destroy keeps the order it was made in.
pub fn with_recorded(depends_on: &DependsOn, configured: &DependsOn, state: &State) -> DependsOn {
    let mut out = depends_on.clone();
    for (address, recorded) in &state.dependencies {
        let resource = resource_of(address);
        if !configured.contains_key(resource) {
            out.entry(resource.to_owned())
                .or_default()
                .extend(recorded.iter().cloned());
        }
    }
    out
}

/// The steps that can never start because they wait for each other, directly
/// or through others; empty when the order has no cycle.
pub fn cycle(after: &[Vec<u32>]) -> Vec<usize> {
    let mut walk = Walk::new(after);
    loop {
        let ready = walk.start_ready();
        if ready.is_empty() {
            break;
        }
        ready.into_iter().for_each(|i| walk.done(i));
    }
    walk.waiting().collect()
}

/// The steps by what they do to which address.
struct Index<'a> {
    steps: &'a [Step],
    /// Instance address → the steps that create or update it.
    makes: BTreeMap<&'a str, Vec<usize>>,
    /// Resource address → the steps that create or update its instances.
    makes_resource: BTreeMap<&'a str, Vec<usize>>,
    /// Resource address → the steps that delete its instances.
    destroys_resource: BTreeMap<&'a str, Vec<usize>>,
    /// Instance address → the steps that delete what it records.
    removals: BTreeMap<&'a str, Vec<usize>>,
    /// Group name → the steps that give it up (a delete, a rename).
    frees_name: BTreeMap<&'a str, Vec<usize>>,
    /// Group address → its name before the plan.
    group_names: BTreeMap<&'a str, &'a str>,
}

impl<'a> Index<'a> {
    fn of(steps: &'a [Step], plan: &'a Plan) -> Self {
        let group_names: BTreeMap<&str, &str> = plan
            .access_changes()
            .filter(|c| matches!(c.action, Action::Delete | Action::Update))
            .filter_map(|c| {
                let name = c.before.as_ref()?.get("name")?.as_str()?;
                Some((c.address.as_str(), name))
            })
            .collect();
        let mut index = Index {
            steps,
            makes: BTreeMap::new(),
            makes_resource: BTreeMap::new(),
            destroys_resource: BTreeMap::new(),
            removals: BTreeMap::new(),
            frees_name: BTreeMap::new(),
            group_names,
        };
        for (i, step) in steps.iter().enumerate() {
            let address = step.address();
            if makes(step) {
                index.makes.entry(address).or_default().push(i);
                index
                    .makes_resource
                    .entry(resource_of(address))
                    .or_default()
                    .push(i);
            }
            if destroys(step) {
                index.removals.entry(address).or_default().push(i);
                index
                    .destroys_resource
                    .entry(resource_of(address))
                    .or_default()
                    .push(i);
            }
            if let Some(name) = index.freed_name(step) {
                index.frees_name.entry(name).or_default().push(i);
            }
        }
        index
    }

    /// A link or a membership waits for the creates of the resources it names.
    fn references(&self, step: &Step) -> Vec<usize> {
        let named: Vec<&Target> = match step {
            Step::Call(call) if call.kind != CallKind::Delete => call.ids.values().collect(),
            _ => return Vec::new(),
        };
        named
            .into_iter()
            .filter_map(|t| match t {
                Target::Managed(address) => self.makes.get(address.as_str()),
                Target::Id(_) | Target::Name(_) => None,
            })
            .flatten()
            .copied()
            .collect()
    }

    /// A replaced instance is made again after its old object is gone: a
    /// link's new row, an image or group named by `-replace`.
    fn replace_order(&self, step: &Step) -> Vec<usize> {
        if !makes(step) {
            return Vec::new();
        }
        self.removals
            .get(step.address())
            .cloned()
            .unwrap_or_default()
    }

    /// An image, group or user is deleted after the links and memberships
    /// that name it.
    fn destroy_order(&self, step: &Step) -> Vec<usize> {
        let is = |target: &Target, id: &str| matches!(target, Target::Id(t) if same_id(t, id));
        let deleted = match step {
            Step::Call(call) if call.kind == CallKind::Delete => match &call.id {
                Some(id) => id,
                None => return Vec::new(),
            },
            _ => return Vec::new(),
        };
        let removes = |s: &Step| match s {
            Step::Call(c)
                if matches!(
                    c.kind,
                    CallKind::Delete | CallKind::Detach | CallKind::Remove
                ) =>
            {
                c.ids.values().any(|t| is(t, deleted))
            }
            _ => false,
        };
        self.steps
            .iter()
            .enumerate()
            .filter(|(_, s)| removes(s))
            .map(|(j, _)| j)
            .collect()
    }

    /// `depends_on`: creates and updates after those of what they depend on;
    /// deletes of what is depended on after the deletes of its dependents.
    fn depends_on(&self, step: &Step, depends_on: &DependsOn) -> Vec<usize> {
        let resource = resource_of(step.address());
        let mut out = Vec::new();
        if makes(step) {
            for target in depends_on.get(resource).into_iter().flatten() {
                out.extend(
                    self.makes_resource
                        .get(target.as_str())
                        .into_iter()
                        .flatten(),
                );
            }
        }
        if destroys(step) {
            for (dependent, targets) in depends_on {
                if targets.contains(resource) {
                    out.extend(
                        self.destroys_resource
                            .get(dependent.as_str())
                            .into_iter()
                            .flatten(),
                    );
                }
            }
        }
        out
    }

    /// A group taking a name waits for the group that gives it up.
    fn names(&self, step: &Step) -> Vec<usize> {
        let taken = group_call(step)
            .filter(|g| matches!(g.kind, CallKind::Create | CallKind::Update))
            .and_then(|g| g.record.as_ref()?.text("name"));
        taken
            .and_then(|name| self.frees_name.get(name))
            .cloned()
            .unwrap_or_default()
    }

    /// The name a step gives up: a deleted group's, a renamed group's old one.
    fn freed_name(&self, step: &Step) -> Option<&'a str> {
        let old = self.group_names.get(step.address()).copied();
        let group = group_call(step)?;
        match group.kind {
            CallKind::Delete => old,
            CallKind::Update => {
                let new = group.record.as_ref()?.text("name");
                old.filter(|old| new.is_some_and(|new| new != *old))
            }
            _ => None,
        }
    }

    /// A session starts after every membership and link the run adds: Kasm
    /// checks the user's authorization when it is requested.
    fn grants(&self, step: &Step) -> Vec<usize> {
        let Step::Call(call) = step else {
            return Vec::new();
        };
        if call.kind != CallKind::Create || type_of(&call.address) != Some(SESSION_TYPE) {
            return Vec::new();
        }
        let grants = |s: &Step| match s {
            Step::Call(c) => {
                let adds = |t| c.kind == CallKind::Create && type_of(&c.address) == Some(t);
                c.kind == CallKind::Attach || adds(MEMBERSHIP_TYPE) || adds(LINK_TYPE)
            }
            _ => false,
        };
        self.steps
            .iter()
            .enumerate()
            .filter(|(_, s)| grants(s))
            .map(|(j, _)| j)
            .collect()
    }

    /// A removal on behalf of an address (a duplicate of its image, a link
    /// its image must not have) is sent after the address's own create or
    /// update.
    fn on_behalf(&self, step: &Step) -> Vec<usize> {
        match step {
            Step::Call(c) if c.kind == CallKind::Remove => self
                .makes
                .get(c.address.as_str())
                .cloned()
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

/// Whether the step creates or changes what its address names (a user's
/// group calls only wait for it).
fn makes(step: &Step) -> bool {
    if let Step::Call(call) = step {
        return matches!(call.kind, CallKind::Create | CallKind::Update);
    }
    matches!(step, Step::Create(_) | Step::Adopt(_))
}

/// A group's call (its create, update or delete).
fn group_call(step: &Step) -> Option<&crate::step::CallStep> {
    match step {
        Step::Call(call) if type_of(&call.address) == Some(GROUP_TYPE) => Some(call),
        _ => None,
    }
}

/// Whether the step deletes what its address names.
fn destroys(step: &Step) -> bool {
    matches!(step, Step::Call(call) if call.kind == CallKind::Delete)
}

/// Where a step stands in a walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Waits for other steps to finish.
    Waiting,
    /// Handed out to run.
    Started,
    /// Finished.
    Done,
    /// Failed.
    Failed,
    /// Never started: a step it waits for failed.
    Skipped,
}

/// A walk over an order: which steps may start, given what finished.
/// Indexes out of range are ignored.
#[derive(Clone, Debug)]
pub struct Walk {
    nodes: Vec<Node>,
    /// Steps free to start, in the order they became free.
    ready: VecDeque<usize>,
}

#[derive(Clone, Debug)]
struct Node {
    /// How many of the steps it waits for have not finished.
    pending: usize,
    /// The steps that wait for it.
    dependents: Vec<usize>,
    status: Status,
}

impl Walk {
    /// A walk with nothing started.
    pub fn new(after: &[Vec<u32>]) -> Self {
        let mut nodes: Vec<Node> = after
            .iter()
            .map(|before| Node {
                pending: before.len(),
                dependents: Vec::new(),
                status: Status::Waiting,
            })
            .collect();
        for (i, before) in after.iter().enumerate() {
            for &j in before {
                if let Some(node) = nodes.get_mut(j as usize) {
                    node.dependents.push(i);
                }
            }
        }
        let ready = nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.pending == 0)
            .map(|(i, _)| i)
            .collect();
        Walk { nodes, ready }
    }

    /// The steps that may start now, marked started.
    pub fn start_ready(&mut self) -> Vec<usize> {
        let mut started = Vec::new();
        while let Some(i) = self.ready.pop_front() {
            if let Some(node) = self
                .nodes
                .get_mut(i)
                .filter(|n| n.status == Status::Waiting)
            {
                node.status = Status::Started;
                started.push(i);
            }
        }
        started
    }

    /// A step finished: the steps waiting only for it become ready.
    pub fn done(&mut self, i: usize) {
        let Some(node) = self.nodes.get_mut(i).filter(|n| n.status != Status::Done) else {
            return;
        };
        node.status = Status::Done;
        let dependents = node.dependents.clone();
        for d in dependents {
            if let Some(dependent) = self.nodes.get_mut(d) {
                dependent.pending = dependent.pending.saturating_sub(1);
                if dependent.pending == 0 && dependent.status == Status::Waiting {
                    self.ready.push_back(d);
                }
            }
        }
    }

    /// A step failed: every step that waits for it, directly or through
    /// others, is skipped. Returns the skipped steps.
    pub fn failed(&mut self, i: usize) -> Vec<usize> {
        let Some(node) = self.nodes.get_mut(i) else {
            return Vec::new();
        };
        node.status = Status::Failed;
        let mut queue: VecDeque<usize> = node.dependents.iter().copied().collect();
        let mut skipped = Vec::new();
        while let Some(d) = queue.pop_front() {
            if let Some(dependent) = self
                .nodes
                .get_mut(d)
                .filter(|n| n.status == Status::Waiting)
            {
                dependent.status = Status::Skipped;
                queue.extend(dependent.dependents.iter().copied());
                skipped.push(d);
            }
        }
        skipped
    }

    /// A step's status.
    pub fn status(&self, i: usize) -> Option<Status> {
        self.nodes.get(i).map(|n| n.status)
    }

    /// The steps not started yet (waiting, or ready but not handed out).
    pub fn waiting(&self) -> impl Iterator<Item = usize> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.status == Status::Waiting)
            .map(|(i, _)| i)
    }

    /// Whether every step finished, failed or was skipped.
    pub fn finished(&self) -> bool {
        self.nodes
            .iter()
            .all(|n| matches!(n.status, Status::Done | Status::Failed | Status::Skipped))
    }
}

/// The order as Graphviz DOT: one node per step (`address (verb)`), an edge
/// from each step to each step it waits for, as Terraform's `graph` draws.
pub fn dot(steps: &[Step], after: &[Vec<u32>]) -> String {
    let label = |i: usize| {
        steps
            .get(i)
            .map(|s| format!("{} ({})", s.address(), s.verb()))
            .unwrap_or_default()
    };
    let quote = |text: String| serde_json::Value::String(text).to_string();
    let mut out = String::from(
        "digraph {\n  compound = \"true\"\n  newrank = \"true\"\n  rankdir = \"RL\"\n",
    );
    for i in 0..steps.len() {
        out.push_str(&format!("  {}\n", quote(label(i))));
    }
    for (i, before) in after.iter().enumerate() {
        for &j in before {
            out.push_str(&format!(
                "  {} -> {}\n",
                quote(label(i)),
                quote(label(j as usize))
            ));
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_skips_its_dependents_and_theirs_only() {
        // 0 ← 1 ← 2, and 3 alone.
        let mut walk = Walk::new(&[vec![], vec![0], vec![1], vec![]]);
        assert_eq!(walk.start_ready(), vec![0, 3]);
        assert_eq!(walk.failed(0), vec![1, 2]);
        walk.done(3);
        assert!(walk.start_ready().is_empty());
        assert!(walk.finished());
        assert_eq!(walk.status(2), Some(Status::Skipped));
        assert_eq!(walk.status(3), Some(Status::Done));
    }

    #[test]
    fn a_step_starts_when_all_it_waits_for_are_done() {
        let mut walk = Walk::new(&[vec![], vec![], vec![0, 1]]);
        assert_eq!(walk.start_ready(), vec![0, 1]);
        walk.done(0);
        assert!(walk.start_ready().is_empty());
        walk.done(1);
        assert_eq!(walk.start_ready(), vec![2]);
    }

    #[test]
    fn a_cycle_is_found() {
        assert_eq!(cycle(&[vec![], vec![2], vec![1], vec![2]]), vec![1, 2, 3]);
        assert!(cycle(&[vec![], vec![0], vec![0, 1]]).is_empty());
    }

    #[test]
    fn instance_addresses_belong_to_their_resource() {
        assert_eq!(resource_of("kasm_image.web[\"a\"]"), "kasm_image.web");
        assert_eq!(resource_of("kasm_image.web"), "kasm_image.web");
    }
}

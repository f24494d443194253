//! `plan`: the changes that bring Kasm to the desired specs.

use super::sources::{Authorization, Desired, Wanted, place, wanted};
use crate::access::{Access, AccessInputs, plan_access};
use crate::diagnostic::{Code, Diagnostic, has_errors};
use crate::edits::{self, Edits};
use crate::group::{Group, GroupImage};
use crate::json_text::JsonText;
use crate::lang::Reads;
use crate::lang::depends::DependsOn;
use crate::model::{Image, ImageSpec};
use crate::plan::{Plan, PlanOptions, Summary, address_of};
use crate::state::State;
use crate::targeting::{self, Covered};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// `plan` input.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanRequest {
    /// What should exist.
    pub desired: Desired,
    /// What was applied before; empty when absent.
    #[serde(default)]
    pub state: State,
    /// The images on Kasm now (`get_images`).
    #[serde(default)]
    pub observed: Vec<Image>,
    /// Kasm's groups and links now (`get_groups`, `get_images_group`); needed
    /// when the configuration or the state has groups or links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    /// Treat warnings as errors.
    #[serde(default)]
    pub strict: bool,
    /// Planning options.
    #[serde(default, flatten)]
    pub options: PlanOptions,
    /// Plan without a refresh: ignore `observed` and assume Kasm still holds
    /// what the state recorded (Terraform's `-refresh=false`).
    #[serde(default)]
    pub from_state: bool,
    /// Only bring the state up to date with Kasm: no creates, updates or
    /// deletes (Terraform's `-refresh-only`); the plan lists drift only.
    #[serde(default)]
    pub refresh_only: bool,
    /// Also answer the plan as text (`rendered`), as `render_plan` would
    /// write it: a host that prints the plan need not pass it back.
    #[serde(default)]
    pub render: bool,
}

impl PlanRequest {
    /// A request for `desired` with every other field as a request that
    /// leaves it out gets it: no state, no images, no groups, default options.
    pub fn new(desired: Desired) -> Self {
        PlanRequest {
            desired,
            state: State::default(),
            observed: Vec::new(),
            access: None,
            strict: false,
            options: PlanOptions::default(),
            from_state: false,
            refresh_only: false,
            render: false,
        }
    }
}

/// `plan` output.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanResponse {
    /// A plan was made and nothing blocks it.
    pub ok: bool,
    /// The plan, when the specs were valid and planning succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    /// Validation warnings, and the errors that prevented a plan.
    pub diagnostics: Vec<Diagnostic>,
    /// With `render`, the plan as text, when a plan was made and nothing blocks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendered: Option<String>,
}

impl PlanResponse {
    fn refused(diagnostics: Vec<Diagnostic>) -> Self {
        PlanResponse {
            ok: false,
            plan: None,
            diagnostics,
            rendered: None,
        }
    }

    /// The plan as text, when `req` asks for it and the plan may be applied.
    pub(super) fn rendered(&self, req: &PlanRequest) -> Option<String> {
        let plan = self.plan.as_ref().filter(|_| req.render && self.ok)?;
        Some(crate::render::planned(
            plan,
            req.refresh_only,
            &self.diagnostics,
        ))
    }
}

/// `plan`.
pub fn plan(req: &PlanRequest) -> PlanResponse {
    let mut answer = Planning::new(req).answer;
    answer.rendered = answer.rendered(req);
    answer
}

/// A plan request worked through: the valid specs, the images planned
/// against, and the answer. `apply_steps` continues from here.
pub(super) struct Planning<'a> {
    /// The valid specs by resource name.
    pub desired: BTreeMap<String, ImageSpec>,
    /// The state the plan was made against: the request's, with the moves and
    /// imports the configuration asks for.
    pub edits: Edits,
    /// The images the plan was made against: Kasm's, or the state's without a refresh.
    pub observed: Cow<'a, [Image]>,
    /// The groups and links planned against.
    pub access: Cow<'a, Access>,
    /// The configuration's groups and links.
    pub authorization: Authorization,
    /// Each resource's `depends_on`.
    pub depends_on: DependsOn,
    /// What a `-target` plan covers; everything without targets.
    pub covered: Option<Covered>,
    /// The `plan` answer.
    pub answer: PlanResponse,
    /// A plan refused only because Kasm would refuse some of its sessions:
    /// who may launch what after it is still known.
    pub refused_sessions: Option<Plan>,
}

impl<'a> Planning<'a> {
    pub fn new(req: &'a PlanRequest) -> Self {
        let observed = if req.from_state {
            Cow::Owned(assumed_images(&req.state))
        } else {
            Cow::Borrowed(req.observed.as_slice())
        };
        let (access, unreadable) = match &req.access {
            Some(a) if !req.from_state => (Cow::Borrowed(a), None),
            _ => match assumed_access(&req.state) {
                Ok(a) => (Cow::Owned(a), None),
                Err(e) => (Cow::Owned(Access::default()), Some(e)),
            },
        };
        let reads = Reads {
            images: Some(&observed),
            groups: Some(&access.groups),
            users: access.users.as_deref(),
            // A plan needs every variable's value.
            unset_variables_unknown: false,
        };
        let (mut wanted, mut diagnostics) = wanted(&req.desired, req.strict, reads);
        diagnostics.extend(unreadable.map(|e| {
            Diagnostic::error(
                Code::InvalidState,
                format!("the state's records do not read as Kasm lists them: {e}"),
            )
        }));
        let options = &req.options;
        // Only a plan given targets or replacements needs every address.
        let mut covered = None;
        if !options.targets.is_empty() || !options.replace.is_empty() {
            diagnostics.extend(targeting::check_syntax(&options.targets, &options.replace));
            let known = known_addresses(&wanted, &req.state);
            diagnostics.extend(targeting::unmatched(
                &options.targets,
                &options.replace,
                &known,
            ));
            covered = (!options.targets.is_empty()).then(|| {
                let links = &wanted.access.links;
                Covered::of(&options.targets, &known, links, &wanted.depends_on)
            });
        }
        if let Some(covered) = &covered {
            wanted.imports.retain(|i| covered.covers(&i.to));
        }
        if options.destroy {
            diagnostics.extend(destroy_conflicts(req));
            diagnostics.extend(kept_by_configuration(&wanted, &req.state));
            set_aside_for_destroy(&mut wanted);
        }
        let needs_groups = wanted.access.uses_groups
            || req.state.groups().next().is_some()
            || req.state.links().next().is_some();
        if needs_groups && req.access.is_none() && !req.from_state {
            diagnostics.push(access_unread());
        }
        let needs_users = wanted.access.uses_users()
            || req.state.holds_users()
            || req
                .state
                .pending
                .keys()
                .any(|a| crate::access::pending::needs_users(a));
        let users_read = req
            .access
            .as_ref()
            .is_some_and(|a| a.users.is_some() && a.sessions.is_some());
        if needs_users && !users_read && !req.from_state {
            diagnostics.push(users_unread());
        }
        let mut edits = if req.refresh_only {
            Edits {
                state: req.state.clone(),
                ..Edits::default()
            }
        } else {
            let (edits, found) = edits::apply(
                &req.state,
                &wanted.moves,
                &wanted.imports,
                (&observed, &access),
            );
            diagnostics.extend(found);
            edits
        };
        if req.from_state {
            diagnostics.extend(crate::access::pending::unsettled(&req.state));
        } else {
            diagnostics.extend(edits.settle(users_read.then_some(&*access)));
        }
        let (mut answer, refused_sessions) = if has_errors(&diagnostics) {
            (PlanResponse::refused(diagnostics), None)
        } else {
            plan_valid(req, &wanted, &edits, (&observed, &access), diagnostics)
        };
        if let (Some(covered), Some(plan)) = (&covered, answer.plan.as_mut()) {
            covered.narrow(plan);
            plan.targeted = true;
            answer.diagnostics.push(targeting::in_effect());
        }
        Planning {
            desired: wanted.specs,
            edits,
            observed,
            access,
            authorization: std::mem::take(&mut wanted.access),
            depends_on: std::mem::take(&mut wanted.depends_on),
            covered,
            answer,
            refused_sessions,
        }
    }
}

/// Plans specs that validated without errors; a plan refused only for
/// its sessions is given back beside the refusal.
fn plan_valid(
    req: &PlanRequest,
    wanted: &Wanted,
    edits: &Edits,
    (observed, access): (&[Image], &Access),
    mut diagnostics: Vec<Diagnostic>,
) -> (PlanResponse, Option<Plan>) {
    let planned = crate::plan::plan(&wanted.specs, &edits.state, observed, &req.options).and_then(
        |mut plan| {
            let found = plan_access(&AccessInputs {
                groups: &wanted.access.groups,
                links: &wanted.access.links,
                exclusive: &wanted.access.exclusive,
                state: &edits.state,
                access,
                images: &plan.resource_changes,
                replace: &req.options.replace,
                objects: &wanted.access.objects,
            })?;
            plan.add_access(found);
            let refused = protected_deletes(&plan, &wanted.access.protected, &edits.state);
            if refused.is_empty() {
                Ok(plan)
            } else {
                Err(refused)
            }
        },
    );
    // A refresh-only plan starts no session.
    let planned = planned.map(|plan| {
        let refused = if req.refresh_only {
            Vec::new()
        } else {
            refused_sessions(&plan, observed, access)
        };
        (plan, refused)
    });
    match planned {
        Ok((plan, refused)) if !refused.is_empty() => {
            diagnostics.extend(refused);
            place(&mut diagnostics, &wanted.declared);
            (PlanResponse::refused(diagnostics), Some(plan))
        }
        Ok((mut plan, _)) => {
            plan.note_edits(&edits.moved, &edits.imported);
            plan.output_changes = crate::outputs::changes(&wanted.outputs, &edits.state, &plan);
            if let Some(d) = &wanted.described {
                plan.configuration = Some(JsonText::of(&d.configuration));
                plan.variables = Some(d.variables.clone());
            }
            // Without a refresh nothing is known to have changed on Kasm.
            if req.from_state {
                plan.resource_drift.clear();
            } else {
                let others = crate::access::plan::drift(&edits.state, access);
                plan.resource_drift.extend(others);
            }
            if req.refresh_only {
                // Nothing changes on Kasm: duplicates are reported, not deleted.
                plan.resource_changes.clear();
                plan.extra_links.iter_mut().for_each(|x| x.revoke = false);
                plan.summary = Summary::default();
                plan.duplicates.iter_mut().for_each(|d| d.delete = false);
            }
            // (A refresh-only plan has no user change left to show it on.)
            crate::access::launch::show_authorized_images(&mut plan, access, observed);
            diagnostics.extend(crate::access::session_limit::check(
                &plan.resource_changes,
                access,
            ));
            diagnostics.extend(
                plan.duplicates
                    .iter()
                    .filter_map(crate::duplicates::warning),
            );
            diagnostics.extend(crate::duplicates::namesakes(
                &plan,
                &wanted.specs,
                &edits.state,
                observed,
            ));
            place(&mut diagnostics, &wanted.declared);
            let answer = PlanResponse {
                ok: true,
                plan: Some(plan),
                diagnostics,
                rendered: None,
            };
            (answer, None)
        }
        Err(errors) => {
            diagnostics.extend(errors);
            place(&mut diagnostics, &wanted.declared);
            (PlanResponse::refused(diagnostics), None)
        }
    }
}

/// The errors of the sessions a plan starts that Kasm would refuse.
fn refused_sessions(plan: &Plan, observed: &[Image], access: &Access) -> Vec<Diagnostic> {
    let after = crate::access::launch::After::of(plan, access, observed);
    crate::access::launch::check(&plan.resource_changes, &after)
}

/// A destroy plan keeps the configuration's data sources, variables and
/// `moved` blocks, and sets aside what would create or keep something.
fn set_aside_for_destroy(wanted: &mut Wanted) {
    wanted.specs.clear();
    wanted.imports.clear();
    wanted.outputs = Default::default();
    let access = &mut wanted.access;
    access.groups.clear();
    access.links.clear();
    access.objects.clear();
    access.exclusive.clear();
}

/// The deletes (and replaces) of instances whose block says
/// `prevent_destroy`, or whose record says it was when last applied (its
/// block may be gone), as an image's (images are refused by the image plan).
fn protected_deletes(plan: &Plan, protected: &BTreeSet<String>, state: &State) -> Vec<Diagnostic> {
    let recorded = |address: &str| {
        state
            .objects
            .get(address)
            .is_some_and(|r| r.prevent_destroy)
    };
    plan.access_changes()
        .filter(|c| {
            matches!(
                c.action,
                crate::plan::Action::Delete | crate::plan::Action::Replace
            )
        })
        .filter(|c| protected.contains(&c.address) || recorded(&c.address))
        .map(|c| crate::plan::prevent_destroy(&c.address))
        .collect()
}

/// The images the configuration keeps with `prevent_destroy` that the
/// state did not record so (those the state records refuse the plan anyway).
fn kept_by_configuration(wanted: &Wanted, state: &State) -> Vec<Diagnostic> {
    wanted
        .specs
        .iter()
        .filter(|(_, spec)| spec.lifecycle.prevent_destroy)
        .map(|(name, _)| address_of(name))
        .filter(|address| state.image(address).is_some_and(|r| !r.prevent_destroy))
        .map(|address| {
            crate::plan::prevent_destroy(&address)
                .help("set prevent_destroy = false and apply before destroying it")
        })
        .collect()
}

/// The options a destroy plan cannot take.
fn destroy_conflicts(req: &PlanRequest) -> Vec<Diagnostic> {
    let conflict = |with: &str, help: &str| {
        Diagnostic::error(
            Code::PlanModeConflict,
            format!("-destroy cannot be combined with {with}"),
        )
        .help(help)
    };
    let mut out = Vec::new();
    if req.refresh_only {
        out.push(conflict(
            "-refresh-only",
            "plan either a destroy or a refresh, as Terraform does",
        ));
    }
    if !req.options.targets.is_empty() {
        out.push(conflict(
            "-target",
            "kasm-plan destroys everything the state manages; to delete some resources, remove their blocks and apply",
        ));
    }
    out
}

/// Every instance address the configuration declares or the state records.
fn known_addresses(wanted: &Wanted, state: &State) -> BTreeSet<String> {
    let images = wanted.specs.keys().map(|name| address_of(name));
    let groups = wanted.access.groups.iter().map(|g| g.address.clone());
    let links = wanted.access.links.iter().map(|l| l.address.clone());
    let objects = wanted.access.objects.iter().map(|o| o.address.clone());
    let recorded = state.addresses();
    images
        .chain(groups)
        .chain(links)
        .chain(objects)
        .chain(recorded)
        .collect()
}

/// The error of a plan that needs Kasm's groups without them.
fn access_unread() -> Diagnostic {
    Diagnostic::error(
        Code::AccessUnread,
        "the configuration or the state has groups or links, but Kasm's groups were not read",
    )
    .help(
        "give `access` (Kasm's groups and their links) with the request; the CLI reads them itself",
    )
}

/// The error of a plan that needs Kasm's users without them.
pub(super) fn users_unread() -> Diagnostic {
    Diagnostic::error(
        Code::UsersUnread,
        "the configuration or the state has users, memberships, sessions or `kasm_users` data, but Kasm's users and sessions were not read",
    )
    .help("give `access.users` (Kasm's users with their groups) and `access.sessions` with the request; the CLI reads them itself")
}

/// The groups, links and lists the state records, as Kasm would list them.
fn assumed_access(state: &State) -> Result<Access, String> {
    let groups = state
        .groups()
        .map(|(_, r)| Group {
            group_id: r.group_id.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            priority: r.priority,
            is_system: r.group_id == crate::group::ALL_USERS,
        })
        .collect();
    let links = state
        .links()
        .map(|(_, r)| GroupImage {
            group_id: r.group_id,
            image_id: r.image_id,
            ..GroupImage::default()
        })
        .collect();
    Access::with_lists(groups, links, crate::access::seen::assumed_lists(state))
}

/// The images the state records, as Kasm would list them.
fn assumed_images(state: &State) -> Vec<Image> {
    state
        .images()
        .map(|(_, r)| crate::wire::assumed_image(&r.id, &r.attributes.fields()))
        .collect()
}

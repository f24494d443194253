//! The CRUD plan: desired specs + state + images observed on Kasm → actions.
//!
//! Rules: a field unset in the spec is not managed (Kasm keeps its value), except
//! `enabled`, which defaults to true. Updates happen in place (Kasm can change
//! every field), so there is no replace. Drift is the observed image against the
//! attributes last applied.

use crate::address::RESOURCE_TYPE;
use crate::attributes::{Attributes, FieldValue};
use crate::diagnostic::{Code, Diagnostic};
use crate::duplicates::Duplicate;
use crate::field::{Field, Kind};
use crate::model::{Image, ImageSpec, canonical_uuid};
use crate::state::{State, StateResource};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a plan does to one image.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Create it on Kasm.
    #[serde(rename = "create")]
    Create,
    /// Change fields in place.
    #[serde(rename = "update")]
    Update,
    /// Delete it from Kasm.
    #[serde(rename = "delete")]
    Delete,
    /// Nothing to do.
    #[serde(rename = "no-op")]
    NoOp,
    /// Delete, then create (a link whose group or image changed, or an
    /// instance named by `-replace`).
    #[serde(rename = "replace")]
    Replace,
}

impl Action {
    /// Plan JSON's `actions`: a replace is a delete, then a create.
    pub fn terraform_actions(self) -> serde_json::Value {
        match self {
            Action::Replace => serde_json::json!(["delete", "create"]),
            other => serde_json::json!([other]),
        }
    }
}

/// Why an action was chosen.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// In the config, not in state.
    New,
    /// In state, but the image is gone from Kasm: create it again.
    DeletedOutside,
    /// The config changed since the last apply.
    ConfigChanged,
    /// Only Kasm's copy changed: put it back.
    Drift,
    /// In state, no longer in the config.
    RemovedFromConfig,
    /// Named by `-replace`: replaced although nothing forces it.
    ReplaceByRequest,
}

/// One field's old and new value, in spec units.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field.
    pub field: Field,
    /// The value now (on Kasm, or in state for drift).
    pub before: Value,
    /// The value after the change.
    pub after: Value,
}

/// The planned change to one address.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    /// `kasm_image.<name>`.
    pub address: String,
    /// The resource name.
    pub name: String,
    /// What to do.
    pub action: Action,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// Kasm's id, for everything but a create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// Whether Kasm reports the image pulled and ready, when it exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<bool>,
    /// All attributes now; absent for a create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Attributes>,
    /// All attributes after; absent for a delete and a no-op.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Attributes>,
    /// The fields that change (update), or are set (create).
    #[serde(default)]
    pub changes: Vec<FieldChange>,
    /// Fields whose values come from sensitive variables: their values here
    /// are fingerprints, and they are shown as `(sensitive value)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive: Vec<Field>,
    /// The address the image had before a `moved` block renamed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_address: Option<String>,
    /// The image an `import` block binds to this address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importing: Option<String>,
}

impl ResourceChange {
    /// Whether a field's value is hidden in this change.
    pub fn hides(&self, field: Field) -> bool {
        field.is_sensitive() || self.sensitive.contains(&field)
    }

    /// Replaces the values of the spec's sensitive fields by fingerprints, so a
    /// plan tells that they change without showing them.
    fn conceal(mut self, spec: &ImageSpec) -> Self {
        if spec.sensitive.is_empty() {
            return self;
        }
        let address = self.address.clone();
        let hide = |field: Field, v: &mut Value| {
            if !v.is_null() {
                let text = format!("{}\0{v}", field.spec_name());
                *v = Value::String(crate::model::Secret::new(text).fingerprint(&address));
            }
        };
        for &field in &spec.sensitive {
            for attrs in [self.before.as_mut(), self.after.as_mut()]
                .into_iter()
                .flatten()
            {
                let mut v = attrs.get(field).clone();
                hide(field, &mut v);
                attrs.set(field, v);
            }
            for c in self.changes.iter_mut().filter(|c| c.field == field) {
                hide(field, &mut c.before);
                hide(field, &mut c.after);
            }
        }
        self.sensitive.clone_from(&spec.sensitive);
        self
    }
}

/// A difference between the state and Kasm, found on refresh.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// The address.
    pub address: String,
    /// Kasm's id.
    pub image_id: String,
    /// The image is gone from Kasm.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// Fields whose value on Kasm differs from the state (before = state, after = Kasm).
    #[serde(default)]
    pub changes: Vec<FieldChange>,
    /// The state's attributes (for a deleted image, what was lost).
    pub before: Attributes,
    /// Kasm's attributes now; absent when deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Attributes>,
}

/// Counts, as Terraform prints them.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Creates.
    pub add: usize,
    /// Updates.
    pub change: usize,
    /// Deletes.
    pub destroy: usize,
    /// No-ops.
    pub unchanged: usize,
    /// Imports (`import` blocks), whatever else changes.
    #[serde(default)]
    pub import: usize,
}

impl Summary {
    /// The counts of a plan's changes, duplicates to delete among the destroys.
    pub fn of(changes: &[ResourceChange], duplicates: &[Duplicate]) -> Self {
        let mut summary = Summary {
            destroy: duplicates
                .iter()
                .filter(|d| d.delete)
                .map(|d| d.image_ids.len())
                .sum(),
            ..Summary::default()
        };
        for c in changes {
            summary.count(c.action);
        }
        summary
    }
}

impl Summary {
    /// The counts of group and link changes; a revoke of a link Kasm has counts as a destroy.
    pub fn of_access(
        changes: &[crate::access::AccessChange],
        extra: &[crate::access::ExtraLink],
    ) -> Self {
        let mut summary = Summary {
            destroy: extra
                .iter()
                .filter(|x| x.revoke && x.image_id.is_some())
                .count(),
            ..Summary::default()
        };
        for c in changes {
            summary.count(c.action);
        }
        summary
    }

    /// Adds another count of changes (imports are counted once, apart).
    pub fn add_changes(&mut self, other: Summary) {
        self.add += other.add;
        self.change += other.change;
        self.destroy += other.destroy;
        self.unchanged += other.unchanged;
    }

    fn count(&mut self, action: Action) {
        match action {
            Action::Create => self.add += 1,
            Action::Update => self.change += 1,
            Action::Delete => self.destroy += 1,
            Action::NoOp => self.unchanged += 1,
            Action::Replace => {
                self.add += 1;
                self.destroy += 1;
            }
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.import > 0 {
            write!(f, "{} to import, ", self.import)?;
        }
        write!(
            f,
            "{} to add, {} to change, {} to destroy",
            self.add, self.change, self.destroy
        )
    }
}

/// A plan: ordered by address, deterministic for the same inputs.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Plan format version.
    pub format_version: u32,
    /// The state's lineage and serial when planned, to refuse a stale plan.
    pub state_lineage: String,
    /// See `state_lineage`.
    pub state_serial: u64,
    /// One entry per address in the config or the state.
    pub resource_changes: Vec<ResourceChange>,
    /// Differences between state and Kasm.
    pub resource_drift: Vec<Drift>,
    /// Counts.
    pub summary: Summary,
    /// Images no address manages that equal a desired spec.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<Duplicate>,
    /// Group and link changes, groups first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_changes: Vec<crate::access::AccessChange>,
    /// Groups and links changed (`update`) or deleted (`delete`) on Kasm
    /// since the last apply: the state against Kasm, as `resource_drift`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_drift: Vec<crate::access::AccessChange>,
    /// Links on Kasm of managed images that no `kasm_group_image` declares.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_links: Vec<crate::access::ExtraLink>,
    /// The configuration, as Terraform's plan JSON describes it (`configuration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Value>,
    /// The variables' values, sensitive ones hidden (plan JSON's `variables`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Value>,
    /// Narrowed by `-target`: applying it may leave changes for later
    /// (plan JSON's `complete` is false).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub targeted: bool,
}

impl Plan {
    /// Whether applying the plan would change anything on Kasm.
    pub fn has_changes(&self) -> bool {
        self.summary.add + self.summary.change + self.summary.destroy + self.summary.import > 0
            || self
                .resource_changes
                .iter()
                .any(|c| c.previous_address.is_some())
            || self
                .access_changes
                .iter()
                .any(|c| c.previous_address.is_some())
    }

    /// Every change's address and action, whatever its type: images, then
    /// groups and links.
    pub fn actions(&self) -> impl Iterator<Item = (&str, Action)> {
        let images = self
            .resource_changes
            .iter()
            .map(|c| (c.address.as_str(), c.action));
        let access = self
            .access_changes
            .iter()
            .map(|c| (c.address.as_str(), c.action));
        images.chain(access)
    }

    /// Marks the changes of moved and imported addresses, and counts the imports.
    pub fn note_edits(
        &mut self,
        moved: &BTreeMap<String, String>,
        imported: &BTreeMap<String, String>,
    ) {
        for c in &mut self.resource_changes {
            c.previous_address = moved.get(&c.address).cloned();
            c.importing = imported.get(&c.address).cloned();
        }
        for c in &mut self.access_changes {
            c.previous_address = moved.get(&c.address).cloned();
            c.importing = imported.get(&c.address).cloned();
        }
        self.summary.import = imported.len();
    }

    /// Adds the group and link changes, and counts them.
    pub fn add_access(&mut self, found: crate::access::AccessPlan) {
        self.summary
            .add_changes(Summary::of_access(&found.changes, &found.extra));
        self.access_changes = found.changes;
        self.extra_links = found.extra;
    }

    /// Whether Kasm's images differ from what the state recorded.
    pub fn has_drift(&self) -> bool {
        !self.resource_drift.is_empty() || !self.access_drift.is_empty()
    }
}

/// The plan format this crate writes.
pub const PLAN_FORMAT: u32 = 1;

/// Planning options.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanOptions {
    /// Give no-op entries their full `before` attributes (for plan JSON and policies).
    /// Off by default: most of a large plan's cost is building values for unchanged images.
    pub unchanged_values: bool,
    /// Delete the images no address manages that equal a desired spec
    /// (`duplicates`); without it they are only reported.
    pub delete_duplicates: bool,
    /// Instances to replace although nothing forces it (Terraform's `-replace`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replace: Vec<String>,
    /// Plan only these resources or instances and what they depend on
    /// (Terraform's `-target`); all when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
}

/// Computes a plan. `desired` is keyed by resource name.
///
/// Errors: a delete of a `prevent_destroy` image, or a state that binds one
/// image to two addresses; every such problem is returned.
pub fn plan(
    desired: &BTreeMap<String, ImageSpec>,
    state: &State,
    observed: &[Image],
    options: &PlanOptions,
) -> Result<Plan, Vec<Diagnostic>> {
    let by_id: HashMap<Cow<str>, &Image> =
        observed.iter().map(|i| (canon(&i.image_id), i)).collect();
    let mut errors = Vec::new();
    check_state(state, &mut errors);
    let mut changes = Vec::with_capacity(desired.len().max(state.resources.len()));
    let mut drift = Vec::new();
    for (name, spec, recorded) in merged(desired, state) {
        let address = address_of(name);
        let image = recorded.and_then(|r| by_id.get(&canon(&r.image_id)).copied());
        if let Some(d) = recorded.and_then(|r| drift_of(&address, r, image)) {
            drift.push(d);
        }
        let change = match (spec, recorded, image) {
            (Some(spec), Some(r), Some(image)) if options.replace.contains(&address) => {
                if r.prevent_destroy || spec.lifecycle.prevent_destroy {
                    errors.push(prevent_destroy(&address));
                }
                replace(address, name, spec, image)
            }
            (Some(spec), recorded, Some(image)) => {
                update(address, name, spec, recorded, image, options)
            }
            (Some(spec), recorded, None) => create(address, name, spec, recorded.is_some()),
            (None, Some(r), Some(image)) => {
                if r.prevent_destroy {
                    errors.push(prevent_destroy(&address));
                }
                delete(address, name, image)
            }
            // In state only and already gone from Kasm: nothing to do; the drift says so.
            (None, _, _) => continue,
        };
        changes.push(change);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let duplicates = crate::duplicates::find(desired, state, observed, options.delete_duplicates);
    Ok(Plan {
        format_version: PLAN_FORMAT,
        state_lineage: state.lineage.clone(),
        state_serial: state.serial,
        summary: Summary::of(&changes, &duplicates),
        resource_changes: changes,
        resource_drift: drift,
        access_drift: Vec::new(),
        duplicates,
        access_changes: Vec::new(),
        extra_links: Vec::new(),
        configuration: None,
        variables: None,
        targeted: false,
    })
}

/// A resource's spec and state entry, by name.
type Pair<'a> = (&'a str, Option<&'a ImageSpec>, Option<&'a StateResource>);

/// Every name in the config or the state, once and in order, with its spec and
/// state entry. Both maps are sorted by name (addresses share one prefix), so
/// a merge visits each once.
fn merged<'a>(
    desired: &'a BTreeMap<String, ImageSpec>,
    state: &'a State,
) -> impl Iterator<Item = Pair<'a>> {
    let mut wanted = desired.iter().map(|(n, s)| (n.as_str(), s)).peekable();
    let mut stored = state
        .resources
        .iter()
        .filter_map(|(a, r)| {
            let name = a.strip_prefix(RESOURCE_TYPE)?.strip_prefix('.')?;
            Some((name, r))
        })
        .peekable();
    std::iter::from_fn(
        move || match (wanted.peek().copied(), stored.peek().copied()) {
            (None, None) => None,
            (Some((w, spec)), Some((r, rec))) if w == r => {
                wanted.next();
                stored.next();
                Some((w, Some(spec), Some(rec)))
            }
            (Some((w, spec)), Some((r, _))) if w < r => {
                wanted.next();
                Some((w, Some(spec), None))
            }
            (Some((w, spec)), None) => {
                wanted.next();
                Some((w, Some(spec), None))
            }
            (_, Some((r, rec))) => {
                stored.next();
                Some((r, None, Some(rec)))
            }
        },
    )
}

/// The delete of an image no longer in the config.
fn delete(address: String, name: &str, image: &Image) -> ResourceChange {
    ResourceChange {
        action: Action::Delete,
        reason: Some(Reason::RemovedFromConfig),
        image_id: Some(image.image_id.clone()),
        available: Some(image.available),
        before: Some(Attributes::from_image(image)),
        ..empty(address, name)
    }
}

fn create(address: String, name: &str, spec: &ImageSpec, was_in_state: bool) -> ResourceChange {
    let after = Attributes::from_spec(spec, &address);
    let changes = after
        .set_fields()
        .map(|f| FieldChange {
            field: f,
            before: Value::Null,
            after: after.get(f).clone(),
        })
        .collect();
    ResourceChange {
        action: Action::Create,
        reason: Some(if was_in_state {
            Reason::DeletedOutside
        } else {
            Reason::New
        }),
        after: Some(after),
        changes,
        ..empty(address, name)
    }
    .conceal(spec)
}

/// A replace asked for with `-replace`: Kasm's image is deleted and the
/// spec created again.
fn replace(address: String, name: &str, spec: &ImageSpec, image: &Image) -> ResourceChange {
    let before = Attributes::from_image(image);
    let after = Attributes::from_spec(spec, &address);
    let changes = after
        .set_fields()
        .filter(|&f| before.get(f) != after.get(f))
        .map(|f| FieldChange {
            field: f,
            before: before.get(f).clone(),
            after: after.get(f).clone(),
        })
        .collect();
    ResourceChange {
        action: Action::Replace,
        reason: Some(Reason::ReplaceByRequest),
        image_id: Some(image.image_id.clone()),
        available: Some(image.available),
        before: Some(before),
        after: Some(after),
        changes,
        ..empty(address, name)
    }
    .conceal(spec)
}

fn update(
    address: String,
    name: &str,
    spec: &ImageSpec,
    recorded: Option<&StateResource>,
    image: &Image,
    options: &PlanOptions,
) -> ResourceChange {
    let (changes, config_changed) = field_changes(&address, spec, recorded, image);
    // Attribute sets are built only for changes, or when asked for: they are
    // most of the cost of planning many unchanged images.
    let (action, reason, before, after) = if changes.is_empty() {
        let before = options
            .unchanged_values
            .then(|| Attributes::from_image(image));
        (Action::NoOp, None, before, None)
    } else {
        let before = Attributes::from_image(image);
        let mut after = before.clone();
        for c in &changes {
            after.set(c.field, c.after.clone());
        }
        let reason = if config_changed {
            Reason::ConfigChanged
        } else {
            Reason::Drift
        };
        (Action::Update, Some(reason), Some(before), Some(after))
    };
    ResourceChange {
        action,
        reason,
        image_id: Some(image.image_id.clone()),
        available: Some(image.available),
        before,
        after,
        changes,
        ..empty(address, name)
    }
    .conceal(spec)
}

/// The managed fields whose value on Kasm differs from the spec's, and
/// whether any differs from what was last applied (the config changed) rather
/// than only on Kasm (drift).
fn field_changes(
    address: &str,
    spec: &ImageSpec,
    recorded: Option<&StateResource>,
    image: &Image,
) -> (Vec<FieldChange>, bool) {
    let mut changes = Vec::new();
    let mut config_changed = false;
    for &field in Field::ALL {
        let Some(want) = FieldValue::of_spec(spec, address, field) else {
            continue;
        };
        if spec.lifecycle.ignore_changes.ignores(field) {
            continue;
        }
        let now = FieldValue::of_image(image, field);
        let applied = recorded.map(|r| r.attributes.get(field));
        let differs = match field {
            // Kasm masks the token: compare fingerprints with the state, and presence with Kasm.
            Field::DockerToken => {
                now == FieldValue::Null || !applied.is_some_and(|a| want.matches(a))
            }
            _ => !want.same(&now),
        };
        if differs {
            config_changed |= applied.is_none_or(|a| !want.matches(a));
            let before = match field {
                Field::DockerToken => applied.cloned().unwrap_or(Value::Null),
                _ => now.to_value(),
            };
            changes.push(FieldChange {
                field,
                before,
                after: want.to_value(),
            });
        }
    }
    (changes, config_changed)
}

fn drift_of(address: &str, recorded: &StateResource, image: Option<&Image>) -> Option<Drift> {
    let base = |deleted, changes, after| Drift {
        address: address.to_owned(),
        image_id: recorded.image_id.clone(),
        deleted,
        changes,
        before: recorded.attributes.clone(),
        after,
    };
    let Some(image) = image else {
        return Some(base(true, Vec::new(), None));
    };
    let differs = |f: Field| {
        let (stored, now) = (recorded.attributes.get(f), FieldValue::of_image(image, f));
        match f.kind() {
            Kind::Secret => stored.is_null() != (now == FieldValue::Null),
            _ => !now.matches(stored),
        }
    };
    if !Field::ALL.iter().any(|f| differs(*f)) {
        return None;
    }
    let changes = Field::ALL
        .iter()
        .filter(|f| differs(**f))
        .map(|f| FieldChange {
            field: *f,
            before: recorded.attributes.get(*f).clone(),
            after: FieldValue::of_image(image, *f).to_value(),
        })
        .collect();
    Some(base(false, changes, Some(Attributes::from_image(image))))
}

fn check_state(state: &State, errors: &mut Vec<Diagnostic>) {
    let mut owners: HashMap<Cow<str>, &str> = HashMap::new();
    for (address, r) in &state.resources {
        let id = canon(&r.image_id);
        if let Some(first) = owners.insert(id, address) {
            errors.push(
                Diagnostic::error(
                    Code::InvalidState,
                    format!(
                        "state binds image {} to both {first} and {address}",
                        r.image_id
                    ),
                )
                .at(address, "")
                .help(format!(
                    "remove one binding with `kasm-plan state rm {address}`"
                )),
            );
        }
    }
    let prefix = format!("{RESOURCE_TYPE}.");
    let bad: BTreeSet<&String> = state
        .resources
        .keys()
        .filter(|a| !a.starts_with(&prefix))
        .collect();
    for address in bad {
        errors.push(
            Diagnostic::error(
                Code::InvalidState,
                format!("state address `{address}` is not a kasm_image address"),
            )
            .at(address, "")
            .help("state addresses look like `kasm_image.<name>`"),
        );
    }
}

fn prevent_destroy(address: &str) -> Diagnostic {
    Diagnostic::error(
        Code::PreventDestroy,
        format!("{address} has lifecycle.prevent_destroy set, but the plan would delete it"),
    )
    .at(address, "lifecycle.prevent_destroy")
    .help(
        "restore its resource block, or apply once with prevent_destroy = false before removing it",
    )
}

fn empty(address: String, name: &str) -> ResourceChange {
    ResourceChange {
        address,
        name: name.to_owned(),
        action: Action::NoOp,
        reason: None,
        image_id: None,
        available: None,
        before: None,
        after: None,
        changes: Vec::new(),
        sensitive: Vec::new(),
        previous_address: None,
        importing: None,
    }
}

/// `kasm_image.<name>`.
pub fn address_of(name: &str) -> String {
    format!("{RESOURCE_TYPE}.{name}")
}

/// The instance name of a `kasm_image.<name>` (or `<name>[key]`) address,
/// when the address is one.
pub fn name_of(address: &str) -> Option<&str> {
    address
        .strip_prefix(RESOURCE_TYPE)
        .and_then(|rest| rest.strip_prefix('.'))
        .filter(|name| crate::address::Instance::parse(name).is_some())
}

/// Kasm's ids are already canonical; only others pay for a copy.
fn canon(id: &str) -> Cow<'_, str> {
    let canonical = id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if canonical {
        Cow::Borrowed(id)
    } else {
        Cow::Owned(canonical_uuid(id).unwrap_or_else(|| id.to_ascii_lowercase()))
    }
}

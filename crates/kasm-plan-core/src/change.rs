//! What a plan is made of, for every resource type: the actions and their
//! reasons, the changes to images, groups and links, drift, duplicates, the
//! counts, and the plan itself. Data only: `plan` and `access` compute them,
//! `apply` and `access::steps` turn them into steps, the outputs print them.

use crate::attributes::Attributes;
use crate::field::Field;
use crate::model::ImageSpec;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

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

impl Reason {
    /// Why something is created: made again when the state recorded it
    /// (it was deleted outside), else new.
    pub fn of_create(was_recorded: bool) -> Reason {
        if was_recorded {
            Reason::DeletedOutside
        } else {
            Reason::New
        }
    }
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
    /// Replaces the values of the spec's sensitive fields by fingerprints, so a
    /// plan tells that they change without showing them.
    pub(crate) fn conceal(mut self, spec: &ImageSpec) -> Self {
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

impl ResourceChange {
    /// The change as any type's change: attributes by name (memory in MB,
    /// Kasm's `id`, `image_id` and `available` among them), hidden values
    /// already replaced. What plan JSON reads.
    pub fn to_change(&self) -> AccessChange {
        self.converted(true)
    }

    /// The same change as the rendered plan reads it: the values only for a
    /// delete, which lists what it removes (building them is most of the cost).
    pub fn to_printed_change(&self) -> AccessChange {
        self.converted(false)
    }

    /// The change as any type's, with every value (`all_values`) or only a
    /// delete's.
    fn converted(&self, all_values: bool) -> AccessChange {
        let after_id = match self.action {
            Action::Replace => None,
            _ => self.image_id.as_deref(),
        };
        let values = |a: &Attributes, id| image_values(a, id, self.available, &self.sensitive);
        let before = self
            .before
            .as_ref()
            .filter(|_| all_values || self.action == Action::Delete);
        let known_after = matches!(self.action, Action::Create | Action::Replace);
        AccessChange {
            reason: self.reason,
            id: self.image_id.clone(),
            before: before.map(|a| values(a, self.image_id.as_deref())),
            after: self
                .after
                .as_ref()
                .filter(|_| all_values)
                .map(|a| values(a, after_id)),
            after_unknown: if known_after {
                IMAGE_COMPUTED.iter().map(|k| (*k).to_owned()).collect()
            } else {
                Vec::new()
            },
            changes: self.changes.iter().map(FieldChange::to_change).collect(),
            sensitive: hidden_fields(&self.sensitive),
            previous_address: self.previous_address.clone(),
            importing: self.importing.clone(),
            action: self.action,
            ..AccessChange::none(&self.address, crate::address::RESOURCE_TYPE)
        }
    }
}

impl FieldChange {
    /// The same change, the attribute by name.
    pub fn to_change(&self) -> AttributeChange {
        AttributeChange {
            attribute: self.field.spec_name().to_owned(),
            before: self.before.clone(),
            after: self.after.clone(),
        }
    }
}

/// The attributes Kasm gives an image once it is made.
const IMAGE_COMPUTED: [&str; 3] = ["available", "id", "image_id"];

/// Whether an image field's value is hidden: a secret, or set from a
/// sensitive variable (`also`).
fn hides(field: Field, also: &[Field]) -> bool {
    field.is_sensitive() || also.contains(&field)
}

/// The names of the image attributes whose values are hidden.
fn hidden_fields(also: &[Field]) -> Vec<String> {
    Field::ALL
        .iter()
        .filter(|&&f| hides(f, also))
        .map(|f| f.spec_name().to_owned())
        .collect()
}

/// An image's attributes by name, hidden values replaced, with Kasm's id
/// and whether it is available.
fn image_values(
    attrs: &Attributes,
    image_id: Option<&str>,
    available: Option<bool>,
    hidden: &[Field],
) -> Map<String, Value> {
    let text = |t: Option<&str>| t.map_or(Value::Null, Value::from);
    let fields = Field::ALL.iter().map(|&f| {
        let v = attrs.get(f);
        let shown = if !v.is_null() && hides(f, hidden) {
            Value::from(crate::model::REDACTED)
        } else {
            v.clone()
        };
        (f.spec_name().to_owned(), shown)
    });
    let computed = [
        ("id".to_owned(), text(image_id)),
        ("image_id".to_owned(), text(image_id)),
        (
            "available".to_owned(),
            available.map_or(Value::Null, Value::from),
        ),
    ];
    fields.chain(computed).collect()
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

impl Drift {
    /// The drift as any type's change: an update from the state's values to
    /// Kasm's, or a delete. What plan JSON reads.
    pub fn to_change(&self) -> AccessChange {
        let id = Some(self.image_id.as_str());
        AccessChange {
            before: Some(image_values(&self.before, id, None, &[])),
            after: self.after.as_ref().map(|a| image_values(a, id, None, &[])),
            ..self.to_printed_change()
        }
    }

    /// The same drift as the rendered plan reads it: what changed, without
    /// the values around it.
    pub fn to_printed_change(&self) -> AccessChange {
        AccessChange {
            action: if self.deleted {
                Action::Delete
            } else {
                Action::Update
            },
            id: Some(self.image_id.clone()),
            changes: self.changes.iter().map(FieldChange::to_change).collect(),
            sensitive: hidden_fields(&[]),
            ..AccessChange::none(&self.address, crate::address::RESOURCE_TYPE)
        }
    }
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
    pub fn of_access(changes: &[AccessChange], extra: &[ExtraLink]) -> Self {
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
    pub access_changes: Vec<AccessChange>,
    /// Groups and links changed (`update`) or deleted (`delete`) on Kasm
    /// since the last apply: the state against Kasm, as `resource_drift`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_drift: Vec<AccessChange>,
    /// Links on Kasm of managed images that no `kasm_group_image` declares.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_links: Vec<ExtraLink>,
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
    /// The outputs, by name: each one declared, and each one the state has
    /// that is no longer declared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_changes: Vec<OutputChange>,
}

/// An output's value before and after the plan.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputChange {
    /// The output's name.
    pub name: String,
    /// `create` (new), `update`, `delete` (no longer declared) or `no-op`.
    pub action: Action,
    /// The value the state records; absent when new or sensitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(type = "unknown"))]
    pub before: Option<Value>,
    /// The value after; absent when deleted, sensitive, or not known yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(type = "unknown"))]
    pub after: Option<Value>,
    /// Known only after apply (an id a create gives).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub after_unknown: bool,
    /// Declared `sensitive`: shown as `(sensitive value)`, never written out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// A sensitive output's salted fingerprint after, which tells the next
    /// plan whether it changed without keeping the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

impl OutputChange {
    /// What the state records for it after an apply, if it is still declared.
    pub fn record(&self) -> Option<crate::state::StateOutput> {
        (self.action != Action::Delete).then(|| crate::state::StateOutput {
            value: self.after.clone().filter(|_| !self.sensitive),
            sensitive: self.sensitive,
            fingerprint: self.fingerprint.clone(),
        })
    }
}

impl Plan {
    /// Whether applying the plan would change anything on Kasm.
    pub fn has_changes(&self) -> bool {
        self.summary.add + self.summary.change + self.summary.destroy + self.summary.import > 0
            || self.has_output_changes()
            || self
                .resource_changes
                .iter()
                .any(|c| c.previous_address.is_some())
            || self
                .access_changes
                .iter()
                .any(|c| c.previous_address.is_some())
    }

    /// Whether an output is added, changed or removed.
    pub fn has_output_changes(&self) -> bool {
        self.output_changes.iter().any(|o| o.action != Action::NoOp)
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
    pub fn add_access(&mut self, found: AccessPlan) {
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

/// One attribute's old and new value.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttributeChange {
    /// The attribute, e.g. `priority`.
    pub attribute: String,
    /// Its value now (null when unset or unknown).
    pub before: Value,
    /// Its value after (null when unknown until apply).
    pub after: Value,
}

/// The planned change to one instance of a table-driven type (a group, a
/// link, a user, a membership, a session); an image's change reads the same
/// way through [`ResourceChange::to_change`], which plan JSON and the
/// rendered plan use.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessChange {
    /// The instance's address (`kasm_group.devs`).
    pub address: String,
    /// Its type (`kasm_group`).
    pub resource_type: String,
    /// The instance name (`admins`, `chrome["dev"]`).
    pub name: String,
    /// What to do.
    pub action: Action,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The id now: the group's, or the link's `group_id:image_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Attributes now; absent for a create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Map<String, Value>>,
    /// Attributes after; absent for a delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Map<String, Value>>,
    /// Attributes of `after` known only after apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_unknown: Vec<String>,
    /// For a link: the attributes whose value another resource's create in
    /// this run makes known, with that resource's address.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub waits_for: BTreeMap<String, String>,
    /// The attributes that change.
    #[serde(default)]
    pub changes: Vec<AttributeChange>,
    /// Write-only attributes (a password): their values here are salted
    /// fingerprints, shown as `(sensitive value)` and never sent anywhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive: Vec<String>,
    /// The address it had before a `moved` block renamed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_address: Option<String>,
    /// The id an `import` block binds to this address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importing: Option<String>,
    /// For a user whose `groups` lists its groups: the groups it joins or leaves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_parts: Vec<GroupPart>,
}

/// A group a user joins or leaves because its `groups` says so.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupPart {
    /// The group's name, as `groups` lists it.
    pub name: String,
    /// The group: its id, or the create that makes it known.
    pub group: crate::group::Target,
    /// Joins it (true) or leaves it.
    pub join: bool,
}

impl AccessChange {
    /// A no-op at the address, to fill in.
    pub fn none(address: &str, resource_type: &str) -> AccessChange {
        AccessChange {
            address: address.to_owned(),
            resource_type: resource_type.to_owned(),
            name: address
                .strip_prefix(resource_type)
                .and_then(|r| r.strip_prefix('.'))
                .unwrap_or(address)
                .to_owned(),
            action: Action::NoOp,
            reason: None,
            id: None,
            before: None,
            after: None,
            after_unknown: Vec::new(),
            waits_for: BTreeMap::new(),
            changes: Vec::new(),
            sensitive: Vec::new(),
            previous_address: None,
            importing: None,
            group_parts: Vec::new(),
        }
    }
}

/// A link on Kasm for a managed image that no `kasm_group_image` declares,
/// such as the one Kasm adds to All Users when it creates an image.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExtraLink {
    /// The image's address.
    pub image_address: String,
    /// The image's id; absent for an image created in this run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// The group.
    pub group_id: String,
    /// The group's name, when Kasm listed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    /// The image's links are exclusive: apply removes this one. For an image
    /// created in this run this is the All Users link Kasm may add.
    pub revoke: bool,
}

/// The access part of a plan.
#[derive(Debug, Default)]
pub struct AccessPlan {
    /// Group and link changes, groups first, each by address.
    pub changes: Vec<AccessChange>,
    /// Undeclared links of managed images.
    pub extra: Vec<ExtraLink>,
}

/// Unowned images equal to one address's spec.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// The address whose spec they equal.
    pub address: String,
    /// Their ids, in Kasm's order.
    pub image_ids: Vec<String>,
    /// The plan deletes them (asked for with `delete_duplicates`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub delete: bool,
}

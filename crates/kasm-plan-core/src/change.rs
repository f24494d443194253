//! What a plan is made of, for every resource type: the actions and their
//! reasons, one change type for every type's changes and drift, duplicates,
//! the counts, and the plan itself. Data only: `plan` and `access` compute
//! them, `apply` and `access::steps` turn them into steps, the outputs print
//! them.

use crate::attributes::Attributes;
use crate::field::Field;
use crate::json_text::JsonText;
use crate::model::ImageSpec;
use crate::object::Values;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What a plan does to one instance.
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
    /// In state, but gone from Kasm: create it again.
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

/// The attributes Kasm gives an image once it is made.
const IMAGE_COMPUTED: [&str; 3] = ["available", "id", "image_id"];

/// Whether an image field's value is hidden: a secret, or set from a
/// sensitive variable (`also`).
fn hides(field: Field, also: &[Field]) -> bool {
    field.is_sensitive() || also.contains(&field)
}

/// The names of the image attributes whose values are hidden.
fn hidden_fields(also: &[Field]) -> Vec<Cow<'static, str>> {
    Field::ALL
        .iter()
        .filter(|&&f| hides(f, also))
        .map(|f| Cow::Borrowed(f.spec_name()))
        .collect()
}

/// An image's attributes by name, hidden values replaced, with Kasm's id
/// and whether it is available.
fn image_values(
    attrs: &Attributes,
    image_id: Option<&str>,
    available: Option<bool>,
    hidden: &[Cow<'static, str>],
) -> Map<String, Value> {
    let text = |t: Option<&str>| t.map_or(Value::Null, Value::from);
    let fields = Field::ALL.iter().map(|&f| {
        let v = attrs.get(f);
        let shown = if !v.is_null() && hidden.iter().any(|h| h == f.spec_name()) {
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

impl Change {
    /// A no-op of the image at `address`, whose resource name is `name`, to fill in.
    pub fn of_image(address: String, name: &str) -> Change {
        Change {
            address,
            name: name.to_owned(),
            ..Change::none("", crate::address::RESOURCE_TYPE)
        }
    }

    /// Whether it is an image's.
    pub fn is_image(&self) -> bool {
        self.resource_type == crate::address::RESOURCE_TYPE
    }

    /// Marks an image change's values hidden: the field's secrets and the
    /// fields set from sensitive variables (`also`), whose values here are
    /// fingerprints. A change that carries no values has nothing to hide.
    pub(crate) fn hide_image_fields(&mut self, also: &[Field]) {
        if self.before.is_some() || self.after.is_some() || !also.is_empty() {
            self.sensitive = hidden_fields(also);
        }
        if matches!(self.action, Action::Create | Action::Replace) {
            self.after_unknown = IMAGE_COMPUTED.iter().map(|k| Cow::Borrowed(*k)).collect();
        }
    }

    /// Replaces the values of the spec's sensitive fields by fingerprints, so a
    /// plan tells that they change without showing them.
    pub(crate) fn conceal(&mut self, spec: &ImageSpec) {
        if spec.sensitive.is_empty() {
            return self.hide_image_fields(&[]);
        }
        let address = self.address.clone();
        let hide = |field: Field, v: &mut Value| {
            if !v.is_null() {
                let text = format!("{}\0{v}", field.spec_name());
                *v = Value::String(crate::model::Secret::new(text).fingerprint(&address));
            }
        };
        for &field in &spec.sensitive {
            let name = field.spec_name();
            for values in [self.before.as_mut(), self.after.as_mut()]
                .into_iter()
                .flatten()
            {
                let mut v = values.get(name).cloned().unwrap_or_default();
                hide(field, &mut v);
                values.insert(name.to_owned(), v);
            }
            for c in self.changes.iter_mut().filter(|c| c.attribute == name) {
                hide(field, &mut c.before);
                hide(field, &mut c.after);
            }
        }
        self.hide_image_fields(&spec.sensitive);
    }

    /// The values before, as plan JSON shows them: an image's with Kasm's
    /// id and availability, hidden values replaced.
    pub fn shown_before(&self) -> Option<Map<String, Value>> {
        let id = self.id.as_deref();
        self.before.as_ref().map(|v| self.shown(v, id))
    }

    /// The values after, as plan JSON shows them (a replaced image's id is
    /// known only after apply).
    pub fn shown_after(&self) -> Option<Map<String, Value>> {
        let id = match self.action {
            Action::Replace => None,
            _ => self.id.as_deref(),
        };
        self.after.as_ref().map(|v| self.shown(v, id))
    }

    fn shown(&self, values: &Values, id: Option<&str>) -> Map<String, Value> {
        if self.is_image() {
            image_values(&values.fields(), id, self.available, &self.sensitive)
        } else {
            values.to_map()
        }
    }

    /// The change as the rendered plan reads it: a delete lists the values
    /// it removes as plan JSON shows them; any other change reads as it is.
    pub fn printed(&self) -> std::borrow::Cow<'_, Change> {
        match (&self.before, self.action) {
            (Some(_), Action::Delete) if self.is_image() => std::borrow::Cow::Owned(Change {
                before: self.shown_before().map(Values::Named),
                after: None,
                ..self.clone()
            }),
            _ => std::borrow::Cow::Borrowed(self),
        }
    }
}

impl AttributeChange {
    /// An image field's change.
    pub fn of_field(field: Field, before: Value, after: Value) -> AttributeChange {
        AttributeChange {
            attribute: Cow::Borrowed(field.spec_name()),
            before,
            after,
        }
    }

    /// The image field it changes.
    pub fn field(&self) -> Option<Field> {
        Field::from_spec_name(&self.attribute)
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
    /// The counts of a plan's changes; duplicates to delete, and revokes
    /// of links Kasm has, count as destroys.
    pub fn of(changes: &[Change], duplicates: &[Duplicate], extra: &[ExtraLink]) -> Self {
        let duplicates: usize = duplicates
            .iter()
            .filter(|d| d.delete)
            .map(|d| d.image_ids.len())
            .sum();
        let revokes = extra
            .iter()
            .filter(|x| x.revoke && x.image_id.is_some())
            .count();
        let mut summary = Summary {
            destroy: duplicates + revokes,
            ..Summary::default()
        };
        for c in changes {
            summary.count(c.action);
        }
        summary
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
    /// Plan format version ([`PLAN_FORMAT`]); a plan of another is refused
    /// when read.
    #[serde(deserialize_with = "plan_format")]
    pub format_version: u32,
    /// The state's lineage and serial when planned, to refuse a stale plan.
    pub state_lineage: String,
    /// See `state_lineage`.
    pub state_serial: u64,
    /// One entry per instance in the configuration or the state, of every
    /// type: images by address, then the other types, groups first.
    pub resource_changes: Vec<Change>,
    /// Instances changed (`update`) or deleted (`delete`) on Kasm since the
    /// last apply: the state against Kasm. Images first.
    pub resource_drift: Vec<Change>,
    /// Counts.
    pub summary: Summary,
    /// Images no address manages that equal a desired spec.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<Duplicate>,
    /// Links on Kasm of managed images that no `kasm_group_image` declares.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_links: Vec<ExtraLink>,
    /// The configuration, as Terraform's plan JSON describes it (`configuration`).
    // Only plan JSON reads it: carried as text, not rebuilt at each crossing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Value>"))]
    pub configuration: Option<JsonText>,
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
    /// Whether its value is null: no output, as in Terraform (not shown
    /// after an apply, not recorded).
    pub fn is_null(&self) -> bool {
        !self.sensitive && self.after.as_ref().is_some_and(Value::is_null)
    }

    /// What the state records for it after an apply, if it is still declared.
    pub fn record(&self) -> Option<crate::state::StateOutput> {
        (self.action != Action::Delete && !self.is_null()).then(|| crate::state::StateOutput {
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
    }

    /// Whether an output is added, changed or removed.
    pub fn has_output_changes(&self) -> bool {
        self.output_changes.iter().any(|o| o.action != Action::NoOp)
    }

    /// Every change's address and action, whatever its type.
    pub fn actions(&self) -> impl Iterator<Item = (&str, Action)> {
        self.resource_changes
            .iter()
            .map(|c| (c.address.as_str(), c.action))
    }

    /// The changes to images.
    pub fn image_changes(&self) -> impl Iterator<Item = &Change> {
        self.resource_changes.iter().filter(|c| c.is_image())
    }

    /// The changes to every other type.
    pub fn access_changes(&self) -> impl Iterator<Item = &Change> {
        self.resource_changes.iter().filter(|c| !c.is_image())
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
        self.summary.import = imported.len();
    }

    /// Adds the changes of every other type after the images', and counts
    /// them all again.
    pub fn add_access(&mut self, found: AccessPlan) {
        self.resource_changes.retain(Change::is_image);
        self.resource_changes.extend(found.changes);
        self.extra_links = found.extra;
        self.count();
    }

    /// Counts the changes again, keeping the count of imports.
    pub fn count(&mut self) {
        let import = self.summary.import;
        self.summary = Summary::of(&self.resource_changes, &self.duplicates, &self.extra_links);
        self.summary.import = import;
    }

    /// Whether Kasm differs from what the state recorded.
    pub fn has_drift(&self) -> bool {
        !self.resource_drift.is_empty()
    }
}

/// The plan format this crate writes and reads. 2: one list of changes of
/// every type (`resource_changes`, `resource_drift`), each by attribute name.
pub const PLAN_FORMAT: u32 = 2;

/// Reads a plan's format version, refusing any but [`PLAN_FORMAT`].
fn plan_format<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let version = u32::deserialize(d)?;
    match version {
        PLAN_FORMAT => Ok(version),
        v if v < PLAN_FORMAT => Err(serde::de::Error::custom(format!(
            "a plan of format {v}, made by an older kasm-plan; this one reads format {PLAN_FORMAT}: plan again"
        ))),
        v => Err(serde::de::Error::custom(format!(
            "a plan of format {v}, made by a newer kasm-plan; this one reads format {PLAN_FORMAT}: upgrade kasm-plan, or plan again with this one"
        ))),
    }
}

/// One attribute's old and new value.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttributeChange {
    /// The attribute, e.g. `priority`.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub attribute: Cow<'static, str>,
    /// Its value now (null when unset or unknown).
    pub before: Value,
    /// Its value after (null when unknown until apply).
    pub after: Value,
}

/// The planned change to one instance of any type.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The instance's address (`kasm_group.devs`).
    pub address: String,
    /// Its type (`kasm_group`).
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub resource_type: Cow<'static, str>,
    /// The instance name (`admins`, `chrome["dev"]`).
    pub name: String,
    /// What to do.
    pub action: Action,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// Kasm's id now: the image's, the group's, or the link's `group_id:image_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// An image's: whether Kasm reports it pulled and ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<bool>,
    /// Attributes now, by name (an image's memory in MB); absent for a
    /// create, and for an unchanged instance unless asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "typescript",
        ts(type = "{ [key in string]: JsonValue } | null")
    )]
    pub before: Option<Values>,
    /// Attributes after; absent for a delete and an unchanged instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "typescript",
        ts(type = "{ [key in string]: JsonValue } | null")
    )]
    pub after: Option<Values>,
    /// Attributes of `after` known only after apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Vec<String>"))]
    pub after_unknown: Vec<Cow<'static, str>>,
    /// For a link: the attributes whose value another resource's create in
    /// this run makes known, with that resource's address.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub waits_for: BTreeMap<String, String>,
    /// The attributes that change.
    #[serde(default)]
    pub changes: Vec<AttributeChange>,
    /// Hidden attributes: write-only ones (a password), secrets and values
    /// from sensitive variables. Their values here are salted
    /// fingerprints, shown as `(sensitive value)` and never sent anywhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Vec<String>"))]
    pub sensitive: Vec<Cow<'static, str>>,
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

impl Change {
    /// A no-op at the address, to fill in.
    pub fn none(address: &str, resource_type: &'static str) -> Change {
        Change {
            address: address.to_owned(),
            resource_type: Cow::Borrowed(resource_type),
            name: address
                .strip_prefix(resource_type)
                .and_then(|r| r.strip_prefix('.'))
                .unwrap_or(address)
                .to_owned(),
            action: Action::NoOp,
            reason: None,
            id: None,
            available: None,
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
    pub changes: Vec<Change>,
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

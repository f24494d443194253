//! The CRUD plan: desired specs + state + images observed on Kasm → actions.
//!
//! Rules: a field unset in the spec is not managed (Kasm keeps its value), except
//! `enabled`, which defaults to true. Updates happen in place (Kasm can change
//! every field), so there is no replace. Drift is the observed image against the
//! attributes last applied.

use crate::address::RESOURCE_TYPE;
pub use crate::address::{address_of, name_of};
use crate::attributes::{Attributes, FieldValue};
pub use crate::change::{Action, AttributeChange, Change, PLAN_FORMAT, Plan, Reason, Summary};
use crate::diagnostic::{Code, Diagnostic};
use crate::field::{Field, Kind};
use crate::model::{Image, ImageSpec, canonical_id};
use crate::object::{ObjectRecord, Values};
use crate::state::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

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
    /// Plan to delete everything the state manages, in reverse dependency
    /// order (Terraform's `-destroy`); the configuration's resources and
    /// outputs are set aside, its data sources still read.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub destroy: bool,
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
    // Each id is read into its canonical form once: planning many images
    // is bound by reading their memory.
    let observed_ids: Vec<Cow<str>> = observed.iter().map(|i| canonical_id(&i.image_id)).collect();
    let by_id: IdMap<&str, &Image> = observed_ids.iter().map(Cow::as_ref).zip(observed).collect();
    let mut errors = Vec::new();
    let held = state.images().count();
    let mut owners: IdMap<Cow<str>, &str> =
        IdMap::with_capacity_and_hasher(held, Default::default());
    let mut changes = Vec::with_capacity(desired.len().max(held));
    let mut drift = Vec::new();
    for (name, spec, recorded) in merged(desired, state) {
        let address = address_of(name);
        let image = recorded.and_then(|r| {
            let id = canonical_id(&r.id);
            let image = by_id.get(id.as_ref()).copied();
            if let Some(first) = owners.insert(id, name) {
                errors.push(bound_twice(&r.id, &address_of(first), &address));
            }
            image
        });
        let drifted = recorded.and_then(|r| drift_of(&address, r, image));
        // Kasm's image, with its attributes when drift has read them already.
        let seen = drifted
            .as_ref()
            .and_then(|d| d.after.as_ref())
            .and_then(Values::as_fields);
        let observed = image.map(|image| Observed { image, seen });
        let change = match (spec, recorded, observed) {
            (Some(spec), Some(r), Some(observed)) if options.replace.contains(&address) => {
                if r.prevent_destroy || spec.lifecycle.prevent_destroy {
                    errors.push(prevent_destroy(&address));
                }
                Some(replace(address, name, spec, observed))
            }
            (Some(spec), recorded, Some(observed)) => {
                Some(update(address, name, spec, recorded, observed, options))
            }
            (Some(spec), recorded, None) => Some(create(address, name, spec, recorded.is_some())),
            (None, Some(r), Some(observed)) => {
                if r.prevent_destroy {
                    errors.push(prevent_destroy(&address));
                }
                Some(delete(address, name, observed))
            }
            // In state only and already gone from Kasm: nothing to do; the drift says so.
            (None, _, _) => None,
        };
        drift.extend(drifted);
        changes.extend(change);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let unowned = observed_ids
        .iter()
        .zip(observed)
        .filter(|(id, _)| !owners.contains_key(*id))
        .map(|(_, image)| image);
    let duplicates = crate::duplicates::find(desired, state, unowned, options.delete_duplicates);
    Ok(Plan {
        format_version: PLAN_FORMAT,
        state_lineage: state.lineage.clone(),
        state_serial: state.serial,
        summary: Summary::of(&changes, &duplicates, &[]),
        resource_changes: changes,
        resource_drift: drift,
        duplicates,
        extra_links: Vec::new(),
        configuration: None,
        variables: None,
        targeted: false,
        output_changes: Vec::new(),
    })
}

/// A map keyed by image ids: hashed with foldhash, since std's SipHash is
/// a tenth of a large plan and the keys come from Kasm and the state, not
/// from a stranger.
type IdMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A resource's spec and state entry, by name.
type Pair<'a> = (&'a str, Option<&'a ImageSpec>, Option<&'a ObjectRecord>);

/// Every name in the config or the state, once and in order, with its spec and
/// state entry. Both maps are sorted by name (addresses share one prefix), so
/// a merge visits each once.
fn merged<'a>(
    desired: &'a BTreeMap<String, ImageSpec>,
    state: &'a State,
) -> impl Iterator<Item = Pair<'a>> {
    let mut wanted = desired.iter().map(|(n, s)| (n.as_str(), s)).peekable();
    let mut stored = state
        .images()
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
fn delete(address: String, name: &str, observed: Observed) -> Change {
    let image = observed.image;
    let mut change = Change {
        action: Action::Delete,
        reason: Some(Reason::RemovedFromConfig),
        id: Some(image.image_id.clone()),
        available: Some(image.available),
        before: Some(observed.attributes().into()),
        ..Change::of_image(address, name)
    };
    change.hide_image_fields(&[]);
    change
}

fn create(address: String, name: &str, spec: &ImageSpec, was_in_state: bool) -> Change {
    let after = Attributes::from_spec(spec, &address);
    let changes = after
        .set_fields()
        .map(|f| AttributeChange::of_field(f, Value::Null, after.get(f).clone()))
        .collect();
    let mut change = Change {
        action: Action::Create,
        reason: Some(Reason::of_create(was_in_state)),
        after: Some(after.into()),
        changes,
        ..Change::of_image(address, name)
    };
    change.conceal(spec);
    change
}

/// A replace asked for with `-replace`: Kasm's image is deleted and the
/// spec created again.
fn replace(address: String, name: &str, spec: &ImageSpec, observed: Observed) -> Change {
    let image = observed.image;
    let before = observed.attributes();
    let after = Attributes::from_spec(spec, &address);
    let changes = after
        .set_fields()
        .filter(|&f| before.get(f) != after.get(f))
        .map(|f| AttributeChange::of_field(f, before.get(f).clone(), after.get(f).clone()))
        .collect();
    let mut change = Change {
        action: Action::Replace,
        reason: Some(Reason::ReplaceByRequest),
        id: Some(image.image_id.clone()),
        available: Some(image.available),
        before: Some(before.into()),
        after: Some(after.into()),
        changes,
        ..Change::of_image(address, name)
    };
    change.conceal(spec);
    change
}

/// Kasm's image, and its attributes when drift has read them already.
struct Observed<'a> {
    image: &'a Image,
    seen: Option<&'a Attributes>,
}

impl Observed<'_> {
    /// The image's attributes: drift's, shared, or read now.
    fn attributes(&self) -> Attributes {
        self.seen
            .cloned()
            .unwrap_or_else(|| Attributes::from_image(self.image))
    }
}

fn update(
    address: String,
    name: &str,
    spec: &ImageSpec,
    recorded: Option<&ObjectRecord>,
    observed: Observed,
    options: &PlanOptions,
) -> Change {
    let image = observed.image;
    let (changes, config_changed) = field_changes(&address, spec, recorded, image);
    // Attribute sets are built only for changes, or when asked for: they are
    // most of the cost of planning many unchanged images.
    let (action, reason, before, after) = if changes.is_empty() {
        let before = options.unchanged_values.then(|| observed.attributes());
        (Action::NoOp, None, before, None)
    } else {
        let before = observed.attributes();
        let mut after = before.clone();
        for (field, c) in &changes {
            after.set(*field, c.after.clone());
        }
        let reason = if config_changed {
            Reason::ConfigChanged
        } else {
            Reason::Drift
        };
        (Action::Update, Some(reason), Some(before), Some(after))
    };
    let mut change = Change {
        action,
        reason,
        id: Some(image.image_id.clone()),
        available: Some(image.available),
        before: before.map(Into::into),
        after: after.map(Into::into),
        changes: changes.into_iter().map(|(_, c)| c).collect(),
        ..Change::of_image(address, name)
    };
    change.conceal(spec);
    change
}

/// The managed fields whose value on Kasm differs from the spec's, and
/// whether any differs from what was last applied (the config changed) rather
/// than only on Kasm (drift).
fn field_changes(
    address: &str,
    spec: &ImageSpec,
    recorded: Option<&ObjectRecord>,
    image: &Image,
) -> (Vec<(Field, AttributeChange)>, bool) {
    let recorded = recorded.map(|r| r.attributes.fields());
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
        let applied = recorded.as_ref().map(|r| r.get(field));
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
            changes.push((
                field,
                AttributeChange::of_field(field, before, want.to_value()),
            ));
        }
    }
    (changes, config_changed)
}

/// An image's drift: an update from the state's values to Kasm's, or a
/// delete when Kasm no longer has it.
fn drift_of(address: &str, record: &ObjectRecord, image: Option<&Image>) -> Option<Change> {
    let recorded = record.attributes.fields();
    let base = |action, changes, after: Option<Attributes>| {
        let mut change = Change {
            action,
            id: Some(record.id.clone()),
            changes,
            before: Some(recorded.clone().into_owned().into()),
            after: after.map(Into::into),
            ..Change::none(address, RESOURCE_TYPE)
        };
        change.hide_image_fields(&[]);
        change
    };
    let Some(image) = image else {
        return Some(base(Action::Delete, Vec::new(), None));
    };
    let differs = |f: Field| {
        let (stored, now) = (recorded.get(f), FieldValue::of_image(image, f));
        match f.kind() {
            Kind::Secret => stored.is_null() != (now == FieldValue::Null),
            _ => !now.matches(stored),
        }
    };
    if !Field::ALL.iter().any(|f| differs(*f)) {
        return None;
    }
    let after = Attributes::from_image(image);
    let changes = Field::ALL
        .iter()
        .filter(|f| differs(**f))
        .map(|f| AttributeChange::of_field(*f, recorded.get(*f).clone(), after.get(*f).clone()))
        .collect();
    Some(base(Action::Update, changes, Some(after)))
}

/// The error of a state that binds one image to two addresses.
fn bound_twice(image_id: &str, first: &str, address: &str) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidState,
        format!("state binds image {image_id} to both {first} and {address}"),
    )
    .at(address, "")
    .help(format!(
        "remove one binding with `kasm-plan state rm {address}`"
    ))
}

pub(crate) fn prevent_destroy(address: &str) -> Diagnostic {
    Diagnostic::error(
        Code::PreventDestroy,
        format!("{address} has lifecycle.prevent_destroy set, but the plan would delete it"),
    )
    .at(address, "lifecycle.prevent_destroy")
    .help(
        "restore its resource block, or apply once with prevent_destroy = false before removing it",
    )
}

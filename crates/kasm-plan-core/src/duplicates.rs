//! Images on Kasm that no address owns but that equal a managed spec: what a
//! create that landed twice leaves behind. They are never removed unasked,
//! and every plan shows them.

use crate::address::address_of;
use crate::apply::matches;
pub use crate::change::Duplicate;
use crate::change::{Action, Plan};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Image, ImageSpec, canonical_id};
use crate::state::State;
use crate::wire::create_body;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

/// For each desired spec, the images no address owns whose every value equals
/// it. For an address not yet in the state, the first such image is the one
/// an apply adopts, so only the others count.
pub fn find<'a>(
    desired: &BTreeMap<String, ImageSpec>,
    state: &State,
    unowned: impl Iterator<Item = &'a Image>,
    delete: bool,
) -> Vec<Duplicate> {
    let mut by_name: BTreeMap<&str, Vec<&Image>> = BTreeMap::new();
    for image in unowned {
        if let Some(name) = image.name.as_deref() {
            by_name.entry(name).or_default().push(image);
        }
    }
    let unowned = by_name;
    if unowned.is_empty() {
        return Vec::new();
    }
    desired
        .iter()
        .filter_map(|(name, spec)| {
            let address = address_of(name);
            let candidates = unowned.get(spec.name.as_str())?;
            let body = create_body(spec, &address);
            let mut image_ids: Vec<String> = candidates
                .iter()
                .filter(|i| matches(&body, i))
                .map(|i| i.image_id.clone())
                .collect();
            if state.image(&address).is_none() && !image_ids.is_empty() {
                image_ids.remove(0);
            }
            (!image_ids.is_empty()).then_some(Duplicate {
                address,
                image_ids,
                delete,
            })
        })
        .collect()
}

/// A warning next to each create whose image name Kasm already holds on an
/// image no address of `state` manages: the image may be another state's
/// (a plan run from another directory) or made by hand. An identical one is
/// recorded by the apply instead of created; any other is left beside the
/// new one. Either way the plan says so, with the ids and how to take one over.
pub fn namesakes(
    plan: &Plan,
    desired: &BTreeMap<String, ImageSpec>,
    state: &State,
    observed: &[Image],
) -> Vec<Diagnostic> {
    let owned: HashSet<Cow<str>> = state.images().map(|(_, r)| canonical_id(&r.id)).collect();
    plan.image_changes()
        .filter(|c| c.action == Action::Create)
        .filter_map(|c| {
            let spec = desired.get(&c.name)?;
            let same_name: Vec<&Image> = observed
                .iter()
                .filter(|i| i.name.as_deref() == Some(spec.name.as_str()))
                .filter(|i| !owned.contains(&canonical_id(&i.image_id)))
                .collect();
            let first = same_name.first()?;
            let body = create_body(spec, &c.address);
            let ids: Vec<&str> = same_name.iter().map(|i| i.image_id.as_str()).collect();
            let message = match same_name.iter().find(|i| matches(&body, i)) {
                Some(equal) => format!(
                    "Kasm already has image {} ({}) equal to {}, and no address of this state manages it: apply records it for {} instead of creating another",
                    equal.image_id, spec.name, c.address, c.address
                ),
                None => format!(
                    "Kasm already has {} image(s) named {} that no address of this state manages ({}): this plan creates another beside them",
                    ids.len(),
                    spec.name,
                    ids.join(", ")
                ),
            };
            Some(
                Diagnostic::warning(Code::UnmanagedNamesake, message)
                    .at(&c.address, "")
                    .help(format!(
                        "if another directory's state manages it, run kasm-plan there (or with -chdir=DIR); to take it over here, declare `import {{ to = {}  id = \"{}\" }}` or run `kasm-plan adopt`",
                        c.address, first.image_id
                    )),
            )
        })
        .collect()
}

/// The warning a plan gives for one address's duplicates (none when it deletes them).
pub fn warning(d: &Duplicate) -> Option<Diagnostic> {
    (!d.delete).then(|| warn(d))
}

fn warn(d: &Duplicate) -> Diagnostic {
    Diagnostic::warning(
        Code::DuplicateImage,
        format!(
            "Kasm holds {} image(s) equal to {} that no address manages: {}",
            d.image_ids.len(),
            d.address,
            d.image_ids.join(", ")
        ),
    )
    .at(&d.address, "")
    .help("they are left alone; `apply --delete-duplicates` deletes them (an earlier create may have landed twice)")
}

//! The spec sources every operation reads: one text, several files, or a spec
//! document given as a value; and how they become validated specs.

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::model::ImageSpec;
use crate::parse::{Format, parse_source};
use crate::typing::{ParsedResource, type_document};
use crate::validate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A spec source text.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceInput {
    /// The text of a `.tf` or `.json` spec.
    pub source: String,
    /// Its language; guessed from `file_name` or the text when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// The file name, used only to guess the format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

/// One source, or several validated as one configuration.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Sources {
    /// Several sources (files); resource names must be unique across them.
    Many {
        /// The sources, each with its file name.
        sources: Vec<SourceInput>,
    },
    /// One source.
    One(SourceInput),
}

impl From<SourceInput> for Sources {
    fn from(input: SourceInput) -> Self {
        Sources::One(input)
    }
}

/// The desired images: source texts, or a spec document given as a value.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Desired {
    /// Source text.
    Source(SourceInput),
    /// Several source texts (files), planned together; names must be unique across them.
    Sources {
        /// The sources, each with its file name.
        sources: Vec<SourceInput>,
    },
    /// `{"images": {"<name>": {...}}}` as a value.
    Document {
        /// Specs by resource name.
        images: Map<String, Value>,
    },
}

/// Parses and types a source; resources that failed are left out.
pub fn check_source(input: &SourceInput) -> (Vec<ParsedResource>, Vec<Diagnostic>) {
    let format = input
        .format
        .unwrap_or_else(|| Format::detect(input.file_name.as_deref(), &input.source));
    type_document(parse_source(&input.source, format))
}

/// Parse, type and check a source: every diagnostic at once.
pub fn validate_source(
    input: &SourceInput,
    strict: bool,
) -> (Vec<ParsedResource>, Vec<Diagnostic>) {
    let (resources, mut diagnostics) = check_source(input);
    for r in &resources {
        diagnostics.extend(validate::diagnose(r));
    }
    finish(&mut diagnostics, strict);
    name_file(&mut diagnostics, input);
    (resources, diagnostics)
}

/// Validates several sources as one configuration: a resource name defined in
/// two of them is a `duplicate_address` error at the second definition.
pub fn validate_sources(
    inputs: &[SourceInput],
    strict: bool,
) -> (Vec<ParsedResource>, Vec<Diagnostic>) {
    let mut all = Vec::new();
    let mut diagnostics = Vec::new();
    let mut seen: BTreeMap<String, Option<String>> = BTreeMap::new();
    for input in inputs {
        let (resources, found) = validate_source(input, strict);
        diagnostics.extend(found);
        for r in resources {
            match seen.get(&r.name) {
                Some(first) => diagnostics.push(defined_twice(&r, first.as_deref(), input)),
                None => {
                    seen.insert(r.name.clone(), input.file_name.clone());
                    all.push(r);
                }
            }
        }
    }
    (all, diagnostics)
}

/// The `duplicate_address` error for a second definition of a resource.
fn defined_twice(r: &ParsedResource, first: Option<&str>, input: &SourceInput) -> Diagnostic {
    let mut d = Diagnostic::error(
        Code::DuplicateAddress,
        format!(
            "{} is defined more than once (first in {})",
            r.address,
            first.unwrap_or("an unnamed source")
        ),
    )
    .at(&r.address, "")
    .help("give each kasm_image resource a unique name across all files")
    .located(r.location);
    d.file.clone_from(&input.file_name);
    d
}

/// Validates the desired specs of a request: the valid specs by name, and
/// every diagnostic.
pub fn desired_specs(
    desired: &Desired,
    strict: bool,
) -> (BTreeMap<String, ImageSpec>, Vec<Diagnostic>) {
    let (resources, diagnostics) = match desired {
        Desired::Source(s) => validate_source(s, strict),
        Desired::Sources { sources } => validate_sources(sources, strict),
        Desired::Document { images } => document_specs(images, strict),
    };
    let desired = resources.into_iter().map(|r| (r.name, r.spec)).collect();
    (desired, diagnostics)
}

/// Validates a spec document given as a value, as the JSON text it stands for.
fn document_specs(
    images: &Map<String, Value>,
    strict: bool,
) -> (Vec<ParsedResource>, Vec<Diagnostic>) {
    let document = Value::Object(Map::from_iter([(
        "images".to_owned(),
        Value::Object(images.clone()),
    )]));
    let input = SourceInput {
        source: document.to_string(),
        format: Some(Format::Json),
        file_name: None,
    };
    let (resources, mut diagnostics) = validate_source(&input, strict);
    // Positions would point into generated text.
    diagnostics.iter_mut().for_each(|d| d.location = None);
    (resources, diagnostics)
}

/// Tags each diagnostic with the source's file name.
pub(super) fn name_file(diagnostics: &mut [Diagnostic], input: &SourceInput) {
    if let Some(name) = &input.file_name {
        diagnostics
            .iter_mut()
            .for_each(|d| d.file = Some(name.clone()));
    }
}

/// Applies `strict` and orders diagnostics by position (unpositioned last, order kept).
pub(super) fn finish(diagnostics: &mut [Diagnostic], strict: bool) {
    if strict {
        diagnostics
            .iter_mut()
            .for_each(|d| d.severity = Severity::Error);
    }
    diagnostics.sort_by_key(|d| {
        d.location
            .map_or((u32::MAX, u32::MAX), |l| (l.start.line, l.start.column))
    });
}

//! The spec sources every operation reads: one text, several files, or a spec
//! document given as a value; and how they become validated specs.

use crate::access::{GroupSpec, LinkSpec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::{Import, Move};
use crate::lang::config::{BackendBlock, read_file};
use crate::lang::depends::DependsOn;
use crate::lang::outputs::Outputs;
use crate::lang::{self, Reads, VariableInput};
use crate::model::ImageSpec;
use crate::parse::{Declarations, Described, Format};
use crate::typing::{ParsedResource, type_and_check, type_document};
use crate::validate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

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

impl SourceInput {
    /// Its language, given or guessed.
    pub fn format(&self) -> Format {
        self.format
            .unwrap_or_else(|| Format::detect(self.file_name.as_deref(), &self.source))
    }
}

/// A configuration: the files of a directory, read together, and values for
/// its variables.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Configuration {
    /// The files (`.tf`, `.tf.json`, kasm-plan's JSON), each with its name.
    pub sources: Vec<SourceInput>,
    /// Values for its variables, lowest precedence first (see [`VariableInput`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<VariableInput>,
    /// The workspace (`terraform.workspace`); `default` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
}

/// One source, or several validated as one configuration.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Sources {
    /// Several sources (files) and variable values; resource names must be unique across the files.
    Many(Configuration),
    /// One source.
    One(SourceInput),
}

impl From<SourceInput> for Sources {
    fn from(input: SourceInput) -> Self {
        Sources::One(input)
    }
}

/// A configuration's parts, borrowed: a source given alone is checked as a
/// configuration without its text being copied.
#[derive(Clone, Copy, Debug)]
pub struct ConfigurationRef<'a> {
    /// The files.
    pub sources: &'a [SourceInput],
    /// Values for its variables, lowest precedence first.
    pub variables: &'a [VariableInput],
    /// The workspace; `default` when absent.
    pub workspace: Option<&'a str>,
}

impl Configuration {
    /// The configuration, borrowed.
    pub fn borrowed(&self) -> ConfigurationRef<'_> {
        ConfigurationRef {
            sources: &self.sources,
            variables: &self.variables,
            workspace: self.workspace.as_deref(),
        }
    }
}

impl SourceInput {
    /// The source as a configuration of one file, borrowed.
    pub fn as_configuration(&self) -> ConfigurationRef<'_> {
        ConfigurationRef {
            sources: std::slice::from_ref(self),
            variables: &[],
            workspace: None,
        }
    }
}

/// One file, without variable values, is a configuration too.
impl From<SourceInput> for Configuration {
    fn from(input: SourceInput) -> Self {
        Configuration {
            sources: vec![input],
            variables: Vec::new(),
            workspace: None,
        }
    }
}

impl Sources {
    /// The sources as one configuration.
    pub fn configuration(&self) -> ConfigurationRef<'_> {
        match self {
            Sources::One(input) => input.as_configuration(),
            Sources::Many(config) => config.borrowed(),
        }
    }
}

/// The desired images: source texts, or a spec document given as a value.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Desired {
    /// Source text.
    Source(SourceInput),
    /// Several source texts (files) and variable values, planned together;
    /// names must be unique across the files.
    Sources(Configuration),
    /// `{"images": {"<name>": {...}}}` as a value.
    Document {
        /// Specs by resource name.
        images: Map<String, Value>,
    },
}

/// Parses, evaluates and types a source alone; resources that failed are left out.
pub fn check_source(input: &SourceInput) -> (Vec<ParsedResource>, Vec<Diagnostic>) {
    let file = read_file(&input.source, input.format(), input.file_name.as_deref());
    type_document(lang::load(vec![file], &[], None, Reads::default()))
}

/// Parse, type and check a source: every diagnostic at once.
pub fn validate_source(
    input: &SourceInput,
    strict: bool,
) -> (Vec<ParsedResource>, Vec<Diagnostic>) {
    validate_borrowed(input.as_configuration(), strict)
}

/// Validates a configuration: its files read together, its variables given
/// values, every resource instance typed and checked; every diagnostic at once.
pub fn validate_configuration(
    config: &Configuration,
    strict: bool,
) -> (Vec<ParsedResource>, Vec<Diagnostic>) {
    validate_borrowed(config.borrowed(), strict)
}

fn validate_borrowed(
    config: ConfigurationRef,
    strict: bool,
) -> (Vec<ParsedResource>, Vec<Diagnostic>) {
    let (checked, diagnostics) = check_configuration(config, strict, false, Reads::default());
    (checked.resources, diagnostics)
}

/// A configuration, checked: its resource instances, and the state edits
/// (`moved`, `import`) it asks for.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// The instances, typed and checked.
    pub resources: Vec<ParsedResource>,
    /// `moved` blocks.
    pub moves: Vec<Move>,
    /// `import` blocks.
    pub imports: Vec<Import>,
    /// The configuration as plan JSON describes it.
    pub described: Option<Described>,
    /// Groups, links and what they need.
    pub access: Authorization,
    /// The `terraform { backend ... }` block.
    pub backend: Option<BackendBlock>,
    /// The `provider "kasm"` block's settings.
    pub provider: Option<crate::lang::config::ProviderSettings>,
    /// Where each instance is declared.
    pub declared: Declarations,
    /// Each resource's `depends_on`.
    pub depends_on: DependsOn,
    /// `output` blocks.
    pub outputs: Outputs,
}

/// The groups and links a configuration declares.
#[derive(Clone, Debug, Default)]
pub struct Authorization {
    /// `kasm_group` instances.
    pub groups: Vec<GroupSpec>,
    /// `kasm_group_image` instances.
    pub links: Vec<LinkSpec>,
    /// Images whose declared links are all their groups.
    pub exclusive: BTreeSet<String>,
    /// Instances other than images with `prevent_destroy = true`.
    pub protected: BTreeSet<String>,
    /// Whether planning needs Kasm's groups.
    pub uses_groups: bool,
    /// Whether a `data "kasm_users"` needs Kasm's users.
    pub reads_users: bool,
    /// `kasm_user` and `kasm_group_membership` instances.
    pub objects: Vec<crate::object::ObjectSpec>,
}

impl Authorization {
    /// Whether planning needs Kasm's users too.
    pub fn uses_users(&self) -> bool {
        !self.objects.is_empty() || self.reads_users
    }
}

/// [`validate_configuration`], keeping the `moved` and `import` blocks, and
/// when `describe`, the configuration as plan JSON describes it.
pub fn check_configuration(
    config: ConfigurationRef,
    strict: bool,
    describe: bool,
    reads: Reads,
) -> (Checked, Vec<Diagnostic>) {
    let files = config
        .sources
        .iter()
        .map(|s| read_file(&s.source, s.format(), s.file_name.as_deref()))
        .collect();
    let mut document = if describe {
        lang::load_described(files, config.variables, config.workspace, reads)
    } else {
        lang::load(files, config.variables, config.workspace, reads)
    };
    let access = Authorization {
        groups: std::mem::take(&mut document.groups),
        links: std::mem::take(&mut document.links),
        exclusive: std::mem::take(&mut document.exclusive),
        protected: std::mem::take(&mut document.protected),
        uses_groups: document.uses_groups,
        reads_users: document.reads_users,
        objects: std::mem::take(&mut document.objects),
    };
    let backend = document.backend.take();
    let provider = document.provider.take();
    let moves = std::mem::take(&mut document.moves);
    let imports = std::mem::take(&mut document.imports);
    let described = document.described.take();
    let declared = std::mem::take(&mut document.declared);
    let depends_on = std::mem::take(&mut document.depends_on);
    let outputs = std::mem::take(&mut document.outputs);
    let (resources, mut diagnostics) =
        type_and_check(document, |r, out| out.extend(validate::diagnose(r)));
    // Checked as the plan will evaluate them, with no id known yet.
    diagnostics.extend(outputs.evaluate(&|_| None).1);
    let mut diagnostics = one_per_block(diagnostics);
    finish(&mut diagnostics, strict, config.sources);
    (
        Checked {
            resources,
            moves,
            imports,
            described,
            access,
            backend,
            provider,
            declared,
            depends_on,
            outputs,
        },
        diagnostics,
    )
}

/// What a request wants: specs by instance name, and the state edits asked for.
#[derive(Clone, Debug, Default)]
pub struct Wanted {
    /// The specs, by instance name.
    pub specs: BTreeMap<String, ImageSpec>,
    /// `moved` blocks.
    pub moves: Vec<Move>,
    /// `import` blocks.
    pub imports: Vec<Import>,
    /// The configuration as plan JSON describes it.
    pub described: Option<Described>,
    /// Groups and links.
    pub access: Authorization,
    /// Where each instance is declared.
    pub declared: Declarations,
    /// Each resource's `depends_on`.
    pub depends_on: DependsOn,
    /// `output` blocks.
    pub outputs: Outputs,
}

/// Validates the desired specs of a request: the valid specs by name, and
/// every diagnostic.
pub fn desired_specs(
    desired: &Desired,
    strict: bool,
) -> (BTreeMap<String, ImageSpec>, Vec<Diagnostic>) {
    let (wanted, diagnostics) = wanted(desired, strict, Reads::default());
    (wanted.specs, diagnostics)
}

/// Validates what a request wants: specs, moves and imports, and every diagnostic.
/// `reads`: what was read from Kasm for data sources.
pub fn wanted(desired: &Desired, strict: bool, reads: Reads) -> (Wanted, Vec<Diagnostic>) {
    let (checked, diagnostics) = match desired {
        Desired::Source(s) => check_configuration(s.as_configuration(), strict, true, reads),
        Desired::Sources(config) => check_configuration(config.borrowed(), strict, true, reads),
        Desired::Document { images } => {
            let (resources, diagnostics) = document_specs(images, strict);
            (
                Checked {
                    resources,
                    ..Checked::default()
                },
                diagnostics,
            )
        }
    };
    let specs = checked
        .resources
        .into_iter()
        .map(|r| (r.name, r.spec))
        .collect();
    let wanted = Wanted {
        specs,
        moves: checked.moves,
        imports: checked.imports,
        described: checked.described,
        access: checked.access,
        declared: checked.declared,
        depends_on: checked.depends_on,
        outputs: checked.outputs,
    };
    (wanted, diagnostics)
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

/// Gives each diagnostic about a declared instance that has no position the
/// file and block of that instance's declaration (plan-time findings: a
/// group name no group has, a create beside an unmanaged image).
pub(super) fn place(diagnostics: &mut [Diagnostic], declared: &Declarations) {
    for d in diagnostics.iter_mut().filter(|d| d.location.is_none()) {
        if let Some((file, location)) = d.address.as_ref().and_then(|a| declared.get(a)) {
            d.location = *location;
            if d.file.is_none() {
                d.file = file.as_deref().map(str::to_owned);
            }
        }
    }
}

/// The same problem in several instances of one block (`count`, `for_each`)
/// once, naming the instances it fails in: `... (instances ["a"], ["b"])`.
/// Only problems that read the same (code, message, place) are merged.
fn one_per_block(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let split = |address: &str| -> (String, String) {
        match address.find('[') {
            Some(at) => (address[..at].to_owned(), address[at..].to_owned()),
            None => (address.to_owned(), String::new()),
        }
    };
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    let mut keys: Vec<Vec<String>> = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        let instance = d
            .address
            .as_deref()
            .map(split)
            .filter(|(_, key)| !key.is_empty());
        let Some((resource, key)) = instance else {
            out.push(d);
            keys.push(Vec::new());
            continue;
        };
        let same = out.iter().position(|o| {
            o.code == d.code
                && o.severity == d.severity
                && o.message == d.message
                && o.location == d.location
                && o.file == d.file
                && o.address
                    .as_deref()
                    .map(split)
                    .is_some_and(|(r, k)| r == resource && !k.is_empty())
        });
        match same.and_then(|i| keys.get_mut(i)) {
            Some(list) => list.push(key),
            None => {
                out.push(d);
                keys.push(vec![key]);
            }
        }
    }
    for (d, keys) in out.iter_mut().zip(keys) {
        if keys.len() > 1 {
            d.message = format!("{} (instances {})", d.message, keys.join(", "));
        }
    }
    out
}

/// Applies `strict` and orders diagnostics by file (in the order given) and
/// position; unpositioned ones last, their order kept.
pub(super) fn finish(diagnostics: &mut [Diagnostic], strict: bool, sources: &[SourceInput]) {
    if strict {
        diagnostics
            .iter_mut()
            .for_each(|d| d.severity = Severity::Error);
    }
    let file_rank = |d: &Diagnostic| {
        sources
            .iter()
            .position(|s| s.file_name.is_some() && s.file_name == d.file)
            .unwrap_or(usize::MAX)
    };
    diagnostics.sort_by_key(|d| {
        (
            d.location.is_none(),
            file_rank(d),
            d.location.map(|l| l.start),
        )
    });
}

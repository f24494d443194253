//! A configuration: the files of one directory read together. Declarations
//! are collected here (variables, locals, `kasm_image` resources); other
//! blocks are skipped with a warning, never an error.

use super::body::{Attribute, Block, Body, File, Name};
use super::expr::{Expr, ExprKind};
use super::types::{self, Type};
use super::{hcl, json};
use crate::diagnostic::{Code, Diagnostic, FileName, Location};
use crate::lang::raw::Format;
use crate::positions::Positions;
use crate::schema::tables::{self, Block as Table};
use std::collections::{BTreeMap, BTreeSet};

/// A `variable` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    /// Its name.
    pub name: String,
    /// Its type constraint (`any` when not given).
    pub ty: Type,
    /// Whether `type` was given (without it, text values are taken as strings).
    pub typed: bool,
    /// Its default, when it has one (then it is optional).
    pub default: Option<Expr>,
    /// Whether its value is redacted everywhere.
    pub sensitive: bool,
    /// Whether it is `ephemeral` (`ephemeralasnull` reads it as null).
    pub ephemeral: bool,
    /// Whether null is an allowed value.
    pub nullable: bool,
    /// Its `validation` blocks.
    pub validations: Vec<Validation>,
    /// Where it is declared.
    pub declared: Declared,
}

/// A `validation { condition, error_message }` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    /// Must be true for the value to be accepted.
    pub condition: Expr,
    /// Shown when it is not.
    pub error_message: Expr,
}

/// One `locals` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Local {
    /// Its name.
    pub name: String,
    /// Its expression.
    pub expr: Expr,
    /// Where it is declared.
    pub declared: Declared,
}

/// An `output` block.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputDecl {
    /// Its name (the label).
    pub name: String,
    /// `value`.
    pub value: Expr,
    /// `description`, when given as text.
    pub description: Option<String>,
    /// `sensitive`: its value is hidden in plans and outputs.
    pub sensitive: bool,
    /// Where it is declared.
    pub declared: Declared,
}

/// A resource type kasm-plan manages: a handle on its table.
#[derive(Clone, Copy)]
pub struct Kind(&'static Table);

impl PartialEq for Kind {
    fn eq(&self, other: &Kind) -> bool {
        self.0.type_name == other.0.type_name
    }
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.type_name)
    }
}

impl Kind {
    /// Every kind, in the order instances are evaluated: a kind may refer to
    /// the ids of the kinds before it.
    pub fn all() -> impl Iterator<Item = Kind> {
        tables::RESOURCES.iter().map(|&b| Kind(b))
    }

    /// The type's name, as a resource block's first label.
    pub fn type_name(self) -> &'static str {
        self.0.type_name
    }

    /// The type's table.
    pub fn table(self) -> &'static Table {
        self.0
    }

    /// The managed type a resource block's first label names.
    pub fn of(type_name: &str) -> Option<Kind> {
        tables::resource(type_name).map(Kind)
    }
}

/// A data source kasm-plan reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataKind {
    /// `data "kasm_images"`: Kasm's images, filtered by `name` and `enabled`.
    Images,
    /// `data "kasm_groups"`: Kasm's groups, filtered by `name`.
    Groups,
    /// `data "kasm_users"`: Kasm's users, filtered by `username`.
    Users,
}

impl DataKind {
    /// Every data source.
    pub const ALL: [DataKind; 3] = [DataKind::Images, DataKind::Groups, DataKind::Users];

    /// The data source's type name.
    pub fn type_name(self) -> &'static str {
        match self {
            DataKind::Images => "kasm_images",
            DataKind::Groups => "kasm_groups",
            DataKind::Users => "kasm_users",
        }
    }

    /// The data source a type name names.
    pub fn of(type_name: &str) -> Option<DataKind> {
        DataKind::ALL
            .into_iter()
            .find(|k| k.type_name() == type_name)
    }
}

/// A `data` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    /// Which data source.
    pub kind: DataKind,
    /// Its name (the second label).
    pub name: String,
    /// Its arguments.
    pub attributes: Vec<Attribute>,
    /// Where it is declared.
    pub declared: Declared,
}

impl Data {
    /// `data.<type>.<name>`.
    pub fn address(&self) -> String {
        format!("data.{}.{}", self.kind.type_name(), self.name)
    }
}

/// A `resource` block of a managed type, before `count` or `for_each` expands it.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// Its type.
    pub kind: Kind,
    /// Its name (the second label).
    pub name: String,
    /// `count = ...`.
    pub count: Option<Expr>,
    /// `for_each = ...`.
    pub for_each: Option<Expr>,
    /// Its other attributes, in source order.
    pub attributes: Vec<Attribute>,
    /// Its `lifecycle` block, if present.
    pub lifecycle: Option<Body>,
    /// `depends_on = [...]`.
    pub depends_on: Option<Attribute>,
    /// Where it is declared.
    pub declared: Declared,
}

impl Resource {
    /// `<type>.<name>`.
    pub fn address(&self) -> String {
        self.instance_address(None)
    }

    /// `<type>.<name>`, with an instance's key when it has one.
    pub fn instance_address(&self, key: Option<&crate::address::InstanceKey>) -> String {
        use std::fmt::Write;
        let type_name = self.kind.type_name();
        // Built in place: the formatter would grow the text several times.
        let mut address = String::with_capacity(type_name.len() + 1 + self.name.len());
        address.push_str(type_name);
        address.push('.');
        address.push_str(&self.name);
        if let Some(key) = key {
            let _ = write!(address, "{key}");
        }
        address
    }
}

/// A `moved { from, to }` block, its addresses as written.
#[derive(Clone, Debug, PartialEq)]
pub struct MovedBlock {
    /// The old address.
    pub from: Expr,
    /// The new address.
    pub to: Expr,
    /// Where it is declared.
    pub declared: Declared,
}

/// An `import { to, id }` block.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportBlock {
    /// The address to bind.
    pub to: Expr,
    /// The id of the image on Kasm (an expression: variables may give it).
    pub id: Expr,
    /// Where it is declared.
    pub declared: Declared,
}

/// A file and a position.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Declared {
    /// The file's name, when it has one.
    pub file: Option<FileName>,
    /// Where in it.
    pub at: Option<Location>,
}

impl Declared {
    /// A diagnostic placed here.
    pub fn place(&self, d: Diagnostic) -> Diagnostic {
        let mut d = if d.location.is_none() {
            d.located(self.at)
        } else {
            d
        };
        if d.file.is_none() {
            d.file = self.file.as_deref().map(str::to_owned);
        }
        d
    }
}

/// Every declaration of a configuration, and what reading it found wrong.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// `variable` blocks by name.
    pub variables: BTreeMap<String, Variable>,
    /// `locals` entries by name.
    pub locals: BTreeMap<String, Local>,
    /// Managed resources, in source order.
    pub resources: Vec<Resource>,
    /// `data` blocks of the data sources kasm-plan reads, in source order.
    pub data: Vec<Data>,
    /// `moved` blocks.
    pub moved: Vec<MovedBlock>,
    /// `import` blocks.
    pub imports: Vec<ImportBlock>,
    /// `output` blocks, in source order.
    pub outputs: Vec<OutputDecl>,
    /// The `terraform { backend "<type>" { ... } }` block, when there is one.
    pub backend: Option<BackendBlock>,
    /// The `provider "kasm"` block, when there is one.
    pub provider: Option<ProviderDecl>,
    /// Syntax errors, skipped blocks, malformed declarations.
    pub diagnostics: Vec<Diagnostic>,
    /// `<type>.<name>` of each managed resource something refers to: only
    /// these need their value built.
    pub referenced: BTreeSet<String>,
}

/// A `provider "kasm"` block: its arguments, evaluated with the variables.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProviderDecl {
    /// `base_url`, `api_key`, `api_secret`, `insecure`.
    pub attributes: Vec<Attribute>,
    /// Where it stands.
    pub declared: Declared,
}

/// The arguments of the provider block kasm-plan reads (the Terraform
/// provider's): which Kasm, how to trust it, and the key. The key never
/// appears in an answer's JSON; only the host, which sends it to Kasm, gets it.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProviderSettings {
    /// `base_url`: the Kasm server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// `insecure`: do not verify the server's certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// `api_key`, from a sensitive variable.
    #[serde(skip)]
    #[cfg_attr(feature = "typescript", ts(skip))]
    pub api_key: Option<String>,
    /// `api_secret`, from a sensitive variable.
    #[serde(skip)]
    #[cfg_attr(feature = "typescript", ts(skip))]
    pub api_secret: Option<String>,
}

impl std::fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "(sensitive)");
        f.debug_struct("ProviderSettings")
            .field("base_url", &self.base_url)
            .field("insecure", &self.insecure)
            .field("api_key", &hidden(&self.api_key))
            .field("api_secret", &hidden(&self.api_secret))
            .finish()
    }
}

/// The arguments a `provider "kasm"` block takes.
pub const PROVIDER_ARGUMENTS: [&str; 4] = ["base_url", "api_key", "api_secret", "insecure"];

/// Where the state is kept, as a `backend` block says: its type and its
/// settings, literal values only (as Terraform reads them, before variables).
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BackendBlock {
    /// `local`, `pg`, `http`...
    #[serde(rename = "type")]
    pub kind: String,
    /// Its settings.
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, unknown>"))]
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// Reads one file in its language.
pub fn read_file(text: &str, format: Format, name: Option<&str>) -> File {
    let (body, mut diagnostics) = match format {
        Format::Hcl => match hcl::parse_body(text) {
            Ok(body) => (body, Vec::new()),
            Err(d) => (Body::default(), vec![*d]),
        },
        Format::Json => json::parse_body(text),
    };
    for d in &mut diagnostics {
        d.file = name.map(str::to_owned);
    }
    File {
        name: name.map(str::to_owned),
        body,
        diagnostics,
    }
}

impl Config {
    /// Collects the declarations of several files.
    pub fn from_files(files: Vec<File>) -> Config {
        let mut config = Config::default();
        // Looked up, never walked in order: hashed, since sorting thousands of
        // addresses that share their type's prefix costs more.
        let mut declared_resources = Positions::default();
        fn key(r: &Resource) -> (&'static str, &str) {
            (r.kind.type_name(), &r.name)
        }
        let mut data_names: BTreeMap<String, ()> = BTreeMap::new();
        // Blocks of types kasm-plan does not manage: one warning per type, at its first block.
        let mut foreign: BTreeMap<(&'static str, String), (usize, Declared)> = BTreeMap::new();
        for file in files {
            config.diagnostics.extend(file.diagnostics);
            let name: Option<FileName> = file.name.as_deref().map(FileName::from);
            let here = |at| Declared {
                file: name.clone(),
                at,
            };
            for attr in &file.body.attributes {
                attr.expr
                    .references(&mut |root, first, _| config.refers_to(root, first));
                config.diagnostics.push(here(attr.at).place(
                    Diagnostic::warning(Code::BlockSkipped, format!("top-level attribute `{}` skipped", attr.name))
                        .help("kasm-plan reads `resource \"kasm_image\"`, `variable` and `locals` blocks"),
                ));
            }
            // Most blocks of a large configuration are resources.
            config.resources.reserve(file.body.blocks.len());
            declared_resources.reserve(&config.resources, file.body.blocks.len(), key);
            for mut block in file.body.blocks {
                // Found as each block is read, while it is in the cache.
                block
                    .body
                    .references(&mut |root, attr, _| config.refers_to(root, attr));
                let declared = here(block.at);
                match (&*block.kind, block.labels.as_mut_slice()) {
                    ("terraform", []) => config.terraform_block(&block.body, &declared),
                    ("variable", [name]) => config.variable(name.to_string(), block.body, declared),
                    ("locals", []) => config.locals_block(block.body, &declared),
                    ("moved", []) => config.moved_block(&block.body, declared),
                    ("import", []) => config.import_block(&block.body, declared),
                    ("output", [name]) => config.output_block(name, block.body, declared),
                    ("resource", labels) if labels.len() != 2 => config.diagnostics.push(declared.place(
                        Diagnostic::error(
                            Code::InvalidDocument,
                            format!("a resource block has two labels, its type and its name; this one has {}", labels.len()),
                        )
                        .help("write `resource \"kasm_image\" \"<name>\" { ... }`"),
                    )),
                    ("resource", [kind, name]) if Kind::of(kind).is_some() => {
                        let kind = Kind::of(kind).unwrap_or(Kind(tables::IMAGE));
                        let first = declared_resources
                            .find(&config.resources, (kind.type_name(), &**name), key)
                            .and_then(|i| config.resources.get(i));
                        if let Some(first) = first {
                            let address = first.address();
                            config.diagnostics.push(declared.place(
                                Diagnostic::error(
                                    Code::DuplicateAddress,
                                    format!(
                                        "{address} is defined more than once (first in {})",
                                        first.declared.file.as_deref().unwrap_or("the same source")
                                    ),
                                )
                                .at(&address, "")
                                .help(format!("give each {} resource a unique name across all files", kind.type_name())),
                            ));
                            continue;
                        }
                        let resource = config.resource(kind, std::mem::take(name).into_owned(), block.body, declared);
                        config.resources.push(resource);
                        declared_resources.insert(&config.resources, config.resources.len() - 1, key);
                    }
                    ("data", [kind, name]) if DataKind::of(kind).is_some() => {
                        let Some(kind) = DataKind::of(kind) else { continue };
                        let data = Data { kind, name: name.to_string(), attributes: block.body.attributes, declared };
                        if data_names.insert(data.address(), ()).is_some() {
                            config.diagnostics.push(data.declared.place(
                                Diagnostic::error(Code::DuplicateAddress, format!("{} is defined more than once", data.address()))
                                    .at(&data.address(), "")
                                    .help("give each data block a unique name"),
                            ));
                            continue;
                        }
                        for inner in &block.body.blocks {
                            config.diagnostics.push(nested_block(inner, &data.address(), "", &data.declared));
                        }
                        config.data.push(data);
                    }
                    (block_kind @ ("resource" | "data"), [kind, _]) => {
                        let block_kind = if block_kind == "data" { "data" } else { "resource" };
                        let seen = foreign.entry((block_kind, kind.to_string())).or_insert((0, declared));
                        seen.0 += 1;
                    }
                    ("provider", [name]) if name == "kasm" => config.provider_block(block.body, declared),
                    ("provider", [name]) => config.diagnostics.push(declared.place(
                        Diagnostic::warning(Code::BlockSkipped, format!("block `provider \"{name}\"` skipped"))
                            .help("another provider's settings: Terraform uses them, kasm-plan talks to Kasm only"),
                    )),
                    (kind, labels) => config.diagnostics.push(declared.place(skipped(kind, labels))),
                }
            }
        }
        for ((block_kind, kind), (count, first)) in foreign {
            config
                .diagnostics
                .push(first.place(other_type(block_kind, &kind, count)));
        }
        config
    }

    /// Notes a reference to `<root>.<attr>` when it names a managed resource.
    fn refers_to(&mut self, root: &str, attr: Option<&str>) {
        if let (Some(attr), Some(_)) = (attr, Kind::of(root)) {
            self.referenced.insert(format!("{root}.{attr}"));
        }
    }

    fn invalid(
        &mut self,
        declared: &Declared,
        at: Option<Location>,
        address: &str,
        message: String,
        help: &str,
    ) {
        self.diagnostics.push(
            declared.place(
                Diagnostic::error(Code::InvalidBlock, message)
                    .at(address, "")
                    .help(help)
                    .located(at.or(declared.at)),
            ),
        );
    }

    /// `terraform { ... }`: the backend; `required_version` and
    /// `required_providers` are checked for their shape (Terraform's own
    /// version check does not apply: this is not Terraform); anything else is
    /// skipped with a warning.
    fn terraform_block(&mut self, body: &Body, declared: &Declared) {
        for attr in &body.attributes {
            let is_text = matches!(
                super::eval::evaluate(&attr.expr, &super::eval::Scope::default()),
                Ok(super::eval::Evaluated {
                    value: super::value::Value::String(_),
                    ..
                })
            );
            match &*attr.name {
                "required_version" if is_text => {}
                "required_version" => self.invalid(
                    declared,
                    attr.at,
                    "terraform.required_version",
                    "`required_version` must be a string of version constraints".into(),
                    "write e.g. `required_version = \">= 1.5\"`",
                ),
                other => self.diagnostics.push(declared.place(
                    Diagnostic::warning(Code::BlockSkipped, format!("terraform setting `{other}` skipped"))
                        .help("kasm-plan reads `required_version`, `required_providers` and `backend` in a terraform block")
                        .located(attr.at),
                )),
            }
        }
        for block in body.blocks.iter().filter(|b| b.kind != "backend") {
            match &*block.kind {
                "required_providers" => self.required_providers(&block.body, declared),
                other => self.diagnostics.push(declared.place(
                    Diagnostic::warning(Code::BlockSkipped, format!("block `terraform.{other}` skipped"))
                        .help("kasm-plan reads `required_version`, `required_providers` and `backend` in a terraform block")
                        .located(block.at),
                )),
            }
        }
        for block in body.blocks.iter().filter(|b| b.kind == "backend") {
            let address = "terraform.backend";
            let [kind] = block.labels.as_slice() else {
                self.invalid(
                    declared,
                    block.at,
                    address,
                    "a backend block has one label, its type".into(),
                    "write `backend \"pg\" { ... }`",
                );
                continue;
            };
            if self.backend.is_some() {
                self.invalid(
                    declared,
                    block.at,
                    address,
                    "a configuration has one backend block".into(),
                    "keep one",
                );
                continue;
            }
            let mut settings = serde_json::Map::new();
            for attr in &block.body.attributes {
                let value = super::eval::evaluate(&attr.expr, &super::eval::Scope::default())
                    .ok()
                    .and_then(|e| e.value.to_json());
                match value {
                    Some(v) => {
                        settings.insert(attr.name.to_string(), v);
                    }
                    None => self.invalid(
                        declared,
                        attr.at,
                        address,
                        format!("backend setting `{}` must be a literal value", attr.name),
                        "backend settings are read before variables: write the value, or give it with --backend-config or the environment",
                    ),
                }
            }
            self.backend = Some(BackendBlock {
                kind: kind.to_string(),
                settings,
            });
        }
    }

    /// `provider "kasm" { ... }`: one per configuration (kasm-plan talks to
    /// one Kasm, so no `alias`); its arguments are evaluated with the variables.
    fn provider_block(&mut self, body: Body, declared: Declared) {
        let address = "provider.kasm";
        if let Some(first) = &self.provider {
            let at = first
                .declared
                .file
                .clone()
                .unwrap_or_else(|| "the same source".into());
            self.invalid(
                &declared,
                None,
                address,
                format!("a configuration has one provider \"kasm\" block (the first is in {at})"),
                "keep one: kasm-plan talks to one Kasm per configuration",
            );
            return;
        }
        let mut attributes = Vec::new();
        for attr in body.attributes {
            if PROVIDER_ARGUMENTS.contains(&&*attr.name) {
                attributes.push(attr);
                continue;
            }
            let help = crate::names::did_you_mean(&attr.name, PROVIDER_ARGUMENTS).map_or_else(
                || format!("provider \"kasm\" takes {}", PROVIDER_ARGUMENTS.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            self.diagnostics.push(
                declared.place(
                    Diagnostic::error(
                        Code::UnknownAttribute,
                        format!("`{}` is not an argument of provider \"kasm\"", attr.name),
                    )
                    .at(address, &attr.name)
                    .help(help)
                    .located(attr.at),
                ),
            );
        }
        for inner in &body.blocks {
            self.diagnostics
                .push(nested_block(inner, address, "", &declared));
        }
        self.provider = Some(ProviderDecl {
            attributes,
            declared,
        });
    }

    /// `required_providers { kasm = { source = "...", version = "..." } }`:
    /// each entry is a source and version constraints (or, in Terraform's old
    /// form, constraints alone). kasm-plan is the provider of Kasm's types
    /// whatever source the entry names.
    fn required_providers(&mut self, body: &Body, declared: &Declared) {
        use super::value::Value;
        for attr in &body.attributes {
            let address = format!("terraform.required_providers.{}", attr.name);
            let value =
                super::eval::evaluate(&attr.expr, &super::eval::Scope::default()).map(|e| e.value);
            let fine = match &value {
                Ok(Value::String(_)) => true,
                Ok(Value::Map(entry)) => entry.iter().all(|(k, v)| {
                    matches!(k.as_str(), "source" | "version" | "configuration_aliases")
                        && (k == "configuration_aliases" || matches!(v, Value::String(_)))
                }),
                _ => false,
            };
            if !fine {
                self.invalid(
                    declared,
                    attr.at,
                    &address,
                    format!("`{}` in required_providers must be {{ source = \"...\", version = \"...\" }}", attr.name),
                    "write e.g. `kasm = { source = \"sim22/kasm\", version = \"~> 0.1\" }`",
                );
            }
        }
        for inner in &body.blocks {
            self.diagnostics.push(nested_block(
                inner,
                "terraform.required_providers",
                "",
                declared,
            ));
        }
    }

    fn variable(&mut self, name: String, body: Body, declared: Declared) {
        let address = format!("var.{name}");
        if self.variables.contains_key(&name) {
            self.diagnostics.push(
                declared.place(
                    Diagnostic::error(
                        Code::DuplicateDeclaration,
                        format!("variable `{name}` is declared more than once"),
                    )
                    .at(&address, "")
                    .help("keep one `variable` block per name"),
                ),
            );
            return;
        }
        let mut var = Variable {
            name: name.clone(),
            ty: Type::Any,
            typed: false,
            default: None,
            sensitive: false,
            ephemeral: false,
            nullable: true,
            validations: Vec::new(),
            declared: declared.clone(),
        };
        for attr in body.attributes {
            match &*attr.name {
                "type" => match types::parse(&attr.expr) {
                    Ok(ty) => {
                        var.ty = ty;
                        var.typed = true;
                    }
                    Err(why) => self.invalid(&declared, attr.expr.at, &address, format!("invalid type for variable `{name}`: {why}"), "write a type such as `string`, `number`, `list(string)` or `object({ name = string })`"),
                },
                "default" => var.default = Some(attr.expr),
                "sensitive" | "nullable" | "ephemeral" => match literal_bool(&attr.expr) {
                    Some(b) if attr.name == "sensitive" => var.sensitive = b,
                    Some(b) if attr.name == "nullable" => var.nullable = b,
                    Some(b) => var.ephemeral = b,
                    None => self.invalid(&declared, attr.expr.at, &address, format!("`{}` must be true or false", attr.name), "write `true` or `false`"),
                },
                "description" => {}
                other => self.invalid(&declared, attr.at, &address, format!("a variable has no argument `{other}`"), "a variable takes type, default, description, sensitive, nullable and validation blocks"),
            }
        }
        for block in body.blocks {
            if block.kind != "validation" {
                self.invalid(
                    &declared,
                    block.at,
                    &address,
                    format!("a variable has no `{}` block", block.kind),
                    "a variable's only block is `validation`",
                );
                continue;
            }
            match (
                block.body.attribute("condition"),
                block.body.attribute("error_message"),
            ) {
                (Some(c), Some(m)) => var.validations.push(Validation {
                    condition: c.expr.clone(),
                    error_message: m.expr.clone(),
                }),
                _ => self.invalid(
                    &declared,
                    block.at,
                    &address,
                    "a validation block needs `condition` and `error_message`".into(),
                    "write `validation { condition = ..., error_message = \"...\" }`",
                ),
            }
        }
        self.variables.insert(name, var);
    }

    fn locals_block(&mut self, body: Body, declared: &Declared) {
        for block in &body.blocks {
            self.invalid(
                declared,
                block.at,
                "locals",
                format!(
                    "a locals block holds only values, not a `{}` block",
                    block.kind
                ),
                "write `locals { name = expression }`",
            );
        }
        for attr in body.attributes {
            let here = Declared {
                file: declared.file.clone(),
                at: attr.at,
            };
            if self.locals.contains_key(&*attr.name) {
                self.diagnostics.push(
                    here.place(
                        Diagnostic::error(
                            Code::DuplicateDeclaration,
                            format!("local value `{}` is declared more than once", attr.name),
                        )
                        .at(&format!("local.{}", attr.name), "")
                        .help("each local value is declared once, across all files"),
                    ),
                );
                continue;
            }
            self.locals.insert(
                attr.name.to_string(),
                Local {
                    name: attr.name.into_owned(),
                    expr: attr.expr,
                    declared: here,
                },
            );
        }
    }

    fn moved_block(&mut self, body: &Body, declared: Declared) {
        match (body.attribute("from"), body.attribute("to")) {
            (Some(from), Some(to)) => self.moved.push(MovedBlock {
                from: from.expr.clone(),
                to: to.expr.clone(),
                declared,
            }),
            _ => self.invalid(
                &declared,
                None,
                "moved",
                "a moved block needs `from` and `to`".into(),
                "write `moved { from = kasm_image.old  to = kasm_image.new }`",
            ),
        }
    }

    /// `output "name" { value, description, sensitive, depends_on }`;
    /// `precondition` blocks are not read (one warning).
    fn output_block(&mut self, name: &str, body: Body, declared: Declared) {
        let address = format!("output.{name}");
        if self.outputs.iter().any(|o| o.name == name) {
            self.diagnostics.push(
                declared.place(
                    Diagnostic::error(
                        Code::DuplicateAddress,
                        format!("output `{name}` is defined more than once"),
                    )
                    .at(&address, "")
                    .help("give each output a unique name across all files"),
                ),
            );
            return;
        }
        let (mut value, mut description, mut sensitive) = (None, None, false);
        for attr in body.attributes {
            match &*attr.name {
                "value" => value = Some(attr.expr),
                "description" => description = literal_string(&attr.expr),
                "sensitive" => match literal_bool(&attr.expr) {
                    Some(b) => sensitive = b,
                    None => self.invalid(
                        &declared,
                        attr.expr.at,
                        &address,
                        "`sensitive` must be true or false".into(),
                        "write `true` or `false`",
                    ),
                },
                // Accepted and not needed: an output changes nothing on Kasm,
                // so nothing waits for it.
                "depends_on" | "ephemeral" => {}
                other => self.invalid(
                    &declared,
                    attr.at,
                    &address,
                    format!("an output has no argument `{other}`"),
                    "an output takes value, description, sensitive and depends_on",
                ),
            }
        }
        for inner in &body.blocks {
            self.diagnostics.push(
                declared.place(
                    Diagnostic::warning(
                        Code::BlockSkipped,
                        format!("block `{}` in output `{name}` skipped", inner.kind),
                    )
                    .at(&address, "")
                    .help("kasm-plan does not check an output's preconditions")
                    .located(inner.at),
                ),
            );
        }
        let Some(value) = value else {
            self.invalid(
                &declared,
                None,
                &address,
                format!("output `{name}` needs a `value`"),
                "write `value = <expression>`",
            );
            return;
        };
        self.outputs.push(OutputDecl {
            name: name.to_owned(),
            value,
            description,
            sensitive,
            declared,
        });
    }

    fn import_block(&mut self, body: &Body, declared: Declared) {
        if let Some(attr) = body
            .attributes
            .iter()
            .find(|a| !matches!(&*a.name, "to" | "id"))
        {
            self.invalid(
                &declared,
                attr.at,
                "import",
                format!(
                    "kasm-plan's import blocks take `to` and `id`, not `{}`",
                    attr.name
                ),
                "write `import { to = kasm_image.name  id = \"<image id>\" }`",
            );
        }
        match (body.attribute("to"), body.attribute("id")) {
            (Some(to), Some(id)) => self.imports.push(ImportBlock {
                to: to.expr.clone(),
                id: id.expr.clone(),
                declared,
            }),
            _ => self.invalid(
                &declared,
                None,
                "import",
                "an import block needs `to` and `id`".into(),
                "write `import { to = kasm_image.name  id = \"<image id>\" }`",
            ),
        }
    }

    fn resource(&mut self, kind: Kind, name: String, body: Body, declared: Declared) -> Resource {
        let mut attributes = body.attributes;
        let meta: Vec<Attribute> = attributes
            .extract_if(.., |attr| {
                matches!(
                    &*attr.name,
                    "count" | "for_each" | "depends_on" | "provider"
                )
            })
            .collect();
        let mut resource = Resource {
            kind,
            name,
            count: None,
            for_each: None,
            attributes,
            lifecycle: None,
            depends_on: None,
            declared,
        };
        let declared = &resource.declared;
        // Named only in diagnostics.
        let address = || format!("{}.{}", resource.kind.type_name(), resource.name);
        for attr in meta {
            match &*attr.name {
                "count" => resource.count = Some(attr.expr),
                "for_each" => resource.for_each = Some(attr.expr),
                "depends_on" => resource.depends_on = Some(attr),
                "provider" => self.diagnostics.push(
                    declared.place(
                        Diagnostic::warning(
                            Code::UnsupportedMetaArgument,
                            format!("`{}` is ignored by kasm-plan", attr.name),
                        )
                        .at(&address(), &attr.name)
                        .help("kasm-plan talks to one Kasm; remove it to silence this warning")
                        .located(attr.at),
                    ),
                ),
                _ => {}
            }
        }
        if resource.count.is_some() && resource.for_each.is_some() {
            self.diagnostics.push(
                declared.place(
                    Diagnostic::error(
                        Code::InvalidRepetition,
                        format!("{} sets both `count` and `for_each`", address()),
                    )
                    .at(&address(), "")
                    .help("use one of them"),
                ),
            );
            resource.count = None;
        }
        for block in body.blocks {
            if block.kind == "lifecycle" {
                let lifecycle = resource.lifecycle.get_or_insert_with(Body::default);
                lifecycle.attributes.extend(block.body.attributes);
                for inner in block.body.blocks {
                    self.diagnostics
                        .push(nested_block(&inner, &address(), "lifecycle", declared));
                }
            } else {
                self.diagnostics
                    .push(nested_block(&block, &address(), "", declared));
            }
        }
        resource
    }
}

fn literal_bool(expr: &Expr) -> Option<bool> {
    match expr.kind {
        ExprKind::Literal(super::value::Value::Bool(b)) => Some(b),
        _ => None,
    }
}

fn literal_string(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Literal(super::value::Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Blocks of a resource or data type kasm-plan does not manage (another
/// provider's, or one of Kasm's it does not manage yet), counted.
fn other_type(block_kind: &str, kind: &str, count: usize) -> Diagnostic {
    let blocks = if count == 1 { "block" } else { "blocks" };
    let why = if kind.starts_with("kasm_") {
        "kasm-plan does not manage this Kasm type yet"
    } else {
        "another provider's type: Terraform manages it, kasm-plan leaves it alone"
    };
    Diagnostic::warning(
        Code::BlockSkipped,
        format!("{count} {block_kind} {blocks} of type `{kind}` skipped"),
    )
    .help(format!("{why}; kasm-plan reads {}", read_types()))
}

/// The resource and data types kasm-plan reads, as help text says them.
fn read_types() -> String {
    let quoted = |names: &mut dyn Iterator<Item = &str>| {
        names
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let resources = quoted(&mut crate::schema::tables::type_names());
    let data = quoted(&mut DataKind::ALL.iter().map(|k| k.type_name()));
    format!("{resources} resources and {data} data")
}

fn skipped(kind: &str, labels: &[Name]) -> Diagnostic {
    let what = std::iter::once(kind.to_owned())
        .chain(labels.iter().map(|l| format!("\"{l}\"")))
        .collect::<Vec<_>>()
        .join(" ");
    Diagnostic::warning(Code::BlockSkipped, format!("block `{what}` skipped")).help(format!(
        "kasm-plan reads {}, and `variable`, `locals`, `output`, `moved` and `import` blocks",
        read_types()
    ))
}

fn nested_block(block: &Block, address: &str, parent: &str, declared: &Declared) -> Diagnostic {
    let field = if parent.is_empty() {
        block.kind.to_string()
    } else {
        format!("{parent}.{}", block.kind)
    };
    declared.place(
        Diagnostic::error(
            Code::UnknownAttribute,
            format!("unexpected block `{}` in {address}", block.kind),
        )
        .at(address, &field)
        .help("resources take only attributes (`key = value`) and a `lifecycle` block; data blocks take attributes")
        .located(block.at),
    )
}

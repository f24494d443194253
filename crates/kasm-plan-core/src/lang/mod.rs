//! The part of the Terraform language that image configurations use:
//! expressions, functions, variables, locals, `count` and `for_each`.
//!
//! Why an evaluator of our own rather than hcl-rs's: Terraform's semantics need
//! typed values (a set is not a list), values known only after apply,
//! sensitivity that follows values, and errors that point at the
//! sub-expression at fault. hcl-edit still does all the parsing.

pub mod access;
pub mod blocks;
pub mod body;
pub mod config;
pub mod convert;
pub mod depends;
pub mod describe;
pub mod eval;
pub mod expr;
pub mod functions;
pub mod hcl;
mod hcl_plain;
pub mod json;
pub mod lifecycle;
pub mod locals;
pub mod objects;
pub mod outputs;
pub mod provider;
pub mod raw;
pub mod resources;
pub mod types;
pub mod value;
pub mod variables;

use crate::address::{GROUP_TYPE, LINK_TYPE, RESOURCE_TYPE};
use crate::diagnostic::Diagnostic;
use crate::group::{GroupSpec, LinkSpec};
use crate::lang::raw::RawResource;
use crate::lang::raw::{Described, Document};
pub use access::Reads;
use body::File;
use config::{Config, Kind};
use std::collections::{BTreeMap, BTreeSet};
pub use variables::{NamedValue, VariableFile, VariableInput};

/// Evaluates a configuration's files with variable values: the managed
/// instances with their attribute values, and every problem found. `reads`
/// holds what was read from Kasm for data sources (nothing when validating).
pub fn load(
    files: Vec<File>,
    inputs: &[VariableInput],
    workspace: Option<&str>,
    reads: Reads,
) -> Document {
    evaluate(files, inputs, workspace, reads, false)
}

/// [`load`], with the configuration described as plan JSON describes it (for plans).
pub fn load_described(
    files: Vec<File>,
    inputs: &[VariableInput],
    workspace: Option<&str>,
    reads: Reads,
) -> Document {
    evaluate(files, inputs, workspace, reads, true)
}

fn evaluate(
    files: Vec<File>,
    inputs: &[VariableInput],
    workspace: Option<&str>,
    reads: Reads,
    describe: bool,
) -> Document {
    let mut config = Config::from_files(files);
    let referenced = std::mem::take(&mut config.referenced);
    let mut diagnostics: Vec<Diagnostic> = std::mem::take(&mut config.diagnostics);
    let (vars, found) =
        variables::resolve(&config.variables, inputs, reads.unset_variables_unknown);
    diagnostics.extend(found);
    let no_locals = BTreeMap::new();
    let unread = reads.images.is_none();
    let mut cx = resources::Context {
        vars: &vars,
        locals: &no_locals,
        workspace,
        resources: None,
        unread,
    };
    let mut table = access::data_values(&config.data, &cx, reads, &mut diagnostics);
    let (locals, found) = locals::evaluate_all(&config.locals, &vars, workspace, &table);
    diagnostics.extend(found);
    cx.locals = &locals;
    // Described before evaluating: a resource with one instance gives its
    // attributes' expressions up to it.
    let described = describe.then(|| Described {
        configuration: describe::configuration(&config),
        variables: describe::values(&vars),
    });
    let mut managed = Managed::default();
    // One instance per resource is the common case.
    managed.images.reserve(
        config
            .resources
            .iter()
            .filter(|r| r.kind.type_name() == RESOURCE_TYPE)
            .count(),
    );
    managed.declared.reserve(config.resources.len());
    for kind in Kind::all() {
        let cx = resources::Context {
            resources: Some(&table),
            ..cx
        };
        let mut values = BTreeMap::new();
        for r in config.resources.iter_mut().filter(|r| r.kind == kind) {
            let instances = resources::instances(r, &cx, &mut diagnostics);
            if !referenced.is_empty() {
                let address = r.address();
                if referenced.contains(&address) {
                    values.insert(address, access::resource_value(r, &instances));
                }
            }
            managed.add(r, instances, &cx, &mut diagnostics);
        }
        table.extend(values);
    }
    let provider = config.provider.as_ref().map(|decl| {
        let scope = eval::Scope {
            vars: Some(&vars),
            workspace,
            ..eval::Scope::default()
        };
        provider::settings(decl, &scope, &mut diagnostics)
    });
    let depends_on = depends::depends_on(&config, &mut diagnostics);
    let moves = blocks::moves(&config.moved, &mut diagnostics);
    let imports = blocks::imports(&config.imports, &managed.declared, &cx, &mut diagnostics);
    let outputs = outputs::Outputs {
        decls: std::mem::take(&mut config.outputs),
        vars,
        locals,
        resources: table,
        workspace: workspace.map(str::to_owned),
    };
    let uses_groups = config
        .resources
        .iter()
        .any(|r| r.kind.type_name() != RESOURCE_TYPE)
        || config
            .data
            .iter()
            .any(|d| d.kind != config::DataKind::Images);
    let reads_users = config
        .data
        .iter()
        .any(|d| crate::schema::tables::reads_users(d.kind.type_name()));
    Document {
        resources: managed.images,
        moves,
        imports,
        described,
        groups: managed.groups,
        links: managed.links,
        objects: managed.objects,
        exclusive: managed.exclusive,
        protected: managed.protected,
        uses_groups,
        reads_users,
        backend: config.backend.clone(),
        provider,
        declared: managed.declared,
        depends_on,
        outputs,
        diagnostics,
    }
}

/// The instances of every managed resource, typed where the type is not `kasm_image`.
#[derive(Default)]
struct Managed {
    images: Vec<RawResource>,
    groups: Vec<GroupSpec>,
    links: Vec<LinkSpec>,
    objects: Vec<crate::object::ObjectSpec>,
    exclusive: BTreeSet<String>,
    protected: BTreeSet<String>,
    declared: crate::lang::raw::Declarations,
}

impl Managed {
    fn add(
        &mut self,
        r: &config::Resource,
        instances: resources::Instances,
        cx: &resources::Context,
        out: &mut Vec<Diagnostic>,
    ) {
        for i in instances {
            let address = r.instance_address(i.key.as_ref());
            let declared = (i.file.clone(), i.location);
            // The types with hooks of their own; every other one is typed
            // from its table.
            match r.kind.type_name() {
                RESOURCE_TYPE => {
                    let mut i = i;
                    if access::take_exclusive(&mut i, &address, out) {
                        self.exclusive.insert(address.clone());
                    }
                    self.images.push(i);
                }
                type_name => {
                    if let Some(table) = crate::schema::tables::resource(type_name) {
                        let i = i.with_object_values();
                        self.add_object(table, &i, &address, cx.unread, out);
                    }
                }
            }
            self.declared.insert(address, declared);
        }
    }

    /// An instance of a table-driven type, typed from its table.
    fn add_object(
        &mut self,
        table: &'static crate::schema::tables::Block,
        i: &RawResource,
        address: &str,
        unread: bool,
        out: &mut Vec<Diagnostic>,
    ) {
        let typed = objects::object_spec(table, i, address, unread, out);
        if typed.protected {
            self.protected.insert(address.to_owned());
        }
        match table.type_name {
            GROUP_TYPE => self.groups.extend(typed.spec.map(|s| GroupSpec::of(&s))),
            LINK_TYPE => self.links.extend(typed.spec.and_then(|s| LinkSpec::of(&s))),
            _ => self.objects.extend(typed.spec),
        }
    }
}

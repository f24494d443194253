//! The core's modules form layers, and imports run only downward: a module
//! may use its own layer's and lower layers' modules, never a higher one's.
//! Read from the `crate::` paths of the sources (comments and unit tests
//! left out), as the wasm32 build proves the core does no I/O. Modules of one
//! layer must not form a cycle either: what a plan and an apply are made of
//! lives in `change` and `step`, below the modules that compute them.

#![allow(clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every top-level module and its layer (docs/architecture.md draws them).
const LAYERS: &[(&str, u8)] = &[
    // 0 base: diagnostics, names, addresses, image references
    ("diagnostic", 0),
    ("names", 0),
    ("address", 0),
    ("reference", 0),
    ("positions", 0),
    ("json_text", 0),
    // 1 schema and data model: the field table, images and groups as specs
    // and as Kasm returns them, an image's values in spec units, records,
    // the schema, the data sources' filters
    ("field", 1),
    ("model", 1),
    ("attributes", 1),
    ("group", 1),
    ("object", 1),
    ("schema", 1),
    ("filter", 1),
    // 2 language: HCL and JSON to evaluated, untyped resources; fmt
    ("lang", 2),
    ("parse", 2),
    ("format", 2),
    // 3 typing and checks
    ("typing", 3),
    ("validate", 3),
    // 4 the state, request bodies
    ("state", 4),
    ("terraform_state", 4),
    ("wire", 4),
    // 5 engine: state edits, diff, plan, steps
    ("change", 5),
    ("step", 5),
    ("edits", 5),
    ("plan", 5),
    ("duplicates", 5),
    ("apply", 5),
    ("access", 5),
    ("adopt", 5),
    ("graph", 5),
    ("targeting", 5),
    ("outputs", 5),
    // 6 outputs: plan JSON, policies
    ("plan_json", 6),
    ("policy", 6),
    ("policy_set", 6),
    ("rego", 6),
    ("render", 6),
    // 7 the facade, and the TypeScript declarations of its types
    ("facade", 7),
    ("typescript", 7),
];

/// Cycles among modules of one layer that remain, each sorted. Removing one
/// from the code fails this test until it is removed here: the list shrinks.
const KNOWN_CYCLES: &[&[&str]] = &[];

/// The items the crate root re-exports (`pub use field::Field;`), by name,
/// with the module they come from: `crate::Field` is a use of `field`.
fn reexports(src: &Path) -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap_or_else(|e| panic!("{e}"));
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(path) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let path = path.trim_end_matches(';');
        let (module, items) = path.split_once("::").unwrap_or((path, ""));
        let items = items.trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let name = item.trim().rsplit("::").next().unwrap_or("").trim();
            if !name.is_empty() {
                out.insert(name.to_owned(), module.to_owned());
            }
        }
    }
    out
}

/// Which top-level modules each top-level module uses.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = kasm_plan_vectors::repository().join("crates/kasm-plan-core/src");
    let reexported = reexports(&src);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src) {
        let relative = file.strip_prefix(&src).unwrap_or(&file);
        let top = relative
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_owned()
            })
            .unwrap_or_default();
        if top == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
        for line in code.lines() {
            let line = line.split("//").next().unwrap_or("");
            for (at, _) in line.match_indices("crate::") {
                let name: String = line[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let module = reexported.get(&name).cloned().unwrap_or(name);
                if module != top {
                    out.entry(top.clone()).or_default().insert(module);
                }
            }
        }
    }
    out
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    out
}

fn layer(module: &str) -> u8 {
    LAYERS
        .iter()
        .find(|(m, _)| *m == module)
        .map(|(_, l)| *l)
        .unwrap_or_else(|| {
            panic!("module `{module}` has no layer: add it to LAYERS in tests/layers.rs")
        })
}

#[test]
fn imports_run_only_downward() {
    let mut upward = Vec::new();
    for (from, targets) in imports() {
        for to in targets {
            if layer(&to) > layer(&from) {
                upward.push(format!(
                    "{from} (layer {}) uses {to} (layer {})",
                    layer(&from),
                    layer(&to)
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports against the layers:\n{}",
        upward.join("\n")
    );
}

/// The strongly connected groups of more than one module (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.stack.contains(&w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut group = Vec::new();
                while let Some(w) = self.stack.pop() {
                    group.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    self.found.push(group);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found.sort();
    walk.found
}

#[test]
fn no_cycle_but_the_known_ones_and_none_of_those_is_gone() {
    let found = cycles(&imports());
    let known: Vec<Vec<String>> = KNOWN_CYCLES
        .iter()
        .map(|c| c.iter().map(|m| (*m).to_owned()).collect())
        .collect();
    assert_eq!(
        found, known,
        "the core's module cycles changed: a new cycle must be broken; a cycle broken must leave KNOWN_CYCLES"
    );
}

//! `moved` and `import` blocks, read into the state edits they ask for.

use super::config::{Declared, ImportBlock, MovedBlock};
use super::convert;
use super::eval::{Failure, Scope, evaluate};
use super::resources::Context;
use crate::address::Instance;
use crate::address::RESOURCE_TYPE;
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::lang::raw::RawResource;

/// A `moved` block: every instance of `from` (or the one instance) becomes `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    /// The old address (a resource, or an instance).
    pub from: Instance,
    /// The new address, of the same kind.
    pub to: Instance,
    /// Where the block is.
    pub file: Option<String>,
    /// Its position.
    pub at: Option<Location>,
}

/// An `import` block: bind `to` to the image `id`.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// The instance address.
    pub to: String,
    /// Kasm's image id.
    pub id: String,
    /// Where the block is.
    pub file: Option<String>,
    /// Its position.
    pub at: Option<Location>,
}

fn invalid(
    declared: &Declared,
    at: Option<crate::diagnostic::Location>,
    what: &str,
    message: String,
    help: &str,
) -> Diagnostic {
    declared.place(
        Diagnostic::error(Code::InvalidBlock, message)
            .at(what, "")
            .help(help)
            .located(at.or(declared.at)),
    )
}

/// A `kasm_image` address written in a block, or why not.
fn address(expr: &super::expr::Expr) -> Result<Instance, String> {
    let text = expr
        .as_address()
        .ok_or("expected an address such as `kasm_image.name` or `kasm_image.name[\"key\"]`")?;
    if !text.starts_with(&format!("{RESOURCE_TYPE}.")) {
        return Err(format!(
            "`{text}` is not a {RESOURCE_TYPE} address; kasm-plan manages only {RESOURCE_TYPE}"
        ));
    }
    Instance::from_address(&text).ok_or_else(|| format!("`{text}` is not a valid address"))
}

/// The moves the `moved` blocks ask for; both ends name resources, or both instances.
pub fn moves(blocks: &[MovedBlock], out: &mut Vec<Diagnostic>) -> Vec<Move> {
    let mut moves = Vec::new();
    for b in blocks {
        let (from, to) = match (address(&b.from), address(&b.to)) {
            (Ok(from), Ok(to)) => (from, to),
            (Err(why), _) => {
                out.push(invalid(
                    &b.declared,
                    b.from.at,
                    "moved",
                    format!("moved.from: {why}"),
                    "write `from = kasm_image.old_name`",
                ));
                continue;
            }
            (_, Err(why)) => {
                out.push(invalid(
                    &b.declared,
                    b.to.at,
                    "moved",
                    format!("moved.to: {why}"),
                    "write `to = kasm_image.new_name`",
                ));
                continue;
            }
        };
        if from.key.is_some() != to.key.is_some() {
            out.push(invalid(&b.declared, None, "moved", format!("cannot move {} to {}: move a resource to a resource, or an instance to an instance", from.address(), to.address()), "give both addresses an instance key, or neither"));
            continue;
        }
        if from == to {
            out.push(invalid(
                &b.declared,
                None,
                "moved",
                format!("{} is moved to itself", from.address()),
                "remove the moved block",
            ));
            continue;
        }
        moves.push(Move {
            from,
            to,
            file: b.declared.file.clone(),
            at: b.declared.at,
        });
    }
    moves
}

/// The imports the `import` blocks ask for; `to` must be an instance the configuration declares.
pub fn imports(
    blocks: &[ImportBlock],
    resources: &[RawResource],
    cx: &Context,
    out: &mut Vec<Diagnostic>,
) -> Vec<Import> {
    let scope = Scope {
        vars: Some(cx.vars),
        locals: Some(cx.locals),
        workspace: cx.workspace,
        ..Scope::default()
    };
    let mut imports: Vec<Import> = Vec::new();
    for b in blocks {
        let to = match address(&b.to) {
            Ok(to) => to,
            Err(why) => {
                out.push(invalid(
                    &b.declared,
                    b.to.at,
                    "import",
                    format!("import.to: {why}"),
                    "write `to = kasm_image.name`",
                ));
                continue;
            }
        };
        let address = to.address();
        let declared = resources
            .iter()
            .any(|r| r.name == to.name && r.key == to.key);
        if !declared {
            out.push(invalid(
                &b.declared,
                b.to.at,
                &address,
                format!("import.to: {address} is not in the configuration"),
                "declare the resource the image is imported into",
            ));
            continue;
        }
        let id = match evaluate(&b.id, &scope) {
            Ok(e) => match convert::to_string(&e.value) {
                Ok(id) => id,
                Err(why) => {
                    out.push(invalid(
                        &b.declared,
                        b.id.at,
                        &address,
                        format!("import.id: {why}"),
                        "give the image id as a string",
                    ));
                    continue;
                }
            },
            Err(Failure::Problem(p)) => {
                out.push(
                    b.declared.place(
                        Diagnostic::error(p.code, format!("import.id: {}", p.message))
                            .at(&address, "")
                            .located(p.at),
                    ),
                );
                continue;
            }
            Err(Failure::Reported) => continue,
        };
        if imports.iter().any(|i| i.to == address) {
            out.push(invalid(
                &b.declared,
                None,
                &address,
                format!("{address} is imported twice"),
                "keep one import block per address",
            ));
            continue;
        }
        imports.push(Import {
            to: address,
            id,
            file: b.declared.file.clone(),
            at: b.declared.at,
        });
    }
    imports
}

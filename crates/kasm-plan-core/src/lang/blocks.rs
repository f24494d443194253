//! `moved` and `import` blocks, read into the state edits they ask for.

use super::config::{Declared, ImportBlock, MovedBlock};
use super::convert;
use super::eval::{Failure, Scope, evaluate};
use super::resources::Context;
use crate::address::Instance;
use crate::diagnostic::{Code, Diagnostic, Location};

/// A `moved` block: every instance of `from` (or the one instance) becomes
/// `to`, of any managed type.
#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    /// The old address (a resource, or an instance).
    pub from: String,
    /// The new address, of the same type, and a resource if `from` is one.
    pub to: String,
    /// Where the block is.
    pub file: Option<String>,
    /// Its position.
    pub at: Option<Location>,
}

/// An `import` block: bind `to` to what Kasm has under `id`.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// The instance address.
    pub to: String,
    /// Kasm's id: an image's, a group's (or `name:<name>`), a link's
    /// `<group_id>:<image_id>`.
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

/// A managed resource's address written in a `moved` block: its type, and
/// the instance it names, or why not.
fn moved_address(expr: &super::expr::Expr) -> Result<(String, Instance), String> {
    let text = expr
        .as_address()
        .ok_or("expected an address such as `kasm_group.name` or `kasm_image.name[\"key\"]`")?;
    let (type_name, rest) = text.split_once('.').unwrap_or((&text, ""));
    if crate::schema::tables::resource(type_name).is_none() {
        let types: Vec<&str> = crate::schema::tables::type_names().collect();
        return Err(format!(
            "`{text}` is not an address of a type kasm-plan manages ({})",
            types.join(", ")
        ));
    }
    let instance =
        Instance::parse(rest).ok_or_else(|| format!("`{text}` is not a valid address"))?;
    Ok((type_name.to_owned(), instance))
}

/// The moves the `moved` blocks ask for: both ends of one type, and both
/// resources or both instances.
pub fn moves(blocks: &[MovedBlock], out: &mut Vec<Diagnostic>) -> Vec<Move> {
    let mut moves = Vec::new();
    for b in blocks {
        let (from, to) = match (moved_address(&b.from), moved_address(&b.to)) {
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
        let ((from_type, from), (to_type, to)) = (from, to);
        let (from_address, to_address) = (format!("{from_type}.{from}"), format!("{to_type}.{to}"));
        let problem = if from_type != to_type {
            Some((
                format!(
                    "cannot move {from_address} to {to_address}: an address moves only within its type"
                ),
                "move to an address of the same resource type",
            ))
        } else if from.key.is_some() != to.key.is_some() {
            Some((
                format!(
                    "cannot move {from_address} to {to_address}: move a resource to a resource, or an instance to an instance"
                ),
                "give both addresses an instance key, or neither",
            ))
        } else if from == to {
            Some((
                format!("{from_address} is moved to itself"),
                "remove the moved block",
            ))
        } else {
            None
        };
        if let Some((message, help)) = problem {
            out.push(invalid(&b.declared, None, "moved", message, help));
            continue;
        }
        moves.push(Move {
            from: from_address,
            to: to_address,
            file: b.declared.file.as_deref().map(str::to_owned),
            at: b.declared.at,
        });
    }
    moves
}

/// The imports the `import` blocks ask for; `to` must be an instance the
/// configuration declares (`declared`: every managed instance's address).
pub fn imports(
    blocks: &[ImportBlock],
    declared: &crate::lang::raw::Declarations,
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
        let address = match moved_address(&b.to) {
            Ok((type_name, instance)) => format!("{type_name}.{instance}"),
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
        if !declared.contains_key(&address) {
            out.push(invalid(
                &b.declared,
                b.to.at,
                &address,
                format!("import.to: {address} is not in the configuration"),
                "declare the resource it is imported into",
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
                        "give the id as a string",
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
            file: b.declared.file.as_deref().map(str::to_owned),
            at: b.declared.at,
        });
    }
    imports
}

//! What a configuration asks of the state before planning: `moved` blocks
//! rename addresses of any type (an image, a group or a link keeps its
//! binding instead of being deleted and created), `import` blocks bind
//! addresses of any type to what exists on Kasm (an image, a group by id or
//! `name:<name>`, a link by `<group_id>:<image_id>`).
//! Both edit a copy of the state that the plan is made against; the apply
//! writes the same edits first, in the state write that precedes any request,
//! so an interrupted apply leaves every image bound to one address.

use crate::access::import::Kasm;
use crate::address::renames;
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::group::Access;
pub use crate::lang::blocks::{Import, Move};
use crate::model::Image;
use crate::state::State;
use crate::step::ObjectRecordStep;
use crate::step::{MoveStep, ReleaseStep, Step};
use std::collections::{BTreeMap, BTreeSet};

/// The state edits a configuration asks for, as applied.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Edits {
    /// The state with the edits made.
    pub state: State,
    /// New address → old address, for each move made.
    pub moved: BTreeMap<String, String>,
    /// Address → the id imported, for each import made.
    pub imported: BTreeMap<String, String>,
    /// Address → what a stopped run's create made (`None`: nothing), for
    /// each create the state had pending.
    pub settled: BTreeMap<String, Option<String>>,
}

impl Edits {
    /// The bookkeeping steps that make the same edits in the stored state.
    pub fn steps(&self, original: &State) -> Vec<Step> {
        let mut out = Vec::new();
        for (to, from) in &self.moved {
            if original.id_of(from).is_some() {
                out.push(Step::Move(MoveStep {
                    from: from.clone(),
                    to: to.clone(),
                }));
            }
        }
        for to in self.imported.keys() {
            let address = to.clone();
            if let Some(record) = self.state.objects.get(to) {
                out.push(Step::RecordObject(ObjectRecordStep {
                    address,
                    record: record.clone(),
                }));
            }
        }
        for (address, found) in &self.settled {
            let record = self.state.objects.get(address).filter(|_| found.is_some());
            out.push(match record {
                Some(record) => Step::RecordObject(ObjectRecordStep {
                    address: address.clone(),
                    record: record.clone(),
                }),
                // Forgetting the address drops its pending create.
                None => Step::Forget(ReleaseStep {
                    address: address.clone(),
                    image_id: String::new(),
                }),
            });
        }
        out
    }

    /// Leaves out the forget of a pending create whose address is still
    /// configured: the mark stays in the stored state until the address's
    /// own create or adopt replaces it, in this run or, when `-target`
    /// leaves the address out, a later one. Forgotten first, a run stopped
    /// before that would leave nothing to say that the earlier create may
    /// still land. Only the mark of an address whose block is gone is
    /// forgotten.
    pub fn keep_marks(&self, steps: Vec<Step>, configured: &BTreeSet<String>) -> Vec<Step> {
        steps
            .into_iter()
            .filter(|s| {
                let address = s.address();
                !(matches!(s, Step::Forget(_))
                    && self.settled.get(address).is_some_and(Option::is_none)
                    && configured.contains(address))
            })
            .collect()
    }

    /// Looks on Kasm for what each create the state has pending made
    /// ([`crate::access::pending`]); answers a warning for each.
    pub fn settle(&mut self, access: Option<&Access>) -> Vec<Diagnostic> {
        let (settled, notes) = crate::access::pending::settle(&mut self.state, access);
        self.settled = settled;
        notes
    }
}

/// Makes the moves, then the imports, on a copy of `state`.
pub fn apply(
    state: &State,
    moves: &[Move],
    imports: &[Import],
    (observed, access): (&[Image], &Access),
) -> (Edits, Vec<Diagnostic>) {
    let mut edits = Edits {
        state: state.clone(),
        ..Edits::default()
    };
    let mut diagnostics = Vec::new();
    for m in moves {
        make_move(&mut edits, m, &mut diagnostics);
    }
    let kasm = Kasm {
        images: observed,
        access,
    };
    for i in imports {
        if let Err(d) = make_import(&mut edits, i, kasm) {
            diagnostics.push(*d);
        }
    }
    (edits, diagnostics)
}

fn make_move(edits: &mut Edits, m: &Move, out: &mut Vec<Diagnostic>) {
    let addresses = edits.state.addresses();
    for (from, to) in renames(&addresses, &m.from, &m.to) {
        let from_id = edits.state.id_of(&from);
        match edits.state.id_of(&to) {
            // An apply interrupted after writing the move: the old entry is a leftover.
            Some(there) if Some(&there) == from_id.as_ref() => {
                edits.state.forget(&from);
                edits.moved.insert(to, from);
            }
            Some(_) => out.push(place(
                Diagnostic::warning(
                    Code::InvalidBlock,
                    format!("cannot move {from} to {to}: {to} is already bound to another object"),
                )
                .at(&to, "")
                .help("remove the moved block, or `kasm-plan state rm` one of the two addresses"),
                m.file.as_ref(),
                m.at,
            )),
            None => {
                edits.state.rename(&from, &to);
                edits.moved.insert(to, from);
            }
        }
    }
}

/// An import block, checked as `kasm-plan import` checks its address and id.
fn make_import(edits: &mut Edits, i: &Import, kasm: Kasm) -> Result<(), Box<Diagnostic>> {
    if edits.state.id_of(&i.to).is_some() {
        return Ok(()); // already bound: the block has done its work
    }
    let imported = crate::access::import::import(&i.to, &i.id, &edits.state, kasm)
        .map_err(|d| Box::new(place(*d, i.file.as_ref(), i.at)))?;
    let id = imported.id.clone();
    edits.state.objects.insert(i.to.clone(), imported);
    edits.imported.insert(i.to.clone(), id);
    Ok(())
}

fn place(mut d: Diagnostic, file: Option<&String>, at: Option<Location>) -> Diagnostic {
    d.file = file.cloned();
    d.located(at)
}

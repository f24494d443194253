//! Source text (JSON or Terraform HCL) to raw resources: evaluated values and
//! positions, not yet typed. The language lives in [`crate::lang`] (its raw
//! output in `lang::raw`); typing and checks in `typing` and `validate`.

use crate::lang;

pub use crate::address::RESOURCE_TYPE;
pub use crate::lang::raw::*;

/// Parses and evaluates one source text, alone, without variable values.
pub fn parse_source(text: &str, format: Format) -> Document {
    lang::load(
        vec![lang::config::read_file(text, format, None)],
        &[],
        None,
        lang::Reads::default(),
    )
}

//! `kasm-plan fmt`: HCL in the canonical layout `terraform fmt` writes. Text
//! that does not parse is refused, never rewritten; strings, heredocs and
//! comments are kept as written.

#![allow(clippy::indexing_slicing)] // offsets come from the lexer, at ASCII delimiters

mod layout;
mod lexer;

use crate::diagnostic::Diagnostic;

/// The text formatted, or the syntax error that stops formatting it.
pub fn format_hcl(text: &str) -> Result<String, Box<Diagnostic>> {
    crate::lang::hcl::check_syntax(text)?;
    let normalized = text.replace("\r\n", "\n");
    Ok(layout::layout(&lexer::tokens(&normalized)))
}

#[cfg(test)]
mod tests {
    use super::format_hcl;

    #[test]
    fn aligns_indents_and_spaces_like_terraform_fmt() {
        let messy = "resource \"kasm_image\" \"t\"{\n name=\"kasmweb/terminal:1.18.0\" # pulled\n    friendly_name   =   \"Terminal\"\nmemory=2768*2\n  cores = -1+max(1,2)\n  run_config = jsonencode({a=[1,2], b = var.x[0].y})\n\n\n  lifecycle {\nignore_changes=[memory]\n}\n}\n";
        let want = "resource \"kasm_image\" \"t\" {\n  name          = \"kasmweb/terminal:1.18.0\" # pulled\n  friendly_name = \"Terminal\"\n  memory        = 2768 * 2\n  cores         = -1 + max(1, 2)\n  run_config    = jsonencode({ a = [1, 2], b = var.x[0].y })\n\n\n  lifecycle {\n    ignore_changes = [memory]\n  }\n}\n";
        let got = format_hcl(messy).unwrap_or_default();
        assert_eq!(got, want, "\n{got}");
        assert_eq!(format_hcl(&got).unwrap_or_default(), got);
    }

    #[test]
    fn keeps_strings_heredocs_and_comments() {
        let text = "locals {\n  # a  comment   kept\n  s = \"a  ${ var.x }  b\"\n  h = <<-EOT\n      indented   text\n    EOT\n  /* block\n     comment */\n  n = [for k, v in var.m : v if k != \"x\"]\n  sp = var.list[*].id\n}\n";
        let got = format_hcl(text).unwrap_or_default();
        let want = text.replace("\n  n = [", "\n  n  = [");
        assert_eq!(got, want, "\n{got}");
    }

    #[test]
    fn a_value_that_opens_lines_is_not_aligned_and_comments_align_on_their_own() {
        let text = "a = 1 # one\nbbb = 2 # two\nrun_config = {\n  x = 1\n}\nlong_name = 3\n";
        let want = "a   = 1 # one\nbbb = 2 # two\nrun_config = {\n  x = 1\n}\nlong_name = 3\n";
        assert_eq!(format_hcl(text).unwrap_or_default(), want);
        let mixed = "x = 1\ny = [\n  1, # first\n  22, # second\n]\n";
        let want = "x = 1\ny = [\n  1,  # first\n  22, # second\n]\n";
        assert_eq!(format_hcl(mixed).unwrap_or_default(), want);
    }

    #[test]
    fn refuses_text_that_does_not_parse() {
        assert!(format_hcl("resource \"kasm_image\" \"t\" {\n  name = \n").is_err());
    }
}

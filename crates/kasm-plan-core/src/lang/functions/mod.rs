//! Terraform's built-in functions that image configurations use, with
//! Terraform's names and semantics. None reads files, the clock or the
//! network: the core stays pure. `try` and `can` take unevaluated arguments
//! and live in the evaluator.

mod charsets;
mod collections;
#[cfg(feature = "rsa")]
mod crypto;
mod dates;
mod encoding;
mod network;
mod numbers;
mod paths;
mod text;
mod types;
mod yaml;

pub use dates::go_duration;

use super::value::Value;

/// A function: its arguments, evaluated, to a value or the reason it failed.
pub type Function = fn(&[Value]) -> Result<Value, String>;

/// Every function by name, sorted (the evaluator's table and the docs' list).
const TABLE: &[(&str, Function)] = &[
    ("abs", numbers::abs),
    ("alltrue", collections::alltrue),
    ("anytrue", collections::anytrue),
    ("base64decode", encoding::base64decode),
    ("base64encode", encoding::base64encode),
    ("base64gzip", encoding::base64gzip),
    ("base64sha256", encoding::base64sha256),
    ("base64sha512", encoding::base64sha512),
    ("basename", paths::basename),
    ("ceil", numbers::ceil),
    ("chomp", text::chomp),
    ("chunklist", collections::chunklist),
    ("cidrhost", network::cidrhost),
    ("cidrnetmask", network::cidrnetmask),
    ("cidrsubnet", network::cidrsubnet),
    ("cidrsubnets", network::cidrsubnets),
    ("coalesce", collections::coalesce),
    ("coalescelist", collections::coalescelist),
    ("compact", collections::compact),
    ("concat", collections::concat),
    ("contains", collections::contains),
    ("csvdecode", encoding::csvdecode),
    ("dirname", paths::dirname),
    ("distinct", collections::distinct),
    ("element", collections::element),
    ("endswith", text::endswith),
    ("flatten", collections::flatten),
    ("floor", numbers::floor),
    ("format", text::format),
    ("formatdate", dates::formatdate),
    ("formatlist", text::formatlist),
    ("indent", text::indent),
    ("index", collections::index),
    ("join", text::join),
    ("jsondecode", encoding::jsondecode),
    ("jsonencode", encoding::jsonencode),
    ("keys", collections::keys),
    ("length", collections::length),
    ("log", numbers::log),
    ("lookup", collections::lookup),
    ("lower", text::lower),
    ("matchkeys", collections::matchkeys),
    ("max", numbers::max),
    ("md5", encoding::md5),
    ("merge", collections::merge),
    ("min", numbers::min),
    ("one", collections::one),
    ("parseint", numbers::parseint),
    ("pow", numbers::pow),
    ("range", collections::range),
    ("regex", text::regex),
    ("regexall", text::regexall),
    ("replace", text::replace),
    ("reverse", collections::reverse),
    #[cfg(feature = "rsa")]
    ("rsadecrypt", crypto::rsadecrypt),
    ("setintersection", collections::setintersection),
    ("setproduct", collections::setproduct),
    ("setsubtract", collections::setsubtract),
    ("setunion", collections::setunion),
    ("sha1", encoding::sha1),
    ("sha256", encoding::sha256),
    ("sha512", encoding::sha512),
    ("signum", numbers::signum),
    ("slice", collections::slice),
    ("sort", collections::sort),
    ("split", text::split),
    ("startswith", text::startswith),
    ("strcontains", text::strcontains),
    ("strrev", text::strrev),
    ("substr", text::substr),
    ("sum", numbers::sum),
    ("textdecodebase64", charsets::textdecodebase64),
    ("textencodebase64", charsets::textencodebase64),
    ("timeadd", dates::timeadd),
    ("timecmp", dates::timecmp),
    ("title", text::title),
    ("tobool", types::tobool),
    ("tolist", types::tolist),
    ("tomap", types::tomap),
    ("tonumber", types::tonumber),
    ("toset", types::toset),
    ("tostring", types::tostring),
    ("transpose", collections::transpose),
    ("trim", text::trim),
    ("trimprefix", text::trimprefix),
    ("trimspace", text::trimspace),
    ("trimsuffix", text::trimsuffix),
    ("upper", text::upper),
    ("urlencode", encoding::urlencode),
    ("uuidv5", encoding::uuidv5),
    ("values", collections::values),
    ("yamldecode", yaml::yamldecode),
    ("yamlencode", yaml::yamlencode),
    ("zipmap", collections::zipmap),
];

/// The function with this name. A call with an argument known only after
/// apply yields a value known only after apply.
pub fn lookup(name: &str) -> Option<Function> {
    TABLE
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .and_then(|i| TABLE.get(i))
        .map(|(_, f)| *f)
}

/// Terraform's built-ins that read files, the clock or randomness, and why
/// the core (which has none of them, by design) does not offer each.
const NOT_OFFERED: &[(&str, &str)] = &[
    ("abspath", "reads the working directory"),
    ("bcrypt", "draws a random salt"),
    ("file", "reads a file"),
    ("filebase64", "reads a file"),
    ("filebase64sha256", "reads a file"),
    ("filebase64sha512", "reads a file"),
    ("fileexists", "reads the file system"),
    ("filemd5", "reads a file"),
    ("fileset", "reads the file system"),
    ("filesha1", "reads a file"),
    ("filesha256", "reads a file"),
    ("filesha512", "reads a file"),
    ("pathexpand", "reads the home directory"),
    ("plantimestamp", "reads the clock"),
    ("templatefile", "reads a file"),
    ("timestamp", "reads the clock"),
    ("uuid", "draws a random id"),
];

/// Why a Terraform built-in is not offered, when it is one of those that
/// read files, the clock or randomness.
pub fn not_offered(name: &str) -> Option<&'static str> {
    NOT_OFFERED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, why)| *why)
}

/// The functions the evaluator calls itself: they take their arguments
/// unevaluated (`try`, `can`, `templatestring`) or change what is known
/// about a value rather than the value (sensitivity, ephemerality).
pub const IN_EVALUATOR: [&str; 7] = [
    "can",
    "ephemeralasnull",
    "issensitive",
    "nonsensitive",
    "sensitive",
    "templatestring",
    "try",
];

/// Whether this build leaves the function out (the npm package leaves out
/// `rsadecrypt`, whose RSA code would weigh on every page that loads it).
pub fn left_out(name: &str) -> bool {
    cfg!(not(feature = "rsa")) && name == "rsadecrypt"
}

/// Every function name, including those in [`IN_EVALUATOR`].
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(n, _)| *n).chain(IN_EVALUATOR)
}

/// Fails unless there are between `min` and `max` arguments.
fn arity(args: &[Value], min: usize, max: usize) -> Result<(), String> {
    let n = args.len();
    if n < min || n > max {
        let want = match (min, max) {
            (a, b) if a == b => format!("{a}"),
            (a, usize::MAX) => format!("at least {a}"),
            (a, b) => format!("{a} to {b}"),
        };
        let s = if want == "1" { "" } else { "s" };
        return Err(format!("takes {want} argument{s}, not {n}"));
    }
    Ok(())
}

/// The argument at `i` (arity already checked).
fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_lookup() {
        assert!(TABLE.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)));
        assert!(lookup("jsonencode").is_some());
        assert!(lookup("file").is_none());
    }
}

//! Bad input, table-driven: malformed specs, state files, image lists, saved
//! plans, policies and server answers, each through the `kasm-plan` binary.
//! Every one must exit 1, name the file (with the line and column where the
//! input has them) or the server's URL, write nothing, and never panic.

#![allow(clippy::indexing_slicing, clippy::panic)] // test code: a failure should stop the test

mod common;

use common::{code, stderr, stdout};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

const SPEC: &str = "resource \"kasm_image\" \"t\" {\n  name = \"kasmweb/terminal:1.18.0\"\n  image_src = \"img/t.png\"\n  friendly_name = \"T\"\n  memory = 2768\n}\n";

/// What a case must name in its error.
enum Names {
    /// The file, with `:line:column`.
    Position,
    /// The file.
    File,
}

struct Case {
    what: String,
    file: &'static str,
    bytes: Vec<u8>,
    names: Names,
}

fn case(
    what: impl Into<String>,
    file: &'static str,
    bytes: impl Into<Vec<u8>>,
    names: Names,
) -> Case {
    Case {
        what: what.into(),
        file,
        bytes: bytes.into(),
        names,
    }
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kasm-plan"))
        .args(args)
        .current_dir(dir)
        .env("KASM_PLAN_CACHE_DIR", common::cache_dir())
        .env_remove("KASM_PLAN_COMPONENT")
        .env_remove("KASM_API_URL")
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run kasm-plan: {e}"))
}

fn spec_cases() -> Vec<Case> {
    let hcl: Vec<(&str, String)> = vec![
        (
            "an unclosed block",
            "resource \"kasm_image\" \"t\" {\n  name = \"a\"\n".into(),
        ),
        (
            "a block without its name",
            "resource \"kasm_image\" {\n}\n".into(),
        ),
        (
            "three labels",
            "resource \"kasm_image\" \"t\" \"u\" {\n}\n".into(),
        ),
        ("stray equals signs", "= = =\n".into()),
        (
            "a value missing",
            "resource \"kasm_image\" \"t\" {\n  name =\n}\n".into(),
        ),
        (
            "an unterminated string",
            "resource \"kasm_image\" \"t\" {\n  name = \"abc\n}\n".into(),
        ),
        (
            "an unterminated heredoc",
            "resource \"kasm_image\" \"t\" {\n  description = <<EOT\nabc\n}\n".into(),
        ),
        (
            "deeply nested braces",
            format!(
                "resource \"kasm_image\" \"t\" {{\n  run_config = {}\n}}\n",
                "{ a = ".repeat(300)
            ),
        ),
        (
            "a number too large",
            SPEC.replace("2768", "99999999999999999999999999"),
        ),
        ("a float memory", SPEC.replace("2768", "1e999")),
        (
            "a list for a name",
            SPEC.replace("\"kasmweb/terminal:1.18.0\"", "[1, 2]"),
        ),
        (
            "an object for a name",
            SPEC.replace("\"kasmweb/terminal:1.18.0\"", "{ a = 1 }"),
        ),
        (
            "a string for cores",
            SPEC.replace("memory = 2768", "cores = \"two\""),
        ),
        ("negative memory", SPEC.replace("2768", "-5")),
        ("zero memory", SPEC.replace("2768", "0")),
        ("an invalid resource name", SPEC.replace("\"t\"", "\"9t\"")),
        (
            "a required argument missing",
            SPEC.replace("  friendly_name = \"T\"\n", ""),
        ),
        (
            "an attribute set twice",
            SPEC.replace("memory = 2768", "memory = 2768\n  memory = 4096"),
        ),
        ("an unknown attribute", SPEC.replace("memory", "memroy")),
        (
            "a computed attribute",
            SPEC.replace("memory = 2768", "image_id = \"x\""),
        ),
        (
            "ignore_changes not a list",
            SPEC.replace("memory = 2768", "lifecycle {\n    ignore_changes = 5\n  }"),
        ),
        (
            "a volume mapping that is text",
            SPEC.replace("memory = 2768", "volume_mapping = \"x\""),
        ),
        (
            "run_config as a list",
            SPEC.replace("memory = 2768", "run_config = [1]"),
        ),
        (
            "a bad image type",
            SPEC.replace("memory = 2768", "image_type = \"VM\""),
        ),
        ("a reference", SPEC.replace("2768", "var.memory")),
        (
            "a negative count",
            SPEC.replace("memory = 2768", "count = -1"),
        ),
        (
            "for_each over a list",
            SPEC.replace("memory = 2768", "for_each = [\"a\"]"),
        ),
        (
            "an unknown function",
            SPEC.replace("2768", "lookup_memory(2768)"),
        ),
        (
            "a local cycle",
            format!("locals {{\n  a = local.b\n  b = local.a\n}}\n{SPEC}"),
        ),
        (
            "a required variable",
            format!("variable \"m\" {{}}\n{}", SPEC.replace("2768", "var.m")),
        ),
    ];
    let json: Vec<(&str, String)> = vec![
        ("an unclosed object", "{\n  \"images\": {\n".into()),
        ("a list document", "[]".into()),
        ("images as a number", "{\"images\": 5}".into()),
        ("a spec as a number", "{\"images\": {\"t\": 5}}".into()),
        ("a name as a number", "{\"images\": {\"t\": {\"name\": 5, \"image_src\": \"a.png\", \"friendly_name\": \"T\"}}}".into()),
        ("Terraform JSON with a list", "{\"resource\": {\"kasm_image\": []}}".into()),
        ("a trailing comma", "{\"images\": {\"t\": {\"name\": \"a\",}}}".into()),
        ("null", "null".into()),
        ("a bare string", "\"images\"".into()),
        ("deep nesting", format!("{{\"images\": {}}}", "[".repeat(5000))),
        ("a huge exponent", "{\"images\": {\"t\": {\"name\": \"kasmweb/t:1\", \"image_src\": \"a.png\", \"friendly_name\": \"T\", \"memory\": 1e400}}}".into()),
        ("memory in bytes", "{\"images\": {\"t\": {\"name\": \"kasmweb/t:1\", \"image_src\": \"a.png\", \"friendly_name\": \"T\", \"memory\": 2768000000}}}".into()),
    ];
    let mut cases: Vec<Case> =
        hcl.into_iter()
            .map(|(what, text)| case(format!("spec: {what}"), "spec.tf", text, Names::Position))
            .chain(json.into_iter().map(|(what, text)| {
                case(format!("spec: {what}"), "spec.json", text, Names::Position)
            }))
            .collect();
    cases.push(case(
        "spec: invalid UTF-8",
        "spec.tf",
        b"resource \"kasm_image\" \"t\" {\n  name = \"\xff\xfe\"\n}\n".to_vec(),
        Names::File,
    ));
    cases.push(case(
        "spec: NUL bytes",
        "spec.tf",
        b"\0\0\0\0".to_vec(),
        Names::Position,
    ));
    cases
}

/// A configuration whose variable the tfvars cases give a value.
const WITH_VARS: &str = "variable \"memory\" {\n  type = number\n}\nresource \"kasm_image\" \"t\" {\n  name = \"kasmweb/terminal:1.18.0\"\n  image_src = \"img/t.png\"\n  friendly_name = \"T\"\n  memory = var.memory\n}\n";

fn tfvars_cases() -> Vec<Case> {
    let hcl: Vec<(&str, &[u8], Names)> = vec![
        ("no value", b"memory = \n", Names::Position),
        ("an unclosed object", b"memory = {\n", Names::Position),
        (
            "a string for a number",
            b"memory = \"lots\"\n",
            Names::Position,
        ),
        ("a block", b"variable \"memory\" {}\n", Names::Position),
        ("a reference", b"memory = var.other\n", Names::Position),
        (
            "a failing function",
            b"memory = tonumber(\"x\")\n",
            Names::Position,
        ),
        ("invalid UTF-8", b"memory = \"\xff\xfe\"\n", Names::File),
    ];
    let json: Vec<(&str, &[u8], Names)> = vec![
        ("a list", b"[]", Names::Position),
        ("a syntax error", b"{\"memory\": }", Names::Position),
        (
            "a string for a number",
            b"{\"memory\": \"x\"}",
            Names::Position,
        ),
    ];
    let mut cases: Vec<Case> = hcl
        .into_iter()
        .map(|(what, bytes, names)| case(format!("tfvars: {what}"), "vars.tfvars", bytes, names))
        .collect();
    cases.extend(json.into_iter().map(|(what, bytes, names)| {
        case(
            format!("tfvars.json: {what}"),
            "vars.tfvars.json",
            bytes,
            names,
        )
    }));
    cases
}

fn state_cases() -> Vec<Case> {
    let texts: Vec<(&str, String, Names)> = vec![
        ("empty", String::new(), Names::Position),
        ("truncated", "{\"version\": 1, \"serial\": 2".into(), Names::Position),
        ("a list", "[]".into(), Names::Position),
        ("no version", "{\"serial\": 1}".into(), Names::Position),
        ("a text version", "{\"version\": \"1\"}".into(), Names::Position),
        ("a negative version", "{\"version\": -1}".into(), Names::Position),
        ("a newer version", "{\"version\": 3, \"resources\": {}}".into(), Names::File),
        ("format 2 with resources by address", "{\"version\": 2, \"resources\": {}}".into(), Names::Position),
        ("a format-2 entry of another type", "{\"version\": 2, \"resources\": [{\"address\": \"kasm_group.a\", \"type\": \"kasm_image\", \"id\": \"x\", \"attributes\": {}}]}".into(), Names::Position),
        ("a format-2 entry listed twice", "{\"version\": 2, \"resources\": [{\"address\": \"kasm_group.a\", \"type\": \"kasm_group\", \"id\": \"g\", \"attributes\": {\"name\": \"A\", \"priority\": 1}}, {\"address\": \"kasm_group.a\", \"type\": \"kasm_group\", \"id\": \"g\", \"attributes\": {\"name\": \"A\", \"priority\": 1}}]}".into(), Names::Position),
        ("a format-2 link whose id is not its pair", "{\"version\": 2, \"resources\": [{\"address\": \"kasm_group_image.l\", \"type\": \"kasm_group_image\", \"id\": \"g:x\", \"attributes\": {\"group_id\": \"g\", \"image_id\": \"i\"}}]}".into(), Names::Position),
        ("a text serial", "{\"version\": 1,\n \"serial\": \"x\"}".into(), Names::Position),
        ("resources as a list", "{\"version\": 1, \"resources\": []}".into(), Names::Position),
        ("a resource as text", "{\"version\": 1, \"resources\": {\"kasm_image.t\": \"x\"}}".into(), Names::Position),
        ("a resource without id", "{\"version\": 1, \"resources\": {\"kasm_image.t\": {\"attributes\": {}}}}".into(), Names::Position),
        ("attributes as a list", "{\"version\": 1, \"resources\": {\"kasm_image.t\": {\"image_id\": \"a\", \"attributes\": []}}}".into(), Names::Position),
        ("an unknown attribute", "{\"version\": 1, \"resources\": {\"kasm_image.t\": {\"image_id\": \"a\", \"attributes\": {\"memroy\": 1}}}}".into(), Names::Position),
        ("an unknown key", "{\"version\": 1, \"check_results\": {}}".into(), Names::Position),
        ("outputs as a list", "{\"version\": 1, \"outputs\": []}".into(), Names::Position),
        ("an unknown resource key", "{\"version\": 1, \"resources\": {\"kasm_image.t\": {\"image_id\": \"a\", \"attributes\": {}, \"x\": 1}}}".into(), Names::Position),
        ("history as an object", "{\"version\": 1, \"history\": {}}".into(), Names::Position),
        ("a history entry without time", "{\"version\": 1, \"history\": [{\"serial\": 1, \"event\": \"apply\"}]}".into(), Names::Position),
        ("prevent_destroy as text", "{\"version\": 1, \"resources\": {\"kasm_image.t\": {\"image_id\": \"a\", \"attributes\": {}, \"prevent_destroy\": \"yes\"}}}".into(), Names::Position),
        ("a trailing comma", "{\"version\": 1,}".into(), Names::Position),
        ("HTML", "<html><body>state</body></html>".into(), Names::Position),
    ];
    texts
        .into_iter()
        .map(|(what, text, names)| {
            case(
                format!("state: {what}"),
                "kasm-plan.state.json",
                text,
                names,
            )
        })
        .collect()
}

fn image_list_cases() -> Vec<Case> {
    let texts: Vec<(&str, &str, Names)> = vec![
        ("empty", "", Names::Position),
        (
            "truncated",
            "{\"images\": [{\"image_id\": \"a\"",
            Names::Position,
        ),
        ("images as a number", "{\"images\": 5}", Names::File),
        ("a number", "5", Names::File),
        ("an image as text", "[\"a\"]", Names::File),
        ("an id as a number", "[{\"image_id\": 5}]", Names::File),
        (
            "memory as text",
            "[{\"image_id\": \"a\", \"memory\": \"lots\"}]",
            Names::File,
        ),
        (
            "cores as text",
            "[{\"image_id\": \"a\", \"cores\": \"two\"}]",
            Names::File,
        ),
        (
            "enabled as text",
            "[{\"image_id\": \"a\", \"enabled\": \"yes\"}]",
            Names::File,
        ),
        (
            "run_config as a number",
            "[{\"image_id\": \"a\", \"run_config\": 5}]",
            Names::File,
        ),
        (
            "run_config as broken JSON text",
            "[{\"image_id\": \"a\", \"run_config\": \"{\"}]",
            Names::File,
        ),
        (
            "categories as text",
            "[{\"image_id\": \"a\", \"categories\": 7}]",
            Names::File,
        ),
        (
            "a trailing comma",
            "[{\"image_id\": \"a\",}]",
            Names::Position,
        ),
        ("HTML", "<html>500</html>", Names::Position),
        ("a nested list", "[[{\"image_id\": \"a\"}]]", Names::File),
        ("null images", "{\"images\": null}", Names::File),
        ("two documents", "[] []", Names::Position),
        (
            "memory beyond i64",
            "[{\"image_id\": \"a\", \"memory\": 1e30}]",
            Names::File,
        ),
        (
            "an object for a name",
            "[{\"image_id\": \"a\", \"name\": {}}]",
            Names::File,
        ),
        ("a BOM", "\u{feff}[]", Names::Position),
    ];
    texts
        .into_iter()
        .map(|(what, text, names)| case(format!("image list: {what}"), "images.json", text, names))
        .collect()
}

fn saved_plan_cases() -> Vec<Case> {
    let texts: Vec<(&str, &str, Names)> = vec![
        ("empty", "", Names::Position),
        (
            "truncated",
            "{\"kind\": \"kasm-plan/saved-plan\"",
            Names::Position,
        ),
        ("another kind", "{\"kind\": \"terraform\"}", Names::File),
        (
            "no plan",
            "{\"kind\": \"kasm-plan/saved-plan\", \"version\": 1, \"sources\": []}",
            Names::File,
        ),
        (
            "a plan as text",
            "{\"kind\": \"kasm-plan/saved-plan\", \"version\": 1, \"sources\": [], \"plan\": \"x\"}",
            Names::File,
        ),
        (
            "sources as an object",
            "{\"kind\": \"kasm-plan/saved-plan\", \"version\": 1, \"sources\": {}, \"plan\": {}}",
            Names::File,
        ),
        (
            "a plan without changes list",
            "{\"kind\": \"kasm-plan/saved-plan\", \"version\": 1, \"sources\": [], \"plan\": {\"format_version\": 1}}",
            Names::File,
        ),
        ("a list", "[]", Names::File),
        ("HTML", "<html></html>", Names::Position),
        ("a number kind", "{\"kind\": 5}", Names::File),
    ];
    texts
        .into_iter()
        .map(|(what, text, names)| case(format!("saved plan: {what}"), "plan.json", text, names))
        .collect()
}

fn policy_cases() -> Vec<Case> {
    let cases: Vec<(&str, &'static str, &str)> = vec![
        ("rules as a number", "policy.json", "{\"rules\": 5}"),
        ("truncated JSON", "policy.json", "{\"rules\": ["),
        (
            "an unknown check",
            "policy.json",
            "{\"rules\": [{\"id\": \"x\", \"check\": \"nope\"}]}",
        ),
        (
            "a rule without id",
            "policy.json",
            "{\"rules\": [{\"check\": \"max_memory\", \"max_mb\": 1}]}",
        ),
        (
            "a bad level",
            "policy.json",
            "{\"rules\": [{\"id\": \"x\", \"check\": \"max_memory\", \"max_mb\": 1, \"level\": \"loud\"}]}",
        ),
        (
            "max_mb as text",
            "policy.json",
            "{\"rules\": [{\"id\": \"x\", \"check\": \"max_memory\", \"max_mb\": \"1\"}]}",
        ),
        (
            "an unclosed HCL block",
            "policy.hcl",
            "rule \"x\" {\n  check = \"max_memory\"\n",
        ),
        (
            "an HCL rule without label",
            "policy.hcl",
            "rule {\n  check = \"max_memory\"\n}\n",
        ),
        ("an HCL unknown block", "policy.hcl", "nope \"x\" {\n}\n"),
        (
            "an HCL duplicate id",
            "policy.hcl",
            "rule \"x\" {\n  check = \"require_description\"\n}\nrule \"x\" {\n  check = \"require_description\"\n}\n",
        ),
        (
            "an HCL reference",
            "policy.hcl",
            "rule \"x\" {\n  check = \"max_memory\"\n  max_mb = var.m\n}\n",
        ),
        (
            "a Rego syntax error",
            "policy.rego",
            "package main\n\ndeny contains msg if {\n",
        ),
        (
            "Rego without package",
            "policy.rego",
            "deny contains msg if { true }\n",
        ),
        (
            "Rego with a bad import",
            "policy.rego",
            "package main\nimport nothing.here\n",
        ),
        (
            "a policy block naming no Rego",
            "policies.hcl",
            "policy \"x\" {\n  query = \"data.main.deny\"\n  enforcement_level = \"advisory\"\n}\n",
        ),
    ];
    cases
        .into_iter()
        .map(|(what, file, text)| case(format!("policy: {what}"), file, text, Names::File))
        .collect()
}

/// Canned answers to `get_images`, from a real HTTP server on loopback.
fn server_answers() -> Vec<(&'static str, Vec<u8>)> {
    let http = |status: &str, ctype: &str, body: &str| {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    vec![
        (
            "HTML with 200",
            http("200 OK", "text/html", "<html><body>Kasm</body></html>"),
        ),
        (
            "truncated JSON",
            http(
                "200 OK",
                "application/json",
                "{\"images\": [{\"image_id\": \"a\"",
            ),
        ),
        (
            "images as a number",
            http("200 OK", "application/json", "{\"images\": 5}"),
        ),
        (
            "an image as a number",
            http("200 OK", "application/json", "{\"images\": [5]}"),
        ),
        ("no images key", http("200 OK", "application/json", "{}")),
        (
            "an error message",
            http(
                "200 OK",
                "application/json",
                "{\"error_message\": \"Access Denied\"}",
            ),
        ),
        (
            "an HTML 500",
            http(
                "500 Internal Server Error",
                "text/html",
                "<html>An unhandled exception occurred</html>",
            ),
        ),
        (
            "a 404 text",
            http("404 Not Found", "text/plain", "not found"),
        ),
        ("an empty 200", http("200 OK", "application/json", "")),
        (
            "memory as text",
            http(
                "200 OK",
                "application/json",
                "{\"images\": [{\"image_id\": \"a\", \"memory\": \"x\"}]}",
            ),
        ),
        (
            "a body shorter than its length",
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"images\""
                .to_vec(),
        ),
        ("not HTTP at all", b"SSH-2.0-OpenSSH_9.6\r\n".to_vec()),
        ("a closed connection", Vec::new()),
        ("a redirect to nowhere", http("302 Found", "text/plain", "")),
        (
            "a 401",
            http(
                "401 Unauthorized",
                "application/json",
                "{\"error_message\": \"Unauthorized\"}",
            ),
        ),
    ]
}

/// Serves `answer` to every connection until the test ends; returns the URL.
fn serve(answer: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(500)));
            let mut buf = [0u8; 65536];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(&answer);
        }
    });
    url
}

/// Runs one file case, checks the verdict and returns the failures.
fn check(dir: &Path, c: &Case) -> Option<String> {
    let path = dir.join(c.file);
    std::fs::write(&path, &c.bytes).unwrap_or_else(|e| panic!("{e}"));
    let file = path.display().to_string();
    std::fs::write(dir.join("one.tf"), SPEC).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("vars.tf"), WITH_VARS).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("none.json"), "[]").unwrap_or_else(|e| panic!("{e}"));
    let out = dir.join("out.json");
    let args: Vec<&str> = match c.file {
        "spec.tf" | "spec.json" => vec![
            "plan",
            &file,
            "--observed",
            "none.json",
            "--out",
            "out.json",
        ],
        "kasm-plan.state.json" => vec![
            "plan",
            "one.tf",
            "--observed",
            "none.json",
            "--state",
            &file,
            "--out",
            "out.json",
        ],
        "images.json" => vec!["plan", "one.tf", "--observed", &file, "--out", "out.json"],
        "vars.tfvars" | "vars.tfvars.json" => vec![
            "plan",
            "vars.tf",
            "--var-file",
            &file,
            "--observed",
            "none.json",
            "--out",
            "out.json",
        ],
        "plan.json" => vec!["show", &file],
        _ => vec!["policy", "check", "one.tf", "--policy", &file],
    };
    let o = run(dir, &args, &[]);
    let text = format!("{}{}", stdout(&o), stderr(&o));
    let position = format!("{file}:");
    let named = match c.names {
        Names::Position => text
            .match_indices(&position)
            .any(|(at, _)| text[at + position.len()..].starts_with(|ch: char| ch.is_ascii_digit())),
        Names::File => text.contains(&file),
    };
    let problems = [
        (code(&o) != 1).then(|| format!("exit {}", code(&o))),
        (!named).then(|| "the file (and position) not named".to_owned()),
        text.contains("panicked").then(|| "a panic".to_owned()),
        out.exists().then(|| "wrote a plan".to_owned()),
    ];
    let found: Vec<String> = problems.into_iter().flatten().collect();
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&out);
    (!found.is_empty()).then(|| format!("{}: {}\n{text}", c.what, found.join(", ")))
}

#[test]
fn a_hundred_malformed_inputs_are_clear_errors() {
    let cases: Vec<Case> = [
        spec_cases(),
        tfvars_cases(),
        state_cases(),
        image_list_cases(),
        saved_plan_cases(),
        policy_cases(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let answers = server_answers();
    assert!(
        cases.len() + answers.len() >= 100,
        "{} cases",
        cases.len() + answers.len()
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut failures: Vec<String> = cases.iter().filter_map(|c| check(dir.path(), c)).collect();
    for (what, answer) in answers {
        let url = serve(answer);
        let env = [("KASM_API_KEY", "k"), ("KASM_API_KEY_SECRET", "s")];
        let o = run(
            dir.path(),
            &[
                "images",
                "--kasm-url",
                &url,
                "--retries",
                "1",
                "--request-timeout",
                "2",
            ],
            &env,
        );
        let text = format!("{}{}", stdout(&o), stderr(&o));
        if code(&o) != 1 || !text.contains(&url) || text.contains("panicked") {
            failures.push(format!("server answer: {what}: exit {}\n{text}", code(&o)));
        }
    }
    assert!(
        !dir.path().join("kasm-plan.state.json").exists(),
        "no state was written"
    );
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

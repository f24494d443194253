//! Seed inputs for each target, derived from the shared vectors and the
//! examples, so fuzzing starts from inputs that reach deep; and the inputs
//! fuzzing found, so each finding stays fixed.

use serde_json::Value;

/// The seeds of a target (empty for an unknown one).
pub fn of(target: &str) -> Result<Vec<Vec<u8>>, String> {
    let cases = kasm_plan_vectors::load()?;
    let requests: Vec<(String, Value)> = cases
        .iter()
        .map(|c| {
            let request = serde_json::from_str(&c.request).unwrap_or(Value::Null);
            (c.operation.clone(), request)
        })
        .collect();
    let mut seeds: Vec<Vec<u8>> = match target {
        "facade" => cases
            .iter()
            .map(|c| {
                let pick = kasm_plan_core::facade::OPERATIONS
                    .iter()
                    .position(|op| *op == c.operation)
                    .unwrap_or(0);
                let mut seed = vec![u8::try_from(pick).unwrap_or(0)];
                seed.extend(c.request.as_bytes());
                seed
            })
            .collect(),
        "spec_hcl" | "spec_json" => {
            let json = target == "spec_json";
            let mut texts: Vec<Vec<u8>> = requests
                .iter()
                .flat_map(|(_, r)| sources(r))
                .filter(|text| text.trim_start().starts_with('{') == json)
                .map(String::into_bytes)
                .collect();
            let ext = if json { "json" } else { "tf" };
            texts.extend(examples(ext)?);
            texts
        }
        "policy" => requests
            .iter()
            .flat_map(|(_, r)| {
                let files = r.get("policy").into_iter().chain(
                    r.get("policies")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten(),
                );
                files
                    .filter_map(|f| f.get("source").and_then(Value::as_str))
                    .map(|text| {
                        let pick = if text.contains("package ") {
                            2
                        } else if text.trim_start().starts_with('{') {
                            0
                        } else {
                            1
                        };
                        let mut seed = vec![pick];
                        seed.extend(text.as_bytes());
                        seed
                    })
                    .collect::<Vec<_>>()
            })
            .collect(),
        "tfvars" => requests
            .iter()
            .flat_map(|(_, r)| {
                let lists = [r.get("variables"), r.get("desired").and_then(|d| d.get("variables"))];
                lists
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_array)
                    .flatten()
                    .filter_map(|v| {
                        let text = v.get("source").or_else(|| v.get("value"))?.as_str()?;
                        let json = v.get("file_name").and_then(Value::as_str).is_some_and(|n| n.ends_with(".json"));
                        let mut seed = vec![u8::from(json)];
                        seed.extend(text.as_bytes());
                        Some(seed)
                    })
                    .collect::<Vec<_>>()
            })
            .chain([
                b"\0memory = 512\napps = { chrome = { memory = \"4096\", tags = [\"a\"] } }\nnames = [\"x\", 1]\n".to_vec(),
                b"\x01{\"memory\": 2048, \"apps\": {\"gimp\": {\"memory\": 1024, \"cores\": 1}}}".to_vec(),
            ])
            .collect(),
        "state" => values(&requests, "state"),
        "image_list" => values(&requests, "observed"),
        "simulator" => requests
            .iter()
            .filter_map(|(_, r)| r.get("observed").and_then(Value::as_array))
            .flatten()
            .enumerate()
            .map(|(i, image)| {
                let mut seed = vec![u8::try_from(i % 3).unwrap_or(0)];
                seed.extend(
                    serde_json::json!({ "target_image": image })
                        .to_string()
                        .bytes(),
                );
                seed
            })
            .collect(),
        "structured_plan" => cases
            .iter()
            .map(|c| c.request.clone().into_bytes())
            .collect(),
        _ => Vec::new(),
    };
    seeds.extend(regressions(target)?);
    seeds.sort();
    seeds.dedup();
    Ok(seeds)
}

/// Inputs fuzzing found (`regressions/<target>/`), kept so each stays fixed.
fn regressions(target: &str) -> Result<Vec<Vec<u8>>, String> {
    let dir = kasm_plan_vectors::repository()
        .join("crates/kasm-plan-fuzz/regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .map(|path| std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display())))
        .collect()
}

/// The spec texts of a request (`source`, `sources`, `desired`).
fn sources(request: &Value) -> Vec<String> {
    let holders = [request, request.get("desired").unwrap_or(&Value::Null)];
    holders
        .iter()
        .flat_map(|h| {
            let one = h.get("source").and_then(Value::as_str).map(str::to_owned);
            let many = h
                .get("sources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|s| s.get("source").and_then(Value::as_str).map(str::to_owned));
            one.into_iter().chain(many).collect::<Vec<_>>()
        })
        .collect()
}

/// A key's values across the requests, as JSON text.
fn values(requests: &[(String, Value)], key: &str) -> Vec<Vec<u8>> {
    requests
        .iter()
        .filter_map(|(_, r)| r.get(key))
        .map(|v| v.to_string().into_bytes())
        .collect()
}

/// The example files with this extension.
fn examples(ext: &str) -> Result<Vec<Vec<u8>>, String> {
    let dir = kasm_plan_vectors::repository().join("examples");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.extension().is_some_and(|x| x == ext) {
            out.push(std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?);
        }
    }
    Ok(out)
}

//! Reading the files a command names. Errors name the file and, for JSON,
//! the line and column.

use super::Failure;
use kasm_plan_core::facade::SourceInput;
use kasm_plan_core::{Image, State};
use serde::de::DeserializeOwned;
use std::path::Path;

/// The default state file, read when `--state` is not given and it exists.
pub const DEFAULT_STATE: &str = "kasm-plan.state.json";

/// A file's text.
pub fn read_text(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))
}

/// Spec files as sources for the core; the format is guessed from the name.
pub fn sources(paths: &[std::path::PathBuf]) -> Result<Vec<SourceInput>, Failure> {
    paths
        .iter()
        .map(|p| {
            Ok(SourceInput {
                source: read_text(p)?,
                format: None,
                file_name: Some(p.display().to_string()),
            })
        })
        .collect()
}

/// Decodes a JSON file into `T`, naming the file and position on failure.
pub fn json<T: DeserializeOwned>(path: &Path, what: &str) -> Result<T, Failure> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| {
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        Failure(format!(
            "{}:{}:{}: not {what}: {message}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

/// An image list: the `get_images` answer (`{"images": [...]}`), the output
/// of `images --json` (the same), or a bare list.
pub fn images(path: &Path) -> Result<Vec<Image>, Failure> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Listing {
        Answer { images: Vec<Image> },
        List(Vec<Image>),
    }
    // Decode the shape first, so a syntax error keeps its position.
    let value: serde_json::Value = json(path, "JSON")?;
    match serde_json::from_value::<Listing>(value) {
        Ok(Listing::Answer { images } | Listing::List(images)) => Ok(images),
        Err(_) => {
            // Decode again by shape to name the bad entry.
            let value: serde_json::Value = json(path, "JSON")?;
            let list = value.get("images").cloned().unwrap_or(value);
            let serde_json::Value::Array(items) = list else {
                return Err(Failure(format!(
                    "{}: not an image list: expected {{\"images\": [...]}} or [...]",
                    path.display()
                )));
            };
            for (i, item) in items.into_iter().enumerate() {
                if let Err(e) = serde_json::from_value::<Image>(item) {
                    return Err(Failure(format!(
                        "{}: images[{i}] is not a Kasm image: {e}",
                        path.display()
                    )));
                }
            }
            Err(Failure(format!("{}: not an image list", path.display())))
        }
    }
}

/// The state: the file given, else the default file if present, else empty.
/// A named file that does not exist is an empty state (the first apply makes it).
pub fn state(path: Option<&Path>) -> Result<(State, Option<std::path::PathBuf>), Failure> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None if Path::new(DEFAULT_STATE).is_file() => DEFAULT_STATE.into(),
        None => return Ok((State::default(), None)),
    };
    if !path.exists() {
        return Ok((State::default(), Some(path)));
    }
    Ok((json(&path, "a kasm-plan state")?, Some(path)))
}

//! Reading the files a command names. Errors name the file and, for JSON,
//! the line and column.

use crate::state_file::{self, StateError};
use kasm_plan_core::access::Access;
use kasm_plan_core::facade::SourceInput;
use kasm_plan_core::group::{Group, GroupImage};
use kasm_plan_core::{Image, State};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// A file that cannot be read or is not what the command needs.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not JSON of the expected shape, at a position.
    #[error("{}:{line}:{column}: not {what}: {message}", .path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// One-based line.
        line: usize,
        /// One-based column.
        column: usize,
        /// What the file should be.
        what: &'static str,
        /// What the decoder found.
        message: String,
    },
    /// Valid JSON of the wrong shape.
    #[error("{}: {message}", .path.display())]
    Shape {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file of another kind than the command needs.
    #[error("{} is not {what}", .path.display())]
    NotA {
        /// The file.
        path: PathBuf,
        /// What it should be.
        what: &'static str,
    },
    /// A folder named where files were expected holds none.
    #[error("{} holds no {what}", .path.display())]
    Empty {
        /// The folder.
        path: PathBuf,
        /// What it should hold.
        what: &'static str,
    },
}

/// A file's text.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|source| InputError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Spec files as sources for the core; the format is guessed from the name.
pub fn sources(paths: &[PathBuf]) -> Result<Vec<SourceInput>, InputError> {
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
pub fn json<T: DeserializeOwned>(path: &Path, what: &'static str) -> Result<T, InputError> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| {
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_owned();
        InputError::Json {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            what,
            message,
        }
    })
}

/// An image list: the `get_images` answer (`{"images": [...]}`), the output
/// of `images --json` (the same), or a bare list.
pub fn images(path: &Path) -> Result<Vec<Image>, InputError> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Listing {
        Answer { images: Vec<Image> },
        List(Vec<Image>),
    }
    // Decode the shape first, so a syntax error keeps its position.
    let value: serde_json::Value = json(path, "JSON")?;
    let shape = |message: String| InputError::Shape {
        path: path.to_path_buf(),
        message,
    };
    if let Ok(Listing::Answer { images } | Listing::List(images)) =
        serde_json::from_value::<Listing>(value.clone())
    {
        return Ok(images);
    }
    // Decode again entry by entry to name the bad one.
    let list = value.get("images").cloned().unwrap_or(value);
    let serde_json::Value::Array(items) = list else {
        return Err(shape(
            "not an image list: expected {\"images\": [...]} or [...]".into(),
        ));
    };
    for (i, item) in items.into_iter().enumerate() {
        if let Err(e) = serde_json::from_value::<Image>(item) {
            return Err(shape(format!("images[{i}] is not a Kasm image: {e}")));
        }
    }
    Err(shape("not an image list".into()))
}

/// The state: the file given, else the default file if present, else empty.
/// A named file that does not exist is an empty state (the first apply makes it).
pub fn state(path: Option<&Path>) -> Result<(State, Option<PathBuf>), StateError> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None if Path::new(state_file::DEFAULT).is_file() => state_file::DEFAULT.into(),
        None => return Ok((State::default(), None)),
    };
    if !path.exists() {
        return Ok((State::default(), Some(path)));
    }
    Ok((state_file::read(&path)?, Some(path)))
}

/// Groups and their links as `kasm-plan groups --images --json` prints them:
/// `{"groups": [{..., "images": [link rows]}]}`.
pub fn access(path: &Path) -> Result<Access, InputError> {
    #[derive(serde::Deserialize)]
    struct Listed {
        #[serde(flatten)]
        group: Group,
        images: Option<Vec<GroupImage>>,
    }
    #[derive(serde::Deserialize)]
    struct Listing {
        groups: Vec<Listed>,
    }
    let value: serde_json::Value = json(path, "JSON")?;
    let listing: Listing = serde_json::from_value(value).map_err(|e| InputError::Shape {
        path: path.to_path_buf(),
        message: format!("not a group list as `kasm-plan groups --images --json` prints it: {e}"),
    })?;
    let mut access = Access::default();
    for listed in listing.groups {
        let Some(images) = listed.images else {
            return Err(InputError::Shape {
                path: path.to_path_buf(),
                message: format!(
                    "group {} has no `images`: save the list with `kasm-plan groups --images --json`",
                    listed.group.name
                ),
            });
        };
        access.links.extend(images);
        access.groups.push(listed.group);
    }
    Ok(access)
}

/// A JSON or YAML document (by extension; otherwise JSON, then YAML).
pub fn document(path: &Path) -> Result<serde_json::Value, InputError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    if ext == "json" {
        return json(path, "a JSON document");
    }
    let text = read_text(path)?;
    if ext != "yaml"
        && ext != "yml"
        && let Ok(v) = serde_json::from_str(&text)
    {
        return Ok(v);
    }
    serde_norway::from_str(&text).map_err(|e| InputError::Shape {
        path: path.to_path_buf(),
        message: format!("not a YAML document: {e}"),
    })
}

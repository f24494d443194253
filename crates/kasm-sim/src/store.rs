//! The simulator's data: images, the world they refer to, the tags agents
//! have pulled, groups, users and sessions. Optionally persisted to a JSON file, written atomically.

use crate::groups::{Group, GroupImage, Settings, system_groups};
use crate::image::{StoredImage, World};
use crate::sessions::Session;
use crate::users::{SessionToken, User, UserGroup};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

/// Everything the simulator stores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Db {
    /// Image rows.
    pub images: Vec<StoredImage>,
    /// Servers, zones, filter policies.
    #[serde(flatten)]
    pub world: World,
    /// Docker tags agents have pulled: images with these names are available.
    pub pulled: BTreeSet<String>,
    /// Groups; All Users and Administrators always exist.
    pub groups: Vec<Group>,
    /// Which groups may launch which images (rows; a pair may repeat).
    pub group_images: Vec<GroupImage>,
    /// Global settings.
    pub settings: Settings,
    /// Users (anonymous ones included).
    pub users: Vec<User>,
    /// Which users belong to which groups (rows; nothing makes a pair unique).
    pub user_groups: Vec<UserGroup>,
    /// Sessions.
    pub kasms: Vec<Session>,
    /// Session tokens (logins and the links `kasm_url` carries).
    pub session_tokens: Vec<SessionToken>,
}

impl Default for Db {
    fn default() -> Self {
        Db {
            images: Vec::new(),
            world: World::default(),
            pulled: BTreeSet::new(),
            groups: system_groups(),
            group_images: Vec::new(),
            settings: Settings::default(),
            users: Vec::new(),
            user_groups: Vec::new(),
            kasms: Vec::new(),
            session_tokens: Vec::new(),
        }
    }
}

/// Errors loading or saving data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not the expected JSON.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: String,
        /// Why.
        source: serde_json::Error,
    },
}

impl Db {
    /// Reads a seed: `{"images": [...], "servers": [...], "zones": [...], "filter_policies": [...]}`
    /// or a bare list of images, in the answer shape of `get_images`, with optional
    /// `groups`, `group_images` and `settings`. Images seeded as available count as
    /// pulled; missing ids are generated; without `group_images`, every image is
    /// linked to All Users (as Kasm's installer links its stock images).
    pub fn from_seed(path: &Path) -> Result<Db, StoreError> {
        let text = read(path)?;
        let json_err = |source| StoreError::Json {
            path: path.display().to_string(),
            source,
        };
        let value: Value = serde_json::from_str(&text).map_err(json_err)?;
        let value = if value.is_array() {
            serde_json::json!({ "images": value })
        } else {
            value
        };
        // Kasm's installer links its stock images to All Users; a seed that
        // lists no links gets the same.
        let default_links = value.get("group_images").is_none();
        let mut db: Db = serde_json::from_value(value).map_err(json_err)?;
        // A seed lists its own groups; the system groups are there whatever it says.
        for system in system_groups() {
            if !db.groups.iter().any(|g| g.name == system.name) {
                db.groups.insert(0, system);
            }
        }
        for img in &mut db.images {
            if img.image_id.is_empty() {
                img.image_id = uuid::Uuid::new_v4().simple().to_string();
            }
            if default_links {
                crate::groups::on_create(&mut db.group_images, &Settings::default(), &img.image_id);
            }
            if let (true, Some(name)) = (img.available, &img.name) {
                db.pulled.insert(name.clone());
            }
        }
        Ok(db)
    }

    /// Reads a data file written by [`Db::save`].
    pub fn load(path: &Path) -> Result<Db, StoreError> {
        let text = read(path)?;
        serde_json::from_str(&text).map_err(|source| StoreError::Json {
            path: path.display().to_string(),
            source,
        })
    }

    /// Writes the data file atomically: a temporary file beside it, synced, then renamed.
    pub fn save(&self, path: &Path) -> Result<(), StoreError> {
        let io_err = |source| StoreError::Io {
            path: path.display().to_string(),
            source,
        };
        let text = serde_json::to_vec_pretty(self).map_err(|source| StoreError::Json {
            path: path.display().to_string(),
            source,
        })?;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&text)?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)?;
            // Sync the directory so the rename survives a crash.
            std::fs::File::open(dir)?.sync_all()
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io_err(e)
        })
    }
}

fn read(path: &Path) -> Result<String, StoreError> {
    std::fs::read_to_string(path).map_err(|source| StoreError::Io {
        path: path.display().to_string(),
        source,
    })
}

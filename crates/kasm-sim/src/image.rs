//! An image as Kasm 1.15 stores it, and the answer shape (`jsonDict`, 45 keys).
//!
//! Written from docs/kasm-api.md ("The image object") on its own, not shared with the client's model,
//! so the simulator checks the client instead of mirroring it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// What Kasm answers in place of a stored registry token.
pub const TOKEN_MASK: &str = "**********";

/// One row of Kasm's `images` table. Serialised as is (token unmasked) for the data file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[allow(missing_docs)] // the keys of docs/kasm-api.md, "The image object"
pub struct StoredImage {
    pub image_id: String,
    pub name: Option<String>,
    pub friendly_name: Option<String>,
    pub description: Option<String>,
    pub image_src: Option<String>,
    pub enabled: bool,
    pub available: bool,
    pub hidden: bool,
    pub cores: f64,
    pub memory: i64,
    pub cpu_allocation_method: String,
    pub gpu_count: i64,
    pub image_type: String,
    pub uncompressed_size_mb: i64,
    pub docker_registry: Option<String>,
    pub docker_user: Option<String>,
    pub docker_token: Option<String>,
    pub hash: Option<String>,
    pub run_config: Map<String, Value>,
    pub exec_config: Map<String, Value>,
    pub volume_mappings: Map<String, Value>,
    pub launch_config: Map<String, Value>,
    pub categories: Vec<String>,
    pub restrict_to_network: bool,
    pub restrict_network_names: Vec<String>,
    pub allow_network_selection: bool,
    pub restrict_to_server: bool,
    pub server_id: Option<String>,
    pub restrict_to_zone: bool,
    pub zone_id: Option<String>,
    pub server_pool_id: Option<String>,
    pub persistent_profile_path: Option<String>,
    pub filter_policy_id: Option<String>,
    pub filter_policy_force_disabled: bool,
    pub session_time_limit: Option<i64>,
    pub notes: Option<String>,
    pub link_url: Option<String>,
    pub x_res: i64,
    pub y_res: i64,
}

impl Default for StoredImage {
    /// Kasm's defaults for a new row.
    fn default() -> Self {
        StoredImage {
            image_id: String::new(),
            name: None,
            friendly_name: None,
            description: None,
            image_src: None,
            enabled: true,
            available: false,
            hidden: false,
            cores: 1.0,
            memory: 768_000_000,
            cpu_allocation_method: "Inherit".into(),
            gpu_count: 0,
            image_type: "Container".into(),
            uncompressed_size_mb: 0,
            docker_registry: None,
            docker_user: None,
            docker_token: None,
            hash: None,
            run_config: Map::new(),
            exec_config: Map::new(),
            volume_mappings: Map::new(),
            launch_config: Map::new(),
            categories: Vec::new(),
            restrict_to_network: false,
            restrict_network_names: Vec::new(),
            allow_network_selection: false,
            restrict_to_server: false,
            server_id: None,
            restrict_to_zone: false,
            zone_id: None,
            server_pool_id: None,
            persistent_profile_path: None,
            filter_policy_id: None,
            filter_policy_force_disabled: false,
            session_time_limit: None,
            notes: None,
            link_url: None,
            x_res: 800,
            y_res: 600,
        }
    }
}

/// Servers, zones and filter policies that ids may refer to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct World {
    /// Agent servers: `{server_id, hostname}`.
    pub servers: Vec<Server>,
    /// Deployment zones: `{zone_id, zone_name}`.
    pub zones: Vec<Zone>,
    /// Web filter policies: `{filter_policy_id, filter_policy_name}`.
    pub filter_policies: Vec<FilterPolicy>,
    /// Running sessions (kasms) per image id; an image in use cannot be deleted.
    pub sessions: std::collections::BTreeMap<String, u32>,
    /// Casting configs per image id; an image they use cannot be deleted.
    pub cast_configs: std::collections::BTreeMap<String, u32>,
}

/// An agent server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Server {
    /// 32-hex id.
    pub server_id: String,
    /// Its host name.
    pub hostname: String,
}

/// A deployment zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// 32-hex id.
    pub zone_id: String,
    /// Its name.
    pub zone_name: String,
}

/// A web filter policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilterPolicy {
    /// 32-hex id.
    pub filter_policy_id: String,
    /// Its name.
    pub filter_policy_name: String,
}

impl World {
    fn zone_name(&self, id: Option<&str>) -> Option<&str> {
        let id = id?;
        self.zones
            .iter()
            .find(|z| z.zone_id == id)
            .map(|z| z.zone_name.as_str())
    }

    fn filter_policy_name(&self, id: Option<&str>) -> Option<&str> {
        let id = id?;
        self.filter_policies
            .iter()
            .find(|p| p.filter_policy_id == id)
            .map(|p| p.filter_policy_name.as_str())
    }

    fn hostname(&self, id: Option<&str>) -> Option<&str> {
        let id = id?;
        self.servers
            .iter()
            .find(|s| s.server_id == id)
            .map(|s| s.hostname.as_str())
    }
}

impl StoredImage {
    /// The answer object: every key, the token masked, computed keys filled.
    /// `get_images` items (`listed`) also carry `server` and `server_pool`.
    pub fn answer(&self, world: &World, listed: bool) -> Value {
        let profile_config = match &self.persistent_profile_path {
            Some(path) => {
                json!({ path: {"mode": "rw", "bind": "/home/kasm-user", "required": true, "gid": 1000, "uid": 1000} })
            }
            None => json!({}),
        };
        let mut v = json!({
            "image_id": self.image_id,
            "name": self.name,
            "friendly_name": self.friendly_name,
            "description": self.description,
            "image_src": self.image_src,
            "enabled": self.enabled,
            "available": self.available,
            "hidden": self.hidden,
            "cores": self.cores,
            "memory": self.memory,
            "cpu_allocation_method": self.cpu_allocation_method,
            "gpu_count": self.gpu_count,
            "require_gpu": false, // accepted but never stored by 1.15
            "image_type": self.image_type,
            "uncompressed_size_mb": self.uncompressed_size_mb,
            "docker_registry": self.docker_registry,
            "docker_user": self.docker_user,
            "docker_token": self.docker_token.as_ref().map(|_| TOKEN_MASK),
            "hash": self.hash,
            "run_config": self.run_config,
            "exec_config": self.exec_config,
            "volume_mappings": self.volume_mappings,
            "launch_config": self.launch_config,
            "categories": self.categories,
            "default_category": self.categories.first(),
            "restrict_to_network": self.restrict_to_network,
            "restrict_network_names": self.restrict_network_names,
            "allow_network_selection": self.allow_network_selection,
            "restrict_to_server": self.restrict_to_server,
            "server_id": self.server_id,
            "restrict_to_zone": self.restrict_to_zone,
            "zone_id": self.zone_id,
            "zone_name": world.zone_name(self.zone_id.as_deref()),
            "server_pool_id": self.server_pool_id,
            "persistent_profile_path": self.persistent_profile_path,
            "persistent_profile_config": profile_config,
            "filter_policy_id": self.filter_policy_id,
            "filter_policy_name": world.filter_policy_name(self.filter_policy_id.as_deref()),
            "filter_policy_force_disabled": self.filter_policy_force_disabled,
            "session_time_limit": self.session_time_limit,
            "notes": self.notes,
            "link_url": self.link_url,
            "x_res": self.x_res,
            "y_res": self.y_res,
            "imageAttributes": [],
        });
        if let (true, Some(obj)) = (listed, v.as_object_mut()) {
            let server = world
                .hostname(self.server_id.as_deref())
                .map_or(json!({}), |h| json!({"hostname": h}));
            obj.insert("server".into(), server);
            obj.insert("server_pool".into(), json!({}));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_has_every_documented_key() {
        let v = StoredImage::default().answer(&World::default(), false);
        assert_eq!(v.as_object().map(Map::len), Some(45));
        let listed = StoredImage::default().answer(&World::default(), true);
        assert_eq!(listed.as_object().map(Map::len), Some(47));
        assert_eq!(v["memory"], json!(768_000_000));
        assert_eq!(v["cores"], json!(1.0));
        assert!(v["cores"].is_f64());
    }

    #[test]
    fn token_is_masked() {
        let img = StoredImage {
            docker_token: Some("s3cret".into()),
            ..StoredImage::default()
        };
        assert_eq!(
            img.answer(&World::default(), false)["docker_token"],
            json!(TOKEN_MASK)
        );
    }
}

//! Kasm's groups and their image links, as `get_groups` and `get_images_group`
//! return them (docs/kasm-api.md, "Groups and image authorization").

use serde::{Deserialize, Serialize};

/// The fixed id of the All Users group: every user is a member, and with a
/// default install every new image is linked to it.
pub const ALL_USERS: &str = "68d557ac4cac42cca9f31c7c853de0f3";

/// A group, as `get_groups` lists it (other keys are ignored).
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Group {
    /// 32-hex id.
    pub group_id: String,
    /// Its unique name.
    pub name: String,
    /// Free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// 1 to 4095; the lowest wins where a user's groups disagree.
    pub priority: i64,
    /// All Users and Administrators: never deleted.
    pub is_system: bool,
}

/// One link row of `get_images_group`: users of the group may launch the image.
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupImage {
    /// The row's id (a pair may have several rows).
    pub group_image_id: String,
    /// The group.
    pub group_id: String,
    /// The image.
    pub image_id: String,
    /// The image's Docker name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_name: Option<String>,
    /// The image's friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_friendly_name: Option<String>,
    /// The group's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
}

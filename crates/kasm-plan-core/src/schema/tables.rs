//! The arguments of the blocks that have no field table of their own: groups,
//! links, the data sources, and what `kasm_image` has besides its fields.
//! Typing reads the names from here, so an argument added here is accepted
//! and documented at once.

use super::{Argument, Presence};

/// A resource type or data source.
pub struct Block {
    /// E.g. `kasm_group`.
    pub type_name: &'static str,
    /// One line on what it is.
    pub description: &'static str,
    /// Its arguments (for `kasm_image`, those beyond the field table).
    pub arguments: &'static [Arg],
}

/// A constant default.
#[derive(Clone, Copy)]
pub enum Lit {
    /// `true` or `false`.
    Bool(bool),
}

/// One argument.
pub struct Arg {
    /// Its name.
    pub name: &'static str,
    /// Terraform's type name.
    pub value_type: &'static str,
    /// Required, optional or computed.
    pub presence: Presence,
    /// The allowed range of a whole number.
    pub range: Option<(i64, i64)>,
    /// What is assumed when it is left out.
    pub default: Option<Lit>,
    /// One line on what it is.
    pub description: &'static str,
}

impl Arg {
    const fn new(
        name: &'static str,
        value_type: &'static str,
        presence: Presence,
        description: &'static str,
    ) -> Arg {
        Arg {
            name,
            value_type,
            presence,
            range: None,
            default: None,
            description,
        }
    }

    /// The argument as the schema gives it.
    pub fn argument(&self) -> Argument {
        Argument {
            name: self.name.to_owned(),
            value_type: self.value_type.to_owned(),
            presence: self.presence,
            sensitive: false,
            unit: None,
            minimum: self.range.map(|(lo, _)| lo as f64),
            exclusive_minimum: false,
            maximum: self.range.map(|(_, hi)| hi as f64),
            integer: self.range.is_some(),
            max_length: None,
            allowed: Vec::new(),
            default: self.default.map(|Lit::Bool(b)| serde_json::Value::Bool(b)),
            wire_name: None,
            description: self.description.to_owned(),
        }
    }
}

impl Block {
    /// The names a configuration may set (not the computed ones).
    pub fn settable(&self) -> impl Iterator<Item = &'static str> {
        self.arguments
            .iter()
            .filter(|a| a.presence != Presence::Computed)
            .map(|a| a.name)
    }
}

use Presence::{Computed, Optional, Required};

/// `kasm_image` beyond the field table: kasm-plan's own argument, Kasm's computed attributes.
pub const IMAGE: &Block = &Block {
    type_name: "kasm_image",
    description: "A workspace image: the container Kasm runs and how users see it.",
    arguments: &[
        Arg {
            default: Some(Lit::Bool(false)),
            ..Arg::new(
                "exclusive_group_links",
                "bool",
                Optional,
                "kasm-plan's own: the image's `kasm_group_image` links are all its groups; other links (All Users) are removed.",
            )
        },
        Arg::new(
            "id",
            "string",
            Computed,
            "Kasm's image id (32 hex characters).",
        ),
        Arg::new("image_id", "string", Computed, "The same as `id`."),
        Arg::new(
            "available",
            "bool",
            Computed,
            "Whether every agent has pulled the image.",
        ),
    ],
};

/// `kasm_group`.
pub const GROUP: &Block = &Block {
    type_name: "kasm_group",
    description: "A group of users; images are authorized for groups.",
    arguments: &[
        Arg::new("name", "string", Required, "The group's unique name."),
        Arg {
            range: Some((1, 4095)),
            ..Arg::new(
                "priority",
                "number",
                Required,
                "The order in which a user's groups' settings apply; the lowest wins.",
            )
        },
        Arg::new(
            "description",
            "string",
            Optional,
            "Text shown in Kasm's admin pages; managed only when set.",
        ),
        Arg {
            default: Some(Lit::Bool(false)),
            ..Arg::new(
                "force_destroy",
                "bool",
                Optional,
                "Delete the group even when users are members.",
            )
        },
        Arg::new(
            "id",
            "string",
            Computed,
            "Kasm's group id (32 hex characters).",
        ),
        Arg::new("group_id", "string", Computed, "The same as `id`."),
    ],
};

/// `kasm_group_image`.
pub const LINK: &Block = &Block {
    type_name: "kasm_group_image",
    description: "An authorization: users of the group may launch the image.",
    arguments: &[
        Arg::new(
            "group_id",
            "string",
            Optional,
            "The group's id, e.g. `kasm_group.devs.id`; give this or `group_name`.",
        ),
        Arg::new(
            "group_name",
            "string",
            Optional,
            "The group's exact name, looked up in the configuration, then on Kasm; give this or `group_id`.",
        ),
        Arg::new(
            "image_id",
            "string",
            Required,
            "The image's id, e.g. `kasm_image.web.id`.",
        ),
        Arg::new("id", "string", Computed, "`<group_id>:<image_id>`."),
    ],
};

/// The data sources, read when planning.
pub const DATA_SOURCES: &[&Block] = &[IMAGES_DATA, GROUPS_DATA];

/// `data "kasm_images"`.
pub const IMAGES_DATA: &Block = &Block {
    type_name: "kasm_images",
    description: "The images on Kasm, filtered (memory in bytes, as Kasm's API gives it).",
    arguments: &[
        Arg::new(
            "name",
            "string",
            Optional,
            "A glob on image names, e.g. `kasmweb/*`.",
        ),
        Arg::new(
            "enabled",
            "bool",
            Optional,
            "Only enabled (true) or disabled (false) images.",
        ),
        Arg::new(
            "images",
            "list(object)",
            Computed,
            "The images: id, name, friendly_name, description, image_src, memory (bytes), cores, enabled, available.",
        ),
    ],
};

/// `data "kasm_groups"`.
pub const GROUPS_DATA: &Block = &Block {
    type_name: "kasm_groups",
    description: "The groups on Kasm, filtered.",
    arguments: &[
        Arg::new("name", "string", Optional, "A glob on group names."),
        Arg::new(
            "groups",
            "list(object)",
            Computed,
            "The groups: id, name, description, priority, is_system.",
        ),
    ],
};

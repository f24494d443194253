//! The arguments of the blocks that have no field table of their own: groups,
//! links, the data sources, and what `kasm_image` has besides its fields.
//! Typing reads the names from here, so an argument added here is accepted
//! and documented at once.

use super::{Argument, Presence};
use crate::address::{
    GROUP_TYPE, Instance, LINK_TYPE, MEMBERSHIP_TYPE, RESOURCE_TYPE, SESSION_TYPE, USER_TYPE,
};
use crate::diagnostic::Code;

/// A resource type or data source.
pub struct Block {
    /// E.g. `kasm_group`.
    pub type_name: &'static str,
    /// One line on what it is.
    pub description: &'static str,
    /// Its arguments (for `kasm_image`, those beyond the field table).
    pub arguments: &'static [Arg],
    /// The computed attribute that repeats the id (`image_id`, `user_id`):
    /// a reference to it is known once the id is.
    pub id_alias: Option<&'static str>,
    /// Whether planning it reads Kasm's users and sessions (beside the
    /// images, groups and links every plan that has groups reads).
    pub reads_users: bool,
    /// What Kasm does by itself when one is made, said under its create in
    /// the rendered plan so it is no surprise.
    pub on_create: Option<&'static str>,
    /// Kasm's calls that create, update and delete it, for the types the
    /// generic executor carries out (`None`: a type with its own path).
    pub calls: Option<&'static Calls>,
    /// The call that lists Kasm's instances of it, for the types read by
    /// table (`None`: read with the images, groups and links).
    pub list: Option<&'static List>,
    /// For a pair Kasm lists as rows of another type's items (a membership
    /// as one of its user's `groups`): where the rows are.
    pub rows: Option<Rows>,
    /// For a pair Kasm lists as rows of a list of its own, each row holding
    /// both sides (a link, in `links`): the list's name in a request's `access`.
    pub pair_list: Option<&'static str>,
    /// Arguments of which exactly one is given (a link's `group_id` or
    /// `group_name`).
    pub one_of: &'static [&'static str],
    /// The code of an import that names an instance Kasm does not have.
    pub not_found: Code,
}

/// Where Kasm lists the instances of a pair type: as rows of another
/// type's items.
pub struct Rows {
    /// The type whose items hold the rows (`kasm_user`).
    pub of: &'static Block,
    /// The pair's argument that is the item's id (`user_id`).
    pub parent: &'static str,
    /// The item's key holding the rows (`groups`).
    pub field: &'static str,
    /// The pair's other argument, the key of the same name in a row (`group_id`).
    pub key: &'static str,
}

/// The call that lists every instance of a type Kasm has.
pub struct List {
    /// The list's name in a request's `access` (`users`).
    pub name: &'static str,
    /// The endpoint (`get_users`).
    pub endpoint: &'static str,
    /// The answer's key holding the list; Kasm leaves it out when the list
    /// is empty.
    pub answer: &'static str,
    /// Read a page at a time, this many items each, in this order.
    pub pages: Option<Pages>,
    /// Items Kasm still lists while it takes them down: the key and its
    /// values that say so. Such an item no longer counts as there.
    pub ending: Option<(&'static str, &'static [&'static str])>,
    /// The arguments an item shows as a configuration sets them, which a
    /// plan compares with the configuration and the record. A type whose
    /// items show none (a session) is as recorded while Kasm lists it.
    pub shows: &'static [&'static str],
    /// An import may name an instance by this key instead of its id, as
    /// `<key>:<value>` (`username:alice`), compared without case.
    pub import_by: Option<&'static str>,
}

impl List {
    /// Whether Kasm lists the item only until its teardown is done.
    pub fn is_ending(&self, item: &serde_json::Value) -> bool {
        self.ending.is_some_and(|(key, _)| {
            item.get(key)
                .and_then(serde_json::Value::as_str)
                .is_some_and(|value| self.ends(key, value))
        })
    }

    /// Whether this value of the key says the item is being taken down.
    pub fn ends(&self, key: &str, value: &str) -> bool {
        self.ending
            .is_some_and(|(k, values)| k == key && values.contains(&value))
    }
}

/// An argument that names what an id argument refers to.
#[derive(Clone, Copy)]
pub struct Names {
    /// The id argument it gives (`group_id`).
    pub id: &'static str,
    /// The key of the referred type's listed items that holds the name (`name`).
    pub key: &'static str,
}

/// How a list is paged.
pub struct Pages {
    /// Items per page.
    pub size: u64,
    /// The key the pages are sorted by, ascending (a stable order).
    pub sort_by: &'static str,
}

/// How Kasm creates, updates and deletes instances of a type: data the step
/// builder fills in and the host's executor carries out.
pub struct Calls {
    /// The create.
    pub create: Call,
    /// The update; `None` when every change replaces.
    pub update: Option<Call>,
    /// The delete.
    pub delete: Call,
    /// After a create whose answer was lost: the read that finds what it
    /// made, by the arguments that identify it (`username`).
    pub find_after_lost_create: Option<Find>,
    /// After a create: the poll until the object is ready.
    pub ready: Option<Ready>,
    /// The id is `<first>:<second>` of these two arguments' ids (a
    /// membership's), known once both are.
    pub id_of_pair: Option<[&'static str; 2]>,
    /// A create is sent without a pending mark in the state: Kasm refuses a
    /// second object with the same values (a group's name), or the next plan
    /// reads what it made (a link's row), and records it.
    pub unmarked: bool,
    /// The find runs before the create too: Kasm would make a second object
    /// with the same values (a link's second row), so one found is kept.
    pub search_first: bool,
    /// A delete removes one of several equal objects (a link's rows): it is
    /// sent again until the find finds none.
    pub until_gone: bool,
}

/// One Kasm call.
pub struct Call {
    /// The endpoint, e.g. `create_user`.
    pub endpoint: &'static str,
    /// Where values go in the request body, by JSON pointer: an argument by
    /// its name (sent every time), `id` for the object's id, `*` for every
    /// other argument set (on an update, every other argument that changes).
    pub body: &'static [(&'static str, &'static str)],
    /// Constant keys of the body, by JSON pointer.
    pub fixed: &'static [(&'static str, Lit)],
    /// Where the answer carries the new object's id (a JSON pointer).
    pub answer_id: Option<&'static str>,
    /// Whether the same request twice has one effect, so it may be retried.
    pub repeat_safe: bool,
    /// Refusals that mean the effect is already there ("already a member",
    /// "Unknown user" for a delete): the call is done.
    pub done_when: &'static [&'static str],
    /// Refusals and what to do about them, added to the error (`{address}`
    /// stands for the instance's address).
    pub help: &'static [(&'static str, &'static str)],
}

/// A read that finds an object by its arguments: one lookup, or a list
/// searched for an item with the same values.
pub struct Find {
    /// The endpoint (`get_user`, `get_user_kasms`).
    pub endpoint: &'static str,
    /// The arguments sent, by JSON pointer in the body.
    pub body: &'static [(&'static str, &'static str)],
    /// Where the answer lists candidates (a JSON pointer); `None`: the
    /// answer is the object.
    pub list: Option<&'static str>,
    /// For a list: the item keys that must equal these arguments.
    pub matching: &'static [(&'static str, &'static str)],
    /// Where the object carries the id (a JSON pointer).
    pub answer_id: &'static str,
    /// The refusal that means there is none (empty: every refusal is an error).
    pub none_when: &'static str,
}

/// A readiness poll after a create: read until the object reports the
/// status wanted (a session `running`).
pub struct Ready {
    /// The endpoint (`get_kasm`).
    pub endpoint: &'static str,
    /// Where the object's id goes in the body (a JSON pointer).
    pub id_at: &'static str,
    /// Where the answer carries the status (a JSON pointer).
    pub status_at: &'static str,
    /// The status wanted.
    pub want: &'static str,
    /// The attribute that holds the status once applied.
    pub attribute: &'static str,
    /// The longest wait, in seconds.
    pub timeout_secs: u64,
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
    /// Sent to Kasm, never recorded or shown (a password).
    pub write_only: bool,
    /// kasm-plan's own (a group's `force_destroy`): recorded when it is not
    /// its default, never sent with the other values or compared with
    /// Kasm's; a call whose body names it (a delete's `force`) takes it
    /// from the record.
    pub kept: bool,
    /// The longest text Kasm keeps.
    pub max_length: Option<u32>,
    /// For an id argument: the managed type whose `.id` it may refer to,
    /// and the key it is sent as.
    pub refers_to: Option<&'static str>,
    /// Gives another argument, an id, by the name of what it refers to (a
    /// link's `group_name` gives `group_id`): resolved before planning,
    /// shown as Kasm names it, never compared itself.
    pub names: Option<Names>,
    /// One line on what it is.
    pub description: &'static str,
}

impl Arg {
    /// An argument with no limits, default or reference.
    pub const fn new(
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
            write_only: false,
            kept: false,
            max_length: None,
            refers_to: None,
            names: None,
            description,
        }
    }

    /// The argument as the schema gives it.
    pub fn argument(&self) -> Argument {
        Argument {
            name: self.name.to_owned(),
            value_type: self.value_type.to_owned(),
            presence: self.presence,
            sensitive: self.write_only,
            unit: None,
            minimum: self.range.map(|(lo, _)| lo as f64),
            exclusive_minimum: false,
            maximum: self.range.map(|(_, hi)| hi as f64),
            integer: self.range.is_some(),
            max_length: self.max_length,
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

    /// The argument of this name.
    pub fn argument(&self, name: &str) -> Option<&'static Arg> {
        self.arguments.iter().find(|a| a.name == name)
    }

    /// Whether an argument is kasm-plan's own ([`Arg::kept`]).
    pub fn is_kept(&self, name: &str) -> bool {
        self.argument(name).is_some_and(|a| a.kept)
    }
}

/// The types typed from their table, each after the types it refers to.
pub const MANAGED: &[&Block] = &[GROUP, USER, MEMBERSHIP, SESSION];

/// The table of a managed type, for the types typed from their table.
pub fn managed(type_name: &str) -> Option<&'static Block> {
    MANAGED.iter().copied().find(|b| b.type_name == type_name)
}

/// Whether planning instances of a type, or reading a data source, reads
/// Kasm's users and sessions.
pub fn reads_users(type_name: &str) -> bool {
    resource(type_name)
        .or_else(|| {
            DATA_SOURCES
                .iter()
                .copied()
                .find(|b| b.type_name == type_name)
        })
        .is_some_and(|b| b.reads_users)
}

/// Every managed type, in the order a configuration's instances are
/// evaluated: a type may refer to the ids of the types before it.
pub const RESOURCES: &[&Block] = &[IMAGE, GROUP, LINK, USER, MEMBERSHIP, SESSION];

/// The names of the managed types, in [`RESOURCES`]' order.
pub fn type_names() -> impl Iterator<Item = &'static str> {
    RESOURCES.iter().map(|b| b.type_name)
}

/// A managed resource's or instance's address, read into its type and
/// instance: `kasm_group_image.dev["chrome"]` → `kasm_group_image`, `dev["chrome"]`.
pub fn parse_address(text: &str) -> Option<(&'static str, Instance)> {
    let (kind, rest) = text.split_once('.')?;
    let kind = resource(kind)?.type_name;
    Instance::parse(rest).map(|instance| (kind, instance))
}

/// The table of any managed type.
pub fn resource(type_name: &str) -> Option<&'static Block> {
    RESOURCES.iter().copied().find(|b| b.type_name == type_name)
}

use Presence::{Computed, Optional, Required};

/// `kasm_image` beyond the field table: kasm-plan's own argument, Kasm's computed attributes.
pub const IMAGE: &Block = &Block {
    type_name: RESOURCE_TYPE,
    list: None,
    one_of: &[],
    not_found: Code::ImageNotFound,
    rows: None,
    pair_list: None,
    id_alias: Some("image_id"),
    reads_users: false,
    on_create: None,
    calls: None,
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

/// An image's update: the whole object, read from Kasm and changed
/// (`wire::update_body`), so the same request twice has one effect. Its
/// create is the one call that is not a table's: it is marked pending and
/// recognised after a lost answer.
pub const IMAGE_UPDATE: Call = Call {
    endpoint: "update_image",
    body: &[("*", "/target_image"), ("id", "/target_image/image_id")],
    fixed: &[],
    answer_id: None,
    repeat_safe: true,
    done_when: &[],
    help: &[],
};

/// Where `create_image` and `update_image` answer with the image.
pub const IMAGE_ANSWER: &str = "/image";

/// An image's delete.
pub const IMAGE_DELETE: Call = Call {
    endpoint: "delete_image",
    body: &[("id", "/target_image/image_id")],
    fixed: &[],
    answer_id: None,
    repeat_safe: true,
    done_when: &["Does not Exist"],
    help: &[],
};

/// `kasm_group`.
pub const GROUP: &Block = &Block {
    type_name: GROUP_TYPE,
    // Read with the links (they are read per group), not with the users.
    list: Some(&List {
        name: "groups",
        endpoint: "get_groups",
        answer: "groups",
        pages: None,
        ending: None,
        shows: &["name", "priority", "description"],
        import_by: Some("name"),
    }),
    one_of: &[],
    not_found: Code::UnknownGroup,
    rows: None,
    pair_list: None,
    id_alias: Some("group_id"),
    reads_users: false,
    on_create: None,
    calls: Some(&Calls {
        // Sent once: Kasm saves the group before some failures. After a
        // lost answer the group is looked for by its name, which Kasm keeps
        // unique, so a create is never repeated.
        create: Call {
            endpoint: "create_group",
            body: &[("*", "/target_group")],
            fixed: &[],
            answer_id: Some("/group/group_id"),
            repeat_safe: false,
            done_when: &[],
            help: &[],
        },
        update: Some(Call {
            endpoint: "update_group",
            body: &[("id", "/target_group/group_id"), ("*", "/target_group")],
            fixed: &[],
            answer_id: None,
            repeat_safe: true,
            done_when: &[],
            help: &[],
        }),
        delete: Call {
            endpoint: "delete_group",
            body: &[
                ("id", "/target_group/group_id"),
                ("force_destroy", "/force"),
            ],
            fixed: &[],
            answer_id: None,
            repeat_safe: true,
            done_when: &["does not exist"],
            help: &[(
                "'force' option",
                "set `force_destroy = true` on {address} and apply before removing it, or remove the members first",
            )],
        },
        find_after_lost_create: Some(Find {
            endpoint: "get_groups",
            body: &[],
            list: Some("/groups"),
            matching: &[("name", "name")],
            answer_id: "/group_id",
            none_when: "",
        }),
        ready: None,
        id_of_pair: None,
        unmarked: true,
        search_first: false,
        until_gone: false,
    }),
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
            kept: true,
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

const LINK_BODY: &[(&str, &str)] = &[
    ("group_id", "/target_group/group_id"),
    ("image_id", "/target_image/image_id"),
];

/// `kasm_group_image`.
pub const LINK: &Block = &Block {
    type_name: LINK_TYPE,
    list: None,
    one_of: &["group_id", "group_name"],
    not_found: Code::ImageNotFound,
    rows: None,
    pair_list: Some("links"),
    id_alias: None,
    reads_users: false,
    on_create: None,
    calls: Some(&Calls {
        // Sent once, and only after a read shows no row of the pair: Kasm
        // adds a second row for a link it has.
        create: Call {
            endpoint: "add_images_group",
            body: LINK_BODY,
            fixed: &[],
            answer_id: None,
            repeat_safe: false,
            done_when: &[],
            help: &[],
        },
        update: None,
        // Each call removes one row; an image with a row left would stay
        // authorized.
        delete: Call {
            endpoint: "remove_images_group",
            body: LINK_BODY,
            fixed: &[],
            answer_id: None,
            repeat_safe: true,
            done_when: &[],
            help: &[],
        },
        find_after_lost_create: Some(Find {
            endpoint: "get_images_group",
            body: &[("group_id", "/target_group/group_id")],
            list: Some("/images"),
            matching: &[("image_id", "image_id")],
            answer_id: "/group_image_id",
            none_when: "",
        }),
        ready: None,
        id_of_pair: Some(["group_id", "image_id"]),
        unmarked: true,
        search_first: true,
        until_gone: true,
    }),
    description: "An authorization: users of the group may launch the image.",
    arguments: &[
        Arg {
            refers_to: Some(GROUP_TYPE),
            ..Arg::new(
                "group_id",
                "string",
                Optional,
                "The group's id, e.g. `kasm_group.devs.id`; give this or `group_name`.",
            )
        },
        Arg {
            names: Some(Names {
                id: "group_id",
                key: "name",
            }),
            ..Arg::new(
                "group_name",
                "string",
                Optional,
                "The group's exact name, looked up in the configuration, then on Kasm; give this or `group_id`.",
            )
        },
        Arg {
            refers_to: Some(RESOURCE_TYPE),
            ..Arg::new(
                "image_id",
                "string",
                Required,
                "The image's id, e.g. `kasm_image.web.id`.",
            )
        },
        Arg::new("id", "string", Computed, "`<group_id>:<image_id>`."),
    ],
};

/// The data sources, read when planning.
pub const DATA_SOURCES: &[&Block] = &[IMAGES_DATA, GROUPS_DATA, USERS_DATA];

/// `data "kasm_images"`.
pub const IMAGES_DATA: &Block = &Block {
    type_name: "kasm_images",
    list: None,
    one_of: &[],
    not_found: Code::InvalidState,
    rows: None,
    pair_list: None,
    id_alias: None,
    reads_users: false,
    on_create: None,
    calls: None,
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
    list: None,
    one_of: &[],
    not_found: Code::InvalidState,
    rows: None,
    pair_list: None,
    id_alias: None,
    reads_users: false,
    on_create: None,
    calls: None,
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

/// `data "kasm_users"`.
pub const USERS_DATA: &Block = &Block {
    type_name: "kasm_users",
    list: None,
    one_of: &[],
    not_found: Code::InvalidState,
    rows: None,
    pair_list: None,
    id_alias: None,
    reads_users: true,
    on_create: None,
    calls: None,
    description: "The users on Kasm, filtered.",
    arguments: &[
        Arg::new(
            "username",
            "string",
            Optional,
            "A username, or a glob on usernames (`dev-*`).",
        ),
        Arg::new(
            "users",
            "list(object)",
            Computed,
            "The users: id, username, first_name, last_name, organization, phone, locked, disabled, groups (each with group_id and name).",
        ),
    ],
};

/// `kasm_user`.
pub const USER: &Block = &Block {
    type_name: USER_TYPE,
    list: Some(&List {
        name: "users",
        endpoint: "get_users",
        answer: "users",
        pages: Some(Pages {
            size: 500,
            sort_by: "username",
        }),
        ending: None,
        shows: &[
            "username",
            "first_name",
            "last_name",
            "organization",
            "phone",
            "notes",
            "locked",
            "disabled",
        ],
        import_by: Some("username"),
    }),
    one_of: &[],
    not_found: Code::InvalidState,
    rows: None,
    pair_list: None,
    id_alias: Some("user_id"),
    reads_users: true,
    on_create: Some("Kasm also puts the new user in group \"All Users\""),
    calls: Some(&Calls {
        create: Call {
            endpoint: "create_user",
            body: &[("*", "/target_user")],
            fixed: &[],
            answer_id: Some("/user/user_id"),
            repeat_safe: false,
            done_when: &[],
            help: &[],
        },
        update: Some(Call {
            endpoint: "update_user",
            // Kasm's update_user wants the username every time.
            body: &[
                ("username", "/target_user/username"),
                ("*", "/target_user"),
                ("id", "/target_user/user_id"),
            ],
            fixed: &[],
            answer_id: None,
            repeat_safe: true,
            done_when: &[],
            help: &[],
        }),
        // `force`: a user with sessions is deleted with them, as destroy means.
        delete: Call {
            endpoint: "delete_user",
            body: &[("id", "/target_user/user_id")],
            fixed: &[("/force", Lit::Bool(true))],
            answer_id: None,
            repeat_safe: true,
            done_when: &["Unknown user"],
            help: &[],
        },
        find_after_lost_create: Some(Find {
            endpoint: "get_user",
            body: &[("username", "/target_user/username")],
            list: None,
            matching: &[],
            answer_id: "/user/user_id",
            none_when: "Invalid Request",
        }),
        ready: None,
        id_of_pair: None,
        unmarked: false,
        search_first: false,
        until_gone: false,
    }),
    description: "A Kasm user. Kasm puts every new user in All Users; its other groups are its `groups` list or `kasm_group_membership`s.",
    arguments: &[
        Arg {
            max_length: Some(255),
            ..Arg::new(
                "username",
                "string",
                Required,
                "The user's unique name, in lower case (Kasm stores names lower-cased).",
            )
        },
        Arg {
            write_only: true,
            ..Arg::new(
                "password",
                "string",
                Optional,
                "Write-only: sent to Kasm, never shown or stored (the state keeps a salted fingerprint). A change is checked against Kasm's password rules when planning.",
            )
        },
        Arg {
            max_length: Some(64),
            ..Arg::new("first_name", "string", Optional, "Managed only when set.")
        },
        Arg {
            max_length: Some(64),
            ..Arg::new("last_name", "string", Optional, "Managed only when set.")
        },
        Arg {
            max_length: Some(64),
            ..Arg::new("organization", "string", Optional, "Managed only when set.")
        },
        Arg {
            max_length: Some(64),
            ..Arg::new("phone", "string", Optional, "Managed only when set.")
        },
        Arg::new("notes", "string", Optional, "Managed only when set."),
        Arg::new(
            "locked",
            "bool",
            Optional,
            "Locked out of logins; managed only when set.",
        ),
        Arg::new(
            "disabled",
            "bool",
            Optional,
            "Disabled; managed only when set.",
        ),
        Arg::new(
            "groups",
            "list(string)",
            Optional,
            "When set, all the user's groups by name: it joins those listed and leaves the others, but never All Users (Kasm's). `groups = []` with `ignore_changes = [groups]` leaves memberships to `kasm_group_membership`.",
        ),
        Arg::new(
            "id",
            "string",
            Computed,
            "Kasm's user id (32 hex characters).",
        ),
        Arg::new("user_id", "string", Computed, "The same as `id`."),
        Arg::new(
            "authorized_images",
            "list(string)",
            Computed,
            "The ids of the enabled images the user's groups may launch once the plan is applied, sorted; shown in the plan of a user it creates or updates.",
        ),
    ],
};

const MEMBERSHIP_BODY: &[(&str, &str)] = &[
    ("group_id", "/target_group/group_id"),
    ("user_id", "/target_user/user_id"),
];

/// `kasm_group_membership`.
pub const MEMBERSHIP: &Block = &Block {
    type_name: MEMBERSHIP_TYPE,
    list: None,
    one_of: &[],
    not_found: Code::InvalidState,
    pair_list: None,
    rows: Some(Rows {
        of: USER,
        parent: "user_id",
        field: "groups",
        key: "group_id",
    }),
    id_alias: None,
    reads_users: true,
    on_create: None,
    calls: Some(&Calls {
        create: Call {
            endpoint: "add_user_group",
            body: MEMBERSHIP_BODY,
            fixed: &[],
            answer_id: None,
            repeat_safe: false,
            done_when: &["is already a member of group"],
            help: &[],
        },
        update: None,
        delete: Call {
            endpoint: "remove_user_group",
            body: MEMBERSHIP_BODY,
            fixed: &[],
            answer_id: None,
            repeat_safe: false,
            // Its user or group deleted: the membership went with it.
            done_when: &[
                "is not a member of group",
                "Invalid User ID",
                "Invalid Group ID",
            ],
            help: &[],
        },
        find_after_lost_create: None,
        ready: None,
        id_of_pair: Some(["group_id", "user_id"]),
        unmarked: false,
        search_first: false,
        until_gone: false,
    }),
    description: "A membership: the user is in the group, and may launch the group's images.",
    arguments: &[
        Arg {
            refers_to: Some(GROUP_TYPE),
            ..Arg::new(
                "group_id",
                "string",
                Required,
                "The group's id, e.g. `kasm_group.devs.id`.",
            )
        },
        Arg {
            refers_to: Some(USER_TYPE),
            ..Arg::new(
                "user_id",
                "string",
                Required,
                "The user's id, e.g. `kasm_user.alice.id`.",
            )
        },
        Arg::new("id", "string", Computed, "`<group_id>:<user_id>`."),
    ],
};

/// `kasm_session`.
pub const SESSION: &Block = &Block {
    type_name: SESSION_TYPE,
    list: Some(&List {
        name: "sessions",
        endpoint: "get_kasms",
        answer: "kasms",
        pages: None,
        ending: Some((
            "operational_status",
            &[
                "delete_pending",
                "admin_delete_pending",
                "user_delete_pending",
                "destroying",
                "deleting",
            ],
        )),
        shows: &[],
        import_by: None,
    }),
    one_of: &[],
    not_found: Code::InvalidState,
    rows: None,
    pair_list: None,
    id_alias: Some("kasm_id"),
    reads_users: true,
    on_create: None,
    calls: Some(&Calls {
        // Never repeated blindly: every call that passes Kasm's checks
        // launches another session.
        create: Call {
            endpoint: "request_kasm",
            body: &[
                ("user_id", "/user_id"),
                ("image_id", "/image_id"),
                ("*", ""),
            ],
            fixed: &[],
            answer_id: Some("/kasm_id"),
            repeat_safe: false,
            done_when: &[],
            help: &[],
        },
        update: None,
        delete: Call {
            endpoint: "destroy_kasm",
            body: &[("id", "/kasm_id"), ("user_id", "/user_id")],
            fixed: &[],
            answer_id: None,
            repeat_safe: true,
            done_when: &["Invalid kasm_id"],
            help: &[],
        },
        find_after_lost_create: Some(Find {
            endpoint: "get_user_kasms",
            body: &[("user_id", "/user_id")],
            list: Some("/kasms"),
            matching: &[("image_id", "image_id")],
            answer_id: "/kasm_id",
            none_when: "Invalid user_id",
        }),
        ready: Some(Ready {
            endpoint: "get_kasm",
            id_at: "/target_kasm/kasm_id",
            status_at: "/kasm/operational_status",
            want: "running",
            attribute: "operational_status",
            timeout_secs: 600,
        }),
        id_of_pair: None,
        unmarked: false,
        search_first: false,
        until_gone: false,
    }),
    description: "A session: the user's container desktop of the image. Kasm starts it only when one of the user's groups may launch the image; the plan checks that first.",
    arguments: &[
        Arg {
            refers_to: Some(USER_TYPE),
            ..Arg::new(
                "user_id",
                "string",
                Required,
                "The user's id, e.g. `kasm_user.alice.id`; a change replaces the session.",
            )
        },
        Arg {
            refers_to: Some(RESOURCE_TYPE),
            ..Arg::new(
                "image_id",
                "string",
                Required,
                "The image's id, e.g. `kasm_image.web.id` or a data source's; a change replaces the session.",
            )
        },
        Arg::new(
            "enable_sharing",
            "bool",
            Optional,
            "Ask Kasm for a share id (where the user's groups allow sharing); a change replaces the session.",
        ),
        Arg::new(
            "environment",
            "map(string)",
            Optional,
            "Environment variables for the session's container; a change replaces the session.",
        ),
        Arg::new("id", "string", Computed, "Kasm's session id (`kasm_id`)."),
        Arg::new(
            "kasm_id",
            "string",
            Computed,
            "The same as `id` (32 hex characters).",
        ),
        Arg::new(
            "operational_status",
            "string",
            Computed,
            "`running` once applied (the apply waits for it).",
        ),
    ],
};

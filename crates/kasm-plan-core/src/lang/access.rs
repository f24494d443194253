//! Data sources, the values resources offer to references, and
//! `kasm_group` / `kasm_group_image` instances typed into specs.

use super::config::{Data, DataKind, Resource};
use super::eval::{Failure, Scope, evaluate};
use super::resources::{Context, problem};
use super::value::Value;
use crate::address::InstanceKey;
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::filter::{ImageFilter, filter_groups, filter_images, names_matching};
use crate::group::Target;
use crate::group::{Group, User};
use crate::lang::raw::{RawAttribute, RawResource, RawValue};
use crate::model::{Image, canonical_id, canonical_uuid};
use crate::names::did_you_mean;
use crate::schema::tables;
use std::collections::BTreeMap;

/// What is known when evaluating: what was read from Kasm for the data
/// sources (`None` when nothing was, as in validate: data values are then
/// known only after reading), and whether variables without a value are
/// unknown too (validate, as `terraform validate`) or each an error (plans).
#[derive(Clone, Copy, Debug, Default)]
pub struct Reads<'a> {
    /// `get_images`.
    pub images: Option<&'a [Image]>,
    /// `get_groups`.
    pub groups: Option<&'a [Group]>,
    /// `get_users`, each with its groups.
    pub users: Option<&'a [User]>,
    /// A variable without a value is unknown: what uses it is checked by
    /// type only, and no `missing_variable` is reported.
    pub unset_variables_unknown: bool,
}

/// Each data block's value by address (`data.kasm_images.all`).
pub fn data_values(
    blocks: &[Data],
    cx: &Context,
    reads: Reads,
    out: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Value> {
    let scope = Scope {
        vars: Some(cx.vars),
        locals: None,
        workspace: cx.workspace,
        ..Scope::default()
    };
    blocks
        .iter()
        .map(|b| (b.address(), data_value(b, &scope, reads, out)))
        .collect()
}

fn data_value(block: &Data, scope: &Scope, reads: Reads, out: &mut Vec<Diagnostic>) -> Value {
    let address = block.address();
    let table = match block.kind {
        DataKind::Images => tables::IMAGES_DATA,
        DataKind::Groups => tables::GROUPS_DATA,
        DataKind::Users => tables::USERS_DATA,
    };
    let allowed: Vec<&str> = table.settable().collect();
    let mut args: BTreeMap<&str, Value> = BTreeMap::new();
    for attr in &block.attributes {
        if !allowed.contains(&&*attr.name) {
            let help = did_you_mean(&attr.name, allowed.iter().copied()).map_or_else(
                || format!("{} takes {}", block.kind.type_name(), allowed.join(" and ")),
                |s| format!("did you mean `{s}`?"),
            );
            out.push(
                block.declared.place(
                    Diagnostic::error(
                        Code::UnknownAttribute,
                        format!(
                            "`{}` is not an argument of {}",
                            attr.name,
                            block.kind.type_name()
                        ),
                    )
                    .at(&address, &attr.name)
                    .help(help)
                    .located(attr.at),
                ),
            );
            continue;
        }
        match evaluate(&attr.expr, scope) {
            Ok(e) => {
                args.insert(&*attr.name, e.value);
            }
            Err(Failure::Problem(p)) => {
                out.push(problem(&p, &address, &attr.name, &block.declared));
            }
            Err(Failure::Reported) => {}
        }
    }
    let text = |k: &str| match args.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    // Kasm lists images, groups and users in no defined order (1.15 has no
    // `order_by`): data sources sort them, by name then id, so that
    // `images[0]` names the same image from one run to the next.
    let listed = match block.kind {
        DataKind::Images => reads.images.map(|images| {
            let filter = ImageFilter {
                name: text("name"),
                enabled: match args.get("enabled") {
                    Some(Value::Bool(b)) => Some(*b),
                    _ => None,
                },
            };
            filter_images(images, &filter).map(|mut found| {
                found.sort_by_key(|i| (i.name.clone(), canonical_id(&i.image_id).into_owned()));
                (
                    "images",
                    found.into_iter().map(image_value).collect::<Vec<_>>(),
                )
            })
        }),
        DataKind::Groups => reads.groups.map(|groups| {
            filter_groups(groups, text("name").as_deref()).map(|mut found| {
                found.sort_by_key(|g| (g.name.clone(), canonical_id(&g.group_id).into_owned()));
                (
                    "groups",
                    found.into_iter().map(group_value).collect::<Vec<_>>(),
                )
            })
        }),
        DataKind::Users => reads.users.map(|users| {
            let pattern = text("username");
            let matches = names_matching(pattern.as_deref())?;
            let mut found: Vec<&User> = users.iter().filter(|u| matches(&u.username)).collect();
            found.sort_by(|a, b| a.username.cmp(&b.username));
            Ok((
                "users",
                found.into_iter().map(user_value).collect::<Vec<_>>(),
            ))
        }),
    };
    match listed {
        None => Value::UNKNOWN,
        Some(Ok((key, items))) => Value::Map(BTreeMap::from([
            ("id".to_owned(), Value::String(block.name.clone())),
            (key.to_owned(), Value::List(items)),
        ])),
        Some(Err(d)) => {
            let argument = if block.kind == DataKind::Users {
                "username"
            } else {
                "name"
            };
            out.push(block.declared.place(d.at(&address, argument)));
            Value::UNKNOWN
        }
    }
}

fn text(s: &Option<String>) -> Value {
    s.clone().map_or(Value::Null, Value::String)
}

/// One image as the `kasm_images` data source lists it (memory in bytes).
fn image_value(i: &Image) -> Value {
    Value::Map(BTreeMap::from([
        ("id".into(), Value::String(i.image_id.clone())),
        ("image_id".into(), Value::String(i.image_id.clone())),
        ("name".into(), text(&i.name)),
        ("friendly_name".into(), text(&i.friendly_name)),
        ("description".into(), text(&i.description)),
        ("image_src".into(), text(&i.image_src)),
        ("memory".into(), Value::Number(i.memory as f64)),
        ("cores".into(), Value::Number(i.cores)),
        (
            "cpu_allocation_method".into(),
            Value::String(i.cpu_allocation_method.clone()),
        ),
        ("enabled".into(), Value::Bool(i.enabled)),
        ("available".into(), Value::Bool(i.available)),
    ]))
}

/// One user as the `kasm_users` data source lists it.
fn user_value(u: &User) -> Value {
    let groups = u
        .groups
        .iter()
        .map(|g| {
            Value::Map(BTreeMap::from([
                ("group_id".into(), Value::String(g.group_id.clone())),
                ("name".into(), Value::String(g.name.clone())),
            ]))
        })
        .collect();
    Value::Map(BTreeMap::from([
        ("id".into(), Value::String(u.user_id.clone())),
        ("user_id".into(), Value::String(u.user_id.clone())),
        ("username".into(), Value::String(u.username.clone())),
        ("first_name".into(), text(&u.first_name)),
        ("last_name".into(), text(&u.last_name)),
        ("organization".into(), text(&u.organization)),
        ("phone".into(), text(&u.phone)),
        ("locked".into(), Value::Bool(u.locked)),
        ("disabled".into(), Value::Bool(u.disabled)),
        ("groups".into(), Value::List(groups)),
    ]))
}

fn group_value(g: &Group) -> Value {
    Value::Map(BTreeMap::from([
        ("id".into(), Value::String(g.group_id.clone())),
        ("group_id".into(), Value::String(g.group_id.clone())),
        ("name".into(), Value::String(g.name.clone())),
        ("description".into(), text(&g.description)),
        ("priority".into(), Value::Number(g.priority as f64)),
        ("is_system".into(), Value::Bool(g.is_system)),
    ]))
}

/// A resource's value for references: one object, a list (`count`) or a map
/// (`for_each`) of its instances' objects. Ids are unknown, carrying the
/// instance's address; other attributes are as configured.
pub fn resource_value(resource: &Resource, instances: &[RawResource]) -> Value {
    let object = |r: &RawResource| {
        let address = resource.instance_address(r.key.as_ref());
        let mut map: BTreeMap<String, Value> = r
            .attributes
            .iter()
            .filter_map(|a| match &a.value {
                RawValue::Static(v) => Some((a.key.to_string(), Value::from_json(v))),
                RawValue::Object(o) => Some((a.key.to_string(), Value::from_json(&o.value()))),
                _ => None,
            })
            .collect();
        let id = Value::Unknown(Some(address));
        if let Some(alias) = resource.kind.table().id_alias {
            map.insert(alias.into(), id.clone());
        }
        map.insert("id".into(), id);
        // Kasm's other computed attributes are known after apply too (an
        // unknown that is not the id: nothing fills it in from the state).
        let computed = resource
            .kind
            .table()
            .arguments
            .iter()
            .filter(|a| a.presence == crate::schema::Presence::Computed);
        for arg in computed {
            map.entry(arg.name.to_owned()).or_insert(Value::UNKNOWN);
        }
        Value::Map(map)
    };
    if resource.for_each.is_some() {
        Value::Map(
            instances
                .iter()
                .filter_map(|r| match &r.key {
                    Some(InstanceKey::Key(k)) => Some((k.clone(), object(r))),
                    _ => None,
                })
                .collect(),
        )
    } else if resource.count.is_some() {
        Value::List(instances.iter().map(object).collect())
    } else {
        instances.first().map_or(Value::Null, object)
    }
}

/// Takes `exclusive_group_links` out of an image's attributes (it is not an
/// image field): whether the image's declared links are all its groups.
pub fn take_exclusive(r: &mut RawResource, address: &str, out: &mut Vec<Diagnostic>) -> bool {
    const KEY: &str = "exclusive_group_links";
    let Some(at) = r.attributes.iter().position(|a| a.key == KEY) else {
        return false;
    };
    let attr = r.attributes.remove(at);
    match attr.value {
        RawValue::Static(serde_json::Value::Bool(b)) => b,
        RawValue::Static(serde_json::Value::Null) | RawValue::Reported => false,
        other => {
            let found = match other {
                RawValue::Static(v) => v.to_string(),
                RawValue::Object(o) => o.as_str().to_owned(),
                _ => "a value known only after apply".into(),
            };
            let mut d = Diagnostic::error(Code::WrongType, format!("`{KEY}` must be true or false, not {found}"))
                .at(address, KEY)
                .help("write `exclusive_group_links = true` to make the image's kasm_group_image links its only groups")
                .located(attr.location);
            d.file = r.file.as_deref().map(str::to_owned);
            out.push(d);
            false
        }
    }
}

/// An instance's attributes, read one by one; every problem reported.
pub(super) struct Attrs<'a> {
    r: &'a RawResource,
    address: &'a str,
    out: &'a mut Vec<Diagnostic>,
    failed: bool,
}

impl<'a> Attrs<'a> {
    pub(super) fn new(
        r: &'a RawResource,
        address: &'a str,
        allowed: &[&str],
        out: &'a mut Vec<Diagnostic>,
    ) -> Self {
        let mut a = Attrs {
            r,
            address,
            out,
            failed: false,
        };
        let mut seen = Vec::new();
        for attr in &r.attributes {
            if seen.contains(&&*attr.key) {
                a.error(
                    attr,
                    Code::DuplicateAttribute,
                    format!("`{}` is set more than once", attr.key),
                    "keep one definition".into(),
                );
            } else if !allowed.contains(&&*attr.key) {
                let computed = matches!(
                    &*attr.key,
                    "id" | "group_image_id"
                        | "image_name"
                        | "group_name"
                        | "image_friendly_name"
                        | "image_src"
                        | "group_id"
                        | "is_system"
                ) && !allowed.contains(&&*attr.key);
                let help = if computed {
                    "Kasm computes it; remove it".to_owned()
                } else {
                    did_you_mean(&attr.key, allowed.iter().copied()).map_or_else(
                        || format!("arguments are {}", allowed.join(", ")),
                        |s| format!("did you mean `{s}`?"),
                    )
                };
                a.error(
                    attr,
                    Code::UnknownAttribute,
                    format!(
                        "`{}` is not an argument of {}",
                        attr.key,
                        address.split('.').next().unwrap_or(address)
                    ),
                    help,
                );
            }
            seen.push(&*attr.key);
        }
        a
    }

    /// Reports a problem at this attribute (a repeated key has several).
    pub(super) fn error(&mut self, attr: &RawAttribute, code: Code, message: String, help: String) {
        self.report(&attr.key, attr.location, code, message, &help);
    }

    /// Reports a problem at an attribute, or at the block when it is not set.
    pub(super) fn fail(&mut self, key: &str, code: Code, message: String, help: &str) {
        let at = self.get(key).and_then(|a| a.location);
        self.report(key, at, code, message, help);
    }

    fn report(&mut self, key: &str, at: Option<Location>, code: Code, message: String, help: &str) {
        let mut d = Diagnostic::error(code, message)
            .at(self.address, key)
            .help(help)
            .located(at.or(self.r.location));
        d.file = self.r.file.as_deref().map(str::to_owned);
        self.out.push(d);
        self.failed = true;
    }

    /// A required attribute that is not set.
    fn missing(&mut self, key: &str) {
        self.fail(
            key,
            Code::MissingRequired,
            format!("`{key}` is required"),
            &format!("add `{key} = ...`"),
        );
    }

    pub(super) fn get(&self, key: &str) -> Option<&'a RawAttribute> {
        self.r.attributes.iter().find(|a| a.key == key)
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub(super) fn has_value(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|a| !matches!(a.value, RawValue::Static(serde_json::Value::Null)))
    }

    /// The value when static; reports why not otherwise.
    pub(super) fn value(&mut self, key: &str) -> Option<&'a serde_json::Value> {
        let attr = self.get(key)?;
        match &attr.value {
            RawValue::Static(serde_json::Value::Null) => None,
            RawValue::Static(v) => Some(v),
            // Not read here: Managed::add gives table types objects as values.
            RawValue::Object(_) => None,
            RawValue::Reported => {
                self.failed = true;
                None
            }
            RawValue::Pending(_) | RawValue::NotStatic(_) | RawValue::Invalid(_) => {
                self.error(
                    attr,
                    Code::NotStatic,
                    format!("`{key}` must be known when planning"),
                    "use literals, variables, locals and data sources".into(),
                );
                None
            }
        }
    }

    pub(super) fn string(&mut self, key: &str, required: bool) -> Option<String> {
        let Some(v) = self.value(key) else {
            if required && !self.has(key) {
                self.missing(key);
            }
            return None;
        };
        let attr = self.get(key)?;
        match v {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            serde_json::Value::String(_) => {
                self.error(
                    attr,
                    Code::EmptyValue,
                    format!("`{key}` is empty"),
                    "give a value, or remove the argument".into(),
                );
                None
            }
            other => {
                self.error(
                    attr,
                    Code::WrongType,
                    format!("`{key}` must be a string, not {other}"),
                    "write it in quotes".into(),
                );
                None
            }
        }
    }

    pub(super) fn integer(&mut self, key: &str) -> Option<i64> {
        let Some(v) = self.value(key) else {
            if !self.has(key) {
                self.missing(key);
            }
            return None;
        };
        let attr = self.get(key)?;
        match v
            .as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        {
            Some(n) => Some(n),
            None => {
                self.error(
                    attr,
                    Code::WrongType,
                    format!("`{key}` must be a whole number, not {v}"),
                    "write a number such as 100".into(),
                );
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, key: &str) -> Option<bool> {
        let v = self.value(key)?;
        let attr = self.get(key)?;
        match v
            .as_bool()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        {
            Some(b) => Some(b),
            None => {
                self.error(
                    attr,
                    Code::WrongType,
                    format!("`{key}` must be true or false, not {v}"),
                    "write true or false".into(),
                );
                None
            }
        }
    }

    /// An id, or a reference to a managed resource of `kind`.
    pub(super) fn target(&mut self, key: &str, want: &str, unread: bool) -> Option<Target> {
        let attr = self.get(key)?;
        match &attr.value {
            RawValue::Pending(address) if address.starts_with(&format!("{want}.")) => {
                Some(Target::Managed(address.clone()))
            }
            RawValue::Pending(address) => {
                self.error(
                    attr,
                    Code::WrongType,
                    format!("`{key}` takes a {want}'s id, not {address}'s"),
                    format!("refer to `{want}.<name>.id`"),
                );
                None
            }
            RawValue::NotStatic(_) if unread => None,
            RawValue::NotStatic(_) => {
                self.error(
                    attr,
                    Code::NotStatic,
                    format!("`{key}` is known only after apply, but not as one resource's id"),
                    format!("use `{want}.<name>.id` directly, an id, or a data source"),
                );
                None
            }
            _ => {
                let v = self.value(key)?;
                match v.as_str().map(|s| (s, canonical_uuid(s))) {
                    Some((_, Some(id))) => Some(Target::Id(id)),
                    Some((s, None)) => {
                        self.error(attr, Code::InvalidUuid, format!("`{key}` = \"{s}\" is not a Kasm id (32 hex digits)"), format!("use `{want}.<name>.id`, a data source, or an id from `kasm-plan groups`/`kasm-plan images`"));
                        None
                    }
                    None => {
                        self.error(
                            attr,
                            Code::WrongType,
                            format!("`{key}` must be a string id, not {v}"),
                            "write the id in quotes".into(),
                        );
                        None
                    }
                }
            }
        }
    }

    pub(super) fn finish(self) -> Option<()> {
        (!self.failed).then_some(())
    }
}

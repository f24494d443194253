//! What Kasm shows of the table-typed instances, read by each type's table:
//! the items of its list (`List::shows` says which arguments they show, and
//! `List::import_by` how else an import may name one), or the rows of a
//! pair in another type's items (`Rows`). The object planner
//! ([`super::objects`]) compares the state with it, and an import binds what
//! it finds. Below: Kasm's lists as the state would have them, for a plan
//! made without Kasm.

use super::objects::records;
use super::{MEMBERSHIP_TYPE, USER_TYPE};
use crate::group::{Access, User, same_id};
use crate::model::canonical_id;
use crate::object::ObjectRecord;
use crate::schema::tables::{Block, List, Rows};
use crate::state::State;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A recorded instance as Kasm shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Seen {
    /// Kasm has it: its attributes as Kasm lists them.
    Listed(Map<String, Value>),
    /// Kasm no longer has it.
    Gone,
    /// Kasm's list of this type was not read.
    Unread,
}

impl Seen {
    /// The attributes, when Kasm has the instance.
    pub fn listed(self) -> Option<Map<String, Value>> {
        match self {
            Seen::Listed(attributes) => Some(attributes),
            Seen::Gone | Seen::Unread => None,
        }
    }
}

/// Kasm's instances of one type, read once for the plan of every record of
/// it: each listed item by its id, or a pair type's rows in the items of
/// the type that holds them (a membership in its user's `groups`).
pub struct View {
    table: &'static Block,
    shown: Shown,
}

enum Shown {
    /// Each item Kasm lists and is not taking down, by its id (canonical).
    Items(BTreeMap<String, Map<String, Value>>),
    /// A pair's rows: the view of the items that hold them, and each pair
    /// that has a row, by the ids of its parent and its other side.
    Rows {
        rows: &'static Rows,
        parent: Box<View>,
        pairs: BTreeSet<(String, String)>,
    },
    /// A pair's rows in a list of its own: each pair that has a row, by
    /// its two sides' ids, and the names of what a naming argument's id
    /// refers to (a link's group), by argument and id.
    Pairs {
        pairs: BTreeSet<(String, String)>,
        names: Vec<Named>,
    },
    /// Kasm's list was not read.
    Unread,
}

impl View {
    /// What Kasm lists of the type.
    pub fn of(table: &'static Block, access: &Access) -> View {
        let shown = match (table.list, &table.rows) {
            (Some(list), _) => match access.items(list.name) {
                Some(items) => Shown::Items(by_id(table, list, items)),
                None => Shown::Unread,
            },
            (None, Some(rows)) => {
                let parent = View::of(rows.of, access);
                match &parent.shown {
                    Shown::Items(items) => Shown::Rows {
                        rows,
                        pairs: pairs(rows, items),
                        parent: Box::new(parent),
                    },
                    _ => Shown::Unread,
                }
            }
            (None, None) => match table.pair_list.and_then(|l| access.items(l)) {
                Some(rows) => Shown::Pairs {
                    pairs: listed_pairs(table, &rows),
                    names: names(table, access),
                },
                None => Shown::Unread,
            },
        };
        View { table, shown }
    }

    /// How Kasm shows a recorded instance: an item with the attributes it
    /// shows (as recorded when it shows none), a pair while a row is there.
    pub fn seen(&self, record: &ObjectRecord) -> Seen {
        match &self.shown {
            Shown::Items(items) => match items.get(canonical_id(&record.id).as_ref()) {
                Some(item) => Seen::Listed(self.attributes(item, record)),
                None => Seen::Gone,
            },
            Shown::Rows { rows, pairs, .. } => {
                let (Some(parent), Some(key)) = (record.text(rows.parent), record.text(rows.key))
                else {
                    return Seen::Gone;
                };
                if pairs.contains(&(
                    canonical_id(parent).into_owned(),
                    canonical_id(key).into_owned(),
                )) {
                    Seen::Listed(record.attributes.to_map())
                } else {
                    Seen::Gone
                }
            }
            Shown::Pairs { pairs, names } => {
                let sides = self.pair().map(|[a, b]| (record.text(a), record.text(b)));
                let Some((Some(a), Some(b))) = sides else {
                    return Seen::Gone;
                };
                let pair = (canonical_id(a).into_owned(), canonical_id(b).into_owned());
                if !pairs.contains(&pair) {
                    return Seen::Gone;
                }
                let mut attributes = record.attributes.to_map();
                attributes.insert("id".into(), record.id.clone().into());
                put_names(names, &mut attributes);
                Seen::Listed(attributes)
            }
            Shown::Unread => Seen::Unread,
        }
    }

    /// Puts into a record's attributes the name Kasm gives what each of
    /// its ids refers to (a link's `group_name`), where Kasm lists it.
    pub fn put_names(&self, attributes: &mut Map<String, Value>) {
        if let Shown::Pairs { names, .. } = &self.shown {
            put_names(names, attributes);
        }
    }

    /// The attributes a plan compares: the id and those Kasm shows; the
    /// record's when Kasm shows none.
    fn attributes(&self, item: &Map<String, Value>, record: &ObjectRecord) -> Map<String, Value> {
        let shows = self.table.list.map_or(&[][..], |l| l.shows);
        if shows.is_empty() {
            return record.attributes.to_map();
        }
        let mut out = self.identity(item);
        for name in shows {
            out.insert((*name).to_owned(), self.value(item, name));
        }
        out
    }

    /// The id, under `id` and the table's alias for it.
    fn identity(&self, item: &Map<String, Value>) -> Map<String, Value> {
        let id = self.id_of(item).unwrap_or_default();
        let mut out = Map::from_iter([("id".to_owned(), id.clone().into())]);
        if let Some(alias) = self.table.id_alias {
            out.insert(alias.to_owned(), id.into());
        }
        out
    }

    /// An item's value of an argument, an id in its canonical form.
    fn value(&self, item: &Map<String, Value>, name: &str) -> Value {
        let refers = self
            .table
            .argument(name)
            .is_some_and(|a| a.refers_to.is_some());
        match item.get(name) {
            Some(Value::String(id)) if refers => canonical_id(id).into_owned().into(),
            Some(value) => value.clone(),
            None => Value::Null,
        }
    }

    /// An item's id in its canonical form.
    fn id_of(&self, item: &Map<String, Value>) -> Option<String> {
        let key = self.table.id_alias?;
        item.get(key)
            .and_then(Value::as_str)
            .map(|id| canonical_id(id).into_owned())
    }

    /// The item an import names: by its id, or by the list's other key
    /// (`username:<name>`).
    fn named(&self, text: &str) -> Option<&Map<String, Value>> {
        let Shown::Items(items) = &self.shown else {
            return None;
        };
        let by = self.table.list.and_then(|l| l.import_by);
        match by.and_then(|key| Some((key, text.strip_prefix(key)?.strip_prefix(':')?))) {
            Some((key, value)) => items.values().find(|item| {
                item.get(key)
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.to_lowercase() == value.to_lowercase())
            }),
            None => items.get(canonical_id(text).as_ref()),
        }
    }

    /// The record an import of `id` binds, as an apply would have written
    /// it: the id, what Kasm shows, the instances it refers to and its
    /// readiness status (a user's password unknown: the next plan sets it
    /// once when the configuration gives one). A refusal: what Kasm lacks,
    /// and what to give.
    pub fn imported(&self, id: &str) -> Result<ObjectRecord, (String, String)> {
        let lacks = || {
            (
                format!("Kasm has no {} `{id}`", noun(self.table)),
                self.import_forms(),
            )
        };
        match &self.shown {
            Shown::Items(_) => {
                let item = self.named(id).ok_or_else(lacks)?;
                Ok(self.record_of(item))
            }
            Shown::Rows {
                rows,
                parent,
                pairs,
            } => {
                // `<first>:<second>` in the pair's order; the parent side may
                // be named as its list allows (`username:<name>`).
                let [first, second] = self.pair().ok_or_else(lacks)?;
                let (a, b) = id.split_once(':').ok_or_else(lacks)?;
                let (key, named) = if first == rows.key { (a, b) } else { (b, a) };
                let parent_id = parent.named(named).and_then(|item| parent.id_of(item));
                let pair = (parent_id.ok_or_else(lacks)?, canonical_id(key).into_owned());
                if !pairs.contains(&pair) {
                    return Err(lacks());
                }
                let (parent_id, key) = pair;
                let side = |name: &str| if name == rows.key { &key } else { &parent_id };
                Ok(ObjectRecord {
                    id: format!("{}:{}", side(first), side(second)),
                    attributes: Map::from_iter([
                        (rows.parent.to_owned(), parent_id.clone().into()),
                        (rows.key.to_owned(), key.clone().into()),
                    ])
                    .into(),
                    prevent_destroy: false,
                })
            }
            // `<first>:<second>`, a pair Kasm lists (a link's row).
            Shown::Pairs { pairs, .. } => {
                let [first, second] = self.pair().ok_or_else(lacks)?;
                let (a, b) = id.split_once(':').ok_or_else(lacks)?;
                let pair = (canonical_id(a).into_owned(), canonical_id(b).into_owned());
                if !pairs.contains(&pair) {
                    return Err(lacks());
                }
                let (a, b) = pair;
                Ok(ObjectRecord {
                    id: format!("{a}:{b}"),
                    attributes: Map::from_iter([
                        (first.to_owned(), a.into()),
                        (second.to_owned(), b.into()),
                    ])
                    .into(),
                    prevent_destroy: false,
                })
            }
            Shown::Unread => Err(lacks()),
        }
    }

    /// The record of a listed item, as an apply would have written it: the
    /// id, what Kasm shows, the instances it refers to and its readiness
    /// status.
    fn record_of(&self, item: &Map<String, Value>) -> ObjectRecord {
        let mut attributes = self.identity(item);
        let ready = self
            .table
            .calls
            .and_then(|c| c.ready.as_ref())
            .map(|r| r.attribute);
        let shows = self.table.list.map_or(&[][..], |l| l.shows);
        for arg in self.table.arguments {
            let read =
                shows.contains(&arg.name) || arg.refers_to.is_some() || ready == Some(arg.name);
            let value = self.value(item, arg.name);
            if read && !value.is_null() {
                attributes.insert(arg.name.to_owned(), value);
            }
        }
        ObjectRecord {
            id: self.id_of(item).unwrap_or_default(),
            attributes: attributes.into(),
            prevent_destroy: false,
        }
    }

    /// The record of an item Kasm lists that no record holds and that
    /// shows every value `values` sets as they are: what a create of them
    /// made in a run stopped before recording it.
    pub fn unowned_equal(
        &self,
        values: &Map<String, Value>,
        owned: &BTreeSet<String>,
    ) -> Option<ObjectRecord> {
        let Shown::Items(items) = &self.shown else {
            return None;
        };
        let shows = self.table.list.map_or(&[][..], |l| l.shows);
        let equal = |item: &Map<String, Value>| {
            shows
                .iter()
                .all(|k| values.get(*k).is_none_or(|v| self.value(item, k) == *v))
        };
        items
            .iter()
            .find(|(id, item)| !owned.contains(*id) && equal(item))
            .map(|(_, item)| self.record_of(item))
    }

    /// The two arguments a pair's id joins, in order.
    fn pair(&self) -> Option<[&'static str; 2]> {
        self.table.calls?.id_of_pair
    }

    /// How an import names an instance of the type.
    fn import_forms(&self) -> String {
        match (self.pair(), &self.table.rows) {
            (Some([a, b]), Some(rows)) => {
                return format!(
                    "give `<{a}>:<{b}>`, a row Kasm lists in its {}'s `{}`",
                    noun(rows.of),
                    rows.field
                );
            }
            (Some([a, b]), None) => return format!("give `<{a}>:<{b}>`, a pair Kasm lists"),
            _ => {}
        }
        let alias = self.table.id_alias.unwrap_or("id");
        match self.table.list.and_then(|l| l.import_by) {
            Some(key) => format!("give its `{alias}` or `{key}:<{key}>`"),
            None => format!("give its `{alias}`"),
        }
    }
}

/// The items Kasm lists and is not taking down, by their id (canonical).
fn by_id(
    table: &'static Block,
    list: &List,
    items: std::borrow::Cow<'_, [Value]>,
) -> BTreeMap<String, Map<String, Value>> {
    let view = View {
        table,
        shown: Shown::Unread,
    };
    // A list read for this view (a typed one) is moved, not copied.
    items
        .into_owned()
        .into_iter()
        .filter(|item| !list.is_ending(item))
        .filter_map(|item| match item {
            Value::Object(item) => Some((view.id_of(&item)?, item)),
            _ => None,
        })
        .collect()
}

fn put_names(names: &[Named], attributes: &mut Map<String, Value>) {
    for named in names {
        let id = attributes.get(named.id).and_then(Value::as_str);
        if let Some(name) = id.and_then(|i| named.by_id.get(canonical_id(i).as_ref())) {
            attributes.insert(named.argument.to_owned(), name.clone());
        }
    }
}

/// The names Kasm gives what one naming argument's id refers to.
struct Named {
    /// The naming argument (`group_name`).
    argument: &'static str,
    /// The id argument it names (`group_id`).
    id: &'static str,
    /// Each listed item's name, by its id (canonical).
    by_id: BTreeMap<String, Value>,
}

/// Each pair that has a row in a pair type's own list, by its two sides.
fn listed_pairs(table: &Block, rows: &[Value]) -> BTreeSet<(String, String)> {
    let Some([a, b]) = table.calls.and_then(|c| c.id_of_pair) else {
        return BTreeSet::new();
    };
    rows.iter()
        .filter_map(|row| {
            let side = |k: &str| row.get(k).and_then(Value::as_str).map(canonical_id);
            Some((side(a)?.into_owned(), side(b)?.into_owned()))
        })
        .collect()
}

/// For each argument that names what an id refers to: the argument, the id
/// argument, and the name of each listed item of the referred type, by id.
fn names(table: &'static Block, access: &Access) -> Vec<Named> {
    let mut out = Vec::new();
    for arg in table.arguments {
        let Some(names) = arg.names else { continue };
        let referred = table
            .argument(names.id)
            .and_then(|a| a.refers_to)
            .and_then(crate::schema::tables::resource);
        let Some(referred) = referred else { continue };
        let view = View::of(referred, access);
        let Shown::Items(items) = view.shown else {
            continue;
        };
        let by_id = items
            .into_iter()
            .filter_map(|(id, item)| Some((id, item.get(names.key)?.clone())))
            .collect();
        out.push(Named {
            argument: arg.name,
            id: names.id,
            by_id,
        });
    }
    out
}

/// Each pair that has a row in the parent items.
fn pairs(rows: &Rows, items: &BTreeMap<String, Map<String, Value>>) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (parent, item) in items {
        let listed = item.get(rows.field).and_then(Value::as_array);
        for row in listed.into_iter().flatten() {
            if let Some(key) = row.get(rows.key).and_then(Value::as_str) {
                out.insert((parent.clone(), canonical_id(key).into_owned()));
            }
        }
    }
    out
}

/// What a message calls an instance of the type: `group membership` for
/// `kasm_group_membership`.
fn noun(table: &Block) -> String {
    let name = table.type_name;
    name.strip_prefix("kasm_").unwrap_or(name).replace('_', " ")
}

/// Kasm's list of a type, each item as Kasm answers it, without those Kasm
/// is taking down: what a search after a lost create looks in.
pub fn listed(type_name: &str, access: &Access) -> Vec<Value> {
    let Some(list) = crate::schema::tables::managed(type_name).and_then(|t| t.list) else {
        return Vec::new();
    };
    access
        .items(list.name)
        .unwrap_or_default()
        .iter()
        .filter(|item| !list.is_ending(item))
        .cloned()
        .collect()
}

/// The users the state records, as Kasm would list them (a plan without
/// a refresh), with the memberships the state records.
pub fn assumed_users(state: &State) -> Vec<User> {
    let mut users: Vec<User> = state
        .objects
        .iter()
        .filter(|(a, _)| crate::address::type_of(a) == Some(USER_TYPE))
        .map(|(_, r)| {
            let text = |k: &str| r.text(k).map(str::to_owned);
            let flag = |k: &str| r.attributes.get(k).and_then(Value::as_bool) == Some(true);
            User {
                user_id: r.id.clone(),
                username: text("username").unwrap_or_default(),
                first_name: text("first_name"),
                last_name: text("last_name"),
                organization: text("organization"),
                phone: text("phone"),
                notes: text("notes"),
                locked: flag("locked"),
                disabled: flag("disabled"),
                groups: recorded_groups(state, r),
            }
        })
        .collect();
    for r in state
        .objects
        .iter()
        .filter(|(a, _)| crate::address::type_of(a) == Some(MEMBERSHIP_TYPE))
        .map(|(_, r)| r)
    {
        let (Some(group_id), Some(user_id)) = (r.text("group_id"), r.text("user_id")) else {
            continue;
        };
        if let Some(u) = users.iter_mut().find(|u| same_id(&u.user_id, user_id))
            && !u.groups.iter().any(|g| same_id(&g.group_id, group_id))
        {
            u.groups.push(crate::group::UserGroup {
                group_id: group_id.to_owned(),
                name: String::new(),
            });
        }
    }
    users
}

/// The groups a user's record lists by name (its `groups`, when managed),
/// with the ids the state knows for them.
fn recorded_groups(state: &State, record: &ObjectRecord) -> Vec<crate::group::UserGroup> {
    let names = record.attributes.get("groups").and_then(Value::as_array);
    names
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|name| {
            let id = match name {
                crate::group::ALL_USERS_NAME => Some(crate::group::ALL_USERS.to_owned()),
                _ => state
                    .groups()
                    .find(|(_, g)| g.name == name)
                    .map(|(_, g)| g.group_id),
            };
            crate::group::UserGroup {
                group_id: id.unwrap_or_default(),
                name: name.to_owned(),
            }
        })
        .collect()
}

/// Kasm's lists as the state records them, for a plan without a refresh:
/// each recorded instance as its list would show it; a user with the groups
/// its record and the recorded memberships put it in.
pub fn assumed_lists(state: &State) -> Vec<(String, Vec<Value>)> {
    // The lists read by name, as the host reads them: with the users.
    let listed = crate::schema::tables::RESOURCES
        .iter()
        .filter(|table| table.reads_users)
        .filter_map(|table| Some((table.type_name, table.list?)));
    listed
        .map(|(type_name, list)| {
            let items = match type_name {
                USER_TYPE => assumed_users(state)
                    .iter()
                    .filter_map(|u| serde_json::to_value(u).ok())
                    .collect(),
                _ => records(state, type_name)
                    .into_values()
                    .map(|r| Value::Object(super::objects::visible(type_name, r)))
                    .collect(),
            };
            (list.name.to_owned(), items)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Action;
    use crate::object::ObjectSpec;
    use crate::schema::Presence::{Computed, Optional, Required};
    use crate::schema::tables::{Arg, Call, Calls};
    use serde_json::json;

    const CALL: Call = Call {
        endpoint: "widget",
        body: &[("*", "/target_widget")],
        fixed: &[],
        answer_id: Some("/widget/widget_id"),
        repeat_safe: true,
        done_when: &[],
        help: &[],
    };

    /// A type Kasm lists plainly, known to nothing but this table.
    const WIDGET: &Block = &Block {
        type_name: "kasm_widget",
        description: "A widget.",
        arguments: &[
            Arg::new("name", "string", Required, "Its name."),
            Arg::new("size", "number", Optional, "Its size."),
            Arg::new("id", "string", Computed, "Its id."),
            Arg::new("widget_id", "string", Computed, "The same."),
        ],
        id_alias: Some("widget_id"),
        pair_list: None,
        reads_users: false,
        on_create: None,
        calls: Some(&Calls {
            create: CALL,
            update: Some(CALL),
            delete: CALL,
            find_after_lost_create: None,
            ready: None,
            id_of_pair: None,
            unmarked: true,
            search_first: false,
            until_gone: false,
        }),
        list: Some(&List {
            name: "widgets",
            endpoint: "get_widgets",
            answer: "widgets",
            pages: None,
            ending: None,
            shows: &["name", "size"],
            import_by: Some("name"),
        }),
        rows: None,
        one_of: &[],
        not_found: crate::diagnostic::Code::InvalidState,
    };

    /// A membership is a row of its user's `groups`: seen while the row
    /// is there, imported by `<group_id>:<user_id>` or with the user named
    /// as its list allows (`username:<name>`).
    #[test]
    fn a_membership_is_a_row_of_its_users_groups() {
        use crate::schema::tables::MEMBERSHIP;
        let (g, u) = (
            "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1",
            "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
        );
        let users = json!([{ "user_id": "A1A1A1A1-A1A1-A1A1-A1A1-A1A1A1A1A1A1", "username": "alice",
            "groups": [{ "group_id": g, "name": "Devs" }] }]);
        let kasm = Access::with_lists(
            Vec::new(),
            Vec::new(),
            vec![(
                "users".into(),
                users.as_array().cloned().unwrap_or_default(),
            )],
        );
        let kasm = kasm.unwrap_or_default();
        let view = View::of(MEMBERSHIP, &kasm);
        let want = ObjectRecord {
            id: format!("{g}:{u}"),
            attributes: Map::from_iter([
                ("group_id".to_owned(), json!(g)),
                ("user_id".to_owned(), json!(u)),
            ])
            .into(),
            prevent_destroy: false,
        };
        assert_eq!(
            view.imported(&format!("{g}:username:Alice")),
            Ok(want.clone())
        );
        assert_eq!(view.imported(&format!("{g}:{u}")), Ok(want.clone()));
        assert_eq!(view.seen(&want), Seen::Listed(want.attributes.to_map()));
        let other = format!("c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1:{u}");
        assert!(view.imported(&other).is_err());
        let elsewhere = ObjectRecord {
            id: other,
            ..want.clone()
        };
        let moved = ObjectRecord {
            attributes: Map::from_iter([
                (
                    "group_id".to_owned(),
                    json!("c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1"),
                ),
                ("user_id".to_owned(), json!(u)),
            ])
            .into(),
            ..elsewhere
        };
        assert_eq!(view.seen(&moved), Seen::Gone);
        assert_eq!(
            View::of(MEMBERSHIP, &Access::default()).seen(&want),
            Seen::Unread
        );
    }

    fn access(items: Value) -> Access {
        serde_json::from_value(json!({ "widgets": items })).unwrap_or_default()
    }

    /// A new type is read, compared, planned and imported from its table
    /// alone: its list kept by name, its items by id.
    #[test]
    fn a_type_known_only_by_its_table_is_seen_planned_and_imported() {
        let listed =
            access(json!([{ "widget_id": "w1", "name": "a", "size": 2, "colour": "red" }]));
        let record = ObjectRecord {
            id: "w1".into(),
            attributes: Map::from_iter([
                ("id".to_owned(), json!("w1")),
                ("widget_id".to_owned(), json!("w1")),
                ("name".to_owned(), json!("a")),
                ("size".to_owned(), json!(1)),
            ])
            .into(),
            prevent_destroy: false,
        };
        let kasm = Map::from_iter([
            ("id".to_owned(), json!("w1")),
            ("widget_id".to_owned(), json!("w1")),
            ("name".to_owned(), json!("a")),
            ("size".to_owned(), json!(2)),
        ]);
        let view = View::of(WIDGET, &listed);
        assert_eq!(view.seen(&record), Seen::Listed(kasm.clone()));
        assert_eq!(
            View::of(WIDGET, &access(json!([]))).seen(&record),
            Seen::Gone
        );
        assert_eq!(
            View::of(WIDGET, &Access::default()).seen(&record),
            Seen::Unread
        );

        let imported = view
            .imported("name:A")
            .map(|r| (r.id, r.attributes.to_map()));
        assert_eq!(imported, Ok(("w1".to_owned(), kasm)));
        let refused = view
            .imported("w2")
            .map_err(|(message, help)| message + " " + &help);
        assert_eq!(
            refused,
            Err("Kasm has no widget `w2` give its `widget_id` or `name:<name>`".to_owned())
        );

        let mut state = State::default();
        state.objects.insert("kasm_widget.a".into(), record);
        let spec = ObjectSpec {
            address: "kasm_widget.a".into(),
            resource_type: "kasm_widget",
            values: Map::from_iter([
                ("name".to_owned(), json!("a")),
                ("size".to_owned(), json!(3)),
            ]),
            refs: BTreeMap::new(),
            secrets: BTreeMap::new(),
            ignore_changes: Vec::new(),
        };
        let mut errors = Vec::new();
        let changes = super::super::objects::plan_type(
            WIDGET,
            &[spec],
            &state,
            &listed,
            &BTreeMap::new(),
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let planned: Vec<_> = changes
            .iter()
            .map(|c| {
                (
                    c.action,
                    c.changes
                        .iter()
                        .map(|a| (a.attribute.as_ref(), &a.before, &a.after))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        assert_eq!(
            planned,
            [(Action::Update, vec![("size", &json!(2), &json!(3))])]
        );
    }
}

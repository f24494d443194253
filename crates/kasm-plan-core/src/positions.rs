//! Where the items of a list are, found by a key each item holds: their
//! indexes, hashed by key. Looking an item up copies no key, as a map keyed
//! by owned names (built once per item only to be looked up) would.

use std::hash::{BuildHasher, Hash};

/// The indexes of a list's items, by key.
#[derive(Default)]
pub struct Positions {
    table: hashbrown::HashTable<usize>,
    hasher: foldhash::fast::RandomState,
}

impl Positions {
    /// Room for `n` items, so recording as many grows nothing.
    pub fn with_capacity(n: usize) -> Self {
        Positions {
            table: hashbrown::HashTable::with_capacity(n),
            hasher: Default::default(),
        }
    }

    /// Room for `n` more items.
    pub fn reserve<'a, T, K: Hash>(
        &mut self,
        items: &'a [T],
        n: usize,
        key_of: impl Fn(&'a T) -> K,
    ) {
        let hash = rehash(&self.hasher, items, key_of);
        self.table.reserve(n, hash);
    }

    /// The index of the item of `items` whose key (`key_of`) is `key`.
    pub fn find<'a, T, K: Hash + Eq>(
        &self,
        items: &'a [T],
        key: K,
        key_of: impl Fn(&'a T) -> K,
    ) -> Option<usize> {
        let same = |i: &usize| items.get(*i).is_some_and(|item| key_of(item) == key);
        self.table.find(self.hasher.hash_one(&key), same).copied()
    }

    /// Records where the item at `index` of `items` is.
    pub fn insert<'a, T, K: Hash>(
        &mut self,
        items: &'a [T],
        index: usize,
        key_of: impl Fn(&'a T) -> K,
    ) {
        let Some(item) = items.get(index) else {
            return;
        };
        let item_hash = self.hasher.hash_one(key_of(item));
        let hash = rehash(&self.hasher, items, key_of);
        self.table.insert_unique(item_hash, index, hash);
    }
}

/// The hash of the item an index stands for, as the table needs when it grows.
fn rehash<'a, T, K: Hash>(
    hasher: &foldhash::fast::RandomState,
    items: &'a [T],
    key_of: impl Fn(&'a T) -> K,
) -> impl Fn(&usize) -> u64 {
    move |i| {
        items
            .get(*i)
            .map_or(0, |item| hasher.hash_one(key_of(item)))
    }
}

#[cfg(test)]
mod tests {
    use super::Positions;

    #[test]
    fn finds_each_item_by_its_key_and_nothing_else() {
        let names = ["web", "db", "cache"];
        let mut positions = Positions::default();
        for i in 0..names.len() {
            positions.insert(&names, i, |n| *n);
        }
        for (i, name) in names.iter().enumerate() {
            assert_eq!(positions.find(&names, *name, |n| *n), Some(i));
        }
        assert_eq!(positions.find(&names, "queue", |n| *n), None);
    }
}

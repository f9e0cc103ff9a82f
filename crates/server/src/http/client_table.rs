//! The rate limiter's table of clients: a fixed number of entries, and at that number the client
//! seen least recently makes room for the new one.
//!
//! A flood of distinct addresses therefore cannot grow memory past the cap, nor lock new
//! clients out: it can only push out clients that have gone quiet, whose buckets had refilled
//! anyway. The table is never rescanned or shrunk per request; each request touches one entry.
//! Sharded by a keyed hash so concurrent requests rarely wait for one another; each shard is an
//! LRU list of its own (recency is per shard, which is close enough at this scale).

use governor::nanos::Nanos;
use governor::state::keyed::ShrinkableKeyedStateStore;
use governor::state::StateStore;
use lru::LruCache;
use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::{Mutex, MutexGuard};

const MAX_SHARDS: usize = 16;

pub struct ClientTable<K> {
    shards: Box<[Mutex<LruCache<K, Nanos>>]>,
    per_shard: usize,
    hasher: RandomState,
}

impl<K: Hash + Eq + Clone> ClientTable<K> {
    fn count(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).len())
            .sum()
    }

    /// A table of at most `cap` clients (at least one per shard).
    pub fn new(cap: usize) -> Self {
        let shards = MAX_SHARDS.min(cap.max(1));
        ClientTable {
            // Unbounded lists with the cap kept by hand: nothing is allocated up front for
            // clients who never come.
            shards: (0..shards)
                .map(|_| Mutex::new(LruCache::unbounded()))
                .collect(),
            per_shard: (cap / shards).max(1),
            hasher: RandomState::new(),
        }
    }

    fn shard(&self, key: &K) -> MutexGuard<'_, LruCache<K, Nanos>> {
        let i = (self.hasher.hash_one(key) % self.shards.len() as u64) as usize;
        // A poisoned lock means a panic mid-update of plain numbers: the table is still sound.
        self.shards[i].lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// For governor's `len()`. Entries are never dropped by age here: the cap and recency do that,
/// one entry at a time, as new clients arrive.
impl<K: Hash + Eq + Clone> ShrinkableKeyedStateStore<K> for ClientTable<K> {
    fn retain_recent(&self, _drop_below: Nanos) {}

    fn len(&self) -> usize {
        self.count()
    }

    fn is_empty(&self) -> bool {
        self.count() == 0
    }
}

impl<K: Hash + Eq + Clone> StateStore for ClientTable<K> {
    type Key = K;

    fn measure_and_replace<T, F, E>(&self, key: &K, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let mut shard = self.shard(key);
        // `get_mut` also marks the client as seen now, refused or not.
        if let Some(state) = shard.get_mut(key) {
            let (out, next) = f(Some(*state))?;
            *state = next;
            return Ok(out);
        }
        let (out, next) = f(None)?;
        if shard.len() >= self.per_shard {
            shard.pop_lru();
        }
        shard.put(key.clone(), next);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_cap_the_least_recently_seen_client_makes_room() {
        let table: ClientTable<u32> = ClientTable::new(1);
        let touch = |k: u32, v: u64| {
            table
                .measure_and_replace(&k, |prev| Ok::<_, ()>((prev, Nanos::new(v))))
                .expect("ok")
        };
        assert_eq!(touch(1, 10), None);
        assert_eq!(touch(1, 11), Some(Nanos::new(10)));
        assert_eq!(touch(2, 20), None, "a new client is taken in");
        assert_eq!(table.count(), 1);
        assert_eq!(touch(1, 12), None, "the quiet one made room");
    }

    #[test]
    fn a_refused_request_changes_nothing_but_recency() {
        let table: ClientTable<u32> = ClientTable::new(16);
        table
            .measure_and_replace(&7, |_| Ok::<_, ()>(((), Nanos::new(5))))
            .expect("ok");
        assert_eq!(
            table.measure_and_replace(&7, |_| Err::<((), Nanos), _>("refused")),
            Err("refused")
        );
        let seen = table
            .measure_and_replace(&7, |prev| Ok::<_, ()>((prev, Nanos::new(6))))
            .expect("ok");
        assert_eq!(seen, Some(Nanos::new(5)));
        assert_eq!(
            table.measure_and_replace(&8, |_| Err::<((), Nanos), _>("refused")),
            Err("refused")
        );
        assert_eq!(table.count(), 1, "a refused newcomer is not stored");
    }
}

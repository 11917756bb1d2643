//! What this replica knows about the callers it checked lately, so that an
//! authenticated request needs no database round trip of its own.
//!
//! An entry holds, for one access token, the user as stored, the data scope of
//! their role and whose records that scope shows. It is trusted for the
//! configured TTL (`SALESOPS_AUTH_CACHE_SECONDS`). Every write through this
//! replica that changes who may see or do what (users, departments, role
//! scopes, tokens: see [`crate::db::write_access`]) drops every entry at once,
//! so logout and deactivation take effect on the replica that served them
//! immediately; on other replicas they take effect within the TTL, the
//! revocation window.

use salesops_domain::org::DataScope;
use salesops_persistence::scope::Visibility;
use salesops_persistence::users::UserRow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// From this many remembered tokens on, each new entry first drops the stale ones, so
/// that memory follows the tokens seen within one TTL rather than every token ever seen.
const PRUNE_AT: usize = 1_000;

/// The most tokens remembered; past it even fresh entries are dropped, all at once.
const MAX_ENTRIES: usize = 10_000;

/// What the auth check found about one caller.
#[derive(Debug)]
pub struct CallerFacts {
    /// The user as stored: active, with their role and department.
    pub user: UserRow,
    /// The data scope in force for their role.
    pub scope: DataScope,
    /// Whose records that scope shows.
    pub visibility: Arc<Visibility>,
}

/// A reader's ticket: facts read under it may be remembered only if nothing
/// was invalidated meanwhile (a logout that commits while they are read must
/// not be overwritten by what was read before it).
#[derive(Debug, Clone, Copy)]
pub struct Generation(u64);

#[derive(Debug, Default)]
struct Entries {
    generation: u64,
    by_token: HashMap<String, (Arc<CallerFacts>, Instant)>,
}

/// The cache, one per process, shared by every worker.
#[derive(Debug)]
pub struct CallerCache {
    ttl: Duration,
    entries: Mutex<Entries>,
}

impl CallerCache {
    /// A cache that trusts an entry for `ttl`; a zero TTL remembers nothing.
    pub fn new(ttl: Duration) -> CallerCache {
        CallerCache { ttl, entries: Mutex::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The facts remembered for the token `jti`, if still fresh.
    pub fn get(&self, jti: &str) -> Option<Arc<CallerFacts>> {
        let entries = self.lock();
        let (facts, read_at) = entries.by_token.get(jti)?;
        (read_at.elapsed() < self.ttl).then(|| Arc::clone(facts))
    }

    /// Take before reading facts from the database; pass to [`CallerCache::remember`].
    pub fn generation(&self) -> Generation {
        Generation(self.lock().generation)
    }

    /// Remember `facts` for the token `jti`, unless the cache was invalidated since `read_under`.
    pub fn remember(&self, jti: &str, facts: Arc<CallerFacts>, read_under: Generation) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.lock();
        if entries.generation != read_under.0 {
            return;
        }
        if entries.by_token.len() >= PRUNE_AT {
            let ttl = self.ttl;
            entries.by_token.retain(|_, (_, read_at)| read_at.elapsed() < ttl);
            if entries.by_token.len() >= MAX_ENTRIES {
                entries.by_token.clear();
            }
        }
        entries.by_token.insert(jti.to_owned(), (facts, Instant::now()));
    }

    /// Forget everything: who may see or do what has changed.
    pub fn invalidate(&self) {
        let mut entries = self.lock();
        entries.generation += 1;
        entries.by_token.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use salesops_domain::org::Role;

    fn facts() -> Arc<CallerFacts> {
        let user = UserRow::new("a@example.com", "A", Role::Rep, "hash", None);
        Arc::new(CallerFacts { user, scope: DataScope::OwnOnly, visibility: Arc::new(Visibility::All) })
    }

    #[test]
    fn remembers_until_invalidated() {
        let cache = CallerCache::new(Duration::from_secs(60));
        let ticket = cache.generation();
        cache.remember("t1", facts(), ticket);
        assert!(cache.get("t1").is_some());
        assert!(cache.get("t2").is_none());
        cache.invalidate();
        assert!(cache.get("t1").is_none());
    }

    #[test]
    fn facts_read_before_an_invalidation_are_not_remembered() {
        let cache = CallerCache::new(Duration::from_secs(60));
        let ticket = cache.generation();
        cache.invalidate();
        cache.remember("t1", facts(), ticket);
        assert!(cache.get("t1").is_none());
    }

    #[test]
    fn stale_entries_are_dropped_once_many_are_remembered() {
        let cache = CallerCache::new(Duration::from_millis(20));
        for i in 0..PRUNE_AT {
            cache.remember(&format!("t{i}"), facts(), cache.generation());
        }
        assert_eq!(cache.lock().by_token.len(), PRUNE_AT);
        std::thread::sleep(Duration::from_millis(30));
        cache.remember("fresh", facts(), cache.generation());
        assert_eq!(cache.lock().by_token.len(), 1, "only the fresh entry is left");
        assert!(cache.get("fresh").is_some());
    }

    #[test]
    fn entries_expire_after_the_ttl_and_a_zero_ttl_remembers_nothing() {
        let cache = CallerCache::new(Duration::from_millis(1));
        cache.remember("t1", facts(), cache.generation());
        std::thread::sleep(Duration::from_millis(5));
        assert!(cache.get("t1").is_none());

        let off = CallerCache::new(Duration::ZERO);
        off.remember("t1", facts(), off.generation());
        assert!(off.get("t1").is_none());
    }
}

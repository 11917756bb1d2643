//! Audited entity types: the name each kind of record has in the audit log,
//! and who may read its trail. Each resource declares its own; the app
//! registers them with the resource's routes, so no module lists them all.

use crate::app::{Actor, AppResult};
use salesops_persistence::scope::Visibility;
use salesops_persistence::visible::ScopedRow;
use salesops_persistence::{DbConnection, StoreResult};

/// Whether the record `id` (deleted ones included, so that their trail stays
/// readable) is within `visibility`.
pub type ScopedFinder = fn(&mut DbConnection, &Visibility, &str) -> StoreResult<bool>;

/// Whether the row `id` of `R` is within `visibility`, deleted or not.
fn in_scope<R: ScopedRow>(conn: &mut DbConnection, visibility: &Visibility, id: &str) -> StoreResult<bool> {
    Ok(R::find_visible_including_deleted(conn, id, visibility)?.is_some())
}

/// Who besides admins may read an entity's audit trail.
#[derive(Debug, Clone, Copy)]
enum Readers {
    /// Whoever can see the record in their data scope.
    Scoped(ScopedFinder),
    /// The user the record is: a user's own trail.
    Itself,
    /// Admins only (configuration: departments, pools, pipeline dictionaries).
    AdminsOnly,
}

/// A kind of audited record, e.g. `lead`.
#[derive(Debug, Clone, Copy)]
pub struct EntityType {
    name: &'static str,
    readers: Readers,
}

impl EntityType {
    /// A row of the scoped table `R`, whose trail anyone who can see it in their
    /// data scope may read, deleted or not.
    pub const fn scoped<R: ScopedRow>(name: &'static str) -> EntityType {
        EntityType { name, readers: Readers::Scoped(in_scope::<R>) }
    }

    /// A record whose trail only admins read.
    pub const fn admins_only(name: &'static str) -> EntityType {
        EntityType { name, readers: Readers::AdminsOnly }
    }

    /// A user: admins read every user's trail, a user reads their own.
    pub const fn user(name: &'static str) -> EntityType {
        EntityType { name, readers: Readers::Itself }
    }

    /// The name stored in the audit log.
    pub const fn name(self) -> &'static str {
        self.name
    }

    /// Whether `actor` may read the trail of record `id`.
    pub fn trail_visible(self, conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<bool> {
        if actor.role.can_administer() {
            return Ok(true);
        }
        match self.readers {
            Readers::Scoped(find) => {
                let visibility = actor.visibility();
                Ok(find(conn, visibility, id)?)
            }
            Readers::Itself => Ok(id == actor.id()),
            Readers::AdminsOnly => Ok(false),
        }
    }
}

impl std::fmt::Display for EntityType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Every entity type the app registered, for looking one up by its name.
#[derive(Debug, Clone, Default)]
pub struct EntityTypes(Vec<EntityType>);

impl EntityTypes {
    /// The registry of `types`.
    pub fn new(types: impl IntoIterator<Item = EntityType>) -> EntityTypes {
        EntityTypes(types.into_iter().collect())
    }

    /// The entity type named `name`, if one is registered.
    pub fn find(&self, name: &str) -> Option<EntityType> {
        self.0.iter().copied().find(|t| t.name == name)
    }
}

//! Loading a record the actor's data scope governs.

use crate::app::{Actor, AppError, AppResult};
use salesops_persistence::scope::Visibility;
use salesops_persistence::visible::ScopedRow;
use salesops_persistence::DbConnection;

/// Load a live row the actor can see, taking its row lock first when `for_update`;
/// 404 when there is none in their scope. Answers the visibility it was checked with.
pub fn load_visible<'a, R: ScopedRow>(
    conn: &mut DbConnection,
    actor: &'a Actor,
    id: &str,
    for_update: bool,
) -> AppResult<(R, &'a Visibility)> {
    if for_update {
        R::lock(conn, id)?;
    }
    let visibility = actor.visibility();
    let row = R::find_visible(conn, id, visibility)?.ok_or(AppError::NotFound)?;
    Ok((row, visibility))
}

//! Per-key rate limits over a sliding window, stored in the database.

use crate::db::rate_limits;
use crate::state::AppState;

pub const HOUR: i64 = 3600;

/// Counts one attempt of `kind` for `key` if fewer than `limit` were made in the window;
/// returns whether it was allowed.
pub async fn allow(
    state: &AppState,
    kind: &str,
    key: &str,
    limit: u32,
    window: i64,
) -> Result<bool, sqlx::Error> {
    let now = state.clock.unix();
    let pool = state.db.pool();
    if rate_limits::count_since(pool, kind, key, now - window).await? >= i64::from(limit) {
        tracing::warn!(kind, "rate limit reached");
        return Ok(false);
    }
    rate_limits::hit(pool, kind, key, now).await?;
    Ok(true)
}

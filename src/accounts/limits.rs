//! Per-key rate limits over fixed windows, counted atomically in the database (so they hold
//! under concurrency and across several instances). Every attempt counts, allowed or not.

use crate::db::throttle;
use crate::state::AppState;

pub const HOUR: i64 = 3600;
pub const MINUTE: i64 = 60;

/// Whether an attempt may go ahead; when not, until when the key is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Refused { until: i64, now: i64 },
}

/// Counts one attempt of `kind` for `key`; refused once more than `limit` were made in the window.
pub async fn hit(
    state: &AppState,
    kind: &str,
    key: &str,
    limit: u32,
    window: i64,
) -> Result<Verdict, sqlx::Error> {
    let now = state.clock.unix();
    let taken = throttle::take(state.db.pool(), &format!("{kind}:{key}"), now, window).await?;
    if taken.hits <= i64::from(limit) {
        return Ok(Verdict::Allowed);
    }
    tracing::warn!(kind, "rate limit reached");
    Ok(Verdict::Refused {
        until: taken.window_start + window,
        now,
    })
}

/// [`hit`] as a yes or no.
pub async fn allow(
    state: &AppState,
    kind: &str,
    key: &str,
    limit: u32,
    window: i64,
) -> Result<bool, sqlx::Error> {
    Ok(hit(state, kind, key, limit, window).await? == Verdict::Allowed)
}

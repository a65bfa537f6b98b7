//! Throttle counters: hits per key in a fixed window, taken atomically. The upsert both counts
//! and reads, in one statement that locks the key's row, so no two requests see the same count.

use sqlx::{AnyPool, FromRow};

use super::DbError;

/// The count after this hit, and when its window began.
#[derive(Debug, Clone, Copy, FromRow)]
pub struct Taken {
    pub hits: i64,
    pub window_start: i64,
}

/// Counts one hit for `key` in the window of `window` seconds that is current at `now` (a new
/// window starts when the old one has passed).
pub async fn take(pool: &AnyPool, key: &str, now: i64, window: i64) -> Result<Taken, DbError> {
    sqlx::query_as(
        "INSERT INTO throttle_counters (counter_key, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (counter_key) DO UPDATE SET \
           hits = CASE WHEN throttle_counters.window_start <= $2 - $3 THEN 1 ELSE throttle_counters.hits + 1 END, \
           window_start = CASE WHEN throttle_counters.window_start <= $2 - $3 THEN $2 ELSE throttle_counters.window_start END \
         RETURNING hits, window_start",
    )
    .bind(key)
    .bind(now)
    .bind(window)
    .fetch_one(pool)
    .await
}

/// Gives one hit back (an attempt that turned out to be legitimate).
pub async fn give_back(pool: &AnyPool, key: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE throttle_counters SET hits = hits - 1 WHERE counter_key = $1 AND hits > 0")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets a key's count (a successful sign-in or a password reset).
pub async fn reset(pool: &AnyPool, key: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM throttle_counters WHERE counter_key = $1")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Drops windows that ended before `before`.
pub async fn prune(pool: &AnyPool, before: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM throttle_counters WHERE window_start < $1")
        .bind(before)
        .execute(pool)
        .await?;
    Ok(())
}

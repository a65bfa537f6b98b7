//! Sliding-window counters for abuse-prone actions, kept in the database so they hold across
//! several app instances.

use sqlx::AnyPool;

use super::DbError;

pub async fn count_since(
    pool: &AnyPool,
    kind: &str,
    key: &str,
    since: i64,
) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM rate_events WHERE kind = $1 AND rate_key = $2 AND at > $3",
    )
    .bind(kind)
    .bind(key)
    .bind(since)
    .fetch_one(pool)
    .await
}

pub async fn hit(pool: &AnyPool, kind: &str, key: &str, now: i64) -> Result<(), DbError> {
    sqlx::query("INSERT INTO rate_events (kind, rate_key, at) VALUES ($1, $2, $3)")
        .bind(kind)
        .bind(key)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}

/// Drops events older than any window in use.
pub async fn prune(pool: &AnyPool, before: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM rate_events WHERE at < $1")
        .bind(before)
        .execute(pool)
        .await?;
    Ok(())
}

//! Keys the store keeps for itself (see migration 0011).

use sqlx::AnyPool;

use super::DbError;

/// The secret named `name`: the one already kept, or `fresh` if none was (the first instance
/// to ask stores it; every later one, and every restart, gets that same value).
pub async fn get_or_create(pool: &AnyPool, name: &str, fresh: &str) -> Result<String, DbError> {
    sqlx::query(
        "INSERT INTO store_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(fresh)
    .execute(pool)
    .await?;
    sqlx::query_scalar("SELECT value FROM store_secrets WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
}

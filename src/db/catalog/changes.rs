//! The catalogue's version (migration 0011), shared by every instance.

use sqlx::AnyPool;

use crate::db::DbError;

/// Counts one more change; returns the new version.
pub async fn bump(pool: &AnyPool) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "UPDATE catalog_changes SET version = version + 1 WHERE id = 1 RETURNING version",
    )
    .fetch_one(pool)
    .await
}

pub async fn version(pool: &AnyPool) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT version FROM catalog_changes WHERE id = 1")
        .fetch_one(pool)
        .await
}

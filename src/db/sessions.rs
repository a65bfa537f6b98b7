//! Server-side sessions, keyed by the hash of the cookie's random key.

use sqlx::{AnyPool, FromRow};

use super::DbError;
use crate::domain::UserId;

#[derive(Debug, FromRow)]
pub struct SessionRow {
    pub state: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub async fn load(pool: &AnyPool, id: &str) -> Result<Option<SessionRow>, DbError> {
    sqlx::query_as("SELECT state, created_at, last_seen_at, expires_at FROM sessions WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn insert(
    pool: &AnyPool,
    id: &str,
    user_id: Option<i64>,
    state: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, state, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(id)
    .bind(user_id)
    .bind(state)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Returns false when the session no longer exists (ended elsewhere): it is not brought back.
pub async fn update(
    pool: &AnyPool,
    id: &str,
    user_id: Option<i64>,
    state: &str,
    now: i64,
    expires_at: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE sessions SET user_id = $2, state = $3, last_seen_at = $4, expires_at = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(user_id)
    .bind(state)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn touch(pool: &AnyPool, id: &str, now: i64, expires_at: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1")
        .bind(id)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn delete(pool: &AnyPool, id: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Ends every session of a user (sign-out everywhere).
pub async fn delete_for_user<'e, E>(exec: E, user_id: UserId) -> Result<u64, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(exec)
        .await?;
    Ok(done.rows_affected())
}

pub async fn delete_expired(pool: &AnyPool, now: i64) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

pub async fn count_for_user(pool: &AnyPool, user_id: UserId) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await
}

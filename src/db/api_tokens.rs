//! JSON API token families, refresh tokens (hashed) and revoked access tokens.

use sqlx::{AnyPool, FromRow};

use super::{DbError, Tx};
use crate::domain::UserId;

pub async fn create_family(
    tx: &mut Tx,
    id: &str,
    user: UserId,
    now: i64,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO api_token_families (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(user)
    .bind(now)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores a new refresh token of a family and moves the family's expiry to its own.
pub async fn insert_refresh(
    tx: &mut Tx,
    hash: &str,
    family: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO api_refresh_tokens (token_hash, family_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(hash)
    .bind(family)
    .bind(now)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE api_token_families SET expires_at = $1 WHERE id = $2")
        .bind(expires_at)
        .bind(family)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct RefreshRow {
    pub family_id: String,
    pub user_id: UserId,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn find_refresh<'e, E>(exec: E, hash: &str) -> Result<Option<RefreshRow>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(
        "SELECT t.family_id, f.user_id, t.expires_at, t.used_at, f.revoked_at \
         FROM api_refresh_tokens t JOIN api_token_families f ON f.id = t.family_id \
         WHERE t.token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(exec)
    .await
}

/// Marks a refresh token used; false when another request used it first.
pub async fn mark_used(tx: &mut Tx, hash: &str, now: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE api_refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(hash)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn revoke_family<'e, E>(exec: E, family: &str, now: i64, why: &str) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "UPDATE api_token_families SET revoked_at = $1, revoked_why = $2 \
         WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(why)
    .bind(family)
    .execute(exec)
    .await?;
    Ok(())
}

/// Revokes every family of a user: all their access and refresh tokens stop working.
pub async fn revoke_all_for_user<'e, E>(
    exec: E,
    user: UserId,
    now: i64,
    why: &str,
) -> Result<u64, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let done = sqlx::query(
        "UPDATE api_token_families SET revoked_at = $1, revoked_why = $2 \
         WHERE user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(why)
    .bind(user)
    .execute(exec)
    .await?;
    Ok(done.rows_affected())
}

pub async fn revoke_access(pool: &AnyPool, jti: &str, expires_at: i64) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO api_revoked_access (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING",
    )
    .bind(jti)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Whether an access token may still be used: its family belongs to the user and is not
/// revoked, and the token itself was not revoked. One round trip per API request.
pub async fn access_allowed(
    pool: &AnyPool,
    family: &str,
    user: UserId,
    jti: &str,
) -> Result<bool, DbError> {
    let allowed: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM api_token_families f WHERE f.id = $1 AND f.user_id = $2 \
         AND f.revoked_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM api_revoked_access r WHERE r.jti = $3)",
    )
    .bind(family)
    .bind(user)
    .bind(jti)
    .fetch_optional(pool)
    .await?;
    Ok(allowed.is_some())
}

pub async fn active_families(pool: &AnyPool, user: UserId) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_token_families WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user)
    .fetch_one(pool)
    .await
}

/// Drops what can no longer be presented: expired families (with their refresh tokens) and
/// revocations of access tokens that have expired anyway.
pub async fn prune(pool: &AnyPool, now: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM api_refresh_tokens WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM api_token_families WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM api_revoked_access WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}

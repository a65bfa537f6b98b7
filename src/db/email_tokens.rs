//! One-time links mailed to customers (verification, email change, password reset), stored
//! as hashes.

use sqlx::FromRow;

use super::{DbError, Tx};
use crate::domain::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ChangeEmail,
    ResetPassword,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ChangeEmail => "change_email",
            Purpose::ResetPassword => "reset_password",
        }
    }

    fn from_db(s: &str) -> Self {
        match s {
            "change_email" => Purpose::ChangeEmail,
            "reset_password" => Purpose::ResetPassword,
            _ => Purpose::VerifyEmail,
        }
    }
}

#[derive(Debug, FromRow)]
struct TokenRow {
    id: i64,
    user_id: UserId,
    purpose: String,
    email: String,
}

/// A token that is unused and unexpired.
#[derive(Debug, Clone)]
pub struct ValidToken {
    pub id: i64,
    pub user_id: UserId,
    pub purpose: Purpose,
    pub email: String,
}

pub struct NewToken<'a> {
    pub user_id: UserId,
    pub purpose: Purpose,
    pub token_hash: &'a str,
    pub email: &'a str,
    pub expires_at: i64,
}

/// Stores a token and retires the user's earlier unused ones of the same purpose, so only the
/// newest link works.
pub async fn issue(tx: &mut Tx, t: &NewToken<'_>, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE email_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
        .bind(t.user_id)
        .bind(t.purpose.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO email_tokens (user_id, purpose, token_hash, email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(t.user_id)
    .bind(t.purpose.as_str())
    .bind(t.token_hash)
    .bind(t.email)
    .bind(now)
    .bind(t.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Looks a token up without using it (to show the reset form).
pub async fn peek(
    tx: &mut Tx,
    token_hash: &str,
    purposes: &[Purpose],
    now: i64,
) -> Result<Option<ValidToken>, DbError> {
    let row: Option<TokenRow> = sqlx::query_as(
        "SELECT id, user_id, purpose, email FROM email_tokens \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row
        .map(|r| ValidToken {
            id: r.id,
            user_id: r.user_id,
            purpose: Purpose::from_db(&r.purpose),
            email: r.email,
        })
        .filter(|t| purposes.contains(&t.purpose)))
}

/// Uses a token once. The conditional update makes two simultaneous uses yield one success.
pub async fn consume(
    tx: &mut Tx,
    token_hash: &str,
    purposes: &[Purpose],
    now: i64,
) -> Result<Option<ValidToken>, DbError> {
    let Some(token) = peek(tx, token_hash, purposes, now).await? else {
        return Ok(None);
    };
    let done =
        sqlx::query("UPDATE email_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
            .bind(token.id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    Ok((done.rows_affected() == 1).then_some(token))
}

/// Retires every unused token of these purposes (e.g. reset links after a password change).
pub async fn revoke(
    tx: &mut Tx,
    user_id: UserId,
    purposes: &[Purpose],
    now: i64,
) -> Result<(), DbError> {
    for p in purposes {
        sqlx::query("UPDATE email_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
            .bind(user_id)
            .bind(p.as_str())
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

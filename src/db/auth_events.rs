//! The sign-in audit trail and the throttle built on it.

use sqlx::{AnyPool, FromRow};

use super::DbError;
use crate::domain::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthEvent {
    LoginSuccess,
    LoginFailure,
    LoginThrottled,
    LoginUnverified,
    Logout,
    PasswordChanged,
    PasswordReset,
    PasswordResetRequested,
    EmailVerified,
    EmailChanged,
    Registered,
    /// A refresh token was presented a second time: its family was revoked.
    TokenReuse,
    Deactivated,
}

impl AuthEvent {
    pub const ALL: [AuthEvent; 13] = [
        AuthEvent::LoginSuccess,
        AuthEvent::LoginFailure,
        AuthEvent::LoginThrottled,
        AuthEvent::LoginUnverified,
        AuthEvent::Logout,
        AuthEvent::PasswordChanged,
        AuthEvent::PasswordReset,
        AuthEvent::PasswordResetRequested,
        AuthEvent::EmailVerified,
        AuthEvent::EmailChanged,
        AuthEvent::Registered,
        AuthEvent::TokenReuse,
        AuthEvent::Deactivated,
    ];

    /// What the account page calls it.
    pub fn label(self) -> &'static str {
        match self {
            AuthEvent::LoginSuccess => "Signed in",
            AuthEvent::LoginFailure => "Failed sign-in attempt",
            AuthEvent::LoginThrottled => "Sign-in refused (too many attempts)",
            AuthEvent::LoginUnverified => "Sign-in before confirming the email address",
            AuthEvent::Logout => "Signed out",
            AuthEvent::PasswordChanged => "Password changed",
            AuthEvent::PasswordReset => "Password reset by email link",
            AuthEvent::PasswordResetRequested => "Password reset requested",
            AuthEvent::EmailVerified => "Email address confirmed",
            AuthEvent::EmailChanged => "Email address changed",
            AuthEvent::Registered => "Account created",
            AuthEvent::TokenReuse => {
                "A used app sign-in token was presented again; the app was signed out"
            }
            AuthEvent::Deactivated => "Account deactivated",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuthEvent::LoginSuccess => "login_success",
            AuthEvent::LoginFailure => "login_failure",
            AuthEvent::LoginThrottled => "login_throttled",
            AuthEvent::LoginUnverified => "login_unverified",
            AuthEvent::Logout => "logout",
            AuthEvent::PasswordChanged => "password_changed",
            AuthEvent::PasswordReset => "password_reset",
            AuthEvent::PasswordResetRequested => "password_reset_requested",
            AuthEvent::EmailVerified => "email_verified",
            AuthEvent::EmailChanged => "email_changed",
            AuthEvent::Registered => "registered",
            AuthEvent::TokenReuse => "token_reuse",
            AuthEvent::Deactivated => "deactivated",
        }
    }
}

impl TryFrom<String> for AuthEvent {
    type Error = crate::domain::UnknownStatus;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        AuthEvent::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| crate::domain::UnknownStatus::new(s))
    }
}

pub async fn record(
    pool: &AnyPool,
    event: AuthEvent,
    user_id: Option<UserId>,
    account_key: &str,
    ip: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO auth_events (at, event, user_id, account_key, ip) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now)
    .bind(event.as_str())
    .bind(user_id)
    .bind(account_key)
    .bind(ip)
    .execute(pool)
    .await?;
    Ok(())
}

/// The latest lock end among these keys, if any is still in force.
pub async fn locked_until(pool: &AnyPool, keys: &[&str], now: i64) -> Result<Option<i64>, DbError> {
    let mut until = None;
    for key in keys {
        let row: Option<i64> = sqlx::query_scalar(
            "SELECT locked_until FROM login_locks WHERE lock_key = $1 AND locked_until > $2",
        )
        .bind(*key)
        .bind(now)
        .fetch_optional(pool)
        .await?;
        until = until.max(row);
    }
    Ok(until)
}

pub async fn lock(pool: &AnyPool, key: &str, until: i64) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO login_locks (lock_key, locked_until) VALUES ($1, $2) \
         ON CONFLICT (lock_key) DO UPDATE SET locked_until = excluded.locked_until",
    )
    .bind(key)
    .bind(until)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn unlock(pool: &AnyPool, key: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM login_locks WHERE lock_key = $1")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub at: i64,
    #[sqlx(try_from = "String")]
    pub event: AuthEvent,
    pub ip: String,
}

/// Recent events of one user, newest first (shown on the account page).
pub async fn recent_for_user(
    pool: &AnyPool,
    user_id: UserId,
    limit: i64,
) -> Result<Vec<EventRow>, DbError> {
    sqlx::query_as(
        "SELECT at, event, ip FROM auth_events WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(pool)
    .await
}

//! Customer accounts: registration, email verification, sign-in with throttling, profile,
//! password change and reset. The page handlers and the JSON API both call these functions; they
//! hold the rules, the two skins only translate.

pub mod admin;
pub mod api_tokens;
pub mod details;
pub mod hashing;
pub mod limits;
pub mod login;
pub mod password;
pub mod profile;
pub mod registration;
pub mod tokens;
pub mod verification;

use crate::domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the input is not valid")]
    Invalid(FieldErrors),
    /// The username or email address belongs to another account (the API answers 409).
    #[error("already taken")]
    Taken(FieldErrors),
    /// Unknown account or wrong password; `attempts_left` once the pause is near (two or
    /// fewer tries before this login is paused).
    #[error("unknown account or wrong password")]
    InvalidCredentials { attempts_left: Option<i64> },
    #[error("the email address is not verified yet")]
    Unverified,
    /// The shop deactivated the account (told only to someone who knows the password).
    #[error("the account is deactivated")]
    Deactivated,
    /// Locked until `until`; `now` is the store's clock when that was decided (so the
    /// `Retry-After` never mixes clocks).
    #[error("too many attempts")]
    Throttled { until: i64, now: i64 },
    #[error("the link is invalid, used or expired")]
    InvalidToken,
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error("password hashing failed")]
    Hash(#[source] hashing::HashError),
    /// Too many password checks at once: the client should try again in a few seconds.
    #[error("too busy to check passwords")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<hashing::HashError> for AccountError {
    fn from(e: hashing::HashError) -> Self {
        match e {
            hashing::HashError::Busy => AccountError::Busy,
            other => AccountError::Hash(other),
        }
    }
}

impl From<FieldErrors> for AccountError {
    fn from(e: FieldErrors) -> Self {
        AccountError::Invalid(e)
    }
}

impl From<crate::db::users::WriteError> for AccountError {
    fn from(e: crate::db::users::WriteError) -> Self {
        use crate::db::users::{Conflict, WriteError};
        match e {
            WriteError::Conflict(c) => {
                let mut errors = FieldErrors::new();
                match c {
                    Conflict::Username => errors.add("username", details::USERNAME_TAKEN),
                    Conflict::Email => errors.add("email", details::EMAIL_TAKEN),
                }
                AccountError::Taken(errors)
            }
            WriteError::Db(e) => AccountError::Db(e),
        }
    }
}

/// Queues a mail in the transaction of the change it tells about (delivered after the commit
/// by the mail worker; see `email::queue`).
pub(crate) async fn queue_mail(
    tx: &mut crate::db::Tx,
    state: &crate::state::AppState,
    to: &str,
    content: &crate::email::EmailContent,
) -> Result<(), sqlx::Error> {
    crate::email::queue::enqueue(tx, to, content, None, state.clock.unix()).await
}

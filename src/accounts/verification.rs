//! Email verification: one-time links for a new account and for a changed address, their
//! mailing limits, and resending.

use super::{AccountError, limits, tokens};
use crate::db::Tx;
use crate::db::auth_events::{self, AuthEvent};
use crate::db::email_tokens::{self, NewToken, Purpose};
use crate::db::users;
use crate::domain::{Email, UserId};
use crate::email::messages;
use crate::state::AppState;

pub const VERIFY_TTL: i64 = 24 * 3600;
pub const RESET_TTL: i64 = 3600;

/// Stores a new token (retiring older ones of the same purpose) and returns the raw value to mail.
pub(crate) async fn issue_token(
    tx: &mut Tx,
    state: &AppState,
    user_id: UserId,
    email: &Email,
    purpose: Purpose,
) -> Result<String, sqlx::Error> {
    let (token, hash) = tokens::new_token();
    let now = state.clock.unix();
    let ttl = if purpose == Purpose::ResetPassword {
        RESET_TTL
    } else {
        VERIFY_TTL
    };
    email_tokens::issue(
        tx,
        &NewToken {
            user_id,
            purpose,
            token_hash: &hash,
            email: email.as_str(),
            expires_at: now + ttl,
        },
        now,
    )
    .await?;
    Ok(token)
}

/// Limits mails per address and requests per IP; returns false when over either limit.
pub(crate) async fn mail_allowed(
    state: &AppState,
    kind: &str,
    email: &Email,
    ip: &str,
) -> Result<bool, sqlx::Error> {
    let s = &state.settings.security;
    Ok(limits::allow(
        state,
        &format!("{kind}_ip"),
        ip,
        s.email_requests_per_ip_per_hour,
        limits::HOUR,
    )
    .await?
        && limits::allow(
            state,
            kind,
            email.as_str(),
            s.emails_per_address_per_hour,
            limits::HOUR,
        )
        .await?)
}

/// Sends a new verification link if the address belongs to an account that still needs one.
/// The caller shows the same answer whatever happened, so nobody learns which addresses exist.
pub async fn resend(state: &AppState, raw_email: &str, ip: &str) -> Result<(), AccountError> {
    let Ok(email) = Email::parse(raw_email) else {
        return Ok(());
    };
    if !mail_allowed(state, "verify_mail", &email, ip).await? {
        return Ok(());
    }
    let Some(user) = users::find_by_email(state.db.pool(), &email).await? else {
        return Ok(());
    };
    if user.is_verified() || !user.active {
        return Ok(());
    }
    let mut tx = state.db.begin_write().await?;
    let token = issue_token(&mut tx, state, user.id, &user.email, Purpose::VerifyEmail).await?;
    let mail = messages::verify_email(&state.settings.server.base_url, &user.first_name, &token);
    super::queue_mail(&mut tx, state, user.email.as_str(), &mail).await?;
    tx.commit().await?;
    state.mail_wakeup.wake();
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// The registration address is confirmed; the account can sign in.
    Account(UserId),
    /// A new address replaced the old one.
    EmailChanged(UserId),
}

/// Uses a verification or email-change link.
pub async fn verify(state: &AppState, token: &str, ip: &str) -> Result<Verified, AccountError> {
    let now = state.clock.unix();
    let hash = tokens::hash_token(token);
    let mut tx = state.db.begin_write().await?;
    let Some(t) = email_tokens::consume(
        &mut tx,
        &hash,
        &[Purpose::VerifyEmail, Purpose::ChangeEmail],
        now,
    )
    .await?
    else {
        return Err(AccountError::InvalidToken);
    };
    let Some(user) = users::find(state.db.pool(), t.user_id).await? else {
        return Err(AccountError::InvalidToken);
    };
    let outcome = match t.purpose {
        Purpose::ChangeEmail => {
            let new_email = Email::from_trusted(t.email.clone());
            users::change_email(&mut tx, user.id, &new_email, now)
                .await
                .map_err(|e| match e {
                    // Someone else took the address meanwhile.
                    users::WriteError::Conflict(_) => AccountError::InvalidToken,
                    users::WriteError::Db(e) => AccountError::Db(e),
                })?;
            // Reset links sent to the old address must not work any more.
            email_tokens::revoke(&mut tx, user.id, &[Purpose::ResetPassword], now).await?;
            crate::db::guest_orders::attach(&mut tx, user.id, new_email.as_str()).await?;
            let notice = messages::email_changed(&user.first_name, &t.email);
            super::queue_mail(&mut tx, state, user.email.as_str(), &notice).await?;
            Verified::EmailChanged(user.id)
        }
        _ => {
            // The link proves control of the address it was sent to, and only of that one.
            if t.email != user.email.as_str() {
                return Err(AccountError::InvalidToken);
            }
            users::mark_verified(&mut tx, user.id, now).await?;
            // Orders placed as a guest with this address are now the account's: the link
            // just proved the address is theirs.
            crate::db::guest_orders::attach(&mut tx, user.id, &t.email).await?;
            Verified::Account(user.id)
        }
    };
    tx.commit().await?;
    state.mail_wakeup.wake();
    let event = match outcome {
        Verified::Account(_) => AuthEvent::EmailVerified,
        Verified::EmailChanged(_) => AuthEvent::EmailChanged,
    };
    auth_events::record(
        state.db.pool(),
        event,
        Some(user.id),
        &format!("user:{}", user.id),
        ip,
        now,
    )
    .await?;
    Ok(outcome)
}

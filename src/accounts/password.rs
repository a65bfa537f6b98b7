//! Password change (signed in) and reset (by mailed link).

use serde::Deserialize;

use super::verification::{issue_token, mail_allowed};
use super::{AccountError, tokens};
use crate::db::auth_events::{self, AuthEvent};
use crate::db::email_tokens::{self, Purpose};
use crate::db::users::{self, User};
use crate::db::{Tx, sessions};
use crate::domain::{Email, FieldErrors, Password, PasswordContext, confirm_matches};
use crate::email::messages;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangePasswordInput {
    pub current_password: String,
    pub password: String,
    pub password_confirm: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetPasswordInput {
    pub token: String,
    pub password: String,
    pub password_confirm: String,
}

fn context(user: &User) -> PasswordContext<'_> {
    PasswordContext {
        username: user.username.as_str(),
        email: user.email.as_str(),
        first_name: &user.first_name,
        last_name: &user.last_name,
    }
}

fn check_new(
    state: &AppState,
    user: &User,
    password: &str,
    confirm: &str,
) -> Result<Password, FieldErrors> {
    let mut e = FieldErrors::new();
    let pw = e.check_all("password", state.policy.check(password, &context(user)));
    e.check("password_confirm", confirm_matches(password, confirm));
    match pw {
        Some(pw) if e.is_empty() => Ok(pw),
        _ => Err(e),
    }
}

/// Stores a new hash, retires reset links and ends every session and API token of the user. The caller
/// starts a fresh session when the user stays signed in.
async fn replace_password(
    tx: &mut Tx,
    state: &AppState,
    user: &User,
    hash: &str,
) -> Result<(), sqlx::Error> {
    let now = state.clock.unix();
    users::set_password_hash(tx, user.id, hash, now).await?;
    email_tokens::revoke(tx, user.id, &[Purpose::ResetPassword], now).await?;
    sessions::delete_for_user(&mut **tx, user.id).await?;
    super::api_tokens::revoke_all(&mut **tx, user.id, now, "password").await?;
    Ok(())
}

pub async fn change(
    state: &AppState,
    user: &User,
    input: &ChangePasswordInput,
    ip: &str,
) -> Result<(), AccountError> {
    let mut e = FieldErrors::new();
    if !super::login::confirm_password(state, user, &input.current_password, ip).await? {
        e.add("current_password", "Your current password is not correct.");
    }
    let new = match check_new(state, user, &input.password, &input.password_confirm) {
        Ok(pw) if e.is_empty() => pw,
        Ok(_) => return Err(e.into()),
        Err(more) => {
            e.merge(more);
            return Err(e.into());
        }
    };
    let hash = state.hasher.hash(&new).await?;
    let mut tx = state.db.begin_write().await?;
    replace_password(&mut tx, state, user, &hash).await?;
    let notice = messages::password_changed(&user.first_name, "changed");
    super::queue_mail(&mut tx, state, user.email.as_str(), &notice).await?;
    tx.commit().await?;
    state.mail_wakeup.wake();
    let now = state.clock.unix();
    auth_events::record(
        state.db.pool(),
        AuthEvent::PasswordChanged,
        Some(user.id),
        &format!("user:{}", user.id),
        ip,
        now,
    )
    .await?;
    tracing::info!(event = "password_changed", user_id = %user.id, "password changed; other sessions ended");
    Ok(())
}

/// Mails a reset link when the address has an active account. Always "succeeds" to the caller.
pub async fn request_reset(
    state: &AppState,
    raw_email: &str,
    ip: &str,
) -> Result<(), AccountError> {
    let Ok(email) = Email::parse(raw_email) else {
        return Ok(());
    };
    if !mail_allowed(state, "reset_mail", &email, ip).await? {
        return Ok(());
    }
    let Some(user) = users::find_by_email(state.db.pool(), &email).await? else {
        return Ok(());
    };
    if !user.active {
        return Ok(());
    }
    let mut tx = state.db.begin_write().await?;
    let token = issue_token(&mut tx, state, user.id, &user.email, Purpose::ResetPassword).await?;
    let mail = messages::password_reset(&state.settings.server.base_url, &user.first_name, &token);
    super::queue_mail(&mut tx, state, user.email.as_str(), &mail).await?;
    tx.commit().await?;
    state.mail_wakeup.wake();
    auth_events::record(
        state.db.pool(),
        AuthEvent::PasswordResetRequested,
        Some(user.id),
        &format!("user:{}", user.id),
        ip,
        state.clock.unix(),
    )
    .await?;
    Ok(())
}

/// The account a reset link belongs to, if the link is still valid (the link is not used up).
pub async fn reset_target(state: &AppState, token: &str) -> Result<Option<User>, AccountError> {
    let mut tx = state.db.pool().begin().await?;
    let t = email_tokens::peek(
        &mut tx,
        &tokens::hash_token(token),
        &[Purpose::ResetPassword],
        state.clock.unix(),
    )
    .await?;
    tx.rollback().await?;
    let Some(t) = t else { return Ok(None) };
    let user = users::find(state.db.pool(), t.user_id).await?;
    Ok(user.filter(|u| u.active && u.email.as_str() == t.email))
}

/// Sets a new password from a reset link. Ends all sessions, lifts a sign-in lock (so a locked-out
/// owner gets back in) and marks the address verified, since the link proved it is theirs.
pub async fn reset(
    state: &AppState,
    input: &ResetPasswordInput,
    ip: &str,
) -> Result<User, AccountError> {
    let Some(user) = reset_target(state, &input.token).await? else {
        return Err(AccountError::InvalidToken);
    };
    let new = check_new(state, &user, &input.password, &input.password_confirm)?;
    let hash = state.hasher.hash(&new).await?;
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    // Consuming inside the write transaction makes a replayed link fail even when two race.
    if email_tokens::consume(
        &mut tx,
        &tokens::hash_token(&input.token),
        &[Purpose::ResetPassword],
        now,
    )
    .await?
    .is_none()
    {
        return Err(AccountError::InvalidToken);
    }
    replace_password(&mut tx, state, &user, &hash).await?;
    users::mark_verified(&mut tx, user.id, now).await?;
    let notice = messages::password_changed(&user.first_name, "reset");
    super::queue_mail(&mut tx, state, user.email.as_str(), &notice).await?;
    tx.commit().await?;
    state.mail_wakeup.wake();
    let pool = state.db.pool();
    let key = super::login::account_key(user.id);
    super::login::lift_lock(state, user.id).await?;
    auth_events::record(pool, AuthEvent::PasswordReset, Some(user.id), &key, ip, now).await?;
    tracing::info!(event = "password_reset", user_id = %user.id, "password reset; all sessions ended");
    Ok(user)
}

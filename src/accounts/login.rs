//! Sign-in with throttling, sign-out, and password confirmation. The same functions serve the
//! HTML form and the JSON API, so both share one throttle and one audit trail.

use unicode_normalization::UnicodeNormalization;

use super::AccountError;
use super::hashing::PasswordHasher;
use crate::db::auth_events::{self, AuthEvent};
use crate::db::users::{self, User};
use crate::state::AppState;

/// The typed login as the throttle and lookup see it: compatibility-normalised (so `ⓐⓛⓘⓒⓔ`
/// counts as `alice`), trimmed and lower-cased.
pub fn normalise_login(login: &str) -> String {
    login.nfkc().collect::<String>().trim().to_lowercase()
}

/// Signs in with email address or username. Unknown account, wrong password and a deactivated
/// account all give `InvalidCredentials`, after the same Argon2 work. `Unverified` is only told
/// to someone who knows the password.
#[tracing::instrument(name = "sign-in", skip_all, fields(ip))]
pub async fn sign_in(
    state: &AppState,
    login: &str,
    password: &str,
    ip: &str,
) -> Result<User, AccountError> {
    let pool = state.db.pool();
    let now = state.clock.unix();
    let login = normalise_login(login);
    let user = if login.is_empty() || login.chars().count() > 254 {
        None
    } else {
        users::find_by_login(pool, &login).await?
    };
    let user_id = user.as_ref().map(|u| u.id);
    let account_key = match &user {
        Some(u) => format!("user:{}", u.id),
        // Bounded, so any typed login fits the audit index (PostgreSQL's B-tree rows are limited).
        None if login.len() <= 254 => format!("login:{login}"),
        None => format!("login-sha256:{}", super::tokens::hash_token(&login)),
    };
    let ip_key = format!("ip:{ip}");

    if let Some(until) = auth_events::locked_until(pool, &[&account_key, &ip_key], now).await? {
        auth_events::record(
            pool,
            AuthEvent::LoginThrottled,
            user_id,
            &account_key,
            ip,
            now,
        )
        .await?;
        tracing::warn!(event = "login_throttled", user_id = ?user_id.map(|u| u.get()), ip, "sign-in refused: locked");
        return Err(AccountError::Throttled { until, now });
    }

    let stored = user.as_ref().map(|u| u.password_hash.as_str());
    let password_ok = !password.is_empty()
        && password.chars().count() <= 1024
        && state.hasher.verify(password, stored).await?;

    let mut user = match user {
        Some(u) if password_ok && u.active => u,
        _ => {
            tracing::warn!(event = "login_failure", user_id = ?user_id.map(|u| u.get()), ip, "sign-in failed");
            record_failure(state, user_id, &account_key, ip, now).await?;
            return Err(AccountError::InvalidCredentials);
        }
    };

    if !user.is_verified() {
        auth_events::record(
            pool,
            AuthEvent::LoginUnverified,
            Some(user.id),
            &account_key,
            ip,
            now,
        )
        .await?;
        tracing::info!(event = "login_unverified", user_id = %user.id, ip, "sign-in refused: email not verified");
        return Err(AccountError::Unverified);
    }

    auth_events::record(
        pool,
        AuthEvent::LoginSuccess,
        Some(user.id),
        &account_key,
        ip,
        now,
    )
    .await?;
    tracing::info!(event = "login_success", user_id = %user.id, ip, "signed in");
    if PasswordHasher::needs_rehash(&user.password_hash) {
        // Stored with older parameters: upgrade now that we hold the password.
        let new_hash = state.hasher.rehash(password).await?;
        if users::upgrade_password_hash(pool, user.id, &user.password_hash, &new_hash).await? {
            user.password_hash = new_hash;
        }
    }
    Ok(user)
}

/// Records a failed password check and locks the account key or the address once they reached
/// their limit within the lock window.
async fn record_failure(
    state: &AppState,
    user_id: Option<crate::domain::UserId>,
    account_key: &str,
    ip: &str,
    now: i64,
) -> Result<(), AccountError> {
    let pool = state.db.pool();
    let sec = &state.settings.security;
    auth_events::record(pool, AuthEvent::LoginFailure, user_id, account_key, ip, now).await?;
    let window_start = now - i64::from(sec.login_lock_minutes) * 60;
    let lock_until = now + i64::from(sec.login_lock_minutes) * 60;
    if auth_events::account_failures_since(pool, account_key, window_start).await?
        >= i64::from(sec.login_failures_per_account)
    {
        auth_events::lock(pool, account_key, lock_until).await?;
        tracing::warn!(event = "login_locked", user_id = ?user_id.map(|u| u.get()), "account locked");
    }
    if auth_events::ip_failures_since(pool, ip, window_start).await?
        >= i64::from(sec.login_failures_per_ip)
    {
        auth_events::lock(pool, &format!("ip:{ip}"), lock_until).await?;
        tracing::warn!(event = "login_locked", ip, "address locked");
    }
    Ok(())
}

/// Re-authentication before a sensitive change (email address, password) by someone already
/// signed in: the same failure count and lock as sign-in, so a stolen session or access token
/// cannot be used to guess the password without limit.
pub async fn confirm_password(
    state: &AppState,
    user: &User,
    password: &str,
    ip: &str,
) -> Result<bool, AccountError> {
    if password.is_empty() {
        // Nothing typed: not a guess.
        return Ok(false);
    }
    let now = state.clock.unix();
    let account_key = format!("user:{}", user.id);
    let ip_key = format!("ip:{ip}");
    if let Some(until) =
        auth_events::locked_until(state.db.pool(), &[&account_key, &ip_key], now).await?
    {
        return Err(AccountError::Throttled { until, now });
    }
    let ok = password.chars().count() <= 1024
        && state
            .hasher
            .verify(password, Some(&user.password_hash))
            .await?;
    if !ok {
        tracing::warn!(event = "login_failure", user_id = %user.id, ip, "password confirmation failed");
        record_failure(state, Some(user.id), &account_key, ip, now).await?;
    }
    Ok(ok)
}

/// Records a sign-out from the pages (the API's is `api_tokens::logout`); the caller ends the
/// session itself.
pub async fn sign_out(
    state: &AppState,
    user: crate::domain::UserId,
    ip: &str,
) -> Result<(), AccountError> {
    auth_events::record(
        state.db.pool(),
        AuthEvent::Logout,
        Some(user),
        &format!("user:{user}"),
        ip,
        state.clock.unix(),
    )
    .await?;
    tracing::info!(event = "logout", user_id = %user, "signed out");
    Ok(())
}

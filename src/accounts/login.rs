//! Sign-in with throttling. The same function serves the HTML form and (later) the JSON API,
//! so both share one throttle and one audit trail.

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
pub async fn sign_in(
    state: &AppState,
    login: &str,
    password: &str,
    ip: &str,
) -> Result<User, AccountError> {
    let pool = state.db.pool();
    let sec = &state.settings.security;
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
        None => format!("login:{login}"),
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
        tracing::warn!(event = "login_throttled", user_id = ?user_id.map(|u| u.0), ip, "sign-in refused: locked");
        return Err(AccountError::Throttled { until });
    }

    let stored = user.as_ref().map(|u| u.password_hash.as_str());
    let password_ok = !password.is_empty()
        && password.chars().count() <= 1024
        && state.hasher.verify(password, stored).await?;

    let user = match user {
        Some(u) if password_ok && u.active => u,
        _ => {
            auth_events::record(
                pool,
                AuthEvent::LoginFailure,
                user_id,
                &account_key,
                ip,
                now,
            )
            .await?;
            tracing::warn!(event = "login_failure", user_id = ?user_id.map(|u| u.0), ip, "sign-in failed");
            let window_start = now - i64::from(sec.login_lock_minutes) * 60;
            let lock_until = now + i64::from(sec.login_lock_minutes) * 60;
            if auth_events::account_failures_since(pool, &account_key, window_start).await?
                >= i64::from(sec.login_failures_per_account)
            {
                auth_events::lock(pool, &account_key, lock_until).await?;
                tracing::warn!(event = "login_locked", user_id = ?user_id.map(|u| u.0), "account locked");
            }
            if auth_events::ip_failures_since(pool, ip, window_start).await?
                >= i64::from(sec.login_failures_per_ip)
            {
                auth_events::lock(pool, &ip_key, lock_until).await?;
                tracing::warn!(event = "login_locked", ip, "address locked");
            }
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
        users::upgrade_password_hash(pool, user.id, &user.password_hash, &new_hash).await?;
    }
    Ok(user)
}

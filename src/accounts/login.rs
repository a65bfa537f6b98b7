//! Sign-in with throttling, sign-out, and password confirmation. The same functions serve the
//! HTML form and the JSON API, so both share one throttle and one audit trail.
//!
//! The throttle reserves each attempt before the password is checked: one atomic count per
//! account and per address (`db::throttle`), so attempts sent at the same moment cannot all
//! pass a check made before any of them failed. At most the limit's worth of passwords are ever
//! verified per window; the limit-th failure locks the key for the lock window.

use unicode_normalization::UnicodeNormalization;

use super::AccountError;
use super::hashing::PasswordHasher;
use crate::db::auth_events::{self, AuthEvent};
use crate::db::throttle;
use crate::db::users::{self, User};
use crate::domain::UserId;
use crate::state::AppState;

/// The typed login as the throttle and lookup see it: compatibility-normalised (so `ⓐⓛⓘⓒⓔ`
/// counts as `alice`), trimmed and lower-cased.
pub fn normalise_login(login: &str) -> String {
    login.nfkc().collect::<String>().trim().to_lowercase()
}

/// The throttle key of an account (also used by password resets, which lift its lock).
pub fn account_key(user: UserId) -> String {
    format!("user:{user}")
}

/// An attempt that was let through to the password check, and the counts it was given.
struct Reservation {
    account_key: String,
    ip: String,
    account_hits: i64,
    ip_hits: i64,
}

fn counter(key: &str) -> String {
    format!("login:{key}")
}

fn ip_counter(ip: &str) -> String {
    format!("login-ip:{ip}")
}

/// Refuses a locked account or address, then counts this attempt for both; an attempt over
/// either limit is refused without checking the password, and the key is locked.
async fn reserve(
    state: &AppState,
    user_id: Option<UserId>,
    account_key: &str,
    ip: &str,
) -> Result<Reservation, AccountError> {
    let pool = state.db.pool();
    let sec = &state.settings.security;
    let now = state.clock.unix();
    let window = i64::from(sec.login_lock_minutes) * 60;
    let ip_key = format!("ip:{ip}");
    let refuse = |until: i64| async move {
        auth_events::record(
            pool,
            AuthEvent::LoginThrottled,
            user_id,
            account_key,
            ip,
            now,
        )
        .await?;
        tracing::warn!(event = "login_throttled", user_id = ?user_id.map(|u| u.get()), ip, "sign-in refused: locked");
        Err::<Reservation, _>(AccountError::Throttled { until, now })
    };
    if let Some(until) = auth_events::locked_until(pool, &[account_key, &ip_key], now).await? {
        return refuse(until).await;
    }
    let account = throttle::take(pool, &counter(account_key), now, window).await?;
    let address = throttle::take(pool, &ip_counter(ip), now, window).await?;
    let over_account = account.hits > i64::from(sec.login_failures_per_account);
    let over_address = address.hits > i64::from(sec.login_failures_per_ip);
    if over_account || over_address {
        let until = now + window;
        if over_account {
            auth_events::lock(pool, account_key, until).await?;
        }
        if over_address {
            auth_events::lock(pool, &ip_key, until).await?;
        }
        return refuse(until).await;
    }
    Ok(Reservation {
        account_key: account_key.to_string(),
        ip: ip.to_string(),
        account_hits: account.hits,
        ip_hits: address.hits,
    })
}

/// Tell how many attempts are left once this few remain.
const WARN_WHEN_LEFT: i64 = 2;

impl Reservation {
    /// The password was wrong: the attempt stays counted, and the limit-th one locks (and tells
    /// the account's owner, once per lock). Returns the attempts left before the lock, once
    /// [`WARN_WHEN_LEFT`] or fewer remain.
    async fn failed(
        self,
        state: &AppState,
        user: Option<&User>,
    ) -> Result<Option<i64>, AccountError> {
        let user_id = user.map(|u| u.id);
        let pool = state.db.pool();
        let sec = &state.settings.security;
        let now = state.clock.unix();
        let ip = self.ip.as_str();
        auth_events::record(
            pool,
            AuthEvent::LoginFailure,
            user_id,
            &self.account_key,
            ip,
            now,
        )
        .await?;
        state.metrics.sign_in_failed();
        let until = now + i64::from(sec.login_lock_minutes) * 60;
        let limit = i64::from(sec.login_failures_per_account);
        if self.account_hits >= limit {
            auth_events::lock(pool, &self.account_key, until).await?;
            tracing::warn!(event = "login_locked", user_id = ?user_id.map(|u| u.get()), "account locked");
            state.metrics.sign_in_locked();
            // The counter is atomic: exactly one attempt reaches the limit, so one mail per lock.
            if let Some(u) = user.filter(|u| self.account_hits == limit && u.active) {
                tell_owner_of_lock(state, u, until).await?;
            }
        }
        if self.ip_hits >= i64::from(sec.login_failures_per_ip) {
            auth_events::lock(pool, &format!("ip:{ip}"), until).await?;
            tracing::warn!(event = "login_locked", ip, "address locked");
            state.metrics.sign_in_locked();
        }
        let left =
            (limit - self.account_hits).min(i64::from(sec.login_failures_per_ip) - self.ip_hits);
        Ok((left <= WARN_WHEN_LEFT).then_some(left.max(0)))
    }

    /// The password was right: the account's count starts again and the address gets its
    /// attempt back.
    async fn succeeded(self, state: &AppState) -> Result<(), AccountError> {
        let pool = state.db.pool();
        throttle::reset(pool, &counter(&self.account_key)).await?;
        throttle::give_back(pool, &ip_counter(&self.ip)).await?;
        Ok(())
    }
}

/// Mails the owner of a paused account, with a reset link (which also lifts the pause).
async fn tell_owner_of_lock(state: &AppState, user: &User, until: i64) -> Result<(), AccountError> {
    let now = state.clock.unix();
    let when = crate::clock::format_local(until, now, &state.settings.store.time_zone);
    let mut tx = state.db.begin_write().await?;
    let token = super::verification::issue_token(
        &mut tx,
        state,
        user.id,
        &user.email,
        crate::db::email_tokens::Purpose::ResetPassword,
    )
    .await?;
    let mail = crate::email::messages::sign_in_paused(
        &state.settings.server.base_url,
        &user.first_name,
        &when,
        &token,
    );
    super::queue_mail(&mut tx, state, user.email.as_str(), &mail).await?;
    tx.commit().await?;
    state.mail_wakeup.wake();
    Ok(())
}

/// Lifts an account's lock and forgets its count (after a password reset by mailed link).
pub async fn lift_lock(state: &AppState, user: UserId) -> Result<(), AccountError> {
    let pool = state.db.pool();
    let key = account_key(user);
    auth_events::unlock(pool, &key).await?;
    throttle::reset(pool, &counter(&key)).await?;
    Ok(())
}

/// Signs in with email address or username. Unknown account and wrong password give
/// `InvalidCredentials`, after the same Argon2 work. `Unverified` and `Deactivated` are only
/// told to someone who knows the password.
#[tracing::instrument(name = "sign-in", skip_all, fields(ip))]
pub async fn sign_in(
    state: &AppState,
    login: &str,
    password: &str,
    ip: &str,
) -> Result<User, AccountError> {
    let pool = state.db.pool();
    let login = normalise_login(login);
    let user = if login.is_empty() || login.chars().count() > 254 {
        None
    } else {
        users::find_by_login(pool, &login).await?
    };
    let user_id = user.as_ref().map(|u| u.id);
    let key = match &user {
        Some(u) => account_key(u.id),
        // Bounded, so any typed login fits the audit index (PostgreSQL's B-tree rows are limited).
        None if login.len() <= 254 => format!("login:{login}"),
        None => format!("login-sha256:{}", super::tokens::hash_token(&login)),
    };
    let reservation = reserve(state, user_id, &key, ip).await?;

    let stored = user.as_ref().map(|u| u.password_hash.as_str());
    let password_ok = !password.is_empty()
        && password.chars().count() <= 1024
        && state.hasher.verify(password, stored).await?;

    let mut user = match user {
        Some(u) if password_ok && u.active => u,
        Some(u) if password_ok => {
            reservation.succeeded(state).await?;
            tracing::info!(event = "login_deactivated", user_id = %u.id, ip, "sign-in refused: account deactivated");
            return Err(AccountError::Deactivated);
        }
        other => {
            tracing::warn!(event = "login_failure", user_id = ?user_id.map(|u| u.get()), ip, "sign-in failed");
            let attempts_left = reservation.failed(state, other.as_ref()).await?;
            return Err(AccountError::InvalidCredentials { attempts_left });
        }
    };
    reservation.succeeded(state).await?;
    let now = state.clock.unix();

    if !user.is_verified() {
        auth_events::record(
            pool,
            AuthEvent::LoginUnverified,
            Some(user.id),
            &key,
            ip,
            now,
        )
        .await?;
        tracing::info!(event = "login_unverified", user_id = %user.id, ip, "sign-in refused: email not verified");
        return Err(AccountError::Unverified);
    }

    auth_events::record(pool, AuthEvent::LoginSuccess, Some(user.id), &key, ip, now).await?;
    tracing::info!(event = "login_success", user_id = %user.id, ip, "signed in");
    // Orders placed as a guest with this verified address since it was confirmed join the
    // account now (those placed before joined it at confirmation).
    if crate::db::guest_orders::waiting(pool, user.email.as_str()).await? {
        let mut tx = state.db.begin_write().await?;
        crate::db::guest_orders::attach(&mut tx, user.id, user.email.as_str()).await?;
        tx.commit().await?;
    }
    if PasswordHasher::needs_rehash(&user.password_hash) {
        // Stored with older parameters: upgrade now that we hold the password.
        let new_hash = state.hasher.rehash(password).await?;
        if users::upgrade_password_hash(pool, user.id, &user.password_hash, &new_hash).await? {
            user.password_hash = new_hash;
        }
    }
    Ok(user)
}

/// Re-authentication before a sensitive change (email address, password) by someone already
/// signed in: the same reservation, count and lock as sign-in, so a stolen session or access
/// token cannot be used to guess the password without limit.
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
    let reservation = reserve(state, Some(user.id), &account_key(user.id), ip).await?;
    let ok = password.chars().count() <= 1024
        && state
            .hasher
            .verify(password, Some(&user.password_hash))
            .await?;
    if ok {
        reservation.succeeded(state).await?;
    } else {
        tracing::warn!(event = "login_failure", user_id = %user.id, ip, "password confirmation failed");
        reservation.failed(state, Some(user)).await?;
    }
    Ok(ok)
}

/// Records a sign-out from the pages (the API's is `api_tokens::logout`); the caller ends the
/// session itself.
pub async fn sign_out(state: &AppState, user: UserId, ip: &str) -> Result<(), AccountError> {
    auth_events::record(
        state.db.pool(),
        AuthEvent::Logout,
        Some(user),
        &account_key(user),
        ip,
        state.clock.unix(),
    )
    .await?;
    tracing::info!(event = "logout", user_id = %user, "signed out");
    Ok(())
}

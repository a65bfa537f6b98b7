//! Tokens of the JSON API. An API sign-in (the same `login::sign_in` as the HTML form: one
//! throttle, one audit trail) opens a token *family*: a short-lived JWT access token and an opaque
//! refresh token. Refreshing rotates the refresh token; presenting a used one again revokes the
//! family. Every access token names its family (`sid`), so revoking a family (logout, reuse,
//! password change, deactivation) stops its access tokens at once, not only at expiry.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::tokens::hash_token;
use super::{AccountError, login};
use crate::db::Tx;
use crate::db::api_tokens as db;
use crate::db::auth_events::{self, AuthEvent};
use crate::db::users::{self, User};
use crate::domain::UserId;
use crate::state::AppState;

pub const ISSUER: &str = "emporium";
pub const AUDIENCE: &str = "emporium-api";
const ACCESS: &str = "access";

/// The HS256 key and the only validation rules a token is checked with.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    /// From `security.jwt_secret`, or 256 random bits when it is not set.
    pub fn new(secret: Option<&SecretString>) -> Self {
        let bytes: Vec<u8> = match secret {
            Some(s) => s.expose_secret().as_bytes().to_vec(),
            None => rand::random::<[u8; 32]>().to_vec(),
        };
        // Only HS256; `exp` is checked against the store's clock below (tests move it), so the
        // library's own wall-clock check is off and there is no leeway.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = 0;
        validation.validate_exp = false;
        Self {
            encoding: EncodingKey::from_secret(&bytes),
            decoding: DecodingKey::from_secret(&bytes),
            validation,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub iss: String,
    pub aud: String,
    /// Token type: only `access` tokens are JWTs here; anything else is refused.
    pub typ: String,
    /// The token family (API sign-in) this token belongs to.
    pub sid: String,
}

/// A verified access token and the account it speaks for.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub user: User,
    pub claims: Claims,
}

#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Missing, malformed, forged, expired, revoked, of the wrong type, or the account can no
    /// longer sign in. The reason is logged, the client only learns "401".
    #[error("token refused: {0}")]
    Refused(&'static str),
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error("token could not be signed")]
    Sign(#[from] jsonwebtoken::errors::Error),
}

fn random_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

fn access_seconds(state: &AppState) -> i64 {
    i64::from(state.settings.api.access_token_minutes) * 60
}

fn refresh_seconds(state: &AppState) -> i64 {
    i64::from(state.settings.api.refresh_token_days) * 24 * 3600
}

/// Writes a new refresh token of `family` and signs an access token for it.
async fn issue(
    tx: &mut Tx,
    state: &AppState,
    user: UserId,
    family: &str,
    now: i64,
) -> Result<TokenPair, TokenError> {
    let (refresh, hash) = super::tokens::new_token();
    db::insert_refresh(tx, &hash, family, now, now + refresh_seconds(state)).await?;
    let claims = Claims {
        sub: user.to_string(),
        exp: now + access_seconds(state),
        iat: now,
        jti: random_id(),
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        typ: ACCESS.into(),
        sid: family.to_string(),
    };
    let access =
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &state.jwt.encoding)?;
    Ok(TokenPair {
        access_token: access,
        expires_in: access_seconds(state),
        refresh_token: refresh,
    })
}

/// Signs in (same checks, throttle and audit as the sign-in page) and opens a token family.
pub async fn login(
    state: &AppState,
    login: &str,
    password: &str,
    ip: &str,
) -> Result<TokenPair, AccountError> {
    let user = login::sign_in(state, login, password, ip).await?;
    let now = state.clock.unix();
    let family = random_id();
    let mut tx = state.db.begin_write().await?;
    // A password change (or deactivation) that committed since the check above revoked every
    // family; this sign-in must not open a new one after it.
    if !users::lock_if_password(&mut tx, user.id, &user.password_hash).await? {
        return Err(AccountError::InvalidCredentials {
            attempts_left: None,
        });
    }
    db::create_family(&mut tx, &family, user.id, now, now + refresh_seconds(state)).await?;
    let pair = issue(&mut tx, state, user.id, &family, now)
        .await
        .map_err(|e| AccountError::Internal(e.into()))?;
    tx.commit().await?;
    Ok(pair)
}

/// Trades a refresh token for a new pair. A token presented twice revokes its whole family, so
/// a thief and the rightful client both have to sign in again.
pub async fn refresh(state: &AppState, token: &str, ip: &str) -> Result<TokenPair, TokenError> {
    let now = state.clock.unix();
    let token = token.trim();
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(TokenError::Refused("malformed refresh token"));
    }
    let hash = hash_token(token);
    // Unknown tokens are refused on a plain read: guessing costs no write lock.
    if db::find_refresh(state.db.pool(), &hash).await?.is_none() {
        return Err(TokenError::Refused("unknown refresh token"));
    }
    let mut tx = state.db.begin_write().await?;
    let Some(row) = db::find_refresh(&mut *tx, &hash).await? else {
        return Err(TokenError::Refused("unknown refresh token"));
    };
    if row.revoked_at.is_some() {
        return Err(TokenError::Refused("refresh token of a revoked family"));
    }
    if row.used_at.is_some() || !db::mark_used(&mut tx, &hash, now).await? {
        db::revoke_family(&mut *tx, &row.family_id, now, "reuse").await?;
        tx.commit().await?;
        let user = row.user_id;
        auth_events::record(
            state.db.pool(),
            AuthEvent::TokenReuse,
            Some(user),
            &format!("user:{user}"),
            ip,
            now,
        )
        .await?;
        tracing::warn!(event = "token_reuse", user_id = %user, ip, "used refresh token presented again: family revoked");
        return Err(TokenError::Refused("refresh token reused"));
    }
    if row.expires_at <= now {
        return Err(TokenError::Refused("refresh token expired"));
    }
    let user = users::find(state.db.pool(), row.user_id).await?;
    if !user.as_ref().is_some_and(|u| u.active && u.is_verified()) {
        db::revoke_family(&mut *tx, &row.family_id, now, "account").await?;
        tx.commit().await?;
        return Err(TokenError::Refused("account can no longer sign in"));
    }
    let pair = issue(&mut tx, state, row.user_id, &row.family_id, now).await?;
    tx.commit().await?;
    Ok(pair)
}

/// Checks a bearer token: signature, algorithm, issuer, audience, type, expiry on the store's
/// clock, then the database (family and token not revoked, account active and verified).
pub async fn authenticate(state: &AppState, token: &str) -> Result<Bearer, TokenError> {
    let data = jsonwebtoken::decode::<Claims>(token, &state.jwt.decoding, &state.jwt.validation)
        .map_err(|e| {
            tracing::debug!(error = %e, "bearer token refused");
            TokenError::Refused("invalid token")
        })?;
    let claims = data.claims;
    if claims.typ != ACCESS {
        return Err(TokenError::Refused("not an access token"));
    }
    let now = state.clock.unix();
    if claims.exp <= now {
        return Err(TokenError::Refused("expired"));
    }
    if claims.iat > now + 60 {
        return Err(TokenError::Refused("issued in the future"));
    }
    let Ok(id) = claims.sub.parse::<i64>() else {
        return Err(TokenError::Refused("bad subject"));
    };
    let id = UserId::new(id);
    let pool = state.db.pool();
    if !db::access_allowed(pool, &claims.sid, id, &claims.jti).await? {
        return Err(TokenError::Refused("revoked"));
    }
    match users::find(pool, id).await? {
        Some(user) if user.active && user.is_verified() => Ok(Bearer { user, claims }),
        _ => Err(TokenError::Refused("account can no longer sign in")),
    }
}

/// Ends an API sign-in: this access token (by `jti`, until it expires) and its family.
pub async fn logout(state: &AppState, bearer: &Bearer, ip: &str) -> Result<(), TokenError> {
    let now = state.clock.unix();
    let pool = state.db.pool();
    db::revoke_access(pool, &bearer.claims.jti, bearer.claims.exp).await?;
    db::revoke_family(pool, &bearer.claims.sid, now, "logout").await?;
    auth_events::record(
        pool,
        AuthEvent::Logout,
        Some(bearer.user.id),
        &format!("user:{}", bearer.user.id),
        ip,
        now,
    )
    .await?;
    tracing::info!(event = "api_logout", user_id = %bearer.user.id, "API tokens revoked");
    Ok(())
}

/// Revokes every API token of a user (password change or reset, deactivation).
pub async fn revoke_all<'e, E>(
    exec: E,
    user: UserId,
    now: i64,
    why: &str,
) -> Result<u64, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    db::revoke_all_for_user(exec, user, now, why).await
}

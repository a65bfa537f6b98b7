//! Argon2id (m = 19456 KiB, t = 2, p = 1) on blocking threads, with a cap on how many run at once.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::domain::Password;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2: {0}")]
    Argon2(String),
    #[error("the hashing task failed")]
    Join(#[from] tokio::task::JoinError),
    #[error("the hashing pool is closed")]
    Closed,
}

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

fn params() -> Params {
    // OWASP's first choice; the values are constants, so this cannot fail.
    Params::new(19_456, 2, 1, None).unwrap_or_default()
}

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Verified against when the account does not exist, so both cases take the same time.
    dummy: Arc<str>,
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize) -> Result<Self, HashError> {
        let dummy = argon2()
            .hash_password(b"a password nobody has, for timing parity")
            .map_err(|e| HashError::Argon2(e.to_string()))?
            .to_string();
        Ok(Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            dummy: dummy.into(),
        })
    }

    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        self.hash_secret(SecretString::from(password.expose()))
            .await
    }

    /// Hashes a password that was just verified against an older hash (parameter upgrade);
    /// it is not checked against today's policy, which it may predate.
    pub async fn rehash(&self, verified: &str) -> Result<String, HashError> {
        self.hash_secret(SecretString::from(Password::normalise(verified)))
            .await
    }

    async fn hash_secret(&self, secret: SecretString) -> Result<String, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| HashError::Closed)?;
        tokio::task::spawn_blocking(move || {
            argon2()
                .hash_password(secret.expose_secret().as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| HashError::Argon2(e.to_string()))
        })
        .await?
    }

    /// Checks a typed password against a stored hash, or against a dummy hash when there is none.
    pub async fn verify(&self, candidate: &str, stored: Option<&str>) -> Result<bool, HashError> {
        let exists = stored.is_some();
        let candidate = SecretString::from(Password::normalise(candidate));
        let stored = stored
            .map(str::to_string)
            .unwrap_or_else(|| self.dummy.to_string());
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| HashError::Closed)?;
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&stored)
                .map(|h| {
                    argon2()
                        .verify_password(candidate.expose_secret().as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await?;
        Ok(ok && exists)
    }

    /// True when a stored hash was made with other parameters than today's (upgrade at sign-in).
    pub fn needs_rehash(stored: &str) -> bool {
        let Ok(h) = PasswordHash::new(stored) else {
            return true;
        };
        let current = params();
        let get = |name: &str| h.params.get_decimal(name);
        h.algorithm.as_str() != "argon2id"
            || get("m") != Some(current.m_cost())
            || get("t") != Some(current.t_cost())
            || get("p") != Some(current.p_cost())
    }
}

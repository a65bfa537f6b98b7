//! Argon2id (m = 19456 KiB, t = 2, p = 1) on blocking threads, with a bound on CPU and memory.
//!
//! Each computation needs 19 MiB of working memory. Allocating it per call let the allocator
//! keep the freed blocks (a storm of sign-ins left the process at ~2 GiB for good), so the
//! hasher owns at most `max_concurrent_hashes` buffers, reuses them, and lets no more
//! computations run at once. A bounded number of callers may wait for a buffer; beyond that, or
//! after waiting too long, a caller gets [`HashError::Busy`] at once (answered as 503 with
//! `Retry-After`), so a flood costs neither memory nor minutes of queueing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

use crate::domain::Password;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2: {0}")]
    Argon2(String),
    #[error("the hashing task failed")]
    Join(#[from] tokio::task::JoinError),
    /// Too many password checks are running or waiting; try again in a moment.
    #[error("too many password checks at once")]
    Busy,
}

/// How long a caller waits for a free hashing slot before it is told to come back.
const MAX_WAIT: Duration = Duration::from_secs(10);
/// Waiting callers allowed per slot; more are refused at once.
const WAITERS_PER_SLOT: usize = 8;

fn params() -> Params {
    // OWASP's first choice; the values are constants, so this cannot fail.
    Params::new(19_456, 2, 1, None).unwrap_or_default()
}

fn argon2_with(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Working memory for one computation, reused across calls.
type Memory = Vec<Block>;

struct Pool {
    permits: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    buffers: Mutex<Vec<Memory>>,
    blocks: usize,
}

impl Pool {
    fn take(&self) -> Memory {
        let reused = self.buffers.lock().ok().and_then(|mut b| b.pop());
        reused.unwrap_or_else(|| vec![Block::new(); self.blocks])
    }

    fn give_back(&self, memory: Memory) {
        if let Ok(mut b) = self.buffers.lock() {
            b.push(memory);
        }
    }
}

#[derive(Clone)]
pub struct PasswordHasher {
    pool: Arc<Pool>,
    /// Verified against when the account does not exist, so both cases take the same time.
    dummy: Arc<str>,
}

/// Hashes `password` with `salt` into a PHC string, in `memory`.
fn hash_into(password: &[u8], salt: &Salt, memory: &mut [Block]) -> Result<String, HashError> {
    let params = params();
    let mut out = [0u8; 32];
    argon2_with(params.clone())
        .hash_password_into_with_memory(password, salt.as_ref(), &mut out, &mut *memory)
        .map_err(|e| HashError::Argon2(e.to_string()))?;
    let hash = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| HashError::Argon2(e.to_string()))?,
        salt: Some(*salt),
        hash: Some(Output::new(&out).map_err(|e| HashError::Argon2(e.to_string()))?),
    };
    Ok(hash.to_string())
}

/// Checks `password` against a stored PHC string, computing in `memory` (a hash made with more
/// memory than today's parameters gets its own, once).
fn verify_in(password: &[u8], stored: &str, memory: &mut [Block]) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
        Algorithm::new(hash.algorithm.as_str()),
        Params::try_from(&hash),
        hash.salt,
        hash.hash,
    ) else {
        return false;
    };
    let version = hash
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or_default();
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    let done = if blocks <= memory.len() {
        argon2.hash_password_into_with_memory(password, salt.as_ref(), &mut out, memory)
    } else {
        argon2.hash_password_into(password, salt.as_ref(), &mut out)
    };
    done.is_ok() && bool::from(out.ct_eq(expected.as_bytes()))
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize) -> Result<Self, HashError> {
        let slots = max_concurrent.max(1);
        let blocks = params().block_count();
        let mut memory = vec![Block::new(); blocks];
        let dummy = hash_into(
            b"a password nobody has, for timing parity",
            &Salt::generate(),
            &mut memory,
        )?;
        let pool = Pool {
            permits: Semaphore::new(slots),
            waiting: AtomicUsize::new(0),
            max_waiting: slots * WAITERS_PER_SLOT,
            buffers: Mutex::new(vec![memory]),
            blocks,
        };
        Ok(Self {
            pool: Arc::new(pool),
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

    /// Runs `work` on a blocking thread with a pooled buffer, once a slot is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let pool = &self.pool;
        if pool.waiting.fetch_add(1, Ordering::AcqRel) >= pool.max_waiting {
            pool.waiting.fetch_sub(1, Ordering::AcqRel);
            tracing::warn!("password hashing refused: too many waiting");
            return Err(HashError::Busy);
        }
        let permit = tokio::time::timeout(MAX_WAIT, pool.permits.acquire()).await;
        pool.waiting.fetch_sub(1, Ordering::AcqRel);
        let Ok(Ok(_permit)) = permit else {
            tracing::warn!("password hashing refused: no slot within the wait");
            return Err(HashError::Busy);
        };
        let pool = self.pool.clone();
        Ok(tokio::task::spawn_blocking(move || {
            let mut memory = pool.take();
            let result = work(&mut memory);
            pool.give_back(memory);
            result
        })
        .await?)
    }

    async fn hash_secret(&self, secret: SecretString) -> Result<String, HashError> {
        let salt = Salt::generate();
        self.run(move |memory| hash_into(secret.expose_secret().as_bytes(), &salt, memory))
            .await?
    }

    /// Checks a typed password against a stored hash, or against a dummy hash when there is none.
    pub async fn verify(&self, candidate: &str, stored: Option<&str>) -> Result<bool, HashError> {
        let exists = stored.is_some();
        let candidate = SecretString::from(Password::normalise(candidate));
        let stored = stored
            .map(str::to_string)
            .unwrap_or_else(|| self.dummy.to_string());
        let ok = self
            .run(move |memory| verify_in(candidate.expose_secret().as_bytes(), &stored, memory))
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

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordVerifier as _;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_storm_uses_at_most_one_buffer_per_slot_and_refuses_the_overflow() {
        let hasher = PasswordHasher::new(2).unwrap();
        // Both slots busy: every caller has to wait, and only 2 × 8 may.
        let held = hasher.pool.permits.acquire_many(2).await.unwrap();
        let stored = hasher.dummy.to_string();
        let storm: Vec<_> = (0..40)
            .map(|_| {
                let h = hasher.clone();
                let stored = stored.clone();
                tokio::spawn(async move { h.verify("wrong", Some(&stored)).await })
            })
            .collect();
        // Every caller has arrived: 16 wait, the 24 others were turned away.
        while hasher.pool.waiting.load(Ordering::Acquire) < 16
            || storm.iter().filter(|t| t.is_finished()).count() < 24
        {
            tokio::task::yield_now().await;
        }
        drop(held);
        let results = futures_util::future::join_all(storm).await;
        let busy = results
            .iter()
            .filter(|r| matches!(r, Ok(Err(HashError::Busy))))
            .count();
        let checked = results
            .iter()
            .filter(|r| matches!(r, Ok(Ok(false))))
            .count();
        assert_eq!((checked, busy), (16, 24));
        let buffers = hasher.pool.buffers.lock().unwrap().len();
        assert!(buffers <= 2, "{buffers} buffers kept");
    }

    #[test]
    fn pooled_hashes_are_standard_argon2id() {
        let mut memory = vec![Block::new(); params().block_count()];
        let phc = hash_into(b"correct horse", &Salt::generate(), &mut memory).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        // The crate's own verifier agrees, and ours agrees with it, reusing the buffer.
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(
            argon2_with(params())
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        assert!(verify_in(b"correct horse", &phc, &mut memory));
        assert!(!verify_in(b"correct horsE", &phc, &mut memory));
        // A hash with smaller parameters (older settings) still verifies in the same buffer.
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8_192, 1, 1, None).unwrap(),
        );
        use argon2::password_hash::PasswordHasher as _;
        let old = small.hash_password(b"pw").unwrap().to_string();
        assert!(verify_in(b"pw", &old, &mut memory));
        assert!(PasswordHasher::needs_rehash(&old));
    }
}

//! actix-session store kept in the store's own database (SQLite or PostgreSQL), so ending a
//! session really ends it: a copied cookie of a deleted session is worthless.
//! The cookie holds a random 256-bit key; the table holds only its SHA-256.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;

use crate::accounts::tokens;
use crate::clock::Clock;
use crate::db::{Db, sessions};

pub const USER_ID: &str = "user_id";

/// Refresh `last_seen_at` at most this often, so ordinary page views rarely write.
const TOUCH_EVERY: i64 = 60;

#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    clock: Clock,
    idle_seconds: i64,
    absolute_seconds: i64,
}

type State = HashMap<String, String>;

impl DbSessionStore {
    pub fn new(db: Db, clock: Clock, idle_minutes: u32, absolute_hours: u32) -> Self {
        Self {
            db,
            clock,
            idle_seconds: i64::from(idle_minutes) * 60,
            absolute_seconds: i64::from(absolute_hours) * 3600,
        }
    }

    fn user_id(state: &State) -> Option<i64> {
        state
            .get(USER_ID)
            .and_then(|v| serde_json::from_str(v).ok())
    }

    async fn insert(&self, state: &State) -> Result<SessionKey, anyhow::Error> {
        let (key, hash) = tokens::new_token();
        let now = self.clock.unix();
        let json = serde_json::to_string(state)?;
        sessions::insert(
            self.db.pool(),
            &hash,
            Self::user_id(state),
            &json,
            now,
            now + self.idle_seconds,
        )
        .await?;
        Ok(SessionKey::try_from(key)?)
    }
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let id = tokens::hash_token(key.as_ref());
        let pool = self.db.pool();
        let Some(row) = sessions::load(pool, &id)
            .await
            .map_err(|e| LoadError::Other(e.into()))?
        else {
            return Ok(None);
        };
        let now = self.clock.unix();
        if row.expires_at <= now || row.created_at + self.absolute_seconds <= now {
            sessions::delete(pool, &id)
                .await
                .map_err(|e| LoadError::Other(e.into()))?;
            return Ok(None);
        }
        if now - row.last_seen_at >= TOUCH_EVERY {
            sessions::touch(pool, &id, now, now + self.idle_seconds)
                .await
                .map_err(|e| LoadError::Other(e.into()))?;
        }
        let state =
            serde_json::from_str(&row.state).map_err(|e| LoadError::Deserialization(e.into()))?;
        Ok(Some(state))
    }

    async fn save(&self, state: State, _ttl: &Duration) -> Result<SessionKey, SaveError> {
        self.insert(&state).await.map_err(SaveError::Other)
    }

    async fn update(
        &self,
        key: SessionKey,
        mut state: State,
        _ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let id = tokens::hash_token(key.as_ref());
        let now = self.clock.unix();
        let json =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let updated = sessions::update(
            self.db.pool(),
            &id,
            Self::user_id(&state),
            &json,
            now,
            now + self.idle_seconds,
        )
        .await
        .map_err(|e| UpdateError::Other(e.into()))?;
        if updated {
            return Ok(key);
        }
        // The session was ended (sign-out elsewhere, password change) while this request ran:
        // keep its harmless parts (flash, CSRF token) in a new session, never the sign-in.
        state.remove(USER_ID);
        self.insert(&state).await.map_err(UpdateError::Other)
    }

    async fn update_ttl(&self, key: &SessionKey, _ttl: &Duration) -> Result<(), anyhow::Error> {
        let now = self.clock.unix();
        sessions::touch(
            self.db.pool(),
            &tokens::hash_token(key.as_ref()),
            now,
            now + self.idle_seconds,
        )
        .await?;
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        sessions::delete(self.db.pool(), &tokens::hash_token(key.as_ref())).await?;
        Ok(())
    }
}

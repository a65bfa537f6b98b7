//! The admin audit log: who changed what, and when.

use sqlx::{AnyPool, FromRow};

use super::{DbError, Tx};
use crate::domain::UserId;

pub struct Entry<'a> {
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    /// What changed, as a short human-readable text (`price: 12.50 → 9.99; stock: 3 → 10`).
    pub details: &'a str,
}

/// Builds an entry's `details`: each changed field as `field: before → after`.
#[derive(Debug, Default)]
pub struct Changes(Vec<String>);

impl Changes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes the field if its value changed.
    pub fn field(&mut self, name: &str, before: &str, after: &str) -> &mut Self {
        if before != after {
            self.0.push(format!("{name}: {before} \u{2192} {after}"));
        }
        self
    }

    /// A change told in words (a long text that changed, a new image).
    pub fn note(&mut self, text: impl Into<String>) -> &mut Self {
        self.0.push(text.into());
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn text(&self) -> String {
        self.0.join("; ")
    }
}

pub async fn record(tx: &mut Tx, e: &Entry<'_>, now: i64) -> Result<(), DbError> {
    sqlx::query("INSERT INTO audit_log (at, actor_id, action, entity, entity_id, details) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(now)
        .bind(e.actor)
        .bind(e.action)
        .bind(e.entity)
        .bind(e.entity_id)
        .bind(e.details)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub at: i64,
    pub actor: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub details: String,
}

pub async fn recent(pool: &AnyPool, limit: i64) -> Result<Vec<AuditRow>, DbError> {
    sqlx::query_as(
        "SELECT a.at, u.username AS actor, a.action, a.entity, a.entity_id, a.details FROM audit_log a \
         LEFT JOIN users u ON u.id = a.actor_id ORDER BY a.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}

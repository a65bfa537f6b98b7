//! The outgoing mail queue: written inside the transaction of the change that causes a mail,
//! claimed and delivered by the worker (`email::queue`), retried with back-off.

use sqlx::{AnyPool, FromRow};

use super::{DbError, Tx};

pub struct NewMail<'a> {
    pub recipient: &'a str,
    pub subject: &'a str,
    /// The message as JSON (`email::EmailContent`).
    pub content: &'a str,
    pub attachment: Option<&'a str>,
}

pub async fn enqueue(tx: &mut Tx, m: &NewMail<'_>, now: i64) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO mail_queue (recipient, subject, content, attachment, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, 'queued', 0, $5, $5)",
    )
    .bind(m.recipient)
    .bind(m.subject)
    .bind(m.content)
    .bind(m.attachment)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct QueuedMail {
    pub id: i64,
    pub recipient: String,
    pub content: String,
    pub attachment: Option<String>,
    pub attempts: i64,
}

/// Mails due for (another) attempt that no worker holds, oldest first.
pub async fn due(pool: &AnyPool, now: i64, limit: i64) -> Result<Vec<QueuedMail>, DbError> {
    sqlx::query_as(
        "SELECT id, recipient, content, attachment, attempts FROM mail_queue \
         WHERE status = 'queued' AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1) \
         ORDER BY id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Takes a mail for delivery until `until`; false when another worker took it first, or has
/// already tried it meanwhile (then it is not due again until its back-off ends).
pub async fn claim(pool: &AnyPool, id: i64, now: i64, until: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE mail_queue SET claimed_until = $3, attempts = attempts + 1 \
         WHERE id = $1 AND status = 'queued' AND next_attempt_at <= $2 \
         AND (claimed_until IS NULL OR claimed_until < $2)",
    )
    .bind(id)
    .bind(now)
    .bind(until)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_sent(pool: &AnyPool, id: i64, now: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE mail_queue SET status = 'sent', sent_at = $2, claimed_until = NULL, last_error = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// A failed attempt: try again at `next_at`, or give up (`next_at` None) and keep the mail as
/// failed for the staff to see.
pub async fn mark_failed_attempt(
    pool: &AnyPool,
    id: i64,
    next_at: Option<i64>,
    error: &str,
) -> Result<(), DbError> {
    match next_at {
        Some(t) => {
            sqlx::query(
                "UPDATE mail_queue SET next_attempt_at = $2, claimed_until = NULL, last_error = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(t)
            .bind(error)
            .execute(pool)
            .await?
        }
        None => {
            sqlx::query(
                "UPDATE mail_queue SET status = 'failed', claimed_until = NULL, last_error = $2 WHERE id = $1",
            )
            .bind(id)
            .bind(error)
            .execute(pool)
            .await?
        }
    };
    Ok(())
}

/// Mails still to be delivered now (queued and due, or being delivered).
pub async fn in_flight(pool: &AnyPool, now: i64) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_queue WHERE status = 'queued' AND (next_attempt_at <= $1 OR claimed_until >= $1)",
    )
    .bind(now)
    .fetch_one(pool)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct MailProblem {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// Mails that failed for good, and queued ones whose last attempt failed, newest first (for the
/// staff's dashboard).
pub async fn problems(pool: &AnyPool, limit: i64) -> Result<Vec<MailProblem>, DbError> {
    sqlx::query_as(
        "SELECT id, recipient, subject, status, attempts, last_error, created_at FROM mail_queue \
         WHERE status = 'failed' OR (status = 'queued' AND last_error IS NOT NULL) ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Delivered mails older than `before` are dropped.
pub async fn prune(pool: &AnyPool, before: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM mail_queue WHERE status = 'sent' AND sent_at < $1")
        .bind(before)
        .execute(pool)
        .await?;
    Ok(())
}

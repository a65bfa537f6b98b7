//! Mail goes through a durable queue: the change that causes a mail writes it in its own
//! transaction ([`enqueue`]), and a background worker delivers it ([`deliver_due`]), retrying
//! with back-off. A slow or broken mail server delays mail but never a page, and a restart loses
//! nothing. Mails that fail for good stay in the queue for the staff to see.

use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::Notify;

use super::EmailContent;
use crate::db::mail_queue::{self as db, NewMail};
use crate::db::{DbError, Tx};
use crate::state::AppState;

/// Attempts before a mail is given up (about a day with the back-off below).
pub const MAX_ATTEMPTS: i64 = 10;
/// How long one worker may hold a mail before another may try it (a crashed worker's mails
/// are picked up again after this).
const CLAIM_SECONDS: i64 = 300;

/// Seconds to wait after the `attempts`-th failure: 30 s, 1 min, 2 min, … at most 3 h.
pub fn backoff(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    (30_i64 << doublings).min(3 * 3600)
}

/// A file to attach: its name and bytes.
pub type Attachment = (String, Vec<u8>);

/// Renders what a queued mail names as its attachment (`invoice:42`), at delivery time.
pub trait Attachments: Send + Sync {
    fn render<'a>(
        &'a self,
        state: &'a AppState,
        spec: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Option<Attachment>>>;
}

/// Wakes the worker when a transaction that queued mail has committed.
#[derive(Default)]
pub struct Wakeup(Notify);

impl Wakeup {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Queues a mail inside the caller's transaction: it is sent only if that commits.
pub async fn enqueue(
    tx: &mut Tx,
    to: &str,
    content: &EmailContent,
    attachment: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    let json = serde_json::to_string(content).map_err(|e| DbError::Encode(Box::new(e)))?;
    let mail = NewMail {
        recipient: to,
        subject: &content.subject,
        content: &json,
        attachment,
    };
    db::enqueue(tx, &mail, now).await
}

/// Delivers every mail that is due; returns how many were sent. Safe to run on several
/// instances and next to the worker: each mail is claimed by one conditional update.
pub async fn deliver_due(state: &AppState) -> Result<usize, DbError> {
    let pool = state.db.pool();
    let timeout = Duration::from_secs(state.settings.email.smtp_timeout_seconds.max(1));
    let mut sent = 0;
    loop {
        let now = state.clock.unix();
        let batch = db::due(pool, now, 20).await?;
        if batch.is_empty() {
            return Ok(sent);
        }
        for mail in batch {
            if !db::claim(pool, mail.id, now, now + CLAIM_SECONDS).await? {
                continue;
            }
            let attempts = mail.attempts + 1;
            match deliver(state, &mail, timeout).await {
                Ok(()) => {
                    db::mark_sent(pool, mail.id, state.clock.unix()).await?;
                    sent += 1;
                }
                Err(e) => {
                    let message = format!("{e:#}");
                    let next =
                        (attempts < MAX_ATTEMPTS).then(|| state.clock.unix() + backoff(attempts));
                    tracing::warn!(mail_id = mail.id, attempts, error = %message, gave_up = next.is_none(), "mail not delivered");
                    state.metrics.mail_failed();
                    db::mark_failed_attempt(pool, mail.id, next, &message).await?;
                }
            }
        }
    }
}

async fn deliver(state: &AppState, mail: &db::QueuedMail, timeout: Duration) -> anyhow::Result<()> {
    let content: EmailContent = serde_json::from_str(&mail.content)?;
    let attachment = match &mail.attachment {
        Some(spec) => state.attachments.render(state, spec).await?,
        None => None,
    };
    // The whole conversation is bounded, not only each SMTP command.
    tokio::time::timeout(
        timeout,
        state
            .mailer
            .send_with_attachment(&mail.recipient, &content, attachment),
    )
    .await
    .map_err(|_| anyhow::anyhow!("the mail server did not answer within {timeout:?}"))??;
    Ok(())
}

/// The worker: delivers due mail when woken after a commit, and every few seconds for retries.
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_due(&state).await {
                tracing::warn!(error = %e, "mail queue: delivery round failed");
            }
            tokio::select! {
                _ = state.mail_wakeup.0.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
        }
    });
}

/// Waits until no mail is due or being delivered (tests and `emporium outbox` read the outbox
/// after this). Gives up after `limit`.
pub async fn settle(state: &AppState, limit: Duration) -> Result<(), DbError> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        deliver_due(state).await?;
        if db::in_flight(state.db.pool(), state.clock.unix()).await? == 0
            || tokio::time::Instant::now() >= deadline
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_bounded() {
        assert_eq!(super::backoff(1), 30);
        assert_eq!(super::backoff(2), 60);
        assert_eq!(super::backoff(9), 7680);
        assert_eq!(super::backoff(10), 3 * 3600);
        assert_eq!(super::backoff(100), 3 * 3600);
    }
}

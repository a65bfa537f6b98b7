//! Recently viewed products. A product page opened by a signed-in customer is noted in memory
//! and written in batches every few seconds (an upsert per customer and product) and when the
//! store stops, so a page view never waits for a database write. Guests' views are not kept.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::db::views::{self as db, ViewBatchRow};
use crate::domain::{ProductId, UserId};
use crate::state::AppState;

/// How many recently viewed products the pages show.
pub const RECENT: i64 = 20;

/// Views noted since the last flush: (customer, product) → (last seen, how many times).
#[derive(Default)]
pub struct ViewRecorder {
    pending: Mutex<HashMap<(UserId, ProductId), (i64, i64)>>,
}

impl ViewRecorder {
    pub fn note(&self, user: UserId, product: ProductId, now: i64) {
        if let Ok(mut p) = self.pending.lock() {
            let e = p.entry((user, product)).or_insert((now, 0));
            e.0 = e.0.max(now);
            e.1 += 1;
        }
    }

    fn take(&self) -> Vec<ViewBatchRow> {
        let Ok(mut p) = self.pending.lock() else {
            return Vec::new();
        };
        p.drain()
            .map(|((user, product), (last_at, views))| ViewBatchRow {
                user,
                product,
                last_at,
                views,
            })
            .collect()
    }

    /// The customer's views not written yet, newest first.
    fn pending_for(&self, user: UserId) -> Vec<(ProductId, i64)> {
        let Ok(p) = self.pending.lock() else {
            return Vec::new();
        };
        let mut mine: Vec<(ProductId, i64)> = p
            .iter()
            .filter(|((u, _), _)| *u == user)
            .map(|((_, product), (at, _))| (*product, *at))
            .collect();
        mine.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        mine
    }

    fn forget(&self, user: UserId) {
        if let Ok(mut p) = self.pending.lock() {
            p.retain(|(u, _), _| *u != user);
        }
    }
}

/// Writes the noted views; returns how many rows were written.
pub async fn flush(state: &AppState) -> Result<usize, sqlx::Error> {
    let rows = state.views.take();
    if rows.is_empty() {
        return Ok(0);
    }
    if let Err(e) = db::record(state.db.pool(), &rows).await {
        // Put them back for the next flush rather than lose them.
        for r in &rows {
            for _ in 0..r.views {
                state.views.note(r.user, r.product, r.last_at);
            }
        }
        return Err(e);
    }
    Ok(rows.len())
}

pub fn spawn_flusher(state: AppState) {
    tokio::spawn(async move {
        let every = Duration::from_secs(state.settings.recommendations.view_flush_seconds);
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = flush(&state).await {
                tracing::warn!(error = %e, "recently viewed: batch not written");
            }
        }
    });
}

/// The products a customer opened, newest first (the noted ones included).
pub async fn recent(state: &AppState, user: UserId) -> Result<Vec<ProductId>, sqlx::Error> {
    let mut out: Vec<ProductId> = state
        .views
        .pending_for(user)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    for p in db::recent(state.db.pool(), user, RECENT).await? {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out.truncate(usize::try_from(RECENT).unwrap_or(20));
    Ok(out)
}

/// Forgets what the customer viewed.
pub async fn clear(state: &AppState, user: UserId) -> Result<(), sqlx::Error> {
    state.views.forget(user);
    state.picks.forget(user);
    db::clear(state.db.pool(), user).await
}

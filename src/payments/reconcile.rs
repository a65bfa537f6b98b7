//! Finding what a crash or a lost answer left between the payment steps, and finishing it:
//! an authorisation the gateway holds for no order is voided; an order committed with an
//! authorisation that was never captured is captured (or marked for the staff); an
//! authorisation whose order was cancelled but whose void did not go through is voided.
//! Only what is older than the grace period is touched, so checkouts in flight are left alone.

use super::settle::{self, Captured};
use crate::db::order_payments;
use crate::domain::{OrderId, PaymentState};
use crate::orders::OrderError;
use crate::state::AppState;

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Authorisations without an order, released.
    pub voided_orphans: Vec<String>,
    /// Authorisations of cancelled orders, released.
    pub voided_cancelled: Vec<String>,
    /// Orders whose capture had not run, now paid.
    pub captured: Vec<OrderId>,
    /// Orders whose capture failed now (they wait for the staff).
    pub failed: Vec<(OrderId, String)>,
    /// Orders already waiting for the staff, left as they are.
    pub waiting: Vec<OrderId>,
}

pub async fn run(state: &AppState, grace_seconds: i64) -> Result<Report, OrderError> {
    let before = state.clock.unix() - grace_seconds;
    let pool = state.db.pool();
    let mut report = Report::default();
    let open = state
        .payments
        .open_authorisations(before)
        .await
        .map_err(|e| OrderError::Internal(anyhow::Error::new(e)))?;
    let mut to_capture: Vec<OrderId> = Vec::new();
    for auth in open {
        match order_payments::by_reference(pool, &auth.reference).await? {
            None => {
                settle::void(state, &auth.reference).await;
                tracing::warn!(reference = %auth.reference, amount_cents = auth.amount.cents(), "voided an authorisation without an order");
                report.voided_orphans.push(auth.reference);
            }
            Some(p) if p.state == PaymentState::Voided => {
                settle::void(state, &auth.reference).await;
                report.voided_cancelled.push(auth.reference);
            }
            Some(p) if p.state == PaymentState::CaptureFailed => report.waiting.push(p.order_id),
            Some(p) => to_capture.push(p.order_id),
        }
    }
    // Also orders whose capture the gateway did but whose paid step never ran: the same
    // capture key gets the gateway's first answer, and the order is marked paid.
    for id in order_payments::uncaptured(pool, before).await? {
        if !to_capture.contains(&id) {
            to_capture.push(id);
        }
    }
    to_capture.sort();
    for id in to_capture {
        match settle::capture(state, id, None).await? {
            Captured::Paid => report.captured.push(id),
            Captured::Failed(note) => report.failed.push((id, note)),
            Captured::NothingToCapture => {}
        }
    }
    Ok(report)
}

/// Reconciles every `payments.reconcile_every_minutes` (the first run one period after the
/// start). Several instances may run it at once: every step is idempotent at the gateway and a
/// conditional update here.
pub fn spawn(state: AppState) {
    let minutes = state.settings.payments.reconcile_every_minutes;
    if minutes == 0 {
        return;
    }
    let period = std::time::Duration::from_secs(minutes.unsigned_abs() * 60);
    let grace = state.settings.payments.reconcile_after_minutes * 60;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            tick.tick().await;
            match run(&state, grace).await {
                Ok(r) if r != Report::default() => tracing::warn!(?r, "payments reconciled"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "payment reconciliation failed"),
            }
        }
    });
}

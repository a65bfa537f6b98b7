//! The steps after an order's transaction: capturing its authorisation and marking it paid (the
//! invoice is numbered and the confirmation mailed only then), recording a capture that failed
//! for the staff, voiding what will not be captured, and refunding through the gateway.

use anyhow::Context;

use super::gateway::GatewayError;
use crate::db::audit::{self, Entry};
use crate::db::order_payments::{self, OrderPayment};
use crate::db::orders::{self as db, Order, PaymentRecord};
use crate::domain::{Money, OrderId, OrderStatus, PaymentState, PaymentStatus, UserId};
use crate::email::{messages, queue};
use crate::orders::OrderError;
use crate::orders::invoice;
use crate::state::AppState;

/// What a capture attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Captured {
    /// The money is taken and the order is paid (now, or by an earlier attempt).
    Paid,
    /// Nothing was taken; the order stays pending and is marked for the staff.
    Failed(String),
    /// The order has no open authorisation to capture (cancelled, or never authorised).
    NothingToCapture,
}

/// The idempotency key of an order's capture: every attempt (checkout, reconcile, a retry after
/// no answer) uses the same one, so the gateway takes the money at most once; after a definite
/// refusal the next attempt is a new request (the gateway would replay the refusal otherwise).
fn capture_key(payment: &OrderPayment) -> String {
    match payment.state {
        PaymentState::CaptureFailed => {
            format!("capture-{}-after-{}", payment.order_id, payment.updated_at)
        }
        _ => format!("capture-{}", payment.order_id),
    }
}

/// Captures the order's authorisation and, once the money is taken, marks the order paid with
/// its invoice and confirmation mail. `actor` is the staff member who asked, if one did.
#[tracing::instrument(name = "capture", skip_all, fields(%order_id))]
pub async fn capture(
    state: &AppState,
    order_id: OrderId,
    actor: Option<UserId>,
) -> Result<Captured, OrderError> {
    let pool = state.db.pool();
    let (Some(order), Some(payment)) = (
        db::find(pool, order_id).await?,
        order_payments::find(pool, order_id).await?,
    ) else {
        return Ok(Captured::NothingToCapture);
    };
    if !payment.state.is_open() || order.status != OrderStatus::Pending {
        return Ok(match payment.state {
            PaymentState::Captured => Captured::Paid,
            _ => Captured::NothingToCapture,
        });
    }
    let amount = Money::from_cents(payment.amount_cents);
    match state
        .payments
        .capture(&payment.reference, amount, &capture_key(&payment))
        .await
    {
        Ok(()) => {
            mark_paid(state, &order, &payment, actor).await?;
            Ok(Captured::Paid)
        }
        Err(e) => {
            tracing::warn!(error = %e, "capture failed; the order waits for the staff");
            Ok(Captured::Failed(
                mark_failed(state, &order, &payment, &e).await?,
            ))
        }
    }
}

async fn mark_paid(
    state: &AppState,
    order: &Order,
    payment: &OrderPayment,
    actor: Option<UserId>,
) -> Result<(), OrderError> {
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await.context("begin marking paid")?;
    db::lock(&mut tx, order.id).await?;
    if !order_payments::settle(
        &mut tx,
        order.id,
        payment.state,
        PaymentState::Captured,
        None,
        now,
    )
    .await?
    {
        tx.rollback().await?;
        return settled_meanwhile(state, order, payment).await;
    }
    if !db::transition(
        &mut tx,
        order.id,
        &[OrderStatus::Pending],
        OrderStatus::Paid,
        now,
    )
    .await?
    {
        tx.rollback().await?;
        return settled_meanwhile(state, order, payment).await;
    }
    let brand = order.card_brand.as_deref().unwrap_or("Card");
    let last4 = order.card_last4.as_deref().unwrap_or("");
    db::set_payment_status(&mut tx, order.id, PaymentStatus::Paid).await?;
    let paid_note = format!("Payment received ({brand} •••• {last4})");
    db::add_event(&mut tx, order.id, OrderStatus::Paid, &paid_note, actor, now).await?;
    let record = PaymentRecord::of(order, "succeeded", order.total);
    db::record_payment(&mut *tx, &record, now).await?;
    if actor.is_some() {
        let entry = Entry {
            actor,
            action: "capture",
            entity: "order",
            entity_id: Some(order.id.get()),
            details: "payment captured",
        };
        audit::record(&mut tx, &entry, now).await?;
    }
    let path = crate::orders::mail_path(&mut tx, order.id, order.user_id.is_none(), now).await?;
    // Numbered last but one: the year's counter row stays locked until the commit.
    let snapshot = invoice::issue(&mut tx, state, order, now).await?;
    let confirmation = messages::order_confirmed(
        &state.settings.server.base_url,
        &path,
        &snapshot.buyer.name,
        order.id,
        &snapshot.money(snapshot.total_cents),
        &snapshot.payment,
        &snapshot.number,
    );
    let attachment = invoice::attachment_spec(order.id);
    queue::enqueue(&mut tx, &order.email, &confirmation, Some(&attachment), now)
        .await
        .context("queue the confirmation mail")?;
    tx.commit().await.context("commit the payment")?;
    tracing::info!(order_id = %order.id, total_cents = order.total.cents(), "payment captured; order paid");
    state.mail_wakeup.wake();
    state.recommend.orders_changed();
    if let Some(u) = order.user_id {
        state.picks.forget(u);
    }
    Ok(())
}

/// The money was taken but the order was cancelled (or settled) while the capture ran: a
/// cancelled order gets the money back at once.
async fn settled_meanwhile(
    state: &AppState,
    order: &Order,
    payment: &OrderPayment,
) -> Result<(), OrderError> {
    let current = order_payments::find(state.db.pool(), order.id).await?;
    if current.as_ref().map(|p| p.state) != Some(PaymentState::Voided) {
        // Another attempt marked it paid: nothing more to do.
        return Ok(());
    }
    let amount = Money::from_cents(payment.amount_cents);
    refund_cancelled(state, order, &payment.reference, amount).await
}

/// Gives back money captured for an order that was cancelled before it was marked paid. The
/// capture and the cancel can each notice it (the capture finds the payment voided, the void is
/// refused as captured); both use this one key, so the gateway refunds it once.
async fn refund_cancelled(
    state: &AppState,
    order: &Order,
    reference: &str,
    amount: Money,
) -> Result<(), OrderError> {
    let now = state.clock.unix();
    let key = format!("refund-{}-cancelled-after-capture", order.id);
    match state.payments.refund(reference, amount, &key).await {
        Ok(()) => {
            let mut tx = state.db.begin_write().await?;
            order_payments::add_refund(&mut tx, order.id, amount.cents(), now).await?;
            tx.commit().await?;
            tracing::warn!(order_id = %order.id, "captured while being cancelled: refunded");
        }
        Err(e) => {
            let note = format!(
                "The order was cancelled while its payment was being captured, and the refund of {} failed ({e}). Check it at the payment service.",
                amount.display(&order.currency)
            );
            order_payments::set_attention(state.db.pool(), order.id, Some(&note), now).await?;
        }
    }
    Ok(())
}

/// Records a capture that did not take the money; the note says what the staff can do.
async fn mark_failed(
    state: &AppState,
    order: &Order,
    payment: &OrderPayment,
    error: &GatewayError,
) -> Result<String, OrderError> {
    let now = state.clock.unix();
    let (to, note) = match error {
        GatewayError::Refused(code) => (
            PaymentState::CaptureFailed,
            format!(
                "The payment service refused the capture ({code}). Try the capture again (mark the order paid), or cancel the order to release the money."
            ),
        ),
        // No answer: the capture may still be done by a later attempt with the same key.
        other => (
            PaymentState::Authorised,
            format!(
                "The capture got no answer ({other}); `emporium reconcile` tries it again, or mark the order paid to try now."
            ),
        ),
    };
    let mut tx = state.db.begin_write().await?;
    db::lock(&mut tx, order.id).await?;
    if order_payments::settle(&mut tx, order.id, payment.state, to, Some(&note), now).await? {
        db::add_event(
            &mut tx,
            order.id,
            OrderStatus::Pending,
            "The payment could not be completed yet; the shop will be in touch",
            None,
            now,
        )
        .await?;
        let record = PaymentRecord::of(order, "capture_failed", order.total);
        db::record_payment(&mut *tx, &record, now).await?;
    }
    tx.commit().await?;
    Ok(note)
}

/// Releases the authorisation of an order that was cancelled before it was paid. If the
/// gateway refuses the void, the money may have been captured after all (a capture whose answer
/// was lost): it is refunded, and if that fails too the order is marked for the staff.
pub async fn release(state: &AppState, order: &Order, reference: &str) -> Result<(), OrderError> {
    let key = format!("void-{reference}");
    match state.payments.void(reference, &key).await {
        Ok(()) => Ok(()),
        Err(GatewayError::Refused(code)) => {
            tracing::warn!(%code, order_id = %order.id, "void refused; refunding instead");
            refund_cancelled(state, order, reference, order.total).await
        }
        // No answer: the authorisation stays open at the gateway, where reconcile voids it.
        Err(e) => {
            tracing::warn!(error = %e, reference, "void got no answer; reconcile will release it");
            Ok(())
        }
    }
}

/// Releases an authorisation no order will capture. A failure is only logged: the
/// authorisation stays open at the gateway, where `reconcile` finds and voids it.
pub async fn void(state: &AppState, reference: &str) {
    let key = format!("void-{reference}");
    if let Err(e) = state.payments.void(reference, &key).await {
        tracing::warn!(error = %e, reference, "void failed; reconcile will release it");
    }
}

/// Sends `amount` back to the card of the order's captured payment (a credit note's total).
/// Orders paid before the gateway flow (no authorisation on record) have nothing to send. A
/// refund the gateway refuses marks the order for the staff.
pub async fn refund(
    state: &AppState,
    order: &Order,
    amount: Money,
    key: &str,
) -> Result<(), OrderError> {
    let Some(payment) = order_payments::find(state.db.pool(), order.id).await? else {
        return Ok(());
    };
    if payment.state != PaymentState::Captured || amount.cents() <= 0 {
        return Ok(());
    }
    let now = state.clock.unix();
    match state.payments.refund(&payment.reference, amount, key).await {
        Ok(()) => {
            let mut tx = state.db.begin_write().await?;
            order_payments::add_refund(&mut tx, order.id, amount.cents(), now).await?;
            tx.commit().await?;
        }
        Err(e) => {
            tracing::warn!(error = %e, order_id = %order.id, "refund failed");
            let advice = match e {
                GatewayError::Unavailable(_) => {
                    "It may have gone through: check at the payment service before refunding again"
                }
                _ => "Refund it at the payment service",
            };
            let note = format!(
                "The refund of {} ({key}) was not confirmed by the payment service ({e}). {advice}.",
                amount.display(&order.currency)
            );
            order_payments::set_attention(state.db.pool(), order.id, Some(&note), now).await?;
        }
    }
    Ok(())
}

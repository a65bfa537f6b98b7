//! Moving orders on: the customer's cancel and the staff's status changes. Each move is one
//! conditional update (from the allowed statuses only), so two simultaneous requests cannot both
//! succeed, and stock is put back exactly once. The move, its refund record, its history entry
//! and the staff audit entry are one transaction.

use super::{OrderError, OrderStatus};
use crate::db::audit::{self, Entry};
use crate::db::order_payments;
use crate::db::orders::{self as db, Order, PaymentRecord};
use crate::db::users::User;
use crate::domain::{FieldErrors, OrderId, PaymentState, PaymentStatus, UserId};
use crate::email::messages::OrderNews;
use crate::payments::settle::{self, Captured};
use crate::refunds::issue::Issued;
use crate::state::AppState;

/// Cancels the shopper's own order (a customer's, or a guest's through its link) while it is
/// pending or paid (a paid order is refunded).
pub async fn cancel_by_customer(
    state: &AppState,
    viewer: super::detail::Viewer<'_>,
    order_id: OrderId,
) -> Result<(), OrderError> {
    let order = super::detail::find(state, viewer, order_id).await?;
    let actor = match viewer {
        super::detail::Viewer::Customer(u) => Some(u),
        super::detail::Viewer::Shopper { user, .. } => user,
        super::detail::Viewer::Staff => None,
    };
    let mv = Move {
        to: OrderStatus::Cancelled,
        tracking: None,
        actor,
        note: "Cancelled by the customer",
        audit_details: None,
    };
    if !apply(state, &order, &mv).await? {
        return Err(OrderError::NotAllowed(
            "This order can no longer be cancelled: it is already on its way or closed.".into(),
        ));
    }
    Ok(())
}

/// A tracking number as staff type it: 1–64 characters, no control characters.
fn tracking_number(raw: &str) -> Result<&str, FieldErrors> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > 64 || t.chars().any(char::is_control) {
        let mut e = FieldErrors::new();
        e.add(
            "tracking_number",
            "Enter the parcel's tracking number (up to 64 characters).",
        );
        return Err(e);
    }
    Ok(t)
}

/// A staff member's status change. Shipping needs a tracking number.
#[tracing::instrument(name = "order status change", skip_all, fields(%order_id, to = %to))]
pub async fn move_by_staff(
    state: &AppState,
    staff: &User,
    order_id: OrderId,
    to: OrderStatus,
    tracking: &str,
) -> Result<(), OrderError> {
    let Some(order) = db::find(state.db.pool(), order_id).await? else {
        return Err(OrderError::NotFound);
    };
    let from = order.status;
    if !from.can_move_to(to) {
        return Err(OrderError::NotAllowed(format!(
            "An order that is {} cannot become {}.",
            from.label().to_lowercase(),
            to.label().to_lowercase()
        )));
    }
    if to == OrderStatus::Paid
        && let Some(payment) = order_payments::find(state.db.pool(), order_id).await?
    {
        // Paid means captured: marking an authorised order paid is the capture (again).
        return match settle::capture(state, order_id, Some(staff.id)).await? {
            Captured::Paid => Ok(()),
            Captured::Failed(note) => Err(OrderError::NotAllowed(note)),
            Captured::NothingToCapture => Err(OrderError::NotAllowed(format!(
                "There is no payment to capture: it is {}.",
                payment.state.as_str().replace('_', " ")
            ))),
        };
    }
    let tracking = match to {
        OrderStatus::Shipped => Some(tracking_number(tracking)?),
        _ => None,
    };
    let note = match to {
        OrderStatus::Shipped => format!("Shipped, tracking number {}", tracking.unwrap_or("")),
        OrderStatus::Cancelled => "Cancelled by the shop".to_string(),
        other => other.label().to_string(),
    };
    let details = match tracking {
        Some(t) => format!("{from} \u{2192} {to} ({t})"),
        None => format!("{from} \u{2192} {to}"),
    };
    let mv = Move {
        to,
        tracking,
        actor: Some(staff.id),
        note: &note,
        audit_details: Some(&details),
    };
    if !apply(state, &order, &mv).await? {
        return Err(OrderError::NotAllowed(
            "The order was changed meanwhile; please look at it again.".into(),
        ));
    }
    Ok(())
}

/// One move as requested.
struct Move<'a> {
    to: OrderStatus,
    tracking: Option<&'a str>,
    actor: Option<UserId>,
    note: &'a str,
    /// Staff moves are audited with this text.
    audit_details: Option<&'a str>,
}

/// Performs a move in one transaction; false when the order was no longer in an allowed status.
async fn apply(state: &AppState, order: &Order, mv: &Move<'_>) -> Result<bool, OrderError> {
    let now = state.clock.unix();
    let to = mv.to;
    let mut tx = state.db.begin_write().await?;
    db::lock(&mut tx, order.id).await?;
    // The move is made only from the status this decision was taken on (payment, restock,
    // credit note): if a capture or another move changed it meanwhile, it is refused and the
    // requester looks again. A refund before shipping puts the goods back on the shelf; after
    // shipping they are with the customer.
    let restock = match to {
        OrderStatus::Cancelled => true,
        OrderStatus::Refunded => order.status == OrderStatus::Paid,
        _ => false,
    };
    let moved = to.allowed_from().contains(&order.status)
        && db::transition(&mut tx, order.id, &[order.status], to, now).await?;
    if !moved {
        tx.rollback().await?;
        return Ok(false);
    }
    let was_paid = order.payment_status == PaymentStatus::Paid;
    // A cancelled order gives its voucher use back (a single-use code works again). The
    // voucher's row before the stock rows: the order a checkout locks them in.
    if to == OrderStatus::Cancelled {
        crate::db::vouchers::release(&mut tx, order.id).await?;
    }
    if restock {
        db::return_stock(&mut tx, order.id).await?;
    }
    // An authorisation that will never be captured is released (after the commit, below).
    let mut to_void = None;
    if to == OrderStatus::Cancelled
        && let Some(p) = order_payments::find(&mut *tx, order.id).await?
        && p.state.is_open()
        && order_payments::settle(&mut tx, order.id, p.state, PaymentState::Voided, None, now)
            .await?
    {
        to_void = Some(p.reference);
    }
    // A paid order cancelled or refunded whole: what is not credited yet gets a credit note.
    let mut note = None;
    if matches!(to, OrderStatus::Cancelled | OrderStatus::Refunded) && was_paid {
        db::set_payment_status(&mut tx, order.id, PaymentStatus::Refunded).await?;
        note = crate::refunds::issue::credit_rest(&mut tx, state, order, mv.note, now).await?;
        if let Some(n) = &note {
            let record = PaymentRecord::of(order, "refunded", n.total);
            db::record_payment(&mut *tx, &record, now).await?;
        }
    }
    if let Some(t) = mv.tracking {
        db::set_tracking(&mut tx, order.id, t).await?;
    }
    db::add_event(&mut tx, order.id, to, mv.note, mv.actor, now).await?;
    if let Some(details) = mv.audit_details {
        let entry = Entry {
            actor: mv.actor,
            action: "status",
            entity: "order",
            entity_id: Some(order.id.get()),
            details,
        };
        audit::record(&mut tx, &entry, now).await?;
    }
    notify(&mut tx, state, order, to, mv.tracking, note.as_ref()).await?;
    tx.commit().await?;
    tracing::info!(order_id = %order.id, to = %to, "order status changed");
    if let Some(reference) = to_void {
        settle::release(state, order, &reference).await?;
    }
    if let Some(n) = &note {
        settle::refund(state, order, n.total, &format!("refund-{}", n.number)).await?;
    }
    if restock {
        crate::catalog::changed(state, false).await;
    }
    state.mail_wakeup.wake();
    Ok(true)
}

/// Queues the mail that tells the customer about a move (only some moves send one), with the
/// credit note the move issued.
async fn notify(
    tx: &mut crate::db::Tx,
    state: &AppState,
    order: &Order,
    to: OrderStatus,
    tracking: Option<&str>,
    note: Option<&Issued>,
) -> Result<(), OrderError> {
    let amount = note.map(|n| n.total.display(&order.currency));
    let number = note.map(|n| n.number.as_str());
    let news = match to {
        OrderStatus::Shipped => OrderNews::Shipped {
            tracking: tracking.unwrap_or("-"),
        },
        OrderStatus::Cancelled => OrderNews::Cancelled {
            refunded: amount.as_deref(),
            credit_note: number,
        },
        OrderStatus::Refunded => OrderNews::Refunded {
            amount: amount.as_deref().unwrap_or("-"),
            credit_note: number,
        },
        _ => return Ok(()),
    };
    crate::refunds::issue::mail(tx, state, order, news, note, state.clock.unix()).await
}

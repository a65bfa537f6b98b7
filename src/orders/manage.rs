//! Moving orders on: the customer's cancel and the admin's status changes. Each move is one
//! conditional update (from the allowed statuses only), so two simultaneous requests cannot both
//! succeed, and stock is put back exactly once.

use super::{OrderError, Status};
use crate::db::audit::{self, Entry};
use crate::db::orders::{self as db, OrderRow, PaymentRecord};
use crate::db::users::User;
use crate::domain::{FieldErrors, UserId};
use crate::email::{Action, EmailContent};
use crate::state::AppState;

/// Cancels the customer's own order while it is pending or paid (a paid order is refunded).
pub async fn cancel_by_customer(
    state: &AppState,
    user: &User,
    order_id: i64,
) -> Result<(), OrderError> {
    let Some(order) = db::find_for_user(state.db.pool(), order_id, user.id).await? else {
        return Err(OrderError::NotFound);
    };
    let done = apply(
        state,
        &order,
        Status::Cancelled,
        None,
        Some(user.id),
        "Cancelled by the customer",
    )
    .await?;
    if !done {
        return Err(OrderError::NotAllowed(
            "This order can no longer be cancelled: it is already on its way or closed.".into(),
        ));
    }
    Ok(())
}

/// An admin's status change. Shipping needs a tracking number.
pub async fn move_by_admin(
    state: &AppState,
    admin: &User,
    order_id: i64,
    to: Status,
    tracking: &str,
) -> Result<(), OrderError> {
    let Some(order) = db::find(state.db.pool(), order_id).await? else {
        return Err(OrderError::NotFound);
    };
    let from = Status::parse(&order.status)
        .ok_or_else(|| OrderError::Internal(anyhow::anyhow!("unknown status")))?;
    if !from.can_move_to(to) {
        return Err(OrderError::NotAllowed(format!(
            "An order that is {} cannot become {}.",
            from.label().to_lowercase(),
            to.label().to_lowercase()
        )));
    }
    let tracking = tracking.trim();
    if to == Status::Shipped
        && (tracking.is_empty()
            || tracking.chars().count() > 64
            || tracking.chars().any(char::is_control))
    {
        let mut e = FieldErrors::new();
        e.add(
            "tracking_number",
            "Enter the parcel's tracking number (up to 64 characters).",
        );
        return Err(OrderError::Invalid(e));
    }
    let note = match to {
        Status::Shipped => format!("Shipped, tracking number {tracking}"),
        Status::Delivered => "Delivered".to_string(),
        Status::Cancelled => "Cancelled by the shop".to_string(),
        Status::Refunded => "Refunded".to_string(),
        other => other.label().to_string(),
    };
    let done = apply(
        state,
        &order,
        to,
        Some(tracking).filter(|t| !t.is_empty()),
        Some(admin.id),
        &note,
    )
    .await?;
    if !done {
        return Err(OrderError::NotAllowed(
            "The order was changed meanwhile; please look at it again.".into(),
        ));
    }
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    let details = format!(
        "{} \u{2192} {}{}",
        from.as_str(),
        to.as_str(),
        if tracking.is_empty() {
            String::new()
        } else {
            format!(" ({tracking})")
        }
    );
    audit::record(
        &mut tx,
        &Entry {
            actor: Some(admin.id),
            action: "status",
            entity: "order",
            entity_id: Some(order_id),
            details: &details,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Performs a move in one transaction; false when the order was no longer in an allowed status.
async fn apply(
    state: &AppState,
    order: &OrderRow,
    to: Status,
    tracking: Option<&str>,
    actor: Option<UserId>,
    note: &str,
) -> Result<bool, OrderError> {
    let now = state.clock.unix();
    let from: Vec<&str> = to.allowed_from().iter().map(|s| s.as_str()).collect();
    let mut tx = state.db.begin_write().await?;
    // A refund before shipping puts the goods back on the shelf; after shipping they are with
    // the customer. Trying the unshipped move first keeps the decision inside the same update.
    let restock = match to {
        Status::Cancelled => true,
        Status::Refunded => {
            db::transition(
                &mut tx,
                order.id,
                &[Status::Paid.as_str()],
                to.as_str(),
                now,
            )
            .await?
        }
        _ => false,
    };
    let moved = (to == Status::Refunded && restock)
        || db::transition(&mut tx, order.id, &from, to.as_str(), now).await?;
    if !moved {
        tx.rollback().await?;
        return Ok(false);
    }
    let was_paid = order.payment_status == "paid";
    if restock {
        db::return_stock(&mut tx, order.id).await?;
    }
    if (to == Status::Cancelled || to == Status::Refunded) && was_paid {
        db::set_payment_status(&mut tx, order.id, "refunded").await?;
        let record = PaymentRecord {
            user_id: UserId(order.user_id),
            order_id: Some(order.id),
            outcome: "refunded",
            amount_cents: order.total_cents,
            brand: order.card_brand.as_deref().unwrap_or(""),
            last4: order.card_last4.as_deref().unwrap_or(""),
        };
        db::record_payment(&mut *tx, &record, now).await?;
    }
    if let Some(t) = tracking {
        db::set_tracking(&mut tx, order.id, t).await?;
    }
    db::add_event(&mut tx, order.id, to.as_str(), note, actor, now).await?;
    tx.commit().await?;
    tracing::info!(
        order_id = order.id,
        to = to.as_str(),
        "order status changed"
    );
    if restock {
        state.catalog_cache.invalidate();
    }
    notify(state, order, to, tracking, was_paid).await;
    Ok(true)
}

async fn notify(
    state: &AppState,
    order: &OrderRow,
    to: Status,
    tracking: Option<&str>,
    was_paid: bool,
) {
    let total = crate::domain::Money::from_cents(order.total_cents).display(&order.currency);
    let paragraphs = match to {
        Status::Shipped => vec![
            format!("Good news: your order #{} is on its way.", order.id),
            format!("Tracking number: {}", tracking.unwrap_or("-")),
        ],
        Status::Cancelled if was_paid => vec![
            format!("Your order #{} has been cancelled.", order.id),
            format!("The payment of {total} has been refunded to your card."),
        ],
        Status::Cancelled => vec![format!("Your order #{} has been cancelled.", order.id)],
        Status::Refunded => vec![format!(
            "We refunded {total} for your order #{} to your card.",
            order.id
        )],
        _ => return,
    };
    let subject = match to {
        Status::Shipped => format!("Your order #{} has shipped", order.id),
        Status::Cancelled => format!("Your order #{} was cancelled", order.id),
        _ => format!("Your order #{} was refunded", order.id),
    };
    let base = state.settings.server.base_url.trim_end_matches('/');
    let content = EmailContent {
        subject,
        greeting: format!("Hello {},", order.customer_name),
        paragraphs,
        action: Some(Action {
            label: "See your order".into(),
            url: format!("{base}/orders/{}", order.id),
        }),
        closing: vec!["Thank you for shopping with us.".into()],
    };
    if let Err(e) = state.mailer.send(&order.email, &content).await {
        tracing::error!(error = %e, order_id = order.id, "order mail not sent");
    }
}

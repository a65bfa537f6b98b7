//! Refunds and credit notes. Staff refund a paid order whole or in part (chosen lines and
//! quantities, optionally the shipping), choosing whether the goods go back into stock; each
//! refund, and each cancellation or full refund of a paid order, issues a credit note: its own
//! gap-free number series, an immutable snapshot like the invoice (page, PDF, mailed to the
//! customer). The invoice never changes; its page and the order page show the credit notes
//! against it and what is still paid. The money goes back through the gateway after the commit.

pub mod amounts;
pub mod issue;

pub use issue::{RefundInput, refund};

use crate::db::credit_notes::CreditNoteRow;
use crate::orders::OrderError;
use crate::orders::invoice::Snapshot;

/// A stored credit note's snapshot.
pub fn snapshot_of(row: &CreditNoteRow) -> Result<Snapshot, OrderError> {
    serde_json::from_str(&row.snapshot).map_err(|e| {
        OrderError::Internal(anyhow::Error::new(e).context("credit note snapshot unreadable"))
    })
}

/// A credit note of an order the viewer may see, by its number.
pub async fn credit_note(
    state: &crate::state::AppState,
    viewer: crate::orders::detail::Viewer<'_>,
    order: crate::domain::OrderId,
    number: &str,
) -> Result<Snapshot, OrderError> {
    let order = crate::orders::detail::find(state, viewer, order).await?;
    let row = crate::db::credit_notes::by_number(state.db.pool(), order.id, number)
        .await?
        .ok_or(OrderError::NotFound)?;
    snapshot_of(&row)
}

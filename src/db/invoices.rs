//! Invoices: gap-free numbers per year and the snapshot each invoice was issued with.

use sqlx::FromRow;

use super::{DbError, Tx};
use crate::domain::OrderId;

/// The next invoice number of a year. The counter row stays locked until the transaction
/// ends, so numbers are handed out in commit order with no gaps.
pub async fn next_seq(tx: &mut Tx, year: i64) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "INSERT INTO invoice_counters (year, last) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last = invoice_counters.last + 1 RETURNING last",
    )
    .bind(year)
    .fetch_one(&mut **tx)
    .await
}

pub async fn insert(
    tx: &mut Tx,
    order: OrderId,
    number: &str,
    issued_at: i64,
    snapshot: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO invoices (order_id, number, issued_at, snapshot) VALUES ($1, $2, $3, $4)",
    )
    .bind(order)
    .bind(number)
    .bind(issued_at)
    .bind(snapshot)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct InvoiceRow {
    pub number: String,
    pub issued_at: i64,
    pub snapshot: String,
}

/// An order's invoice, from the pool or inside a transaction (`&mut *tx`).
pub async fn for_order<'e, E>(exec: E, order: OrderId) -> Result<Option<InvoiceRow>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as("SELECT number, issued_at, snapshot FROM invoices WHERE order_id = $1")
        .bind(order)
        .fetch_optional(exec)
        .await
}

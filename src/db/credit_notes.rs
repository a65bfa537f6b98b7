//! Credit notes: gap-free numbers per year (their own series), the snapshot each was issued
//! with, and what has been credited of an order's lines and shipping.

use sqlx::{AnyPool, FromRow};

use super::{DbError, Tx};
use crate::domain::OrderId;

/// The next credit note number of a year; the counter row stays locked until the transaction
/// ends, so numbers follow commit order with no gaps.
pub async fn next_seq(tx: &mut Tx, year: i64) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "INSERT INTO credit_note_counters (year, last) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last = credit_note_counters.last + 1 RETURNING last",
    )
    .bind(year)
    .fetch_one(&mut **tx)
    .await
}

pub struct NewCreditNote<'a> {
    pub order: OrderId,
    pub number: &'a str,
    pub issued_at: i64,
    pub total_cents: i64,
    pub snapshot: &'a str,
}

pub async fn insert(tx: &mut Tx, n: &NewCreditNote<'_>) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "INSERT INTO credit_notes (order_id, number, issued_at, total_cents, snapshot) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(n.order)
    .bind(n.number)
    .bind(n.issued_at)
    .bind(n.total_cents)
    .bind(n.snapshot)
    .fetch_one(&mut **tx)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct CreditNoteRow {
    pub id: i64,
    pub order_id: OrderId,
    pub number: String,
    pub issued_at: i64,
    pub total_cents: i64,
    pub snapshot: String,
}

const COLUMNS: &str =
    "SELECT id, order_id, number, issued_at, total_cents, snapshot FROM credit_notes";

/// An order's credit notes, oldest first (from the pool or inside a transaction).
pub async fn for_order<'e, E>(exec: E, order: OrderId) -> Result<Vec<CreditNoteRow>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COLUMNS} WHERE order_id = $1 ORDER BY id"
    )))
    .bind(order)
    .fetch_all(exec)
    .await
}

pub async fn find(pool: &AnyPool, id: i64) -> Result<Option<CreditNoteRow>, DbError> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE id = $1")))
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn by_number(
    pool: &AnyPool,
    order: OrderId,
    number: &str,
) -> Result<Option<CreditNoteRow>, DbError> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COLUMNS} WHERE order_id = $1 AND number = $2"
    )))
    .bind(order)
    .bind(number)
    .fetch_optional(pool)
    .await
}

/// Credits `quantity` more units of a line of `order`, only while that many are left
/// uncredited; false otherwise (another refund took them first).
pub async fn credit_line(
    tx: &mut Tx,
    order: OrderId,
    line: i64,
    quantity: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE order_lines SET refunded_quantity = refunded_quantity + $3 \
         WHERE id = $2 AND order_id = $1 AND refunded_quantity + $3 <= quantity",
    )
    .bind(order)
    .bind(line)
    .bind(quantity)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Credits the order's shipping once; false when it already was.
pub async fn credit_shipping(tx: &mut Tx, order: OrderId) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE orders SET shipping_refunded = 1 WHERE id = $1 AND shipping_refunded = 0",
    )
    .bind(order)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the order's shipping was credited.
pub async fn shipping_credited<'e, E>(exec: E, order: OrderId) -> Result<bool, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let v: i64 = sqlx::query_scalar("SELECT shipping_refunded FROM orders WHERE id = $1")
        .bind(order)
        .fetch_one(exec)
        .await?;
    Ok(v != 0)
}

/// Invoices and credit notes issued in `[from, to)`, for the accounting export, by date.
#[derive(Debug, Clone, FromRow)]
pub struct Issued {
    pub number: String,
    pub issued_at: i64,
    pub snapshot: String,
}

pub async fn issued_between(pool: &AnyPool, from: i64, to: i64) -> Result<Vec<Issued>, DbError> {
    sqlx::query_as(
        "SELECT number, issued_at, snapshot FROM invoices WHERE issued_at >= $1 AND issued_at < $2 \
         UNION ALL \
         SELECT number, issued_at, snapshot FROM credit_notes WHERE issued_at >= $1 AND issued_at < $2 \
         ORDER BY issued_at, number",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}

//! The gateway side of each order's payment: its authorisation, what became of it, what was
//! refunded, and why the staff must look at it (when they must).

use sqlx::FromRow;

use super::{DbError, Tx};
use crate::domain::{OrderId, PaymentState};

#[derive(Debug, Clone, FromRow)]
pub struct OrderPayment {
    pub order_id: OrderId,
    pub reference: String,
    #[sqlx(try_from = "String")]
    pub state: PaymentState,
    pub amount_cents: i64,
    pub refunded_cents: i64,
    pub attention: Option<String>,
    pub updated_at: i64,
}

const COLUMNS: &str = "SELECT order_id, reference, state, amount_cents, refunded_cents, attention, updated_at FROM order_payments";

pub async fn insert(
    tx: &mut Tx,
    order: OrderId,
    reference: &str,
    amount_cents: i64,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO order_payments (order_id, reference, state, amount_cents, updated_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(order)
    .bind(reference)
    .bind(PaymentState::Authorised.as_str())
    .bind(amount_cents)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn find<'e, E>(exec: E, order: OrderId) -> Result<Option<OrderPayment>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COLUMNS} WHERE order_id = $1"
    )))
    .bind(order)
    .fetch_optional(exec)
    .await
}

pub async fn by_reference<'e, E>(exec: E, reference: &str) -> Result<Option<OrderPayment>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COLUMNS} WHERE reference = $1"
    )))
    .bind(reference)
    .fetch_optional(exec)
    .await
}

/// Moves the payment to `to` only from `from`, setting (or clearing) the attention note;
/// false when it was not in `from` (another request settled it first).
pub async fn settle(
    tx: &mut Tx,
    order: OrderId,
    from: PaymentState,
    to: PaymentState,
    attention: Option<&str>,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE order_payments SET state = $3, attention = $4, updated_at = $5 WHERE order_id = $1 AND state = $2",
    )
    .bind(order)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(attention)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets or clears why the staff must look at the order's payment.
pub async fn set_attention<'e, E>(
    exec: E,
    order: OrderId,
    attention: Option<&str>,
    now: i64,
) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("UPDATE order_payments SET attention = $2, updated_at = $3 WHERE order_id = $1")
        .bind(order)
        .bind(attention)
        .bind(now)
        .execute(exec)
        .await?;
    Ok(())
}

pub async fn add_refund(tx: &mut Tx, order: OrderId, cents: i64, now: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE order_payments SET refunded_cents = refunded_cents + $2, updated_at = $3 WHERE order_id = $1",
    )
    .bind(order)
    .bind(cents)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Orders whose payment waits for the staff, oldest first.
pub async fn needing_attention<'e, E>(exec: E) -> Result<Vec<OrderId>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_scalar(
        "SELECT order_id FROM order_payments WHERE attention IS NOT NULL ORDER BY updated_at, order_id",
    )
    .fetch_all(exec)
    .await
}

/// Committed orders whose authorisation was never captured (a crash or a timeout between the
/// steps), made before `before`.
pub async fn uncaptured<'e, E>(exec: E, before: i64) -> Result<Vec<OrderId>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_scalar(
        "SELECT p.order_id FROM order_payments p JOIN orders o ON o.id = p.order_id \
         WHERE p.state = 'authorised' AND o.status = 'pending' AND p.updated_at <= $1 ORDER BY p.order_id",
    )
    .bind(before)
    .fetch_all(exec)
    .await
}

//! The mock gateway's ledger: its side of the payments, as a provider keeps it. Only
//! `payments::mock` writes here; the store's own records are `order_payments` and `payments`.

use sqlx::FromRow;

use super::{DbError, Tx};

#[derive(Debug, Clone, FromRow)]
pub struct Authorisation {
    pub id: String,
    pub state: String,
    pub decline: Option<String>,
    pub amount_cents: i64,
    pub captured_cents: i64,
    pub refunded_cents: i64,
    pub behaviour: String,
    pub created_at: i64,
}

const COLUMNS: &str = "SELECT id, state, decline, amount_cents, captured_cents, refunded_cents, behaviour, created_at \
     FROM mock_gateway_authorisations";

pub struct NewAuthorisation<'a> {
    pub id: &'a str,
    pub key: &'a str,
    pub state: &'a str,
    pub decline: Option<&'a str>,
    pub amount_cents: i64,
    pub brand: &'a str,
    pub last4: &'a str,
    pub behaviour: &'a str,
}

/// Records an authorisation unless one with the same key exists; then reads the one that does.
pub async fn authorise(
    tx: &mut Tx,
    a: &NewAuthorisation<'_>,
    now: i64,
) -> Result<Authorisation, DbError> {
    sqlx::query(
        "INSERT INTO mock_gateway_authorisations (id, idempotency_key, state, decline, amount_cents, card_brand, \
         card_last4, behaviour, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(a.id)
    .bind(a.key)
    .bind(a.state)
    .bind(a.decline)
    .bind(a.amount_cents)
    .bind(a.brand)
    .bind(a.last4)
    .bind(a.behaviour)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COLUMNS} WHERE idempotency_key = $1"
    )))
    .bind(a.key)
    .fetch_one(&mut **tx)
    .await
}

/// Locks an authorisation's row until the transaction ends.
pub async fn lock(tx: &mut Tx, id: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE mock_gateway_authorisations SET updated_at = updated_at WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn find<'e, E>(exec: E, id: &str) -> Result<Option<Authorisation>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE id = $1")))
        .bind(id)
        .fetch_optional(exec)
        .await
}

/// The outcome of an earlier call with this idempotency key.
pub async fn operation<'e, E>(exec: E, key: &str) -> Result<Option<String>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_scalar("SELECT outcome FROM mock_gateway_operations WHERE idempotency_key = $1")
        .bind(key)
        .fetch_optional(exec)
        .await
}

pub struct Operation<'a> {
    pub key: &'a str,
    pub authorisation: &'a str,
    pub kind: &'a str,
    pub amount_cents: i64,
    pub outcome: &'a str,
}

pub async fn add_operation(tx: &mut Tx, op: &Operation<'_>, now: i64) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO mock_gateway_operations (idempotency_key, authorisation_id, kind, amount_cents, outcome, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(op.key)
    .bind(op.authorisation)
    .bind(op.kind)
    .bind(op.amount_cents)
    .bind(op.outcome)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves an authorisation on (captured with the amount taken, or voided).
pub async fn settle(
    tx: &mut Tx,
    id: &str,
    state: &str,
    captured_cents: i64,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE mock_gateway_authorisations SET state = $2, captured_cents = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(state)
    .bind(captured_cents)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn add_refund(tx: &mut Tx, id: &str, cents: i64, now: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE mock_gateway_authorisations SET refunded_cents = refunded_cents + $2, updated_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(cents)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Uses up a slow-capture card's one slow capture; true the first time.
pub async fn take_slow_capture<'e, E>(exec: E, id: &str) -> Result<bool, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let done = sqlx::query(
        "UPDATE mock_gateway_authorisations SET behaviour = 'normal' WHERE id = $1 AND behaviour = 'capture_slow'",
    )
    .bind(id)
    .execute(exec)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Authorisations made at or before `before` that were neither captured nor voided.
pub async fn open<'e, E>(exec: E, before: i64) -> Result<Vec<Authorisation>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COLUMNS} WHERE state = 'authorised' AND created_at <= $1 ORDER BY created_at, id"
    )))
    .bind(before)
    .fetch_all(exec)
    .await
}

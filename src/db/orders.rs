//! Orders, their lines and status history, payments and invoices.

use sqlx::{AnyPool, FromRow};

use super::{DbError, Tx};
use crate::domain::{ProductId, UserId};

pub struct NewOrder<'a> {
    pub user_id: UserId,
    pub checkout_token: &'a str,
    pub email: &'a str,
    pub customer_name: &'a str,
    pub shipping_address: &'a str,
    pub currency: &'a str,
    pub vat_percent: i64,
    pub subtotal_cents: i64,
    pub shipping_cents: i64,
    pub total_cents: i64,
    pub net_cents: i64,
    pub vat_cents: i64,
}

pub async fn insert(tx: &mut Tx, o: &NewOrder<'_>, now: i64) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "INSERT INTO orders (user_id, status, checkout_token, email, customer_name, shipping_address, currency, \
         vat_percent, subtotal_cents, shipping_cents, total_cents, net_cents, vat_cents, payment_status, created_at, updated_at) \
         VALUES ($1, 'pending', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'none', $13, $13) RETURNING id",
    )
    .bind(o.user_id.0)
    .bind(o.checkout_token)
    .bind(o.email)
    .bind(o.customer_name)
    .bind(o.shipping_address)
    .bind(o.currency)
    .bind(o.vat_percent)
    .bind(o.subtotal_cents)
    .bind(o.shipping_cents)
    .bind(o.total_cents)
    .bind(o.net_cents)
    .bind(o.vat_cents)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

pub struct NewLine<'a> {
    pub product_id: i64,
    pub sku: &'a str,
    pub name: &'a str,
    pub unit_price_cents: i64,
    pub quantity: i64,
}

pub async fn insert_line(tx: &mut Tx, order: i64, l: &NewLine<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO order_lines (order_id, product_id, sku, name, unit_price_cents, quantity, line_total_cents) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(order)
    .bind(l.product_id)
    .bind(l.sku)
    .bind(l.name)
    .bind(l.unit_price_cents)
    .bind(l.quantity)
    .bind(l.unit_price_cents * l.quantity)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes units from stock only if that many are there (and the product is on sale): the
/// condition and the change are one statement, so concurrent buyers cannot oversell.
pub async fn take_stock(tx: &mut Tx, product: ProductId, quantity: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE products SET stock = stock - $2 WHERE id = $1 AND active = 1 AND stock >= $2",
    )
    .bind(product.0)
    .bind(quantity)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Puts the units of an order's lines back into stock.
pub async fn return_stock(tx: &mut Tx, order: i64) -> Result<(), DbError> {
    let lines: Vec<(i64, i64)> =
        sqlx::query_as("SELECT product_id, quantity FROM order_lines WHERE order_id = $1")
            .bind(order)
            .fetch_all(&mut **tx)
            .await?;
    for (product, quantity) in lines {
        sqlx::query("UPDATE products SET stock = stock + $2 WHERE id = $1")
            .bind(product)
            .bind(quantity)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub async fn add_event(
    tx: &mut Tx,
    order: i64,
    status: &str,
    note: &str,
    actor: Option<UserId>,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO order_events (order_id, status, note, actor_id, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(order)
        .bind(status)
        .bind(note)
        .bind(actor.map(|a| a.0))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves an order to `to` only from one of `from`; false when it was not in such a state
/// (someone else moved it first).
pub async fn transition(
    tx: &mut Tx,
    order: i64,
    from: &[&str],
    to: &str,
    now: i64,
) -> Result<bool, DbError> {
    let mut sql = String::from(
        "UPDATE orders SET status = $2, updated_at = $3 WHERE id = $1 AND status IN (",
    );
    for i in 0..from.len() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("${}", i + 4));
    }
    sql.push(')');
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(order)
        .bind(to)
        .bind(now);
    for f in from {
        q = q.bind(*f);
    }
    Ok(q.execute(&mut **tx).await?.rows_affected() == 1)
}

pub async fn set_payment(
    tx: &mut Tx,
    order: i64,
    status: &str,
    brand: &str,
    last4: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE orders SET payment_status = $2, card_brand = $3, card_last4 = $4 WHERE id = $1",
    )
    .bind(order)
    .bind(status)
    .bind(brand)
    .bind(last4)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_payment_status(tx: &mut Tx, order: i64, status: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE orders SET payment_status = $2 WHERE id = $1")
        .bind(order)
        .bind(status)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_tracking(tx: &mut Tx, order: i64, tracking: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE orders SET tracking_number = $2 WHERE id = $1")
        .bind(order)
        .bind(tracking)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub struct PaymentRecord<'a> {
    pub user_id: UserId,
    pub order_id: Option<i64>,
    pub outcome: &'a str,
    pub amount_cents: i64,
    pub brand: &'a str,
    pub last4: &'a str,
}

pub async fn record_payment<'e, E>(exec: E, p: &PaymentRecord<'_>, now: i64) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO payments (user_id, order_id, outcome, amount_cents, card_brand, card_last4, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(p.user_id.0)
    .bind(p.order_id)
    .bind(p.outcome)
    .bind(p.amount_cents)
    .bind(p.brand)
    .bind(p.last4)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(())
}

/// (order id, customer id) of the order a checkout form made, from the pool or inside a
/// transaction (after the write lock was taken).
pub async fn find_by_token<'e, E>(exec: E, token: &str) -> Result<Option<(i64, i64)>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as("SELECT id, user_id FROM orders WHERE checkout_token = $1")
        .bind(token)
        .fetch_optional(exec)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct OrderRow {
    pub id: i64,
    pub user_id: i64,
    pub status: String,
    pub email: String,
    pub customer_name: String,
    pub shipping_address: String,
    pub currency: String,
    pub vat_percent: i64,
    pub subtotal_cents: i64,
    pub shipping_cents: i64,
    pub total_cents: i64,
    pub net_cents: i64,
    pub vat_cents: i64,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub payment_status: String,
    pub tracking_number: Option<String>,
    pub created_at: i64,
}

const ORDER_COLUMNS: &str = "id, user_id, status, email, customer_name, shipping_address, currency, vat_percent, \
     subtotal_cents, shipping_cents, total_cents, net_cents, vat_cents, card_brand, card_last4, payment_status, \
     tracking_number, created_at";

pub async fn find(pool: &AnyPool, id: i64) -> Result<Option<OrderRow>, DbError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The order only if it belongs to this customer (others' orders do not exist for them).
pub async fn find_for_user(
    pool: &AnyPool,
    id: i64,
    user: UserId,
) -> Result<Option<OrderRow>, DbError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1 AND user_id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user.0)
        .fetch_optional(pool)
        .await
}

pub async fn list_for_user(pool: &AnyPool, user: UserId) -> Result<Vec<OrderRow>, DbError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE user_id = $1 ORDER BY id DESC");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user.0)
        .fetch_all(pool)
        .await
}

/// Orders for the admin list, newest first, optionally by status and by order number or customer.
pub async fn list(
    pool: &AnyPool,
    status: Option<&str>,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OrderRow>, i64), DbError> {
    let mut cond = String::from(" WHERE 1 = 1");
    let mut binds: Vec<String> = Vec::new();
    if let Some(s) = status {
        binds.push(s.to_string());
        cond.push_str(&format!(" AND status = ${}", binds.len()));
    }
    if let Some(q) = search {
        let q = q.trim().trim_start_matches('#').to_lowercase();
        binds.push(q.clone());
        let n = binds.len();
        binds.push(format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        ));
        let m = binds.len();
        cond.push_str(&format!(
            " AND (CAST(id AS TEXT) = ${n} OR email LIKE ${m} ESCAPE '\\' OR LOWER(customer_name) LIKE ${m} ESCAPE '\\')"
        ));
    }
    let count_sql = format!("SELECT COUNT(*) FROM orders{cond}");
    let mut cq = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
    for b in &binds {
        cq = cq.bind(b.clone());
    }
    let total = cq.fetch_one(pool).await?;
    let list_sql = format!(
        "SELECT {ORDER_COLUMNS} FROM orders{cond} ORDER BY id DESC LIMIT ${} OFFSET ${}",
        binds.len() + 1,
        binds.len() + 2
    );
    let mut lq = sqlx::query_as::<_, OrderRow>(sqlx::AssertSqlSafe(list_sql));
    for b in &binds {
        lq = lq.bind(b.clone());
    }
    let rows = lq.bind(limit).bind(offset).fetch_all(pool).await?;
    Ok((rows, total))
}

#[derive(Debug, Clone, FromRow, serde::Serialize, serde::Deserialize)]
pub struct LineRow {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit_price_cents: i64,
    pub quantity: i64,
    pub line_total_cents: i64,
}

/// An order's lines, from the pool or inside a transaction (`&mut *tx`).
pub async fn lines<'e, E>(exec: E, order: i64) -> Result<Vec<LineRow>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(
        "SELECT product_id, sku, name, unit_price_cents, quantity, line_total_cents FROM order_lines \
         WHERE order_id = $1 ORDER BY id",
    )
    .bind(order)
    .fetch_all(exec)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub status: String,
    pub note: String,
    pub at: i64,
}

pub async fn events(pool: &AnyPool, order: i64) -> Result<Vec<EventRow>, DbError> {
    sqlx::query_as("SELECT status, note, at FROM order_events WHERE order_id = $1 ORDER BY id")
        .bind(order)
        .fetch_all(pool)
        .await
}

/// The next invoice number of a year. The counter row stays locked until the transaction
/// ends, so numbers are handed out in commit order with no gaps.
pub async fn next_invoice_seq(tx: &mut Tx, year: i64) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "INSERT INTO invoice_counters (year, last) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last = invoice_counters.last + 1 RETURNING last",
    )
    .bind(year)
    .fetch_one(&mut **tx)
    .await
}

pub async fn insert_invoice(
    tx: &mut Tx,
    order: i64,
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

pub async fn invoice(pool: &AnyPool, order: i64) -> Result<Option<InvoiceRow>, DbError> {
    sqlx::query_as("SELECT number, issued_at, snapshot FROM invoices WHERE order_id = $1")
        .bind(order)
        .fetch_optional(pool)
        .await
}

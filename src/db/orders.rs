//! Orders, their lines and status history, and payments (invoices: `invoices`; guests' links:
//! `guest_orders`).

use sqlx::{AnyPool, FromRow};

use super::sql::Sql;
use super::{DbError, Tx};
use crate::domain::{Money, OrderId, OrderStatus, PaymentStatus, ProductId, UserId};

pub struct NewOrder<'a> {
    /// Empty for a guest's order.
    pub user_id: Option<UserId>,
    pub checkout_token: &'a str,
    pub email: &'a str,
    pub customer_name: &'a str,
    pub shipping_address: &'a str,
    pub shipping_country: &'a str,
    pub shipping_method: &'a str,
    /// The billing address when it is not the delivery address.
    pub billing_address: Option<&'a str>,
    pub currency: &'a str,
    pub vat_percent: i64,
    pub shipping_vat_percent: i64,
    pub subtotal: Money,
    pub discount: Money,
    pub shipping: Money,
    pub total: Money,
    pub net: Money,
    pub vat: Money,
}

pub async fn insert(tx: &mut Tx, o: &NewOrder<'_>, now: i64) -> Result<OrderId, DbError> {
    sqlx::query_scalar(
        "INSERT INTO orders (user_id, status, checkout_token, email, customer_name, shipping_address, currency, \
         vat_percent, subtotal_cents, shipping_cents, total_cents, net_cents, vat_cents, payment_status, created_at, updated_at, \
         shipping_vat_percent, discount_cents, shipping_country, shipping_method, billing_address) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17, $18, $19, $20) RETURNING id",
    )
    .bind(o.user_id)
    .bind(OrderStatus::Pending.as_str())
    .bind(o.checkout_token)
    .bind(o.email)
    .bind(o.customer_name)
    .bind(o.shipping_address)
    .bind(o.currency)
    .bind(o.vat_percent)
    .bind(o.subtotal)
    .bind(o.shipping)
    .bind(o.total)
    .bind(o.net)
    .bind(o.vat)
    .bind(PaymentStatus::None.as_str())
    .bind(now)
    .bind(o.shipping_vat_percent)
    .bind(o.discount)
    .bind(o.shipping_country)
    .bind(o.shipping_method)
    .bind(o.billing_address)
    .fetch_one(&mut **tx)
    .await
}

pub struct NewLine<'a> {
    pub product_id: ProductId,
    pub sku: &'a str,
    pub name: &'a str,
    pub unit_price: Money,
    pub quantity: i64,
    /// Cents taken off the line by promotions and the voucher.
    pub discount: Money,
    pub vat_percent: i64,
    pub variant_id: Option<i64>,
}

pub async fn insert_line(tx: &mut Tx, order: OrderId, l: &NewLine<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO order_lines (order_id, product_id, sku, name, unit_price_cents, quantity, line_total_cents, vat_percent, discount_cents, variant_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(order)
    .bind(l.product_id)
    .bind(l.sku)
    .bind(l.name)
    .bind(l.unit_price)
    .bind(l.quantity)
    .bind(l.unit_price.cents() * l.quantity - l.discount.cents())
    .bind(l.vat_percent)
    .bind(l.discount)
    .bind(l.variant_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One discount line of an order ("Spring sale", "Voucher SPRING10"), as it was applied.
#[derive(Debug, Clone, FromRow)]
pub struct OrderDiscount {
    pub label: String,
    pub code: Option<String>,
    #[sqlx(rename = "amount_cents")]
    pub amount: Money,
}

pub async fn insert_discount(
    tx: &mut Tx,
    order: OrderId,
    d: &OrderDiscount,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO order_discounts (order_id, label, code, amount_cents) VALUES ($1, $2, $3, $4)",
    )
    .bind(order)
    .bind(&d.label)
    .bind(&d.code)
    .bind(d.amount)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn discounts<'e, E>(exec: E, order: OrderId) -> Result<Vec<OrderDiscount>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(
        "SELECT label, code, amount_cents FROM order_discounts WHERE order_id = $1 ORDER BY id",
    )
    .bind(order)
    .fetch_all(exec)
    .await
}

/// Takes units from stock only if that many are there (and the product is on sale): the
/// condition and the change are one statement, so concurrent buyers cannot oversell.
pub async fn take_stock(tx: &mut Tx, product: ProductId, quantity: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE products SET stock = stock - $2 WHERE id = $1 AND active = 1 AND stock >= $2",
    )
    .bind(product)
    .bind(quantity)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Puts the units of an order's lines back into stock (those no credit note took back yet).
pub async fn return_stock(tx: &mut Tx, order: OrderId) -> Result<(), DbError> {
    #[derive(FromRow)]
    struct Units {
        product_id: ProductId,
        variant_id: Option<i64>,
        quantity: i64,
    }
    let lines: Vec<Units> =
        sqlx::query_as("SELECT product_id, variant_id, quantity - refunded_quantity AS quantity FROM order_lines WHERE order_id = $1")
            .bind(order)
            .fetch_all(&mut **tx)
            .await?;
    let units: Vec<_> = lines
        .into_iter()
        .filter(|l| l.quantity > 0)
        .map(|l| (l.product_id, l.variant_id, l.quantity))
        .collect();
    put_back_all(tx, &units).await
}

/// Puts units back into stock in the order checkouts take them (variants by id, then products
/// by id), so a cancellation or refund and a checkout cannot wait for each other.
pub async fn put_back_all(
    tx: &mut Tx,
    units: &[(ProductId, Option<i64>, i64)],
) -> Result<(), DbError> {
    let mut variants: Vec<(i64, i64)> = units
        .iter()
        .filter_map(|(_, v, q)| v.map(|v| (v, *q)))
        .collect();
    variants.sort_unstable();
    for (v, q) in variants {
        super::variants::put_back(tx, v, q).await?;
    }
    let mut products: std::collections::BTreeMap<ProductId, i64> = Default::default();
    for (p, _, q) in units {
        *products.entry(*p).or_default() += q;
    }
    for (p, q) in products {
        put_back(tx, p, None, q).await?;
    }
    Ok(())
}

/// Takes the order's row lock until the transaction ends: every change of an order's status,
/// payment or credit notes takes it first, so they run one after the other per order and
/// always lock in the same order (the order, then its payment, lines and counters).
pub async fn lock(tx: &mut Tx, order: OrderId) -> Result<(), DbError> {
    sqlx::query("UPDATE orders SET updated_at = updated_at WHERE id = $1")
        .bind(order)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether the order is (still) in this status.
pub async fn is_in(tx: &mut Tx, order: OrderId, status: OrderStatus) -> Result<bool, DbError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE id = $1 AND status = $2")
        .bind(order)
        .bind(status.as_str())
        .fetch_one(&mut **tx)
        .await?;
    Ok(n == 1)
}

/// Puts `quantity` units of a product (and of its variant) back into stock (a cancellation, or
/// goods returned with a refund).
pub async fn put_back(
    tx: &mut Tx,
    product: ProductId,
    variant: Option<i64>,
    quantity: i64,
) -> Result<(), DbError> {
    if let Some(v) = variant {
        super::variants::put_back(tx, v, quantity).await?;
    }
    sqlx::query("UPDATE products SET stock = stock + $2 WHERE id = $1")
        .bind(product)
        .bind(quantity)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn add_event(
    tx: &mut Tx,
    order: OrderId,
    status: OrderStatus,
    note: &str,
    actor: Option<UserId>,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO order_events (order_id, status, note, actor_id, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(order)
        .bind(status.as_str())
        .bind(note)
        .bind(actor)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves an order to `to` only from one of `from`; false when it was not in such a state
/// (someone else moved it first).
pub async fn transition(
    tx: &mut Tx,
    order: OrderId,
    from: &[OrderStatus],
    to: OrderStatus,
    now: i64,
) -> Result<bool, DbError> {
    let mut sql = Sql::new("UPDATE orders SET status = ");
    sql.text(to.as_str())
        .push(", updated_at = ")
        .int(now)
        .push(" WHERE id = ")
        .int(order.get())
        .push(" AND status IN ")
        .text_list(from.iter().map(|s| s.as_str()));
    let moved = sql.execute(&mut **tx).await? == 1;
    if moved {
        if to.counts_as_bought() {
            super::purchases::add_order(tx, order).await?;
        } else {
            super::purchases::drop_order(tx, order).await?;
        }
    }
    Ok(moved)
}

pub async fn set_payment(
    tx: &mut Tx,
    order: OrderId,
    status: PaymentStatus,
    brand: &str,
    last4: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE orders SET payment_status = $2, card_brand = $3, card_last4 = $4 WHERE id = $1",
    )
    .bind(order)
    .bind(status.as_str())
    .bind(brand)
    .bind(last4)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_payment_status(
    tx: &mut Tx,
    order: OrderId,
    status: PaymentStatus,
) -> Result<(), DbError> {
    sqlx::query("UPDATE orders SET payment_status = $2 WHERE id = $1")
        .bind(order)
        .bind(status.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_tracking(tx: &mut Tx, order: OrderId, tracking: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE orders SET tracking_number = $2 WHERE id = $1")
        .bind(order)
        .bind(tracking)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub struct PaymentRecord<'a> {
    /// Empty for a guest's payment.
    pub user_id: Option<UserId>,
    pub order_id: Option<OrderId>,
    pub outcome: &'a str,
    pub amount: Money,
    pub brand: &'a str,
    pub last4: &'a str,
}

impl<'a> PaymentRecord<'a> {
    /// A payment event of a stored order, with its card.
    pub fn of(order: &'a Order, outcome: &'a str, amount: Money) -> Self {
        Self {
            user_id: order.user_id,
            order_id: Some(order.id),
            outcome,
            amount,
            brand: order.card_brand.as_deref().unwrap_or(""),
            last4: order.card_last4.as_deref().unwrap_or(""),
        }
    }
}

pub async fn record_payment<'e, E>(exec: E, p: &PaymentRecord<'_>, now: i64) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO payments (user_id, order_id, outcome, amount_cents, card_brand, card_last4, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(p.user_id)
    .bind(p.order_id)
    .bind(p.outcome)
    .bind(p.amount)
    .bind(p.brand)
    .bind(p.last4)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(())
}

/// The order a checkout form made, and whose it is.
#[derive(Debug, Clone, FromRow)]
pub struct TokenOrder {
    pub id: OrderId,
    pub user_id: Option<UserId>,
    pub email: String,
}

/// The order a checkout form made, from the pool or inside a transaction (after the write lock
/// was taken).
pub async fn find_by_token<'e, E>(exec: E, token: &str) -> Result<Option<TokenOrder>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as("SELECT id, user_id, email FROM orders WHERE checkout_token = $1")
        .bind(token)
        .fetch_optional(exec)
        .await
}

/// An order as stored. A status word the code does not know is a decode error.
#[derive(Debug, Clone, FromRow)]
pub struct Order {
    pub id: OrderId,
    /// Empty for a guest's order.
    pub user_id: Option<UserId>,
    #[sqlx(try_from = "String")]
    pub status: OrderStatus,
    pub email: String,
    pub customer_name: String,
    pub shipping_address: String,
    /// Absent on orders placed before shipping methods.
    pub shipping_country: Option<String>,
    pub shipping_method: Option<String>,
    pub billing_address: Option<String>,
    pub currency: String,
    pub vat_percent: i64,
    pub shipping_vat_percent: i64,
    #[sqlx(rename = "subtotal_cents")]
    pub subtotal: Money,
    /// What discounts took off the lines (`total = subtotal − discount + shipping`).
    #[sqlx(rename = "discount_cents")]
    pub discount: Money,
    #[sqlx(rename = "shipping_cents")]
    pub shipping: Money,
    #[sqlx(rename = "total_cents")]
    pub total: Money,
    #[sqlx(rename = "net_cents")]
    pub net: Money,
    #[sqlx(rename = "vat_cents")]
    pub vat: Money,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    #[sqlx(try_from = "String")]
    pub payment_status: PaymentStatus,
    pub tracking_number: Option<String>,
    pub created_at: i64,
    /// Whether a credit note took back the shipping.
    #[sqlx(try_from = "i64")]
    pub shipping_refunded: super::Flag,
}

const ORDER_COLUMNS: &str = "SELECT id, user_id, status, email, customer_name, shipping_address, shipping_country, shipping_method, billing_address, currency, vat_percent, shipping_vat_percent, \
     subtotal_cents, discount_cents, shipping_cents, total_cents, net_cents, vat_cents, card_brand, card_last4, payment_status, \
     tracking_number, created_at, shipping_refunded FROM orders";

pub async fn find(pool: &AnyPool, id: OrderId) -> Result<Option<Order>, DbError> {
    let mut sql = Sql::new(ORDER_COLUMNS);
    sql.push(" WHERE id = ").int(id.get());
    sql.fetch_optional(pool).await
}

/// The order only if it belongs to this customer (others' orders do not exist for them).
pub async fn find_for_user(
    pool: &AnyPool,
    id: OrderId,
    user: UserId,
) -> Result<Option<Order>, DbError> {
    let mut sql = Sql::new(ORDER_COLUMNS);
    sql.push(" WHERE id = ")
        .int(id.get())
        .push(" AND user_id = ")
        .int(user.get());
    sql.fetch_optional(pool).await
}

pub async fn list_for_user(pool: &AnyPool, user: UserId) -> Result<Vec<Order>, DbError> {
    let mut sql = Sql::new(ORDER_COLUMNS);
    sql.push(" WHERE user_id = ")
        .int(user.get())
        .push(" ORDER BY id DESC");
    sql.fetch_all(pool).await
}

/// Orders for the admin list, newest first, optionally by status and by order number or customer.
pub async fn list(
    pool: &AnyPool,
    status: Option<OrderStatus>,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Order>, i64), DbError> {
    let mut cond = Sql::new(" WHERE 1 = 1");
    if let Some(s) = status {
        cond.push(" AND status = ").text(s.as_str());
    }
    if let Some(q) = search {
        let q = q.trim().trim_start_matches('#').to_lowercase();
        cond.push(" AND (CAST(id AS TEXT) = ")
            .text(&q)
            .push(" OR email LIKE ")
            .contains(&q)
            .push(" OR LOWER(customer_name) LIKE ")
            .contains(&q)
            .push(")");
    }
    let mut count = Sql::new("SELECT COUNT(*) FROM orders");
    count.append(&cond);
    let total = count.fetch_scalar(pool).await?;
    let mut rows = Sql::new(ORDER_COLUMNS);
    rows.append(&cond);
    rows.push(" ORDER BY id DESC LIMIT ")
        .int(limit)
        .push(" OFFSET ")
        .int(offset);
    Ok((rows.fetch_all(pool).await?, total))
}

/// A line of an order, at the price it was bought for.
#[derive(Debug, Clone, FromRow)]
pub struct OrderLine {
    /// The line's own id (refunds name lines by it).
    pub id: i64,
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    #[sqlx(rename = "unit_price_cents")]
    pub unit_price: Money,
    pub quantity: i64,
    /// What was charged for the line: unit price × quantity − discount.
    #[sqlx(rename = "line_total_cents")]
    pub line_total: Money,
    #[sqlx(rename = "discount_cents")]
    pub discount: Money,
    pub vat_percent: i64,
    pub variant_id: Option<i64>,
    /// Units credited by credit notes so far.
    pub refunded_quantity: i64,
}

/// An order's lines, from the pool or inside a transaction (`&mut *tx`).
pub async fn lines<'e, E>(exec: E, order: OrderId) -> Result<Vec<OrderLine>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(
        "SELECT id, product_id, sku, name, unit_price_cents, quantity, line_total_cents, discount_cents, vat_percent, variant_id, refunded_quantity \
         FROM order_lines \
         WHERE order_id = $1 ORDER BY id",
    )
    .bind(order)
    .fetch_all(exec)
    .await
}

/// One step of an order's status history.
#[derive(Debug, Clone, FromRow)]
pub struct OrderEvent {
    #[sqlx(try_from = "String")]
    pub status: OrderStatus,
    pub note: String,
    pub at: i64,
}

pub async fn events(pool: &AnyPool, order: OrderId) -> Result<Vec<OrderEvent>, DbError> {
    sqlx::query_as("SELECT status, note, at FROM order_events WHERE order_id = $1 ORDER BY id")
        .bind(order)
        .fetch_all(pool)
        .await
}

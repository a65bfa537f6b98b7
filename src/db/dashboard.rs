//! The dashboard's figures, read through indexes: orders by `orders_created (created_at, status,
//! total_cents)` (answered from the index alone), accounts by `users_created`, stock from the
//! products. Revenue counts the orders that brought money in (paid, shipped, delivered).

use sqlx::{AnyPool, FromRow};

use super::DbError;
use super::customers::PAID_STATUSES;
use crate::domain::{Money, ProductId};

/// Revenue, orders and new customers since a moment.
#[derive(Debug, Clone, Copy, Default)]
pub struct PeriodFigures {
    pub revenue: Money,
    pub orders: i64,
    pub new_customers: i64,
}

pub async fn period(pool: &AnyPool, since: i64) -> Result<PeriodFigures, DbError> {
    let (orders, revenue): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) FROM orders \
         WHERE created_at >= $1 AND status IN {PAID_STATUSES}"
    )))
    .bind(since)
    .fetch_one(pool)
    .await?;
    let new_customers: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users u WHERE u.created_at >= $1 \
         AND NOT EXISTS (SELECT 1 FROM staff_roles r WHERE r.user_id = u.id)",
    )
    .bind(since)
    .fetch_one(pool)
    .await?;
    Ok(PeriodFigures {
        revenue: Money::from_cents(revenue),
        orders,
        new_customers,
    })
}

/// Orders and revenue of one day, `day` counted from `since` (0 is the first day).
#[derive(Debug, Clone, Copy, FromRow)]
pub struct DayFigures {
    pub day: i64,
    pub orders: i64,
    pub revenue_cents: i64,
}

/// Days without orders are missing (the caller fills them with zeros).
pub async fn per_day(pool: &AnyPool, since: i64) -> Result<Vec<DayFigures>, DbError> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT (created_at - $1) / 86400 AS day, COUNT(*) AS orders, \
         CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) AS revenue_cents FROM orders \
         WHERE created_at >= $1 AND status IN {PAID_STATUSES} GROUP BY 1 ORDER BY 1"
    )))
    .bind(since)
    .fetch_all(pool)
    .await
}

/// Orders placed since a moment, by status (every status, pending and cancelled too).
pub async fn by_status(pool: &AnyPool, since: i64) -> Result<Vec<(String, i64)>, DbError> {
    sqlx::query_as("SELECT status, COUNT(*) FROM orders WHERE created_at >= $1 GROUP BY status")
        .bind(since)
        .fetch_all(pool)
        .await
}

/// Paid orders not shipped yet.
pub async fn waiting_to_ship(pool: &AnyPool) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE status = 'paid'")
        .fetch_one(pool)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct TopProduct {
    pub product_id: ProductId,
    pub name: String,
    pub units: i64,
    pub revenue_cents: i64,
}

/// The products that brought in the most since a moment. `CROSS JOIN` keeps SQLite on the
/// period's orders first (by index), rather than walking every order line by product.
pub async fn top_products(
    pool: &AnyPool,
    since: i64,
    limit: i64,
) -> Result<Vec<TopProduct>, DbError> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT l.product_id, MAX(l.name) AS name, CAST(SUM(l.quantity) AS BIGINT) AS units, \
         CAST(SUM(l.line_total_cents) AS BIGINT) AS revenue_cents \
         FROM orders o CROSS JOIN order_lines l \
         WHERE l.order_id = o.id AND o.created_at >= $1 AND o.status IN {PAID_STATUSES} \
         GROUP BY l.product_id ORDER BY revenue_cents DESC, l.product_id LIMIT $2"
    )))
    .bind(since)
    .bind(limit)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct StockRow {
    pub id: ProductId,
    pub name: String,
    pub stock: i64,
}

/// Products on sale with at most `max` units (0: sold out), fewest first.
pub async fn short_of_stock(
    pool: &AnyPool,
    min: i64,
    max: i64,
    limit: i64,
) -> Result<Vec<StockRow>, DbError> {
    sqlx::query_as(
        "SELECT id, name, stock FROM products WHERE active = 1 AND stock BETWEEN $1 AND $2 \
         ORDER BY stock, name, id LIMIT $3",
    )
    .bind(min)
    .bind(max)
    .bind(limit)
    .fetch_all(pool)
    .await
}

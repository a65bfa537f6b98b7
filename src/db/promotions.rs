//! Automatic promotions and what they cover.

use sqlx::{AnyPool, FromRow};

use super::{DbError, Flag, Tx};
use crate::domain::{CategoryId, ProductId};

pub struct NewPromotion<'a> {
    pub name: &'a str,
    /// `percent` or `buy_pay`.
    pub kind: &'a str,
    pub percent: Option<i64>,
    pub buy: Option<i64>,
    pub pay: Option<i64>,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
}

pub async fn insert(tx: &mut Tx, p: &NewPromotion<'_>, now: i64) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "INSERT INTO promotions (name, kind, percent, buy, pay, starts_at, ends_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(p.name)
    .bind(p.kind)
    .bind(p.percent)
    .bind(p.buy)
    .bind(p.pay)
    .bind(p.starts_at)
    .bind(p.ends_at)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

pub async fn set_scope(
    tx: &mut Tx,
    promotion: i64,
    products: &[ProductId],
    categories: &[CategoryId],
) -> Result<(), DbError> {
    for p in products {
        sqlx::query("INSERT INTO promotion_products (promotion_id, product_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(promotion)
            .bind(*p)
            .execute(&mut **tx)
            .await?;
    }
    for c in categories {
        sqlx::query("INSERT INTO promotion_categories (promotion_id, category_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(promotion)
            .bind(*c)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct PromotionRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub percent: Option<i64>,
    pub buy: Option<i64>,
    pub pay: Option<i64>,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    #[sqlx(try_from = "i64")]
    pub active: Flag,
    pub created_at: i64,
}

const PROMOTION: &str = "SELECT id, name, kind, percent, buy, pay, starts_at, ends_at, active, created_at FROM promotions";

pub async fn list(pool: &AnyPool) -> Result<Vec<PromotionRow>, DbError> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PROMOTION} ORDER BY starts_at DESC, id DESC"
    )))
    .fetch_all(pool)
    .await
}

pub async fn find(pool: &AnyPool, id: i64) -> Result<Option<PromotionRow>, DbError> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{PROMOTION} WHERE id = $1")))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Switched-on promotions that have not ended by `now` (running or still to come), oldest first.
pub async fn current(pool: &AnyPool, now: i64) -> Result<Vec<PromotionRow>, DbError> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PROMOTION} WHERE active = 1 AND (ends_at IS NULL OR ends_at > $1) ORDER BY id"
    )))
    .bind(now)
    .fetch_all(pool)
    .await
}

pub async fn scope(
    pool: &AnyPool,
    promotion: i64,
) -> Result<(Vec<ProductId>, Vec<CategoryId>), DbError> {
    let products: Vec<ProductId> = sqlx::query_scalar(
        "SELECT product_id FROM promotion_products WHERE promotion_id = $1 ORDER BY product_id",
    )
    .bind(promotion)
    .fetch_all(pool)
    .await?;
    let categories: Vec<CategoryId> = sqlx::query_scalar(
        "SELECT category_id FROM promotion_categories WHERE promotion_id = $1 ORDER BY category_id",
    )
    .bind(promotion)
    .fetch_all(pool)
    .await?;
    Ok((products, categories))
}

pub async fn set_active(tx: &mut Tx, id: i64, active: bool) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE promotions SET active = $2 WHERE id = $1")
        .bind(id)
        .bind(super::flag(active))
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

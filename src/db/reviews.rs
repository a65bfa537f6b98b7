//! Ratings and reviews, and the rating aggregates kept on products.

use sqlx::{AnyPool, FromRow};

use super::sql::Sql;
use super::{DbError, Tx, flag, flag_of};
use crate::domain::{ProductId, UserId};

/// Writes (or rewrites) a customer's review of a product: one per customer and product, so two
/// simultaneous posts leave one review.
pub async fn upsert(
    tx: &mut Tx,
    product: ProductId,
    user: UserId,
    rating: i64,
    comment: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO reviews (product_id, user_id, rating, comment, hidden, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $5) \
         ON CONFLICT (product_id, user_id) DO UPDATE SET rating = excluded.rating, \
         comment = excluded.comment, updated_at = excluded.updated_at",
    )
    .bind(product)
    .bind(user)
    .bind(rating)
    .bind(comment)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, product: ProductId, user: UserId) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM reviews WHERE product_id = $1 AND user_id = $2")
        .bind(product)
        .bind(user)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Recounts a product's visible ratings and stores them with the score `sort=rating` uses.
pub async fn refresh_aggregate(
    tx: &mut Tx,
    product: ProductId,
    score: impl Fn(i64, i64) -> i64,
) -> Result<(), DbError> {
    #[derive(FromRow)]
    struct Totals {
        n: i64,
        total: i64,
    }
    let t: Totals = sqlx::query_as(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(rating), 0) AS BIGINT) AS total FROM reviews \
         WHERE product_id = $1 AND hidden = 0",
    )
    .bind(product)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE products SET rating_count = $2, rating_sum = $3, rating_score = $4 WHERE id = $1",
    )
    .bind(product)
    .bind(t.n)
    .bind(t.total)
    .bind(score(t.n, t.total))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The catalogue's ratings in all: (number of ratings, their sum).
pub async fn totals(tx: &mut Tx) -> Result<(i64, i64), DbError> {
    sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(rating_count), 0) AS BIGINT), CAST(COALESCE(SUM(rating_sum), 0) AS BIGINT) FROM products",
    )
    .fetch_one(&mut **tx)
    .await
}

/// Recomputes every rated product's score against a new prior, in one statement.
pub async fn rescore_all(tx: &mut Tx, prior_milli: i64, weight: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE products SET rating_score = ($1 * $2 + rating_sum * 1000) / ($2 + rating_count) \
         WHERE rating_count > 0",
    )
    .bind(prior_milli)
    .bind(weight)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A review as shoppers see it.
#[derive(Debug, Clone, FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub product_id: ProductId,
    pub user_id: UserId,
    pub first_name: String,
    pub rating: i64,
    pub comment: String,
    pub updated_at: i64,
}

/// A product's visible reviews, newest first.
pub async fn for_product(
    pool: &AnyPool,
    product: ProductId,
    limit: i64,
    offset: i64,
) -> Result<Vec<ReviewRow>, DbError> {
    sqlx::query_as(
        "SELECT r.id, r.product_id, r.user_id, u.first_name, r.rating, r.comment, r.updated_at \
         FROM reviews r JOIN users u ON u.id = r.user_id \
         WHERE r.product_id = $1 AND r.hidden = 0 ORDER BY r.updated_at DESC, r.id DESC LIMIT $2 OFFSET $3",
    )
    .bind(product)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
}

/// How many visible reviews gave each number of stars: `[ones, twos, …, fives]`.
pub async fn distribution(pool: &AnyPool, product: ProductId) -> Result<[i64; 5], DbError> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT rating, COUNT(*) FROM reviews WHERE product_id = $1 AND hidden = 0 GROUP BY rating",
    )
    .bind(product)
    .fetch_all(pool)
    .await?;
    let mut out = [0; 5];
    for (stars, n) in rows {
        if let Some(slot) = usize::try_from(stars - 1).ok().and_then(|i| out.get_mut(i)) {
            *slot = n;
        }
    }
    Ok(out)
}

/// The customer's own review of a product (hidden or not).
#[derive(Debug, Clone, FromRow)]
pub struct OwnReview {
    pub rating: i64,
    pub comment: String,
    pub hidden: bool,
}

pub async fn own(
    pool: &AnyPool,
    product: ProductId,
    user: UserId,
) -> Result<Option<OwnReview>, DbError> {
    #[derive(FromRow)]
    struct Row {
        rating: i64,
        comment: String,
        hidden: i64,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT rating, comment, hidden FROM reviews WHERE product_id = $1 AND user_id = $2",
    )
    .bind(product)
    .bind(user)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| OwnReview {
        rating: r.rating,
        comment: r.comment,
        hidden: flag_of(r.hidden),
    }))
}

/// A review as the staff see it (hidden ones too).
#[derive(Debug, Clone)]
pub struct StaffReviewRow {
    pub id: i64,
    pub product_id: ProductId,
    pub product_name: String,
    pub user_id: UserId,
    pub username: String,
    pub rating: i64,
    pub comment: String,
    pub hidden: bool,
    pub updated_at: i64,
}

/// The newest reviews (all, or one customer's), for the staff.
pub async fn newest(
    pool: &AnyPool,
    by: Option<UserId>,
    limit: i64,
    offset: i64,
) -> Result<Vec<StaffReviewRow>, DbError> {
    #[derive(FromRow)]
    struct Row {
        id: i64,
        product_id: ProductId,
        product_name: String,
        user_id: UserId,
        username: String,
        rating: i64,
        comment: String,
        hidden: i64,
        updated_at: i64,
    }
    let mut sql = Sql::new(
        "SELECT r.id, r.product_id, p.name AS product_name, r.user_id, u.username, r.rating, r.comment, \
         r.hidden, r.updated_at FROM reviews r JOIN products p ON p.id = r.product_id \
         JOIN users u ON u.id = r.user_id",
    );
    if let Some(u) = by {
        sql.push(" WHERE r.user_id = ").int(u.get());
    }
    sql.push(" ORDER BY r.updated_at DESC, r.id DESC LIMIT ")
        .int(limit)
        .push(" OFFSET ")
        .int(offset);
    let rows: Vec<Row> = sql.fetch_all(pool).await?;
    Ok(rows
        .into_iter()
        .map(|r| StaffReviewRow {
            id: r.id,
            product_id: r.product_id,
            product_name: r.product_name,
            user_id: r.user_id,
            username: r.username,
            rating: r.rating,
            comment: r.comment,
            hidden: flag_of(r.hidden),
            updated_at: r.updated_at,
        })
        .collect())
}

pub async fn count_all(pool: &AnyPool) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM reviews")
        .fetch_one(pool)
        .await
}

/// Hides or shows a review; the product it belongs to, if it exists.
pub async fn set_hidden(tx: &mut Tx, id: i64, hidden: bool) -> Result<Option<ProductId>, DbError> {
    sqlx::query_scalar("UPDATE reviews SET hidden = $2 WHERE id = $1 RETURNING product_id")
        .bind(id)
        .bind(flag(hidden))
        .fetch_optional(&mut **tx)
        .await
}

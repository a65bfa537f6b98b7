//! What recommendations are computed from (orders, views, wishlists), the similarity table they
//! are stored in, popularity from recent activity, and the store's computed figures.

use sqlx::{AnyPool, FromRow};

use super::sql::Sql;
use super::{DbError, Tx};
use crate::domain::{CategoryId, ProductId, UserId};

/// A line of a paid order, for co-purchases and popularity.
#[derive(Debug, Clone, Copy, FromRow)]
pub struct BoughtLine {
    pub order_id: i64,
    /// Empty for a guest's order (its basket still counts for co-purchases).
    pub user_id: Option<UserId>,
    pub product_id: ProductId,
    pub quantity: i64,
    pub created_at: i64,
}

/// Every line of every paid order, by order.
pub async fn bought_lines(pool: &AnyPool) -> Result<Vec<BoughtLine>, DbError> {
    sqlx::query_as(
        "SELECT o.id AS order_id, o.user_id, l.product_id, l.quantity, o.created_at FROM orders o \
         JOIN order_lines l ON l.order_id = o.id \
         WHERE o.status IN ('paid', 'shipped', 'delivered') ORDER BY o.id, l.product_id",
    )
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, Copy, FromRow)]
pub struct ViewRow {
    pub user_id: UserId,
    pub product_id: ProductId,
    pub viewed_at: i64,
    pub views: i64,
}

/// Every recorded view, each customer's newest first.
pub async fn all_views(pool: &AnyPool) -> Result<Vec<ViewRow>, DbError> {
    sqlx::query_as(
        "SELECT user_id, product_id, viewed_at, views FROM product_views ORDER BY user_id, viewed_at DESC",
    )
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, Copy, FromRow)]
pub struct WishRow {
    pub user_id: UserId,
    pub product_id: ProductId,
    pub added_at: i64,
}

pub async fn all_wishes(pool: &AnyPool) -> Result<Vec<WishRow>, DbError> {
    sqlx::query_as(
        "SELECT user_id, product_id, added_at FROM wishlist_items ORDER BY user_id, added_at DESC",
    )
    .fetch_all(pool)
    .await
}

/// A product as the recommender weighs it.
#[derive(Debug, Clone, FromRow)]
pub struct ProductMeta {
    pub id: ProductId,
    pub category_id: CategoryId,
    pub brand_key: String,
    pub price_cents: i64,
    pub stock: i64,
    pub active: i64,
    pub popularity: i64,
}

/// Every product's meta (for the similarity refresh and the offline evaluation).
pub async fn all_products(pool: &AnyPool) -> Result<Vec<ProductMeta>, DbError> {
    sqlx::query_as(
        "SELECT id, category_id, brand_key, price_cents, stock, active, popularity FROM products ORDER BY id",
    )
    .fetch_all(pool)
    .await
}

/// These products' meta.
pub async fn products(pool: &AnyPool, ids: &[ProductId]) -> Result<Vec<ProductMeta>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT id, category_id, brand_key, price_cents, stock, active, popularity FROM products WHERE id IN ",
    );
    sql.int_list(ids.iter().map(|p| p.get()));
    sql.fetch_all(pool).await
}

/// The most popular products on sale and in stock in a category or of a brand.
pub async fn popular_in(
    pool: &AnyPool,
    category: Option<CategoryId>,
    brand_key: Option<&str>,
    limit: i64,
) -> Result<Vec<ProductMeta>, DbError> {
    let mut sql = Sql::new(
        "SELECT id, category_id, brand_key, price_cents, stock, active, popularity FROM products \
         WHERE active = 1 AND stock > 0",
    );
    if let Some(c) = category {
        sql.push(" AND category_id = ").int(c.get());
    }
    if let Some(b) = brand_key {
        sql.push(" AND brand_key = ").text(b);
    }
    sql.push(" ORDER BY popularity DESC, id DESC LIMIT ")
        .int(limit);
    sql.fetch_all(pool).await
}

pub async fn wished_by(pool: &AnyPool, user: UserId) -> Result<Vec<ProductId>, DbError> {
    #[derive(FromRow)]
    struct Row {
        product_id: ProductId,
    }
    let rows: Vec<Row> = sqlx::query_as("SELECT product_id FROM wishlist_items WHERE user_id = $1")
        .bind(user)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.product_id).collect())
}

/// A customer's recent views: (product, when), newest first.
pub async fn viewed_by(
    pool: &AnyPool,
    user: UserId,
    limit: i64,
) -> Result<Vec<(ProductId, i64)>, DbError> {
    #[derive(FromRow)]
    struct Row {
        product_id: ProductId,
        viewed_at: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT product_id, viewed_at FROM product_views WHERE user_id = $1 \
         ORDER BY viewed_at DESC, product_id DESC LIMIT $2",
    )
    .bind(user)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.product_id, r.viewed_at))
        .collect())
}

/// One stored similarity.
#[derive(Debug, Clone, Copy, FromRow)]
pub struct SimilarityRow {
    pub product_id: ProductId,
    pub similar_id: ProductId,
    pub score: i64,
}

/// Replaces all similarities of a kind (`bought` or `combined`) in one transaction.
pub async fn replace_similarities(
    tx: &mut Tx,
    kind: &str,
    rows: &[SimilarityRow],
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM product_similarities WHERE kind = $1")
        .bind(kind)
        .execute(&mut **tx)
        .await?;
    for chunk in rows.chunks(250) {
        let mut sql = Sql::new(
            "INSERT INTO product_similarities (product_id, kind, similar_id, score) VALUES ",
        );
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .int(r.product_id.get())
                .push(", ")
                .text(kind)
                .push(", ")
                .int(r.similar_id.get())
                .push(", ")
                .int(r.score)
                .push(")");
        }
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The stored neighbours of these products.
pub async fn neighbours(
    pool: &AnyPool,
    kind: &str,
    products: &[ProductId],
) -> Result<Vec<SimilarityRow>, DbError> {
    if products.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql =
        Sql::new("SELECT product_id, similar_id, score FROM product_similarities WHERE kind = ");
    sql.text(kind)
        .push(" AND product_id IN ")
        .int_list(products.iter().map(|p| p.get()))
        .push(" ORDER BY product_id, score DESC");
    sql.fetch_all(pool).await
}

/// Sets every product's popularity to its base plus these activity points, in one transaction.
pub async fn set_popularity(tx: &mut Tx, points: &[(ProductId, i64)]) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE products SET popularity = base_popularity WHERE popularity <> base_popularity",
    )
    .execute(&mut **tx)
    .await?;
    for (product, p) in points {
        sqlx::query("UPDATE products SET popularity = base_popularity + $2 WHERE id = $1")
            .bind(*product)
            .bind(*p)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub use super::figures::{figure, set_figure};

//! What each customer has bought (migration 0012): a product is theirs once an order of theirs
//! with it is paid, shipped or delivered, and stops being when no such order is left (cancelled,
//! refunded). Kept by every order transition and by guest orders joining an account, so the
//! product page reads it by key instead of walking all of a customer's order lines.

use sqlx::AnyPool;

use super::{DbError, Tx};
use crate::domain::{OrderId, ProductId, UserId};

/// After an order moved to a status that counts as bought.
pub async fn add_order(tx: &mut Tx, order: OrderId) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO purchases (user_id, product_id) \
         SELECT DISTINCT o.user_id, l.product_id FROM orders o JOIN order_lines l ON l.order_id = o.id \
         WHERE o.id = $1 AND o.user_id IS NOT NULL \
         ON CONFLICT DO NOTHING",
    )
    .bind(order)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// After an order left the statuses that count as bought: its products stay bought only where
/// another order of the customer still holds them.
pub async fn drop_order(tx: &mut Tx, order: OrderId) -> Result<(), DbError> {
    sqlx::query(
        "DELETE FROM purchases \
         WHERE user_id = (SELECT user_id FROM orders WHERE id = $1) \
         AND product_id IN (SELECT product_id FROM order_lines WHERE order_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM orders o JOIN order_lines l ON l.order_id = o.id \
             WHERE o.user_id = purchases.user_id AND l.product_id = purchases.product_id \
             AND o.status IN ('paid', 'shipped', 'delivered'))",
    )
    .bind(order)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// After guest orders joined the customer's account.
pub async fn add_customer(tx: &mut Tx, user: UserId) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO purchases (user_id, product_id) \
         SELECT DISTINCT o.user_id, l.product_id FROM orders o JOIN order_lines l ON l.order_id = o.id \
         WHERE o.user_id = $1 AND o.status IN ('paid', 'shipped', 'delivered') \
         ON CONFLICT DO NOTHING",
    )
    .bind(user)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every product the customer has bought.
pub async fn of(pool: &AnyPool, user: UserId) -> Result<Vec<ProductId>, DbError> {
    sqlx::query_scalar("SELECT product_id FROM purchases WHERE user_id = $1")
        .bind(user)
        .fetch_all(pool)
        .await
}

/// Whether the customer has bought the product.
pub async fn has(pool: &AnyPool, user: UserId, product: ProductId) -> Result<bool, DbError> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM purchases WHERE user_id = $1 AND product_id = $2")
            .bind(user)
            .bind(product)
            .fetch_one(pool)
            .await?;
    Ok(n > 0)
}

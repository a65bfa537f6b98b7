//! Guests' orders: handing the orders placed with an address to the account that confirms it
//! (their private links are in `private_links`).

use sqlx::AnyPool;

use super::{DbError, Tx};
use crate::domain::UserId;

/// Whether guests' orders with this address wait for an account (a read, so a sign-in takes no
/// write lock when there are none, which is nearly always).
pub async fn waiting(pool: &AnyPool, email: &str) -> Result<bool, DbError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM orders WHERE user_id IS NULL AND email = $1 LIMIT 1")
            .bind(email)
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}

/// Gives an account the guest orders placed with its (just verified) address, and their
/// payments; how many orders.
pub async fn attach(tx: &mut Tx, user: UserId, email: &str) -> Result<u64, DbError> {
    let done = sqlx::query("UPDATE orders SET user_id = $1 WHERE user_id IS NULL AND email = $2")
        .bind(user)
        .bind(email)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() > 0 {
        super::purchases::add_customer(tx, user).await?;
    }
    sqlx::query(
        "UPDATE payments SET user_id = $1 WHERE user_id IS NULL \
         AND order_id IN (SELECT id FROM orders WHERE user_id = $1 AND email = $2)",
    )
    .bind(user)
    .bind(email)
    .execute(&mut **tx)
    .await?;
    // Their mailed links stop working: the orders are the account's now, opened by signing in.
    sqlx::query(
        "DELETE FROM order_links WHERE order_id IN (SELECT id FROM orders WHERE user_id = $1 AND email = $2)",
    )
    .bind(user)
    .bind(email)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

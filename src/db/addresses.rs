//! Customers' saved addresses and their default shipping and billing address.

use sqlx::{AnyPool, FromRow};

use super::{DbError, Tx};
use crate::domain::UserId;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AddressRow {
    pub id: i64,
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub phone: String,
}

pub struct NewAddress<'a> {
    pub name: &'a str,
    pub street: &'a str,
    pub postcode: &'a str,
    pub city: &'a str,
    pub country: &'a str,
    pub phone: &'a str,
}

pub async fn insert(
    tx: &mut Tx,
    user: UserId,
    a: &NewAddress<'_>,
    now: i64,
) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "INSERT INTO addresses (user_id, name, street, postcode, city, country, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(user)
    .bind(a.name)
    .bind(a.street)
    .bind(a.postcode)
    .bind(a.city)
    .bind(a.country)
    .bind(a.phone)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

pub async fn list(pool: &AnyPool, user: UserId) -> Result<Vec<AddressRow>, DbError> {
    sqlx::query_as(
        "SELECT id, name, street, postcode, city, country, phone FROM addresses WHERE user_id = $1 ORDER BY id",
    )
    .bind(user)
    .fetch_all(pool)
    .await
}

/// Locks the customer's row until the transaction ends.
pub async fn lock_owner(tx: &mut Tx, user: UserId) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET id = id WHERE id = $1")
        .bind(user)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn count(tx: &mut Tx, user: UserId) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM addresses WHERE user_id = $1")
        .bind(user)
        .fetch_one(&mut **tx)
        .await
}

/// One of this customer's addresses (another customer's does not exist for them).
pub async fn find(pool: &AnyPool, user: UserId, id: i64) -> Result<Option<AddressRow>, DbError> {
    sqlx::query_as(
        "SELECT id, name, street, postcode, city, country, phone FROM addresses WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user)
    .fetch_optional(pool)
    .await
}

/// Changes one of the customer's addresses; false when it is not theirs.
pub async fn update(
    tx: &mut Tx,
    user: UserId,
    id: i64,
    a: &NewAddress<'_>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE addresses SET name = $3, street = $4, postcode = $5, city = $6, country = $7, phone = $8 \
         WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user)
    .bind(a.name)
    .bind(a.street)
    .bind(a.postcode)
    .bind(a.city)
    .bind(a.country)
    .bind(a.phone)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(tx: &mut Tx, user: UserId, id: i64) -> Result<bool, DbError> {
    // The defaults pointing at it are cleared by the foreign keys (ON DELETE SET NULL); SQLite
    // only enforces them with the pragma, so clear them here as well.
    sqlx::query(
        "UPDATE users SET default_shipping_address_id = NULL WHERE id = $1 AND default_shipping_address_id = $2",
    )
    .bind(user)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE users SET default_billing_address_id = NULL WHERE id = $1 AND default_billing_address_id = $2",
    )
    .bind(user)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let done = sqlx::query("DELETE FROM addresses WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The customer's default (shipping, billing) address ids.
pub async fn defaults(pool: &AnyPool, user: UserId) -> Result<(Option<i64>, Option<i64>), DbError> {
    sqlx::query_as(
        "SELECT default_shipping_address_id, default_billing_address_id FROM users WHERE id = $1",
    )
    .bind(user)
    .fetch_one(pool)
    .await
}

/// Makes one of the customer's addresses their default for shipping or billing; false when it
/// is not theirs.
pub async fn set_default(
    tx: &mut Tx,
    user: UserId,
    id: i64,
    billing: bool,
) -> Result<bool, DbError> {
    let sql = if billing {
        "UPDATE users SET default_billing_address_id = $2 WHERE id = $1 \
         AND EXISTS (SELECT 1 FROM addresses WHERE id = $2 AND user_id = $1)"
    } else {
        "UPDATE users SET default_shipping_address_id = $2 WHERE id = $1 \
         AND EXISTS (SELECT 1 FROM addresses WHERE id = $2 AND user_id = $1)"
    };
    let done = sqlx::query(sql)
        .bind(user)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

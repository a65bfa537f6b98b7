//! Shipping methods and their rates per group of countries.

use sqlx::{AnyPool, FromRow};

use super::{DbError, Flag, Tx};

#[derive(Debug, Clone, FromRow)]
pub struct MethodRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub position: i64,
    #[sqlx(try_from = "i64")]
    pub active: Flag,
}

#[derive(Debug, Clone, FromRow)]
pub struct RateRow {
    pub id: i64,
    pub method_id: i64,
    pub zone: String,
    pub countries: String,
    pub price_cents: i64,
    pub free_over_cents: Option<i64>,
}

pub async fn methods(pool: &AnyPool) -> Result<Vec<MethodRow>, DbError> {
    sqlx::query_as(
        "SELECT id, code, name, description, position, active FROM shipping_methods ORDER BY position, id",
    )
    .fetch_all(pool)
    .await
}

pub async fn rates(pool: &AnyPool) -> Result<Vec<RateRow>, DbError> {
    sqlx::query_as(
        "SELECT id, method_id, zone, countries, price_cents, free_over_cents FROM shipping_rates ORDER BY method_id, position, id",
    )
    .fetch_all(pool)
    .await
}

pub async fn method_count(tx: &mut Tx) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM shipping_methods")
        .fetch_one(&mut **tx)
        .await
}

pub async fn insert_method(
    tx: &mut Tx,
    code: &str,
    name: &str,
    description: &str,
    position: i64,
) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "INSERT INTO shipping_methods (code, name, description, position) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(code)
    .bind(name)
    .bind(description)
    .bind(position)
    .fetch_one(&mut **tx)
    .await
}

pub struct NewRate<'a> {
    pub method: i64,
    pub zone: &'a str,
    pub countries: &'a str,
    pub price_cents: i64,
    pub free_over_cents: Option<i64>,
    pub position: i64,
}

pub async fn insert_rate(tx: &mut Tx, r: &NewRate<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO shipping_rates (method_id, zone, countries, price_cents, free_over_cents, position) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(r.method)
    .bind(r.zone)
    .bind(r.countries)
    .bind(r.price_cents)
    .bind(r.free_over_cents)
    .bind(r.position)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sets a rate's price and free-shipping threshold; false when there is no such rate.
pub async fn set_rate(
    tx: &mut Tx,
    id: i64,
    price_cents: i64,
    free_over_cents: Option<i64>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE shipping_rates SET price_cents = $2, free_over_cents = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(price_cents)
    .bind(free_over_cents)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_method_active(tx: &mut Tx, id: i64, active: bool) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE shipping_methods SET active = $2 WHERE id = $1")
        .bind(id)
        .bind(super::flag(active))
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

//! Vouchers, their codes, what they cover, and their redemptions.

use sqlx::{AnyPool, FromRow};

use super::{DbError, Flag, Tx};
use crate::domain::{CategoryId, OrderId, ProductId, UserId};

pub struct NewVoucher<'a> {
    pub name: &'a str,
    /// `percent` or `fixed`.
    pub kind: &'a str,
    pub amount: i64,
    pub min_basket_cents: i64,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub usage_limit: Option<i64>,
    pub per_customer_limit: Option<i64>,
}

pub async fn insert(tx: &mut Tx, v: &NewVoucher<'_>, now: i64) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "INSERT INTO vouchers (name, kind, amount, min_basket_cents, starts_at, ends_at, usage_limit, \
         per_customer_limit, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(v.name)
    .bind(v.kind)
    .bind(v.amount)
    .bind(v.min_basket_cents)
    .bind(v.starts_at)
    .bind(v.ends_at)
    .bind(v.usage_limit)
    .bind(v.per_customer_limit)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// Adds a code (upper case); a code that exists already is a unique violation.
pub async fn add_code(
    tx: &mut Tx,
    voucher: i64,
    code: &str,
    max_uses: Option<i64>,
) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "INSERT INTO voucher_codes (voucher_id, code, max_uses) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(voucher)
    .bind(code)
    .bind(max_uses)
    .fetch_one(&mut **tx)
    .await
}

/// Adds a generated code unless it exists already (then false: draw another).
pub async fn add_new_code(
    tx: &mut Tx,
    voucher: i64,
    code: &str,
    max_uses: Option<i64>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO voucher_codes (voucher_id, code, max_uses) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING",
    )
    .bind(voucher)
    .bind(code)
    .bind(max_uses)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_scope(
    tx: &mut Tx,
    voucher: i64,
    products: &[ProductId],
    categories: &[CategoryId],
) -> Result<(), DbError> {
    for p in products {
        sqlx::query("INSERT INTO voucher_products (voucher_id, product_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(voucher)
            .bind(*p)
            .execute(&mut **tx)
            .await?;
    }
    for c in categories {
        sqlx::query("INSERT INTO voucher_categories (voucher_id, category_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(voucher)
            .bind(*c)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct VoucherRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub amount: i64,
    pub min_basket_cents: i64,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub usage_limit: Option<i64>,
    pub per_customer_limit: Option<i64>,
    pub used: i64,
    #[sqlx(try_from = "i64")]
    pub active: Flag,
    pub created_at: i64,
}

const VOUCHER: &str = "SELECT v.id, v.name, v.kind, v.amount, v.min_basket_cents, v.starts_at, v.ends_at, \
     v.usage_limit, v.per_customer_limit, v.used, v.active, v.created_at FROM vouchers v";

#[derive(Debug, Clone, FromRow)]
pub struct CodeRow {
    pub id: i64,
    pub code: String,
    pub max_uses: Option<i64>,
    pub used: i64,
}

/// A voucher with how many codes it has and its first one (the list page).
#[derive(Debug, Clone)]
pub struct Listed {
    pub voucher: VoucherRow,
    pub codes: i64,
    pub first_code: Option<String>,
}

pub async fn list(pool: &AnyPool) -> Result<Vec<Listed>, DbError> {
    let vouchers: Vec<VoucherRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{VOUCHER} ORDER BY v.id DESC")))
            .fetch_all(pool)
            .await?;
    let mut out = Vec::with_capacity(vouchers.len());
    for v in vouchers {
        let (codes, first_code): (i64, Option<String>) =
            sqlx::query_as("SELECT COUNT(*), MIN(code) FROM voucher_codes WHERE voucher_id = $1")
                .bind(v.id)
                .fetch_one(pool)
                .await?;
        out.push(Listed {
            voucher: v,
            codes,
            first_code,
        });
    }
    Ok(out)
}

pub async fn find(pool: &AnyPool, id: i64) -> Result<Option<VoucherRow>, DbError> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{VOUCHER} WHERE v.id = $1")))
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn codes(pool: &AnyPool, voucher: i64) -> Result<Vec<CodeRow>, DbError> {
    sqlx::query_as(
        "SELECT id, code, max_uses, used FROM voucher_codes WHERE voucher_id = $1 ORDER BY id",
    )
    .bind(voucher)
    .fetch_all(pool)
    .await
}

/// The products and categories a voucher covers (none: everything).
pub async fn scope<'c, E>(
    exec: E,
    voucher: i64,
) -> Result<(Vec<ProductId>, Vec<CategoryId>), DbError>
where
    E: sqlx::Acquire<'c, Database = sqlx::Any>,
{
    let mut conn = exec.acquire().await?;
    let products: Vec<ProductId> = sqlx::query_scalar(
        "SELECT product_id FROM voucher_products WHERE voucher_id = $1 ORDER BY product_id",
    )
    .bind(voucher)
    .fetch_all(&mut *conn)
    .await?;
    let categories: Vec<CategoryId> = sqlx::query_scalar(
        "SELECT category_id FROM voucher_categories WHERE voucher_id = $1 ORDER BY category_id",
    )
    .bind(voucher)
    .fetch_all(&mut *conn)
    .await?;
    Ok((products, categories))
}

/// The voucher and code row of a code (upper case).
pub async fn by_code<'e, E>(exec: E, code: &str) -> Result<Option<(VoucherRow, CodeRow)>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    #[derive(FromRow)]
    struct Both {
        #[sqlx(flatten)]
        voucher: VoucherRow,
        code_id: i64,
        code: String,
        max_uses: Option<i64>,
        code_used: i64,
    }
    let row: Option<Both> = sqlx::query_as(
        "SELECT v.id, v.name, v.kind, v.amount, v.min_basket_cents, v.starts_at, v.ends_at, \
         v.usage_limit, v.per_customer_limit, v.used, v.active, v.created_at, \
         c.id AS code_id, c.code, c.max_uses, c.used AS code_used \
         FROM voucher_codes c JOIN vouchers v ON v.id = c.voucher_id WHERE c.code = $1",
    )
    .bind(code)
    .fetch_optional(exec)
    .await?;
    Ok(row.map(|b| {
        (
            b.voucher,
            CodeRow {
                id: b.code_id,
                code: b.code,
                max_uses: b.max_uses,
                used: b.code_used,
            },
        )
    }))
}

/// Counts one use of the voucher and of the code, only while both have uses left: each is one
/// conditional statement, so of two checkouts racing for the last use exactly one gets it (on
/// PostgreSQL the second waits for the first's row lock, then re-reads the count). False when
/// either is used up (nothing is then counted: the caller rolls back).
pub async fn take_use(tx: &mut Tx, voucher: i64, code: i64) -> Result<bool, DbError> {
    let v = sqlx::query(
        "UPDATE vouchers SET used = used + 1 WHERE id = $1 AND active = 1 \
         AND (usage_limit IS NULL OR used < usage_limit)",
    )
    .bind(voucher)
    .execute(&mut **tx)
    .await?;
    if v.rows_affected() != 1 {
        return Ok(false);
    }
    let c = sqlx::query(
        "UPDATE voucher_codes SET used = used + 1 WHERE id = $1 AND (max_uses IS NULL OR used < max_uses)",
    )
    .bind(code)
    .execute(&mut **tx)
    .await?;
    Ok(c.rows_affected() == 1)
}

/// How often this customer (by account, or by email address for guests and customers alike)
/// has redeemed the voucher. Read after [`take_use`], so a racing redemption of the same
/// voucher has committed by then.
pub async fn uses_by<'e, E>(
    exec: E,
    voucher: i64,
    user: Option<UserId>,
    email: &str,
) -> Result<i64, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM voucher_redemptions WHERE voucher_id = $1 AND (email = $2 OR user_id = $3)",
    )
    .bind(voucher)
    .bind(email)
    .bind(user)
    .fetch_one(exec)
    .await
}

pub struct Redemption<'a> {
    pub voucher: i64,
    pub code: i64,
    pub order: OrderId,
    pub user: Option<UserId>,
    pub email: &'a str,
    pub discount_cents: i64,
}

pub async fn redeem(tx: &mut Tx, r: &Redemption<'_>, now: i64) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO voucher_redemptions (voucher_id, code_id, order_id, user_id, email, discount_cents, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(r.voucher)
    .bind(r.code)
    .bind(r.order)
    .bind(r.user)
    .bind(r.email)
    .bind(r.discount_cents)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Gives a cancelled order's use back to its voucher and code (a single-use code can be used
/// again). Returns whether the order had one.
pub async fn release(tx: &mut Tx, order: OrderId) -> Result<bool, DbError> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT voucher_id, code_id FROM voucher_redemptions WHERE order_id = $1")
            .bind(order)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((voucher, code)) = row else {
        return Ok(false);
    };
    sqlx::query("UPDATE vouchers SET used = used - 1 WHERE id = $1 AND used > 0")
        .bind(voucher)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE voucher_codes SET used = used - 1 WHERE id = $1 AND used > 0")
        .bind(code)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM voucher_redemptions WHERE order_id = $1")
        .bind(order)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

pub async fn set_active(tx: &mut Tx, id: i64, active: bool) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE vouchers SET active = $2 WHERE id = $1")
        .bind(id)
        .bind(super::flag(active))
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// How many orders used the voucher, and what it took off them in total.
pub async fn redemption_totals(pool: &AnyPool, voucher: i64) -> Result<(i64, i64), DbError> {
    sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(discount_cents), 0) AS BIGINT) FROM voucher_redemptions WHERE voucher_id = $1",
    )
    .bind(voucher)
    .fetch_one(pool)
    .await
}

//! A consistent copy of a running SQLite database, and what a copy holds.

use std::path::Path;

use sqlx::{AnyConnection, AnyPool, Connection};

/// Writes a consistent copy of the database to `to` (a new file). `VACUUM INTO` reads one
/// snapshot inside a read transaction: writers go on (WAL), and an order is in the copy whole
/// or not at all.
pub async fn copy_into(pool: &AnyPool, to: &Path) -> Result<(), sqlx::Error> {
    sqlx::query("VACUUM INTO $1")
        .bind(to.to_string_lossy().into_owned())
        .execute(pool)
        .await?;
    Ok(())
}

/// What a database file holds, opened read-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contents {
    pub products: i64,
    pub orders: i64,
    pub invoices: i64,
}

/// Checks a database file (`PRAGMA integrity_check`) and counts what it holds; `Err` carries
/// the problems found.
pub async fn inspect(file: &Path) -> Result<Result<Contents, String>, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", file.display());
    let mut conn = AnyConnection::connect(&url).await?;
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await?;
    if problems != ["ok"] {
        conn.close().await?;
        return Ok(Err(problems.join("; ")));
    }
    let products = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(&mut conn)
        .await?;
    let orders = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(&mut conn)
        .await?;
    let invoices = sqlx::query_scalar("SELECT COUNT(*) FROM invoices")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(Ok(Contents {
        products,
        orders,
        invoices,
    }))
}

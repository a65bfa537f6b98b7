//! Bulk inserts for the demo catalogue: many rows per statement, so a million products seed in
//! minutes instead of hours of one-row round trips.

use crate::db::sql::Sql;
use crate::db::{Backend, DbError, Tx, flag};
use crate::domain::{CategoryId, Money, ProductId};

/// A product as the bulk insert writes it, with its search terms and its picture.
pub struct BulkProduct {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub category_id: CategoryId,
    pub price: Money,
    pub stock: i64,
    pub popularity: i64,
    pub created_at: i64,
    pub terms: Vec<(String, i64)>,
    pub picture: String,
}

/// Rows per statement. PostgreSQL gains from large statements (fewer round trips; below its
/// 65,535 parameters). SQLite runs in-process, and sqlx looks up each bound parameter's name
/// among all of a statement's (quadratic in their number: 4,000 rows a statement spent 80 % of
/// a seed there), so it gets small ones.
fn rows_per_statement(backend: Backend, columns: usize) -> usize {
    match backend {
        Backend::Postgres => 28_000 / columns,
        Backend::Sqlite => 16,
    }
}

/// Inserts these products (on sale), their terms and their main pictures.
pub async fn insert_products(
    tx: &mut Tx,
    backend: Backend,
    batch: &[BulkProduct],
) -> Result<(), DbError> {
    for chunk in batch.chunks(rows_per_statement(backend, 14)) {
        let mut sql = Sql::new(
            "INSERT INTO products (sku, name, name_key, description, brand, brand_key, category_id, \
             price_cents, stock, active, popularity, base_popularity, created_at, updated_at) VALUES ",
        );
        for (i, p) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .text(&p.sku)
                .push(", ")
                .text(&p.name)
                .push(", ")
                .text(&p.name.to_lowercase())
                .push(", ")
                .text(&p.description)
                .push(", ")
                .text(&p.brand)
                .push(", ")
                .text(&p.brand.to_lowercase())
                .push(", ")
                .int(p.category_id.get())
                .push(", ")
                .int(p.price.cents())
                .push(", ")
                .int(p.stock)
                .push(", ")
                .int(flag(true))
                .push(", ")
                .int(p.popularity)
                .push(", ")
                .int(p.popularity)
                .push(", ")
                .int(p.created_at)
                .push(", ")
                .int(p.created_at)
                .push(")");
        }
        sql.push(" RETURNING id, sku");
        #[derive(sqlx::FromRow)]
        struct Made {
            id: ProductId,
            sku: String,
        }
        let made: Vec<Made> = sql.fetch_all(&mut **tx).await?;
        let ids: std::collections::HashMap<&str, ProductId> =
            made.iter().map(|m| (m.sku.as_str(), m.id)).collect();
        let rows: Vec<(ProductId, &BulkProduct)> = chunk
            .iter()
            .filter_map(|p| ids.get(p.sku.as_str()).map(|id| (*id, p)))
            .collect();
        insert_terms(tx, backend, &rows).await?;
        for part in rows.chunks(rows_per_statement(backend, 9)) {
            insert_pictures(tx, part).await?;
        }
    }
    Ok(())
}

async fn insert_terms(
    tx: &mut Tx,
    backend: Backend,
    rows: &[(ProductId, &BulkProduct)],
) -> Result<(), DbError> {
    let mut terms: Vec<(&str, ProductId, i64, &BulkProduct)> = rows
        .iter()
        .flat_map(|(id, p)| p.terms.iter().map(move |(t, w)| (t.as_str(), *id, *w, *p)))
        .collect();
    // In index order: each statement then writes into few pages of the term index.
    terms.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
    for chunk in terms.chunks(rows_per_statement(backend, 7)) {
        let mut sql = Sql::new(
            "INSERT INTO product_terms (term, product_id, weight, active, category_id, brand_key, \
             price_cents) VALUES ",
        );
        for (i, (term, id, weight, p)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .text(term)
                .push(", ")
                .int(id.get())
                .push(", ")
                .int(*weight)
                .push(", ")
                .int(flag(true))
                .push(", ")
                .int(p.category_id.get())
                .push(", ")
                .text(&p.brand.to_lowercase())
                .push(", ")
                .int(p.price.cents())
                .push(")");
        }
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_pictures(tx: &mut Tx, rows: &[(ProductId, &BulkProduct)]) -> Result<(), DbError> {
    let mut sql = Sql::new(
        "INSERT INTO product_images (product_id, position, file, thumb, width, height, \
         thumb_width, thumb_height, alt) VALUES ",
    );
    for (i, (id, p)) in rows.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .int(id.get())
            .push(", 0, ")
            .text(&p.picture)
            .push(", ")
            .text(&p.picture)
            .push(", 600, 600, 400, 400, ")
            .text(&p.name)
            .push(")");
    }
    if !rows.is_empty() {
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}

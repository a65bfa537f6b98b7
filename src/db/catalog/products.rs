//! Product rows and categories as the admin, imports and the product page see them; the term
//! index; export and the dashboard's figures.

use sqlx::{AnyPool, FromRow};

use crate::db::sql::Sql;
use crate::db::{DbError, Tx, flag, flag_of};
use crate::domain::{CategoryId, Money, ProductId, Sku, TaxClass};

/// A product with its category.
#[derive(Debug, Clone)]
pub struct Product {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub category_id: CategoryId,
    pub category_name: String,
    pub category_slug: String,
    pub price: Money,
    pub stock: i64,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub rating_count: i64,
    pub rating_sum: i64,
    pub tax_class: TaxClass,
}

#[derive(FromRow)]
struct ProductRow {
    id: ProductId,
    sku: String,
    name: String,
    description: String,
    brand: String,
    category_id: CategoryId,
    category_name: String,
    category_slug: String,
    price_cents: Money,
    stock: i64,
    active: i64,
    created_at: i64,
    updated_at: i64,
    rating_count: i64,
    rating_sum: i64,
    #[sqlx(try_from = "String")]
    tax_class: TaxClass,
}

impl From<ProductRow> for Product {
    fn from(r: ProductRow) -> Self {
        Self {
            id: r.id,
            sku: r.sku,
            name: r.name,
            description: r.description,
            brand: r.brand,
            category_id: r.category_id,
            category_name: r.category_name,
            category_slug: r.category_slug,
            price: r.price_cents,
            stock: r.stock,
            active: flag_of(r.active),
            created_at: r.created_at,
            updated_at: r.updated_at,
            rating_count: r.rating_count,
            rating_sum: r.rating_sum,
            tax_class: r.tax_class,
        }
    }
}

pub async fn find(pool: &AnyPool, id: ProductId) -> Result<Option<Product>, DbError> {
    let row: Option<ProductRow> = sqlx::query_as(
        "SELECT p.id, p.sku, p.name, p.description, p.brand, p.category_id, c.name AS category_name, \
         c.slug AS category_slug, p.price_cents, p.stock, p.active, p.created_at, p.updated_at, \
         p.rating_count, p.rating_sum, p.tax_class \
         FROM products p JOIN categories c ON c.id = p.category_id WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Product::from))
}

pub async fn find_id_by_sku(tx: &mut Tx, sku: &Sku) -> Result<Option<ProductId>, DbError> {
    sqlx::query_scalar("SELECT id FROM products WHERE sku = $1")
        .bind(sku.as_str())
        .fetch_optional(&mut **tx)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct Category {
    pub id: CategoryId,
    pub name: String,
    pub slug: String,
}

pub async fn categories(pool: &AnyPool) -> Result<Vec<Category>, DbError> {
    sqlx::query_as("SELECT id, name, slug FROM categories ORDER BY name")
        .fetch_all(pool)
        .await
}

pub async fn category_by_slug(tx: &mut Tx, slug: &str) -> Result<Option<CategoryId>, DbError> {
    sqlx::query_scalar("SELECT id FROM categories WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut **tx)
        .await
}

/// The category with this slug, created with `name` when missing.
pub async fn ensure_category(tx: &mut Tx, name: &str, slug: &str) -> Result<CategoryId, DbError> {
    if let Some(id) = sqlx::query_scalar("SELECT id FROM categories WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut **tx)
        .await?
    {
        return Ok(id);
    }
    sqlx::query_scalar("INSERT INTO categories (name, slug) VALUES ($1, $2) RETURNING id")
        .bind(name)
        .bind(slug)
        .fetch_one(&mut **tx)
        .await
}

/// All fields of a product as the admin or an import sets them.
pub struct ProductData<'a> {
    pub sku: &'a Sku,
    pub name: &'a str,
    pub description: &'a str,
    pub brand: &'a str,
    pub category_id: CategoryId,
    pub price: Money,
    /// None on an update keeps the stock as it is in the database.
    pub stock: Option<i64>,
    pub active: bool,
    /// None on an update keeps the class; a new product is standard rate.
    pub tax_class: Option<TaxClass>,
}

pub async fn insert(
    tx: &mut Tx,
    p: &ProductData<'_>,
    popularity: i64,
    now: i64,
) -> Result<ProductId, DbError> {
    sqlx::query_scalar(
        "INSERT INTO products (sku, name, name_key, description, brand, brand_key, category_id, price_cents, \
         stock, active, popularity, base_popularity, created_at, updated_at, tax_class) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $12, $13) RETURNING id",
    )
    .bind(p.sku.as_str())
    .bind(p.name)
    .bind(p.name.to_lowercase())
    .bind(p.description)
    .bind(p.brand)
    .bind(p.brand.to_lowercase())
    .bind(p.category_id)
    .bind(p.price)
    .bind(p.stock.unwrap_or(0))
    .bind(flag(p.active))
    .bind(popularity)
    .bind(now)
    .bind(p.tax_class.unwrap_or_default().as_str())
    .fetch_one(&mut **tx)
    .await
}

pub async fn update(
    tx: &mut Tx,
    id: ProductId,
    p: &ProductData<'_>,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE products SET sku = $2, name = $3, name_key = $4, description = $5, brand = $6, brand_key = $7, \
         category_id = $8, price_cents = $9, stock = COALESCE($10, stock), active = $11, updated_at = $12, \
         tax_class = COALESCE($13, tax_class) WHERE id = $1",
    )
    .bind(id)
    .bind(p.sku.as_str())
    .bind(p.name)
    .bind(p.name.to_lowercase())
    .bind(p.description)
    .bind(p.brand)
    .bind(p.brand.to_lowercase())
    .bind(p.category_id)
    .bind(p.price)
    .bind(p.stock)
    .bind(flag(p.active))
    .bind(now)
    .bind(p.tax_class.map(TaxClass::as_str))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_sku(tx: &mut Tx, id: ProductId, sku: &Sku) -> Result<(), DbError> {
    sqlx::query("UPDATE products SET sku = $2 WHERE id = $1")
        .bind(id)
        .bind(sku.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_active(tx: &mut Tx, id: ProductId, active: bool, now: i64) -> Result<(), DbError> {
    count_on_sale(tx, id, -1).await?;
    sqlx::query("UPDATE products SET active = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(flag(active))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE product_terms SET active = $2 WHERE product_id = $1")
        .bind(id)
        .bind(flag(active))
        .execute(&mut **tx)
        .await?;
    count_on_sale(tx, id, 1).await
}

/// Adds `delta` to the on-sale count of this product's category, brand and price band, if it is
/// on sale. Every write that changes a product's category, brand, price or sale calls it with -1
/// before and +1
/// after, so `catalog_counts` always equals a count over the products.
pub async fn count_on_sale(
    conn: &mut sqlx::AnyConnection,
    id: ProductId,
    delta: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO catalog_counts (category_id, brand_key, price_band, brand, products) \
         SELECT category_id, brand_key, price_cents / 100, brand, $2 FROM products \
         WHERE id = $1 AND active = 1 \
         ON CONFLICT (category_id, brand_key, price_band) DO UPDATE \
         SET products = catalog_counts.products + excluded.products",
    )
    .bind(id)
    .bind(delta)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO catalog_brand_counts (category_id, brand_key, brand, products) \
         SELECT category_id, brand_key, brand, $2 FROM products WHERE id = $1 AND active = 1 \
         ON CONFLICT (category_id, brand_key) DO UPDATE \
         SET products = catalog_brand_counts.products + excluded.products",
    )
    .bind(id)
    .bind(delta)
    .execute(conn)
    .await?;
    Ok(())
}

/// Rebuilds the on-sale counts from the products (after bulk writes).
pub async fn recount_on_sale(tx: &mut Tx) -> Result<(), DbError> {
    sqlx::query("DELETE FROM catalog_counts")
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO catalog_counts (category_id, brand_key, price_band, brand, products) \
         SELECT category_id, brand_key, price_cents / 100, MIN(brand), COUNT(*) FROM products \
         WHERE active = 1 GROUP BY category_id, brand_key, price_cents / 100",
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM catalog_brand_counts")
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO catalog_brand_counts (category_id, brand_key, brand, products) \
         SELECT category_id, brand_key, MIN(brand), COUNT(*) FROM products WHERE active = 1 \
         GROUP BY category_id, brand_key",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes a product unless other rows (order lines) still refer to it: then the database's
/// foreign key refuses, the savepoint is rolled back and `Ok(false)` says so.
pub async fn delete_unless_referenced(tx: &mut Tx, id: ProductId) -> Result<bool, DbError> {
    use sqlx::Acquire;
    let mut savepoint = tx.begin().await?;
    count_on_sale(&mut savepoint, id, -1).await?;
    match sqlx::query("DELETE FROM products WHERE id = $1")
        .bind(id)
        .execute(&mut *savepoint)
        .await
    {
        Ok(_) => {
            savepoint.commit().await?;
            Ok(true)
        }
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
            savepoint.rollback().await?;
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Replaces the search terms of a product, each carrying the product's listing columns.
pub async fn replace_terms(
    tx: &mut Tx,
    id: ProductId,
    terms: &[(String, i64)],
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM product_terms WHERE product_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if terms.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("INSERT INTO product_terms (term, product_id, weight) VALUES ");
    for (i, (term, weight)) in terms.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .text(term)
            .push(", ")
            .int(id.get())
            .push(", ")
            .int(*weight)
            .push(")");
    }
    sql.execute(&mut **tx).await?;
    sqlx::query(
        "UPDATE product_terms AS t SET active = p.active, category_id = p.category_id, \
         brand_key = p.brand_key, price_cents = p.price_cents \
         FROM products p WHERE p.id = t.product_id AND t.product_id = $1",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn product_count(pool: &AnyPool) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(pool)
        .await
}

/// A product as the CSV export writes it.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub category_name: String,
    pub price: Money,
    pub stock: i64,
    pub active: bool,
    pub tax_class: TaxClass,
}

#[derive(FromRow)]
struct ExportDbRow {
    sku: String,
    name: String,
    description: String,
    brand: String,
    category_name: String,
    price_cents: Money,
    stock: i64,
    active: i64,
    #[sqlx(try_from = "String")]
    tax_class: TaxClass,
}

pub async fn export_all(pool: &AnyPool) -> Result<Vec<ExportRow>, DbError> {
    let rows: Vec<ExportDbRow> = sqlx::query_as(
        "SELECT p.sku, p.name, p.description, p.brand, c.name AS category_name, p.price_cents, p.stock, p.active, \
         p.tax_class FROM products p JOIN categories c ON c.id = p.category_id ORDER BY p.sku",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ExportRow {
            sku: r.sku,
            name: r.name,
            description: r.description,
            brand: r.brand,
            category_name: r.category_name,
            price: r.price_cents,
            stock: r.stock,
            active: flag_of(r.active),
            tax_class: r.tax_class,
        })
        .collect())
}

#[derive(Debug, Clone, FromRow)]
pub struct Stats {
    pub products: i64,
    pub active: i64,
    pub out_of_stock: i64,
    pub low_stock: i64,
}

/// Product counts for the dashboard; "low" is 1 to `low_stock` units.
pub async fn stats(pool: &AnyPool, low_stock: i64) -> Result<Stats, DbError> {
    sqlx::query_as(
        "SELECT COUNT(*) AS products, \
         CAST(COALESCE(SUM(CASE WHEN active = 1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS active, \
         CAST(COALESCE(SUM(CASE WHEN active = 1 AND stock = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS out_of_stock, \
         CAST(COALESCE(SUM(CASE WHEN active = 1 AND stock BETWEEN 1 AND $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS low_stock \
         FROM products",
    )
    .bind(low_stock)
    .fetch_one(pool)
    .await
}

/// What a product's search terms are made of.
#[derive(Debug, Clone, FromRow)]
pub struct TermSource {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub category_name: String,
    pub description: String,
}

/// One product's term sources, inside a transaction (it may have been made in it).
pub async fn term_source(tx: &mut Tx, id: ProductId) -> Result<Option<TermSource>, DbError> {
    sqlx::query_as(
        "SELECT p.id, p.sku, p.name, p.brand, c.name AS category_name, p.description \
         FROM products p JOIN categories c ON c.id = p.category_id WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// Every product's term sources, by id (for rebuilding the index).
pub async fn term_sources(pool: &AnyPool) -> Result<Vec<TermSource>, DbError> {
    sqlx::query_as(
        "SELECT p.id, p.sku, p.name, p.brand, c.name AS category_name, p.description \
         FROM products p JOIN categories c ON c.id = p.category_id ORDER BY p.id",
    )
    .fetch_all(pool)
    .await
}

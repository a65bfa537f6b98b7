//! Products, categories, images and the search index.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, FromRow};

use super::{DbError, Tx, flag};
use crate::domain::{ProductId, Sku};

/// A statement built at run time with `$n` placeholders and its arguments in order.
#[derive(Default)]
struct Sql {
    text: String,
    args: Vec<Arg>,
}

enum Arg {
    Int(i64),
    Text(String),
}

impl Sql {
    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    fn int(&mut self, v: i64) -> &mut Self {
        self.args.push(Arg::Int(v));
        let n = self.args.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    fn text(&mut self, v: &str) -> &mut Self {
        self.args.push(Arg::Text(v.to_string()));
        let n = self.args.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    async fn fetch_all<T>(self, pool: &AnyPool) -> Result<Vec<T>, DbError>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let mut q = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(self.text));
        for a in self.args {
            q = match a {
                Arg::Int(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
            };
        }
        q.fetch_all(pool).await
    }

    async fn fetch_scalar(self, pool: &AnyPool) -> Result<i64, DbError> {
        let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(self.text));
        for a in self.args {
            q = match a {
                Arg::Int(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
            };
        }
        q.fetch_one(pool).await
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sort {
    Relevance,
    PriceAsc,
    PriceDesc,
    Name,
    Newest,
    Rating,
}

/// What a listing is narrowed to. Terms are lower-cased words, each matched as a prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    pub terms: Vec<String>,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub min_cents: Option<i64>,
    pub max_cents: Option<i64>,
    /// Admin lists show inactive products too.
    pub include_inactive: bool,
}

/// The end of the byte range of strings that start with `prefix`.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Skip {
    Nothing,
    Category,
    Brand,
}

/// `FROM … WHERE …` of a listing. With search terms the first term drives the query: its
/// matches come from the term index and products are looked up by key, so a search never walks
/// the whole product table; further terms narrow that set.
fn from_where(sql: &mut Sql, f: &Filter, skip: Skip, join: &str) {
    if f.terms.is_empty() {
        sql.push(" FROM products p");
    } else {
        // The matches and their relevance come from one pass over the term index; products are
        // then looked up by key. CROSS JOIN keeps this order on SQLite (its planner would
        // otherwise walk products by a sort index and probe the terms); PostgreSQL plans it as
        // an ordinary join.
        sql.push(" FROM (SELECT product_id, SUM(weight) AS score FROM product_terms WHERE ");
        for (i, t) in f.terms.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("(term >= ")
                .text(t)
                .push(" AND term < ")
                .text(&prefix_end(t))
                .push(")");
        }
        sql.push(" GROUP BY product_id) m CROSS JOIN products p");
    }
    sql.push(join);
    sql.push(" WHERE 1 = 1");
    if !f.terms.is_empty() {
        sql.push(" AND p.id = m.product_id");
    }
    if !f.include_inactive {
        sql.push(" AND p.active = 1");
    }
    if let (Some(c), true) = (&f.category, skip != Skip::Category) {
        // A scalar subquery is evaluated once, so the (category_id, …) indexes apply.
        sql.push(" AND p.category_id = (SELECT id FROM categories WHERE slug = ")
            .text(c)
            .push(")");
    }
    if let (Some(b), true) = (&f.brand, skip != Skip::Brand) {
        sql.push(" AND p.brand_key = ").text(&b.to_lowercase());
    }
    if let Some(min) = f.min_cents {
        sql.push(" AND p.price_cents >= ").int(min);
    }
    if let Some(max) = f.max_cents {
        sql.push(" AND p.price_cents <= ").int(max);
    }
    // With several words every one must match (the score above counts any of them).
    for t in f.terms.iter().filter(|_| f.terms.len() > 1) {
        sql.push(" AND p.id IN (SELECT product_id FROM product_terms WHERE term >= ")
            .text(t)
            .push(" AND term < ")
            .text(&prefix_end(t))
            .push(")");
    }
}

/// One page of product ids in order, and the number of matches.
pub async fn search_ids(
    pool: &AnyPool,
    f: &Filter,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> Result<Vec<i64>, DbError> {
    let mut sql = Sql::default();
    sql.push("SELECT p.id");
    from_where(&mut sql, f, Skip::Nothing, "");
    sql.push(" ORDER BY ");
    match sort {
        Sort::Relevance if !f.terms.is_empty() => {
            sql.push("m.score DESC, p.popularity DESC, p.id DESC");
        }
        // Until reviews exist, "rating" orders like the default: by popularity.
        Sort::Relevance | Sort::Rating => {
            sql.push("p.popularity DESC, p.id DESC");
        }
        Sort::PriceAsc => {
            sql.push("p.price_cents ASC, p.id ASC");
        }
        Sort::PriceDesc => {
            sql.push("p.price_cents DESC, p.id DESC");
        }
        Sort::Name => {
            sql.push("p.name_key ASC, p.id ASC");
        }
        Sort::Newest => {
            sql.push("p.created_at DESC, p.id DESC");
        }
    }
    sql.push(" LIMIT ").int(limit).push(" OFFSET ").int(offset);
    #[derive(FromRow)]
    struct Id {
        id: i64,
    }
    Ok(sql
        .fetch_all::<Id>(pool)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

pub async fn count(pool: &AnyPool, f: &Filter) -> Result<i64, DbError> {
    let mut sql = Sql::default();
    sql.push("SELECT COUNT(*)");
    from_where(&mut sql, f, Skip::Nothing, "");
    sql.fetch_scalar(pool).await
}

#[derive(Debug, Clone, FromRow)]
pub struct Facet {
    pub key: String,
    pub label: String,
    pub count: i64,
}

/// Categories with their number of matches under the other filters.
pub async fn category_facets(pool: &AnyPool, f: &Filter) -> Result<Vec<Facet>, DbError> {
    let mut sql = Sql::default();
    sql.push("SELECT c.slug AS key, c.name AS label, COUNT(*) AS count");
    from_where(
        &mut sql,
        f,
        Skip::Category,
        " JOIN categories c ON c.id = p.category_id",
    );
    sql.push(" GROUP BY c.slug, c.name ORDER BY c.name");
    sql.fetch_all(pool).await
}

/// Brands with their number of matches under the other filters.
pub async fn brand_facets(pool: &AnyPool, f: &Filter) -> Result<Vec<Facet>, DbError> {
    let mut sql = Sql::default();
    sql.push("SELECT p.brand_key AS key, MIN(p.brand) AS label, COUNT(*) AS count");
    from_where(&mut sql, f, Skip::Brand, "");
    sql.push(" GROUP BY p.brand_key ORDER BY p.brand_key");
    sql.fetch_all(pool).await
}

/// What a product grid shows.
#[derive(Debug, Clone, FromRow)]
pub struct ProductCard {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub price_cents: i64,
    pub stock: i64,
    pub active: i64,
    pub category_name: String,
    pub thumb: Option<String>,
    pub thumb_width: Option<i64>,
    pub thumb_height: Option<i64>,
    pub alt: Option<String>,
}

const CARD_SELECT: &str = "SELECT p.id, p.sku, p.name, p.description, p.brand, p.price_cents, p.stock, p.active, c.name AS category_name, \
     i.thumb, i.thumb_width, i.thumb_height, i.alt \
     FROM products p JOIN categories c ON c.id = p.category_id \
     LEFT JOIN product_images i ON i.product_id = p.id AND i.position = 0";

/// Cards for these ids, in the order given.
pub async fn cards(pool: &AnyPool, ids: &[i64]) -> Result<Vec<ProductCard>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::default();
    sql.push(CARD_SELECT).push(" WHERE p.id IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.int(*id);
    }
    sql.push(")");
    let mut rows: Vec<ProductCard> = sql.fetch_all(pool).await?;
    rows.sort_by_key(|r| ids.iter().position(|i| *i == r.id).unwrap_or(usize::MAX));
    Ok(rows)
}

#[derive(Debug, Clone, FromRow)]
pub struct ProductRow {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub category_id: i64,
    pub category_name: String,
    pub category_slug: String,
    pub price_cents: i64,
    pub stock: i64,
    pub active: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

pub async fn find(pool: &AnyPool, id: ProductId) -> Result<Option<ProductRow>, DbError> {
    sqlx::query_as(
        "SELECT p.id, p.sku, p.name, p.description, p.brand, p.category_id, c.name AS category_name, \
         c.slug AS category_slug, p.price_cents, p.stock, p.active, p.created_at, p.updated_at \
         FROM products p JOIN categories c ON c.id = p.category_id WHERE p.id = $1",
    )
    .bind(id.0)
    .fetch_optional(pool)
    .await
}

pub async fn find_id_by_sku(tx: &mut Tx, sku: &Sku) -> Result<Option<ProductId>, DbError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE sku = $1")
        .bind(sku.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(id.map(ProductId))
}

#[derive(Debug, Clone, FromRow)]
pub struct ImageRow {
    pub id: i64,
    pub file: String,
    pub thumb: String,
    pub width: i64,
    pub height: i64,
    pub thumb_width: i64,
    pub thumb_height: i64,
    pub alt: String,
}

pub async fn images(pool: &AnyPool, id: ProductId) -> Result<Vec<ImageRow>, DbError> {
    sqlx::query_as(
        "SELECT id, file, thumb, width, height, thumb_width, thumb_height, alt FROM product_images \
         WHERE product_id = $1 ORDER BY position, id",
    )
    .bind(id.0)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

pub async fn categories(pool: &AnyPool) -> Result<Vec<Category>, DbError> {
    sqlx::query_as("SELECT id, name, slug FROM categories ORDER BY name")
        .fetch_all(pool)
        .await
}

/// The category with this slug, created with `name` when missing.
pub async fn ensure_category(tx: &mut Tx, name: &str, slug: &str) -> Result<i64, DbError> {
    if let Some(id) = sqlx::query_scalar::<_, i64>("SELECT id FROM categories WHERE slug = $1")
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
    pub category_id: i64,
    pub price_cents: i64,
    /// None on an update keeps the stock as it is in the database.
    pub stock: Option<i64>,
    pub active: bool,
}

pub async fn insert(
    tx: &mut Tx,
    p: &ProductData<'_>,
    popularity: i64,
    now: i64,
) -> Result<ProductId, DbError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO products (sku, name, name_key, description, brand, brand_key, category_id, price_cents, \
         stock, active, popularity, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(p.sku.as_str())
    .bind(p.name)
    .bind(p.name.to_lowercase())
    .bind(p.description)
    .bind(p.brand)
    .bind(p.brand.to_lowercase())
    .bind(p.category_id)
    .bind(p.price_cents)
    .bind(p.stock.unwrap_or(0))
    .bind(flag(p.active))
    .bind(popularity)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(ProductId(id))
}

pub async fn update(
    tx: &mut Tx,
    id: ProductId,
    p: &ProductData<'_>,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE products SET sku = $2, name = $3, name_key = $4, description = $5, brand = $6, brand_key = $7, \
         category_id = $8, price_cents = $9, stock = COALESCE($10, stock), active = $11, updated_at = $12 \
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(p.sku.as_str())
    .bind(p.name)
    .bind(p.name.to_lowercase())
    .bind(p.description)
    .bind(p.brand)
    .bind(p.brand.to_lowercase())
    .bind(p.category_id)
    .bind(p.price_cents)
    .bind(p.stock)
    .bind(flag(p.active))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_sku(tx: &mut Tx, id: ProductId, sku: &Sku) -> Result<(), DbError> {
    sqlx::query("UPDATE products SET sku = $2 WHERE id = $1")
        .bind(id.0)
        .bind(sku.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_active(tx: &mut Tx, id: ProductId, active: bool, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE products SET active = $2, updated_at = $3 WHERE id = $1")
        .bind(id.0)
        .bind(flag(active))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes a product unless other rows (order lines) still refer to it: then the database's
/// foreign key refuses, the savepoint is rolled back and `Ok(false)` says so.
pub async fn delete_unless_referenced(tx: &mut Tx, id: ProductId) -> Result<bool, DbError> {
    use sqlx::Acquire;
    let mut savepoint = tx.begin().await?;
    match sqlx::query("DELETE FROM products WHERE id = $1")
        .bind(id.0)
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

/// Replaces the search terms of a product in two statements.
pub async fn replace_terms(
    tx: &mut Tx,
    id: ProductId,
    terms: &[(String, i64)],
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM product_terms WHERE product_id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    if terms.is_empty() {
        return Ok(());
    }
    let mut text = String::from("INSERT INTO product_terms (term, product_id, weight) VALUES ");
    for i in 0..terms.len() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(&format!("(${}, ${}, ${})", i * 3 + 1, i * 3 + 2, i * 3 + 3));
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
    for (term, weight) in terms {
        q = q.bind(term.as_str()).bind(id.0).bind(*weight);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

pub struct NewImage<'a> {
    pub file: &'a str,
    pub thumb: &'a str,
    pub width: i64,
    pub height: i64,
    pub thumb_width: i64,
    pub thumb_height: i64,
    pub alt: &'a str,
}

/// Adds an image as the product's main one (shown first).
pub async fn add_main_image(tx: &mut Tx, id: ProductId, img: &NewImage<'_>) -> Result<(), DbError> {
    sqlx::query("UPDATE product_images SET position = position + 1 WHERE product_id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO product_images (product_id, position, file, thumb, width, height, thumb_width, thumb_height, alt) \
         VALUES ($1, 0, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.0)
    .bind(img.file)
    .bind(img.thumb)
    .bind(img.width)
    .bind(img.height)
    .bind(img.thumb_width)
    .bind(img.thumb_height)
    .bind(img.alt)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn product_count(pool: &AnyPool) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(pool)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct ExportRow {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub category_name: String,
    pub price_cents: i64,
    pub stock: i64,
    pub active: i64,
}

pub async fn export_all(pool: &AnyPool) -> Result<Vec<ExportRow>, DbError> {
    sqlx::query_as(
        "SELECT p.sku, p.name, p.description, p.brand, c.name AS category_name, p.price_cents, p.stock, p.active \
         FROM products p JOIN categories c ON c.id = p.category_id ORDER BY p.sku",
    )
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct Stats {
    pub products: i64,
    pub active: i64,
    pub out_of_stock: i64,
    pub low_stock: i64,
}

pub async fn stats(pool: &AnyPool) -> Result<Stats, DbError> {
    sqlx::query_as(
        "SELECT COUNT(*) AS products, \
         CAST(COALESCE(SUM(CASE WHEN active = 1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS active, \
         CAST(COALESCE(SUM(CASE WHEN active = 1 AND stock = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS out_of_stock, \
         CAST(COALESCE(SUM(CASE WHEN active = 1 AND stock BETWEEN 1 AND 5 THEN 1 ELSE 0 END), 0) AS BIGINT) AS low_stock \
         FROM products",
    )
    .fetch_one(pool)
    .await
}

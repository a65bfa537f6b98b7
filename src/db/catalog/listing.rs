//! Listings and searches: a page of ids with its total and facets, and the cards of a page.

use sqlx::{AnyConnection, AnyPool, FromRow};

use crate::db::sql::Sql;
use crate::db::{DbError, flag_of};
use crate::domain::{CategoryId, Money, ProductId, Sort};

/// What a listing is narrowed to. Terms are lower-cased words, each matched as a prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    /// The words searched for; every one must match.
    pub words: Vec<SearchWord>,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub min_cents: Option<i64>,
    pub max_cents: Option<i64>,
    /// Admin lists show inactive products too.
    pub include_inactive: bool,
}

/// One typed word of a search, as the index is asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchWord {
    /// The word as typed and its stem: a term equal to one of them ranks 5; a term that only
    /// starts with one ranks 4 (unless `whole`).
    pub prefixes: Vec<String>,
    /// Match the typed forms as whole words only (a word of one or two letters would otherwise
    /// stand for a large part of the catalogue).
    pub whole: bool,
    /// Whole catalogue words standing in for a word that matched nothing (a spelling
    /// correction); they rank below every exact or prefix match.
    pub corrections: Vec<String>,
}

impl SearchWord {
    /// A word looked for as typed (already folded), by prefix only.
    pub fn plain(word: &str) -> Self {
        Self {
            prefixes: vec![word.to_string()],
            whole: false,
            corrections: Vec::new(),
        }
    }
}

/// `(term >= 'a' AND term < 'a…' OR … OR term IN (…))` for one word.
fn word_matches(sql: &mut Sql, w: &SearchWord) {
    sql.push("(");
    let mut or = false;
    if w.whole {
        sql.push("term IN ")
            .text_list(w.prefixes.iter().map(String::as_str));
        or = true;
    } else {
        for p in &w.prefixes {
            if or {
                sql.push(" OR ");
            }
            sql.push("(term >= ")
                .text(p)
                .push(" AND term < ")
                .text(&prefix_end(p))
                .push(")");
            or = true;
        }
    }
    if !w.corrections.is_empty() {
        if or {
            sql.push(" OR ");
        }
        sql.push("term IN ")
            .text_list(w.corrections.iter().map(String::as_str));
        or = true;
    }
    if !or {
        sql.push("1 = 0");
    }
    sql.push(")");
}

/// The end of the byte range of strings that start with `prefix`.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// What a listing shows: its total, the facets beside it, and one page of ids in order.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub total: i64,
    pub categories: Vec<Facet>,
    pub brands: Vec<Facet>,
    pub ids: Vec<ProductId>,
}

/// `AND category = …` / `AND brand = …` of rows named `alias`, as a facet sees them (a facet
/// leaves out its own filter).
fn facet_filters(sql: &mut Sql, f: &Filter, alias: &str, category: bool, brand: bool) {
    if let (Some(c), true) = (&f.category, category) {
        // A scalar subquery is evaluated once.
        sql.push(" AND ")
            .push(alias)
            .push(".category_id = (SELECT id FROM categories WHERE slug = ")
            .text(c)
            .push(")");
    }
    if let (Some(b), true) = (&f.brand, brand) {
        sql.push(" AND ")
            .push(alias)
            .push(".brand_key = ")
            .text(&b.to_lowercase());
    }
}

fn price_filters(sql: &mut Sql, f: &Filter, column: &str) {
    if let Some(min) = f.min_cents {
        sql.push(" AND ").push(column).push(" >= ").int(min);
    }
    if let Some(max) = f.max_cents {
        sql.push(" AND ").push(column).push(" <= ").int(max);
    }
}

/// The ORDER BY of a page over matches `m` joined to products `p`.
fn order_by(sort: Sort, words: bool) -> &'static str {
    match sort {
        Sort::Relevance if words => "m.score DESC, p.popularity DESC, p.id DESC",
        Sort::Relevance => "p.popularity DESC, p.id DESC",
        // The Bayesian average (0 while unrated, so those come last).
        Sort::Rating => "p.rating_score DESC, p.rating_count DESC, p.popularity DESC, p.id DESC",
        Sort::PriceAsc => "p.price_cents ASC, p.id ASC",
        Sort::PriceDesc => "p.price_cents DESC, p.id DESC",
        Sort::Name => "p.name_key ASC, p.id ASC",
        Sort::Newest => "p.created_at DESC, p.id DESC",
    }
}

/// The matches of a search, one row per product: `m(product_id, score, category_id, brand_key)`.
/// One pass over the covering index of the terms: a product's rows carry its listing columns,
/// so the filters, the score and the facets never visit the products table. A term equal to a
/// typed word or stem weighs 5, one that starts with it 4, a spelling correction 1, times the
/// field's weight; with several words every one must match.
fn matches(sql: &mut Sql, f: &Filter) {
    let typed: Vec<&str> = f
        .words
        .iter()
        .flat_map(|w| w.prefixes.iter().map(String::as_str))
        .collect();
    let corrections: Vec<&str> = f
        .words
        .iter()
        .flat_map(|w| w.corrections.iter().map(String::as_str))
        .collect();
    sql.push("SELECT product_id, SUM(weight * CASE WHEN term IN ")
        .text_list(typed.iter().copied())
        .push(" THEN 5");
    if !corrections.is_empty() {
        sql.push(" WHEN term IN ")
            .text_list(corrections.iter().copied())
            .push(" THEN 1");
    }
    sql.push(" ELSE 4 END) AS score, MIN(category_id) AS category_id, MIN(brand_key) AS brand_key")
        .push(" FROM product_terms WHERE (");
    for (i, w) in f.words.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        word_matches(sql, w);
    }
    sql.push(")");
    if !f.include_inactive {
        sql.push(" AND active = 1");
    }
    price_filters(sql, f, "price_cents");
    sql.push(" GROUP BY product_id");
    if f.words.len() > 1 {
        for (i, w) in f.words.iter().enumerate() {
            sql.push(if i == 0 { " HAVING " } else { " AND " });
            sql.push("MAX(CASE WHEN ");
            word_matches(sql, w);
            sql.push(" THEN 1 ELSE 0 END) = 1");
        }
    }
}

/// The products of a listing without search words, as `m` rows (score 0).
fn products_as_matches(sql: &mut Sql, f: &Filter) {
    sql.push(
        "SELECT id AS product_id, 0 AS score, category_id, brand_key FROM products WHERE 1 = 1",
    );
    if !f.include_inactive {
        sql.push(" AND active = 1");
    }
    price_filters(sql, f, "price_cents");
}

/// The total and facets over `m`, as rows `(part, key, label, n)`: part 0 the total, 1 the
/// categories (under the brand filter), 2 the brands (under the category filter). `n` is how a
/// row of `m` counts: `COUNT(*)` over matches, `SUM(products)` over maintained counts.
fn counts_over(sql: &mut Sql, f: &Filter, n: &str) {
    let n = format!("CAST(COALESCE({n}, 0) AS BIGINT)");
    sql.push(" SELECT 0 AS part, '' AS key, '' AS label, ")
        .push(&n)
        .push(" AS n FROM m WHERE 1 = 1");
    facet_filters(sql, f, "m", true, true);
    sql.push(" UNION ALL SELECT 1, c.slug, c.name, g.n FROM (SELECT category_id, ")
        .push(&n)
        .push(" AS n FROM m WHERE 1 = 1");
    facet_filters(sql, f, "m", false, true);
    sql.push(" GROUP BY category_id) g JOIN categories c ON c.id = g.category_id");
    sql.push(
        " UNION ALL SELECT 2, g.brand_key, COALESCE((SELECT MIN(b.brand) FROM catalog_brand_counts b \
         WHERE b.brand_key = g.brand_key), g.brand_key), g.n FROM (SELECT brand_key, ",
    )
    .push(&n)
    .push(" AS n FROM m WHERE 1 = 1");
    facet_filters(sql, f, "m", true, false);
    sql.push(" GROUP BY brand_key) g");
}

/// The price bands (`price_cents / 100`) a price filter covers whole, as (first, last).
fn whole_bands(f: &Filter) -> (i64, i64) {
    let lo = f.min_cents.unwrap_or(0).max(0);
    let first = (lo + 99) / 100;
    let last = match f.max_cents {
        Some(hi) => (hi + 1).div_euclid(100) - 1,
        None => i64::MAX / 200,
    };
    (first, last)
}

/// The same rows from the maintained counts (no words): per category and brand (a few hundred
/// rows), or under a price filter per category, brand and price band (a number of rows that
/// does not grow with the catalogue). Under a price filter the bands it
/// covers whole come from the counts and the products of the (at most two) bands it cuts are
/// counted one by one, from an index, so the counts stay exact.
fn counts_from_counters(sql: &mut Sql, f: &Filter) {
    let priced = f.min_cents.is_some() || f.max_cents.is_some();
    sql.push("WITH m AS (SELECT category_id, brand_key, products FROM ")
        .push(if priced {
            "catalog_counts"
        } else {
            "catalog_brand_counts"
        })
        .push(" WHERE products > 0");
    if priced {
        let (first, last) = whole_bands(f);
        sql.push(" AND price_band >= ")
            .int(first)
            .push(" AND price_band <= ")
            .int(last);
        sql.push(
            " UNION ALL SELECT category_id, brand_key, 1 FROM products WHERE active = 1 AND (",
        );
        let lo = f.min_cents.unwrap_or(0);
        let hi = f.max_cents.unwrap_or(i64::MAX / 2);
        if first > last {
            sql.push("price_cents >= ")
                .int(lo)
                .push(" AND price_cents <= ")
                .int(hi);
        } else {
            sql.push("(price_cents >= ")
                .int(lo)
                .push(" AND price_cents < ")
                .int(first * 100)
                .push(") OR (price_cents >= ")
                .int((last + 1).saturating_mul(100))
                .push(" AND price_cents <= ")
                .int(hi)
                .push(")");
        }
        sql.push(")");
    }
    sql.push(")");
    counts_over(sql, f, "SUM(products)");
}

/// One page of a search over `m`, as rows `(3, '', '', position)` with the id in `key`.
/// For relevance only the products scoring at least the page's last score are joined to the
/// products table (for the popularity that breaks ties), not every match.
fn page_over_matches(sql: &mut Sql, f: &Filter, sort: Sort, limit: i64, offset: i64, how: Method) {
    sql.push(" UNION ALL SELECT 3, CAST(id AS TEXT), '', pos FROM (SELECT p.id, ROW_NUMBER() OVER (ORDER BY ")
        .push(order_by(sort, !f.words.is_empty()))
        .push(") AS pos FROM m JOIN products p ON p.id = m.product_id WHERE 1 = 1");
    facet_filters(sql, f, "m", true, true);
    if sort == Sort::Relevance && !f.words.is_empty() && how == Method::Fast {
        sql.push(" AND m.score >= COALESCE((SELECT m.score FROM m WHERE 1 = 1");
        facet_filters(sql, f, "m", true, true);
        sql.push(" ORDER BY m.score DESC LIMIT 1 OFFSET ")
            .int(limit + offset - 1)
            .push("), 0)");
    }
    sql.push(" ORDER BY ")
        .push(order_by(sort, !f.words.is_empty()))
        .push(" LIMIT ")
        .int(limit)
        .push(" OFFSET ")
        .int(offset)
        .push(") pg");
}

/// One page of a listing without search words, read in the order of an index on products.
async fn page_of_products(
    conn: &mut AnyConnection,
    f: &Filter,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> Result<Vec<ProductId>, DbError> {
    let mut sql = Sql::new("SELECT p.id FROM products p WHERE 1 = 1");
    if !f.include_inactive {
        sql.push(" AND p.active = 1");
    }
    facet_filters(&mut sql, f, "p", true, true);
    price_filters(&mut sql, f, "p.price_cents");
    sql.push(" ORDER BY ")
        .push(order_by(sort, false))
        .push(" LIMIT ")
        .int(limit)
        .push(" OFFSET ")
        .int(offset);
    #[derive(FromRow)]
    struct Id {
        id: ProductId,
    }
    Ok(sql
        .fetch_all::<Id, _>(conn)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

#[derive(FromRow)]
struct Part {
    part: i64,
    key: String,
    label: String,
    n: i64,
}

/// A listing: its total, facets and one page (`limit` from `offset`). With search words it is
/// one statement: the matches once, then the counts and the page over them. Without words the
/// counts come from the maintained counts and the page from an index on products.
pub async fn search(
    conn: &mut AnyConnection,
    f: &Filter,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> Result<Found, DbError> {
    search_by(conn, f, sort, limit, offset, Method::Fast).await
}

/// How a listing is computed: with its shortcuts, or the plain way (every match counted and
/// sorted), which the tests compare it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Fast,
    Exact,
}

/// [`search`], by the method chosen.
pub async fn search_by(
    conn: &mut AnyConnection,
    f: &Filter,
    sort: Sort,
    limit: i64,
    offset: i64,
    how: Method,
) -> Result<Found, DbError> {
    let mut sql = Sql::new("");
    let words = !f.words.is_empty();
    if words {
        sql.push("WITH m AS (");
        matches(&mut sql, f);
        sql.push(")");
        counts_over(&mut sql, f, "COUNT(*)");
        page_over_matches(&mut sql, f, sort, limit, offset, how);
    } else if !f.include_inactive && how == Method::Fast {
        counts_from_counters(&mut sql, f);
    } else {
        sql.push("WITH m AS (");
        products_as_matches(&mut sql, f);
        sql.push(")");
        counts_over(&mut sql, f, "COUNT(*)");
    }
    let parts: Vec<Part> = sql.fetch_all(&mut *conn).await?;
    let mut found = Found::default();
    let mut page: Vec<(i64, ProductId)> = Vec::new();
    for p in parts {
        match p.part {
            0 => found.total = p.n,
            1 => found.categories.push(Facet {
                key: p.key,
                label: p.label,
                count: p.n,
            }),
            2 => found.brands.push(Facet {
                key: p.key,
                label: p.label,
                count: p.n,
            }),
            _ => {
                if let Ok(id) = p.key.parse::<i64>() {
                    page.push((p.n, ProductId::new(id)));
                }
            }
        }
    }
    found.categories.sort_by(|a, b| a.label.cmp(&b.label));
    found.brands.sort_by(|a, b| a.key.cmp(&b.key));
    page.sort_by_key(|(pos, _)| *pos);
    found.ids = if words {
        page.into_iter().map(|(_, id)| id).collect()
    } else {
        page_of_products(conn, f, sort, limit, offset).await?
    };
    Ok(found)
}

/// The words of products on sale, each with how many products use it (for spelling and for
/// the expected size of a search).
pub async fn vocabulary(pool: &AnyPool) -> Result<Vec<(String, i64)>, DbError> {
    sqlx::query_as("SELECT term, COUNT(*) FROM product_terms WHERE active = 1 GROUP BY term")
        .fetch_all(pool)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct Facet {
    pub key: String,
    pub label: String,
    pub count: i64,
}

/// What a product grid shows.
#[derive(Debug, Clone)]
pub struct ProductCard {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub price: Money,
    pub stock: i64,
    pub active: bool,
    pub category_id: CategoryId,
    pub category_name: String,
    pub thumb: Option<String>,
    pub thumb_width: Option<i64>,
    pub thumb_height: Option<i64>,
    /// Visible ratings: how many, and their sum.
    pub rating_count: i64,
    pub rating_sum: i64,
}

#[derive(FromRow)]
struct CardRow {
    id: ProductId,
    sku: String,
    name: String,
    description: String,
    brand: String,
    price_cents: Money,
    stock: i64,
    active: i64,
    category_id: CategoryId,
    category_name: String,
    thumb: Option<String>,
    thumb_width: Option<i64>,
    thumb_height: Option<i64>,
    rating_count: i64,
    rating_sum: i64,
}

impl From<CardRow> for ProductCard {
    fn from(r: CardRow) -> Self {
        Self {
            id: r.id,
            sku: r.sku,
            name: r.name,
            description: r.description,
            brand: r.brand,
            price: r.price_cents,
            stock: r.stock,
            active: flag_of(r.active),
            category_id: r.category_id,
            category_name: r.category_name,
            thumb: r.thumb,
            thumb_width: r.thumb_width,
            thumb_height: r.thumb_height,
            rating_count: r.rating_count,
            rating_sum: r.rating_sum,
        }
    }
}

const CARD_SELECT: &str = "SELECT p.id, p.sku, p.name, p.description, p.brand, p.price_cents, p.stock, p.active, p.category_id, c.name AS category_name, \
     i.thumb, i.thumb_width, i.thumb_height, p.rating_count, p.rating_sum \
     FROM products p JOIN categories c ON c.id = p.category_id \
     LEFT JOIN product_images i ON i.product_id = p.id AND i.position = 0";

/// Cards for these ids, in the order given.
pub async fn cards(pool: &AnyPool, ids: &[ProductId]) -> Result<Vec<ProductCard>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(CARD_SELECT);
    sql.push(" WHERE p.id IN ")
        .int_list(ids.iter().map(|id| id.get()));
    let mut rows: Vec<ProductCard> = sql
        .fetch_all::<CardRow, _>(pool)
        .await?
        .into_iter()
        .map(ProductCard::from)
        .collect();
    rows.sort_by_key(|r| ids.iter().position(|i| *i == r.id).unwrap_or(usize::MAX));
    Ok(rows)
}

//! Listings and searches: `FROM … WHERE …` built once for the ids of a page, its count and its
//! facets, and the cards of a page.

use sqlx::{AnyPool, FromRow};

use crate::db::sql::Sql;
use crate::db::{DbError, flag_of};
use crate::domain::{Money, ProductId, Sort};

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
    /// Terms that start with any of these match (the word as typed, its stem); a term equal to
    /// one of them ranks above a term that only starts with it.
    pub prefixes: Vec<String>,
    /// Whole catalogue words standing in for a word that matched nothing (a spelling
    /// correction); they rank below every exact or prefix match.
    pub corrections: Vec<String>,
}

impl SearchWord {
    /// A word looked for as typed (already folded), by prefix only.
    pub fn plain(word: &str) -> Self {
        Self {
            prefixes: vec![word.to_string()],
            corrections: Vec::new(),
        }
    }
}

/// `(term >= 'a' AND term < 'a…' OR … OR term IN (corrections))` for one word.
fn word_matches(sql: &mut Sql, w: &SearchWord) {
    sql.push("(");
    for (i, p) in w.prefixes.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push("(term >= ")
            .text(p)
            .push(" AND term < ")
            .text(&prefix_end(p))
            .push(")");
    }
    if !w.corrections.is_empty() {
        if !w.prefixes.is_empty() {
            sql.push(" OR ");
        }
        sql.push("term IN ")
            .text_list(w.corrections.iter().map(String::as_str));
    }
    sql.push(")");
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
    if f.words.is_empty() {
        sql.push(" FROM products p");
    } else {
        // The matches and their relevance come from one pass over the term index (a term equal
        // to a typed word or stem weighs 5, one that starts with it 4, a spelling correction 1,
        // times the field's weight); products are then looked up by key. CROSS JOIN keeps this
        // order on SQLite (its planner would otherwise walk products by a sort index and probe
        // the terms); PostgreSQL plans it as an ordinary join.
        let prefixes: Vec<&str> = f
            .words
            .iter()
            .flat_map(|w| w.prefixes.iter().map(String::as_str))
            .collect();
        let corrections: Vec<&str> = f
            .words
            .iter()
            .flat_map(|w| w.corrections.iter().map(String::as_str))
            .collect();
        sql.push(" FROM (SELECT product_id, SUM(score) AS score FROM (");
        sql.push("SELECT product_id, weight * CASE WHEN term IN ")
            .text_list(prefixes.iter().copied())
            .push(" THEN 5 ELSE 4 END AS score FROM product_terms WHERE ");
        let exact_words = SearchWord {
            prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
            corrections: Vec::new(),
        };
        if exact_words.prefixes.is_empty() {
            sql.push("1 = 0");
        } else {
            word_matches(sql, &exact_words);
        }
        if !corrections.is_empty() {
            sql.push(
                " UNION ALL SELECT product_id, weight AS score FROM product_terms WHERE term IN ",
            )
            .text_list(corrections.iter().copied());
        }
        sql.push(") s GROUP BY product_id) m CROSS JOIN products p");
    }
    sql.push(join);
    sql.push(" WHERE 1 = 1");
    if !f.words.is_empty() {
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
    for w in f.words.iter().filter(|_| f.words.len() > 1) {
        sql.push(" AND p.id IN (SELECT product_id FROM product_terms WHERE ");
        word_matches(sql, w);
        sql.push(")");
    }
}

/// The words of products on sale, each with how many products use it (for spelling).
pub async fn vocabulary(pool: &AnyPool) -> Result<Vec<(String, i64)>, DbError> {
    sqlx::query_as(
        "SELECT t.term, COUNT(*) FROM product_terms t JOIN products p ON p.id = t.product_id \
         WHERE p.active = 1 GROUP BY t.term",
    )
    .fetch_all(pool)
    .await
}

/// One page of product ids in order.
pub async fn search_ids(
    pool: &AnyPool,
    f: &Filter,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> Result<Vec<ProductId>, DbError> {
    let mut sql = Sql::new("SELECT p.id");
    from_where(&mut sql, f, Skip::Nothing, "");
    sql.push(" ORDER BY ");
    sql.push(match sort {
        Sort::Relevance if !f.words.is_empty() => "m.score DESC, p.popularity DESC, p.id DESC",
        Sort::Relevance => "p.popularity DESC, p.id DESC",
        // The Bayesian average (0 while unrated, so those come last).
        Sort::Rating => "p.rating_score DESC, p.rating_count DESC, p.popularity DESC, p.id DESC",
        Sort::PriceAsc => "p.price_cents ASC, p.id ASC",
        Sort::PriceDesc => "p.price_cents DESC, p.id DESC",
        Sort::Name => "p.name_key ASC, p.id ASC",
        Sort::Newest => "p.created_at DESC, p.id DESC",
    });
    sql.push(" LIMIT ").int(limit).push(" OFFSET ").int(offset);
    #[derive(FromRow)]
    struct Id {
        id: ProductId,
    }
    Ok(sql
        .fetch_all::<Id, _>(pool)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

pub async fn count(pool: &AnyPool, f: &Filter) -> Result<i64, DbError> {
    let mut sql = Sql::new("SELECT COUNT(*)");
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
    let mut sql = Sql::new("SELECT c.slug AS key, c.name AS label, COUNT(*) AS count");
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
    let mut sql = Sql::new("SELECT p.brand_key AS key, MIN(p.brand) AS label, COUNT(*) AS count");
    from_where(&mut sql, f, Skip::Brand, "");
    sql.push(" GROUP BY p.brand_key ORDER BY p.brand_key");
    sql.fetch_all(pool).await
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
            category_name: r.category_name,
            thumb: r.thumb,
            thumb_width: r.thumb_width,
            thumb_height: r.thumb_height,
            rating_count: r.rating_count,
            rating_sum: r.rating_sum,
        }
    }
}

const CARD_SELECT: &str = "SELECT p.id, p.sku, p.name, p.description, p.brand, p.price_cents, p.stock, p.active, c.name AS category_name, \
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

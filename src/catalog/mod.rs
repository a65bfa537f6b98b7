//! The catalogue: browsing and search (for shoppers), product administration, images, CSV
//! import/export and the demo catalogue.

pub mod admin;
pub mod cache;
pub mod csv_io;
pub mod images;
pub mod lanes;
pub mod search;
pub mod search_eval;
pub mod seed;
pub mod spelling;
pub mod terms;
pub mod variants;

use crate::db::catalog::{self as db, ImageRow, Product};
use crate::domain::{FieldErrors, ProductId};
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the input is not valid")]
    Invalid(FieldErrors),
    #[error("no such product")]
    NotFound,
    /// A listing that would take longer than `catalog.statement_timeout_ms`, or a broad search
    /// while as many as allowed already run.
    #[error("the search asks for too much at once")]
    TooBroad,
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<FieldErrors> for CatalogError {
    fn from(e: FieldErrors) -> Self {
        CatalogError::Invalid(e)
    }
}

/// `"Garden & Outdoor"` → `"garden-outdoor"`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

/// Stock shown to shoppers: "in stock", "only 3 left" (at or below this), "out of stock".
pub const LOW_STOCK: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockState {
    InStock,
    Low(i64),
    Out,
}

impl StockState {
    pub fn of(stock: i64) -> Self {
        match stock {
            s if s <= 0 => StockState::Out,
            s if s <= LOW_STOCK => StockState::Low(s),
            _ => StockState::InStock,
        }
    }

    pub fn label(self) -> String {
        match self {
            StockState::InStock => "In stock".into(),
            StockState::Low(n) => format!("Only {n} left"),
            StockState::Out => "Out of stock".into(),
        }
    }

    pub fn available(self) -> bool {
        self != StockState::Out
    }
}

/// A product as its page shows it to shoppers (and the API's product endpoint).
pub struct ProductOnSale {
    pub product: Product,
    /// The main picture first.
    pub images: Vec<ImageRow>,
}

/// A product that is on sale; a deactivated or unknown one is not found.
pub async fn product_on_sale(
    state: &AppState,
    id: ProductId,
) -> Result<ProductOnSale, CatalogError> {
    keep_cache_current(state).await;
    if let Some((product, images)) = state.catalog_cache.product(id) {
        return Ok(ProductOnSale { product, images });
    }
    let at = state.catalog_cache.shared_version();
    let (product, images) = state
        .db
        .catalogue_read(at, |pool| async move {
            match db::find(&pool, id).await?.filter(|p| p.active) {
                Some(p) => Ok(Some((p, db::images(&pool, id).await?))),
                None => Ok(None),
            }
        })
        .await?
        .ok_or(CatalogError::NotFound)?;
    state
        .catalog_cache
        .put_product(id, product.clone(), images.clone());
    Ok(ProductOnSale { product, images })
}

/// After a change to what listings or product pages show (products, stock, ratings,
/// popularity): this instance drops its cached pages now, and the shared version moves so every
/// other instance drops them within a second. (`words` also when names or descriptions changed.)
pub async fn changed(state: &AppState, words: bool) {
    if words {
        state.catalog_cache.words_changed();
    } else {
        state.catalog_cache.invalidate();
    }
    match db::changes::bump(state.db.pool()).await {
        Ok(v) => state.catalog_cache.saw_version(v),
        // The change itself is committed; other instances then catch up within 30 s.
        Err(e) => tracing::warn!(error = %e, "catalogue version not moved"),
    }
}

/// How often an instance looks at the shared catalogue version.
const VERSION_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// Drops this instance's cached pages if the catalogue changed elsewhere (looked up at most once
/// a second, so the cache keeps its hit rate).
pub async fn keep_cache_current(state: &AppState) {
    if !state.catalog_cache.due_for_check(VERSION_CHECK) {
        return;
    }
    match db::changes::version(state.db.pool()).await {
        Ok(v) => state.catalog_cache.saw_version(v),
        Err(e) => tracing::warn!(error = %e, "catalogue version not read"),
    }
}

/// The figure that remembers which [`terms::TERMS_VERSION`] built the index.
const TERMS_FIGURE: &str = "search_terms_version";

/// Rebuilds every product's search terms when the way terms are made changed since the index
/// was written (after an upgrade); returns how many products were reindexed.
pub async fn reindex_if_needed(state: &AppState) -> anyhow::Result<usize> {
    let pool = state.db.pool();
    let built = crate::db::figures::figure(pool, TERMS_FIGURE).await?;
    if built == Some(terms::TERMS_VERSION) {
        return Ok(0);
    }
    let sources = db::term_sources(pool).await?;
    for chunk in sources.chunks(500) {
        let mut tx = state.db.begin_write().await?;
        for p in chunk {
            let t = variants::product_terms(&mut tx, p).await?;
            db::replace_terms(&mut tx, p.id, &t).await?;
        }
        tx.commit().await?;
    }
    crate::db::figures::set_figure(pool, TERMS_FIGURE, terms::TERMS_VERSION).await?;
    changed(state, true).await;
    if !sources.is_empty() {
        tracing::info!(
            products = sources.len(),
            version = terms::TERMS_VERSION,
            "search index rebuilt"
        );
    }
    Ok(sources.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs() {
        assert_eq!(super::slugify(" Garden & Outdoor "), "garden-outdoor");
        assert_eq!(super::slugify("Café/Tea"), "café-tea");
    }
}

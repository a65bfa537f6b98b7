//! The catalogue: browsing and search (for shoppers), product administration, images, CSV
//! import/export and the demo catalogue.

pub mod admin;
pub mod cache;
pub mod csv_io;
pub mod images;
pub mod search;
pub mod seed;
pub mod terms;

use crate::db::catalog::{self as db, ImageRow, Product};
use crate::domain::{FieldErrors, ProductId};
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the input is not valid")]
    Invalid(FieldErrors),
    #[error("no such product")]
    NotFound,
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
    if let Some((product, images)) = state.catalog_cache.product(id) {
        return Ok(ProductOnSale { product, images });
    }
    let pool = state.db.pool();
    let product = db::find(pool, id)
        .await?
        .filter(|p| p.active)
        .ok_or(CatalogError::NotFound)?;
    let images = db::images(pool, id).await?;
    state
        .catalog_cache
        .put_product(id, product.clone(), images.clone());
    Ok(ProductOnSale { product, images })
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs() {
        assert_eq!(super::slugify(" Garden & Outdoor "), "garden-outdoor");
        assert_eq!(super::slugify("Café/Tea"), "café-tea");
    }
}

//! Customer engagement: ratings and reviews, wishlists, recently viewed products, and
//! recommendations learned from what customers buy, view and wish for.
//!
//! - `reviews`: verified-purchase ratings and reviews, their aggregates, staff moderation
//! - `wishlist`: the customer's saved products
//! - `views`: recently viewed products, recorded in batches off the request path
//! - `recommend`: personalised recommendations, "also bought", popularity, and their refresh
//! - `simulate`: simulated shoppers with hidden tastes, for measuring the recommender

pub mod recommend;
pub mod reviews;
pub mod simulate;
pub mod views;
pub mod wishlist;

use crate::domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum EngagementError {
    #[error("the input is not valid")]
    Invalid(FieldErrors),
    #[error("no such product or review")]
    NotFound,
    /// The customer may not do this (e.g. review a product they did not buy).
    #[error("{0}")]
    NotAllowed(String),
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<FieldErrors> for EngagementError {
    fn from(e: FieldErrors) -> Self {
        EngagementError::Invalid(e)
    }
}

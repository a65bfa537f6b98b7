//! Ratings, reviews and wishlists as pages show them.

use crate::clock::format_unix;
use crate::db::reviews::{ReviewRow, StaffReviewRow};
use crate::db::wishlist::WishedProduct;
use crate::domain::ProductId;
use crate::engagement::reviews::{ProductReviews, average};
use crate::http::media_url;

use super::stock_class;

/// "4.3" for an average, and how it reads to a screen reader.
pub fn rating_text(count: i64, sum: i64) -> Option<String> {
    average(count, sum).map(|a| format!("{a:.1}"))
}

/// "★★★★☆" for a whole number of stars (decoration; the number is always written too).
pub fn stars(n: i64) -> String {
    let full = usize::try_from(n.clamp(0, 5)).unwrap_or(0);
    format!("{}{}", "★".repeat(full), "☆".repeat(5 - full))
}

/// One bar of the distribution.
pub struct StarBar {
    pub stars: i64,
    pub count: i64,
    /// Width of the bar, 0–100.
    pub percent: i64,
}

pub struct ReviewView {
    pub first_name: String,
    pub rating: i64,
    pub stars: String,
    pub comment: String,
    pub date: String,
}

impl From<ReviewRow> for ReviewView {
    fn from(r: ReviewRow) -> Self {
        Self {
            stars: stars(r.rating),
            first_name: r.first_name,
            rating: r.rating,
            comment: r.comment,
            date: format_unix(r.updated_at).chars().take(10).collect(),
        }
    }
}

/// The reviews block of a product page.
pub struct ReviewsView {
    pub count: i64,
    pub average: Option<String>,
    pub average_stars: String,
    pub bars: Vec<StarBar>,
    pub reviews: Vec<ReviewView>,
    pub page: i64,
    pub pages: i64,
}

impl ReviewsView {
    pub fn new(r: ProductReviews) -> Self {
        let most = r.distribution.iter().copied().max().unwrap_or(0).max(1);
        Self {
            count: r.count,
            average: r.average.map(|a| format!("{a:.1}")),
            average_stars: stars(r.average.map_or(0, |a| a.round() as i64)),
            bars: (1..=5)
                .rev()
                .map(|s| {
                    let count = r.distribution[usize::try_from(s - 1).unwrap_or(0)];
                    StarBar {
                        stars: s,
                        count,
                        percent: count * 100 / most,
                    }
                })
                .collect(),
            reviews: r.reviews.into_iter().map(ReviewView::from).collect(),
            page: r.page.page(),
            pages: r.pages,
        }
    }
}

/// A line of the wishlist page.
pub struct WishView {
    pub product_id: ProductId,
    pub name: String,
    pub brand: String,
    pub price: String,
    pub thumb: Option<String>,
    pub stock_label: String,
    pub stock_class: &'static str,
    /// Can go in the cart now (on sale and in stock).
    pub buyable: bool,
    /// No longer sold at all.
    pub withdrawn: bool,
}

impl WishView {
    pub fn new(w: WishedProduct, currency: &str) -> Self {
        let stock = crate::catalog::StockState::of(w.stock);
        Self {
            product_id: w.product_id,
            price: w.price.display(currency),
            thumb: w.thumb.as_deref().map(media_url),
            stock_label: if w.active {
                stock.label()
            } else {
                "No longer available".into()
            },
            stock_class: if w.active { stock_class(stock) } else { "out" },
            buyable: w.active && stock.available(),
            withdrawn: !w.active,
            name: w.name,
            brand: w.brand,
        }
    }
}

/// A review as the staff see it (hidden ones too).
pub struct StaffReviewView {
    pub id: i64,
    pub when: String,
    pub product_id: crate::domain::ProductId,
    pub product: String,
    pub username: String,
    pub rating: i64,
    pub stars: String,
    pub comment: String,
    pub hidden: bool,
}

impl From<StaffReviewRow> for StaffReviewView {
    fn from(r: StaffReviewRow) -> Self {
        Self {
            id: r.id,
            when: format_unix(r.updated_at),
            product_id: r.product_id,
            product: r.product_name,
            username: r.username,
            stars: stars(r.rating),
            rating: r.rating,
            comment: r.comment,
            hidden: r.hidden,
        }
    }
}

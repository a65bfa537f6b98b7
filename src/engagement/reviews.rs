//! Ratings and reviews. Only a customer who bought a product (an order of theirs with it was
//! paid, shipped or delivered) may review it, once: posting again edits the review. Products
//! keep the count, sum and a Bayesian average of their visible ratings, updated with each change.

use crate::db::audit::{self, Entry};
use crate::db::recommendations::figure;
use crate::db::reviews::{self as db, ReviewRow};
use crate::domain::{FieldErrors, Pagination, ProductId, UserId, optional_text};
use crate::state::AppState;

use super::EngagementError;

pub const COMMENT_MAX: usize = 2000;
pub const PAGE_SIZE: i64 = 10;
/// The Bayesian average counts the catalogue's mean as this many ratings, so one 5-star review
/// does not beat fifty 4.8s.
pub const PRIOR_WEIGHT: i64 = 10;
/// The prior until the catalogue has ratings of its own (x1000).
pub const DEFAULT_PRIOR_MILLI: i64 = 4000;
/// Where the background refresh keeps the catalogue's mean rating (x1000).
pub const PRIOR_FIGURE: &str = "rating_prior_milli";

/// `sort=rating`'s score (x1000): the Bayesian average `(C·m + Σ) / (C + n)`; 0 when unrated, so
/// unrated products come last.
pub fn score(count: i64, sum: i64, prior_milli: i64) -> i64 {
    if count == 0 {
        0
    } else {
        (PRIOR_WEIGHT * prior_milli + sum * 1000) / (PRIOR_WEIGHT + count)
    }
}

/// A review as posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReview {
    pub rating: i64,
    pub comment: String,
}

/// Checks a rating typed in a form (`"4"`) and a comment.
pub fn validate(rating: &str, comment: &str) -> Result<ValidReview, FieldErrors> {
    let mut e = FieldErrors::new();
    let rating = e.check(
        "rating",
        rating
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|r| (1..=5).contains(r))
            .ok_or_else(|| "Choose a whole number of stars from 1 to 5.".to_string()),
    );
    let comment = e.check(
        "comment",
        optional_text(comment, COMMENT_MAX, "your comment").map(Option::unwrap_or_default),
    );
    match (rating, comment) {
        (Some(rating), Some(comment)) if e.is_empty() => Ok(ValidReview { rating, comment }),
        _ => Err(e),
    }
}

/// The same for a rating that arrived as a JSON number (a fraction is refused, not rounded).
pub fn validate_number(rating: f64, comment: &str) -> Result<ValidReview, FieldErrors> {
    let whole = if rating.fract() == 0.0 && (1.0..=5.0).contains(&rating) {
        format!("{rating:.0}")
    } else {
        String::new()
    };
    validate(&whole, comment)
}

async fn prior(state: &AppState) -> Result<i64, sqlx::Error> {
    Ok(figure(state.db.pool(), PRIOR_FIGURE)
        .await?
        .unwrap_or(DEFAULT_PRIOR_MILLI))
}

/// Why a customer may not review a product, if they may not.
pub async fn refusal(
    state: &AppState,
    user: UserId,
    product: ProductId,
) -> Result<Option<String>, sqlx::Error> {
    Ok((!crate::db::purchases::has(state.db.pool(), user, product).await?).then(|| {
        "Only customers who bought this product can review it; reviews here are all from real buyers."
            .to_string()
    }))
}

/// Posts (or edits) the customer's review.
#[tracing::instrument(name = "review post", skip_all, fields(%user, %product))]
pub async fn post(
    state: &AppState,
    user: UserId,
    product: ProductId,
    review: &ValidReview,
) -> Result<(), EngagementError> {
    if crate::db::catalog::find(state.db.pool(), product)
        .await?
        .is_none()
    {
        return Err(EngagementError::NotFound);
    }
    if let Some(why) = refusal(state, user, product).await? {
        return Err(EngagementError::NotAllowed(why));
    }
    let prior = prior(state).await?;
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    db::upsert(&mut tx, product, user, review.rating, &review.comment, now).await?;
    db::refresh_aggregate(&mut tx, product, |n, sum| score(n, sum, prior)).await?;
    tx.commit().await?;
    crate::catalog::changed(state, false).await;
    Ok(())
}

/// Deletes the customer's own review; false when there was none.
pub async fn delete(
    state: &AppState,
    user: UserId,
    product: ProductId,
) -> Result<bool, EngagementError> {
    let prior = prior(state).await?;
    let mut tx = state.db.begin_write().await?;
    let deleted = db::delete(&mut tx, product, user).await?;
    db::refresh_aggregate(&mut tx, product, |n, sum| score(n, sum, prior)).await?;
    tx.commit().await?;
    crate::catalog::changed(state, false).await;
    Ok(deleted)
}

/// Staff hide (or show again) a review; audited.
pub async fn set_hidden(
    state: &AppState,
    staff: UserId,
    review: i64,
    hidden: bool,
) -> Result<(), EngagementError> {
    let prior = prior(state).await?;
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    let Some(product) = db::set_hidden(&mut tx, review, hidden).await? else {
        return Err(EngagementError::NotFound);
    };
    db::refresh_aggregate(&mut tx, product, |n, sum| score(n, sum, prior)).await?;
    let details = format!(
        "{} the review of product #{product}",
        if hidden { "hid" } else { "showed again" }
    );
    let entry = Entry {
        actor: Some(staff),
        action: if hidden { "hide" } else { "show" },
        entity: "review",
        entity_id: Some(review),
        details: &details,
    };
    audit::record(&mut tx, &entry, now).await?;
    tx.commit().await?;
    crate::catalog::changed(state, false).await;
    Ok(())
}

/// What a product page shows of its reviews.
#[derive(Debug, Clone)]
pub struct ProductReviews {
    pub count: i64,
    /// The average to one decimal (None while unrated).
    pub average: Option<f64>,
    /// How many gave 1 … 5 stars.
    pub distribution: [i64; 5],
    /// One page, newest first.
    pub reviews: Vec<ReviewRow>,
    pub page: Pagination,
    pub pages: i64,
}

/// The average of `count` ratings that sum to `sum`, to one decimal.
pub fn average(count: i64, sum: i64) -> Option<f64> {
    (count > 0).then(|| (sum as f64 / count as f64 * 10.0).round() / 10.0)
}

/// A product's reviews; `rated` is false when the product row says it has no visible rating
/// (then nothing more is read).
pub async fn for_product(
    state: &AppState,
    product: ProductId,
    rated: bool,
    page: Pagination,
) -> Result<ProductReviews, EngagementError> {
    if !rated {
        return Ok(ProductReviews {
            count: 0,
            average: None,
            distribution: [0; 5],
            reviews: Vec::new(),
            page: page.within(0),
            pages: 1,
        });
    }
    let pool = state.db.pool();
    let distribution = db::distribution(pool, product).await?;
    let count: i64 = distribution.iter().sum();
    let sum: i64 = distribution
        .iter()
        .zip(1..)
        .map(|(n, stars)| n * stars)
        .sum();
    let page = page.within(count);
    Ok(ProductReviews {
        count,
        average: average(count, sum),
        distribution,
        reviews: db::for_product(pool, product, page.per_page(), page.offset()).await?,
        pages: page.pages(count),
        page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_perfect_review_does_not_beat_fifty_very_good_ones() {
        let one_five = score(1, 5, 4000);
        let fifty_4_8 = score(50, 240, 4000);
        assert!(fifty_4_8 > one_five, "{fifty_4_8} vs {one_five}");
        assert_eq!(score(0, 0, 4000), 0);
        assert!(
            score(1, 1, 4000) > 0,
            "any rated product sorts above the unrated"
        );
    }

    #[test]
    fn ratings_must_be_whole_stars() {
        assert_eq!(validate(" 4 ", "Nice\nreally").unwrap().rating, 4);
        for bad in ["0", "6", "4.5", "", "four", "-1"] {
            assert!(validate(bad, "").unwrap_err().has("rating"), "{bad}");
        }
        assert!(validate_number(4.5, "").is_err() && validate_number(5.0, "").is_ok());
        assert!(validate("3", &"x".repeat(2001)).unwrap_err().has("comment"));
        assert_eq!(average(3, 13), Some(4.3));
    }
}

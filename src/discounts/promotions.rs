//! Automatic promotions: staff create them with dates; which run is decided by the clock each
//! time a page or a checkout prices something, so an offer starts and ends on time while the
//! listings stay cached (the prices shown on cards are worked out after the cache).

use std::sync::Arc;

use serde::Deserialize;

use super::{DiscountError, Offer, Promotion, Scope, terms};
use crate::db::promotions::{self as db, NewPromotion, PromotionRow};
use crate::domain::{CategoryId, FieldErrors, ProductId, UserId, required_text};
use crate::state::AppState;

/// A switched-on promotion that has not ended, with its dates.
#[derive(Debug, Clone)]
pub struct Scheduled {
    pub promotion: Promotion,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
}

impl Scheduled {
    pub fn runs_at(&self, now: i64) -> bool {
        self.starts_at <= now && self.ends_at.is_none_or(|e| now < e)
    }
}

pub fn offer_of(row: &PromotionRow) -> Option<Offer> {
    match row.kind.as_str() {
        "percent" => row.percent.map(Offer::Percent),
        "buy_pay" => match (row.buy, row.pay) {
            (Some(buy), Some(pay)) => Some(Offer::BuyPay { buy, pay }),
            _ => None,
        },
        _ => None,
    }
}

async fn load(state: &AppState) -> Result<Arc<Vec<Scheduled>>, sqlx::Error> {
    let pool = state.db.pool();
    let mut out = Vec::new();
    for row in db::current(pool, state.clock.unix()).await? {
        let Some(offer) = offer_of(&row) else {
            continue;
        };
        let (products, categories) = db::scope(pool, row.id).await?;
        out.push(Scheduled {
            promotion: Promotion {
                id: row.id,
                name: row.name,
                offer,
                scope: Scope {
                    products,
                    categories,
                },
            },
            starts_at: row.starts_at,
            ends_at: row.ends_at,
        });
    }
    Ok(Arc::new(out))
}

/// The promotions running now.
pub async fn running(state: &AppState) -> Result<Vec<Promotion>, sqlx::Error> {
    crate::catalog::keep_cache_current(state).await;
    let all = match state.catalog_cache.promotions() {
        Some(all) => all,
        None => {
            let all = load(state).await?;
            state.catalog_cache.put_promotions(all.clone());
            all
        }
    };
    let now = state.clock.unix();
    Ok(all
        .iter()
        .filter(|s| s.runs_at(now))
        .map(|s| s.promotion.clone())
        .collect())
}

/// What a product card or page shows of the best running offer on one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deal {
    pub name: String,
    pub badge: String,
    /// The price of one unit with the offer (percentage offers), shown beside the original
    /// struck through.
    pub unit_cents: Option<i64>,
}

pub fn deal(
    running: &[Promotion],
    product: ProductId,
    category: CategoryId,
    unit_cents: i64,
) -> Option<Deal> {
    // A "buy N pay M" offer takes nothing off one unit, so look at N units for the best.
    let best = running
        .iter()
        .filter(|p| p.scope.covers(product, category))
        .max_by_key(|p| {
            let n = match p.offer {
                Offer::BuyPay { buy, .. } => buy,
                Offer::Percent(_) => 1,
            };
            // Per unit, in hundredths of a cent, so offers compare fairly.
            p.offer.discount(unit_cents, n) * 100 / n
        })?;
    Some(Deal {
        name: best.name.clone(),
        badge: best.offer.badge(),
        unit_cents: best.offer.unit_price(unit_cents),
    })
}

/// The promotion form.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PromotionInput {
    pub name: String,
    /// `percent` or `buy_pay`.
    pub kind: String,
    pub percent: String,
    pub buy: String,
    pub pay: String,
    pub starts_on: String,
    pub ends_on: String,
    /// Category slugs, comma separated (empty with `products` empty: everything).
    pub categories: String,
    /// SKUs, comma separated.
    pub products: String,
}

pub async fn create(
    state: &AppState,
    actor: UserId,
    input: &PromotionInput,
) -> Result<i64, DiscountError> {
    let mut errors = FieldErrors::new();
    let zone = &state.settings.store.time_zone;
    let now = state.clock.unix();
    let name = errors.check("name", required_text(&input.name, 120, "a name"));
    let (mut percent, mut buy, mut pay) = (None, None, None);
    match input.kind.as_str() {
        "percent" => {
            percent = terms::optional_number(&mut errors, "percent", &input.percent, 1, 100);
            if percent.is_none() && !errors.has("percent") {
                errors.add("percent", "Enter the percentage off (1 to 100).");
            }
        }
        "buy_pay" => {
            buy = terms::optional_number(&mut errors, "buy", &input.buy, 2, 100);
            pay = terms::optional_number(&mut errors, "pay", &input.pay, 1, 99);
            match (buy, pay) {
                (Some(b), Some(p)) if p >= b => {
                    errors.add("pay", "Pay for fewer than are bought.");
                }
                (Some(_), Some(_)) => {}
                _ if !errors.has("buy") && !errors.has("pay") => {
                    errors.add("buy", "Enter how many are bought and how many paid for.");
                }
                _ => {}
            }
        }
        _ => errors.add("kind", "Choose a percentage off or “buy N, pay M”."),
    }
    let (starts, ends) = terms::period(&mut errors, &input.starts_on, &input.ends_on, now, zone);
    let mut tx = state.db.begin_write().await?;
    let (products, categories) =
        terms::scope(&mut tx, &mut errors, &input.categories, &input.products).await?;
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return Err(DiscountError::Invalid(errors));
    };
    let new = NewPromotion {
        name: &name,
        kind: &input.kind,
        percent,
        buy,
        pay,
        starts_at: starts.unwrap_or(now),
        ends_at: ends,
    };
    let id = db::insert(&mut tx, &new, now).await?;
    db::set_scope(&mut tx, id, &products, &categories).await?;
    super::audit(&mut tx, actor, "create", "promotion", id, &name, now).await?;
    tx.commit().await?;
    crate::catalog::changed(state, false).await;
    Ok(id)
}

pub async fn set_active(
    state: &AppState,
    actor: UserId,
    id: i64,
    active: bool,
) -> Result<(), DiscountError> {
    super::switch(state, actor, super::Switchable::Promotion, id, active).await?;
    // Listings and product pages show promotions.
    crate::catalog::changed(state, false).await;
    Ok(())
}

/// What a promotion's admin page shows.
pub struct PromotionDetail {
    pub row: PromotionRow,
    pub offer: Option<Offer>,
    pub products: Vec<ProductId>,
    pub categories: Vec<CategoryId>,
}

pub async fn detail(state: &AppState, id: i64) -> Result<PromotionDetail, DiscountError> {
    let pool = state.db.pool();
    let row = db::find(pool, id).await?.ok_or(DiscountError::NotFound)?;
    let (products, categories) = db::scope(pool, id).await?;
    Ok(PromotionDetail {
        offer: offer_of(&row),
        row,
        products,
        categories,
    })
}

pub async fn list(state: &AppState) -> Result<Vec<PromotionRow>, DiscountError> {
    Ok(db::list(state.db.pool()).await?)
}

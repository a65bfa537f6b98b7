//! Recommendations in the store: "Recommended for you" and "Because you viewed …" on a signed-in
//! customer's home page, "Customers who bought this also bought" on product pages, and the
//! popular products guests see. They read the similarity table the background refresh keeps
//! (`refresh`), never compute it per request; `engine` holds the arithmetic.
//!
//! Inputs are only what the store records: paid orders, product views of signed-in customers,
//! wishlists, and the products' categories, brands, stock and popularity.

pub mod engine;
pub mod evaluate;
pub mod refresh;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use engine::{Candidate, History, Neighbours};

use crate::db::catalog::{self as catalog_db, ProductCard};
use crate::db::recommendations::{self as db, ProductMeta};
use crate::domain::{ProductId, UserId};
use crate::state::AppState;

/// How many views of a customer's history count.
const HISTORY_VIEWS: i64 = 50;

pub fn candidate(m: &ProductMeta) -> Candidate {
    Candidate {
        id: m.id,
        category: m.category_id,
        brand: m.brand_key.clone(),
        price_cents: m.price_cents,
        on_sale: m.active != 0 && m.stock > 0,
        popularity: m.popularity as f64,
    }
}

/// What the customer bought, wishes for and viewed (ages in days on the store's clock).
pub async fn history(state: &AppState, user: UserId) -> Result<History, sqlx::Error> {
    let pool = state.db.pool();
    let now = state.clock.unix();
    let mut viewed: Vec<(ProductId, f64)> = db::viewed_by(pool, user, HISTORY_VIEWS)
        .await?
        .into_iter()
        .map(|(p, at)| (p, (now - at) as f64 / 86_400.0))
        .collect();
    // Views not written yet count as just now.
    for p in super::views::recent(state, user).await? {
        if !viewed.iter().any(|(v, _)| *v == p) {
            viewed.insert(0, (p, 0.0));
        }
    }
    Ok(History {
        bought: crate::db::purchases::of(pool, user).await?,
        wished: db::wished_by(pool, user).await?,
        viewed,
    })
}

fn to_neighbours(rows: Vec<db::SimilarityRow>) -> Neighbours {
    let mut out: Neighbours = HashMap::new();
    for r in rows {
        out.entry(r.product_id)
            .or_default()
            .push((r.similar_id, r.score as f64 / 1e6));
    }
    out
}

/// The products popular right now (on sale, in stock).
pub async fn popular(state: &AppState, n: i64) -> Result<Vec<ProductCard>, sqlx::Error> {
    let pool = state.db.pool();
    let ids: Vec<ProductId> = db::popular_in(pool, None, None, n)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    catalog_db::cards(pool, &ids).await
}

/// Up to `limit` products for this customer; popular ones when they have no history (or to
/// fill the row).
pub async fn for_customer(
    state: &AppState,
    user: UserId,
    limit: usize,
) -> Result<Vec<ProductCard>, sqlx::Error> {
    let history = history(state, user).await?;
    let n = i64::try_from(limit).unwrap_or(12);
    if history.is_empty() {
        return popular(state, n).await;
    }
    let pool = state.db.pool();
    let seeds: Vec<ProductId> = history
        .seeds()
        .into_iter()
        .take(engine::SEEDS)
        .map(|(p, _)| p)
        .collect();
    let per_affinity = i64::try_from(engine::PER_AFFINITY).unwrap_or(20);
    let neighbours = to_neighbours(db::neighbours(pool, "combined", &seeds).await?);
    // Candidates: the seeds' neighbours, and what is popular where the customer leans.
    let mut ids: Vec<ProductId> = seeds.clone();
    ids.extend(neighbours.values().flatten().map(|(p, _)| *p));
    ids.sort();
    ids.dedup();
    let mut metas: HashMap<ProductId, Candidate> = db::products(pool, &ids)
        .await?
        .iter()
        .map(|m| (m.id, candidate(m)))
        .collect();
    let taste = engine::affinity(&history.seeds(), &metas);
    for (category, _) in taste.categories.iter().take(engine::AFFINITY_CATEGORIES) {
        for m in db::popular_in(pool, Some(*category), None, per_affinity).await? {
            metas.entry(m.id).or_insert_with(|| candidate(&m));
        }
    }
    for (brand, _) in taste.brands.iter().take(engine::AFFINITY_BRANDS) {
        for m in db::popular_in(pool, None, Some(brand), per_affinity).await? {
            metas.entry(m.id).or_insert_with(|| candidate(&m));
        }
    }
    let mut chosen: Vec<ProductId> = engine::rank(&history, &neighbours, &metas, limit)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    if chosen.len() < limit {
        for m in db::popular_in(pool, None, None, n * 2).await? {
            if chosen.len() >= limit {
                break;
            }
            if !chosen.contains(&m.id) && !history.bought.contains(&m.id) {
                chosen.push(m.id);
            }
        }
    }
    catalog_db::cards(pool, &chosen).await
}

/// Neighbours of one product of a kind, on sale, without what the customer bought. The
/// neighbour lists change only with a refresh, so they are kept in memory until then.
async fn similar_to(
    state: &AppState,
    kind: &'static str,
    product: ProductId,
    exclude: &[ProductId],
    limit: usize,
) -> Result<Vec<ProductCard>, sqlx::Error> {
    let pool = state.db.pool();
    let all = match state.picks.neighbours(kind, product) {
        Some(ids) => ids,
        None => {
            let ids: Vec<ProductId> = db::neighbours(pool, kind, &[product])
                .await?
                .into_iter()
                .map(|r| r.similar_id)
                .filter(|p| *p != product)
                .collect();
            state.picks.put_neighbours(kind, product, ids.clone());
            ids
        }
    };
    let ids: Vec<ProductId> = all.into_iter().filter(|p| !exclude.contains(p)).collect();
    // One card query for every candidate; those no longer on sale drop out here.
    let cards: HashMap<ProductId, ProductCard> = catalog_db::cards(pool, &ids)
        .await?
        .into_iter()
        .filter(|c| c.active && c.stock > 0)
        .map(|c| (c.id, c))
        .collect();
    Ok(ids
        .iter()
        .filter_map(|id| cards.get(id).cloned())
        .take(limit)
        .collect())
}

/// "Customers who bought this also bought", without what the viewer bought (`bought`).
pub async fn also_bought(
    state: &AppState,
    product: ProductId,
    bought: &[ProductId],
    limit: usize,
) -> Result<Vec<ProductCard>, sqlx::Error> {
    similar_to(state, "bought", product, bought, limit).await
}

/// What a customer bought (paid, shipped or delivered orders).
pub async fn bought_by(state: &AppState, user: UserId) -> Result<Vec<ProductId>, sqlx::Error> {
    crate::db::purchases::of(state.db.pool(), user).await
}

/// How long a customer's picks are reused (their own orders, wishlist changes and a newly viewed
/// product recompute them at once; the background refresh drops them all).
const PICKS_TTL: Duration = Duration::from_secs(300);
const PICKS_MAX: usize = 10_000;
/// Neighbour lists change with a refresh (which clears them here); another instance's refresh
/// reaches this one within this time.
const NEIGHBOURS_TTL: Duration = Duration::from_secs(600);

/// A customer's recommendations as computed, kept briefly so the home page costs about as much
/// as a product page.
#[derive(Clone)]
struct Picks {
    at: Instant,
    latest_view: Option<ProductId>,
    recommended: Vec<ProductId>,
    because: Option<(ProductId, Vec<ProductId>)>,
}

type NeighbourKey = (&'static str, ProductId);

#[derive(Default)]
pub struct PicksCache {
    entries: Mutex<HashMap<UserId, Picks>>,
    /// Each product's neighbours of a kind, as the last refresh stored them.
    neighbours: Mutex<HashMap<NeighbourKey, (Instant, Vec<ProductId>)>>,
}

impl PicksCache {
    fn get(&self, user: UserId, latest_view: Option<ProductId>) -> Option<Picks> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&user)
            .filter(|p| p.at.elapsed() < PICKS_TTL && p.latest_view == latest_view)
            .cloned()
    }

    fn put(&self, user: UserId, picks: Picks) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= PICKS_MAX {
                entries.clear();
            }
            entries.insert(user, picks);
        }
    }

    /// The customer did something that changes their picks (an order, a wishlist change).
    pub fn forget(&self, user: UserId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&user);
        }
    }

    fn neighbours(&self, kind: &'static str, product: ProductId) -> Option<Vec<ProductId>> {
        let cached = self.neighbours.lock().ok()?;
        cached
            .get(&(kind, product))
            .filter(|(at, _)| at.elapsed() < NEIGHBOURS_TTL)
            .map(|(_, ids)| ids.clone())
    }

    fn put_neighbours(&self, kind: &'static str, product: ProductId, ids: Vec<ProductId>) {
        if let Ok(mut cached) = self.neighbours.lock() {
            if cached.len() >= PICKS_MAX {
                cached.clear();
            }
            cached.insert((kind, product), (Instant::now(), ids));
        }
    }

    /// Similarities or popularity changed.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
        if let Ok(mut cached) = self.neighbours.lock() {
            cached.clear();
        }
    }
}

/// What a signed-in customer's home page shows.
pub struct HomePicks {
    pub recommended: Vec<ProductCard>,
    /// The latest viewed product and what is like it.
    pub because: Option<(ProductCard, Vec<ProductCard>)>,
    pub recently_viewed: Vec<ProductCard>,
}

/// The three rows of a signed-in customer's home page, read in one card query; products no
/// longer on sale (or out of stock) are left out of the recommendations even when cached.
pub async fn home(state: &AppState, user: UserId) -> Result<HomePicks, sqlx::Error> {
    let recent = super::views::recent(state, user).await?;
    let latest = recent.first().copied();
    let picks = match state.picks.get(user, latest) {
        Some(p) => p,
        None => {
            let recommended: Vec<ProductId> = for_customer(state, user, 12)
                .await?
                .into_iter()
                .map(|c| c.id)
                .collect();
            let because = match latest {
                Some(seen) => {
                    let bought = crate::db::purchases::of(state.db.pool(), user).await?;
                    let like: Vec<ProductId> = similar_to(state, "combined", seen, &bought, 8)
                        .await?
                        .into_iter()
                        .map(|c| c.id)
                        .collect();
                    (!like.is_empty()).then_some((seen, like))
                }
                None => None,
            };
            let picks = Picks {
                at: Instant::now(),
                latest_view: latest,
                recommended,
                because,
            };
            state.picks.put(user, picks.clone());
            picks
        }
    };
    let mut ids: Vec<ProductId> = picks.recommended.clone();
    if let Some((seen, like)) = &picks.because {
        ids.push(*seen);
        ids.extend(like);
    }
    ids.extend(&recent);
    ids.sort();
    ids.dedup();
    let cards: HashMap<ProductId, ProductCard> = catalog_db::cards(state.db.pool(), &ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let on_sale = |id: &ProductId| cards.get(id).filter(|c| c.active && c.stock > 0).cloned();
    Ok(HomePicks {
        recommended: picks.recommended.iter().filter_map(on_sale).collect(),
        because: picks.because.as_ref().and_then(|(seen, like)| {
            let like: Vec<ProductCard> = like.iter().filter_map(on_sale).collect();
            let seen = cards.get(seen).cloned()?;
            (!like.is_empty()).then_some((seen, like))
        }),
        recently_viewed: recent
            .iter()
            .filter_map(|id| cards.get(id).cloned())
            .collect(),
    })
}

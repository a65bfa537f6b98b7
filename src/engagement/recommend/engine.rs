//! The recommender's arithmetic, on plain data: item-to-item similarities from what customers
//! bought, viewed and wished for together, and the ranking of candidates for one customer. The
//! store (from the database) and the offline evaluation (from memory) both call these, so what is
//! measured is what runs.

use std::collections::HashMap;

use crate::domain::{CategoryId, ProductId};

/// Baskets longer than this count only their first items (a huge basket says little about any
/// one pair, and pairs grow with the square of its length).
pub const MAX_BASKET: usize = 50;
/// Neighbours kept per product.
pub const TOP_NEIGHBOURS: usize = 30;

/// How much each signal counts in the `combined` similarity.
pub const W_BOUGHT: f64 = 0.6;
pub const W_VIEWED: f64 = 0.3;
pub const W_WISHED: f64 = 0.1;

/// Item sets: each basket is one paid order, one customer's recent views, or one wishlist.
#[derive(Debug, Default, Clone)]
pub struct Interactions {
    pub orders: Vec<Vec<ProductId>>,
    pub views: Vec<Vec<ProductId>>,
    pub wishes: Vec<Vec<ProductId>>,
}

/// Neighbours of each product, best first, with scores in (0, 1].
pub type Neighbours = HashMap<ProductId, Vec<(ProductId, f64)>>;

/// Cosine similarity of every pair that shares a basket: `co(a, b) / sqrt(n(a) · n(b))`, where
/// `n` counts the baskets an item is in. A pair of bestsellers that meet by chance scores low;
/// two niche items always bought together score high.
fn cosine(baskets: &[Vec<ProductId>]) -> HashMap<(ProductId, ProductId), f64> {
    let mut n: HashMap<ProductId, f64> = HashMap::new();
    let mut co: HashMap<(ProductId, ProductId), f64> = HashMap::new();
    for basket in baskets {
        let mut items: Vec<ProductId> = basket.iter().take(MAX_BASKET).copied().collect();
        items.sort();
        items.dedup();
        for a in &items {
            *n.entry(*a).or_default() += 1.0;
        }
        for (i, a) in items.iter().enumerate() {
            for b in &items[i + 1..] {
                *co.entry((*a, *b)).or_default() += 1.0;
            }
        }
    }
    co.into_iter()
        .map(|((a, b), c)| {
            let norm =
                (n.get(&a).copied().unwrap_or(1.0) * n.get(&b).copied().unwrap_or(1.0)).sqrt();
            ((a, b), c / norm)
        })
        .collect()
}

/// Keeps the best `TOP_NEIGHBOURS` of each product, both directions of every pair.
fn top(pairs: HashMap<(ProductId, ProductId), f64>) -> Neighbours {
    let mut out: Neighbours = HashMap::new();
    for ((a, b), s) in pairs {
        out.entry(a).or_default().push((b, s));
        out.entry(b).or_default().push((a, s));
    }
    for list in out.values_mut() {
        list.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        list.truncate(TOP_NEIGHBOURS);
    }
    out
}

/// `bought`: co-purchases alone (for "customers who bought this also bought").
/// `combined`: co-purchases, co-views and co-wishes, weighted (for recommendations).
pub fn similarities(i: &Interactions) -> (Neighbours, Neighbours) {
    let bought = cosine(&i.orders);
    let mut combined: HashMap<(ProductId, ProductId), f64> = HashMap::new();
    for (pairs, weight) in [
        (&bought, W_BOUGHT),
        (&cosine(&i.views), W_VIEWED),
        (&cosine(&i.wishes), W_WISHED),
    ] {
        for (pair, s) in pairs {
            *combined.entry(*pair).or_default() += s * weight;
        }
    }
    (top(bought), top(combined))
}

/// What one customer did, as the ranking weighs it.
#[derive(Debug, Default, Clone)]
pub struct History {
    pub bought: Vec<ProductId>,
    pub wished: Vec<ProductId>,
    /// Recent views with their age in days, newest first.
    pub viewed: Vec<(ProductId, f64)>,
}

/// A product as the ranking sees it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: ProductId,
    pub category: CategoryId,
    pub brand: String,
    pub price_cents: i64,
    pub on_sale: bool,
    pub popularity: f64,
}

/// Candidates come from the neighbours of a customer's strongest touches, and from what is
/// popular in the categories and brands they lean to (the store and the evaluation alike).
pub const SEEDS: usize = 20;
pub const AFFINITY_CATEGORIES: usize = 3;
pub const AFFINITY_BRANDS: usize = 2;
pub const PER_AFFINITY: usize = 20;

/// Weights of a customer's own signals.
const BOUGHT_WEIGHT: f64 = 3.0;
const WISHED_WEIGHT: f64 = 2.0;
const VIEWED_WEIGHT: f64 = 1.0;
/// A view's weight halves every this many days.
const VIEW_HALF_LIFE_DAYS: f64 = 14.0;
/// How much a category or brand the customer favours adds (similarities are at most 1).
const AFFINITY_WEIGHT: f64 = 0.5;
/// A whisper of popularity, so equal scores favour what others like.
const POPULARITY_WEIGHT: f64 = 0.01;

impl History {
    pub fn is_empty(&self) -> bool {
        self.bought.is_empty() && self.wished.is_empty() && self.viewed.is_empty()
    }

    /// Each product the customer touched, with the weight of that touch.
    pub fn seeds(&self) -> Vec<(ProductId, f64)> {
        let mut seeds: HashMap<ProductId, f64> = HashMap::new();
        for p in &self.bought {
            *seeds.entry(*p).or_default() += BOUGHT_WEIGHT;
        }
        for p in &self.wished {
            *seeds.entry(*p).or_default() += WISHED_WEIGHT;
        }
        for (p, age) in &self.viewed {
            *seeds.entry(*p).or_default() +=
                VIEWED_WEIGHT * 0.5_f64.powf(age.max(0.0) / VIEW_HALF_LIFE_DAYS);
        }
        let mut out: Vec<_> = seeds.into_iter().collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

/// The customer's leaning to categories and brands, as shares of their weighted touches.
#[derive(Debug, Default, Clone)]
pub struct Affinity {
    pub categories: Vec<(CategoryId, f64)>,
    pub brands: Vec<(String, f64)>,
}

pub fn affinity(seeds: &[(ProductId, f64)], meta: &HashMap<ProductId, Candidate>) -> Affinity {
    let mut cats: HashMap<CategoryId, f64> = HashMap::new();
    let mut brands: HashMap<String, f64> = HashMap::new();
    let mut total = 0.0;
    for (p, w) in seeds {
        if let Some(m) = meta.get(p) {
            *cats.entry(m.category).or_default() += w;
            *brands.entry(m.brand.clone()).or_default() += w;
            total += w;
        }
    }
    let share = |v: f64| if total > 0.0 { v / total } else { 0.0 };
    let mut categories: Vec<_> = cats.into_iter().map(|(c, v)| (c, share(v))).collect();
    categories.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut brands: Vec<_> = brands.into_iter().map(|(c, v)| (c, share(v))).collect();
    brands.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Affinity { categories, brands }
}

/// Ranks candidates for a customer: the similarity of each to what they touched (weighted),
/// plus their leaning to its category and brand, plus a little popularity. Products they
/// bought, and those not on sale or in stock, never appear.
pub fn rank(
    history: &History,
    neighbours: &Neighbours,
    candidates: &HashMap<ProductId, Candidate>,
    limit: usize,
) -> Vec<(ProductId, f64)> {
    let seeds = history.seeds();
    let taste = affinity(&seeds, candidates);
    let max_popularity = candidates
        .values()
        .map(|c| c.popularity)
        .fold(1.0_f64, f64::max);
    let mut scores: HashMap<ProductId, f64> = HashMap::new();
    for (seed, w) in &seeds {
        for (other, s) in neighbours.get(seed).map(Vec::as_slice).unwrap_or(&[]) {
            *scores.entry(*other).or_default() += w * s;
        }
    }
    let mut out: Vec<(ProductId, f64)> = candidates
        .values()
        .filter(|c| c.on_sale && !history.bought.contains(&c.id))
        .map(|c| {
            let cat = taste
                .categories
                .iter()
                .find(|(k, _)| *k == c.category)
                .map_or(0.0, |(_, v)| *v);
            let brand = taste
                .brands
                .iter()
                .find(|(k, _)| *k == c.brand)
                .map_or(0.0, |(_, v)| *v);
            let score = scores.get(&c.id).copied().unwrap_or(0.0)
                + AFFINITY_WEIGHT * (cat + brand)
                + POPULARITY_WEIGHT * c.popularity / max_popularity;
            (c.id, score)
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(n: i64) -> ProductId {
        ProductId::new(n)
    }

    fn candidate(id: i64, category: i64, popularity: f64) -> (ProductId, Candidate) {
        (
            p(id),
            Candidate {
                id: p(id),
                category: CategoryId::new(category),
                brand: format!("b{category}"),
                price_cents: 1000,
                on_sale: true,
                popularity,
            },
        )
    }

    #[test]
    fn unusual_pairs_score_above_chance_meetings_of_bestsellers() {
        // 1 and 2 are bestsellers in many baskets; 3 and 4 are rare and always together.
        let mut orders = vec![vec![p(3), p(4)], vec![p(3), p(4)], vec![p(1), p(2)]];
        for _ in 0..20 {
            orders.push(vec![p(1)]);
            orders.push(vec![p(2)]);
        }
        let (bought, _) = similarities(&Interactions {
            orders,
            ..Default::default()
        });
        let s = |a, b| {
            bought[&p(a)]
                .iter()
                .find(|(x, _)| *x == p(b))
                .map(|(_, s)| *s)
                .unwrap()
        };
        assert!(s(3, 4) > 0.99 && s(1, 2) < 0.1 && (s(4, 3) - s(3, 4)).abs() < 1e-9);
    }

    #[test]
    fn ranking_follows_the_customer_and_never_offers_what_they_bought() {
        let (bought, combined) = similarities(&Interactions {
            orders: vec![vec![p(1), p(2)], vec![p(1), p(2)], vec![p(5), p(6)]],
            ..Default::default()
        });
        assert!(!bought.is_empty());
        let mut candidates: HashMap<ProductId, Candidate> = [
            candidate(1, 1, 10.0),
            candidate(2, 1, 0.0),
            candidate(5, 2, 1000.0),
            candidate(6, 2, 900.0),
            candidate(7, 1, 0.0),
        ]
        .into_iter()
        .collect();
        if let Some(c) = candidates.get_mut(&p(7)) {
            c.on_sale = false;
        }
        let history = History {
            bought: vec![p(1)],
            ..Default::default()
        };
        let ranked = rank(&history, &combined, &candidates, 10);
        let ids: Vec<ProductId> = ranked.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids.first(), Some(&p(2)), "{ranked:?}");
        assert!(!ids.contains(&p(1)) && !ids.contains(&p(7)));
    }
}

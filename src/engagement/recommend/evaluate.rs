//! Offline measurement (`emporium evaluate-recommendations`): for every customer with at least
//! two orders, their last order is hidden (with what they viewed and wished for since shortly
//! before it), similarities and popularity are computed from the rest, and the recommender's top
//! 10 are compared with what they really bought next. The popularity baseline recommends the
//! ten most popular products they had not bought. Hit-rate@10: the share of customers with a
//! hidden product in the ten; NDCG@10 also rewards ranking it high.

use std::collections::{HashMap, HashSet};

use super::candidate;
use super::engine::{self, Candidate, History};
use super::refresh::{interactions, popularity_points};
use crate::db::recommendations as db;
use crate::domain::{CategoryId, ProductId, UserId};
use crate::state::AppState;

/// One method's figures.
#[derive(Debug, Clone)]
pub struct Figures {
    pub method: &'static str,
    pub customers: usize,
    pub hit_rate: f64,
    pub ndcg: f64,
}

const K: usize = 10;

/// Discounted gain of the hidden products among the first `K` recommendations, over the best
/// possible.
fn ndcg(ranked: &[ProductId], hidden: &HashSet<ProductId>) -> f64 {
    let dcg: f64 = ranked
        .iter()
        .take(K)
        .enumerate()
        .filter(|(_, p)| hidden.contains(p))
        .map(|(i, _)| 1.0 / ((i + 2) as f64).log2())
        .sum();
    let ideal: f64 = (0..hidden.len().min(K))
        .map(|i| 1.0 / ((i + 2) as f64).log2())
        .sum();
    if ideal > 0.0 { dcg / ideal } else { 0.0 }
}

/// Runs the evaluation on the store's data; the recommender's figures, then the baseline's.
pub async fn run(state: &AppState) -> anyhow::Result<Vec<Figures>> {
    let pool = state.db.pool();
    let lines = db::bought_lines(pool).await?;
    let views = db::all_views(pool).await?;
    let wishes = db::all_wishes(pool).await?;
    let products = db::all_products(pool).await?;
    let now = state.clock.unix();
    tokio::task::spawn_blocking(move || evaluate(&lines, &views, &wishes, &products, now))
        .await
        .map_err(anyhow::Error::from)
}

fn evaluate(
    lines: &[db::BoughtLine],
    views: &[db::ViewRow],
    wishes: &[db::WishRow],
    products: &[db::ProductMeta],
    now: i64,
) -> Vec<Figures> {
    // Each customer's last order is the one to predict; activity since an hour before it is hidden.
    let mut last_order: HashMap<UserId, (i64, i64)> = HashMap::new();
    let mut orders_of: HashMap<UserId, HashSet<i64>> = HashMap::new();
    // Guests' orders train the similarities but no one's history is tested on them.
    for l in lines {
        let Some(user) = l.user_id else { continue };
        orders_of.entry(user).or_default().insert(l.order_id);
        let e = last_order.entry(user).or_insert((l.order_id, l.created_at));
        if l.order_id > e.0 {
            *e = (l.order_id, l.created_at);
        }
    }
    let tested: HashMap<UserId, (i64, i64)> = last_order
        .into_iter()
        .filter(|(u, _)| orders_of.get(u).is_some_and(|o| o.len() >= 2))
        .map(|(u, (order, at))| (u, (order, at - 3_600)))
        .collect();
    let mut hidden: HashMap<UserId, HashSet<ProductId>> = HashMap::new();
    let train_lines: Vec<db::BoughtLine> = lines
        .iter()
        .filter(
            |l| match l.user_id.and_then(|u| tested.get(&u).map(|t| (u, t))) {
                Some((user, (order, _))) if *order == l.order_id => {
                    hidden.entry(user).or_default().insert(l.product_id);
                    false
                }
                _ => true,
            },
        )
        .copied()
        .collect();
    let before = |user: UserId, at: i64| tested.get(&user).is_none_or(|(_, cutoff)| at < *cutoff);
    let train_views: Vec<db::ViewRow> = views
        .iter()
        .filter(|v| before(v.user_id, v.viewed_at))
        .copied()
        .collect();
    let train_wishes: Vec<db::WishRow> = wishes
        .iter()
        .filter(|w| before(w.user_id, w.added_at))
        .copied()
        .collect();

    let (_, neighbours) =
        engine::similarities(&interactions(&train_lines, &train_views, &train_wishes));
    let points: HashMap<ProductId, i64> = popularity_points(&train_lines, &train_views, now)
        .into_iter()
        .collect();
    let catalogue: HashMap<ProductId, Candidate> = products
        .iter()
        .map(|m| {
            let mut c = candidate(m);
            // Popularity as the training data makes it (the stored one saw the hidden orders).
            c.popularity = points.get(&m.id).copied().unwrap_or(0) as f64;
            (m.id, c)
        })
        .collect();
    let mut by_popularity: Vec<&Candidate> = catalogue.values().filter(|c| c.on_sale).collect();
    by_popularity.sort_by(|a, b| b.popularity.total_cmp(&a.popularity).then(a.id.cmp(&b.id)));
    let popular_in = |category: Option<CategoryId>, brand: Option<&str>| -> Vec<&Candidate> {
        by_popularity
            .iter()
            .filter(|c| {
                category.is_none_or(|k| c.category == k) && brand.is_none_or(|b| c.brand == b)
            })
            .take(engine::PER_AFFINITY)
            .copied()
            .collect()
    };

    let mut bought: HashMap<UserId, Vec<ProductId>> = HashMap::new();
    for l in &train_lines {
        let Some(user) = l.user_id else { continue };
        let b = bought.entry(user).or_default();
        if !b.contains(&l.product_id) {
            b.push(l.product_id);
        }
    }
    let mut wished_by: HashMap<UserId, Vec<ProductId>> = HashMap::new();
    for w in &train_wishes {
        wished_by.entry(w.user_id).or_default().push(w.product_id);
    }
    let mut viewed_by: HashMap<UserId, Vec<(ProductId, i64)>> = HashMap::new();
    for v in &train_views {
        viewed_by
            .entry(v.user_id)
            .or_default()
            .push((v.product_id, v.viewed_at));
    }
    let mut ours = (0.0, 0.0);
    let mut baseline = (0.0, 0.0);
    let mut users: Vec<&UserId> = tested.keys().collect();
    users.sort();
    for user in &users {
        let (_, cutoff) = tested[*user];
        let Some(want) = hidden.get(*user) else {
            continue;
        };
        let history = History {
            bought: bought.get(*user).cloned().unwrap_or_default(),
            wished: wished_by.get(*user).cloned().unwrap_or_default(),
            viewed: viewed_by
                .get(*user)
                .map(|v| {
                    v.iter()
                        .map(|(p, at)| (*p, (cutoff - at) as f64 / 86_400.0))
                        .collect()
                })
                .unwrap_or_default(),
        };
        // The same candidates the store gathers: seeds' neighbours and popular where they lean.
        let seeds: Vec<ProductId> = history
            .seeds()
            .into_iter()
            .take(engine::SEEDS)
            .map(|(p, _)| p)
            .collect();
        let mut pool: HashMap<ProductId, Candidate> = HashMap::new();
        for p in seeds.iter().chain(
            seeds
                .iter()
                .filter_map(|s| neighbours.get(s))
                .flatten()
                .map(|(p, _)| p),
        ) {
            if let Some(c) = catalogue.get(p) {
                pool.insert(*p, c.clone());
            }
        }
        let taste = engine::affinity(&history.seeds(), &pool);
        for (c, _) in taste.categories.iter().take(engine::AFFINITY_CATEGORIES) {
            for m in popular_in(Some(*c), None) {
                pool.entry(m.id).or_insert_with(|| m.clone());
            }
        }
        for (b, _) in taste.brands.iter().take(engine::AFFINITY_BRANDS) {
            for m in popular_in(None, Some(b)) {
                pool.entry(m.id).or_insert_with(|| m.clone());
            }
        }
        let ranked: Vec<ProductId> = engine::rank(&history, &neighbours, &pool, K)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        let popular: Vec<ProductId> = by_popularity
            .iter()
            .filter(|c| !history.bought.contains(&c.id))
            .take(K)
            .map(|c| c.id)
            .collect();
        for (list, acc) in [(&ranked, &mut ours), (&popular, &mut baseline)] {
            if list.iter().take(K).any(|p| want.contains(p)) {
                acc.0 += 1.0;
            }
            acc.1 += ndcg(list, want);
        }
    }
    let n = users.len().max(1) as f64;
    vec![
        Figures {
            method: "recommender (co-purchase, co-view, wishlist similarity + category/brand affinity)",
            customers: users.len(),
            hit_rate: ours.0 / n,
            ndcg: ours.1 / n,
        },
        Figures {
            method: "popularity baseline (most popular not yet bought)",
            customers: users.len(),
            hit_rate: baseline.0 / n,
            ndcg: baseline.1 / n,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndcg_rewards_ranking_the_hidden_product_high() {
        let p = ProductId::new;
        let hidden: HashSet<ProductId> = [p(3)].into_iter().collect();
        assert!((ndcg(&[p(3), p(1)], &hidden) - 1.0).abs() < 1e-9);
        assert!(ndcg(&[p(1), p(3)], &hidden) < 1.0);
        assert_eq!(ndcg(&[p(1)], &hidden), 0.0);
    }
}

//! The background refresh: item similarities from all paid orders, recent views and wishlists;
//! popularity from recent orders and views, decayed over time; the catalogue's mean rating (the
//! prior of `sort=rating`). It runs every `recommendations.refresh_minutes`, and soon after
//! orders, never on a shopper's request.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::engine::{self, Interactions, Neighbours};
use crate::db::recommendations::{self as db, SimilarityRow};
use crate::db::reviews;
use crate::domain::ProductId;
use crate::engagement::reviews::{DEFAULT_PRIOR_MILLI, PRIOR_FIGURE, PRIOR_WEIGHT};
use crate::state::AppState;

/// Views per customer that form their co-view basket (the newest).
const VIEW_BASKET: usize = 50;
/// Activity older than this does not count toward popularity.
const POPULARITY_DAYS: i64 = 60;
/// Activity's weight halves every this many days.
const POPULARITY_HALF_LIFE_DAYS: f64 = 7.0;
/// Points per unit sold and per view (a product's base popularity is 0–999 in the demo
/// catalogue, so one recent sale outweighs any base score).
const POINTS_PER_UNIT: f64 = 1000.0;
const POINTS_PER_VIEW: f64 = 100.0;

/// Tells the refresher that orders came in (it refreshes soon, at most once a minute).
#[derive(Default)]
pub struct RefreshSignal {
    dirty: AtomicBool,
    wake: Notify,
}

impl RefreshSignal {
    pub fn orders_changed(&self) {
        self.dirty.store(true, Ordering::Release);
        self.wake.notify_one();
    }
}

/// What a refresh did and how long it took.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub products_with_neighbours: usize,
    pub pairs: usize,
    pub popular_products: usize,
    pub seconds: f64,
}

/// Builds the baskets the similarities are computed from.
pub fn interactions(
    lines: &[db::BoughtLine],
    views: &[db::ViewRow],
    wishes: &[db::WishRow],
) -> Interactions {
    let mut orders: Vec<Vec<ProductId>> = Vec::new();
    let mut last_order = None;
    for l in lines {
        if last_order != Some(l.order_id) {
            orders.push(Vec::new());
            last_order = Some(l.order_id);
        }
        if let Some(b) = orders.last_mut() {
            b.push(l.product_id);
        }
    }
    let group = |pairs: &mut dyn Iterator<Item = (i64, ProductId)>, cap: usize| {
        let mut by_user: Vec<Vec<ProductId>> = Vec::new();
        let mut last = None;
        for (user, product) in pairs {
            if last != Some(user) {
                by_user.push(Vec::new());
                last = Some(user);
            }
            if let Some(b) = by_user.last_mut()
                && b.len() < cap
            {
                b.push(product);
            }
        }
        by_user
    };
    let views = group(
        &mut views.iter().map(|v| (v.user_id.get(), v.product_id)),
        VIEW_BASKET,
    );
    let wishes = group(
        &mut wishes.iter().map(|w| (w.user_id.get(), w.product_id)),
        engine::MAX_BASKET,
    );
    Interactions {
        orders,
        views,
        wishes,
    }
}

fn rows(n: &Neighbours) -> Vec<SimilarityRow> {
    let mut out = Vec::new();
    for (p, list) in n {
        for (q, s) in list {
            out.push(SimilarityRow {
                product_id: *p,
                similar_id: *q,
                score: (s * 1e6).round() as i64,
            });
        }
    }
    out.sort_by_key(|r| (r.product_id, r.similar_id));
    out
}

/// Decayed activity points per product, from recent sales and views.
pub fn popularity_points(
    lines: &[db::BoughtLine],
    views: &[db::ViewRow],
    now: i64,
) -> Vec<(ProductId, i64)> {
    let since = now - POPULARITY_DAYS * 86_400;
    let decay =
        |at: i64| 0.5_f64.powf((now - at).max(0) as f64 / 86_400.0 / POPULARITY_HALF_LIFE_DAYS);
    let mut points: HashMap<ProductId, f64> = HashMap::new();
    for l in lines.iter().filter(|l| l.created_at >= since) {
        *points.entry(l.product_id).or_default() +=
            POINTS_PER_UNIT * l.quantity as f64 * decay(l.created_at);
    }
    for v in views.iter().filter(|v| v.viewed_at >= since) {
        *points.entry(v.product_id).or_default() +=
            POINTS_PER_VIEW * v.views as f64 * decay(v.viewed_at);
    }
    let mut out: Vec<(ProductId, i64)> = points
        .into_iter()
        .map(|(p, v)| (p, v.round() as i64))
        .filter(|(_, v)| *v > 0)
        .collect();
    out.sort();
    out
}

/// One refresh of everything the recommender and the rating sort read.
#[tracing::instrument(name = "recommendations refresh", skip_all)]
pub async fn refresh(state: &AppState) -> anyhow::Result<Report> {
    let started = Instant::now();
    let pool = state.db.pool();
    let lines = db::bought_lines(pool).await?;
    let views = db::all_views(pool).await?;
    let wishes = db::all_wishes(pool).await?;
    let now = state.clock.unix();
    let (bought, combined, points, pairs) = tokio::task::spawn_blocking(move || {
        let i = interactions(&lines, &views, &wishes);
        let (bought, combined) = engine::similarities(&i);
        let points = popularity_points(&lines, &views, now);
        let pairs = combined.values().map(Vec::len).sum::<usize>();
        (rows(&bought), rows(&combined), points, pairs)
    })
    .await?;
    let mut tx = state.db.begin_write().await?;
    // Two refreshes at once (another instance, or the command line beside the store) would
    // both delete and re-insert the same rows: the second waits for the first instead.
    state.db.one_at_a_time(&mut tx, REFRESH_LOCK).await?;
    db::replace_similarities(&mut tx, "bought", &bought).await?;
    db::replace_similarities(&mut tx, "combined", &combined).await?;
    db::set_popularity(&mut tx, &points).await?;
    tx.commit().await?;
    // The mean is read under the lock, in a short transaction of its own (rows of products
    // stay locked until it ends): the refresh that finishes last scores every product with
    // the ratings as they are then, not with a mean an earlier refresh read.
    let mut tx = state.db.begin_write().await?;
    state.db.one_at_a_time(&mut tx, REFRESH_LOCK).await?;
    let (count, sum) = reviews::totals(&mut tx).await?;
    let prior = if count > 0 {
        sum * 1000 / count
    } else {
        DEFAULT_PRIOR_MILLI
    };
    db::set_figure(&mut *tx, PRIOR_FIGURE, prior).await?;
    reviews::rescore_all(&mut tx, prior, PRIOR_WEIGHT).await?;
    tx.commit().await?;
    crate::catalog::changed(state, false).await;
    state.picks.clear();
    let report = Report {
        products_with_neighbours: combined
            .iter()
            .map(|r| r.product_id)
            .collect::<std::collections::HashSet<_>>()
            .len(),
        pairs,
        popular_products: points.len(),
        seconds: started.elapsed().as_secs_f64(),
    };
    tracing::info!(
        products = report.products_with_neighbours,
        pairs = report.pairs,
        seconds = report.seconds,
        "recommendations refreshed"
    );
    Ok(report)
}

/// Refreshes every `recommendations.refresh_minutes`, and a minute after orders came in.
/// The advisory lock key of the similarity tables' rewrite.
const REFRESH_LOCK: i64 = 4_993_017_358_920_282;

pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let every = Duration::from_secs(state.settings.recommendations.refresh_minutes * 60);
        let mut last: Option<Instant> = None;
        loop {
            let due = last.is_none_or(|l| l.elapsed() >= every);
            let dirty = state.recommend.dirty.swap(false, Ordering::AcqRel);
            if due || dirty {
                if let Err(e) = refresh(&state).await {
                    tracing::warn!(error = %e, "recommendations not refreshed");
                }
                last = Some(Instant::now());
            }
            // After a refresh that orders asked for, wait a minute before the next one.
            tokio::select! {
                _ = state.recommend.wake.notified(), if !dirty => {}
                _ = tokio::time::sleep(if dirty { Duration::from_secs(60) } else { every }) => {}
            }
        }
    });
}

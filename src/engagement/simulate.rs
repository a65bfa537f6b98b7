//! Simulated shoppers, for measuring the recommender (`emporium simulate-shoppers`). Each has
//! hidden tastes (two favourite categories, two brands, a price range) that decide what they
//! view, wish for and buy over a number of days. The store only ever sees the ordinary rows this
//! writes: customers, product views, wishlist entries and paid orders.
//!
//! The tastes live only in this module's memory while it runs: they are never stored, and the
//! recommender (`engagement::recommend`) does not import this module, so it cannot read them.

use std::collections::HashMap;

use crate::db::recommendations::{self as meta_db, ProductMeta};
use crate::db::users::{self, NewUser};
use crate::db::views::{self as views_db, ViewBatchRow};
use crate::db::{orders as order_db, wishlist as wish_db};
use crate::domain::{
    CategoryId, Email, Money, OrderStatus, PaymentStatus, ProductId, UserId, Username,
};
use crate::rng::Rng;
use crate::state::AppState;

/// What to simulate.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub customers: usize,
    /// Orders per customer on average (each customer places between half and 1.5 times this).
    pub orders_per_customer: usize,
    /// Over how many days before now the activity is spread.
    pub days: i64,
    pub seed: u64,
}

impl Default for Plan {
    fn default() -> Self {
        Self {
            customers: 400,
            orders_per_customer: 4,
            days: 90,
            seed: 42,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub customers: usize,
    pub orders: usize,
    pub views: usize,
    pub wishes: usize,
}

/// A shopper's hidden tastes.
struct Taste {
    categories: [CategoryId; 2],
    brands: [String; 2],
    /// Cents, inclusive.
    price: (i64, i64),
}

impl Taste {
    fn weight(&self, p: &ProductMeta) -> f64 {
        let mut w = 0.05;
        if self.categories.contains(&p.category_id) {
            w += 1.0;
        }
        if self.brands.contains(&p.brand_key) {
            w += 0.7;
        }
        if (self.price.0..=self.price.1).contains(&p.price_cents) {
            w += 0.5;
        }
        w * w
    }
}

/// Products on sale, indexed for drawing by category and brand.
struct Shelf {
    products: Vec<ProductMeta>,
    by_category: HashMap<CategoryId, Vec<usize>>,
    by_brand: HashMap<String, Vec<usize>>,
}

impl Shelf {
    fn new(all: Vec<ProductMeta>) -> Self {
        let products: Vec<ProductMeta> = all
            .into_iter()
            .filter(|p| p.active != 0 && p.stock > 0)
            .collect();
        let mut by_category: HashMap<CategoryId, Vec<usize>> = HashMap::new();
        let mut by_brand: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in products.iter().enumerate() {
            by_category.entry(p.category_id).or_default().push(i);
            by_brand.entry(p.brand_key.clone()).or_default().push(i);
        }
        Self {
            products,
            by_category,
            by_brand,
        }
    }

    fn taste(&self, rng: &mut Rng) -> Taste {
        let mut cats: Vec<CategoryId> = self.by_category.keys().copied().collect();
        cats.sort();
        let mut brands: Vec<String> = self.by_brand.keys().cloned().collect();
        brands.sort();
        let pick = |rng: &mut Rng, n: usize| usize::try_from(rng.below(n as u64)).unwrap_or(0);
        let c1 = cats[pick(rng, cats.len())];
        let c2 = cats[pick(rng, cats.len())];
        let b1 = brands[pick(rng, brands.len())].clone();
        let b2 = brands[pick(rng, brands.len())].clone();
        let low = 500 + i64::try_from(rng.below(6_000)).unwrap_or(0);
        Taste {
            categories: [c1, c2],
            brands: [b1, b2],
            price: (low, low * 3),
        }
    }

    /// A product this shopper looks at: mostly from a favourite category or brand, sometimes
    /// anything; among a few drawn, the one that suits them best wins.
    fn draw(&self, taste: &Taste, rng: &mut Rng) -> usize {
        let any =
            |rng: &mut Rng| usize::try_from(rng.below(self.products.len() as u64)).unwrap_or(0);
        let from = |rng: &mut Rng, list: Option<&Vec<usize>>| match list {
            Some(l) if !l.is_empty() => l[usize::try_from(rng.below(l.len() as u64)).unwrap_or(0)],
            _ => any(rng),
        };
        let mut tries: Vec<usize> = Vec::with_capacity(4);
        for _ in 0..4 {
            let roll = rng.unit();
            let idx = if roll < 0.55 {
                let c = taste.categories[usize::from(rng.chance(0.5))];
                from(rng, self.by_category.get(&c))
            } else if roll < 0.85 {
                let b = &taste.brands[usize::from(rng.chance(0.5))];
                from(rng, self.by_brand.get(b))
            } else {
                any(rng)
            };
            tries.push(idx);
        }
        let weights: Vec<f64> = tries
            .iter()
            .map(|i| taste.weight(&self.products[*i]))
            .collect();
        rng.weighted(&weights).map_or(tries[0], |w| tries[w])
    }
}

/// Creates the simulated customers and their activity. Deterministic for a seed and catalogue.
pub async fn run(state: &AppState, plan: Plan) -> anyhow::Result<Report> {
    let pool = state.db.pool();
    let shelf = Shelf::new(meta_db::all_products(pool).await?);
    anyhow::ensure!(
        !shelf.products.is_empty(),
        "the catalogue has no products on sale"
    );
    let mut rng = Rng::new(plan.seed);
    let now = state.clock.unix();
    let start = now - plan.days * 86_400;
    let mut report = Report::default();
    let mut views: HashMap<(UserId, ProductId), (i64, i64)> = HashMap::new();
    let mut wishes: Vec<(UserId, ProductId, i64)> = Vec::new();
    let store = &state.settings.store;
    for c in 0..plan.customers {
        let taste = shelf.taste(&mut rng);
        let name = format!("sim{}-{c}", plan.seed);
        let mut tx = state.db.begin_write().await?;
        let user = users::insert(
            &mut tx,
            &NewUser {
                username: &Username::from_trusted(name.clone()),
                email: &Email::from_trusted(format!("{name}@simulated.example")),
                first_name: "Simulated",
                last_name: &format!("Shopper {c}"),
                // Not a hash of anything: a simulated shopper can never sign in.
                password_hash: "!simulated",
                address: "1 Simulation Street",
                phone: "+4930000000",
                title: None,
                birthday: None,
                verified_at: Some(start),
            },
            start,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let orders = (plan.orders_per_customer as f64 * (0.5 + rng.unit())).round() as usize;
        let orders = orders.max(1);
        let step = plan.days * 86_400 / i64::try_from(orders + 1).unwrap_or(1);
        for o in 0..orders {
            let at = start + step * i64::try_from(o + 1).unwrap_or(1)
                - i64::try_from(rng.below(3_600)).unwrap_or(0);
            // A visit: a handful of products viewed, one or two bought, sometimes one wished for.
            let looked: Vec<usize> = (0..3 + rng.below(6))
                .map(|_| shelf.draw(&taste, &mut rng))
                .collect();
            for (k, i) in looked.iter().enumerate() {
                let e = views.entry((user, shelf.products[*i].id)).or_insert((0, 0));
                e.0 = e.0.max(at - 600 + i64::try_from(k).unwrap_or(0) * 60);
                e.1 += 1;
                report.views += 1;
            }
            let weights: Vec<f64> = looked
                .iter()
                .map(|i| taste.weight(&shelf.products[*i]).powi(2))
                .collect();
            let mut basket: Vec<usize> = Vec::new();
            for _ in 0..1 + usize::from(rng.chance(0.35)) {
                if let Some(w) = rng.weighted(&weights)
                    && !basket.contains(&looked[w])
                {
                    basket.push(looked[w]);
                }
            }
            if rng.chance(0.3) {
                let w = looked[usize::try_from(rng.below(looked.len() as u64)).unwrap_or(0)];
                wishes.push((user, shelf.products[w].id, at));
            }
            let products: Vec<&ProductMeta> = basket.iter().map(|i| &shelf.products[*i]).collect();
            let total: i64 = products.iter().map(|p| p.price_cents).sum();
            let order = order_db::insert(
                &mut tx,
                &order_db::NewOrder {
                    user_id: Some(user),
                    checkout_token: &format!("sim-{}-{c}-{o}", plan.seed),
                    email: &format!("{name}@simulated.example"),
                    customer_name: &format!("Simulated Shopper {c}"),
                    shipping_address: "1 Simulation Street",
                    shipping_country: "DE",
                    shipping_method: "standard",
                    billing_address: None,
                    currency: &store.currency,
                    vat_percent: i64::from(store.vat_percent),
                    // Simulated orders carry no VAT (net = total).
                    shipping_vat_percent: 0,
                    subtotal: Money::from_cents(total),
                    discount: Money::ZERO,
                    shipping: Money::ZERO,
                    total: Money::from_cents(total),
                    net: Money::from_cents(total),
                    vat: Money::ZERO,
                },
                at,
            )
            .await?;
            for p in &products {
                let line = order_db::NewLine {
                    product_id: p.id,
                    sku: "SIM",
                    name: "Simulated purchase",
                    unit_price: Money::from_cents(p.price_cents),
                    quantity: 1,
                    discount: Money::ZERO,
                    vat_percent: 0,
                    variant_id: None,
                };
                order_db::insert_line(&mut tx, order, &line).await?;
            }
            order_db::transition(
                &mut tx,
                order,
                &[OrderStatus::Pending],
                OrderStatus::Paid,
                at,
            )
            .await?;
            order_db::set_payment(&mut tx, order, PaymentStatus::Paid, "Visa", "4242").await?;
            report.orders += 1;
        }
        tx.commit().await?;
        report.customers += 1;
    }
    for (user, product, at) in wishes {
        if wish_db::add(pool, user, product, at).await? {
            report.wishes += 1;
        }
    }
    let rows: Vec<ViewBatchRow> = views
        .into_iter()
        .map(|((user, product), (last_at, views))| ViewBatchRow {
            user,
            product,
            last_at,
            views,
        })
        .collect();
    views_db::record(pool, &rows).await?;
    state.db.analyze().await?;
    Ok(report)
}

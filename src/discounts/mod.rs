//! Discounts: automatic promotions and voucher codes, and the one rule that combines them.
//!
//! The rule (shown to staff on every promotion's and voucher's page): each cart line gets the
//! single best automatic offer that covers it (offers never stack on one line); a voucher then
//! takes its discount off what is left of the lines it covers, and its minimum basket value is
//! measured after the offers. Every discount is a whole number of cents on a line, so VAT is
//! computed on what the line really costs (the discount reduces the taxable amount of the lines
//! it applies to). Shipping is never discounted.
//!
//! This module is pure arithmetic; `vouchers` and `promotions` read and write their rules.

pub mod promotions;
pub mod terms;
pub mod vouchers;

use crate::domain::{CategoryId, FieldErrors, ProductId};

/// How combinations work, in the words the admin pages show.
pub const COMBINATION_RULE: &str = "Each product line gets the single best automatic promotion \
    that covers it; promotions never add up on one line. A voucher code then takes its discount \
    off what is left of the lines it covers, and its minimum basket value counts the basket \
    after promotions. Shipping is never discounted.";

#[derive(Debug, thiserror::Error)]
pub enum DiscountError {
    #[error("the input is not valid")]
    Invalid(FieldErrors),
    #[error("no such voucher or promotion")]
    NotFound,
    /// A code that does not apply, and why (the sentence is for the shopper).
    #[error("{0}")]
    NotApplicable(String),
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<FieldErrors> for DiscountError {
    fn from(e: FieldErrors) -> Self {
        DiscountError::Invalid(e)
    }
}

/// What staff switch on and off.
#[derive(Debug, Clone, Copy)]
pub enum Switchable {
    Voucher,
    Promotion,
}

/// Switches a voucher (its codes stop or start working) or a promotion on or off, audited.
async fn switch(
    state: &crate::state::AppState,
    actor: crate::domain::UserId,
    what: Switchable,
    id: i64,
    active: bool,
) -> Result<(), DiscountError> {
    let mut tx = state.db.begin_write().await?;
    let (found, entity) = match what {
        Switchable::Voucher => (
            crate::db::vouchers::set_active(&mut tx, id, active).await?,
            "voucher",
        ),
        Switchable::Promotion => (
            crate::db::promotions::set_active(&mut tx, id, active).await?,
            "promotion",
        ),
    };
    if !found {
        return Err(DiscountError::NotFound);
    }
    let action = if active { "switch on" } else { "switch off" };
    audit(&mut tx, actor, action, entity, id, "", state.clock.unix()).await?;
    tx.commit().await?;
    Ok(())
}

/// Notes a staff change to a promotion or voucher in the audit log.
async fn audit(
    tx: &mut crate::db::Tx,
    actor: crate::domain::UserId,
    action: &str,
    entity: &str,
    id: i64,
    details: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let entry = crate::db::audit::Entry {
        actor: Some(actor),
        action,
        entity,
        entity_id: Some(id),
        details,
    };
    crate::db::audit::record(tx, &entry, now).await
}

/// A cart line as discounts see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub product_id: ProductId,
    pub category_id: CategoryId,
    pub unit_cents: i64,
    pub quantity: i64,
}

impl Item {
    pub fn amount(&self) -> i64 {
        self.unit_cents * self.quantity
    }
}

/// What a promotion or voucher covers: these products and every product of these categories;
/// nothing listed means everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub products: Vec<ProductId>,
    pub categories: Vec<CategoryId>,
}

impl Scope {
    pub fn everything(&self) -> bool {
        self.products.is_empty() && self.categories.is_empty()
    }

    pub fn covers(&self, product: ProductId, category: CategoryId) -> bool {
        self.everything() || self.products.contains(&product) || self.categories.contains(&category)
    }
}

/// `round(a × p / 100)`, halves up, for non-negative amounts.
pub fn percent_of(amount: i64, percent: i64) -> i64 {
    (2 * amount * percent + 100) / 200
}

/// Shares `amount` over `weights` in proportion (largest remainders get the odd cents), so the
/// parts add up to `amount` exactly and no part exceeds its weight when `amount ≤ Σ weights`.
pub fn allocate(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i64 = weights.iter().sum();
    if total <= 0 || amount <= 0 {
        return vec![0; weights.len()];
    }
    let amount = amount.min(total);
    // In i128: amount × weight can exceed i64 for very large baskets.
    let (a, t) = (i128::from(amount), i128::from(total));
    let share = |w: i64| (a * i128::from(w) / t, a * i128::from(w) % t);
    let mut parts: Vec<i64> = weights
        .iter()
        .map(|w| i64::try_from(share(*w).0).unwrap_or(0))
        .collect();
    let mut rest = amount - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest remainder first; ties to the earlier line, so the result is stable.
    order.sort_by_key(|i| std::cmp::Reverse(share(weights[*i]).1));
    for i in order {
        if rest == 0 {
            break;
        }
        if parts[i] < weights[i] {
            parts[i] += 1;
            rest -= 1;
        }
    }
    parts
}

/// A promotion's benefit on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// This percentage off the line.
    Percent(i64),
    /// Of every `buy` units, only `pay` are paid for.
    BuyPay { buy: i64, pay: i64 },
}

impl Offer {
    pub fn discount(self, unit_cents: i64, quantity: i64) -> i64 {
        match self {
            Offer::Percent(p) => percent_of(unit_cents * quantity, p),
            Offer::BuyPay { buy, pay } if buy > pay && buy > 0 => {
                (quantity / buy) * (buy - pay) * unit_cents
            }
            Offer::BuyPay { .. } => 0,
        }
    }

    /// The short badge product cards show: "−10 %", "Buy 3, pay 2".
    pub fn badge(self) -> String {
        match self {
            Offer::Percent(p) => format!("−{p} %"),
            Offer::BuyPay { buy, pay } => format!("Buy {buy}, pay {pay}"),
        }
    }

    /// The unit price shown with the original struck through (percentage offers only: a
    /// "buy N pay M" offer does not change the price of one unit).
    pub fn unit_price(self, unit_cents: i64) -> Option<i64> {
        match self {
            Offer::Percent(p) => Some(unit_cents - percent_of(unit_cents, p)),
            Offer::BuyPay { .. } => None,
        }
    }
}

/// A running promotion as the arithmetic needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promotion {
    pub id: i64,
    pub name: String,
    pub offer: Offer,
    pub scope: Scope,
}

/// The best running promotion for one product (the one taking the most off `quantity` units at
/// `unit_cents`; the earliest created wins a tie).
pub fn best_offer(
    promotions: &[Promotion],
    product: ProductId,
    category: CategoryId,
    unit_cents: i64,
    quantity: i64,
) -> Option<&Promotion> {
    promotions
        .iter()
        .filter(|p| p.scope.covers(product, category))
        .map(|p| (p, p.offer.discount(unit_cents, quantity.max(1))))
        .filter(|(_, d)| *d > 0)
        .fold(None, |best: Option<(&Promotion, i64)>, (p, d)| match best {
            Some((_, bd)) if bd >= d => best,
            _ => Some((p, d)),
        })
        .map(|(p, _)| p)
}

/// A voucher's benefit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Benefit {
    Percent(i64),
    /// Cents off the lines it covers (never more than they cost).
    Fixed(i64),
}

/// A voucher code's terms, once it has been found and is within its dates and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherTerms {
    pub code: String,
    pub benefit: Benefit,
    pub scope: Scope,
    pub min_basket_cents: i64,
}

/// One discount line of a cart or order: "Spring sale", "Voucher SPRING10".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountPart {
    pub label: String,
    pub code: Option<String>,
    pub cents: i64,
}

/// What the discounts do to a basket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Per item (same order): cents off the line, all discounts together.
    pub line_discounts: Vec<i64>,
    /// Per item: the promotion applied to it (its name).
    pub line_offers: Vec<Option<String>>,
    /// The discount lines, promotions first, then the voucher.
    pub parts: Vec<DiscountPart>,
    /// Why the voucher in the cart takes nothing off, when it does not.
    pub voucher_problem: Option<String>,
    /// The voucher's own share (0 when it does not apply).
    pub voucher_cents: i64,
}

impl Outcome {
    pub fn total(&self) -> i64 {
        self.line_discounts.iter().sum()
    }
}

/// Applies the running promotions, then the voucher (see [`COMBINATION_RULE`]). `money` formats
/// amounts in the reasons a voucher does not apply.
pub fn apply(
    items: &[Item],
    promotions: &[Promotion],
    voucher: Option<&VoucherTerms>,
    money: impl Fn(i64) -> String,
) -> Outcome {
    let mut out = Outcome {
        line_discounts: vec![0; items.len()],
        line_offers: vec![None; items.len()],
        ..Outcome::default()
    };
    let mut by_promotion: Vec<(i64, String, i64)> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let Some(p) = best_offer(
            promotions,
            it.product_id,
            it.category_id,
            it.unit_cents,
            it.quantity,
        ) else {
            continue;
        };
        let d = p
            .offer
            .discount(it.unit_cents, it.quantity)
            .min(it.amount());
        out.line_discounts[i] = d;
        out.line_offers[i] = Some(p.name.clone());
        match by_promotion.iter_mut().find(|(id, _, _)| *id == p.id) {
            Some(entry) => entry.2 += d,
            None => by_promotion.push((p.id, p.name.clone(), d)),
        }
    }
    out.parts = by_promotion
        .into_iter()
        .map(|(_, label, cents)| DiscountPart {
            label,
            code: None,
            cents,
        })
        .collect();
    let Some(v) = voucher else {
        return out;
    };
    let left: Vec<i64> = items
        .iter()
        .zip(&out.line_discounts)
        .map(|(it, d)| it.amount() - d)
        .collect();
    let basket: i64 = left.iter().sum();
    if basket < v.min_basket_cents {
        out.voucher_problem = Some(format!(
            "The code {} needs a basket of at least {}; yours comes to {}.",
            v.code,
            money(v.min_basket_cents),
            money(basket)
        ));
        return out;
    }
    let covered: Vec<i64> = items
        .iter()
        .zip(&left)
        .map(|(it, l)| {
            if v.scope.covers(it.product_id, it.category_id) {
                *l
            } else {
                0
            }
        })
        .collect();
    let base: i64 = covered.iter().sum();
    if base == 0 {
        out.voucher_problem = Some(format!(
            "The code {} does not apply to anything in your cart.",
            v.code
        ));
        return out;
    }
    let amount = match v.benefit {
        Benefit::Percent(p) => percent_of(base, p),
        Benefit::Fixed(c) => c.min(base),
    };
    for (d, share) in out
        .line_discounts
        .iter_mut()
        .zip(allocate(amount, &covered))
    {
        *d += share;
    }
    out.voucher_cents = amount;
    out.parts.push(DiscountPart {
        label: format!("Voucher {}", v.code),
        code: Some(v.code.clone()),
        cents: amount,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn item(product: i64, category: i64, unit: i64, qty: i64) -> Item {
        Item {
            product_id: ProductId::new(product),
            category_id: CategoryId::new(category),
            unit_cents: unit,
            quantity: qty,
        }
    }

    fn eur(c: i64) -> String {
        format!("€{}.{:02}", c / 100, c % 100)
    }

    #[test]
    fn allocation_adds_up_and_never_exceeds_a_line() {
        let mut rng = Rng::new(5);
        for _ in 0..5000 {
            let weights: Vec<i64> = (0..1 + rng.below(6))
                .map(|_| i64::try_from(rng.below(50_000)).unwrap_or(0))
                .collect();
            let total: i64 = weights.iter().sum();
            let amount = i64::try_from(rng.below(60_000)).unwrap_or(0);
            let parts = allocate(amount, &weights);
            assert_eq!(parts.iter().sum::<i64>(), amount.min(total).max(0));
            for (p, w) in parts.iter().zip(&weights) {
                assert!(*p >= 0 && p <= w, "{parts:?} {weights:?}");
            }
        }
        assert_eq!(allocate(100, &[500, 500, 500]), [34, 33, 33]);
        assert_eq!(allocate(100, &[1, 1, 1]), [1, 1, 1]);
    }

    #[test]
    fn best_single_offer_per_line_then_the_voucher_on_what_is_left() {
        let kitchen = Promotion {
            id: 1,
            name: "10 % off Kitchen".into(),
            offer: Offer::Percent(10),
            scope: Scope {
                products: vec![],
                categories: vec![CategoryId::new(7)],
            },
        };
        let three_for_two = Promotion {
            id: 2,
            name: "Mugs: buy 3, pay 2".into(),
            offer: Offer::BuyPay { buy: 3, pay: 2 },
            scope: Scope {
                products: vec![ProductId::new(1)],
                categories: vec![],
            },
        };
        let items = [item(1, 7, 1000, 3), item(2, 7, 2000, 1), item(3, 9, 500, 2)];
        let voucher = VoucherTerms {
            code: "SAVE5".into(),
            benefit: Benefit::Percent(5),
            scope: Scope::default(),
            min_basket_cents: 0,
        };
        let out = apply(&items, &[kitchen, three_for_two], Some(&voucher), eur);
        // Mugs: 3-for-2 (1000) beats 10 % (300); the pan gets 10 %; the third line nothing.
        // Left: 2000 + 1800 + 1000 = 4800; 5 % = 240, shared 100/90/50.
        assert_eq!(out.line_discounts, [1100, 290, 50]);
        assert_eq!(out.voucher_cents, 240);
        assert_eq!(out.parts.len(), 3);
        assert_eq!(out.total(), 1440);
    }

    #[test]
    fn a_voucher_says_why_it_does_not_apply() {
        let items = [item(3, 9, 500, 2)];
        let mut v = VoucherTerms {
            code: "BIG".into(),
            benefit: Benefit::Fixed(2000),
            scope: Scope::default(),
            min_basket_cents: 5000,
        };
        let out = apply(&items, &[], Some(&v), eur);
        assert_eq!(out.total(), 0);
        assert!(out.voucher_problem.unwrap().contains("at least €50.00"));
        v.min_basket_cents = 0;
        v.scope.categories.push(CategoryId::new(1));
        let out = apply(&items, &[], Some(&v), eur);
        assert!(out.voucher_problem.unwrap().contains("does not apply"));
        // A fixed amount never takes more than the lines cost.
        v.scope = Scope::default();
        let out = apply(&items, &[], Some(&v), eur);
        assert_eq!(out.line_discounts, [1000]);
    }
}

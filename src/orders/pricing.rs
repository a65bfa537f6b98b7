//! Order arithmetic, all in integer cents.
//!
//! Prices include VAT. Shipping is flat and free from a threshold. The VAT contained in the
//! gross total is `gross - net`, with `net = round(gross × 100 / (100 + rate))` rounded half up
//! to the cent, computed once on the order total (so net + VAT always equals the total exactly).

use crate::domain::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricingRules {
    pub vat_percent: i64,
    pub shipping_cents: i64,
    pub free_shipping_over_cents: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub subtotal: Money,
    pub shipping: Money,
    pub total: Money,
    pub net: Money,
    pub vat: Money,
}

/// `round(a / b)` for non-negative integers, halves rounded up.
fn div_round(a: i64, b: i64) -> i64 {
    (2 * a + b) / (2 * b)
}

/// The net part of a VAT-inclusive amount.
pub fn net_of(gross_cents: i64, vat_percent: i64) -> i64 {
    div_round(gross_cents * 100, 100 + vat_percent)
}

impl PricingRules {
    /// Totals for these line totals (each unit price × quantity).
    pub fn totals(&self, line_totals: impl IntoIterator<Item = i64>) -> Totals {
        let subtotal: i64 = line_totals.into_iter().sum();
        let shipping = if subtotal == 0 || subtotal >= self.free_shipping_over_cents {
            0
        } else {
            self.shipping_cents
        };
        let total = subtotal + shipping;
        let net = net_of(total, self.vat_percent);
        Totals {
            subtotal: Money::from_cents(subtotal),
            shipping: Money::from_cents(shipping),
            total: Money::from_cents(total),
            net: Money::from_cents(net),
            vat: Money::from_cents(total - net),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: PricingRules = PricingRules {
        vat_percent: 19,
        shipping_cents: 495,
        free_shipping_over_cents: 5000,
    };

    #[test]
    fn shipping_is_free_from_the_threshold() {
        assert_eq!(RULES.totals([4999]).shipping.cents(), 495);
        assert_eq!(RULES.totals([5000]).shipping.cents(), 0);
        assert_eq!(RULES.totals([]).total.cents(), 0);
    }

    #[test]
    fn vat_is_contained_in_the_total_and_adds_up() {
        let t = RULES.totals([1190]);
        assert_eq!(
            (t.total.cents(), t.net.cents(), t.vat.cents()),
            (1685, 1416, 269)
        );
        for gross in [1, 99, 100, 119, 1234, 99_999, 123_456_789] {
            let t = RULES.totals([gross]);
            assert_eq!(t.net.cents() + t.vat.cents(), t.total.cents());
            // net is the nearest cent to gross / 1.19
            let exact = t.total.cents() as f64 / 1.19;
            assert!((t.net.cents() as f64 - exact).abs() <= 0.5, "{gross}");
        }
    }
}

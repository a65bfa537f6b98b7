//! Order arithmetic, all in integer cents.
//!
//! Prices include VAT. Shipping is flat and free from a threshold, and charged at the rate of
//! its tax class. VAT is computed per rate: the amounts at one rate are added up first, then
//! `net = round(gross × 100 / (100 + rate))` rounded half up to the cent and `VAT = gross − net`,
//! so the net and VAT of every rate add up to its gross exactly, and the rates to the total.

use serde::{Deserialize, Serialize};

use crate::domain::{Money, TaxClass};

/// The VAT rate of each tax class, in percent, and the class shipping is charged at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VatRates {
    pub standard: i64,
    pub reduced: i64,
    pub zero: i64,
    pub shipping: TaxClass,
}

impl VatRates {
    pub fn of(&self, class: TaxClass) -> i64 {
        match class {
            TaxClass::Standard => self.standard,
            TaxClass::Reduced => self.reduced,
            TaxClass::Zero => self.zero,
        }
    }

    pub fn shipping_percent(&self) -> i64 {
        self.of(self.shipping)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricingRules {
    pub rates: VatRates,
    pub shipping_cents: i64,
    pub free_shipping_over_cents: i64,
}

/// The part of an amount charged at one VAT rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatLine {
    pub percent: i64,
    pub gross_cents: i64,
    pub net_cents: i64,
    pub vat_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    /// The lines at their list prices.
    pub subtotal: Money,
    /// What promotions and the voucher take off the lines (`total = subtotal − discount +
    /// shipping`).
    pub discount: Money,
    pub shipping: Money,
    pub total: Money,
    pub net: Money,
    pub vat: Money,
    /// The rate shipping is charged at.
    pub shipping_vat_percent: i64,
    /// Net and VAT per rate, highest rate first.
    pub vat_lines: Vec<VatLine>,
}

/// `round(a / b)` for non-negative integers, halves rounded up.
fn div_round(a: i64, b: i64) -> i64 {
    (2 * a + b) / (2 * b)
}

/// The net part of a VAT-inclusive amount.
pub fn net_of(gross_cents: i64, vat_percent: i64) -> i64 {
    div_round(gross_cents * 100, 100 + vat_percent)
}

/// VAT-inclusive amounts (rate, gross) grouped by rate, highest rate first; rates with no
/// amount are left out.
pub fn vat_lines(amounts: impl IntoIterator<Item = (i64, i64)>) -> Vec<VatLine> {
    let mut by_rate: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for (percent, gross) in amounts {
        *by_rate.entry(percent).or_default() += gross;
    }
    by_rate
        .into_iter()
        .rev()
        .filter(|(_, gross)| *gross != 0)
        .map(|(percent, gross)| {
            let net = net_of(gross, percent);
            VatLine {
                percent,
                gross_cents: gross,
                net_cents: net,
                vat_cents: gross - net,
            }
        })
        .collect()
}

impl PricingRules {
    /// Totals for these lines: each line's total (unit price × quantity) and its VAT rate.
    /// (The flat rate of the settings; carts and orders price shipping by method, see
    /// `shipping`.)
    pub fn totals(&self, lines: impl IntoIterator<Item = (i64, i64)>) -> Totals {
        let lines: Vec<(i64, i64)> = lines.into_iter().collect();
        let subtotal: i64 = lines.iter().map(|(total, _)| total).sum();
        let shipping = if subtotal == 0 || subtotal >= self.free_shipping_over_cents {
            0
        } else {
            self.shipping_cents
        };
        self.discounted_totals(
            lines
                .into_iter()
                .map(|(total, percent)| (total, 0, percent)),
            shipping,
        )
    }

    /// Totals for lines with discounts (each line's list total, the cents taken off it, and its
    /// VAT rate) and the shipping charge. VAT is computed on what each line costs after its
    /// discount.
    pub fn discounted_totals(
        &self,
        lines: impl IntoIterator<Item = (i64, i64, i64)>,
        shipping: i64,
    ) -> Totals {
        let lines: Vec<(i64, i64, i64)> = lines.into_iter().collect();
        let subtotal: i64 = lines.iter().map(|(total, _, _)| total).sum();
        let discount: i64 = lines.iter().map(|(_, d, _)| d).sum();
        let goods = subtotal - discount;
        let shipping_vat_percent = self.rates.shipping_percent();
        let vat_lines = vat_lines(
            lines
                .iter()
                .map(|(total, d, percent)| (*percent, total - d))
                .chain([(shipping_vat_percent, shipping)]),
        );
        let net: i64 = vat_lines.iter().map(|l| l.net_cents).sum();
        let total = goods + shipping;
        Totals {
            subtotal: Money::from_cents(subtotal),
            discount: Money::from_cents(discount),
            shipping: Money::from_cents(shipping),
            total: Money::from_cents(total),
            net: Money::from_cents(net),
            vat: Money::from_cents(total - net),
            shipping_vat_percent,
            vat_lines,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: PricingRules = PricingRules {
        rates: VatRates {
            standard: 19,
            reduced: 7,
            zero: 0,
            shipping: TaxClass::Standard,
        },
        shipping_cents: 495,
        free_shipping_over_cents: 5000,
    };

    #[test]
    fn shipping_is_free_from_the_threshold() {
        assert_eq!(RULES.totals([(4999, 19)]).shipping.cents(), 495);
        assert_eq!(RULES.totals([(5000, 19)]).shipping.cents(), 0);
        assert_eq!(RULES.totals([]).total.cents(), 0);
    }

    #[test]
    fn vat_is_contained_in_the_total_and_adds_up() {
        let t = RULES.totals([(1190, 19)]);
        assert_eq!(
            (t.total.cents(), t.net.cents(), t.vat.cents()),
            (1685, 1416, 269)
        );
        for gross in [1, 99, 100, 119, 1234, 99_999, 123_456_789] {
            let t = RULES.totals([(gross, 19)]);
            assert_eq!(t.net.cents() + t.vat.cents(), t.total.cents());
            // net is the nearest cent to gross / 1.19
            let exact = t.total.cents() as f64 / 1.19;
            assert!((t.net.cents() as f64 - exact).abs() <= 0.5, "{gross}");
        }
    }

    #[test]
    fn each_rate_is_computed_on_its_own_amounts_and_shipping_goes_at_its_class() {
        // A book at 7 %, a lamp at 19 %, a donation at 0 %, shipping at 19 %.
        let t = RULES.totals([(1070, 7), (2380, 19), (500, 0)]);
        assert_eq!(t.shipping.cents(), 495);
        assert_eq!(
            t.vat_lines,
            [
                VatLine {
                    percent: 19,
                    gross_cents: 2875,
                    net_cents: 2416,
                    vat_cents: 459
                },
                VatLine {
                    percent: 7,
                    gross_cents: 1070,
                    net_cents: 1000,
                    vat_cents: 70
                },
                VatLine {
                    percent: 0,
                    gross_cents: 500,
                    net_cents: 500,
                    vat_cents: 0
                },
            ]
        );
        assert_eq!(t.vat.cents(), 529);
        assert_eq!(t.net.cents() + t.vat.cents(), t.total.cents());
        // Shipping at the reduced rate when the setting says so.
        let reduced = PricingRules {
            rates: VatRates {
                shipping: TaxClass::Reduced,
                ..RULES.rates
            },
            ..RULES
        };
        let t = reduced.totals([(2380, 19)]);
        assert_eq!(t.shipping_vat_percent, 7);
        assert_eq!(t.vat_lines.len(), 2);
    }

    #[test]
    fn vat_is_computed_on_what_discounted_lines_cost() {
        // A lamp at 19 % with 10.00 off, a book at 7 % with 1.07 off: each rate's VAT is on the
        // discounted amount.
        let t = RULES.discounted_totals([(10_000, 1_000, 19), (1_070, 107, 7)], 0);
        assert_eq!(t.subtotal.cents(), 11_070);
        assert_eq!(t.discount.cents(), 1_107);
        assert_eq!(t.shipping.cents(), 0);
        assert_eq!(t.total.cents(), 9_963);
        let vat: Vec<(i64, i64, i64)> = t
            .vat_lines
            .iter()
            .map(|v| (v.percent, v.net_cents, v.vat_cents))
            .collect();
        assert_eq!(vat, [(19, 7_563, 1_437), (7, 900, 63)]);
        // Shipping is added at its rate.
        let t = RULES.discounted_totals([(5_000, 1, 19)], 495);
        assert_eq!(t.shipping.cents(), 495);
        assert_eq!(t.total.cents(), 5_494);
    }
}

//! The arithmetic of credit notes, in integer cents. A credit note's VAT at a rate is the VAT
//! of everything credited at that rate so far minus what the earlier credit notes took, each
//! computed as the invoice computes it (`gross − round(gross × 100 / (100 + rate))`). So the
//! credit notes of an order never take a cent more VAT than its invoice holds at a rate, and
//! once everything is credited they hold exactly the invoice's VAT per rate.

use std::collections::BTreeMap;

use crate::orders::pricing::{VatLine, net_of};

fn vat_in(gross: i64, percent: i64) -> i64 {
    gross - net_of(gross, percent)
}

/// Net and VAT per rate of a credit of `amounts` (rate, gross), after `earlier` credit notes
/// of the same order (their per-rate lines). Highest rate first.
pub fn credit_vat(
    earlier: &[VatLine],
    amounts: impl IntoIterator<Item = (i64, i64)>,
) -> Vec<VatLine> {
    let mut before: BTreeMap<i64, i64> = BTreeMap::new();
    for v in earlier {
        *before.entry(v.percent).or_default() += v.gross_cents;
    }
    let mut now: BTreeMap<i64, i64> = BTreeMap::new();
    for (percent, gross) in amounts {
        *now.entry(percent).or_default() += gross;
    }
    now.into_iter()
        .rev()
        .filter(|(_, gross)| *gross != 0)
        .map(|(percent, gross)| {
            let done = before.get(&percent).copied().unwrap_or(0);
            let vat = vat_in(done + gross, percent) - vat_in(done, percent);
            VatLine {
                percent,
                gross_cents: gross,
                net_cents: gross - vat,
                vat_cents: vat,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::pricing::vat_lines;
    use crate::rng::Rng;

    /// Many random orders, each refunded in random parts until nothing is left: no credit
    /// ever exceeds what is left, every note adds up, and the notes hold the invoice's VAT per
    /// rate to the cent.
    #[test]
    fn random_partial_refunds_add_up_to_the_invoice_to_the_cent() {
        let mut rng = Rng::new(17);
        for _ in 0..2000 {
            let rates = [19, 7, 0, 20, 5];
            let lines: Vec<(i64, i64, i64)> = (0..1 + rng.below(5))
                .map(|_| {
                    let unit = 1 + i64::try_from(rng.below(20_000)).unwrap_or(1);
                    let qty = 1 + i64::try_from(rng.below(6)).unwrap_or(0);
                    let rate = rates[usize::try_from(rng.below(5)).unwrap_or(0)];
                    (unit, qty, rate)
                })
                .collect();
            let shipping = (i64::try_from(rng.below(1000)).unwrap_or(0), 19);
            let invoice = vat_lines(
                lines
                    .iter()
                    .map(|(u, q, r)| (*r, u * q))
                    .chain([(shipping.1, shipping.0)]),
            );
            let invoice_total: i64 = invoice.iter().map(|v| v.gross_cents).sum();
            let mut left: Vec<i64> = lines.iter().map(|(_, q, _)| *q).collect();
            let mut shipping_left = true;
            let mut notes: Vec<VatLine> = Vec::new();
            let mut credited = 0;
            while left.iter().any(|q| *q > 0) || shipping_left {
                let mut amounts = Vec::new();
                for (i, (unit, _, rate)) in lines.iter().enumerate() {
                    if left[i] > 0 && rng.chance(0.5) {
                        let q = 1 + i64::try_from(rng.below(left[i].unsigned_abs())).unwrap_or(0);
                        left[i] -= q;
                        amounts.push((*rate, unit * q));
                    }
                }
                if shipping_left && rng.chance(0.3) {
                    shipping_left = false;
                    amounts.push((shipping.1, shipping.0));
                }
                let note = credit_vat(&notes, amounts.iter().copied());
                let gross: i64 = amounts.iter().map(|(_, g)| g).sum();
                assert_eq!(note.iter().map(|v| v.gross_cents).sum::<i64>(), gross);
                for v in &note {
                    assert_eq!(v.net_cents + v.vat_cents, v.gross_cents);
                    assert!(v.vat_cents >= 0 && v.net_cents >= 0, "{v:?}");
                }
                credited += gross;
                assert!(credited <= invoice_total);
                notes.extend(note);
            }
            assert_eq!(credited, invoice_total);
            for inv in &invoice {
                let (gross, vat): (i64, i64) = notes
                    .iter()
                    .filter(|v| v.percent == inv.percent)
                    .fold((0, 0), |(g, t), v| (g + v.gross_cents, t + v.vat_cents));
                assert_eq!((gross, vat), (inv.gross_cents, inv.vat_cents), "{lines:?}");
            }
        }
    }
}

//! Accounting exports for a period: every invoice and credit note (number, date, customer, net,
//! VAT per rate, gross, payment reference; credit notes negative, as a journal books them), and
//! the VAT per rate per month. Dates are the shop's (`store.time_zone`); the figures come from
//! the issued snapshots, so a report never changes once its documents are issued.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::db::credit_notes;
use crate::domain::{FieldErrors, Money, OrderId};
use crate::orders::invoice::{DocumentKind, Snapshot};
use crate::orders::pricing::VatLine;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the period is not valid")]
    Invalid(FieldErrors),
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The longest period one report covers.
const MAX_DAYS: i32 = 5 * 366;

/// A period of whole days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// `from` and `to` as `YYYY-MM-DD`; an empty `from` is the first of `today`'s month, an
    /// empty `to` is `today`.
    pub fn parse(from: &str, to: &str, today: Date) -> Result<Period, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut date = |field: &str, raw: &str, default: Date| {
            let raw = raw.trim();
            if raw.is_empty() {
                return Some(default);
            }
            match raw.parse::<Date>() {
                Ok(d) if raw.len() == 10 => Some(d),
                _ => {
                    e.add(field, "Enter the date as YYYY-MM-DD, e.g. 2026-11-01.");
                    None
                }
            }
        };
        let first = today.first_of_month();
        let (from, to) = (date("from", from, first), date("to", to, today));
        let (Some(from), Some(to)) = (from, to) else {
            return Err(e);
        };
        if to < from {
            e.add("to", "The end of the period is before its start.");
        } else if (to - from).get_days() > MAX_DAYS {
            e.add("to", "A report covers at most five years.");
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(Period { from, to })
    }

    /// The period as unix seconds `[start, end)` in a time zone.
    fn bounds(&self, zone: &str) -> Result<(i64, i64), anyhow::Error> {
        let tz = jiff::tz::TimeZone::get(zone)?;
        let start = self.from.to_zoned(tz.clone())?.timestamp().as_second();
        let end = self.to.tomorrow()?.to_zoned(tz)?.timestamp().as_second();
        Ok((start, end))
    }
}

/// One invoice or credit note as the export lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub kind: DocumentKind,
    pub number: String,
    /// The shop's date it was issued (YYYY-MM-DD) and its month (YYYY-MM).
    pub date: String,
    pub month: String,
    pub order_id: OrderId,
    pub customer: String,
    /// Signed: credit notes are negative.
    pub net_cents: i64,
    pub vat: Vec<VatLine>,
    pub gross_cents: i64,
    /// The payment service's reference of the order's payment (or the card, for orders paid
    /// before references were kept).
    pub payment_reference: String,
}

fn signed(kind: DocumentKind, cents: i64) -> i64 {
    match kind {
        DocumentKind::Invoice => cents,
        DocumentKind::CreditNote => -cents,
    }
}

/// The invoices and credit notes issued in the period, by date.
pub async fn documents(state: &AppState, period: Period) -> Result<Vec<DocumentRow>, ReportError> {
    let zone = &state.settings.store.time_zone;
    let tz = jiff::tz::TimeZone::get(zone).map_err(anyhow::Error::from)?;
    let (start, end) = period.bounds(zone)?;
    let pool = state.db.pool();
    let mut rows = Vec::new();
    for issued in credit_notes::issued_between(pool, start, end).await? {
        let s: Snapshot = serde_json::from_str(&issued.snapshot)
            .map_err(|e| anyhow::Error::new(e).context("unreadable document snapshot"))?;
        let day = jiff::Timestamp::from_second(issued.issued_at)
            .map_err(anyhow::Error::from)?
            .to_zoned(tz.clone())
            .date();
        let reference = crate::db::order_payments::find(pool, s.order_id)
            .await?
            .map(|p| p.reference)
            .unwrap_or_else(|| s.payment.clone());
        let kind = s.kind;
        rows.push(DocumentRow {
            kind,
            number: issued.number,
            date: day.to_string(),
            month: day.strftime("%Y-%m").to_string(),
            order_id: s.order_id,
            customer: s.buyer.name.clone(),
            net_cents: signed(kind, s.net_cents),
            vat: s
                .vat_breakdown()
                .into_iter()
                .map(|v| VatLine {
                    percent: v.percent,
                    gross_cents: signed(kind, v.gross_cents),
                    net_cents: signed(kind, v.net_cents),
                    vat_cents: signed(kind, v.vat_cents),
                })
                .collect(),
            gross_cents: signed(kind, s.total_cents),
            payment_reference: reference,
        });
    }
    Ok(rows)
}

/// Every VAT rate the documents hold, highest first.
pub fn rates(rows: &[DocumentRow]) -> Vec<i64> {
    let mut r: Vec<i64> = rows
        .iter()
        .flat_map(|d| d.vat.iter().map(|v| v.percent))
        .collect();
    r.sort_unstable_by(|a, b| b.cmp(a));
    r.dedup();
    r
}

/// Net, VAT and gross of one rate in one month (invoices less credit notes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VatMonth {
    pub month: String,
    pub percent: i64,
    pub net_cents: i64,
    pub vat_cents: i64,
    pub gross_cents: i64,
}

pub fn vat_summary(rows: &[DocumentRow]) -> Vec<VatMonth> {
    let mut sums: BTreeMap<(String, std::cmp::Reverse<i64>), (i64, i64, i64)> = BTreeMap::new();
    for d in rows {
        for v in &d.vat {
            let s = sums
                .entry((d.month.clone(), std::cmp::Reverse(v.percent)))
                .or_default();
            s.0 += v.net_cents;
            s.1 += v.vat_cents;
            s.2 += v.gross_cents;
        }
    }
    sums.into_iter()
        .map(|((month, rate), (net, vat, gross))| VatMonth {
            month,
            percent: rate.0,
            net_cents: net,
            vat_cents: vat,
            gross_cents: gross,
        })
        .collect()
}

fn decimal(cents: i64) -> String {
    Money::from_cents(cents).to_decimal()
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, ReportError> {
    w.into_inner()
        .map_err(|e| ReportError::Internal(anyhow::anyhow!("{e}")))
}

/// The documents as CSV: one column of VAT per rate.
pub fn documents_csv(rows: &[DocumentRow], currency: &str) -> Result<Vec<u8>, ReportError> {
    let rates = rates(rows);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["type", "number", "date", "order", "customer", "net"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(rates.iter().map(|r| format!("vat_{r}")));
    header.extend(["gross", "currency", "payment_reference"].map(String::from));
    w.write_record(&header).map_err(anyhow::Error::from)?;
    for d in rows {
        let mut rec = vec![
            match d.kind {
                DocumentKind::Invoice => "invoice".to_string(),
                DocumentKind::CreditNote => "credit_note".to_string(),
            },
            d.number.clone(),
            d.date.clone(),
            d.order_id.to_string(),
            crate::catalog::csv_io::neutralise(&d.customer),
            decimal(d.net_cents),
        ];
        rec.extend(rates.iter().map(|r| {
            decimal(
                d.vat
                    .iter()
                    .filter(|v| v.percent == *r)
                    .map(|v| v.vat_cents)
                    .sum(),
            )
        }));
        rec.extend([
            decimal(d.gross_cents),
            currency.to_string(),
            crate::catalog::csv_io::neutralise(&d.payment_reference),
        ]);
        w.write_record(&rec).map_err(anyhow::Error::from)?;
    }
    finish(w)
}

/// The VAT summary as CSV: month, rate, net, VAT, gross.
pub fn vat_csv(summary: &[VatMonth]) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["month", "rate_percent", "net", "vat", "gross"])
        .map_err(anyhow::Error::from)?;
    for m in summary {
        w.write_record([
            m.month.clone(),
            m.percent.to_string(),
            decimal(m.net_cents),
            decimal(m.vat_cents),
            decimal(m.gross_cents),
        ])
        .map_err(anyhow::Error::from)?;
    }
    finish(w)
}

/// Today in the shop's time zone.
pub fn today(state: &AppState) -> Date {
    let tz =
        jiff::tz::TimeZone::get(&state.settings.store.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_second(state.clock.unix())
        .map(|t| t.to_zoned(tz).date())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_default_to_this_month_and_refuse_bad_dates() {
        let today = Date::new(2026, 11, 28).unwrap();
        assert_eq!(
            Period::parse("", "", today).unwrap(),
            Period {
                from: Date::new(2026, 11, 1).unwrap(),
                to: today
            }
        );
        assert!(
            Period::parse("2026-13-01", "", today)
                .unwrap_err()
                .has("from")
        );
        assert!(
            Period::parse("1.11.2026", "", today)
                .unwrap_err()
                .has("from")
        );
        assert!(
            Period::parse("2026-11-20", "2026-11-01", today)
                .unwrap_err()
                .has("to")
        );
        assert!(
            Period::parse("2010-01-01", "2026-11-01", today)
                .unwrap_err()
                .has("to")
        );
        let p = Period::parse("2026-11-01", "2026-11-30", today).unwrap();
        // Berlin is UTC+1 in November: the period starts at 23:00 UTC the day before.
        let (start, end) = p.bounds("Europe/Berlin").unwrap();
        assert_eq!(end - start, 30 * 24 * 3600);
        assert_eq!(start, 1_793_487_600);
    }
}

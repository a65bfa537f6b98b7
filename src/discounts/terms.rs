//! The parts of the voucher and promotion forms they share: days in the shop's time zone and
//! what an offer covers (category slugs and SKUs, comma separated).

use crate::db::Tx;
use crate::db::catalog as catalog_db;
use crate::domain::{CategoryId, FieldErrors, ProductId, Sku};

/// Midnight at the start of `YYYY-MM-DD` in the shop's time zone, as unix seconds.
pub fn day_start(input: &str, zone: &str) -> Result<i64, String> {
    let date: jiff::civil::Date = input
        .trim()
        .parse()
        .map_err(|_| "Enter a date like 2026-12-24.".to_string())?;
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    date.to_zoned(tz)
        .map(|z| z.timestamp().as_second())
        .map_err(|_| "Enter a date like 2026-12-24.".to_string())
}

/// `YYYY-MM-DD` of unix seconds in the shop's time zone.
pub fn day_of(ts: i64, zone: &str) -> String {
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_second(ts)
        .map(|t| t.to_zoned(tz).date().to_string())
        .unwrap_or_default()
}

/// The first and (inclusive) last day of an offer: `from` empty means "now" when `from_required`
/// is false; `until` empty means no end. Returns (starts_at, ends_at) where `ends_at` is the
/// midnight after the last day.
pub fn period(
    errors: &mut FieldErrors,
    from: &str,
    until: &str,
    now: i64,
    zone: &str,
) -> (Option<i64>, Option<i64>) {
    let starts = if from.trim().is_empty() {
        None
    } else {
        errors.check("starts_on", day_start(from, zone))
    };
    let ends = if until.trim().is_empty() {
        None
    } else {
        errors
            .check("ends_on", day_start(until, zone))
            .map(|t| t + 24 * 3600)
    };
    if let Some(e) = ends
        && e <= starts.unwrap_or(now)
    {
        errors.add(
            "ends_on",
            "The last day must be after the first day and not in the past.",
        );
    }
    (starts, ends)
}

/// Items of a comma or space separated list, without empties.
fn items(input: &str) -> impl Iterator<Item = &str> {
    input
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The categories (by slug) and products (by SKU) an offer covers; unknown ones are named in
/// the field's error.
pub async fn scope(
    tx: &mut Tx,
    errors: &mut FieldErrors,
    categories: &str,
    products: &str,
) -> Result<(Vec<ProductId>, Vec<CategoryId>), sqlx::Error> {
    let mut cats = Vec::new();
    let mut unknown = Vec::new();
    for slug in items(categories) {
        match catalog_db::category_by_slug(tx, &slug.to_lowercase()).await? {
            Some(id) => cats.push(id),
            None => unknown.push(slug.to_string()),
        }
    }
    if !unknown.is_empty() {
        errors.add(
            "categories",
            format!("No category is called {}.", unknown.join(", ")),
        );
    }
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for raw in items(products) {
        let found = match Sku::parse(raw) {
            Ok(sku) => catalog_db::find_id_by_sku(tx, &sku).await?,
            Err(_) => None,
        };
        match found {
            Some(id) => ids.push(id),
            None => unknown.push(raw.to_string()),
        }
    }
    if !unknown.is_empty() {
        errors.add(
            "products",
            format!("No product has the SKU {}.", unknown.join(", ")),
        );
    }
    Ok((ids, cats))
}

/// An optional whole number within bounds (empty: none).
pub fn optional_number(
    errors: &mut FieldErrors,
    field: &str,
    input: &str,
    min: i64,
    max: i64,
) -> Option<i64> {
    let s = input.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            errors.add(field, format!("Enter a whole number from {min} to {max}."));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_the_shops() {
        let t = day_start("2026-12-24", "Europe/Berlin").unwrap_or_default();
        assert_eq!(t, 1_798_066_800); // 2026-12-23 23:00 UTC
        assert_eq!(day_of(t, "Europe/Berlin"), "2026-12-24");
        assert!(day_start("24.12.2026", "Europe/Berlin").is_err());
        let mut e = FieldErrors::new();
        let (s, end) = period(&mut e, "2026-12-24", "2026-12-24", 0, "UTC");
        assert!(e.is_empty());
        assert_eq!(end.unwrap_or_default() - s.unwrap_or_default(), 24 * 3600);
        let _ = period(&mut e, "2026-12-24", "2026-12-23", 0, "UTC");
        assert!(!e.is_empty());
    }
}

//! Shipping: the countries the shop delivers to, its methods (standard, express, pick-up) with a
//! price per group of countries and a free-shipping threshold, and which of them an address's
//! country is offered. Prices include VAT, like everything the shop shows.
//!
//! The first start creates three methods from the settings (`store.shipping_cents` and
//! `store.free_shipping_over_cents` become the standard rate at home); staff change prices
//! and switch methods on and off at `/admin/shipping`.

use crate::db::shipping::{self as db, MethodRow, RateRow};
use crate::domain::Money;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum ShippingError {
    #[error("the input is not valid")]
    Invalid(crate::domain::FieldErrors),
    #[error("no such shipping method or rate")]
    NotFound,
    #[error("database error")]
    Db(#[from] sqlx::Error),
}

/// The countries an address may be in: ISO code, name, member of the EU.
pub const COUNTRIES: &[(&str, &str, bool)] = &[
    ("AT", "Austria", true),
    ("BE", "Belgium", true),
    ("BG", "Bulgaria", true),
    ("HR", "Croatia", true),
    ("CY", "Cyprus", true),
    ("CZ", "Czechia", true),
    ("DK", "Denmark", true),
    ("EE", "Estonia", true),
    ("FI", "Finland", true),
    ("FR", "France", true),
    ("DE", "Germany", true),
    ("GR", "Greece", true),
    ("HU", "Hungary", true),
    ("IE", "Ireland", true),
    ("IT", "Italy", true),
    ("LV", "Latvia", true),
    ("LT", "Lithuania", true),
    ("LU", "Luxembourg", true),
    ("MT", "Malta", true),
    ("NL", "Netherlands", true),
    ("PL", "Poland", true),
    ("PT", "Portugal", true),
    ("RO", "Romania", true),
    ("SK", "Slovakia", true),
    ("SI", "Slovenia", true),
    ("ES", "Spain", true),
    ("SE", "Sweden", true),
    ("AU", "Australia", false),
    ("CA", "Canada", false),
    ("IS", "Iceland", false),
    ("JP", "Japan", false),
    ("LI", "Liechtenstein", false),
    ("NO", "Norway", false),
    ("CH", "Switzerland", false),
    ("GB", "United Kingdom", false),
    ("US", "United States", false),
];

/// How an order's method reads (orders keep the code; staff may rename a method later).
pub fn method_label(code: &str) -> &str {
    match code {
        "standard" => "Standard delivery",
        "express" => "Express delivery",
        "pickup" => "Pick-up at the shop",
        other => other,
    }
}

pub fn country_name(code: &str) -> Option<&'static str> {
    COUNTRIES
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, name, _)| *name)
}

/// A country as chosen in a form: its ISO code (any case).
pub fn parse_country(input: &str) -> Result<String, String> {
    let code = input.trim().to_ascii_uppercase();
    if country_name(&code).is_some() {
        Ok(code)
    } else {
        Err("Choose a country from the list.".into())
    }
}

/// A method with its rates.
#[derive(Debug, Clone)]
pub struct Method {
    pub row: MethodRow,
    pub rates: Vec<RateRow>,
}

impl Method {
    /// The rate for a country: the one listing it, else the method's `*` rate.
    pub fn rate_for(&self, country: &str) -> Option<&RateRow> {
        self.rates
            .iter()
            .find(|r| r.countries.split(',').any(|c| c.trim() == country))
            .or_else(|| self.rates.iter().find(|r| r.countries.trim() == "*"))
    }
}

/// A method offered for one country and basket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub code: String,
    pub name: String,
    pub description: String,
    /// What it costs for this basket (0 from the free-shipping threshold).
    pub price_cents: i64,
    pub free_over_cents: Option<i64>,
}

/// The methods offered in `country` for goods worth `goods_cents` (after discounts), in their
/// order; switched-off methods and methods without a rate there are not offered. An empty cart
/// ships for nothing.
pub fn offers(methods: &[Method], country: &str, goods_cents: i64, empty: bool) -> Vec<Offer> {
    methods
        .iter()
        .filter(|m| m.row.active.0)
        .filter_map(|m| {
            let rate = m.rate_for(country)?;
            let free = rate.free_over_cents.is_some_and(|f| goods_cents >= f);
            Some(Offer {
                code: m.row.code.clone(),
                name: m.row.name.clone(),
                description: m.row.description.clone(),
                price_cents: if free || empty { 0 } else { rate.price_cents },
                free_over_cents: rate.free_over_cents,
            })
        })
        .collect()
}

/// Every method with its rates.
pub async fn methods(state: &AppState) -> Result<Vec<Method>, sqlx::Error> {
    let pool = state.db.pool();
    let rates = db::rates(pool).await?;
    Ok(db::methods(pool)
        .await?
        .into_iter()
        .map(|row| Method {
            rates: rates
                .iter()
                .filter(|r| r.method_id == row.id)
                .cloned()
                .collect(),
            row,
        })
        .collect())
}

/// The EU countries other than `home`, as a rate's list.
fn eu_except(home: &str) -> String {
    COUNTRIES
        .iter()
        .filter(|(c, _, eu)| *eu && *c != home)
        .map(|(c, ..)| *c)
        .collect::<Vec<_>>()
        .join(",")
}

/// Creates the standard, express and pick-up methods on the first start (from the settings'
/// flat rate); later starts find them and change nothing.
pub async fn ensure_defaults(state: &AppState) -> Result<(), sqlx::Error> {
    let store = &state.settings.store;
    let home = store.country_code.as_str();
    let home_name = country_name(home).unwrap_or(home);
    let mut tx = state.db.begin_write().await?;
    if db::method_count(&mut tx).await? > 0 {
        return tx.rollback().await;
    }
    let eu = eu_except(home);
    let standard = db::insert_method(
        &mut tx,
        "standard",
        "Standard delivery",
        "2–4 working days",
        1,
    )
    .await?;
    let express = db::insert_method(
        &mut tx,
        "express",
        "Express delivery",
        "Next working day when ordered by 2 pm",
        2,
    )
    .await?;
    let pickup = db::insert_method(
        &mut tx,
        "pickup",
        "Pick-up at the shop",
        "Collect it from the shop; we mail you when it is ready",
        3,
    )
    .await?;
    let rates = [
        (
            standard,
            home_name,
            home,
            store.shipping_cents,
            Some(store.free_shipping_over_cents),
        ),
        (standard, "EU", eu.as_str(), 995, Some(10_000)),
        (standard, "Rest of the world", "*", 2495, None),
        (express, home_name, home, 995, None),
        (express, "EU", eu.as_str(), 1995, None),
        (pickup, home_name, home, 0, None),
    ];
    for (i, (method, zone, countries, price_cents, free_over_cents)) in
        rates.into_iter().enumerate()
    {
        let rate = db::NewRate {
            method,
            zone,
            countries,
            price_cents,
            free_over_cents,
            position: i64::try_from(i).unwrap_or(0),
        };
        db::insert_rate(&mut tx, &rate).await?;
    }
    tx.commit().await
}

/// Sets a rate's price and threshold (decimals as typed), audited.
pub async fn set_rate(
    state: &AppState,
    actor: crate::domain::UserId,
    id: i64,
    price: &str,
    free_over: &str,
) -> Result<(), ShippingError> {
    let mut errors = crate::domain::FieldErrors::new();
    let price = errors.check("price", Money::parse_decimal(price));
    let free = if free_over.trim().is_empty() {
        Some(None)
    } else {
        errors
            .check("free_over", Money::parse_decimal(free_over))
            .map(|m| Some(m.cents()))
    };
    let (Some(price), Some(free)) = (price, free) else {
        return Err(ShippingError::Invalid(errors));
    };
    let mut tx = state.db.begin_write().await?;
    if !db::set_rate(&mut tx, id, price.cents(), free).await? {
        return Err(ShippingError::NotFound);
    }
    let details = format!(
        "price: {}; free from: {}",
        price.to_decimal(),
        free.map(|f| Money::from_cents(f).to_decimal())
            .unwrap_or_else(|| "never".into())
    );
    let entry = crate::db::audit::Entry {
        actor: Some(actor),
        action: "update",
        entity: "shipping rate",
        entity_id: Some(id),
        details: &details,
    };
    crate::db::audit::record(&mut tx, &entry, state.clock.unix()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_method_active(
    state: &AppState,
    actor: crate::domain::UserId,
    id: i64,
    active: bool,
) -> Result<(), ShippingError> {
    let mut tx = state.db.begin_write().await?;
    if !db::set_method_active(&mut tx, id, active).await? {
        return Err(ShippingError::NotFound);
    }
    let entry = crate::db::audit::Entry {
        actor: Some(actor),
        action: if active { "switch on" } else { "switch off" },
        entity: "shipping method",
        entity_id: Some(id),
        details: "",
    };
    crate::db::audit::record(&mut tx, &entry, state.clock.unix()).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Flag;

    fn method(code: &str, active: bool, rates: &[(&str, i64, Option<i64>)]) -> Method {
        Method {
            row: MethodRow {
                id: 1,
                code: code.into(),
                name: code.into(),
                description: String::new(),
                position: 0,
                active: Flag(active),
            },
            rates: rates
                .iter()
                .map(|(countries, price, free)| RateRow {
                    id: 1,
                    method_id: 1,
                    zone: String::new(),
                    countries: (*countries).into(),
                    price_cents: *price,
                    free_over_cents: *free,
                })
                .collect(),
        }
    }

    #[test]
    fn the_country_decides_what_is_offered_and_the_threshold_makes_it_free() {
        let methods = [
            method(
                "standard",
                true,
                &[("DE", 495, Some(5000)), ("*", 2495, None)],
            ),
            method("express", true, &[("DE,AT", 995, None)]),
            method("pickup", false, &[("DE", 0, None)]),
        ];
        let de: Vec<(String, i64)> = offers(&methods, "DE", 4999, false)
            .into_iter()
            .map(|o| (o.code, o.price_cents))
            .collect();
        assert_eq!(de, [("standard".into(), 495), ("express".into(), 995)]);
        assert_eq!(offers(&methods, "DE", 5000, false)[0].price_cents, 0);
        let us: Vec<String> = offers(&methods, "US", 100, false)
            .into_iter()
            .map(|o| o.code)
            .collect();
        assert_eq!(us, ["standard"]);
        assert_eq!(offers(&methods, "AT", 100, false)[1].price_cents, 995);
        assert_eq!(parse_country(" de "), Ok("DE".to_string()));
        assert!(parse_country("XX").is_err());
    }
}

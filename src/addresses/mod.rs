//! The address book: a customer keeps several postal addresses, one of them the default for
//! shipping and one for billing, and picks them at checkout. Orders keep a copy of the text of
//! the addresses they used, so a later edit or deletion changes no order.

use serde::Deserialize;

use crate::db::addresses::{self as db, AddressRow, NewAddress};
use crate::domain::{FieldErrors, Phone, UserId, required_text};
use crate::shipping::{country_name, parse_country};
use crate::state::AppState;

/// The most addresses one customer keeps (a bound on what one account can store).
pub const MAX_ADDRESSES: i64 = 20;

#[derive(Debug, thiserror::Error)]
pub enum AddressError {
    #[error("the input is not valid")]
    Invalid(FieldErrors),
    #[error("no such address")]
    NotFound,
    #[error("database error")]
    Db(#[from] sqlx::Error),
}

/// The address form (also the checkout's "new address" fields).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AddressInput {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub phone: String,
    /// Checkboxes: make it the default for shipping / billing.
    pub default_shipping: Option<String>,
    pub default_billing: Option<String>,
}

/// A postal address that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalAddress {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// International form, or empty.
    pub phone: String,
}

impl PostalAddress {
    /// Reads the form: each field's problem under its name.
    pub fn parse(input: &AddressInput) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", required_text(&input.name, 100, "the name"));
        let street = e.check(
            "street",
            required_text(&input.street, 200, "the street and number"),
        );
        let postcode = e.check("postcode", postcode(&input.postcode));
        let city = e.check("city", required_text(&input.city, 100, "the city"));
        let country = e.check("country", parse_country(&input.country));
        let phone = if input.phone.trim().is_empty() {
            Some(String::new())
        } else {
            e.check(
                "phone",
                Phone::parse(&input.phone).map(|p| p.as_str().to_string()),
            )
        };
        match (name, street, postcode, city, country, phone) {
            (Some(name), Some(street), Some(postcode), Some(city), Some(country), Some(phone))
                if e.is_empty() =>
            {
                Ok(Self {
                    name,
                    street,
                    postcode,
                    city,
                    country,
                    phone,
                })
            }
            _ => Err(e),
        }
    }

    pub fn from_row(r: &AddressRow) -> Self {
        Self {
            name: r.name.clone(),
            street: r.street.clone(),
            postcode: r.postcode.clone(),
            city: r.city.clone(),
            country: r.country.clone(),
            phone: r.phone.clone(),
        }
    }

    /// The row to store.
    pub fn as_new(&self) -> NewAddress<'_> {
        NewAddress {
            name: &self.name,
            street: &self.street,
            postcode: &self.postcode,
            city: &self.city,
            country: &self.country,
            phone: &self.phone,
        }
    }

    /// The lines printed on a parcel or an invoice (the name goes on its own line above).
    pub fn lines(&self) -> String {
        let country = country_name(&self.country).unwrap_or(&self.country);
        let mut text = format!(
            "{}\n{} {}\n{country}",
            self.street, self.postcode, self.city
        );
        if !self.phone.is_empty() {
            text.push('\n');
            text.push_str(&self.phone);
        }
        text
    }

    /// The whole address as orders keep it: the name, then [`lines`](Self::lines).
    pub fn text(&self) -> String {
        format!("{}\n{}", self.name, self.lines())
    }
}

/// 2–12 letters, digits, spaces or dashes (postcodes differ by country).
fn postcode(input: &str) -> Result<String, String> {
    let p = input.trim();
    if p.len() < 2
        || p.len() > 12
        || !p
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        return Err("Enter the postcode (2 to 12 letters, digits, spaces or dashes).".into());
    }
    Ok(p.to_uppercase())
}

fn checked(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("on" | "1" | "true" | "yes"))
}

/// The customer's address book: addresses and which are the defaults.
pub struct Book {
    pub addresses: Vec<AddressRow>,
    pub default_shipping: Option<i64>,
    pub default_billing: Option<i64>,
}

impl Book {
    pub fn get(&self, id: i64) -> Option<&AddressRow> {
        self.addresses.iter().find(|a| a.id == id)
    }

    /// The default shipping address, else the first.
    pub fn shipping(&self) -> Option<&AddressRow> {
        self.default_shipping
            .and_then(|id| self.get(id))
            .or_else(|| self.addresses.first())
    }
}

pub async fn book(state: &AppState, user: UserId) -> Result<Book, AddressError> {
    let pool = state.db.pool();
    let addresses = db::list(pool, user).await?;
    let (default_shipping, default_billing) = db::defaults(pool, user).await?;
    Ok(Book {
        addresses,
        default_shipping,
        default_billing,
    })
}

/// Adds an address; the first one becomes the default for shipping and billing.
pub async fn add(
    state: &AppState,
    user: UserId,
    input: &AddressInput,
) -> Result<i64, AddressError> {
    let a = PostalAddress::parse(input).map_err(AddressError::Invalid)?;
    let mut tx = state.db.begin_write().await?;
    // The customer's row first: two adds at once then count one after the other.
    db::lock_owner(&mut tx, user).await?;
    let existing = db::count(&mut tx, user).await?;
    if existing >= MAX_ADDRESSES {
        let mut e = FieldErrors::new();
        e.add(
            "name",
            format!(
                "An address book holds at most {MAX_ADDRESSES} addresses; please delete one first."
            ),
        );
        return Err(AddressError::Invalid(e));
    }
    let new = a.as_new();
    let id = db::insert(&mut tx, user, &new, state.clock.unix()).await?;
    if existing == 0 || checked(&input.default_shipping) {
        db::set_default(&mut tx, user, id, false).await?;
    }
    if existing == 0 || checked(&input.default_billing) {
        db::set_default(&mut tx, user, id, true).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Changes one of the customer's addresses (orders placed with it keep their copy).
pub async fn update(
    state: &AppState,
    user: UserId,
    id: i64,
    input: &AddressInput,
) -> Result<(), AddressError> {
    let a = PostalAddress::parse(input).map_err(AddressError::Invalid)?;
    let new = a.as_new();
    let mut tx = state.db.begin_write().await?;
    if !db::update(&mut tx, user, id, &new).await? {
        return Err(AddressError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// The form of one of the customer's addresses, filled in.
pub async fn input_of(
    state: &AppState,
    user: UserId,
    id: i64,
) -> Result<AddressInput, AddressError> {
    let a = db::find(state.db.pool(), user, id)
        .await?
        .ok_or(AddressError::NotFound)?;
    Ok(AddressInput {
        name: a.name,
        street: a.street,
        postcode: a.postcode,
        city: a.city,
        country: a.country,
        phone: a.phone,
        ..AddressInput::default()
    })
}

pub async fn delete(state: &AppState, user: UserId, id: i64) -> Result<(), AddressError> {
    let mut tx = state.db.begin_write().await?;
    if !db::delete(&mut tx, user, id).await? {
        return Err(AddressError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

pub async fn set_default(
    state: &AppState,
    user: UserId,
    id: i64,
    billing: bool,
) -> Result<(), AddressError> {
    let mut tx = state.db.begin_write().await?;
    if !db::set_default(&mut tx, user, id, billing).await? {
        return Err(AddressError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_checked_field_by_field() {
        let bad = AddressInput {
            postcode: "!".into(),
            country: "Atlantis".into(),
            phone: "12".into(),
            ..AddressInput::default()
        };
        let e = PostalAddress::parse(&bad).err().unwrap_or_default();
        for f in ["name", "street", "postcode", "city", "country", "phone"] {
            assert!(e.has(f), "{f}");
        }
        let good = AddressInput {
            name: "Ada Lovelace".into(),
            street: "12 Analytical Row".into(),
            postcode: "10115".into(),
            city: "Berlin".into(),
            country: "de".into(),
            phone: "+49 30 1234567".into(),
            ..AddressInput::default()
        };
        let a = PostalAddress::parse(&good).unwrap_or_else(|_| unreachable!());
        assert_eq!(
            a.text(),
            "Ada Lovelace\n12 Analytical Row\n10115 Berlin\nGermany\n+49301234567"
        );
    }
}

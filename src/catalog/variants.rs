//! Staff manage a product's options (up to three: size, colour, …) and its variants: each
//! combination's SKU, price (empty: the product's), stock and whether it is sold. The product's
//! stock becomes the sum of its variants' in the same transaction.

use serde::Deserialize;

use super::CatalogError;
use crate::db::audit::{self, Entry};
use crate::db::is_unique_violation;
use crate::db::variants::{self as db, NewVariant};
use crate::domain::{FieldErrors, Money, ProductId, Sku, UserId, parse_stock};
use crate::state::AppState;

/// The most options a product has.
pub const MAX_OPTIONS: usize = 3;

/// A product's search terms with its variants': their option values as words, and each
/// variant's SKU also whole (as the product's own is), so a search for `TEE-M-B` or "blue"
/// finds the product.
pub async fn product_terms(
    tx: &mut crate::db::Tx,
    s: &crate::db::catalog::TermSource,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let variants = db::variants(&mut **tx, s.id).await?;
    let mut description = s.description.clone();
    for v in &variants {
        for w in [v.sku.as_str(), &v.option1, &v.option2, &v.option3] {
            if !w.is_empty() {
                description.push(' ');
                description.push_str(w);
            }
        }
    }
    let mut t =
        super::terms::product_terms(&s.sku, &s.name, &s.brand, &s.category_name, &description);
    for v in &variants {
        let whole = v.sku.to_lowercase();
        if whole.chars().count() <= super::terms::MAX_TERM_CHARS
            && !t.iter().any(|(x, _)| *x == whole)
        {
            t.push((whole, 8));
        }
    }
    Ok(t)
}

/// Rebuilds a product's search terms with its variants' words.
pub async fn reindex(tx: &mut crate::db::Tx, product: ProductId) -> Result<(), sqlx::Error> {
    let Some(s) = crate::db::catalog::term_source(tx, product).await? else {
        return Ok(());
    };
    let t = product_terms(tx, &s).await?;
    crate::db::catalog::replace_terms(tx, product, &t).await
}

/// `Size, Colour` → the option names (1 to 3, each up to 30 characters).
pub async fn set_options(
    state: &AppState,
    actor: UserId,
    product: ProductId,
    input: &str,
) -> Result<(), CatalogError> {
    let names: Vec<String> = input
        .split(',')
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    let mut e = FieldErrors::new();
    if names.is_empty() || names.len() > MAX_OPTIONS || names.iter().any(|n| n.chars().count() > 30)
    {
        e.add(
            "options",
            "Name one to three options, comma separated (e.g. Size, Colour), each up to 30 characters.",
        );
        return Err(CatalogError::Invalid(e));
    }
    crate::db::catalog::find(state.db.pool(), product)
        .await?
        .ok_or(CatalogError::NotFound)?;
    let mut tx = state.db.begin_write().await?;
    db::set_options(&mut tx, product, &names).await?;
    let details = format!("options: {}", names.join(", "));
    record(&mut tx, actor, product, &details, state.clock.unix()).await?;
    tx.commit().await?;
    super::changed(state, false).await;
    Ok(())
}

async fn record(
    tx: &mut crate::db::Tx,
    actor: UserId,
    product: ProductId,
    details: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let entry = Entry {
        actor: Some(actor),
        action: "update",
        entity: "product",
        entity_id: Some(product.get()),
        details,
    };
    audit::record(tx, &entry, now).await
}

/// The form adding a variant.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct VariantInput {
    pub option1: String,
    pub option2: String,
    pub option3: String,
    pub sku: String,
    /// Empty: the product's price.
    pub price: String,
    pub stock: String,
    /// The edit form's checkbox.
    pub active: Option<String>,
    /// The stock the edit form was filled with: left as it was, the live stock (which
    /// checkouts may have lowered meanwhile) is kept.
    pub stock_original: String,
}

fn price_of(e: &mut FieldErrors, input: &str) -> Option<Option<i64>> {
    if input.trim().is_empty() {
        Some(None)
    } else {
        e.check("price", Money::parse_decimal(input))
            .map(|m| Some(m.cents()))
    }
}

/// Adds a variant, with its picture when one was uploaded (`image`: the upload's bytes).
pub async fn add(
    state: &AppState,
    actor: UserId,
    product: ProductId,
    input: &VariantInput,
    image: Option<Vec<u8>>,
) -> Result<i64, CatalogError> {
    let pool = state.db.pool();
    crate::db::catalog::find(pool, product)
        .await?
        .ok_or(CatalogError::NotFound)?;
    let names = db::options(pool, product).await?;
    let mut e = FieldErrors::new();
    if names.is_empty() {
        e.add("options", "Name the product's options first.");
        return Err(CatalogError::Invalid(e));
    }
    let values = [
        input.option1.trim(),
        input.option2.trim(),
        input.option3.trim(),
    ];
    for (i, name) in names.iter().enumerate() {
        if values[i].is_empty() || values[i].chars().count() > 30 {
            e.add(
                &format!("option{}", i + 1),
                format!("Enter the {} (up to 30 characters).", name.to_lowercase()),
            );
        }
    }
    let sku = e.check("sku", Sku::parse(&input.sku));
    let price = price_of(&mut e, &input.price);
    let stock = e.check("stock", parse_stock(&input.stock));
    let (Some(sku), Some(price), Some(stock)) = (sku, price, stock) else {
        return Err(CatalogError::Invalid(e));
    };
    if !e.is_empty() {
        return Err(CatalogError::Invalid(e));
    }
    // The picture is checked and stored before the transaction (its errors are the form's).
    let picture = match image {
        Some(data) => Some(super::admin::prepare_image(state, data, sku.as_str()).await?),
        None => None,
    };
    // Options the product does not have stay empty.
    let used: Vec<&str> = (0..3)
        .map(|i| if i < names.len() { values[i] } else { "" })
        .collect();
    let mut tx = state.db.begin_write().await?;
    let new = NewVariant {
        product,
        sku: sku.as_str(),
        options: [used[0], used[1], used[2]],
        price_cents: price,
        stock,
    };
    let id = match db::insert(&mut tx, &new).await {
        Ok(id) => id,
        Err(err) if is_unique_violation(&err) => {
            e.add(
                "sku",
                "This SKU or this combination of options exists already.",
            );
            return Err(CatalogError::Invalid(e));
        }
        Err(err) => return Err(err.into()),
    };
    if let Some(p) = &picture {
        db::set_image(&mut tx, id, &p.thumb).await?;
    }
    // The first variant makes the product's stock their sum; later ones add to it (no sum read
    // that a concurrent checkout could outdate).
    if db::count_for(&mut tx, product).await? == 1 {
        db::recount(&mut tx, product).await?;
    } else {
        db::adjust(&mut tx, product, stock).await?;
    }
    reindex(&mut tx, product).await?;
    let details = format!("variant {} added: stock {stock}", sku.as_str());
    record(&mut tx, actor, product, &details, state.clock.unix()).await?;
    tx.commit().await?;
    super::changed(state, true).await;
    Ok(id)
}

pub async fn update(
    state: &AppState,
    actor: UserId,
    product: ProductId,
    variant: i64,
    input: &VariantInput,
) -> Result<(), CatalogError> {
    let mut e = FieldErrors::new();
    let price = price_of(&mut e, &input.price);
    let stock = e.check("stock", parse_stock(&input.stock));
    let (Some(price), Some(stock)) = (price, stock) else {
        return Err(CatalogError::Invalid(e));
    };
    let active = matches!(input.active.as_deref(), Some("on" | "1" | "true"));
    let keep = input.stock.trim() == input.stock_original.trim();
    let mut tx = state.db.begin_write().await?;
    let new_stock = (!keep).then_some(stock);
    if !db::update(&mut tx, product, variant, price, new_stock, active).await? {
        return Err(CatalogError::NotFound);
    }
    let details = format!("variant {variant}: stock {stock}, on sale {active}");
    record(&mut tx, actor, product, &details, state.clock.unix()).await?;
    tx.commit().await?;
    super::changed(state, false).await;
    Ok(())
}

//! Product administration: validation, create, update, delete, all audited.

use anyhow::Context;

use super::images::{self, ImageError};
use super::{CatalogError, slugify};
use crate::db::audit::{self, Changes, Entry};
use crate::db::catalog::{self, NewImage, Product, ProductData};
use crate::db::{Tx, is_unique_violation};
use crate::domain::{
    FieldErrors, Money, ProductId, Sku, TaxClass, UserId, parse_stock, required_line,
};
use crate::state::AppState;

pub const NAME_MAX: usize = 200;
pub const BRAND_MAX: usize = 100;
pub const CATEGORY_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 5000;

/// The product fields as typed in the admin form or a CSV row.
#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub category: String,
    pub price: String,
    pub stock: String,
    pub active: bool,
    /// The stock the edit form was filled with: if the admin leaves the field as it was, the
    /// live stock (which checkouts may have lowered meanwhile) is kept.
    pub stock_original: String,
    /// `standard`, `reduced` or `zero`; empty keeps a product's class (standard for a new one).
    pub tax_class: String,
}

impl ProductInput {
    pub fn from_product(p: &Product) -> Self {
        Self {
            sku: p.sku.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            brand: p.brand.clone(),
            category: p.category_name.clone(),
            price: p.price.to_decimal(),
            stock: p.stock.to_string(),
            active: p.active,
            stock_original: p.stock.to_string(),
            tax_class: p.tax_class.as_str().to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ValidProduct {
    /// None on creation without a SKU: one is made from the id.
    pub sku: Option<Sku>,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub category: String,
    pub price: Money,
    pub stock: i64,
    pub active: bool,
    /// True when the stock field was left as loaded: updates then keep the live stock.
    pub keep_stock: bool,
    /// None keeps the stored class (standard for a new product).
    pub tax_class: Option<TaxClass>,
}

pub fn validate(input: &ProductInput) -> Result<ValidProduct, FieldErrors> {
    let mut e = FieldErrors::new();
    let sku = if input.sku.trim().is_empty() {
        Some(None)
    } else {
        e.check("sku", Sku::parse(&input.sku).map(Some))
    };
    let name = e.check(
        "name",
        required_line(&input.name, NAME_MAX, "the product name"),
    );
    let brand = e.check("brand", required_line(&input.brand, BRAND_MAX, "the brand"));
    let category = e.check(
        "category",
        required_line(&input.category, CATEGORY_MAX, "the category"),
    );
    if category.as_deref().is_some_and(|c| slugify(c).is_empty()) {
        e.add(
            "category",
            "A category name needs at least one letter or digit.",
        );
    }
    let description = input.description.trim().to_string();
    if description.chars().count() > DESCRIPTION_MAX {
        e.add(
            "description",
            format!("The description can be at most {DESCRIPTION_MAX} characters long."),
        );
    }
    let price = e.check("price", Money::parse_decimal(&input.price));
    let stock = e.check("stock", parse_stock(&input.stock));
    let tax_class = if input.tax_class.trim().is_empty() {
        None
    } else {
        let parsed = TaxClass::parse(&input.tax_class);
        if parsed.is_none() {
            e.add("tax_class", "The tax class is standard, reduced or zero.");
        }
        parsed
    };
    match (sku, name, brand, category, price, stock) {
        (Some(sku), Some(name), Some(brand), Some(category), Some(price), Some(stock))
            if e.is_empty() =>
        {
            Ok(ValidProduct {
                sku,
                name,
                description,
                brand,
                category,
                price,
                stock,
                active: input.active,
                keep_stock: input.stock_original.trim() == input.stock.trim(),
                tax_class,
            })
        }
        _ => Err(e),
    }
}

/// Decodes and stores an uploaded image (on a blocking thread); errors are form errors.
pub async fn prepare_image(
    state: &AppState,
    data: Vec<u8>,
    alt: &str,
) -> Result<OwnedImage, CatalogError> {
    let dir = state.settings.media.dir.clone();
    let (max_bytes, max_mp) = (
        state.settings.media.max_image_bytes,
        state.settings.media.max_image_megapixels,
    );
    let result = tokio::task::spawn_blocking(
        move || -> Result<Result<OwnedImage, ImageError>, std::io::Error> {
            let processed = match images::process_upload(&data, max_bytes, max_mp) {
                Ok(p) => p,
                Err(e) => return Ok(Err(e)),
            };
            let file = images::store(&dir, &processed.large.bytes, processed.large.ext)?;
            let thumb = images::store(&dir, &processed.thumb.bytes, processed.thumb.ext)?;
            Ok(Ok(OwnedImage {
                file,
                thumb,
                width: processed.large.width.into(),
                height: processed.large.height.into(),
                thumb_width: processed.thumb.width.into(),
                thumb_height: processed.thumb.height.into(),
                alt: String::new(),
            }))
        },
    )
    .await
    .map_err(|e| CatalogError::Internal(e.into()))?
    .map_err(|e| CatalogError::Internal(anyhow::anyhow!("storing an image failed: {e}")))?;
    match result {
        Ok(mut img) => {
            img.alt = alt.to_string();
            Ok(img)
        }
        Err(e) => {
            let mut errors = FieldErrors::new();
            errors.add("image", e.to_string());
            Err(CatalogError::Invalid(errors))
        }
    }
}

#[derive(Debug, Clone)]
pub struct OwnedImage {
    pub file: String,
    pub thumb: String,
    pub width: i64,
    pub height: i64,
    pub thumb_width: i64,
    pub thumb_height: i64,
    pub alt: String,
}

impl OwnedImage {
    pub fn as_new(&self) -> NewImage<'_> {
        NewImage {
            file: &self.file,
            thumb: &self.thumb,
            width: self.width,
            height: self.height,
            thumb_width: self.thumb_width,
            thumb_height: self.thumb_height,
            alt: &self.alt,
        }
    }
}

fn sku_taken() -> CatalogError {
    let mut e = FieldErrors::new();
    e.add("sku", "Another product already has this SKU.");
    CatalogError::Invalid(e)
}

/// Writes a product (new when `id` is None) with its category and search terms.
pub(crate) async fn save(
    tx: &mut Tx,
    id: Option<ProductId>,
    p: &ValidProduct,
    popularity: i64,
    now: i64,
) -> Result<ProductId, sqlx::Error> {
    let category_id = catalog::ensure_category(tx, &p.category, &slugify(&p.category)).await?;
    // A placeholder SKU is replaced by one made from the id right after the insert.
    let placeholder = Sku::from_trusted(format!("NEW-{}", uuid::Uuid::new_v4().simple()));
    let sku = p.sku.clone().unwrap_or(placeholder);
    let data = ProductData {
        sku: &sku,
        name: &p.name,
        description: &p.description,
        brand: &p.brand,
        category_id,
        price: p.price,
        stock: (id.is_none() || !p.keep_stock).then_some(p.stock),
        active: p.active,
        tax_class: p.tax_class,
    };
    let id = match id {
        Some(id) => {
            catalog::count_on_sale(tx, id, -1).await?;
            catalog::update(tx, id, &data, now).await?;
            id
        }
        None => catalog::insert(tx, &data, popularity, now).await?,
    };
    // A product with variants has the sum of their stock, whatever the form said.
    crate::db::variants::recount(tx, id).await?;
    catalog::count_on_sale(tx, id, 1).await?;
    let sku = match &p.sku {
        Some(s) => s.clone(),
        None => {
            let made = Sku::from_trusted(format!("P-{:06}", id.get()));
            catalog::set_sku(tx, id, &made).await?;
            made
        }
    };
    // A product's variants' SKUs and options are found by search too.
    let source = catalog::TermSource {
        id,
        sku: sku.as_str().to_string(),
        name: p.name.clone(),
        brand: p.brand.clone(),
        category_name: p.category.clone(),
        description: p.description.clone(),
    };
    let terms = super::variants::product_terms(tx, &source).await?;
    catalog::replace_terms(tx, id, &terms).await?;
    Ok(id)
}

/// The end of every product change: the audit entry in the same transaction, the commit, and
/// the listing caches dropped.
async fn finish(
    state: &AppState,
    mut tx: Tx,
    actor: UserId,
    action: &str,
    id: ProductId,
    details: &str,
    now: i64,
) -> Result<(), CatalogError> {
    let entry = Entry {
        actor: Some(actor),
        action,
        entity: "product",
        entity_id: Some(id.get()),
        details,
    };
    audit::record(&mut tx, &entry, now)
        .await
        .context("audit the product change")?;
    tx.commit().await.context("commit the product change")?;
    crate::catalog::changed(state, true).await;
    Ok(())
}

#[tracing::instrument(name = "product create", skip_all, fields(%actor))]
pub async fn create(
    state: &AppState,
    actor: UserId,
    p: &ValidProduct,
    image: Option<&OwnedImage>,
) -> Result<ProductId, CatalogError> {
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    let id = match save(&mut tx, None, p, 0, now).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Err(sku_taken()),
        Err(e) => return Err(e.into()),
    };
    if let Some(img) = image {
        catalog::add_main_image(&mut tx, id, &img.as_new()).await?;
    }
    let details = format!(
        "created \u{201c}{}\u{201d}: price {}, stock {}, {}",
        p.name,
        p.price.to_decimal(),
        p.stock,
        if p.active { "active" } else { "inactive" }
    );
    finish(state, tx, actor, "create", id, &details, now).await?;
    Ok(id)
}

/// What changed between the stored product and the new values, for the audit log.
fn diff(old: &Product, new: &ValidProduct) -> String {
    let mut c = Changes::new();
    if let Some(sku) = &new.sku {
        c.field("sku", &old.sku, sku.as_str());
    }
    c.field("name", &old.name, &new.name)
        .field("brand", &old.brand, &new.brand)
        .field("category", &old.category_name, &new.category)
        .field("price", &old.price.to_decimal(), &new.price.to_decimal());
    if !new.keep_stock {
        c.field("stock", &old.stock.to_string(), &new.stock.to_string());
    }
    c.field("active", &old.active.to_string(), &new.active.to_string());
    if let Some(class) = new.tax_class {
        c.field("tax class", old.tax_class.as_str(), class.as_str());
    }
    if old.description != new.description {
        c.note("description changed");
    }
    c.text()
}

#[tracing::instrument(name = "product update", skip_all, fields(%actor, %id))]
pub async fn update(
    state: &AppState,
    actor: UserId,
    id: ProductId,
    p: &ValidProduct,
    image: Option<&OwnedImage>,
) -> Result<(), CatalogError> {
    let Some(old) = catalog::find(state.db.pool(), id).await? else {
        return Err(CatalogError::NotFound);
    };
    let mut p = p.clone();
    // An empty SKU field keeps the SKU.
    p.sku = p.sku.or_else(|| Some(Sku::from_trusted(old.sku.clone())));
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    match save(&mut tx, Some(id), &p, 0, now).await {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Err(sku_taken()),
        Err(e) => return Err(e.into()),
    }
    let mut details = diff(&old, &p);
    if let Some(img) = image {
        catalog::add_main_image(&mut tx, id, &img.as_new()).await?;
        details = if details.is_empty() {
            "new image".into()
        } else {
            format!("{details}; new image")
        };
    }
    if details.is_empty() {
        details = "saved without changes".into();
    }
    finish(state, tx, actor, "update", id, &details, now).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Deleted,
    /// It is referenced by orders, so it stays, hidden from the shop.
    Deactivated,
}

pub async fn delete(
    state: &AppState,
    actor: UserId,
    id: ProductId,
) -> Result<Removal, CatalogError> {
    let Some(old) = catalog::find(state.db.pool(), id).await? else {
        return Err(CatalogError::NotFound);
    };
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    let removal = if catalog::delete_unless_referenced(&mut tx, id).await? {
        Removal::Deleted
    } else {
        catalog::set_active(&mut tx, id, false, now).await?;
        Removal::Deactivated
    };
    let (action, details) = match removal {
        Removal::Deleted => (
            "delete",
            format!("deleted \u{201c}{}\u{201d} ({})", old.name, old.sku),
        ),
        Removal::Deactivated => (
            "deactivate",
            format!(
                "deactivated \u{201c}{}\u{201d} ({}): it appears in orders",
                old.name, old.sku
            ),
        ),
    };
    finish(state, tx, actor, action, id, &details, now).await?;
    Ok(removal)
}

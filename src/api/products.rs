//! `/api/v1/product/…`: the catalogue, with the listing page's filters, sorts and pages. Unlike
//! the page (which ignores nonsense parameters with a notice), the API refuses them with 400.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use crate::catalog::search::{self, PAGE_SIZE, Search, SearchParams};
use crate::db::catalog as db;
use crate::domain::{FieldErrors, Money, ProductId};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    Relevance,
    PriceAsc,
    PriceDesc,
    Name,
    Newest,
    Rating,
}

impl SortKey {
    fn as_str(self) -> &'static str {
        match self {
            SortKey::Relevance => "relevance",
            SortKey::PriceAsc => "price_asc",
            SortKey::PriceDesc => "price_desc",
            SortKey::Name => "name",
            SortKey::Newest => "newest",
            SortKey::Rating => "rating",
        }
    }
}

pub const MAX_PAGE: i64 = 100_000;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// Words to search for in name, brand, category, SKU and description (word prefixes).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Category slug, e.g. `kitchen`.
    #[param(max_length = 100)]
    pub category: Option<String>,
    #[param(max_length = 100)]
    pub brand: Option<String>,
    /// Lowest price, a decimal such as `10` or `9.99`.
    #[param(pattern = r"^[0-9]{1,9}(\.[0-9]{1,2})?$")]
    pub min_price: Option<String>,
    /// Highest price, a decimal such as `50` or `49.99`.
    #[param(pattern = r"^[0-9]{1,9}(\.[0-9]{1,2})?$")]
    pub max_price: Option<String>,
    #[param(inline)]
    pub sort: Option<SortKey>,
    /// Page number, from 1; a page past the end gives the last page.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<i64>,
}

/// A decimal amount exactly as the schema's pattern describes it (the page also takes `12,5`).
fn is_amount(s: &str) -> bool {
    let digits =
        |t: &str, max: usize| (1..=max).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
    match s.split_once('.') {
        Some((whole, frac)) => digits(whole, 9) && digits(frac, 2),
        None => digits(s, 9),
    }
}

impl ProductQuery {
    /// The catalogue's own search, after refusing what the page would only have ignored.
    fn parse(&self) -> Result<Search, ApiError> {
        let mut e = FieldErrors::new();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        if self.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
            e.add("q", "At most 200 characters.");
        }
        for (field, v) in [("category", &self.category), ("brand", &self.brand)] {
            if v.as_ref().is_some_and(|v| v.chars().count() > 100) {
                e.add(field, "At most 100 characters.");
            }
        }
        for (field, v) in [
            ("min_price", &self.min_price),
            ("max_price", &self.max_price),
        ] {
            if let Some(v) = v.as_deref() {
                if !is_amount(v) {
                    e.add(field, "Enter an amount like 12.50 (at most two decimals).");
                } else if let Err(message) = Money::parse_decimal(v) {
                    e.add(field, message);
                }
            }
        }
        if self.page.is_some_and(|p| !(1..=MAX_PAGE).contains(&p)) {
            e.add("page", format!("Pages are numbered from 1 to {MAX_PAGE}."));
        }
        if !e.is_empty() {
            return Err(ApiError::invalid(e));
        }
        Ok(Search::parse(&SearchParams {
            q: text(&self.q),
            category: text(&self.category),
            brand: text(&self.brand),
            min_price: text(&self.min_price),
            max_price: text(&self.max_price),
            sort: self
                .sort
                .map(SortKey::as_str)
                .unwrap_or_default()
                .to_string(),
            page: self.page.map(|p| p.to_string()).unwrap_or_default(),
        }))
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "name": "Enamel teapot", "description": "Holds 1.2 litres.", "brand": "Kettle & Co",
    "category": "Kitchen", "price": "24.90", "price_cents": 2490, "currency": "EUR", "stock": 12,
    "image": "/media/3b9c…-thumb.png", "rating": null
}))]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub category: String,
    /// The price as a decimal string (VAT included).
    pub price: String,
    pub price_cents: i64,
    /// ISO 4217 code.
    pub currency: String,
    pub stock: i64,
    /// Path of the main picture (a thumbnail in lists), if there is one.
    pub image: Option<String>,
    /// Average rating from 1 to 5; null until the product has reviews.
    pub rating: Option<f64>,
}

impl Product {
    #[allow(clippy::too_many_arguments)]
    fn new(
        id: i64,
        name: String,
        description: String,
        brand: String,
        category: String,
        price_cents: i64,
        stock: i64,
        currency: &str,
    ) -> Self {
        Self {
            id,
            name,
            description,
            brand,
            category,
            price: Money::from_cents(price_cents).to_decimal(),
            price_cents,
            currency: currency.to_string(),
            stock,
            image: None,
            // No reviews yet: the contract's `rating` stays null until they exist.
            rating: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductList {
    pub items: Vec<Product>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    pub total_pages: i64,
}

/// Products, with the same filters, sorts and pages as `/products`.
#[utoipa::path(
    operation_id = "listProducts",
    get,
    path = "/api/v1/product/",
    tag = "products",
    params(ProductQuery),
    responses(
        (status = 200, description = "One page of products", body = ProductList),
        (status = 400, description = "A parameter is not valid", body = ErrorBody),
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<ProductQuery>,
) -> Result<HttpResponse, ApiError> {
    let search = query.parse()?;
    let listing = search::list(&state, &search).await?;
    let currency = &state.settings.store.currency;
    let items = listing
        .cards
        .into_iter()
        .map(|c| Product {
            image: c.thumb.as_ref().map(|t| format!("/media/{t}")),
            ..Product::new(
                c.id,
                c.name,
                c.description,
                c.brand,
                c.category_name,
                c.price_cents,
                c.stock,
                currency,
            )
        })
        .collect();
    Ok(HttpResponse::Ok().json(ProductList {
        items,
        page: listing.page,
        per_page: PAGE_SIZE,
        total: listing.total,
        total_pages: listing.pages,
    }))
}

/// One product (only products on sale are found).
#[utoipa::path(
    operation_id = "getProduct",
    get,
    path = "/api/v1/product/{id}",
    tag = "products",
    params(("id" = i64, Path, description = "Product id")),
    responses(
        (status = 200, description = "The product", body = Product),
        (status = 404, description = "No such product", body = ErrorBody),
    )
)]
pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::not_found("No such product.");
    let id = path
        .parse::<i64>()
        .map(ProductId)
        .map_err(|_| not_found())?;
    let pool = state.db.pool();
    let p = db::find(pool, id)
        .await?
        .filter(|p| p.active != 0)
        .ok_or_else(not_found)?;
    let image = db::images(pool, id)
        .await?
        .into_iter()
        .next()
        .map(|i| format!("/media/{}", i.file));
    Ok(HttpResponse::Ok().json(Product {
        image,
        ..Product::new(
            p.id,
            p.name,
            p.description,
            p.brand,
            p.category_name,
            p.price_cents,
            p.stock,
            &state.settings.store.currency,
        )
    }))
}

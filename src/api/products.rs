//! `/api/v1/product/…`: the catalogue, with the listing page's filters, sorts and pages. Unlike
//! the page (which ignores nonsense parameters with a notice), the API refuses them with 400.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use crate::catalog::search::{self, PAGE_SIZE, SearchQuery};
use crate::catalog::terms::MAX_QUERY_CHARS;
use crate::catalog::{self, search::MAX_FACET_CHARS};
use crate::db::catalog::ProductCard;
use crate::domain::{FieldErrors, Money, ProductId, Sort};
use crate::engagement::reviews::average;
use crate::http::{Path, media_url};
use crate::state::AppState;

/// The `sort` parameter's schema: one of the store's sort words.
fn sort_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(Sort::ALL.map(Sort::as_str)))
        .build()
}

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
    #[param(schema_with = sort_schema)]
    pub sort: Option<Sort>,
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
    /// The catalogue's query, after refusing what the page would only have ignored.
    fn parse(&self) -> Result<SearchQuery, ApiError> {
        let mut e = FieldErrors::new();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        if self
            .q
            .as_ref()
            .is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS)
        {
            e.add("q", format!("At most {MAX_QUERY_CHARS} characters."));
        }
        for (field, v) in [("category", &self.category), ("brand", &self.brand)] {
            if v.as_ref()
                .is_some_and(|v| v.chars().count() > MAX_FACET_CHARS)
            {
                e.add(field, format!("At most {MAX_FACET_CHARS} characters."));
            }
        }
        let mut price = |field: &str, v: &Option<String>| -> Option<Money> {
            let v = v.as_deref()?;
            if !is_amount(v) {
                e.add(field, "Enter an amount like 12.50 (at most two decimals).");
                return None;
            }
            e.check(field, Money::parse_decimal(v))
        };
        let min = price("min_price", &self.min_price);
        let max = price("max_price", &self.max_price);
        let page = super::check_page(self.page, &mut e);
        if !e.is_empty() {
            return Err(ApiError::invalid(e));
        }
        Ok(SearchQuery::from_parts(
            &text(&self.q),
            &text(&self.category),
            &text(&self.brand),
            min,
            max,
            self.sort.unwrap_or_default(),
            page,
        )
        .query)
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "name": "Enamel teapot", "description": "Holds 1.2 litres.", "brand": "Kettle & Co",
    "category": "Kitchen", "price": "24.90", "price_cents": 2490, "currency": "EUR", "stock": 12,
    "image": "/media/3b9c…-thumb.png", "rating": null
}))]
pub struct Product {
    #[schema(value_type = i64)]
    pub id: ProductId,
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
    /// Average rating from 1 to 5, to one decimal; null until the product has reviews.
    pub rating: Option<f64>,
    /// The option names ("Size", "Colour") and the variants on sale (one product only; lists
    /// leave them out). A product with variants is put in the cart with a `variant_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variants: Option<Vec<Variant>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Variant {
    pub id: i64,
    pub sku: String,
    /// The values of the product's options, in their order.
    pub options: Vec<String>,
    pub price_cents: i64,
    pub stock: i64,
    /// The variant's own picture (a thumbnail), if it has one.
    pub image: Option<String>,
}

impl Product {
    /// A listing card as the API shows it (the image is the thumbnail).
    pub fn from_card(c: ProductCard, currency: &str) -> Self {
        Self {
            id: c.id,
            price: c.price.to_decimal(),
            price_cents: c.price.cents(),
            currency: currency.to_string(),
            stock: c.stock,
            image: c.thumb.as_deref().map(media_url),
            rating: average(c.rating_count, c.rating_sum),
            options: None,
            variants: None,
            name: c.name,
            description: c.description,
            brand: c.brand,
            category: c.category_name,
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
        (status = 503, description = "The search asks for too much at once: narrow it or retry (Retry-After)", body = ErrorBody),
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<ProductQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.parse()?;
    let listing = search::list(&state, &query).await?;
    let currency = &state.settings.store.currency;
    let items = listing
        .cards
        .into_iter()
        .map(|c| Product::from_card(c, currency))
        .collect();
    Ok(HttpResponse::Ok().json(ProductList {
        items,
        page: listing.page.page(),
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
    Path(id): Path<ProductId>,
) -> Result<HttpResponse, ApiError> {
    let on_sale = catalog::product_on_sale(&state, id).await?;
    let p = on_sale.product;
    let currency = &state.settings.store.currency;
    let pool = state.db.pool();
    let options = crate::db::variants::options(pool, id).await?;
    let variants: Vec<Variant> = crate::db::variants::variants(pool, id)
        .await?
        .into_iter()
        .filter(|v| v.active.0)
        .map(|v| Variant {
            id: v.id,
            options: v
                .values()
                .iter()
                .take(options.len())
                .map(|s| s.to_string())
                .collect(),
            price_cents: v.price(p.price).cents(),
            stock: v.stock,
            image: v.image.as_deref().map(media_url),
            sku: v.sku,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Product {
        options: Some(options),
        variants: Some(variants),
        id: p.id,
        price: p.price.to_decimal(),
        price_cents: p.price.cents(),
        currency: currency.clone(),
        stock: p.stock,
        // The full picture here; lists carry the thumbnail.
        image: on_sale.images.first().map(|i| media_url(&i.file)),
        rating: average(p.rating_count, p.rating_sum),
        name: p.name,
        description: p.description,
        brand: p.brand,
        category: p.category_name,
    }))
}

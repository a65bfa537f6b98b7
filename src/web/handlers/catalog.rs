//! The shop window: product listing with search, filters, sorting and pages; product pages.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::catalog::StockState;
use crate::catalog::search::{self, SORTS, Search, SearchParams};
use crate::db::catalog::{self as db, Facet};
use crate::domain::{Money, ProductId};
use crate::state::AppState;
use crate::web::context::PageContext;
use crate::web::errors::AppError;
use crate::web::render;
use crate::web::views::{CardView, PageLink, page_links};

#[derive(Template)]
#[template(path = "products.html")]
struct ProductsPage {
    ctx: PageContext,
    search: Search,
    cards: Vec<CardView>,
    total: i64,
    pages: Vec<PageLink>,
    categories: Vec<Facet>,
    brands: Vec<Facet>,
    sorts: &'static [(&'static str, &'static str)],
    first_index: i64,
}

pub async fn list(
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let search = Search::parse(&query);
    let listing = search::list(&state, &search).await?;
    let pages = page_links(listing.page, listing.pages, |n| search.link(None, Some(n)));
    let page = ProductsPage {
        ctx,
        cards: CardView::list(listing.cards, &state.settings.store.currency),
        total: listing.total,
        first_index: (listing.page - 1) * search::PAGE_SIZE + 1,
        pages,
        categories: listing.categories,
        brands: listing.brands,
        sorts: SORTS,
        search,
    };
    render(StatusCode::OK, &page)
}

pub struct ImageView {
    pub url: String,
    pub thumb: String,
    pub width: i64,
    pub height: i64,
    pub alt: String,
}

#[derive(Template)]
#[template(path = "product.html")]
struct ProductPage {
    ctx: PageContext,
    id: i64,
    sku: String,
    name: String,
    description: String,
    brand: String,
    category: String,
    category_slug: String,
    price: String,
    stock_label: String,
    stock_class: &'static str,
    available: bool,
    max_quantity: i64,
    images: Vec<ImageView>,
}

pub async fn show(
    ctx: PageContext,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    // Ids that are not numbers are simply not found.
    let id = path
        .parse::<i64>()
        .map(ProductId)
        .map_err(|_| AppError::NotFound)?;
    let pool = state.db.pool();
    let product = db::find(pool, id)
        .await?
        .filter(|p| p.active != 0)
        .ok_or(AppError::NotFound)?;
    let images = db::images(pool, id)
        .await?
        .into_iter()
        .map(|i| ImageView {
            url: format!("/media/{}", i.file),
            thumb: format!("/media/{}", i.thumb),
            width: i.width,
            height: i.height,
            alt: i.alt,
        })
        .collect();
    let stock = StockState::of(product.stock);
    let page = ProductPage {
        ctx,
        id: product.id,
        sku: product.sku,
        name: product.name,
        description: product.description,
        brand: product.brand,
        category: product.category_name,
        category_slug: product.category_slug,
        price: Money::from_cents(product.price_cents).display(&state.settings.store.currency),
        stock_label: stock.label(),
        stock_class: stock.class(),
        available: stock.available(),
        max_quantity: product.stock.clamp(1, 99),
        images,
    };
    render(StatusCode::OK, &page)
}

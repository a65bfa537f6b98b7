//! The shop window: product listing with search, filters, sorting and pages; product pages.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::catalog::search::{self, SearchParams};
use crate::catalog::{self, StockState};
use crate::db::catalog::Facet;
use crate::domain::{MAX_QUANTITY, ProductId};
use crate::http::{Path, media_url};
use crate::state::AppState;
use crate::web::context::PageContext;
use crate::web::errors::AppError;
use crate::web::render;
use crate::web::views::listing::{ListingState, sort_options};
use crate::web::views::{CardView, PageLink, page_links, stock_class};

#[derive(Template)]
#[template(path = "products.html")]
struct ProductsPage {
    ctx: PageContext,
    search: ListingState,
    cards: Vec<CardView>,
    total: i64,
    pages: Vec<PageLink>,
    categories: Vec<Facet>,
    brands: Vec<Facet>,
    sorts: Vec<(&'static str, &'static str)>,
    first_index: i64,
}

pub async fn list(
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let parsed = query.parse();
    let listing = search::list(&state, &parsed.query).await?;
    let search = ListingState::new(parsed);
    let pages = page_links(listing.page.page(), listing.pages, |n| search.page_link(n));
    let page = ProductsPage {
        ctx,
        cards: CardView::list(listing.cards, &state.settings.store.currency),
        total: listing.total,
        first_index: listing.page.first_index(),
        pages,
        categories: listing.categories,
        brands: listing.brands,
        sorts: sort_options(),
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
    id: ProductId,
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
    Path(id): Path<ProductId>,
) -> Result<HttpResponse, AppError> {
    let on_sale = catalog::product_on_sale(&state, id).await?;
    let product = on_sale.product;
    let images = on_sale
        .images
        .into_iter()
        .map(|i| ImageView {
            url: media_url(&i.file),
            thumb: media_url(&i.thumb),
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
        price: product.price.display(&state.settings.store.currency),
        stock_label: stock.label(),
        stock_class: stock_class(stock),
        available: stock.available(),
        // One request adds at most what is in stock, and never more than a cart line holds.
        max_quantity: product.stock.clamp(1, MAX_QUANTITY),
        images,
    };
    render(StatusCode::OK, &page)
}

//! The shop window: product listing with search, filters, sorting and pages; product pages with
//! their reviews, the customer's own review form, the wishlist control and "also bought".

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::catalog::search::{self, SearchParams};
use crate::catalog::{self, StockState};
use crate::db::catalog::Facet;
use crate::discounts::promotions::{Deal, deal};
use crate::domain::{FieldErrors, MAX_QUANTITY, Money, Pagination, ProductId};
use crate::engagement::{recommend, reviews, wishlist};
use crate::http::{Path, media_url};
use crate::state::AppState;
use crate::web::context::PageContext;
use crate::web::errors::AppError;
use crate::web::render;
use crate::web::views::engagement::ReviewsView;
use crate::web::views::listing::{ListingState, sort_options};
use crate::web::views::{CardView, PageLink, page_links, stock_class, url_with};

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
    /// Words that matched nothing and what was searched instead (typed, used).
    corrected: Vec<(String, String)>,
    /// "Did you mean …?" (link, words) when nothing was found.
    suggestion: Option<(String, String)>,
    /// Shown instead of an empty page.
    popular: Vec<CardView>,
}

/// Gives the signed-in customer's cards their wishlist state (guests get no control), and
/// every card the running promotion on it.
pub async fn mark_wished(
    state: &AppState,
    ctx: &PageContext,
    cards: &mut [CardView],
) -> Result<(), AppError> {
    show_deals(state, cards).await?;
    if let Some(u) = &ctx.user {
        let ids: Vec<ProductId> = cards.iter().map(|c| c.id).collect();
        let wished = wishlist::wished_among(state, u.id, &ids).await?;
        CardView::mark_wished(cards, &wished);
    }
    Ok(())
}

/// Shows the promotions running now on these cards.
pub async fn show_deals(state: &AppState, cards: &mut [CardView]) -> Result<(), AppError> {
    let running = crate::discounts::promotions::running(state).await?;
    if !running.is_empty() {
        CardView::show_deals(cards, &running, &state.settings.store.currency);
    }
    Ok(())
}

pub async fn list(
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let mut parsed = query.parse();
    let listing = search::list(&state, &parsed.query).await?;
    for word in &listing.ignored {
        parsed.notices.push(format!(
            "\u{201c}{word}\u{201d} is in too many products to search for, so it was left out."
        ));
    }
    let search = ListingState::new(parsed);
    let pages = page_links(listing.page.page(), listing.pages, |n| search.page_link(n));
    let currency = &state.settings.store.currency;
    let mut cards = CardView::list(listing.cards, currency);
    mark_wished(&state, &ctx, &mut cards).await?;
    let mut popular = CardView::list(listing.popular, currency);
    mark_wished(&state, &ctx, &mut popular).await?;
    let page = ProductsPage {
        ctx,
        cards,
        popular,
        corrected: listing.corrected,
        suggestion: listing
            .suggestion
            .map(|s| (url_with("/products", &[("q", &s)]), s)),
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

/// The customer's review form as it stands (their saved review, or what they just typed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub rating: String,
    pub comment: String,
    /// Where to go back to after posting (the order page posts here too).
    pub next: String,
}

/// What the signed-in customer may do about reviewing this product.
pub enum ReviewAccess {
    /// Not signed in: invited to sign in.
    Guest,
    /// Signed in but did not buy it: told why they cannot.
    NotBought,
    /// May post (or edit, when `existing`).
    Open { existing: bool },
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
    /// The running promotion: its name and badge, and the list price struck through when the
    /// offer lowers the unit price.
    deal: Option<Deal>,
    was_price: Option<String>,
    stock_label: String,
    stock_class: &'static str,
    available: bool,
    max_quantity: i64,
    images: Vec<ImageView>,
    reviews: ReviewsView,
    review_pages: Vec<PageLink>,
    access: ReviewAccess,
    form: ReviewForm,
    errors: FieldErrors,
    /// On the customer's wishlist (None for guests).
    wished: Option<bool>,
    also_bought: Vec<CardView>,
    /// The quantity field as typed, and why it was refused (an add to the cart).
    quantity: String,
    quantity_error: Option<String>,
    /// The product's options (size, colour) with their values, and every variant with its
    /// price and stock (the table a shopper without JavaScript chooses from).
    options: Vec<OptionChoice>,
    variants: Vec<VariantView>,
}

pub struct OptionChoice {
    /// 1–3: the form field is `option{position}`.
    pub position: usize,
    pub name: String,
    pub values: Vec<String>,
}

pub struct VariantView {
    /// The variant's own picture (its thumbnail), if it has one.
    pub image: Option<String>,
    pub label: String,
    pub sku: String,
    pub price: String,
    pub stock_label: String,
    pub stock_class: &'static str,
}

/// An add to the cart that was refused, shown again at the quantity field.
pub struct CartAttempt {
    pub quantity: String,
    pub error: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProductQuery {
    reviews_page: String,
}

/// A product's options with the values its variants on sale have, and the variants as rows.
async fn variant_choices(
    state: &AppState,
    product: &crate::db::catalog::Product,
    currency: &str,
) -> Result<(Vec<OptionChoice>, Vec<VariantView>), AppError> {
    let pool = state.db.pool();
    let variants: Vec<_> = crate::db::variants::variants(pool, product.id)
        .await?
        .into_iter()
        .filter(|v| v.active.0)
        .collect();
    if variants.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let names = crate::db::variants::options(pool, product.id).await?;
    let options = names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let mut values: Vec<String> = Vec::new();
            for v in &variants {
                let value = v.values()[i].to_string();
                if !value.is_empty() && !values.contains(&value) {
                    values.push(value);
                }
            }
            OptionChoice {
                position: i + 1,
                name,
                values,
            }
        })
        .collect();
    let rows = variants
        .iter()
        .map(|v| {
            let s = StockState::of(v.stock);
            VariantView {
                image: v.image.as_deref().map(crate::http::media_url),
                label: v.label(),
                sku: v.sku.clone(),
                price: v.price(product.price).display(currency),
                stock_label: s.label(),
                stock_class: stock_class(s),
            }
        })
        .collect();
    Ok((options, rows))
}

/// Renders a product page; `form` and `errors` are a refused review being shown again, `cart`
/// a refused add to the cart.
#[allow(clippy::too_many_arguments)]
pub async fn product_page(
    state: &AppState,
    ctx: PageContext,
    id: ProductId,
    reviews_page: &str,
    form: Option<ReviewForm>,
    errors: FieldErrors,
    cart: Option<CartAttempt>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let on_sale = catalog::product_on_sale(state, id).await?;
    let product = on_sale.product;
    let viewer = ctx.user.as_ref().map(|u| u.id);
    let page = Pagination::parse(reviews_page, reviews::PAGE_SIZE);
    let rated = product.rating_count > 0;
    let reviews = ReviewsView::new(reviews::for_product(state, id, rated, page).await?);
    let review_pages = page_links(reviews.page, reviews.pages, |n| {
        format!("/products/{id}?reviews_page={n}#reviews")
    });
    // What the viewer bought decides whether they may review and what "also bought" leaves out.
    let bought = match viewer {
        Some(u) => recommend::bought_by(state, u).await?,
        None => Vec::new(),
    };
    let (access, own) = match viewer {
        None => (ReviewAccess::Guest, None),
        Some(_) if !bought.contains(&id) => (ReviewAccess::NotBought, None),
        Some(u) => {
            let own = crate::db::reviews::own(state.db.pool(), id, u).await?;
            (
                ReviewAccess::Open {
                    existing: own.is_some(),
                },
                own,
            )
        }
    };
    let form = form.unwrap_or_else(|| ReviewForm {
        rating: own
            .as_ref()
            .map(|r| r.rating.to_string())
            .unwrap_or_default(),
        comment: own.map(|r| r.comment).unwrap_or_default(),
        next: String::new(),
    });
    let currency = &state.settings.store.currency;
    let mut also_bought = CardView::list(
        recommend::also_bought(state, id, &bought, 4).await?,
        currency,
    );
    show_deals(state, &mut also_bought).await?;
    // One wishlist query for the product and the cards under it.
    let wished = match viewer {
        Some(u) => {
            let mut ids: Vec<ProductId> = also_bought.iter().map(|c| c.id).collect();
            ids.push(id);
            let wished = wishlist::wished_among(state, u, &ids).await?;
            CardView::mark_wished(&mut also_bought, &wished);
            Some(wished.contains(&id))
        }
        None => None,
    };
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
    let (options, variants) = variant_choices(state, &product, currency).await?;
    let running = crate::discounts::promotions::running(state).await?;
    let deal = deal(
        &running,
        product.id,
        product.category_id,
        product.price.cents(),
    );
    let (price, was_price) = match deal.as_ref().and_then(|d| d.unit_cents) {
        Some(unit) => (
            Money::from_cents(unit).display(currency),
            Some(product.price.display(currency)),
        ),
        None => (product.price.display(currency), None),
    };
    let page = ProductPage {
        ctx,
        id: product.id,
        sku: product.sku,
        name: product.name,
        description: product.description,
        brand: product.brand,
        category: product.category_name,
        category_slug: product.category_slug,
        price,
        deal,
        was_price,
        stock_label: stock.label(),
        stock_class: stock_class(stock),
        available: stock.available(),
        // One request adds at most what is in stock, and never more than a cart line holds.
        max_quantity: product.stock.clamp(1, MAX_QUANTITY),
        images,
        reviews,
        review_pages,
        access,
        form,
        errors,
        wished,
        also_bought,
        options,
        variants,
        quantity: cart
            .as_ref()
            .map_or_else(|| "1".to_string(), |c| c.quantity.clone()),
        quantity_error: cart.map(|c| c.error),
    };
    render(status, &page)
}

pub async fn show(
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<ProductId>,
    query: web::Query<ProductQuery>,
) -> Result<HttpResponse, AppError> {
    if let Some(u) = &ctx.user {
        // Noted in memory and written in a batch: the page does not wait for it.
        state.views.note(u.id, id, state.clock.unix());
    }
    product_page(
        &state,
        ctx,
        id,
        &query.reviews_page,
        None,
        FieldErrors::new(),
        None,
        StatusCode::OK,
    )
    .await
}

//! `/admin/products`: the product list with search, and the product form (create, edit with an
//! image, delete).

use actix_multipart::form::MultipartForm;
use actix_multipart::form::bytes::Bytes as FileBytes;
use actix_multipart::form::text::Text;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::catalog::CatalogError;
use crate::catalog::admin::{self, ProductInput, Removal};
use crate::catalog::terms::{MAX_QUERY_CHARS, query_terms};
use crate::db::catalog::{self as db, Category, Filter, SearchWord};
use crate::domain::{FieldErrors, Money, Pagination, ProductId, Sort, TaxClass};
use crate::http::{Path, media_url};
use crate::state::AppState;
use crate::web::context::{PageContext, Staff};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::views::{CardView, PageLink, page_links, url_with};
use crate::web::{render, see_other};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    page: String,
}

#[derive(Template)]
#[template(path = "admin/products.html")]
struct ProductsPage {
    ctx: PageContext,
    q: String,
    cards: Vec<CardView>,
    total: i64,
    pages: Vec<PageLink>,
}

pub async fn list(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q: String = query.q.trim().chars().take(MAX_QUERY_CHARS).collect();
    let filter = Filter {
        words: query_terms(&q)
            .iter()
            .map(|t| SearchWord::plain(t))
            .collect(),
        include_inactive: true,
        ..Filter::default()
    };
    let pool = state.db.pool();
    let asked = Pagination::parse(&query.page, super::PAGE_SIZE);
    let mut conn = pool.acquire().await?;
    let mut found = db::search(
        &mut conn,
        &filter,
        Sort::Name,
        asked.per_page(),
        asked.offset(),
    )
    .await?;
    let total = found.total;
    let page = asked.within(total);
    if page != asked {
        found = db::search(
            &mut conn,
            &filter,
            Sort::Name,
            page.per_page(),
            page.offset(),
        )
        .await?;
    }
    drop(conn);
    let cards = CardView::list(
        db::cards(pool, &found.ids).await?,
        &state.settings.store.currency,
    );
    let href = |n: i64| url_with("/admin/products", &[("q", &q), ("page", &n.to_string())]);
    let page = ProductsPage {
        ctx,
        pages: page_links(page.page(), page.pages(total), href),
        q,
        cards,
        total,
    };
    render(StatusCode::OK, &page)
}

/// The product form as posted (multipart, because of the image). Every field is optional here
/// so a missing one becomes a message next to it, not a bare 400.
#[derive(MultipartForm)]
pub struct ProductForm {
    sku: Option<Text<String>>,
    name: Option<Text<String>>,
    description: Option<Text<String>>,
    brand: Option<Text<String>>,
    category: Option<Text<String>>,
    price: Option<Text<String>>,
    stock: Option<Text<String>>,
    active: Option<Text<String>>,
    stock_original: Option<Text<String>>,
    tax_class: Option<Text<String>>,
    image: Option<FileBytes>,
}

fn text(t: &Option<Text<String>>) -> String {
    t.as_ref().map(|t| t.0.clone()).unwrap_or_default()
}

impl ProductForm {
    fn input(&self) -> ProductInput {
        ProductInput {
            sku: text(&self.sku),
            name: text(&self.name),
            description: text(&self.description),
            brand: text(&self.brand),
            category: text(&self.category),
            price: text(&self.price),
            stock: text(&self.stock),
            stock_original: text(&self.stock_original),
            tax_class: text(&self.tax_class),
            active: self
                .active
                .as_ref()
                .is_some_and(|a| matches!(a.0.as_str(), "on" | "true" | "1" | "yes")),
        }
    }

    /// The uploaded file, if one was chosen (browsers send an empty part otherwise).
    fn image(&self) -> Option<Vec<u8>> {
        self.image
            .as_ref()
            .map(|f| f.data.to_vec())
            .filter(|d| !d.is_empty())
    }
}

#[derive(Template)]
#[template(path = "admin/product_form.html")]
struct ProductFormPage {
    ctx: PageContext,
    /// None when creating.
    id: Option<ProductId>,
    form: ProductInput,
    errors: FieldErrors,
    categories: Vec<Category>,
    current_image: Option<String>,
    /// The tax classes with their rates: (value, label).
    tax_classes: Vec<(&'static str, String)>,
    /// An existing product's option names ("Size, Colour") and variants.
    option_names: String,
    options: Vec<String>,
    variants: Vec<VariantRowView>,
    /// Why a change to the options or variants was refused.
    variant_error: Option<String>,
}

pub struct VariantRowView {
    pub id: i64,
    pub label: String,
    pub sku: String,
    pub price: String,
    pub stock: i64,
    pub active: bool,
}

async fn form_page(
    state: &AppState,
    ctx: PageContext,
    id: Option<ProductId>,
    form: ProductInput,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    form_page_with(state, ctx, id, form, errors, status, None).await
}

#[allow(clippy::too_many_arguments)]
async fn form_page_with(
    state: &AppState,
    ctx: PageContext,
    id: Option<ProductId>,
    form: ProductInput,
    errors: FieldErrors,
    status: StatusCode,
    variant_error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let pool = state.db.pool();
    let (options, variants) = match id {
        Some(id) => (
            crate::db::variants::options(pool, id).await?,
            crate::db::variants::variants(pool, id).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let variants = variants
        .into_iter()
        .map(|v| VariantRowView {
            id: v.id,
            label: v.label(),
            sku: v.sku.clone(),
            price: v
                .price_cents
                .map(|c| Money::from_cents(c).to_decimal())
                .unwrap_or_default(),
            stock: v.stock,
            active: v.active.0,
        })
        .collect();
    let current_image = match id {
        Some(id) => db::images(pool, id)
            .await?
            .into_iter()
            .next()
            .map(|i| media_url(&i.thumb)),
        None => None,
    };
    let page = ProductFormPage {
        ctx,
        id,
        form,
        errors,
        categories: db::categories(pool).await?,
        tax_classes: TaxClass::ALL
            .into_iter()
            .map(|c| {
                let rate = state.settings.store.vat_percent_of(c);
                (c.as_str(), format!("{} ({rate}% VAT)", c.label()))
            })
            .collect(),
        current_image,
        option_names: options.join(", "),
        options,
        variants,
        variant_error,
    };
    render(status, &page)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct OptionsForm {
    options: String,
}

/// A refused variant change: the edit page again (422) with the reason by the variants.
async fn variant_refused(
    state: &AppState,
    ctx: PageContext,
    id: ProductId,
    e: CatalogError,
) -> Result<HttpResponse, AppError> {
    let CatalogError::Invalid(errors) = e else {
        return Err(e.into());
    };
    let product = db::find(state.db.pool(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let message = errors
        .fields()
        .flat_map(|(_, m)| m.iter())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let form = ProductInput::from_product(&product);
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    form_page_with(
        state,
        ctx,
        Some(id),
        form,
        FieldErrors::new(),
        status,
        Some(message),
    )
    .await
}

pub async fn set_options(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<ProductId>,
    form: web::Form<OptionsForm>,
) -> Result<HttpResponse, AppError> {
    match crate::catalog::variants::set_options(&state, staff.0.id, id, &form.options).await {
        Ok(()) => {
            session::flash(&session, FlashLevel::Success, "Options saved.");
            Ok(see_other(&format!("/admin/products/{id}/edit#variants")))
        }
        Err(e) => variant_refused(&state, ctx, id, e).await,
    }
}

/// The add-variant form as posted (multipart, because of its optional picture).
#[derive(MultipartForm)]
pub struct VariantForm {
    option1: Option<Text<String>>,
    option2: Option<Text<String>>,
    option3: Option<Text<String>>,
    sku: Option<Text<String>>,
    price: Option<Text<String>>,
    stock: Option<Text<String>>,
    image: Option<FileBytes>,
}

pub async fn add_variant(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<ProductId>,
    MultipartForm(form): MultipartForm<VariantForm>,
) -> Result<HttpResponse, AppError> {
    let input = crate::catalog::variants::VariantInput {
        option1: text(&form.option1),
        option2: text(&form.option2),
        option3: text(&form.option3),
        sku: text(&form.sku),
        price: text(&form.price),
        stock: text(&form.stock),
        ..Default::default()
    };
    let image = form
        .image
        .as_ref()
        .map(|f| f.data.to_vec())
        .filter(|d| !d.is_empty());
    match crate::catalog::variants::add(&state, staff.0.id, id, &input, image).await {
        Ok(_) => {
            session::flash(&session, FlashLevel::Success, "Variant added.");
            Ok(see_other(&format!("/admin/products/{id}/edit#variants")))
        }
        Err(e) => variant_refused(&state, ctx, id, e).await,
    }
}

pub async fn update_variant(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path((id, variant)): Path<(ProductId, i64)>,
    form: web::Form<crate::catalog::variants::VariantInput>,
) -> Result<HttpResponse, AppError> {
    match crate::catalog::variants::update(&state, staff.0.id, id, variant, &form).await {
        Ok(()) => {
            session::flash(&session, FlashLevel::Success, "Variant saved.");
            Ok(see_other(&format!("/admin/products/{id}/edit#variants")))
        }
        Err(e) => variant_refused(&state, ctx, id, e).await,
    }
}

pub async fn new(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = ProductInput {
        active: true,
        stock: "0".into(),
        tax_class: TaxClass::Standard.as_str().into(),
        ..ProductInput::default()
    };
    form_page(&state, ctx, None, form, FieldErrors::new(), StatusCode::OK).await
}

pub async fn edit(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<ProductId>,
) -> Result<HttpResponse, AppError> {
    let product = db::find(state.db.pool(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    form_page(
        &state,
        ctx,
        Some(id),
        ProductInput::from_product(&product),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// Validates the fields and the image; on success creates (`id` None) or updates.
async fn save_product(
    state: &AppState,
    staff: &Staff,
    id: Option<ProductId>,
    form: &ProductForm,
) -> Result<ProductId, CatalogError> {
    let input = form.input();
    let mut errors = FieldErrors::new();
    let valid = admin::validate(&input).map_err(|e| errors = e).ok();
    let image = match form.image() {
        Some(data) => match admin::prepare_image(state, data, input.name.trim()).await {
            Ok(img) => Some(img),
            Err(CatalogError::Invalid(e)) => {
                errors.merge(e);
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let Some(valid) = valid.filter(|_| errors.is_empty()) else {
        return Err(CatalogError::Invalid(errors));
    };
    let actor = staff.0.id;
    match id {
        None => admin::create(state, actor, &valid, image.as_ref()).await,
        Some(id) => admin::update(state, actor, id, &valid, image.as_ref())
            .await
            .map(|()| id),
    }
}

pub async fn create(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    MultipartForm(form): MultipartForm<ProductForm>,
) -> Result<HttpResponse, AppError> {
    match save_product(&state, &staff, None, &form).await {
        Ok(id) => {
            session::flash(
                &session,
                FlashLevel::Success,
                format!(
                    "Product \u{201c}{}\u{201d} created.",
                    form.input().name.trim()
                ),
            );
            Ok(see_other(&format!("/admin/products/{id}/edit")))
        }
        Err(CatalogError::Invalid(errors)) => {
            form_page(
                &state,
                ctx,
                None,
                form.input(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<ProductId>,
    MultipartForm(form): MultipartForm<ProductForm>,
) -> Result<HttpResponse, AppError> {
    match save_product(&state, &staff, Some(id), &form).await {
        Ok(_) => {
            session::flash(&session, FlashLevel::Success, "Product saved.");
            Ok(see_other(&format!("/admin/products/{id}/edit")))
        }
        Err(CatalogError::Invalid(errors)) => {
            form_page(
                &state,
                ctx,
                Some(id),
                form.input(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Asks before deleting, and says what will happen.
pub async fn confirm_delete(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<ProductId>,
) -> Result<HttpResponse, AppError> {
    let product = db::find(state.db.pool(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = crate::web::views::confirm::delete_product(id, &product.name);
    render(
        StatusCode::OK,
        &crate::web::views::confirm::ConfirmPage { ctx, c },
    )
}

pub async fn delete(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<ProductId>,
) -> Result<HttpResponse, AppError> {
    let message = match admin::delete(&state, staff.0.id, id).await? {
        Removal::Deleted => "Product deleted.",
        Removal::Deactivated => {
            "The product appears in orders, so it was deactivated instead of deleted."
        }
    };
    session::flash(&session, FlashLevel::Success, message);
    Ok(see_other("/admin/products"))
}

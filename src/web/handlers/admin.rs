//! The admin area. Every route here sits behind `require_admin` (see `web::routes`).

use actix_multipart::form::MultipartForm;
use actix_multipart::form::bytes::Bytes as FileBytes;
use actix_multipart::form::text::Text;
use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::catalog::CatalogError;
use crate::catalog::admin::{self, ProductInput, Removal};
use crate::catalog::csv_io::{self, ImportReport};
use crate::clock::format_unix;
use crate::db::audit::{self, AuditRow};
use crate::db::catalog::{self as db, Category, Filter, Sort, Stats};
use crate::domain::{FieldErrors, ProductId};
use crate::state::AppState;
use crate::web::context::{AdminUser, PageContext};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::views::{CardView, PageLink, page_links};
use crate::web::{render, see_other};

pub struct AuditView {
    pub when: String,
    pub who: String,
    pub what: String,
}

impl From<AuditRow> for AuditView {
    fn from(r: AuditRow) -> Self {
        let target = r.entity_id.map(|id| format!(" #{id}")).unwrap_or_default();
        Self {
            when: format_unix(r.at),
            who: r.actor.unwrap_or_else(|| "(deleted user)".into()),
            what: format!("{} {}{target}: {}", r.action, r.entity, r.details),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage {
    ctx: PageContext,
    stats: Stats,
    audit: Vec<AuditView>,
}

pub async fn dashboard(
    _admin: AdminUser,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.db.pool();
    let page = DashboardPage {
        ctx,
        stats: db::stats(pool).await?,
        audit: audit::recent(pool, 20)
            .await?
            .into_iter()
            .map(AuditView::from)
            .collect(),
    };
    render(StatusCode::OK, &page)
}

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

const ADMIN_PAGE_SIZE: i64 = 50;

pub async fn products(
    _admin: AdminUser,
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q: String = query.q.trim().chars().take(200).collect();
    let terms = crate::catalog::search::tokenize(&q)
        .into_iter()
        .take(6)
        .collect();
    let filter = Filter {
        terms,
        include_inactive: true,
        ..Filter::default()
    };
    let pool = state.db.pool();
    let total = db::count(pool, &filter).await?;
    let pages = ((total + ADMIN_PAGE_SIZE - 1) / ADMIN_PAGE_SIZE).max(1);
    let page = query
        .page
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|p| *p >= 1)
        .unwrap_or(1)
        .min(pages);
    let ids = db::search_ids(
        pool,
        &filter,
        Sort::Name,
        ADMIN_PAGE_SIZE,
        (page - 1) * ADMIN_PAGE_SIZE,
    )
    .await?;
    let cards = CardView::list(db::cards(pool, &ids).await?, &state.settings.store.currency);
    let href = |n: i64| {
        let qs = serde_urlencoded::to_string([("q", q.as_str()), ("page", &n.to_string())])
            .unwrap_or_default();
        format!("/admin/products?{qs}")
    };
    let page = ProductsPage {
        ctx,
        pages: page_links(page, pages, href),
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
    id: Option<i64>,
    form: ProductInput,
    errors: FieldErrors,
    categories: Vec<Category>,
    current_image: Option<String>,
}

async fn form_page(
    state: &AppState,
    ctx: PageContext,
    id: Option<ProductId>,
    form: ProductInput,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let pool = state.db.pool();
    let current_image = match id {
        Some(id) => db::images(pool, id)
            .await?
            .into_iter()
            .next()
            .map(|i| format!("/media/{}", i.thumb)),
        None => None,
    };
    let page = ProductFormPage {
        ctx,
        id: id.map(|i| i.0),
        form,
        errors,
        categories: db::categories(pool).await?,
        current_image,
    };
    render(status, &page)
}

fn product_id(raw: &str) -> Result<ProductId, AppError> {
    raw.parse::<i64>()
        .map(ProductId)
        .map_err(|_| AppError::NotFound)
}

pub async fn new_product(
    _admin: AdminUser,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = ProductInput {
        active: true,
        stock: "0".into(),
        ..ProductInput::default()
    };
    form_page(&state, ctx, None, form, FieldErrors::new(), StatusCode::OK).await
}

pub async fn edit_product(
    _admin: AdminUser,
    ctx: PageContext,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = product_id(&path)?;
    let product = db::find(state.db.pool(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    form_page(
        &state,
        ctx,
        Some(id),
        ProductInput::from_row(&product),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// Validates the fields and the image; on success creates (`id` None) or updates.
async fn save_product(
    state: &AppState,
    admin: &AdminUser,
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
    let actor = admin.0.id;
    match id {
        None => admin::create(state, actor, &valid, image.as_ref()).await,
        Some(id) => admin::update(state, actor, id, &valid, image.as_ref())
            .await
            .map(|()| id),
    }
}

pub async fn create_product(
    admin: AdminUser,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    MultipartForm(form): MultipartForm<ProductForm>,
) -> Result<HttpResponse, AppError> {
    match save_product(&state, &admin, None, &form).await {
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

pub async fn update_product(
    admin: AdminUser,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    MultipartForm(form): MultipartForm<ProductForm>,
) -> Result<HttpResponse, AppError> {
    let id = product_id(&path)?;
    match save_product(&state, &admin, Some(id), &form).await {
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

pub async fn delete_product(
    admin: AdminUser,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = product_id(&path)?;
    let message = match admin::delete(&state, admin.0.id, id).await? {
        Removal::Deleted => "Product deleted.",
        Removal::Deactivated => {
            "The product appears in orders, so it was deactivated instead of deleted."
        }
    };
    session::flash(&session, FlashLevel::Success, message);
    Ok(see_other("/admin/products"))
}

pub async fn export_csv(
    _admin: AdminUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let body = csv_io::export(&state).await?;
    let date = format_unix(state.clock.unix())
        .chars()
        .take(10)
        .collect::<String>();
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"products-{date}.csv\""),
        ))
        .body(body))
}

#[derive(Template)]
#[template(path = "admin/import.html")]
struct ImportPage {
    ctx: PageContext,
    error: Option<String>,
    report: Option<ImportReport>,
    columns: String,
}

fn import_page(
    ctx: PageContext,
    error: Option<String>,
    report: Option<ImportReport>,
) -> ImportPage {
    ImportPage {
        ctx,
        error,
        report,
        columns: csv_io::COLUMNS.join(","),
    }
}

pub async fn import_form(_admin: AdminUser, ctx: PageContext) -> Result<HttpResponse, AppError> {
    render(StatusCode::OK, &import_page(ctx, None, None))
}

#[derive(MultipartForm)]
pub struct ImportForm {
    file: Option<FileBytes>,
}

pub async fn import(
    admin: AdminUser,
    ctx: PageContext,
    state: web::Data<AppState>,
    MultipartForm(form): MultipartForm<ImportForm>,
) -> Result<HttpResponse, AppError> {
    let Some(file) = form.file.filter(|f| !f.data.is_empty()) else {
        let page = import_page(ctx, Some("Choose a CSV file to import.".into()), None);
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    match csv_io::import(&state, admin.0.id, &file.data).await {
        Ok(report) => {
            let status = if report.errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(status, &import_page(ctx, None, Some(report)))
        }
        Err(message) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &import_page(ctx, Some(message), None),
        ),
    }
}

//! Orders in the admin: list with status filter and search, detail, status moves.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::orders::{OrderDetail, OrderSummary, detail};
use crate::db::orders as db;
use crate::domain::FieldErrors;
use crate::orders::{OrderError, Status, manage};
use crate::state::AppState;
use crate::web::context::{AdminUser, PageContext};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::views::{PageLink, page_links};
use crate::web::{render, see_other};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    q: String,
    page: String,
}

pub struct AdminOrderRow {
    pub summary: OrderSummary,
    pub customer: String,
    pub email: String,
}

#[derive(Template)]
#[template(path = "admin/orders.html")]
struct OrdersPage {
    ctx: PageContext,
    orders: Vec<AdminOrderRow>,
    total: i64,
    status: String,
    q: String,
    statuses: [Status; 6],
    pages: Vec<PageLink>,
}

const PAGE: i64 = 50;

pub async fn list(
    _admin: AdminUser,
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let status = Status::parse(&query.status);
    let q: String = query.q.trim().chars().take(100).collect();
    let page = query
        .page
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|p| (1..=1_000_000).contains(p)) // bounded: the offset cannot overflow
        .unwrap_or(1);
    let search = (!q.is_empty()).then_some(q.as_str());
    let (rows, total) = db::list(
        state.db.pool(),
        status.map(Status::as_str),
        search,
        PAGE,
        (page - 1) * PAGE,
    )
    .await?;
    let pages_n = ((total + PAGE - 1) / PAGE).max(1);
    let status_key = status.map(Status::as_str).unwrap_or("").to_string();
    let href = |n: i64| {
        let qs = serde_urlencoded::to_string([
            ("status", status_key.as_str()),
            ("q", q.as_str()),
            ("page", &n.to_string()),
        ])
        .unwrap_or_default();
        format!("/admin/orders?{qs}")
    };
    let orders = rows
        .iter()
        .map(|o| AdminOrderRow {
            summary: OrderSummary::new(o),
            customer: o.customer_name.clone(),
            email: o.email.clone(),
        })
        .collect();
    let page = OrdersPage {
        ctx,
        orders,
        total,
        pages: page_links(page.min(pages_n), pages_n, href),
        status: status_key.clone(),
        q: q.clone(),
        statuses: Status::ALL,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "admin/order.html")]
struct OrderPage {
    ctx: PageContext,
    order: OrderDetail,
    errors: FieldErrors,
    error: Option<String>,
}

async fn order_page(
    ctx: PageContext,
    state: &AppState,
    id: i64,
    errors: FieldErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let row = db::find(state.db.pool(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let order = detail(state, row).await?;
    render(
        status,
        &OrderPage {
            ctx,
            order,
            errors,
            error,
        },
    )
}

fn order_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>().map_err(|_| AppError::NotFound)
}

pub async fn show(
    _admin: AdminUser,
    ctx: PageContext,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    order_page(
        ctx,
        &state,
        order_id(&path)?,
        FieldErrors::new(),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    tracking_number: String,
}

pub async fn set_status(
    admin: AdminUser,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let id = order_id(&path)?;
    let Some(to) = Status::parse(&form.status) else {
        let message = Some("Choose one of the offered statuses.".to_string());
        return order_page(
            ctx,
            &state,
            id,
            FieldErrors::new(),
            message,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match manage::move_by_admin(&state, &admin.0, id, to, &form.tracking_number).await {
        Ok(()) => {
            session::flash(
                &session,
                FlashLevel::Success,
                format!("The order is now {}.", to.label().to_lowercase()),
            );
            Ok(see_other(&format!("/admin/orders/{id}")))
        }
        Err(OrderError::Invalid(errors)) => {
            order_page(
                ctx,
                &state,
                id,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(OrderError::NotAllowed(message)) => {
            order_page(
                ctx,
                &state,
                id,
                FieldErrors::new(),
                Some(message),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

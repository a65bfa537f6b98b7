//! `/admin/orders`: the list with status filter and search, the detail, status moves.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::orders as db;
use crate::domain::{FieldErrors, OrderId, OrderStatus, Pagination};
use crate::http::Path;
use crate::orders::detail::{self, Viewer};
use crate::orders::{OrderError, transitions};
use crate::refunds::RefundInput;
use crate::state::AppState;
use crate::web::context::{PageContext, Staff};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::views::confirm::{self, ConfirmPage};
use crate::web::views::orders::{OrderSummary, OrderView, RefundableLine};
use crate::web::views::{PageLink, page_links, url_with};
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
    statuses: [OrderStatus; 6],
    pages: Vec<PageLink>,
    /// Orders whose payment waits for the staff (a failed capture or refund).
    attention: Vec<OrderId>,
}

pub async fn list(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let status = OrderStatus::parse(&query.status);
    let q: String = query.q.trim().chars().take(100).collect();
    let page = Pagination::parse(&query.page, super::PAGE_SIZE);
    let search = (!q.is_empty()).then_some(q.as_str());
    let (rows, total) = db::list(
        state.db.pool(),
        status,
        search,
        page.per_page(),
        page.offset(),
    )
    .await?;
    let status_key = status.map(OrderStatus::as_str).unwrap_or("").to_string();
    let href = |n: i64| {
        url_with(
            "/admin/orders",
            &[("status", &status_key), ("q", &q), ("page", &n.to_string())],
        )
    };
    let orders = rows
        .iter()
        .map(|o| AdminOrderRow {
            summary: OrderSummary::new(o),
            customer: o.customer_name.clone(),
            email: o.email.clone(),
        })
        .collect();
    let shown = page.within(total);
    let page = OrdersPage {
        ctx,
        orders,
        total,
        pages: page_links(shown.page(), shown.pages(total), href),
        status: status_key.clone(),
        q: q.clone(),
        statuses: OrderStatus::ALL,
        attention: crate::db::order_payments::needing_attention(state.db.pool()).await?,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "admin/order.html")]
struct OrderPage {
    ctx: PageContext,
    order: OrderView,
    errors: FieldErrors,
    error: Option<String>,
}

async fn order_page(
    ctx: PageContext,
    state: &AppState,
    id: OrderId,
    errors: FieldErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let order = OrderView::new(detail::detail(state, Viewer::Staff, id).await?);
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

pub async fn show(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    order_page(ctx, &state, id, FieldErrors::new(), None, StatusCode::OK).await
}

/// Asks before cancelling, and says what will happen.
pub async fn confirm_cancel(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    let order = OrderView::new(detail::detail(&state, Viewer::Staff, id).await?);
    if !order.can_cancel {
        return Ok(see_other(&format!("/admin/orders/{id}")));
    }
    let c = confirm::cancel_order(&order, true);
    render(StatusCode::OK, &ConfirmPage { ctx, c })
}

/// Asks before refunding, and says what will happen.
pub async fn confirm_refund(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    let order = OrderView::new(detail::detail(&state, Viewer::Staff, id).await?);
    if !order.can_refund {
        return Ok(see_other(&format!("/admin/orders/{id}")));
    }
    let c = confirm::refund_order(&order);
    render(StatusCode::OK, &ConfirmPage { ctx, c })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    tracking_number: String,
}

pub async fn set_status(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<OrderId>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let Some(to) = OrderStatus::parse(&form.status) else {
        let message = Some("Choose one of the offered statuses.".to_string());
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return order_page(ctx, &state, id, FieldErrors::new(), message, status).await;
    };
    match transitions::move_by_staff(&state, &staff.0, id, to, &form.tracking_number).await {
        Ok(()) => {
            session::flash(
                &session,
                FlashLevel::Success,
                format!("The order is now {}.", to.label().to_lowercase()),
            );
            Ok(see_other(&format!("/admin/orders/{id}")))
        }
        Err(OrderError::Invalid(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            order_page(ctx, &state, id, errors, None, status).await
        }
        Err(OrderError::NotAllowed(message)) => {
            let status = StatusCode::CONFLICT;
            order_page(ctx, &state, id, FieldErrors::new(), Some(message), status).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A line of the refund form as shown: the line, its field and what was typed.
pub struct RefundRow {
    pub line: RefundableLine,
    pub key: String,
    pub value: String,
    pub errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin/refund.html")]
struct RefundPage {
    ctx: PageContext,
    order: OrderView,
    rows: Vec<RefundRow>,
    shipping: bool,
    restock: bool,
    reason: String,
    errors: FieldErrors,
    error: Option<String>,
}

async fn refund_page(
    ctx: PageContext,
    state: &AppState,
    id: OrderId,
    input: Option<&RefundInput>,
    errors: FieldErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let mut order = OrderView::new(detail::detail(state, Viewer::Staff, id).await?);
    let value = |key: &str| {
        input
            .and_then(|i| i.fields.get(key))
            .cloned()
            .unwrap_or_default()
    };
    let rows = std::mem::take(&mut order.refundable)
        .into_iter()
        .map(|line| {
            let key = format!("qty_{}", line.id);
            RefundRow {
                value: match input {
                    Some(_) => value(&key),
                    None => "0".into(),
                },
                errors: errors.get(&key).to_vec(),
                key,
                line,
            }
        })
        .collect();
    let checked = |key: &str| matches!(value(key).as_str(), "on" | "true" | "1");
    let page = RefundPage {
        ctx,
        rows,
        shipping: checked("shipping"),
        // Goods that have not shipped are still here: back on the shelf by default.
        restock: match input {
            Some(_) => checked("restock"),
            None => !order.shipped,
        },
        reason: value("reason"),
        order,
        errors,
        error,
    };
    render(status, &page)
}

/// The partial refund form: units per line, the shipping, back into stock, a reason.
pub async fn refund_form(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    let status = StatusCode::OK;
    refund_page(ctx, &state, id, None, FieldErrors::new(), None, status).await
}

pub async fn refund_lines(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<OrderId>,
    form: web::Form<RefundInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    match crate::refunds::refund(&state, staff.0.id, id, &input).await {
        Ok(number) => {
            session::flash(
                &session,
                FlashLevel::Success,
                format!("Refunded: credit note {number} is issued and mailed to the customer."),
            );
            Ok(see_other(&format!("/admin/orders/{id}")))
        }
        Err(OrderError::Invalid(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            refund_page(ctx, &state, id, Some(&input), errors, None, status).await
        }
        Err(OrderError::NotAllowed(message)) => {
            let status = StatusCode::CONFLICT;
            refund_page(
                ctx,
                &state,
                id,
                Some(&input),
                FieldErrors::new(),
                Some(message),
                status,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

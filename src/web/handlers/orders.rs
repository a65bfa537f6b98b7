//! The customer's orders: list, detail with the status history, invoice (page and PDF), cancel.
//! Another customer's order is "not found", never "forbidden".

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::clock::format_unix;
use crate::domain::OrderId;
use crate::http::Path;
use crate::orders::detail::{self, Viewer};
use crate::orders::invoice::{self, Snapshot};
use crate::orders::{OrderError, transitions};
use crate::state::AppState;
use crate::web::context::{PageContext, SignedIn};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::views::confirm::ConfirmPage;
use crate::web::views::orders::{OrderSummary, OrderView};
use crate::web::{render, see_other};

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    ctx: PageContext,
    orders: Vec<OrderSummary>,
}

pub async fn list(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let orders = detail::list_for_customer(&state, user.id)
        .await?
        .iter()
        .map(OrderSummary::new)
        .collect();
    render(StatusCode::OK, &OrdersPage { ctx, orders })
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    ctx: PageContext,
    order: OrderView,
    error: Option<String>,
}

async fn order_page(
    state: &AppState,
    ctx: PageContext,
    viewer: Viewer,
    id: OrderId,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let order = OrderView::new(detail::detail(state, viewer, id).await?);
    render(status, &OrderPage { ctx, order, error })
}

pub async fn show(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    order_page(
        &state,
        ctx,
        Viewer::Customer(user.id),
        id,
        None,
        StatusCode::OK,
    )
    .await
}

/// Asks before cancelling, and says what will happen.
pub async fn confirm_cancel(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    let order = OrderView::new(detail::detail(&state, Viewer::Customer(user.id), id).await?);
    if !order.can_cancel {
        return Ok(see_other(&format!("/orders/{id}")));
    }
    let c = crate::web::views::confirm::cancel_order(&order, false);
    render(StatusCode::OK, &ConfirmPage { ctx, c })
}

pub async fn cancel(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    match transitions::cancel_by_customer(&state, &user, id).await {
        Ok(()) => {
            session::flash(
                &session,
                FlashLevel::Success,
                "Your order was cancelled. Any payment has been refunded.",
            );
            Ok(see_other(&format!("/orders/{id}")))
        }
        Err(OrderError::NotAllowed(message)) => {
            let viewer = Viewer::Customer(user.id);
            order_page(&state, ctx, viewer, id, Some(message), StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct InvoiceLineView {
    pub name: String,
    pub sku: String,
    pub quantity: i64,
    pub unit: String,
    pub total: String,
}

#[derive(Template)]
#[template(path = "invoice.html")]
struct InvoicePage {
    ctx: PageContext,
    s: Snapshot,
    date: String,
    lines: Vec<InvoiceLineView>,
    subtotal: String,
    shipping: String,
    total: String,
    net: String,
    vat: String,
}

pub async fn invoice_page(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    let s = invoice::for_order(&state, Viewer::Customer(user.id), id).await?;
    let lines = s
        .lines
        .iter()
        .map(|l| InvoiceLineView {
            name: l.name.clone(),
            sku: l.sku.clone(),
            quantity: l.quantity,
            unit: s.money(l.unit_price_cents),
            total: s.money(l.line_total_cents),
        })
        .collect();
    let page = InvoicePage {
        ctx,
        date: format_unix(s.issued_at).chars().take(10).collect(),
        lines,
        subtotal: s.money(s.subtotal_cents),
        shipping: s.money(s.shipping_cents),
        total: s.money(s.total_cents),
        net: s.money(s.net_cents),
        vat: s.money(s.vat_cents),
        s,
    };
    render(StatusCode::OK, &page)
}

pub async fn invoice_pdf(
    SignedIn(user): SignedIn,
    state: web::Data<AppState>,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    let s = invoice::for_order(&state, Viewer::Customer(user.id), id).await?;
    let name = s.file_name();
    let bytes = invoice::pdf_off_thread(s).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

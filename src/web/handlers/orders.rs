//! The customer's orders: list, detail with the status history, invoice (page and PDF), cancel.
//! Another customer's order is "not found", never "forbidden".

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::clock::format_unix;
use crate::db::orders::{self as db, OrderRow};
use crate::domain::Money;
use crate::orders::invoice::{self, Snapshot};
use crate::orders::{OrderError, Status, manage};
use crate::state::AppState;
use crate::web::context::{PageContext, SignedIn};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::{render, see_other};

pub struct OrderSummary {
    pub id: i64,
    pub date: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub total: String,
}

impl OrderSummary {
    pub fn new(o: &OrderRow) -> Self {
        let status = Status::parse(&o.status).unwrap_or(Status::Pending);
        Self {
            id: o.id,
            date: format_unix(o.created_at),
            status: status.label(),
            status_key: status.as_str(),
            total: Money::from_cents(o.total_cents).display(&o.currency),
        }
    }
}

pub struct LineView {
    pub name: String,
    pub sku: String,
    pub product_id: i64,
    pub unit_price: String,
    pub quantity: i64,
    pub total: String,
}

pub struct EventView {
    pub when: String,
    pub status: &'static str,
    pub note: String,
}

/// Everything an order page shows (customer and admin).
pub struct OrderDetail {
    pub summary: OrderSummary,
    pub customer: String,
    pub email: String,
    pub address: String,
    pub payment: String,
    pub tracking: Option<String>,
    pub lines: Vec<LineView>,
    pub events: Vec<EventView>,
    pub subtotal: String,
    pub shipping: String,
    pub total: String,
    pub net: String,
    pub vat: String,
    pub vat_percent: i64,
    pub can_cancel: bool,
    pub invoice_number: Option<String>,
    pub next: Vec<Status>,
}

pub async fn detail(state: &AppState, o: OrderRow) -> Result<OrderDetail, AppError> {
    let pool = state.db.pool();
    let money = |c: i64| Money::from_cents(c).display(&o.currency);
    let status = Status::parse(&o.status).unwrap_or(Status::Pending);
    let lines = db::lines(pool, o.id)
        .await?
        .into_iter()
        .map(|l| LineView {
            unit_price: money(l.unit_price_cents),
            total: money(l.line_total_cents),
            name: l.name,
            sku: l.sku,
            product_id: l.product_id,
            quantity: l.quantity,
        })
        .collect();
    let events = db::events(pool, o.id)
        .await?
        .into_iter()
        .map(|e| EventView {
            when: format_unix(e.at),
            status: Status::parse(&e.status)
                .map(Status::label)
                .unwrap_or("Update"),
            note: e.note,
        })
        .collect();
    let invoice_number = db::invoice(pool, o.id).await?.map(|i| i.number);
    let payment = match (&o.card_brand, &o.card_last4) {
        (Some(b), Some(l)) => format!(
            "{b} •••• {l}{}",
            if o.payment_status == "refunded" {
                " (refunded)"
            } else {
                ""
            }
        ),
        _ => "Not paid".into(),
    };
    Ok(OrderDetail {
        summary: OrderSummary::new(&o),
        customer: o.customer_name.clone(),
        email: o.email.clone(),
        address: o.shipping_address.clone(),
        payment,
        tracking: o.tracking_number.clone(),
        lines,
        events,
        subtotal: money(o.subtotal_cents),
        shipping: money(o.shipping_cents),
        total: money(o.total_cents),
        net: money(o.net_cents),
        vat: money(o.vat_cents),
        vat_percent: o.vat_percent,
        can_cancel: status.can_move_to(Status::Cancelled),
        invoice_number,
        next: status.next(),
    })
}

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
    let orders = db::list_for_user(state.db.pool(), user.id)
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
    order: OrderDetail,
    error: Option<String>,
}

fn order_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>().map_err(|_| AppError::NotFound)
}

async fn own_order(
    state: &AppState,
    user: &crate::db::users::User,
    raw: &str,
) -> Result<OrderRow, AppError> {
    db::find_for_user(state.db.pool(), order_id(raw)?, user.id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn show(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let order = detail(&state, own_order(&state, &user, &path).await?).await?;
    render(
        StatusCode::OK,
        &OrderPage {
            ctx,
            order,
            error: None,
        },
    )
}

pub async fn cancel(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = order_id(&path)?;
    match manage::cancel_by_customer(&state, &user, id).await {
        Ok(()) => {
            session::flash(
                &session,
                FlashLevel::Success,
                "Your order was cancelled. Any payment has been refunded.",
            );
            Ok(see_other(&format!("/orders/{id}")))
        }
        Err(OrderError::NotAllowed(message)) => {
            let order = detail(&state, own_order(&state, &user, &path).await?).await?;
            render(
                StatusCode::CONFLICT,
                &OrderPage {
                    ctx,
                    order,
                    error: Some(message),
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

async fn snapshot(state: &AppState, order: &OrderRow) -> Result<Snapshot, AppError> {
    let row = db::invoice(state.db.pool(), order.id)
        .await?
        .ok_or(AppError::NotFound)?;
    serde_json::from_str(&row.snapshot).map_err(|e| AppError::Internal(e.into()))
}

pub struct InvoiceLine {
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
    lines: Vec<InvoiceLine>,
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
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let order = own_order(&state, &user, &path).await?;
    let s = snapshot(&state, &order).await?;
    let lines = s
        .lines
        .iter()
        .map(|l| InvoiceLine {
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
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let order = own_order(&state, &user, &path).await?;
    let s = snapshot(&state, &order).await?;
    let name = format!("invoice-{}.pdf", s.number);
    let bytes = web::block(move || invoice::pdf(&s))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}\""),
        ))
        .body(bytes))
}

//! The customer's orders: list, detail with the status history, invoice (page and PDF), cancel.
//! Another customer's order is "not found", never "forbidden".

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::clock::format_unix;
use crate::domain::OrderId;
use crate::http::Path;
use crate::orders::detail;
use crate::orders::invoice::{self, Snapshot};
use crate::orders::{OrderError, transitions};
use crate::state::AppState;
use crate::web::context::{PageContext, Shopper, SignedIn};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::views::confirm::ConfirmPage;
use crate::web::views::orders::{CreditNoteView, OrderSummary, OrderView, VatView, vat_views};
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
    /// A guest's order: offer an account (which would keep it) instead of support requests.
    guest: bool,
}

async fn order_page(
    state: &AppState,
    ctx: PageContext,
    shopper: &Shopper,
    id: OrderId,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let detail = match detail::detail(state, shopper.viewer(), id).await {
        Ok(d) => d,
        Err(OrderError::NotFound) => return Err(shopper.not_theirs()),
        Err(e) => return Err(e.into()),
    };
    // Whose the order is decides the offers, not who looks: a signed-in shopper may open a
    // guest's order by its link.
    let guest = detail.order.user_id.is_none();
    let order = OrderView::new(detail);
    render(
        status,
        &OrderPage {
            ctx,
            order,
            error,
            guest,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinkQuery {
    token: String,
}

pub async fn show(
    shopper: Shopper,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<OrderId>,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, AppError> {
    if !query.token.is_empty() {
        // A mailed private link: remembered in this browser's session, then the page without
        // the token in the address.
        if !crate::orders::guest_link_opens(&state, id, &query.token).await? {
            return Err(AppError::BadRequest(
                "This link is not valid or has expired. The order's mails have a newer one; or write to us through the contact form."
                    .into(),
            ));
        }
        session::add_order_link(&session, id);
        return Ok(see_other(&format!("/orders/{id}")));
    }
    order_page(&state, ctx, &shopper, id, None, StatusCode::OK).await
}

/// Asks before cancelling, and says what will happen.
pub async fn confirm_cancel(
    shopper: Shopper,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    let order = match detail::detail(&state, shopper.viewer(), id).await {
        Ok(d) => OrderView::new(d),
        Err(OrderError::NotFound) => return Err(shopper.not_theirs()),
        Err(e) => return Err(e.into()),
    };
    if !order.can_cancel {
        return Ok(see_other(&format!("/orders/{id}")));
    }
    let c = crate::web::views::confirm::cancel_order(&order, false);
    render(StatusCode::OK, &ConfirmPage { ctx, c })
}

pub async fn cancel(
    shopper: Shopper,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    match transitions::cancel_by_customer(&state, shopper.viewer(), id).await {
        Ok(()) => {
            session::flash(
                &session,
                FlashLevel::Success,
                "Your order was cancelled. Any payment has been refunded.",
            );
            Ok(see_other(&format!("/orders/{id}")))
        }
        Err(OrderError::NotAllowed(message)) => {
            let status = StatusCode::CONFLICT;
            order_page(&state, ctx, &shopper, id, Some(message), status).await
        }
        Err(OrderError::NotFound) => Err(shopper.not_theirs()),
        Err(e) => Err(e.into()),
    }
}

pub struct InvoiceLineView {
    pub name: String,
    pub sku: String,
    pub quantity: i64,
    pub unit: String,
    pub total: String,
    pub vat_percent: i64,
    /// What discounts took off the line (empty: none).
    pub discount: String,
}

pub struct DiscountView {
    pub label: String,
    pub amount: String,
}

/// An invoice or a credit note, as its page shows it.
#[derive(Template)]
#[template(path = "invoice.html")]
struct DocumentPage {
    ctx: PageContext,
    s: Snapshot,
    date: String,
    lines: Vec<InvoiceLineView>,
    subtotal: String,
    discounts: Vec<DiscountView>,
    shipping: String,
    total: String,
    vat_lines: Vec<VatView>,
    pdf_href: String,
    /// The same document as EN 16931 XML, and as Factur-X.
    xml_href: String,
    facturx_href: String,
    /// An invoice's credit notes (none for a credit note's page).
    credit_notes: Vec<CreditNoteView>,
    still_paid: String,
}

fn document_page(
    ctx: PageContext,
    s: Snapshot,
    pdf_href: String,
    credit_notes: Vec<CreditNoteView>,
    still_paid: String,
) -> Result<HttpResponse, AppError> {
    let lines = s
        .lines
        .iter()
        .map(|l| InvoiceLineView {
            name: l.name.clone(),
            sku: l.sku.clone(),
            quantity: l.quantity,
            unit: s.money(l.unit_price_cents),
            total: s.money(l.line_total_cents),
            vat_percent: s.line_rate(l),
            discount: if l.discount_cents == 0 {
                String::new()
            } else {
                s.money(l.discount_cents)
            },
        })
        .collect();
    let discounts = s
        .discount_rows()
        .into_iter()
        .map(|d| DiscountView {
            amount: s.money(d.cents),
            label: d.label,
        })
        .collect();
    let page = DocumentPage {
        ctx,
        date: format_unix(s.issued_at).chars().take(10).collect(),
        lines,
        subtotal: s.money(s.subtotal_cents),
        discounts,
        shipping: s.money(s.shipping_cents),
        total: s.money(s.total_cents),
        vat_lines: vat_views(&s.vat_breakdown(), &s.currency),
        xml_href: pdf_href.replace(".pdf", ".xml"),
        facturx_href: pdf_href.replace(".pdf", "-facturx.pdf"),
        pdf_href,
        credit_notes,
        still_paid,
        s,
    };
    render(StatusCode::OK, &page)
}

pub async fn invoice_page(
    shopper: Shopper,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    let s = invoice_of(&state, &shopper, id).await?;
    let order = OrderView::new(detail::detail(&state, shopper.viewer(), id).await?);
    let href = format!("/orders/{id}/invoice.pdf");
    document_page(ctx, s, href, order.credit_notes, order.still_paid)
}

/// The path of a credit note: `/orders/{id}/credit-notes/{number}`.
#[derive(Deserialize)]
pub struct CreditNotePath {
    id: OrderId,
    number: String,
}

pub async fn credit_note_page(
    shopper: Shopper,
    ctx: PageContext,
    state: web::Data<AppState>,
    path: Path<CreditNotePath>,
) -> Result<HttpResponse, AppError> {
    let s = credit_note_of(&state, &shopper, &path).await?;
    let href = format!("/orders/{}/credit-notes/{}.pdf", path.id, path.number);
    document_page(ctx, s, href, Vec::new(), String::new())
}

/// An order's invoice, if the shopper may see it (else "not found").
async fn invoice_of(
    state: &AppState,
    shopper: &Shopper,
    id: OrderId,
) -> Result<Snapshot, AppError> {
    match invoice::for_order(state, shopper.viewer(), id).await {
        Err(OrderError::NotFound) => Err(shopper.not_theirs()),
        other => Ok(other?),
    }
}

async fn credit_note_of(
    state: &AppState,
    shopper: &Shopper,
    path: &CreditNotePath,
) -> Result<Snapshot, AppError> {
    match crate::refunds::credit_note(state, shopper.viewer(), path.id, &path.number).await {
        Err(OrderError::NotFound) => Err(shopper.not_theirs()),
        other => Ok(other?),
    }
}

/// The files a document downloads as.
#[derive(Clone, Copy)]
enum Format {
    Pdf,
    /// EN 16931 CII XML, the structured e-invoice.
    Xml,
    /// A PDF/A-3 with that XML inside.
    FacturX,
}

async fn download(state: &AppState, s: Snapshot, format: Format) -> Result<HttpResponse, AppError> {
    let store = &state.settings.store;
    let (content_type, name, body) = match format {
        Format::Pdf => (
            "application/pdf",
            s.file_name(),
            invoice::pdf_off_thread(s).await?,
        ),
        Format::Xml => (
            "application/xml; charset=utf-8",
            s.file_name().replace(".pdf", ".xml"),
            crate::orders::einvoice::for_shop(&s, store).into_bytes(),
        ),
        Format::FacturX => (
            "application/pdf",
            s.file_name().replace(".pdf", "-facturx.pdf"),
            crate::orders::einvoice::facturx_off_thread(s, store).await?,
        ),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body))
}

pub async fn invoice_pdf(
    shopper: Shopper,
    state: web::Data<AppState>,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    download(&state, invoice_of(&state, &shopper, id).await?, Format::Pdf).await
}

pub async fn invoice_xml(
    shopper: Shopper,
    state: web::Data<AppState>,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    download(&state, invoice_of(&state, &shopper, id).await?, Format::Xml).await
}

pub async fn invoice_facturx(
    shopper: Shopper,
    state: web::Data<AppState>,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    download(
        &state,
        invoice_of(&state, &shopper, id).await?,
        Format::FacturX,
    )
    .await
}

pub async fn credit_note_pdf(
    shopper: Shopper,
    state: web::Data<AppState>,
    path: Path<CreditNotePath>,
) -> Result<HttpResponse, AppError> {
    download(
        &state,
        credit_note_of(&state, &shopper, &path).await?,
        Format::Pdf,
    )
    .await
}

pub async fn credit_note_xml(
    shopper: Shopper,
    state: web::Data<AppState>,
    path: Path<CreditNotePath>,
) -> Result<HttpResponse, AppError> {
    download(
        &state,
        credit_note_of(&state, &shopper, &path).await?,
        Format::Xml,
    )
    .await
}

pub async fn credit_note_facturx(
    shopper: Shopper,
    state: web::Data<AppState>,
    path: Path<CreditNotePath>,
) -> Result<HttpResponse, AppError> {
    let s = credit_note_of(&state, &shopper, &path).await?;
    download(&state, s, Format::FacturX).await
}

//! `/admin/reports`: the accounting export of a period (invoices and credit notes, VAT per rate
//! per month), as a page and as CSV files.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::{FieldErrors, Money};
use crate::reports::{self, DocumentRow, Period, ReportError, VatMonth};
use crate::state::AppState;
use crate::web::context::{PageContext, Staff};
use crate::web::errors::AppError;
use crate::web::{csv_download, render};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    from: String,
    to: String,
}

pub struct DocumentView {
    pub kind: &'static str,
    pub number: String,
    pub date: String,
    pub order_id: String,
    pub customer: String,
    pub net: String,
    pub vat: String,
    pub gross: String,
}

pub struct VatMonthView {
    pub month: String,
    pub percent: i64,
    pub net: String,
    pub vat: String,
    pub gross: String,
}

#[derive(Template)]
#[template(path = "admin/reports.html")]
struct ReportsPage {
    ctx: PageContext,
    from: String,
    to: String,
    errors: FieldErrors,
    /// The query string of the CSV links (the period as shown).
    query: String,
    summary: Vec<VatMonthView>,
    documents: Vec<DocumentView>,
}

fn period(state: &AppState, q: &ReportQuery) -> Result<Period, FieldErrors> {
    Period::parse(&q.from, &q.to, reports::today(state))
}

pub async fn page(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let currency = state.settings.store.currency.clone();
    let money = |c: i64| Money::from_cents(c).display(&currency);
    let (p, errors) = match period(&state, &query) {
        Ok(p) => (Some(p), FieldErrors::new()),
        Err(e) => (None, e),
    };
    let rows = match p {
        Some(p) => reports::documents(&state, p).await?,
        None => Vec::new(),
    };
    let summary = reports::vat_summary(&rows)
        .into_iter()
        .map(|m: VatMonth| VatMonthView {
            month: m.month,
            percent: m.percent,
            net: money(m.net_cents),
            vat: money(m.vat_cents),
            gross: money(m.gross_cents),
        })
        .collect();
    let documents = rows
        .iter()
        .map(|d: &DocumentRow| DocumentView {
            kind: d.kind.title(),
            number: d.number.clone(),
            date: d.date.clone(),
            order_id: d.order_id.to_string(),
            customer: d.customer.clone(),
            net: money(d.net_cents),
            vat: money(d.vat.iter().map(|v| v.vat_cents).sum()),
            gross: money(d.gross_cents),
        })
        .collect();
    let (from, to) = match p {
        Some(p) => (p.from.to_string(), p.to.to_string()),
        None => (query.from.clone(), query.to.clone()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ReportsPage {
        ctx,
        query: format!("from={from}&to={to}"),
        from,
        to,
        errors,
        summary,
        documents,
    };
    render(status, &page)
}

async fn rows_for(
    state: &AppState,
    q: &ReportQuery,
) -> Result<(Period, Vec<DocumentRow>), AppError> {
    let p = period(state, q).map_err(ReportError::Invalid)?;
    Ok((p, reports::documents(state, p).await?))
}

pub async fn documents_csv(
    _staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let (p, rows) = rows_for(&state, &query).await?;
    let body = reports::documents_csv(&rows, &state.settings.store.currency)?;
    Ok(csv_download(
        &format!("documents-{}", p.from),
        &p.to.to_string(),
        body,
    ))
}

pub async fn vat_csv(
    _staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let (p, rows) = rows_for(&state, &query).await?;
    let body = reports::vat_csv(&reports::vat_summary(&rows))?;
    Ok(csv_download(
        &format!("vat-{}", p.from),
        &p.to.to_string(),
        body,
    ))
}

//! `/admin/support`: the inbox (by status, searchable) and one request with the customer's and
//! the order's context beside the thread; answering mails the customer.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::{FieldErrors, Pagination, RequestId, SupportStatus};
use crate::http::Path;
use crate::state::AppState;
use crate::support::{self, SupportError};
use crate::web::context::{PageContext, Staff};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::views::orders::OrderSummary;
use crate::web::views::support::{MessageView, RequestRow};
use crate::web::views::{PageLink, page_links, url_with};
use crate::web::{render, see_other};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InboxQuery {
    status: String,
    q: String,
    page: String,
}

/// A tab of the inbox with its count.
pub struct StatusTab {
    pub key: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "admin/support_inbox.html")]
struct InboxPage {
    ctx: PageContext,
    requests: Vec<RequestRow>,
    tabs: Vec<StatusTab>,
    total: i64,
    status: String,
    q: String,
    pages: Vec<PageLink>,
}

pub async fn inbox(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<InboxQuery>,
) -> Result<HttpResponse, AppError> {
    let status = SupportStatus::parse(&query.status);
    let status_key = status.map(SupportStatus::as_str).unwrap_or("");
    let q: String = query.q.trim().chars().take(100).collect();
    let page = Pagination::parse(&query.page, super::PAGE_SIZE);
    let search = (!q.is_empty()).then_some(q.as_str());
    let (rows, total) =
        support::inbox(&state, status, search, page.per_page(), page.offset()).await?;
    let (open, waiting, closed) = crate::db::support::counts(state.db.pool()).await?;
    let tab = |key: &'static str, label, count| StatusTab {
        key,
        label,
        count,
        current: key == status_key,
    };
    let tabs = vec![
        tab("", "Not closed", open + waiting),
        tab("open", SupportStatus::Open.label(), open),
        tab("waiting", SupportStatus::Waiting.label(), waiting),
        tab("closed", SupportStatus::Closed.label(), closed),
    ];
    let href = |n: i64| {
        url_with(
            "/admin/support",
            &[("status", status_key), ("q", &q), ("page", &n.to_string())],
        )
    };
    let shown = page.within(total);
    let page = InboxPage {
        ctx,
        requests: rows.iter().map(RequestRow::for_staff).collect(),
        tabs,
        total,
        status: status_key.to_string(),
        q: q.clone(),
        pages: page_links(shown.page(), shown.pages(total), href),
    };
    render(StatusCode::OK, &page)
}

/// The customer beside the thread.
pub struct CustomerContext {
    pub id: crate::domain::UserId,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub orders: i64,
    pub spent: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin/support_request.html")]
struct RequestPage {
    ctx: PageContext,
    request: RequestRow,
    messages: Vec<MessageView>,
    customer: Option<CustomerContext>,
    order: Option<OrderSummary>,
    statuses: [SupportStatus; 3],
    /// The status the form proposes (after an answer: waiting for the customer).
    proposed: &'static str,
    reply: String,
    answer_hint: String,
    errors: FieldErrors,
}

async fn request_page(
    ctx: PageContext,
    state: &AppState,
    id: RequestId,
    reply: String,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let t = support::thread_for_staff(state, id).await?;
    let currency = &state.settings.store.currency;
    let r = &t.thread.request;
    let page = RequestPage {
        ctx,
        request: RequestRow::for_staff(r),
        messages: t
            .thread
            .messages
            .iter()
            .map(|m| MessageView::new(m, false, &r.name, &state.settings.store.name))
            .collect(),
        customer: t.customer.map(|c| CustomerContext {
            id: c.id,
            name: format!("{} {}", c.first_name, c.last_name),
            email: c.email,
            phone: c.phone,
            orders: c.order_count,
            spent: c.spent.display(currency),
            active: c.active,
        }),
        order: t.order.as_ref().map(OrderSummary::new),
        statuses: SupportStatus::ALL,
        proposed: SupportStatus::Waiting.as_str(),
        reply,
        answer_hint: format!(
            "Sent by mail to {} and shown on their request page. Leave empty to change the status only.",
            r.email
        ),
        errors,
    };
    render(status, &page)
}

pub async fn show(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<RequestId>,
) -> Result<HttpResponse, AppError> {
    request_page(
        ctx,
        &state,
        id,
        String::new(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    message: String,
    status: String,
}

pub async fn answer(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<RequestId>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let status = match form.status.trim() {
        "" => None,
        raw => match SupportStatus::parse(raw) {
            Some(s) => Some(s),
            None => {
                let mut e = FieldErrors::new();
                e.add("status", "Choose open, waiting or closed.");
                let code = StatusCode::UNPROCESSABLE_ENTITY;
                return request_page(ctx, &state, id, form.message.clone(), e, code).await;
            }
        },
    };
    match support::answer(&state, &staff.0, id, &form.message, status).await {
        Ok(()) => {
            let text = if form.message.trim().is_empty() {
                "Status changed."
            } else {
                "Answer sent to the customer."
            };
            session::flash(&session, FlashLevel::Success, text);
            Ok(see_other(&format!("/admin/support/{id}")))
        }
        Err(SupportError::Invalid(errors)) => {
            let code = StatusCode::UNPROCESSABLE_ENTITY;
            request_page(ctx, &state, id, form.message.clone(), errors, code).await
        }
        Err(e) => Err(e.into()),
    }
}

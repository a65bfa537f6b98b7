//! `/support` (a customer's requests), `/support/{id}` (one thread, also for a guest holding a
//! mailed link) and `/contact` (a guest writes to the shop).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::users::User;
use crate::domain::{FieldErrors, RequestId};
use crate::http::{Path, client_ip};
use crate::state::AppState;
use crate::support::{self, ContactInput, RequestInput, Requester, SupportError};
use crate::web::context::{PageContext, SignedIn, signed_in_user};
use crate::web::errors::{AppError, retry_after, try_again};
use crate::web::session::{self, FlashLevel};
use crate::web::views::orders::OrderSummary;
use crate::web::views::support::{MessageView, RequestRow};
use crate::web::{render, see_other};

#[derive(Template)]
#[template(path = "support/list.html")]
struct SupportPage {
    ctx: PageContext,
    requests: Vec<RequestRow>,
    form: RequestInput,
    orders: Vec<OrderSummary>,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    /// Preselects an order (the order page links here).
    order_id: String,
}

async fn support_page(
    ctx: PageContext,
    state: &AppState,
    user: &User,
    form: RequestInput,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let requests = support::for_customer(state, user.id)
        .await?
        .iter()
        .map(RequestRow::for_customer)
        .collect();
    let orders = crate::db::orders::list_for_user(state.db.pool(), user.id)
        .await?
        .iter()
        .map(OrderSummary::new)
        .collect();
    let page = SupportPage {
        ctx,
        requests,
        form,
        orders,
        errors,
    };
    render(status, &page)
}

pub async fn list(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let form = RequestInput {
        order_id: query.order_id.trim().to_string(),
        ..RequestInput::default()
    };
    support_page(ctx, &state, &user, form, FieldErrors::new(), StatusCode::OK).await
}

/// A refused attempt: the form again with the reason at the top, 429 and `Retry-After`.
fn throttled_errors(until: i64, now: i64) -> FieldErrors {
    let mut e = FieldErrors::new();
    e.add(
        "message",
        format!(
            "You have written to us many times in a short while. {}",
            try_again(until, now)
        ),
    );
    e
}

pub async fn open(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<RequestInput>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    match support::open_for_customer(&state, &user, &form).await {
        Ok(id) => {
            session::flash(
                &session,
                FlashLevel::Success,
                "Thank you. We received your request and will answer here (and by mail).",
            );
            Ok(see_other(&format!("/support/{id}")))
        }
        Err(SupportError::Invalid(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            support_page(ctx, &state, &user, form, errors, status).await
        }
        Err(SupportError::Throttled { until, now }) => {
            let errors = throttled_errors(until, now);
            let status = StatusCode::TOO_MANY_REQUESTS;
            let mut res = support_page(ctx, &state, &user, form, errors, status).await?;
            retry_after(&mut res, until, now);
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "support/thread.html")]
struct ThreadPage {
    ctx: PageContext,
    request: RequestRow,
    messages: Vec<MessageView>,
    reply: String,
    errors: FieldErrors,
    /// A guest following a mailed link (no account to go back to).
    guest: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinkQuery {
    token: String,
}

async fn thread_page(
    ctx: PageContext,
    state: &AppState,
    who: Requester<'_>,
    id: RequestId,
    reply: String,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let t = support::thread_for(state, who, id).await?;
    let shop = &state.settings.store.name;
    let page = ThreadPage {
        ctx,
        request: RequestRow::for_customer(&t.request),
        messages: t
            .messages
            .iter()
            .map(|m| MessageView::new(m, true, "", shop))
            .collect(),
        reply,
        errors,
        guest: who.user.is_none(),
    };
    render(status, &page)
}

/// Who is asking: the signed-in customer and the guest requests this session holds links to.
async fn requester(
    req: &HttpRequest,
    session: &Session,
) -> Result<(Option<User>, Vec<RequestId>), AppError> {
    Ok((signed_in_user(req).await?, session::support_links(session)))
}

/// Nobody signed in and no link: perhaps a customer's request, so offer to sign in.
fn not_theirs(user: &Option<User>, req: &HttpRequest) -> AppError {
    match user {
        Some(_) => AppError::NotFound,
        None => AppError::LoginRequired {
            next: req.path().to_string(),
        },
    }
}

pub async fn show(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<RequestId>,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, AppError> {
    if !query.token.is_empty() {
        // A mailed link: remember it in the session, then show the page without the token in
        // the address (so it is not kept in history or sent on as a referrer).
        if !support::link_opens(&state, id, &query.token).await? {
            return Err(AppError::BadRequest(
                "This link is not valid or has expired. Write to us again through the contact form, and mention your request number."
                    .into(),
            ));
        }
        session::add_support_link(&session, id);
        return Ok(see_other(&format!("/support/{id}")));
    }
    let (user, links) = requester(&req, &session).await?;
    let who = Requester {
        user: user.as_ref().map(|u| u.id),
        links: &links,
    };
    match thread_page(
        ctx,
        &state,
        who,
        id,
        String::new(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
    {
        Err(AppError::NotFound) => Err(not_theirs(&user, &req)),
        other => other,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReplyForm {
    message: String,
}

pub async fn reply(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<RequestId>,
    form: web::Form<ReplyForm>,
) -> Result<HttpResponse, AppError> {
    let (user, links) = requester(&req, &session).await?;
    let who = Requester {
        user: user.as_ref().map(|u| u.id),
        links: &links,
    };
    match support::reply_as_requester(&state, who, id, &form.message).await {
        Ok(()) => {
            session::flash(
                &session,
                FlashLevel::Success,
                "Your message was added. We will answer soon.",
            );
            Ok(see_other(&format!("/support/{id}")))
        }
        Err(SupportError::Invalid(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            thread_page(ctx, &state, who, id, form.message.clone(), errors, status).await
        }
        Err(SupportError::NotFound) => Err(not_theirs(&user, &req)),
        Err(e) => Err(e.into()),
    }
}

pub async fn close(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<RequestId>,
) -> Result<HttpResponse, AppError> {
    let (user, links) = requester(&req, &session).await?;
    let who = Requester {
        user: user.as_ref().map(|u| u.id),
        links: &links,
    };
    match support::close_by_requester(&state, who, id).await {
        Ok(()) => {
            session::flash(
                &session,
                FlashLevel::Success,
                "The request is closed. Write again here any time to reopen it.",
            );
            Ok(see_other(&format!("/support/{id}")))
        }
        Err(SupportError::NotFound) => Err(not_theirs(&user, &req)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    ctx: PageContext,
    form: ContactInput,
    errors: FieldErrors,
}

pub async fn contact_form(ctx: PageContext) -> Result<HttpResponse, AppError> {
    if ctx.user.is_some() {
        // Customers write from their support page, where the answers also show.
        return Ok(see_other("/support"));
    }
    let page = ContactPage {
        ctx,
        form: ContactInput::default(),
        errors: FieldErrors::new(),
    };
    render(StatusCode::OK, &page)
}

pub async fn contact(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<ContactInput>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    if let Some(user) = signed_in_user(&req).await? {
        let input = RequestInput {
            subject: form.subject.clone(),
            message: form.message.clone(),
            order_id: String::new(),
        };
        return match support::open_for_customer(&state, &user, &input).await {
            Ok(id) => Ok(see_other(&format!("/support/{id}"))),
            Err(SupportError::Invalid(errors)) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ContactPage { ctx, form, errors },
            ),
            Err(e) => Err(e.into()),
        };
    }
    match support::open_for_guest(&state, &form, &client_ip(&req)).await {
        Ok(id) => {
            // The writer may read their request in this browser straight away.
            session::add_support_link(&session, id);
            session::flash(
                &session,
                FlashLevel::Success,
                format!(
                    "Thank you. We received your message; a link to this page is on its way to {}.",
                    form.email.trim()
                ),
            );
            Ok(see_other(&format!("/support/{id}")))
        }
        Err(SupportError::Invalid(errors)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ContactPage { ctx, form, errors },
        ),
        Err(SupportError::Throttled { until, now }) => {
            let errors = throttled_errors(until, now);
            let mut res = render(
                StatusCode::TOO_MANY_REQUESTS,
                &ContactPage { ctx, form, errors },
            )?;
            retry_after(&mut res, until, now);
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

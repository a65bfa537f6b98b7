//! "Forgot password" and the reset form reached from the mailed link.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::auth::{EmailForm, TokenQuery, link_invalid};
use crate::accounts::AccountError;
use crate::accounts::password::{self, ResetPasswordInput};
use crate::domain::FieldErrors;
use crate::http::client_ip;
use crate::state::AppState;
use crate::web::context::PageContext;
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::{render, see_other};

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPage {
    ctx: PageContext,
}

pub async fn forgot_form(ctx: PageContext) -> Result<HttpResponse, AppError> {
    render(StatusCode::OK, &ForgotPage { ctx })
}

pub async fn forgot(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    password::request_reset(&state, &form.email, &client_ip(&req)).await?;
    // The same answer whether or not the address has an account.
    session::flash(
        &session,
        FlashLevel::Info,
        "If an account exists for that address, a link to choose a new password is on its way to it. The link is valid for one hour.",
    );
    Ok(see_other("/login"))
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPage {
    ctx: PageContext,
    token: String,
    errors: FieldErrors,
}

/// The page carries the token, so it must not leak through the Referer header.
fn no_referrer(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    res
}

pub async fn reset_form(
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    if password::reset_target(&state, &query.token)
        .await?
        .is_none()
    {
        return link_invalid(ctx, true).await.map(no_referrer);
    }
    let page = ResetPage {
        ctx,
        token: query.token.clone(),
        errors: FieldErrors::new(),
    };
    render(StatusCode::OK, &page).map(no_referrer)
}

pub async fn reset(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<ResetPasswordInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    match password::reset(&state, &input, &client_ip(&req)).await {
        Ok(_) => {
            // Any session this browser had was ended with the others; start clean.
            session::sign_out(&session);
            Ok(see_other("/login?reset=1"))
        }
        Err(AccountError::Invalid(errors)) => {
            let page = ResetPage {
                ctx,
                token: input.token,
                errors,
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &page).map(no_referrer)
        }
        Err(AccountError::InvalidToken) => link_invalid(ctx, true).await.map(no_referrer),
        Err(e) => Err(e.into()),
    }
}

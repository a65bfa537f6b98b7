//! Registration, sign-in, sign-out and email verification pages.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::accounts::registration::{self, RegistrationInput};
use crate::accounts::{AccountError, login, verification};
use crate::domain::FieldErrors;
use crate::http::client_ip;
use crate::state::AppState;
use crate::web::context::PageContext;
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::{render, safe_next, see_other};

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    ctx: PageContext,
    form: RegistrationInput,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterQuery {
    /// Prefilled (a guest's order page offers an account with its address).
    email: String,
}

pub async fn register_form(
    ctx: PageContext,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, AppError> {
    if ctx.user.is_some() {
        return Ok(see_other("/account"));
    }
    let page = RegisterPage {
        ctx,
        form: RegistrationInput {
            email: query.email.trim().chars().take(254).collect(),
            ..RegistrationInput::default()
        },
        errors: FieldErrors::new(),
    };
    render(StatusCode::OK, &page)
}

pub async fn register(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<RegistrationInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    let result = match registration::validate(&state, &input) {
        Ok(valid) => registration::register(&state, valid, &client_ip(&req)).await,
        Err(errors) => Err(AccountError::Invalid(errors)),
    };
    match result {
        Ok(_) => {
            let message = format!(
                "Your account has been created. A confirmation link is on its way to {}; open it to activate your account.",
                input.email.trim().to_lowercase()
            );
            session::flash(&session, FlashLevel::Success, message);
            Ok(see_other("/login"))
        }
        Err(AccountError::Invalid(errors) | AccountError::Taken(errors)) => {
            let page = RegisterPage {
                ctx,
                form: input.without_passwords(),
                errors,
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: PageContext,
    login: String,
    next: String,
    error: Option<String>,
    /// Set when the password was right but the address is not confirmed yet.
    unverified: bool,
    /// A note that cannot travel as a flash because the session was just ended.
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
    signed_out: Option<String>,
    reset: Option<String>,
}

pub async fn login_form(
    ctx: PageContext,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    if ctx.user.is_some() {
        return Ok(see_other(safe_next(&query.next).unwrap_or("/account")));
    }
    let page = LoginPage {
        ctx,
        login: String::new(),
        next: safe_next(&query.next).unwrap_or_default().to_string(),
        error: None,
        unverified: false,
        notice: if query.reset.is_some() {
            Some("Your password has been reset. Sign in with your new password.")
        } else if query.signed_out.is_some() {
            Some("You have been signed out.")
        } else {
            None
        },
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    /// The email address or the username.
    email: String,
    password: String,
    next: String,
}

pub async fn login(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let next = safe_next(&form.next).unwrap_or_default().to_string();
    let page = |ctx, error: &str, unverified| LoginPage {
        ctx,
        login: form.email.clone(),
        next: next.clone(),
        error: Some(error.to_string()),
        unverified,
        notice: None,
    };
    match login::sign_in(&state, &form.email, &form.password, &client_ip(&req)).await {
        Ok(user) => {
            // Read before the session is renewed; the guest cart then joins the customer's.
            let guest_cart = session::cart_token(&session);
            session::sign_in(&session, user.id);
            session::forget_cart(&session);
            session::flash(
                &session,
                FlashLevel::Success,
                format!("Welcome back, {}!", user.first_name),
            );
            if let Some(token) = guest_cart {
                for note in crate::orders::cart::merge(&state, &token, user.id).await? {
                    session::flash(&session, FlashLevel::Info, note);
                }
            }
            super::wishlist::apply_pending(&state, &session, user.id).await?;
            let home = if user.is_staff() {
                "/admin"
            } else {
                "/account"
            };
            Ok(see_other(if next.is_empty() { home } else { &next }))
        }
        Err(AccountError::InvalidCredentials { attempts_left }) => {
            let pause = state.settings.security.login_lock_minutes;
            let message = match attempts_left {
                Some(0) | None => {
                    "The email address, username or password is not correct.".to_string()
                }
                Some(1) => format!(
                    "The email address, username or password is not correct. One attempt left before sign-in is paused for {pause} minutes."
                ),
                Some(n) => format!(
                    "The email address, username or password is not correct. {n} attempts left before sign-in is paused for {pause} minutes."
                ),
            };
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(ctx, &message, false),
            )
        }
        Err(AccountError::Throttled { until, now }) => {
            // The form stays, with the way out (a reset lifts the pause) and when to come back.
            let minutes = ((until - now).max(1) + 59) / 60;
            let when = crate::clock::format_local(until, now, &state.settings.store.time_zone);
            let message = format!(
                "Too many attempts: sign-in is paused for {minutes} minute{}, until {when}. Forgot your password? Resetting it ends the pause at once.",
                if minutes == 1 { "" } else { "s" }
            );
            let mut res = render(StatusCode::TOO_MANY_REQUESTS, &page(ctx, &message, false))?;
            crate::web::errors::retry_after(&mut res, until, now);
            Ok(res)
        }
        Err(AccountError::Unverified) => render(
            StatusCode::FORBIDDEN,
            &page(
                ctx,
                "Please confirm your email address first: open the link we mailed you when you registered.",
                true,
            ),
        ),
        Err(AccountError::Deactivated) => render(
            StatusCode::FORBIDDEN,
            &page(
                ctx,
                "This account has been closed by the shop, so it cannot sign in. If you think this is a mistake, write to us through the contact form.",
                false,
            ),
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    if let Some(id) = session::user_id(&session) {
        crate::accounts::login::sign_out(&state, id, &client_ip(&req)).await?;
    }
    session::sign_out(&session);
    Ok(see_other("/login?signed_out=1"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    pub token: String,
}

#[derive(Template)]
#[template(path = "link_invalid.html")]
struct LinkInvalidPage {
    ctx: PageContext,
    /// Which kind of link: decides what the page offers instead.
    reset: bool,
}

pub async fn verify_email(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let signed_in = ctx.user.is_some();
    match verification::verify(&state, &query.token, &client_ip(&req)).await {
        Ok(verification::Verified::Account(_)) => {
            session::flash(
                &session,
                FlashLevel::Success,
                "Thank you, your email address is confirmed. You can sign in now.",
            );
            Ok(see_other(if signed_in { "/account" } else { "/login" }))
        }
        Ok(verification::Verified::EmailChanged(_)) => {
            session::flash(
                &session,
                FlashLevel::Success,
                "Your new email address is confirmed and now in use.",
            );
            Ok(see_other(if signed_in { "/account" } else { "/login" }))
        }
        Err(AccountError::InvalidToken) => render(
            StatusCode::BAD_REQUEST,
            &LinkInvalidPage { ctx, reset: false },
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    pub email: String,
}

pub async fn resend_verification(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    verification::resend(&state, &form.email, &client_ip(&req)).await?;
    session::flash(
        &session,
        FlashLevel::Info,
        "If an account with that address is waiting for confirmation, a new link is on its way to it.",
    );
    Ok(see_other("/login"))
}

pub(crate) async fn link_invalid(ctx: PageContext, reset: bool) -> Result<HttpResponse, AppError> {
    render(StatusCode::BAD_REQUEST, &LinkInvalidPage { ctx, reset })
}

//! The signed-in customer's own pages: overview, profile, password.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::accounts::AccountError;
use crate::accounts::password::{self, ChangePasswordInput};
use crate::accounts::profile::{self, ProfileInput, ProfileOutcome};
use crate::clock::format_unix;
use crate::db::auth_events;
use crate::db::users::User;
use crate::domain::FieldErrors;
use crate::http::client_ip;
use crate::state::AppState;
use crate::web::context::{PageContext, SignedIn};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::views::CardView;
use crate::web::{render, see_other};

pub struct ActivityLine {
    pub when: String,
    pub what: &'static str,
    pub ip: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: PageContext,
    user: User,
    member_since: String,
    activity: Vec<ActivityLine>,
    recent: Vec<CardView>,
    wishlist_count: i64,
}

pub async fn overview(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let activity = auth_events::recent_for_user(state.db.pool(), user.id, 10)
        .await?
        .into_iter()
        .map(|e| ActivityLine {
            when: format_unix(e.at),
            what: e.event.label(),
            ip: e.ip,
        })
        .collect();
    let currency = &state.settings.store.currency;
    let recent = CardView::list(
        super::home::recently_viewed(&state, user.id).await?,
        currency,
    );
    let page = AccountPage {
        ctx,
        member_since: format_unix(user.created_at),
        wishlist_count: crate::db::wishlist::count(state.db.pool(), user.id).await?,
        user,
        activity,
        recent,
    };
    render(StatusCode::OK, &page)
}

/// Forgets the customer's recently viewed products.
pub async fn clear_recently_viewed(
    SignedIn(user): SignedIn,
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    crate::engagement::views::clear(&state, user.id).await?;
    session::flash(
        &session,
        FlashLevel::Success,
        "Your recently viewed products were cleared.",
    );
    Ok(see_other("/account"))
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    ctx: PageContext,
    form: ProfileInput,
    errors: FieldErrors,
    current_email: String,
}

pub async fn profile_form(
    SignedIn(user): SignedIn,
    ctx: PageContext,
) -> Result<HttpResponse, AppError> {
    let page = ProfilePage {
        ctx,
        form: ProfileInput::from_user(&user),
        errors: FieldErrors::new(),
        current_email: user.email.as_str().to_string(),
    };
    render(StatusCode::OK, &page)
}

pub async fn profile(
    req: HttpRequest,
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<ProfileInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    match profile::update(&state, &user, &input, &client_ip(&req)).await {
        Ok(ProfileOutcome::Saved) => {
            session::flash(
                &session,
                FlashLevel::Success,
                "Your profile has been saved.",
            );
            Ok(see_other("/account"))
        }
        Ok(ProfileOutcome::EmailPending(email)) => {
            session::flash(
                &session,
                FlashLevel::Success,
                format!(
                    "Your profile has been saved. A confirmation link is on its way to {email}; your email address changes when you open it."
                ),
            );
            Ok(see_other("/account"))
        }
        Err(AccountError::Invalid(errors) | AccountError::Taken(errors)) => {
            let mut form = input;
            form.current_password.clear();
            let page = ProfilePage {
                ctx,
                form,
                errors,
                current_email: user.email.as_str().to_string(),
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "change_password.html")]
struct PasswordPage {
    ctx: PageContext,
    errors: FieldErrors,
}

pub async fn password_form(
    SignedIn(_): SignedIn,
    ctx: PageContext,
) -> Result<HttpResponse, AppError> {
    render(
        StatusCode::OK,
        &PasswordPage {
            ctx,
            errors: FieldErrors::new(),
        },
    )
}

pub async fn password(
    req: HttpRequest,
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<ChangePasswordInput>,
) -> Result<HttpResponse, AppError> {
    match password::change(&state, &user, &form, &client_ip(&req)).await {
        Ok(()) => {
            // Every session of the user was ended; this browser continues on a new one.
            session::renew(&session);
            session::flash(
                &session,
                FlashLevel::Success,
                "Your password has been changed. Every other device was signed out.",
            );
            Ok(see_other("/account"))
        }
        Err(AccountError::Invalid(errors) | AccountError::Taken(errors)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage { ctx, errors },
        ),
        Err(e) => Err(e.into()),
    }
}

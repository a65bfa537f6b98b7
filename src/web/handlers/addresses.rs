//! `/account/addresses`: the customer's address book (add, delete, choose the defaults).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::addresses::{self, AddressError, AddressInput, PostalAddress};
use crate::domain::{FieldErrors, UserId};
use crate::http::Path;
use crate::state::AppState;
use crate::web::context::{PageContext, SignedIn};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::{render, see_other};

pub struct AddressView {
    pub id: i64,
    pub name: String,
    pub lines: String,
    pub default_shipping: bool,
    pub default_billing: bool,
}

#[derive(Template)]
#[template(path = "addresses.html")]
struct AddressesPage {
    ctx: PageContext,
    addresses: Vec<AddressView>,
    form: AddressInput,
    errors: FieldErrors,
    countries: &'static [(&'static str, &'static str, bool)],
}

async fn page(
    ctx: PageContext,
    state: &AppState,
    user: UserId,
    mut form: AddressInput,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let book = addresses::book(state, user).await?;
    if form.country.is_empty() {
        form.country = state.settings.store.country_code.clone();
    }
    let addresses = book
        .addresses
        .iter()
        .map(|a| {
            let p = PostalAddress::from_row(a);
            AddressView {
                id: a.id,
                name: p.name.clone(),
                lines: p.lines(),
                default_shipping: book.default_shipping == Some(a.id),
                default_billing: book.default_billing == Some(a.id),
            }
        })
        .collect();
    render(
        status,
        &AddressesPage {
            ctx,
            addresses,
            form,
            errors,
            countries: crate::shipping::COUNTRIES,
        },
    )
}

pub async fn list(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (form, errors) = (AddressInput::default(), FieldErrors::new());
    page(ctx, &state, user.id, form, errors, StatusCode::OK).await
}

pub async fn add(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<AddressInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    match addresses::add(&state, user.id, &input).await {
        Ok(_) => {
            session::flash(&session, FlashLevel::Success, "Address saved.");
            Ok(see_other("/account/addresses"))
        }
        Err(AddressError::Invalid(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(ctx, &state, user.id, input, errors, status).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    SignedIn(user): SignedIn,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<HttpResponse, AppError> {
    addresses::delete(&state, user.id, id).await?;
    session::flash(&session, FlashLevel::Success, "Address deleted.");
    Ok(see_other("/account/addresses"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DefaultForm {
    /// `shipping` or `billing`.
    kind: String,
}

pub async fn set_default(
    SignedIn(user): SignedIn,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: web::Form<DefaultForm>,
) -> Result<HttpResponse, AppError> {
    let billing = match form.kind.as_str() {
        "billing" => true,
        "shipping" => false,
        _ => return Err(AppError::BadRequest("Choose shipping or billing.".into())),
    };
    addresses::set_default(&state, user.id, id, billing).await?;
    let note = if billing {
        "Default billing address changed."
    } else {
        "Default shipping address changed."
    };
    session::flash(&session, FlashLevel::Success, note);
    Ok(see_other("/account/addresses"))
}

#[derive(Template)]
#[template(path = "address_edit.html")]
struct EditPage {
    ctx: PageContext,
    id: i64,
    form: AddressInput,
    errors: FieldErrors,
    countries: &'static [(&'static str, &'static str, bool)],
}

fn edit_page(
    ctx: PageContext,
    id: i64,
    form: AddressInput,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let page = EditPage {
        ctx,
        id,
        form,
        errors,
        countries: crate::shipping::COUNTRIES,
    };
    render(status, &page)
}

/// `GET /account/addresses/{id}/edit`.
pub async fn edit(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<i64>,
) -> Result<HttpResponse, AppError> {
    let form = addresses::input_of(&state, user.id, id).await?;
    edit_page(ctx, id, form, FieldErrors::new(), StatusCode::OK)
}

/// `POST /account/addresses/{id}`.
pub async fn update(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: web::Form<AddressInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    match addresses::update(&state, user.id, id, &input).await {
        Ok(()) => {
            session::flash(&session, FlashLevel::Success, "Address changed.");
            Ok(see_other("/account/addresses"))
        }
        Err(AddressError::Invalid(errors)) => {
            edit_page(ctx, id, input, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}

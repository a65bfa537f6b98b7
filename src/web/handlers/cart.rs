//! The cart page and its forms: add from a product page, change a line's quantity.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::{FieldErrors, MAX_QUANTITY, Money, ProductId, Quantity};
use crate::http::{Path, client_ip};
use crate::orders::OrderError;
use crate::orders::cart::{self, CartView, Owner};
use crate::state::AppState;
use crate::web::context::{PageContext, cart_owner, signed_in_user};
use crate::web::errors::AppError;
use crate::web::handlers::catalog::{CartAttempt, product_page};
use crate::web::session::{self, FlashLevel};
use crate::web::views::cart::CartSummary;
use crate::web::{render, see_other};

#[derive(Template)]
#[template(path = "cart.html")]
struct CartPage {
    ctx: PageContext,
    cart: CartSummary,
    error: Option<String>,
    max_quantity: i64,
    /// The voucher field as typed, and why the code was refused.
    voucher_input: String,
    voucher_error: Option<String>,
}

async fn cart_page(
    req: &HttpRequest,
    ctx: PageContext,
    state: &AppState,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    voucher_page(req, ctx, state, error, String::new(), None).await
}

async fn voucher_page(
    req: &HttpRequest,
    ctx: PageContext,
    state: &AppState,
    error: Option<String>,
    voucher_input: String,
    voucher_error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let view = match cart_owner(req).await? {
        Some(owner) => cart::view(state, &owner).await?,
        None => CartView::default(),
    };
    let status = if error.is_some() || voucher_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = CartPage {
        ctx,
        cart: CartSummary::new(view, state),
        error,
        max_quantity: MAX_QUANTITY,
        voucher_input,
        voucher_error,
    };
    render(status, &page)
}

pub async fn show(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    cart_page(&req, ctx, &state, None).await
}

/// The cart owner for a change: the customer, or this session's guest cart (made on first use).
async fn owner_for_change(req: &HttpRequest, session: &Session) -> Result<Owner, AppError> {
    Ok(match cart_owner(req).await? {
        Some(Owner::User(u)) => Owner::User(u),
        _ => Owner::Guest(session::ensure_cart_token(session)),
    })
}

fn first_error(e: &FieldErrors) -> String {
    e.fields()
        .flat_map(|(_, m)| m.iter())
        .next()
        .cloned()
        .unwrap_or_else(|| "That did not work.".into())
}

/// A refused cart change shown on the cart page (422); other errors go to the error edge.
async fn refused(
    req: &HttpRequest,
    ctx: PageContext,
    state: &AppState,
    e: OrderError,
    not_found: &str,
) -> Result<HttpResponse, AppError> {
    let message = match e {
        OrderError::Invalid(e) | OrderError::NotEnoughStock(e) => first_error(&e),
        OrderError::NotFound => not_found.to_string(),
        e => return Err(e.into()),
    };
    cart_page(req, ctx, state, Some(message)).await
}

/// The product page again (422), the refusal at its quantity field; a product no longer on sale
/// is not found.
async fn on_product_page(
    state: &AppState,
    ctx: PageContext,
    product: ProductId,
    attempt: CartAttempt,
) -> Result<HttpResponse, AppError> {
    let (errors, status) = (FieldErrors::new(), StatusCode::UNPROCESSABLE_ENTITY);
    product_page(state, ctx, product, "", None, errors, Some(attempt), status).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddForm {
    product_id: String,
    quantity: String,
    /// The variant chosen: by id, or by the values of the options (`option1`–`option3`).
    variant_id: String,
    option1: String,
    option2: String,
    option3: String,
}

pub async fn add(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    let Ok(product) = form.product_id.trim().parse::<ProductId>() else {
        let message = "That product does not exist.".to_string();
        return cart_page(&req, ctx, &state, Some(message)).await;
    };
    // A refused quantity is shown at the product page's quantity field, as typed.
    let again = |error: String| CartAttempt {
        quantity: form.quantity.chars().take(20).collect(),
        error,
    };
    let quantity = match Quantity::parse(&form.quantity, false) {
        Ok(q) => q,
        Err(message) => return on_product_page(&state, ctx, product, again(message)).await,
    };
    let chosen = [
        form.option1.as_str(),
        form.option2.as_str(),
        form.option3.as_str(),
    ];
    let variant = match cart::resolve_variant(&state, product, &form.variant_id, chosen).await {
        Ok(v) => v,
        Err(OrderError::NotEnoughStock(e)) => {
            return on_product_page(&state, ctx, product, again(first_error(&e))).await;
        }
        Err(e) => return Err(e.into()),
    };
    let owner = owner_for_change(&req, &session).await?;
    match cart::add(
        &state,
        &owner,
        (product, variant),
        quantity,
        &client_ip(&req),
    )
    .await
    {
        Ok(name) => {
            session::flash(
                &session,
                FlashLevel::Success,
                format!("Added {} × {name} to your cart.", quantity.get()),
            );
            Ok(see_other("/cart"))
        }
        Err(OrderError::Invalid(e) | OrderError::NotEnoughStock(e)) => {
            on_product_page(&state, ctx, product, again(first_error(&e))).await
        }
        Err(e) => refused(&req, ctx, &state, e, "That product is not available.").await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QuantityForm {
    quantity: String,
    /// The line's variant (0 or empty: none).
    variant_id: String,
}

pub async fn update(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(product): Path<ProductId>,
    form: web::Form<QuantityForm>,
) -> Result<HttpResponse, AppError> {
    let quantity = match Quantity::parse(&form.quantity, true) {
        Ok(q) => q,
        Err(message) => return cart_page(&req, ctx, &state, Some(message)).await,
    };
    let Some(owner) = cart_owner(&req).await? else {
        return cart_page(&req, ctx, &state, Some("Your cart is empty.".into())).await;
    };
    let variant = form.variant_id.trim().parse::<i64>().unwrap_or(0);
    match cart::set(
        &state,
        &owner,
        (product, variant),
        quantity,
        &client_ip(&req),
    )
    .await
    {
        Ok(()) => {
            let note = if quantity.get() == 0 {
                "Removed from your cart."
            } else {
                "Your cart was updated."
            };
            session::flash(&session, FlashLevel::Success, note);
            Ok(see_other("/cart"))
        }
        Err(e) => refused(&req, ctx, &state, e, "That product is not in your cart.").await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VoucherForm {
    code: String,
}

/// `POST /cart/voucher`: puts a code on the cart, or shows the cart again (422) with why not.
pub async fn apply_voucher(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<VoucherForm>,
) -> Result<HttpResponse, AppError> {
    let typed: String = form.code.chars().take(40).collect();
    let user = signed_in_user(&req).await?;
    let owner = owner_for_change(&req, &session).await?;
    let customer = user.as_ref().map(|u| (u.id, u.email.as_str()));
    match cart::apply_voucher(&state, &owner, &typed, customer, &client_ip(&req)).await {
        Ok(part) => {
            let amount = Money::from_cents(part.cents).display(&state.settings.store.currency);
            session::flash(
                &session,
                FlashLevel::Success,
                format!("{} applied: {amount} off.", part.label),
            );
            Ok(see_other("/cart"))
        }
        Err(OrderError::Invalid(e)) => {
            voucher_page(&req, ctx, &state, None, typed, Some(first_error(&e))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /cart/voucher/remove`.
pub async fn remove_voucher(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    if let Some(owner) = cart_owner(&req).await? {
        cart::remove_voucher(&state, &owner, &client_ip(&req)).await?;
    }
    session::flash(
        &session,
        FlashLevel::Success,
        "The voucher code was removed.",
    );
    Ok(see_other("/cart"))
}

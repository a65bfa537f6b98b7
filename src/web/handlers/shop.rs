//! The cart and checkout pages.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::{FieldErrors, Money, ProductId, Quantity};
use crate::orders::OrderError;
use crate::orders::cart::{self, CartView, Owner};
use crate::orders::checkout::{self, CheckoutInput, Placed};
use crate::state::AppState;
use crate::web::context::{PageContext, SignedIn, cart_owner};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::{render, see_other};

pub struct LineView {
    pub product_id: i64,
    pub name: String,
    pub sku: String,
    pub brand: String,
    pub thumb: Option<String>,
    pub unit_price: String,
    pub quantity: i64,
    pub line_total: String,
    pub problem: Option<String>,
}

/// A cart as pages show it: lines and totals formatted in the shop's currency.
pub struct CartSummary {
    pub lines: Vec<LineView>,
    pub items: i64,
    pub subtotal: String,
    pub shipping: String,
    pub total: String,
    pub vat: String,
    pub vat_percent: u32,
    pub free_shipping_from: String,
    pub blocked: bool,
}

impl CartSummary {
    pub fn new(view: CartView, state: &AppState) -> Self {
        let c = state.settings.store.currency.as_str();
        Self {
            items: view.items,
            subtotal: view.totals.subtotal.display(c),
            shipping: view.totals.shipping.display(c),
            total: view.totals.total.display(c),
            vat: view.totals.vat.display(c),
            vat_percent: state.settings.store.vat_percent,
            free_shipping_from: Money::from_cents(state.settings.store.free_shipping_over_cents)
                .display(c),
            blocked: view.blocked,
            lines: view
                .lines
                .into_iter()
                .map(|l| LineView {
                    product_id: l.product_id,
                    name: l.name,
                    sku: l.sku,
                    brand: l.brand,
                    thumb: l.thumb.map(|t| format!("/media/{t}")),
                    unit_price: l.unit_price.display(c),
                    quantity: l.quantity,
                    line_total: l.line_total.display(c),
                    problem: l.problem,
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "cart.html")]
struct CartPage {
    ctx: PageContext,
    cart: CartSummary,
    error: Option<String>,
}

async fn cart_page(
    req: &HttpRequest,
    ctx: PageContext,
    state: &AppState,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let view = match cart_owner(req).await? {
        Some(owner) => cart::view(state, &owner).await?,
        None => CartView::default(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &CartPage {
            ctx,
            cart: CartSummary::new(view, state),
            error,
        },
    )
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

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddForm {
    product_id: String,
    quantity: String,
}

pub async fn add(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    let product = form.product_id.trim().parse::<i64>().map(ProductId);
    let quantity = Quantity::parse(&form.quantity, false);
    let (Ok(product), Ok(quantity)) = (product, quantity.as_ref()) else {
        let message = quantity
            .err()
            .unwrap_or_else(|| "That product does not exist.".into());
        return cart_page(&req, ctx, &state, Some(message)).await;
    };
    let owner = owner_for_change(&req, &session).await?;
    match cart::add(&state, &owner, product, *quantity).await {
        Ok(name) => {
            session::flash(
                &session,
                FlashLevel::Success,
                format!("Added {} × {name} to your cart.", quantity.get()),
            );
            Ok(see_other("/cart"))
        }
        Err(OrderError::Invalid(e) | OrderError::NotEnoughStock(e)) => {
            cart_page(&req, ctx, &state, Some(first_error(&e))).await
        }
        Err(OrderError::NotFound) => {
            cart_page(
                &req,
                ctx,
                &state,
                Some("That product is not available.".into()),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QuantityForm {
    quantity: String,
}

pub async fn update(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    form: web::Form<QuantityForm>,
) -> Result<HttpResponse, AppError> {
    let Ok(product) = path.parse::<i64>().map(ProductId) else {
        return Err(AppError::NotFound);
    };
    let quantity = match Quantity::parse(&form.quantity, true) {
        Ok(q) => q,
        Err(message) => return cart_page(&req, ctx, &state, Some(message)).await,
    };
    let Some(owner) = cart_owner(&req).await? else {
        return cart_page(&req, ctx, &state, Some("Your cart is empty.".into())).await;
    };
    match cart::set(&state, &owner, product, quantity).await {
        Ok(()) => {
            let note = if quantity.get() == 0 {
                "Removed from your cart."
            } else {
                "Your cart was updated."
            };
            session::flash(&session, FlashLevel::Success, note);
            Ok(see_other("/cart"))
        }
        Err(OrderError::Invalid(e) | OrderError::NotEnoughStock(e)) => {
            cart_page(&req, ctx, &state, Some(first_error(&e))).await
        }
        Err(OrderError::NotFound) => {
            cart_page(
                &req,
                ctx,
                &state,
                Some("That product is not in your cart.".into()),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "checkout.html")]
struct CheckoutPage {
    ctx: PageContext,
    cart: CartSummary,
    form: CheckoutInput,
    errors: FieldErrors,
    problems: Vec<String>,
}

async fn checkout_page(
    ctx: PageContext,
    state: &AppState,
    user_id: crate::domain::UserId,
    mut form: CheckoutInput,
    errors: FieldErrors,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let view = cart::view(state, &Owner::User(user_id)).await?;
    // The form vouches for the total it shows now.
    form.expected_total_cents = view.totals.total.cents().to_string();
    render(
        status,
        &CheckoutPage {
            ctx,
            cart: CartSummary::new(view, state),
            form,
            errors,
            problems,
        },
    )
}

pub async fn checkout_form(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let view = cart::view(&state, &Owner::User(user.id)).await?;
    if view.lines.is_empty() {
        session::flash(&session, FlashLevel::Info, "Your cart is empty.");
        return Ok(see_other("/cart"));
    }
    if view.blocked {
        session::flash(
            &session,
            FlashLevel::Warning,
            "Some products in your cart need your attention before you can pay.",
        );
        return Ok(see_other("/cart"));
    }
    let form = CheckoutInput {
        checkout_token: checkout::new_token(),
        shipping_address: user.address.clone(),
        expected_total_cents: view.totals.total.cents().to_string(),
        ..CheckoutInput::default()
    };
    render(
        StatusCode::OK,
        &CheckoutPage {
            ctx,
            cart: CartSummary::new(view, &state),
            form,
            errors: FieldErrors::new(),
            problems: Vec::new(),
        },
    )
}

pub async fn checkout(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<CheckoutInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    let again = |problems: Vec<String>, errors: FieldErrors, status| {
        let mut form = input.for_redisplay();
        if status != StatusCode::UNPROCESSABLE_ENTITY {
            // After a refused payment or a stock change the next try is a new attempt.
            form.checkout_token = checkout::new_token();
        }
        checkout_page(ctx, &state, user.id, form, errors, problems, status)
    };
    match checkout::place(&state, &user, &input).await {
        Ok(placed) => {
            let note = match placed {
                Placed::Created(_) => {
                    "Thank you! Your order is confirmed and paid. A confirmation mail is on its way."
                }
                Placed::AlreadyPlaced(_) => "This order was already placed; here it is.",
            };
            session::flash(&session, FlashLevel::Success, note);
            Ok(see_other(&format!("/orders/{}", placed.order_id())))
        }
        Err(OrderError::Invalid(errors)) => {
            again(Vec::new(), errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(OrderError::Unavailable(problems)) => {
            again(problems, FieldErrors::new(), StatusCode::CONFLICT).await
        }
        Err(OrderError::Payment(decline)) => {
            again(
                vec![decline.message().to_string()],
                FieldErrors::new(),
                StatusCode::PAYMENT_REQUIRED,
            )
            .await
        }
        Err(OrderError::NotAllowed(message)) => {
            again(vec![message], FieldErrors::new(), StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

//! The checkout page: review the cart, give the address and the card, pay.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::domain::{FieldErrors, UserId};
use crate::orders::OrderError;
use crate::orders::cart::{self, Owner};
use crate::orders::checkout::{self, CheckoutInput, Placed};
use crate::state::AppState;
use crate::web::context::{PageContext, SignedIn};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::views::cart::CartSummary;
use crate::web::{render, see_other};

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
    user_id: UserId,
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

pub async fn form(
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
        ..CheckoutInput::default()
    };
    checkout_page(
        ctx,
        &state,
        user.id,
        form,
        FieldErrors::new(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn place(
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

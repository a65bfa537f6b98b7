//! The checkout page: review the cart, give the address and the card, pay. Signing in is
//! optional: a guest pays with an email address, and their session (then a mailed private
//! link) opens the order.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::db::users::User;
use crate::domain::FieldErrors;
use crate::http::client_ip;
use crate::orders::OrderError;
use crate::orders::cart::{self, Owner};
use crate::orders::checkout::{self, Buyer, CheckoutInput, Placed};
use crate::state::AppState;
use crate::web::context::{PageContext, signed_in_user};
use crate::web::errors::{AppError, try_again};
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
    /// No account: the form asks for an email address and says signing in is optional.
    guest: bool,
}

async fn checkout_page(
    ctx: PageContext,
    state: &AppState,
    owner: &Owner,
    mut form: CheckoutInput,
    errors: FieldErrors,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let view = cart::view(state, owner).await?;
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
            guest: matches!(owner, Owner::Guest(_)),
        },
    )
}

/// The signed-in customer, or the guest's cart (`None`: a guest without a cart).
async fn who(
    req: &HttpRequest,
    session: &Session,
) -> Result<Option<(Option<User>, Owner)>, AppError> {
    Ok(match signed_in_user(req).await? {
        Some(u) => {
            let owner = Owner::User(u.id);
            Some((Some(u), owner))
        }
        None => session::cart_token(session).map(|t| (None, Owner::Guest(t))),
    })
}

pub async fn form(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let Some((user, owner)) = who(&req, &session).await? else {
        session::flash(&session, FlashLevel::Info, "Your cart is empty.");
        return Ok(see_other("/cart"));
    };
    let view = cart::view(&state, &owner).await?;
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
        shipping_address: user.map(|u| u.address).unwrap_or_default(),
        ..CheckoutInput::default()
    };
    let (errors, status) = (FieldErrors::new(), StatusCode::OK);
    checkout_page(ctx, &state, &owner, form, errors, Vec::new(), status).await
}

pub async fn place(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<CheckoutInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    let Some((user, owner)) = who(&req, &session).await? else {
        session::flash(&session, FlashLevel::Info, "Your cart is empty.");
        return Ok(see_other("/cart"));
    };
    let ip = client_ip(&req);
    let buyer = match (&user, &owner) {
        (Some(u), _) => Buyer::Customer(u),
        (None, Owner::Guest(token)) => Buyer::Guest {
            cart_token: token,
            ip: &ip,
        },
        (None, Owner::User(_)) => return Err(AppError::Forbidden),
    };
    let again = |problems: Vec<String>, errors: FieldErrors, status| {
        let mut form = input.for_redisplay();
        if status != StatusCode::UNPROCESSABLE_ENTITY {
            // After a refused payment or a stock change the next try is a new attempt.
            form.checkout_token = checkout::new_token();
        }
        checkout_page(ctx, &state, &owner, form, errors, problems, status)
    };
    match checkout::place(&state, buyer, &input).await {
        Ok(placed) => {
            if user.is_none() {
                // This browser may open the guest's order; the mail brings a link for others.
                session::add_order_link(&session, placed.order_id());
            }
            let (level, note) = match placed {
                Placed::Created(_) => (
                    FlashLevel::Success,
                    "Thank you! Your order is confirmed and paid. A confirmation mail is on its way.",
                ),
                Placed::AlreadyPlaced(_) => (
                    FlashLevel::Success,
                    "This order was already placed; here it is.",
                ),
                Placed::AwaitingPayment(_) => (
                    FlashLevel::Warning,
                    "Your order is placed, but the payment could not be completed yet. Nothing has been taken from your card; the shop will be in touch.",
                ),
            };
            session::flash(&session, level, note);
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
        Err(OrderError::PaymentService) => {
            again(
                vec![crate::orders::PAYMENT_SERVICE.to_string()],
                FieldErrors::new(),
                StatusCode::SERVICE_UNAVAILABLE,
            )
            .await
        }
        Err(OrderError::NotAllowed(message)) => {
            again(vec![message], FieldErrors::new(), StatusCode::CONFLICT).await
        }
        Err(OrderError::Throttled { until, now }) => {
            let message = format!(
                "Many orders came from your network in a short while. {}",
                try_again(until, now)
            );
            let mut res = again(
                vec![message],
                FieldErrors::new(),
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await?;
            crate::web::errors::retry_after(&mut res, until, now);
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

//! The checkout page: review the cart, give the address and the card, pay. Signing in is
//! optional: a guest pays with an email address, and their session (then a mailed private
//! link) opens the order.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::db::users::User;
use crate::domain::{FieldErrors, Money};
use crate::http::client_ip;
use crate::orders::OrderError;
use crate::orders::cart::{self, Owner, ShippingPlan};
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
    /// The customer's saved addresses (ship to one of them, or to a typed one).
    addresses: Vec<AddressChoice>,
    countries: &'static [(&'static str, &'static str, bool)],
    /// The methods offered for the destination, priced for this basket.
    methods: Vec<MethodChoice>,
    /// Where it ships (the country's name), for the methods' heading.
    destination: String,
}

pub struct AddressChoice {
    pub id: i64,
    pub text: String,
}

pub struct MethodChoice {
    pub code: String,
    pub name: String,
    pub description: String,
    pub price: String,
}

/// The checkout page priced for the destination and method the form holds.
async fn checkout_page(
    ctx: PageContext,
    state: &AppState,
    owner: &Owner,
    mut form: CheckoutInput,
    errors: FieldErrors,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let book = match owner {
        Owner::User(u) => Some(crate::addresses::book(state, *u).await?),
        Owner::Guest(_) => None,
    };
    let saved = book.as_ref().and_then(|b| {
        form.address_id
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|id| b.get(id))
    });
    let country = match saved {
        Some(a) => a.country.clone(),
        None => crate::shipping::parse_country(&form.shipping_country)
            .unwrap_or_else(|_| state.settings.store.country_code.clone()),
    };
    if saved.is_none() && form.shipping_country.trim().is_empty() {
        form.shipping_country = country.clone();
    }
    let plan = ShippingPlan {
        methods: crate::shipping::methods(state).await?,
        country: country.clone(),
        method: Some(form.shipping_method.clone()).filter(|m| !m.is_empty()),
    };
    let view = cart::view_shipped(state, owner, &plan).await?;
    // The form vouches for the total it shows now, with the method it shows chosen.
    form.expected_total_cents = view.totals.total.cents().to_string();
    form.shipping_method = view
        .shipping_method
        .as_ref()
        .map(|m| m.code.clone())
        .unwrap_or_default();
    let currency = &state.settings.store.currency;
    let methods = view
        .shipping_offers
        .iter()
        .map(|o| MethodChoice {
            code: o.code.clone(),
            name: o.name.clone(),
            description: o.description.clone(),
            price: if o.price_cents == 0 {
                "free".into()
            } else {
                Money::from_cents(o.price_cents).display(currency)
            },
        })
        .collect();
    let addresses = book
        .map(|b| {
            b.addresses
                .iter()
                .map(|a| AddressChoice {
                    id: a.id,
                    text: crate::addresses::PostalAddress::from_row(a)
                        .text()
                        .replace('\n', ", "),
                })
                .collect()
        })
        .unwrap_or_default();
    render(
        status,
        &CheckoutPage {
            ctx,
            cart: CartSummary::new(view, state),
            form,
            errors,
            problems,
            guest: matches!(owner, Owner::Guest(_)),
            addresses,
            countries: crate::shipping::COUNTRIES,
            methods,
            destination: crate::shipping::country_name(&country)
                .unwrap_or(&country)
                .to_string(),
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
    // A customer ships to their default address; one without saved addresses types it (the
    // profile's address filled in).
    let (default_address, default_billing) = match &user {
        Some(u) => {
            let book = crate::addresses::book(&state, u.id).await?;
            (
                book.shipping().map(|a| a.id.to_string()),
                book.default_billing.map(|id| id.to_string()),
            )
        }
        None => (None, None),
    };
    let form = CheckoutInput {
        checkout_token: checkout::new_token(),
        shipping_address: user.map(|u| u.address).unwrap_or_default(),
        address_id: default_address.unwrap_or_default(),
        billing_address_id: default_billing.unwrap_or_default(),
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
    // "Update the totals" (another country or method, without JavaScript): the page again,
    // priced for the new choice; nothing is paid.
    if !input.update.is_empty() {
        let (errors, status) = (FieldErrors::new(), StatusCode::OK);
        let form = input.for_redisplay();
        return checkout_page(ctx, &state, &owner, form, errors, Vec::new(), status).await;
    }
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

//! The wishlist page and its forms. A guest who tries to save a product is sent to sign in and
//! finds it saved afterwards (the session remembers what they wanted).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::domain::ProductId;
use crate::engagement::wishlist;
use crate::http::{Path, client_ip};
use crate::orders::OrderError;
use crate::state::AppState;
use crate::web::context::{PageContext, SignedIn, signed_in_user};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::views::engagement::WishView;
use crate::web::{render, see_other, urlencode_path};

#[derive(Template)]
#[template(path = "wishlist.html")]
struct WishlistPage {
    ctx: PageContext,
    items: Vec<WishView>,
}

pub async fn show(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let currency = &state.settings.store.currency;
    let items = wishlist::list(&state, user.id)
        .await?
        .into_iter()
        .map(|w| WishView::new(w, currency))
        .collect();
    render(StatusCode::OK, &WishlistPage { ctx, items })
}

pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    Path(product): Path<ProductId>,
) -> Result<HttpResponse, AppError> {
    let Some(user) = signed_in_user(&req).await? else {
        // Kept for after sign-in (see `apply_pending`).
        session::set_pending_wish(&session, product);
        session::flash(
            &session,
            FlashLevel::Info,
            "Sign in to keep a wishlist; we will save the product for you.",
        );
        return Ok(see_other(&format!(
            "/login?next={}",
            urlencode_path("/wishlist")
        )));
    };
    wishlist::add(&state, user.id, product).await?;
    session::flash(&session, FlashLevel::Success, "Saved to your wishlist.");
    Ok(see_other(&back_to(&req, product)))
}

/// Back to the page the form was on (same site), else the product.
fn back_to(req: &HttpRequest, product: ProductId) -> String {
    req.headers()
        .get(actix_web::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .filter(|p| crate::web::safe_next(p).is_some() && !p.starts_with("/login"))
        .unwrap_or_else(|| format!("/products/{product}"))
}

pub async fn remove(
    req: HttpRequest,
    SignedIn(user): SignedIn,
    state: web::Data<AppState>,
    session: Session,
    Path(product): Path<ProductId>,
) -> Result<HttpResponse, AppError> {
    if wishlist::remove(&state, user.id, product).await? {
        session::flash(&session, FlashLevel::Success, "Removed from your wishlist.");
    }
    Ok(see_other(&back_to(&req, product)))
}

pub async fn move_to_cart(
    req: HttpRequest,
    SignedIn(user): SignedIn,
    state: web::Data<AppState>,
    session: Session,
    Path(product): Path<ProductId>,
) -> Result<HttpResponse, AppError> {
    match wishlist::move_to_cart(&state, user.id, product, &client_ip(&req)).await {
        Ok(name) => {
            session::flash(
                &session,
                FlashLevel::Success,
                format!("Moved {name} to your cart."),
            );
            Ok(see_other("/cart"))
        }
        Err(OrderError::NotEnoughStock(e))
            if e.get("quantity")
                .iter()
                .any(|m| m == crate::orders::cart::CHOOSE_VARIANT) =>
        {
            // A product in sizes or colours: the product page asks which.
            session::flash(
                &session,
                FlashLevel::Info,
                "Please choose the variant you want; it stays on your wishlist.",
            );
            Ok(see_other(&format!("/products/{product}")))
        }
        Err(OrderError::NotEnoughStock(_) | OrderError::NotFound) => {
            session::flash(
                &session,
                FlashLevel::Warning,
                "That product cannot go in the cart right now; it stays on your wishlist.",
            );
            Ok(see_other("/wishlist"))
        }
        Err(e) => Err(e.into()),
    }
}

/// After sign-in: saves the product a guest tried to save. Returns a note for the customer.
pub async fn apply_pending(
    state: &AppState,
    session: &Session,
    user: crate::domain::UserId,
) -> Result<(), AppError> {
    if let Some(product) = session::take_pending_wish(session) {
        match wishlist::add(state, user, product).await {
            Ok(()) => session::flash(session, FlashLevel::Success, "Saved to your wishlist."),
            Err(crate::engagement::EngagementError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

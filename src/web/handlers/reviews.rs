//! Posting, editing and deleting one's own review (from the product page or an order's page).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::domain::{FieldErrors, ProductId};
use crate::engagement::{EngagementError, reviews};
use crate::http::Path;
use crate::state::AppState;
use crate::web::context::{PageContext, SignedIn};
use crate::web::errors::AppError;
use crate::web::handlers::catalog::{ReviewForm, product_page};
use crate::web::session::{self, FlashLevel};
use crate::web::{safe_next, see_other};

/// Where to go after a review: back to the order page it came from, else the product's reviews.
fn back(form: &ReviewForm, product: ProductId) -> String {
    safe_next(&form.next)
        .map(str::to_string)
        .unwrap_or_else(|| format!("/products/{product}#reviews"))
}

pub async fn post(
    SignedIn(user): SignedIn,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(product): Path<ProductId>,
    form: web::Form<ReviewForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let refused = |errors: FieldErrors, form: ReviewForm| {
        product_page(
            &state,
            ctx,
            product,
            "",
            Some(form),
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let review = match reviews::validate(&form.rating, &form.comment) {
        Ok(r) => r,
        Err(errors) => return refused(errors, form).await,
    };
    match reviews::post(&state, user.id, product, &review).await {
        Ok(()) => {
            session::flash(
                &session,
                FlashLevel::Success,
                "Thank you, your review is saved.",
            );
            Ok(see_other(&back(&form, product)))
        }
        Err(EngagementError::Invalid(errors)) => refused(errors, form).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    SignedIn(user): SignedIn,
    state: web::Data<AppState>,
    session: Session,
    Path(product): Path<ProductId>,
) -> Result<HttpResponse, AppError> {
    let message = if reviews::delete(&state, user.id, product).await? {
        "Your review was deleted."
    } else {
        "You had no review of this product."
    };
    session::flash(&session, FlashLevel::Success, message);
    Ok(see_other(&format!("/products/{product}#reviews")))
}

//! The OpenAPI document, generated from the handlers' annotations, and Swagger UI (its files are
//! compiled into the binary: no CDN, nothing fetched at build or run time).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{addresses, auth, cart, customer, engagement, orders, products};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Emporium API",
        version = "1",
        description = "Everything a shopper can do, as JSON. Sign in at `/api/v1/auth/login`, then send \
                       `Authorization: Bearer <access_token>`. Access tokens are short-lived (15 minutes by \
                       default, `expires_in` says); trade the \
                       refresh token at `/api/v1/auth/refresh` for a new pair. Errors are \
                       `{\"errorMessage\": …}` with the status code. Money is in integer cents."
    ),
    paths(
        customer::register,
        auth::login,
        auth::refresh,
        auth::logout,
        customer::me,
        customer::update_me,
        products::list,
        products::show,
        cart::show,
        cart::add,
        cart::update,
        cart::remove,
        cart::apply_voucher,
        cart::remove_voucher,
        addresses::list,
        addresses::add,
        addresses::delete,
        orders::list,
        orders::place,
        orders::show,
        engagement::list_reviews,
        engagement::post_review,
        engagement::delete_review,
        engagement::wishlist,
        engagement::wishlist_add,
        engagement::wishlist_remove,
        engagement::recommendations,
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Access and refresh tokens"),
        (name = "customer", description = "Registration and profile"),
        (name = "products", description = "The catalogue"),
        (name = "cart", description = "The customer's cart"),
        (name = "addresses", description = "The customer's address book"),
        (name = "orders", description = "Checkout and orders"),
        (name = "reviews", description = "Ratings and reviews (verified purchases)"),
        (name = "wishlist", description = "The customer's wishlist"),
        (name = "recommendations", description = "Products picked for the customer"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Swagger UI at `/api/docs/` reading `/api/openapi.json`.
pub fn swagger_ui() -> utoipa_swagger_ui::SwaggerUi {
    utoipa_swagger_ui::SwaggerUi::new("/api/docs/{_:.*}")
        .url("/api/openapi.json", ApiDoc::openapi())
}

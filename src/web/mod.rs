//! HTTP layer: routes, middleware, extractors and page handlers. Handlers parse input, call the
//! domain (`crate::accounts`, ...), and render a page or redirect (303) with a flash message.

pub mod assets;
pub mod context;
pub mod csrf;
pub mod errors;
pub mod handlers;
pub mod headers;
pub mod logging;
pub mod session;
pub mod session_store;
pub mod views;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;

use errors::AppError;

/// Renders a page with a status (200 for pages, 422 for a form with errors, ...).
pub fn render<T: Template>(status: StatusCode, page: &T) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

/// The 303 that ends every successful form POST.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A CSV file to save: `{name}-{YYYY-MM-DD}.csv`.
pub fn csv_download(name: &str, today: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}-{today}.csv\""),
        ))
        .body(body)
}

/// A local path as a query value (`next=%2Fwishlist`).
pub fn urlencode_path(path: &str) -> String {
    errors::urlencode(path)
}

/// Only a local path may be a return target: `/account`, not `//evil.example` or `https://…`.
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() <= 2000;
    ok.then_some(next)
}

/// The page routes that take file uploads (multipart bodies up to `server.max_upload_bytes`, from
/// signed-in staff only); every other form is refused a multipart body before it is read.
pub fn takes_uploads(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/admin/products") else {
        return false;
    };
    let digits = |n: &str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
    match rest {
        "" | "/import" => true,
        id => id.strip_prefix('/').is_some_and(|n| {
            // `/admin/products/{id}` and `/admin/products/{id}/variants` (a variant's picture).
            digits(n) || n.strip_suffix("/variants").is_some_and(digits)
        }),
    }
}

/// Probes for load balancers and monitors: plain text, outside the pages' sessions and error
/// pages.
pub fn probes(cfg: &mut web::ServiceConfig) {
    use handlers::health;
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(crate::ops::metrics::page));
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use actix_web::middleware::from_fn;
    use handlers::{
        account, addresses, admin, auth, cart, catalog, checkout, home, orders, password_reset,
        reviews, support, wishlist,
    };
    cfg.route("/", web::get().to(home::home))
        .route("/products", web::get().to(catalog::list))
        .route("/products/{id}", web::get().to(catalog::show))
        .service(web::resource("/products/{id}/reviews").post(reviews::post))
        .service(web::resource("/products/{id}/reviews/delete").post(reviews::delete))
        .route("/wishlist", web::get().to(wishlist::show))
        .service(web::resource("/wishlist/{product_id}").post(wishlist::add))
        .service(web::resource("/wishlist/{product_id}/remove").post(wishlist::remove))
        .service(web::resource("/wishlist/{product_id}/move").post(wishlist::move_to_cart))
        .route("/cart", web::get().to(cart::show))
        .service(web::resource("/cart/items").post(cart::add))
        .service(web::resource("/cart/items/{product_id}").post(cart::update))
        .service(web::resource("/cart/voucher").post(cart::apply_voucher))
        .service(web::resource("/cart/voucher/remove").post(cart::remove_voucher))
        .service(
            web::resource("/checkout")
                .get(checkout::form)
                .post(checkout::place),
        )
        .route("/orders", web::get().to(orders::list))
        .route("/orders/{id}", web::get().to(orders::show))
        .route("/orders/{id}/invoice", web::get().to(orders::invoice_page))
        .route(
            "/orders/{id}/invoice.xml",
            web::get().to(orders::invoice_xml),
        )
        .route(
            "/orders/{id}/invoice-facturx.pdf",
            web::get().to(orders::invoice_facturx),
        )
        .route(
            "/orders/{id}/credit-notes/{number:CN-[0-9]+-[0-9]+}-facturx.pdf",
            web::get().to(orders::credit_note_facturx),
        )
        .route(
            "/orders/{id}/credit-notes/{number:CN-[0-9]+-[0-9]+}.pdf",
            web::get().to(orders::credit_note_pdf),
        )
        .route(
            "/orders/{id}/credit-notes/{number:CN-[0-9]+-[0-9]+}.xml",
            web::get().to(orders::credit_note_xml),
        )
        .route(
            "/orders/{id}/credit-notes/{number:CN-[0-9]+-[0-9]+}",
            web::get().to(orders::credit_note_page),
        )
        .route(
            "/orders/{id}/invoice.pdf",
            web::get().to(orders::invoice_pdf),
        )
        .service(
            web::resource("/orders/{id}/cancel")
                .get(orders::confirm_cancel)
                .post(orders::cancel),
        )
        .service(
            web::resource("/register")
                .get(auth::register_form)
                .post(auth::register),
        )
        .service(
            web::resource("/login")
                .get(auth::login_form)
                .post(auth::login),
        )
        .service(web::resource("/logout").post(auth::logout))
        .route("/verify-email", web::get().to(auth::verify_email))
        .route(
            "/verify-email/resend",
            web::post().to(auth::resend_verification),
        )
        .service(
            web::resource("/forgot-password")
                .get(password_reset::forgot_form)
                .post(password_reset::forgot),
        )
        .service(
            web::resource("/reset-password")
                .get(password_reset::reset_form)
                .post(password_reset::reset),
        )
        .service(
            web::resource("/support")
                .get(support::list)
                .post(support::open),
        )
        .service(
            web::resource("/support/{id}")
                .get(support::show)
                .post(support::reply),
        )
        .service(web::resource("/support/{id}/close").post(support::close))
        .service(
            web::resource("/contact")
                .get(support::contact_form)
                .post(support::contact),
        )
        .route("/account", web::get().to(account::overview))
        .service(
            web::resource("/account/addresses")
                .get(addresses::list)
                .post(addresses::add),
        )
        .route(
            "/account/addresses/{id}/delete",
            web::post().to(addresses::delete),
        )
        .route(
            "/account/addresses/{id}/edit",
            web::get().to(addresses::edit),
        )
        .route("/account/addresses/{id}", web::post().to(addresses::update))
        .route(
            "/account/addresses/{id}/default",
            web::post().to(addresses::set_default),
        )
        .service(
            web::resource("/account/recently-viewed/clear").post(account::clear_recently_viewed),
        )
        .service(
            web::resource("/account/profile")
                .get(account::profile_form)
                .post(account::profile),
        )
        .service(
            web::resource("/account/password")
                .get(account::password_form)
                .post(account::password),
        )
        .service(
            web::scope("/admin")
                .wrap(from_fn(context::require_staff))
                .route("", web::get().to(admin::dashboard::show))
                .service(
                    web::resource("/products")
                        .get(admin::products::list)
                        .post(admin::products::create),
                )
                .route("/products/new", web::get().to(admin::products::new))
                .service(
                    web::resource("/products/import")
                        .get(admin::import::form)
                        .post(admin::import::import),
                )
                .route(
                    "/products/export.csv",
                    web::get().to(admin::import::export_csv),
                )
                .route("/products/{id}/edit", web::get().to(admin::products::edit))
                .service(
                    web::resource("/products/{id}/delete")
                        .get(admin::products::confirm_delete)
                        .post(admin::products::delete),
                )
                .route("/products/{id}", web::post().to(admin::products::update))
                .route(
                    "/products/{id}/options",
                    web::post().to(admin::products::set_options),
                )
                .route(
                    "/products/{id}/variants",
                    web::post().to(admin::products::add_variant),
                )
                .route(
                    "/products/{id}/variants/{variant}",
                    web::post().to(admin::products::update_variant),
                )
                .route("/reviews", web::get().to(admin::reviews::list))
                .service(
                    web::resource("/promotions")
                        .get(admin::promotions::list)
                        .post(admin::promotions::create),
                )
                .route("/promotions/new", web::get().to(admin::promotions::new))
                .route("/shipping", web::get().to(admin::shipping::show))
                .route(
                    "/shipping/rates/{id}",
                    web::post().to(admin::shipping::set_rate),
                )
                .route(
                    "/shipping/methods/{id}/active",
                    web::post().to(admin::shipping::set_active),
                )
                .route("/promotions/{id}", web::get().to(admin::promotions::show))
                .route(
                    "/promotions/{id}/active",
                    web::post().to(admin::promotions::set_active),
                )
                .service(
                    web::resource("/vouchers")
                        .get(admin::vouchers::list)
                        .post(admin::vouchers::create),
                )
                .route("/vouchers/new", web::get().to(admin::vouchers::new))
                .route("/vouchers/{id}", web::get().to(admin::vouchers::show))
                .route(
                    "/vouchers/{id}/codes.csv",
                    web::get().to(admin::vouchers::codes_csv),
                )
                .route(
                    "/vouchers/{id}/active",
                    web::post().to(admin::vouchers::set_active),
                )
                .route(
                    "/reviews/{id}/visibility",
                    web::post().to(admin::reviews::set_visibility),
                )
                .route("/customers", web::get().to(admin::customers::list))
                .route(
                    "/customers/export.csv",
                    web::get().to(admin::customers::export_csv),
                )
                .service(
                    web::resource("/customers/{id}")
                        .get(admin::customers::show)
                        .post(admin::customers::update),
                )
                .route(
                    "/customers/{id}/deactivate",
                    web::get().to(admin::customers::confirm_deactivate),
                )
                .route(
                    "/customers/{id}/verification",
                    web::post().to(admin::customers::resend_verification),
                )
                .route(
                    "/customers/{id}/password-reset",
                    web::post().to(admin::customers::send_password_reset),
                )
                .route(
                    "/customers/{id}/roles",
                    web::post().to(admin::customers::set_roles),
                )
                .route("/support", web::get().to(admin::support::inbox))
                .service(
                    web::resource("/support/{id}")
                        .get(admin::support::show)
                        .post(admin::support::answer),
                )
                .route("/orders", web::get().to(admin::orders::list))
                .route("/orders/{id}", web::get().to(admin::orders::show))
                .route(
                    "/orders/{id}/cancel",
                    web::get().to(admin::orders::confirm_cancel),
                )
                .route(
                    "/orders/{id}/refund",
                    web::get().to(admin::orders::confirm_refund),
                )
                .service(
                    web::resource("/orders/{id}/refunds")
                        .get(admin::orders::refund_form)
                        .post(admin::orders::refund_lines),
                )
                .route(
                    "/orders/{id}/status",
                    web::post().to(admin::orders::set_status),
                )
                .route("/reports", web::get().to(admin::reports::page))
                .route(
                    "/reports/documents.csv",
                    web::get().to(admin::reports::documents_csv),
                )
                .route("/reports/vat.csv", web::get().to(admin::reports::vat_csv)),
        );
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_the_product_forms_take_uploads() {
        for p in [
            "/admin/products",
            "/admin/products/import",
            "/admin/products/42",
            "/admin/products/42/variants",
        ] {
            assert!(super::takes_uploads(p), "{p}");
        }
        for p in [
            "/forgot-password",
            "/admin/products/42/delete",
            "/admin/products/42/variants/7",
            "/admin/products/x/variants",
            "/admin/products/x",
            "/admin",
        ] {
            assert!(!super::takes_uploads(p), "{p}");
        }
    }

    #[test]
    fn only_local_paths_are_return_targets() {
        assert_eq!(safe_next("/account?x=1"), Some("/account?x=1"));
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
            "evil",
        ] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
}

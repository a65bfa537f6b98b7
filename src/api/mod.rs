//! The JSON API (`/api/v1`): another skin over the domain functions the HTML pages use.
//! Requests authenticate with bearer JWTs only, never with the session cookie (so there is no
//! CSRF exposure); every error is JSON; CORS is off unless `api.cors_origins` lists origins.

pub mod addresses;
pub mod auth;
pub mod cart;
pub mod customer;
pub mod docs;
pub mod engagement;
pub mod error;
pub mod orders;
pub mod products;

use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::{Condition, from_fn};
use actix_web::web;

use crate::config::ApiSettings;
use crate::domain::{FieldErrors, MAX_PAGE};
use error::ApiError;

/// A `page` parameter as the schema documents it (1..=MAX_PAGE, default 1); the pages clamp
/// nonsense quietly, the API refuses it.
pub(crate) fn check_page(page: Option<i64>, errors: &mut FieldErrors) -> i64 {
    match page {
        Some(p) if !(1..=MAX_PAGE).contains(&p) => {
            errors.add("page", format!("Pages are numbered from 1 to {MAX_PAGE}."));
            1
        }
        p => p.unwrap_or(1),
    }
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large.",
            )
        }
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the body as JSON (Content-Type: application/json).",
        ),
        JsonPayloadError::Deserialize(_) => ApiError::bad_request("The body is not valid JSON."),
        JsonPayloadError::Payload(e) if crate::http::is_timeout(&e) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "The request body arrived too slowly.",
        ),
        _ => ApiError::bad_request("The request body could not be read."),
    }
}

/// A JSON body that must be an object (serde alone would also take an array of the fields in
/// order), read within `api.max_json_bytes`. Errors say what is wrong without Rust type names.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned + 'static> actix_web::FromRequest for ApiJson<T> {
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        let body = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = body.await?.into_inner();
            if !value.is_object() {
                return Err(ApiError::bad_request("The body must be a JSON object.").into());
            }
            if has_nul(&value) {
                return Err(ApiError::bad_request("Text may not contain NUL characters.").into());
            }
            serde_json::from_value(value).map(ApiJson).map_err(|e| {
                let message = e.to_string();
                let message = match message.strip_prefix("missing field ") {
                    Some(field) => format!("The field {field} is required."),
                    None => "A field has the wrong type or value.".to_string(),
                };
                ApiError::bad_request(message).into()
            })
        })
    }
}

/// True when any string in the document holds a NUL character.
fn has_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(has_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// A unix-seconds timestamp as the API writes times: RFC 3339, UTC.
pub(crate) fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn query_error(_: QueryPayloadError) -> ApiError {
    ApiError::bad_request("A query parameter is not valid.")
}

fn cors(api: &ApiSettings) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([header::LOCATION, header::RETRY_AFTER])
        .max_age(600);
    for origin in &api.cors_origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

pub fn routes(cfg: &mut web::ServiceConfig, api: &ApiSettings) {
    cfg.service(docs::swagger_ui()).service(
        web::scope("/api")
            .app_data(
                web::JsonConfig::default()
                    .limit(api.max_json_bytes)
                    .error_handler(|err, _req| json_error(err).into()),
            )
            .app_data(
                web::QueryConfig::default().error_handler(|err, _req| query_error(err).into()),
            )
            .wrap(from_fn(crate::http::refuse_nul_in_query))
            .wrap(Condition::new(!api.cors_origins.is_empty(), cors(api)))
            .wrap(from_fn(error::json_errors))
            .service(web::resource("/docs").get(|| async {
                actix_web::HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, "/api/docs/"))
                    .finish()
            }))
            .service(
                web::scope("/v1")
                    .service(
                        web::resource(["/customer/registration/", "/customer/registration"])
                            .post(customer::register),
                    )
                    .service(web::resource("/auth/login").post(auth::login))
                    .service(web::resource("/auth/refresh").post(auth::refresh))
                    .service(web::resource("/auth/logout").post(auth::logout))
                    .service(
                        web::resource("/customer/me")
                            .get(customer::me)
                            .patch(customer::update_me),
                    )
                    .service(web::resource(["/product/", "/product"]).get(products::list))
                    .service(web::resource("/product/{id}").get(products::show))
                    .service(
                        web::resource("/product/{id}/reviews")
                            .get(engagement::list_reviews)
                            .post(engagement::post_review)
                            .delete(engagement::delete_review),
                    )
                    .service(
                        web::resource("/wishlist")
                            .get(engagement::wishlist)
                            .post(engagement::wishlist_add)
                            .delete(engagement::wishlist_remove),
                    )
                    .service(web::resource("/recommendations").get(engagement::recommendations))
                    .service(
                        web::resource("/addresses")
                            .get(addresses::list)
                            .post(addresses::add),
                    )
                    .service(web::resource("/addresses/{id}").delete(addresses::delete))
                    .service(
                        web::resource("/cart/voucher")
                            .post(cart::apply_voucher)
                            .delete(cart::remove_voucher),
                    )
                    .service(
                        web::resource("/cart")
                            .get(cart::show)
                            .post(cart::add)
                            .patch(cart::update)
                            .delete(cart::remove),
                    )
                    .service(
                        web::resource("/orders")
                            .get(orders::list)
                            .post(orders::place),
                    )
                    .service(web::resource("/orders/{id}").get(orders::show)),
            )
            .default_service(web::to(|| async {
                Err::<actix_web::HttpResponse, _>(ApiError::not_found(
                    "There is nothing at this address.",
                ))
            })),
    );
}

//! HTTP helpers both skins (pages and API) use: who the client is, and path parameters that
//! answer 404 (not actix's 400) when they do not parse.

use std::ops::Deref;

use actix_web::dev::{Payload, ServiceResponse};
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use futures_util::future::{Ready, ready};
use serde::de::DeserializeOwned;

/// The client's address as seen on the connection (proxy headers are not trusted: they could be
/// forged to dodge throttling).
pub fn client_ip(req: &HttpRequest) -> String {
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place that reads the peer address"
    )]
    let peer = req.peer_addr();
    peer.map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The URL of an uploaded or generated picture (served from `media.dir` under `/media/`).
pub fn media_url(file: &str) -> String {
    format!("/media/{file}")
}

/// A path segment that does not parse (`/products/abc`, an id past `i64`) names nothing: 404.
/// The answer is bare; each skin's error edge dresses it as a page or as JSON.
#[derive(Debug, thiserror::Error)]
#[error("no such resource")]
pub struct PathNotFound;

impl ResponseError for PathNotFound {
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::NOT_FOUND
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::NotFound().finish()
    }
}

/// Path parameters, typed (`Path<ProductId>`, `Path<(OrderId, String)>`), used instead of
/// `actix_web::web::Path` everywhere (clippy.toml enforces it).
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<T> Path<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Path<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Path<T> {
    type Error = PathNotFound;
    type Future = Ready<Result<Self, PathNotFound>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let de = actix_router::PathDeserializer::new(req.match_info());
        ready(T::deserialize(de).map(Path).map_err(|_| PathNotFound))
    }
}

/// True for an error response whose body is not already of the skin's kind (`text/html` for
/// pages, `application/json` for the API): the framework's own 404/405/413, a bare [`PathNotFound`].
/// Each skin's error edge replaces those with its own, and logs a server error's cause.
pub fn needs_dressing<B>(res: &ServiceResponse<B>, content_type: &str) -> bool {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return false;
    }
    let dressed = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(content_type));
    if !dressed
        && status.is_server_error()
        && let Some(err) = res.response().error()
    {
        tracing::error!(error = %err, "request failed");
    }
    !dressed
}

/// Gives a replacement error body the original's headers (such as `Allow` on a 405 and
/// `Retry-After` on a 429), except those that describe the old body.
pub fn keep_headers<B>(from: &ServiceResponse<B>, into: &mut HttpResponse) {
    for (name, value) in from.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            into.headers_mut().insert(name.clone(), value.clone());
        }
    }
}

//! CSRF protection for every state-changing form: a per-session synchronizer token in a hidden
//! `csrf_token` field, compared in constant time, plus a cross-origin check on `Origin` and
//! `Sec-Fetch-Site`. The JSON API (`/api/`) authenticates by bearer token only and is exempt.

use actix_session::SessionExt;
use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::web::{self, BytesMut};
use futures_util::StreamExt;
use serde::Deserialize;

use super::errors::error_page;
use super::session;
use crate::state::AppState;

#[derive(Deserialize)]
struct TokenField {
    csrf_token: Option<String>,
}

fn reject(req: ServiceRequest, status: StatusCode, why: &str) -> ServiceResponse<BoxBody> {
    tracing::warn!(
        path = req.path(),
        reason = why,
        "request refused by CSRF protection"
    );
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "What you sent is larger than we accept.".to_string(),
        _ => "This form has expired or did not come from this site. Please go back, reload the page and try again."
            .to_string(),
    };
    let (http, _) = req.into_parts();
    ServiceResponse::new(http, error_page(status, Some(message), ""))
}

/// True when the browser says the request comes from another site.
fn cross_origin(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    origin == "null" || origin_host.is_empty() || !origin_host.eq_ignore_ascii_case(host)
}

pub async fn csrf_guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.path().starts_with("/api/") {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    if cross_origin(&req) {
        return Ok(reject(req, StatusCode::FORBIDDEN, "cross-origin"));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok(reject(req, StatusCode::FORBIDDEN, "no form body"));
    }
    let limit = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.settings.server.max_form_bytes)
        .unwrap_or(64 * 1024);
    // Read the body (bounded), check the token, then hand the same bytes to the handler.
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Ok(reject(req, StatusCode::BAD_REQUEST, "broken body"));
        };
        if body.len() + chunk.len() > limit {
            return Ok(reject(req, StatusCode::PAYLOAD_TOO_LARGE, "body too large"));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let submitted = serde_urlencoded::from_bytes::<TokenField>(&body)
        .ok()
        .and_then(|f| f.csrf_token)
        .unwrap_or_default();
    if !session::csrf_matches(&req.get_session(), &submitted) {
        return Ok(reject(req, StatusCode::FORBIDDEN, "token mismatch"));
    }
    req.set_payload(Payload::from(body));
    Ok(next.call(req).await?.map_into_boxed_body())
}

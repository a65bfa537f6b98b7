//! CSRF protection for every state-changing form: a per-session synchronizer token in a hidden
//! `csrf_token` field, compared in constant time, plus a cross-origin check on `Origin` and
//! `Sec-Fetch-Site`. It wraps the page routes only: the JSON API authenticates by bearer token
//! and never reads the session cookie.

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
    ServiceResponse::new(http, error_page(status, Some(message)))
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
    if safe {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    if cross_origin(&req) {
        return Ok(reject(req, StatusCode::FORBIDDEN, "cross-origin"));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let boundary = multipart_boundary(&content_type);
    if !content_type.starts_with("application/x-www-form-urlencoded") && boundary.is_none() {
        return Ok(reject(req, StatusCode::FORBIDDEN, "no form body"));
    }
    let server = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.settings.server.clone());
    let limit = match (&boundary, server) {
        (Some(_), Some(s)) => s.max_upload_bytes,
        (None, Some(s)) => s.max_form_bytes,
        (_, None) => 64 * 1024,
    };
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
    let submitted = match &boundary {
        Some(b) => multipart_field(&body, b, "csrf_token").unwrap_or_default(),
        None => serde_urlencoded::from_bytes::<TokenField>(&body)
            .ok()
            .and_then(|f| f.csrf_token)
            .unwrap_or_default(),
    };
    if !session::csrf_matches(&req.get_session(), &submitted) {
        return Ok(reject(req, StatusCode::FORBIDDEN, "token mismatch"));
    }
    req.set_payload(Payload::from(body));
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The boundary of a `multipart/form-data` content type.
fn multipart_boundary(content_type: &str) -> Option<String> {
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    let b = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?;
    let b = b.trim_matches('"');
    (!b.is_empty() && b.len() <= 200).then(|| b.to_string())
}

/// The value of a small text field in a multipart body (enough for the CSRF token).
fn multipart_field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let delimiter = format!("--{boundary}");
    let wanted = format!("name=\"{name}\"");
    let mut rest = body;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        let end = find(rest, delimiter.as_bytes()).unwrap_or(rest.len());
        let part = &rest[..end];
        let split = find(part, b"\r\n\r\n")?;
        let headers = String::from_utf8_lossy(&part[..split]);
        let is_wanted = headers.lines().any(|l| {
            l.to_ascii_lowercase().starts_with("content-disposition") && l.contains(&wanted)
        });
        if is_wanted {
            let value = &part[split + 4..];
            let value = value.strip_suffix(b"\r\n").unwrap_or(value);
            return std::str::from_utf8(value)
                .ok()
                .map(|v| v.trim().to_string());
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_token_from_a_multipart_body() {
        let body =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nTeapot\r\n--XyZ\r\n\
Content-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ--\r\n";
        let b = multipart_boundary("multipart/form-data; boundary=XyZ").unwrap();
        assert_eq!(
            multipart_field(body, &b, "csrf_token").as_deref(),
            Some("abc123")
        );
        assert_eq!(multipart_field(body, &b, "missing"), None);
        assert_eq!(multipart_boundary("text/plain"), None);
    }
}

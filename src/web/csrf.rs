//! CSRF protection for every state-changing form: a signed double-submit token in a hidden
//! `csrf_token` field, compared in constant time, plus a cross-origin check on `Origin` and
//! `Sec-Fetch-Site`. The token is an HMAC, under the session key, of a random value the browser
//! keeps in a cookie of its own and of who is signed in: showing a form writes nothing on the
//! server (a guest's page view creates no session row), a token is good only with its browser's
//! cookie, and signing in or out changes it. It wraps the page routes only: the JSON API
//! authenticates by bearer token and never reads these cookies.

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
use crate::domain::UserId;
use crate::state::AppState;

/// The browser's random value, as set on the response that first needed a token.
#[derive(Clone)]
struct NewBrowserValue(String);

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-emporium_csrf"
    } else {
        "emporium_csrf"
    }
}

/// This browser's random value: from its cookie, or made now (and set with the response).
fn browser_value(req: &actix_web::HttpRequest, secure: bool) -> String {
    if let Some(c) = req.cookie(cookie_name(secure))
        && c.value().len() == 64
        && c.value().bytes().all(|b| b.is_ascii_hexdigit())
    {
        return c.value().to_string();
    }
    if let Some(NewBrowserValue(v)) = req.extensions().get::<NewBrowserValue>() {
        return v.clone();
    }
    let value = hex::encode(rand::random::<[u8; 32]>());
    req.extensions_mut().insert(NewBrowserValue(value.clone()));
    value
}

/// HMAC-SHA256 under the session key of the browser's value and the signed-in user.
fn sign(state: &AppState, value: &str, user: Option<UserId>) -> String {
    use hmac::{KeyInit, Mac};
    use secrecy::ExposeSecret;
    let key = state
        .settings
        .security
        .session_key
        .as_ref()
        .map(|k| k.expose_secret().as_bytes().to_vec())
        .unwrap_or_default();
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key) else {
        return String::new();
    };
    mac.update(b"emporium-csrf|");
    mac.update(value.as_bytes());
    mac.update(b"|");
    mac.update(
        user.map(|u| u.get().to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    hex::encode(mac.finalize().into_bytes())
}

/// The token this request's forms carry (for `user`, the one signed in).
pub fn token(req: &actix_web::HttpRequest, user: Option<UserId>) -> String {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return String::new();
    };
    let value = browser_value(req, state.settings.server.cookies_secure());
    sign(state, &value, user)
}

/// Sets the browser's value made while answering this request.
fn set_browser_cookie<B>(res: &mut ServiceResponse<B>) {
    let Some(NewBrowserValue(value)) = res.request().extensions().get::<NewBrowserValue>().cloned()
    else {
        return;
    };
    let secure = res
        .request()
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.server.cookies_secure());
    let cookie = actix_web::cookie::Cookie::build(cookie_name(secure), value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(actix_web::cookie::SameSite::Lax)
        .finish();
    let _ = res.response_mut().add_cookie(&cookie);
}

/// Whether `submitted` is this browser's token for whoever is signed in (constant time).
fn token_matches(req: &ServiceRequest, submitted: &str) -> bool {
    use subtle::ConstantTimeEq;
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return false;
    };
    let secure = state.settings.server.cookies_secure();
    let Some(cookie) = req.cookie(cookie_name(secure)) else {
        return false;
    };
    let user = session::user_id(&req.get_session());
    let expected = sign(state, cookie.value(), user);
    !submitted.is_empty()
        && !expected.is_empty()
        && expected.as_bytes().ct_eq(submitted.as_bytes()).into()
}

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
        StatusCode::PAYLOAD_TOO_LARGE => "What you sent is larger than we accept.",
        StatusCode::REQUEST_TIMEOUT => "What you sent arrived too slowly. Please try again.",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "This address takes a form, not a file upload. Please use the page's own form."
        }
        StatusCode::BAD_REQUEST => "The form contains characters that are not allowed.",
        _ => {
            "This form has expired or did not come from this site. Please go back, reload the page and try again."
        }
    };
    let (http, _) = req.into_parts();
    ServiceResponse::new(http, error_page(status, Some(message.to_string())))
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

/// How a refused body ends the request.
enum BodyError {
    TooLarge,
    TooSlow,
    Broken,
}

/// Reads the whole body, at most `limit` bytes.
async fn read_body(payload: &mut Payload, limit: usize) -> Result<web::Bytes, BodyError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            if crate::http::is_timeout(&e) {
                BodyError::TooSlow
            } else {
                BodyError::Broken
            }
        })?;
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Checks every form POST before its handler runs: same origin, a body of an accepted kind and
/// size (file uploads only where pages take them, and only from signed-in staff, so nobody can
/// make the store read megabytes before being refused), no NUL characters, and the session's
/// token. The handler then gets the same bytes.
pub async fn csrf_guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe {
        let mut res = next.call(req).await?;
        set_browser_cookie(&mut res);
        return Ok(res.map_into_boxed_body());
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
    let Some(server) = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.settings.server.clone())
    else {
        return Ok(reject(req, StatusCode::FORBIDDEN, "no state"));
    };
    let limit = if boundary.is_some() {
        if !super::takes_uploads(req.path()) {
            return Ok(reject(
                req,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "upload to a form",
            ));
        }
        match super::context::signed_in_user(req.request()).await {
            Ok(Some(u)) if u.is_staff() => {}
            Ok(Some(_)) => return Ok(reject(req, StatusCode::FORBIDDEN, "upload by a customer")),
            // A guest is sent to sign in, as on every admin page.
            _ => {
                let path = req.path().to_string();
                let (http, _) = req.into_parts();
                let to_login = super::errors::AppError::LoginRequired { next: path };
                return Ok(ServiceResponse::new(
                    http,
                    actix_web::ResponseError::error_response(&to_login),
                ));
            }
        }
        server.max_upload_bytes
    } else {
        server.max_form_bytes
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Ok(reject(
            req,
            StatusCode::PAYLOAD_TOO_LARGE,
            "declared too large",
        ));
    }
    let mut payload = req.take_payload();
    let body = match read_body(&mut payload, limit).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            return Ok(reject(req, StatusCode::PAYLOAD_TOO_LARGE, "body too large"));
        }
        Err(BodyError::TooSlow) => {
            return Ok(reject(req, StatusCode::REQUEST_TIMEOUT, "body too slow"));
        }
        Err(BodyError::Broken) => return Ok(reject(req, StatusCode::BAD_REQUEST, "broken body")),
    };
    let submitted = match &boundary {
        Some(b) => multipart_field(&body, b, "csrf_token").unwrap_or_default(),
        None => {
            if crate::http::has_nul(&body) {
                return Ok(reject(req, StatusCode::BAD_REQUEST, "NUL in a form value"));
            }
            serde_urlencoded::from_bytes::<TokenField>(&body)
                .ok()
                .and_then(|f| f.csrf_token)
                .unwrap_or_default()
        }
    };
    if !token_matches(&req, &submitted) {
        return Ok(reject(req, StatusCode::FORBIDDEN, "token mismatch"));
    }
    req.set_payload(Payload::from(body));
    let mut res = next.call(req).await?;
    // A page re-rendered after the POST (a form with errors) may have made the value.
    set_browser_cookie(&mut res);
    Ok(res.map_into_boxed_body())
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

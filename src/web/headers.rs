//! Security headers on every response, and `Cache-Control: no-store` on every dynamic one (pages
//! carry personal data and CSRF tokens; static files set their own caching).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::state::AppState;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let secure = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.server.hsts_on());
    let is_static = req.path().starts_with("/static/");
    // Media files are named by their content hash: they never change.
    let is_media = req.path().starts_with("/media/");
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    let set = |h: &mut header::HeaderMap, name: HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(h, header::CONTENT_SECURITY_POLICY, CSP);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        header::REFERRER_POLICY,
        "strict-origin-when-cross-origin",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "geolocation=(), camera=(), microphone=(), payment=()",
    );
    if secure {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
    if is_media {
        set(
            h,
            header::CACHE_CONTROL,
            "public, max-age=31536000, immutable",
        );
    } else if is_static {
        // Stylesheet links carry a content hash (`?v=`), so a week is safe.
        set(h, header::CACHE_CONTROL, "public, max-age=604800");
    } else {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    Ok(res)
}

//! HTTP helpers both skins (pages and API) use: who the client is, and path parameters that
//! answer 404 (not actix's 400) when they do not parse.

use std::future::Future;
use std::ops::Deref;

use actix_web::dev::{Payload, ServiceResponse};
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use futures_util::future::{Ready, ready};
use serde::de::DeserializeOwned;

/// The address on the connection: the client, or the proxy in front of it.
pub fn peer_ip(req: &HttpRequest) -> Option<std::net::IpAddr> {
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place that reads the peer address"
    )]
    let peer = req.peer_addr();
    peer.map(|a| a.ip())
}

/// The client's address, for throttling, audit and logs: the connection's, unless it comes from
/// one of `server.trusted_proxies`; then the right-most address of `Forwarded` (or
/// `X-Forwarded-For`) that is not itself a trusted proxy. Anyone else's proxy headers are
/// ignored: they could be forged to dodge throttling.
pub fn client_ip(req: &HttpRequest) -> String {
    let Some(peer) = peer_ip(req) else {
        return "unknown".into();
    };
    match req.app_data::<actix_web::web::Data<crate::state::AppState>>() {
        Some(s) => forwarded_client(peer, &s.settings.server.trusted_proxies, req.headers()),
        None => peer,
    }
    .to_string()
}

/// See [`client_ip`].
fn forwarded_client(
    peer: std::net::IpAddr,
    trusted: &crate::config::Networks,
    headers: &header::HeaderMap,
) -> std::net::IpAddr {
    if !trusted.contains(peer) {
        return peer;
    }
    let chain = forwarded_chain(headers);
    let mut client = peer;
    for hop in chain.iter().rev() {
        // A hop that is not an address (`unknown`, an obfuscated name): stop at the last known.
        let Some(ip) = hop else { break };
        client = *ip;
        if !trusted.contains(*ip) {
            break;
        }
    }
    client
}

/// The addresses a request passed through, client first: from `Forwarded` (RFC 7239) when
/// present, else `X-Forwarded-For`; `None` for a hop that is not an address.
fn forwarded_chain(headers: &header::HeaderMap) -> Vec<Option<std::net::IpAddr>> {
    let values = |name: header::HeaderName| -> Vec<String> {
        headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_string())
            .collect()
    };
    let forwarded = values(header::FORWARDED);
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .map(|element| {
                element
                    .split(';')
                    .find_map(|pair| {
                        let (k, v) = pair.trim().split_once('=')?;
                        k.eq_ignore_ascii_case("for").then_some(v)
                    })
                    .and_then(parse_node)
            })
            .collect();
    }
    values(header::HeaderName::from_static("x-forwarded-for"))
        .iter()
        .map(|v| parse_node(v))
        .collect()
}

/// `203.0.113.9`, `"[2001:db8::1]:4711"`, `198.51.100.2:80` → the address.
fn parse_node(raw: &str) -> Option<std::net::IpAddr> {
    let v = raw.trim().trim_matches('"');
    if let Ok(ip) = v.parse() {
        return Some(ip);
    }
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    v.parse::<std::net::SocketAddr>().ok().map(|a| a.ip())
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

/// True when a query string or form body carries a NUL character (raw or `%00`): no field of
/// the store may hold one, and PostgreSQL cannot store one in text.
pub fn has_nul(raw: &[u8]) -> bool {
    raw.contains(&0)
        || raw
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// Refuses a request whose query string has a NUL character (400, dressed by each skin's edge).
pub async fn refuse_nul_in_query(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    if has_nul(req.query_string().as_bytes()) {
        tracing::warn!(
            path = req.path(),
            "request refused: NUL in the query string"
        );
        return Ok(req.into_response(HttpResponse::BadRequest().finish()));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// `HEAD` is answered as `GET` would be, without the body (RFC 9110 9.3.2): uptime monitors and
/// link checkers use it. The request is routed as a GET; the HTTP/1 encoder knows the request
/// was a HEAD and sends the headers only (with the GET's `Content-Length`).
pub async fn head_as_get(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

/// The error a request body gets when it does not arrive within the body deadline.
pub fn is_timeout(e: &actix_web::error::PayloadError) -> bool {
    matches!(e, actix_web::error::PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut)
}

/// A request body that must arrive completely by a deadline (`server.body_timeout_seconds`):
/// a client that trickles its body gets 408 instead of holding a worker's attention for minutes.
struct Deadline {
    inner: actix_web::dev::Payload,
    sleep: std::pin::Pin<Box<tokio::time::Sleep>>,
    expired: bool,
}

impl futures_util::Stream for Deadline {
    type Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.expired {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = std::pin::Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.expired = true;
            let late = std::io::Error::new(std::io::ErrorKind::TimedOut, "request body too slow");
            return Poll::Ready(Some(Err(actix_web::error::PayloadError::Io(late))));
        }
        Poll::Pending
    }
}

/// Puts every request body under the deadline, counted from when its headers arrived.
pub async fn body_deadline(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let seconds = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map_or(30, |s| s.settings.server.body_timeout_seconds);
    let inner = actix_web::HttpMessage::take_payload(&mut req);
    let deadline = Deadline {
        inner,
        sleep: Box::pin(tokio::time::sleep(std::time::Duration::from_secs(seconds))),
        expired: false,
    };
    let stream: std::pin::Pin<
        Box<
            dyn futures_util::Stream<
                    Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>,
                >,
        >,
    > = Box::pin(deadline);
    req.set_payload(actix_web::dev::Payload::from(stream));
    next.call(req).await
}

/// With TLS on, a request that came in on the plain HTTP port (`server.http_redirect_port`) is
/// answered with a 308 to the same path and query under `server.base_url` (never the request's
/// own Host header, which the client chooses), and nothing else runs.
pub async fn redirect_to_https(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let settings = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map(|s| s.settings.clone());
    if let Some(settings) = settings
        && settings.server.tls()
        && !req.app_config().secure()
    {
        let target = format!(
            "{}{}",
            settings.server.base_url.trim_end_matches('/'),
            req.uri()
                .path_and_query()
                .map(|pq| pq.as_str())
                .unwrap_or("/")
        );
        return Ok(req.into_response(
            HttpResponse::PermanentRedirect()
                .insert_header((header::LOCATION, target))
                .finish(),
        ));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_client_is_the_rightmost_address_no_trusted_proxy_added() {
        use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
        let trusted = crate::config::Networks::parse(&["10.0.0.0/8".into()]).unwrap();
        let peer: std::net::IpAddr = "10.0.0.5".parse().unwrap();
        let with = |name: &'static str, value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
            h
        };
        let client = |h: &HeaderMap| super::forwarded_client(peer, &trusted, h).to_string();
        // A forged left part is ignored: the proxy appended what it saw.
        assert_eq!(
            client(&with("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.0.0.7")),
            "203.0.113.9"
        );
        assert_eq!(
            client(&with(
                "forwarded",
                "for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https"
            )),
            "2001:db8::1"
        );
        assert_eq!(client(&HeaderMap::new()), "10.0.0.5");
        assert_eq!(client(&with("x-forwarded-for", "unknown")), "10.0.0.5");
        // From an untrusted peer the headers count for nothing.
        let outsider: std::net::IpAddr = "198.51.100.1".parse().unwrap();
        let h = with("x-forwarded-for", "203.0.113.9");
        assert_eq!(
            super::forwarded_client(outsider, &trusted, &h).to_string(),
            "198.51.100.1"
        );
    }

    #[test]
    fn nul_bytes_are_found_raw_and_encoded() {
        assert!(super::has_nul(b"category=%00"));
        assert!(super::has_nul(b"a=b\0"));
        assert!(super::has_nul(b"a=%000"));
        assert!(!super::has_nul(b"price=100&q=%20"));
    }
}

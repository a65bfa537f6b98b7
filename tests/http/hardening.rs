//! The store under abuse: bodies it refuses before reading them, bodies that trickle in, NUL
//! characters, and limits on enumeration and cart writes.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::api::{json_error, reg_body};
use crate::helpers::{TestApp, registration_fields};

/// Sends raw request bytes and returns the status of the answer (a hang fails the test).
async fn raw_status(app: &TestApp, request: String) -> u16 {
    let port = app.address.rsplit(':').next().unwrap().to_string();
    let mut stream = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}"))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut answer))
        .await
        .expect("the store answered")
        .unwrap();
    let head = String::from_utf8_lossy(&answer[..n]).to_string();
    head.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A POST whose headers promise a body that never comes.
fn promised_body(path: &str, content_type: &str, length: usize, cookie: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n\
         Content-Length: {length}\r\nCookie: {cookie}\r\n\r\n"
    )
}

#[tokio::test]
async fn uploads_are_refused_before_their_body_is_read_except_for_staff_forms() {
    let app = TestApp::spawn().await;
    let multipart = "multipart/form-data; boundary=XyZ";
    // Anyone, to a form that takes no file: refused at once (waiting for the 16 MiB would be a 408).
    let status = raw_status(
        &app,
        promised_body("/forgot-password", multipart, 16 << 20, ""),
    )
    .await;
    assert_eq!(status, 415);
    // A customer, to an upload form: refused as well.
    let (_, b) = app.signed_in("ada").await;
    let cookie = b.cookie_header(&app.address);
    let status = raw_status(
        &app,
        promised_body("/admin/products", multipart, 1 << 20, &cookie),
    )
    .await;
    assert_eq!(status, 403);
    // A form body larger than the form limit is refused from its declared length.
    let form = "application/x-www-form-urlencoded";
    let status = raw_status(&app, promised_body("/forgot-password", form, 10 << 20, "")).await;
    assert_eq!(status, 413);
    // Staff may still upload (the product form works, image included).
    let admin = app.admin().await;
    let form = reqwest::multipart::Form::new()
        .text("name", "Teapot")
        .text("brand", "Zephyr")
        .text("category", "Kitchen")
        .text("price", "12.50")
        .text("stock", "3")
        .text("active", "on")
        .part(
            "image",
            reqwest::multipart::Part::bytes(crate::helpers::png(64, 64)).file_name("t.png"),
        );
    let res = app.post_multipart(&admin, "/admin/products", form).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn a_body_that_trickles_in_gets_408() {
    let app = TestApp::spawn_with(|s| s.server.body_timeout_seconds = 1).await;
    let form = "application/x-www-form-urlencoded";
    // Ten bytes of a promised hundred, then nothing: the answer comes when the deadline passes.
    let mut request = promised_body("/forgot-password", form, 100, "");
    request.push_str("email=ada@");
    assert_eq!(raw_status(&app, request).await, 408);
    // The API's JSON bodies likewise.
    let mut request = promised_body("/api/v1/auth/login", "application/json", 100, "");
    request.push_str("{\"email\":");
    assert_eq!(raw_status(&app, request).await, 408);
}

#[tokio::test]
async fn nul_characters_are_refused_everywhere_with_400() {
    let app = TestApp::spawn().await;
    app.product("Oak Bowl", "Oakridge", "Kitchen", 1500, 5)
        .await;
    let users = app.user_count().await;
    for path in [
        "/products?category=%00",
        "/products?q=a%00b",
        "/products?brand=x%00",
    ] {
        assert_eq!(app.get(path).await.status(), 400, "{path}");
    }
    json_error(app.api_products("?category=%00").await, 400).await;
    let res = app
        .post_form("/forgot-password", &[("email", "ada\0@example.com")])
        .await;
    assert_eq!(res.status(), 400);
    let mut body = reg_body("ada", "ada@example.com");
    body["first_name"] = json!("A\u{0}da");
    json_error(app.api_register(body).await, 400).await;
    json_error(
        app.api_login_with(json!({"email": "ada\u{0}@example.com", "password": "x"}))
            .await,
        400,
    )
    .await;
    assert_eq!(app.user_count().await, users, "nobody registered");
    // The page still works afterwards.
    assert_eq!(app.get("/products?category=kitchen").await.status(), 200);
}

#[tokio::test]
async fn registrations_that_find_the_address_taken_count_toward_the_limit() {
    let app = TestApp::spawn_with(|s| s.security.registrations_per_ip_per_hour = 3).await;
    app.verified_user("ada").await; // one registration
    let fields = registration_fields("other", "ada@example.com");
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Taken: refused with the form error, but counted.
    assert_eq!(app.post_form("/register", &refs).await.status(), 422);
    json_error(
        app.api_register(reg_body("other2", "ada@example.com"))
            .await,
        409,
    )
    .await;
    // The fourth attempt from this address is over the limit, taken or not.
    let res = app.post_form("/register", &refs).await;
    assert_eq!(res.status(), 429);
    json_error(
        app.api_register(reg_body("new", "new@example.com")).await,
        429,
    )
    .await;
    assert_eq!(app.user_count().await, 1);
}

#[tokio::test]
async fn cart_writes_are_limited_per_address() {
    let app = TestApp::spawn_with(|s| s.security.cart_changes_per_minute = 5).await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 50)
        .await;
    let b = app.new_browser();
    for _ in 0..5 {
        app.add_to_cart(&b, p, 1).await;
    }
    let res = app.post_add_to_cart(&b, p, 1).await;
    assert_eq!(res.status(), 429);
    // The API shares the limit (same address).
    let token = app.api_token("ada").await;
    json_error(
        app.api_cart_add(Some(&token), json!({"product_id": p, "quantity": 1}))
            .await,
        429,
    )
    .await;
    // A minute later it works again.
    app.state.clock.advance(Duration::from_secs(61));
    app.add_to_cart(&b, p, 1).await;
    assert_eq!(app.stock(p).await, 50);
}

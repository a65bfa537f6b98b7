use std::time::Duration;

use crate::helpers::{TestApp, assert_is_redirect_to, location};

fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn protected_pages_send_guests_to_sign_in_and_back() {
    let app = TestApp::spawn().await;
    for path in ["/account", "/account/profile", "/account/password"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(
            location(&res),
            format!("/login?next={}", path.replace('/', "%2F"))
        );
    }
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let (_, b) = app.signed_in("ada").await;
    let stolen = b.cookie_header(&app.address);
    let res = app.post_form_as(&b, "/logout", &[]).await;
    assert_is_redirect_to(&res, "/login?signed_out=1");
    assert_eq!(app.get_as(&b, "/account").await.status(), 303);
    // A copy of the cookie taken before signing out is worthless.
    let res = bare_client()
        .get(app.url("/account"))
        .header("cookie", stolen)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(rows, 0);
}

#[tokio::test]
async fn sign_out_is_not_possible_by_get() {
    let app = TestApp::spawn().await;
    let (_, b) = app.signed_in("ada").await;
    let res = app.get_as(&b, "/logout").await;
    assert_eq!(res.status(), 405);
    assert_eq!(app.get_as(&b, "/account").await.status(), 200);
}

#[tokio::test]
async fn every_signed_in_page_has_a_sign_out_button() {
    let app = TestApp::spawn().await;
    let (_, b) = app.signed_in("ada").await;
    for path in [
        "/",
        "/account",
        "/account/profile",
        "/account/password",
        "/forgot-password",
    ] {
        let html = app.get_as(&b, path).await.text().await.unwrap();
        assert!(html.contains(r#"action="/logout""#), "{path}");
    }
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = TestApp::spawn().await;
    let (_, b) = app.signed_in("ada").await;
    app.state.clock.advance(Duration::from_secs(119 * 60));
    assert_eq!(app.get_as(&b, "/account").await.status(), 200);
    app.state.clock.advance(Duration::from_secs(121 * 60));
    assert_eq!(app.get_as(&b, "/account").await.status(), 303);
}

#[tokio::test]
async fn sessions_end_after_their_absolute_lifetime_even_when_used() {
    let app = TestApp::spawn_with(|s| s.session.absolute_lifetime_hours = 3).await;
    let (_, b) = app.signed_in("ada").await;
    for _ in 0..2 {
        app.state.clock.advance(Duration::from_secs(80 * 60));
        assert_eq!(app.get_as(&b, "/account").await.status(), 200);
    }
    app.state.clock.advance(Duration::from_secs(30 * 60));
    assert_eq!(app.get_as(&b, "/account").await.status(), 303);
}

#[tokio::test]
async fn the_cookie_is_http_only_and_same_site() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    let res = app
        .login_as(&app.browser, &user.email, &user.password)
        .await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("emporium_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Path=/"));
    assert!(!cookie.contains("Domain"));
    let value = cookie.split(';').next().unwrap();
    assert!(
        !value.contains("user_id") && !value.contains("example.com"),
        "the cookie must not carry user data"
    );
    assert_eq!(res.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn secure_cookies_add_the_secure_flag_the_host_prefix_and_hsts() {
    let app = TestApp::spawn_with(|s| s.server.secure_cookies = Some(true)).await;
    let id = app
        .product("Secure Mug", "Oakridge", "Kitchen", 900, 5)
        .await;
    let res = app.get(&format!("/products/{id}")).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-emporium_csrf="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let csrf_cookie = cookie.split(';').next().unwrap().to_string();
    let token = crate::helpers::extract_csrf(&res.text().await.unwrap()).unwrap();
    // The session cookie comes with the first thing to keep (a cart line). A jar would not send
    // Secure cookies over this test's plain HTTP: the browser's cookie goes by hand.
    let raw = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = raw
        .post(app.url("/cart/items"))
        .header("cookie", csrf_cookie)
        .form(&[
            ("product_id", id.to_string().as_str()),
            ("quantity", "1"),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let session = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .find(|c| c.starts_with("__Host-emporium="))
        .expect("a session cookie");
    assert!(session.contains("Secure"), "{session}");
    let res = app.get("/login").await;
    assert!(
        res.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=63072000")
    );
}

#[tokio::test]
async fn a_guest_browsing_plain_pages_gets_no_session() {
    let app = TestApp::spawn().await;
    let res = app.get("/").await;
    assert!(
        !res.headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("emporium_session"))
    );
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(rows, 0);
}

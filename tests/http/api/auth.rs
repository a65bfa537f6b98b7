//! Sign-in, access and refresh tokens: the shared throttle, forged and expired tokens,
//! rotation, reuse detection and revocation.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::api::{assert_token_refused, json_error, reg_body};
use crate::helpers::{PASSWORD, TestApp};

const JWT_SECRET: &str = "test-jwt-secret-that-is-long-enough-0123456789";

#[tokio::test]
async fn login_shares_the_pages_rules_and_throttle() {
    let app = TestApp::spawn().await;
    let email = app.api_customer("ada").await;
    let tokens = app.api_login(&email).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert_eq!(tokens["refresh_token"].as_str().unwrap().len(), 64);
    // The username works as well.
    let res = app
        .api_login_with(json!({"email": "ADA", "password": PASSWORD}))
        .await;
    assert_eq!(res.status(), 200);

    // Wrong password and unknown account look the same.
    let wrong = json_error(
        app.api_login_with(json!({"email": email, "password": "Wrong-Password-123"}))
            .await,
        401,
    )
    .await;
    let unknown = json_error(
        app.api_login_with(
            json!({"email": "nobody@example.com", "password": "Wrong-Password-123"}),
        )
        .await,
        401,
    )
    .await;
    assert_eq!(wrong, unknown);

    // A login of any length is an ordinary failure (its audit key stays bounded).
    json_error(
        app.api_login_with(json!({"email": "é".repeat(3000), "password": "Wrong-Password-123"}))
            .await,
        401,
    )
    .await;

    // Unverified: 403, only with the right password.
    let res = app.api_register(reg_body("bob", "bob@example.com")).await;
    assert_eq!(res.status(), 201);
    let res = app
        .api_login_with(json!({"email": "bob@example.com", "password": PASSWORD}))
        .await;
    json_error(res, 403).await;

    // One throttle for pages and API: failures on the sign-in page count here too.
    for _ in 0..3 {
        let res = app
            .login_as(&app.new_browser(), &email, "Wrong-Password-123")
            .await;
        assert_eq!(res.status(), 422);
    }
    // (one API failure above) + 3 page failures + this one = 5: locked.
    let res = app
        .api_login_with(json!({"email": email, "password": "Wrong-Password-123"}))
        .await;
    assert_eq!(res.status(), 401);
    let res = app
        .api_login_with(json!({"email": email, "password": PASSWORD}))
        .await;
    assert!(res.headers().contains_key("retry-after"));
    json_error(res, 429).await;
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM auth_events WHERE event = 'login_throttled'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(events, 1);
}

#[tokio::test]
async fn forged_expired_and_misused_tokens_get_401() {
    let app = TestApp::spawn().await;
    let email = app.api_customer("ada").await;
    app.api_customer("bob").await;
    let tokens = app.api_login(&email).await;
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    let me = |t: String| {
        let app = &app;
        async move { app.api_me(Some(&t)).await }
    };
    assert_eq!(me(access.clone()).await.status(), 200);
    let claims = claims_of(&access);
    for key in ["sub", "exp", "iat", "jti", "iss", "aud", "typ"] {
        assert!(claims.get(key).is_some(), "claim {key} missing");
    }
    assert_eq!(claims["typ"], "access");

    let bob_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username_key = 'bob'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let mut forged = Vec::new();
    // alg: none, with the real claims.
    let none_header = base64_like::encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = access.split('.').nth(1).unwrap();
    forged.push(format!("{none_header}.{body}."));
    // Claims edited (another customer) under the original signature.
    let mut edited = claims.clone();
    edited["sub"] = json!(bob_id.to_string());
    let sig = access.split('.').nth(2).unwrap();
    let header = access.split('.').next().unwrap();
    forged.push(format!(
        "{header}.{}.{sig}",
        base64_like::encode(edited.to_string().as_bytes())
    ));
    // Signed with another key.
    forged.push(sign(
        &edited,
        "another-secret-that-is-long-enough-0123456789",
    ));
    // Right key, wrong audience / issuer / type / expired.
    for (field, value) in [
        ("aud", json!("someone-else")),
        ("iss", json!("evil")),
        ("typ", json!("refresh")),
        ("exp", json!(claims["iat"].as_i64().unwrap() - 1)),
    ] {
        let mut c = claims.clone();
        c[field] = value;
        forged.push(sign(&c, JWT_SECRET));
    }
    forged.push(refresh.clone());
    forged.push("not a token".into());
    for t in forged {
        assert_token_refused(me(t).await).await;
    }
    // The right key alone is enough for a valid token (a control for the cases above).
    assert_eq!(me(sign(&claims, JWT_SECRET)).await.status(), 200);

    // A session cookie never authenticates the API.
    let b = app.new_browser();
    assert_eq!(app.login_as(&b, &email, PASSWORD).await.status(), 303);
    let res = b
        .client
        .get(app.url("/api/v1/customer/me"))
        .send()
        .await
        .unwrap();
    json_error(res, 401).await;

    // Fifteen minutes later the access token has expired.
    app.state.clock.advance(Duration::from_secs(15 * 60 + 1));
    json_error(me(access).await, 401).await;
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_revokes_the_family() {
    let app = TestApp::spawn().await;
    let email = app.api_customer("ada").await;
    let first = app.api_login(&email).await;
    let r1 = first["refresh_token"].as_str().unwrap();
    let refresh = |t: &str| app.api_refresh(json!({ "refresh_token": t }));
    let res = refresh(r1).await;
    assert_eq!(res.status(), 200);
    let second: Value = res.json().await.unwrap();
    let r2 = second["refresh_token"].as_str().unwrap();
    let a2 = second["access_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    assert_eq!(app.api_cart(Some(a2)).await.status(), 200);
    // An access token is not a refresh token.
    json_error(refresh(a2).await, 401).await;

    // R1 again: refused, and R2 and its access token stop working too.
    json_error(refresh(r1).await, 401).await;
    json_error(refresh(r2).await, 401).await;
    json_error(app.api_cart(Some(a2)).await, 401).await;
    let reuse: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM auth_events WHERE event = 'token_reuse'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(reuse, 1);

    // Another sign-in is unaffected; its refresh token expires after 30 days.
    let other = app.api_login(&email).await;
    let r3 = other["refresh_token"].as_str().unwrap();
    app.state
        .clock
        .advance(Duration::from_secs(30 * 24 * 3600 + 1));
    json_error(refresh(r3).await, 401).await;
    json_error(refresh("xyz").await, 401).await;
}

#[tokio::test]
async fn logout_password_change_and_deactivation_revoke_tokens() {
    let app = TestApp::spawn().await;
    let email = app.api_customer("ada").await;
    let a = app.api_login(&email).await;
    let b = app.api_login(&email).await;
    let access = |t: &Value| t["access_token"].as_str().unwrap().to_string();
    let refresh_of = |t: &Value| t["refresh_token"].as_str().unwrap().to_string();

    let res = app.api_logout(Some(&access(&a))).await;
    assert_eq!(res.status(), 204);
    json_error(app.api_me(Some(&access(&a))).await, 401).await;
    json_error(
        app.api_refresh(json!({"refresh_token": refresh_of(&a)}))
            .await,
        401,
    )
    .await;
    // The other sign-in still works.
    assert_eq!(app.api_me(Some(&access(&b))).await.status(), 200);

    // A password change on the account page ends every API sign-in.
    let browser = app.new_browser();
    assert_eq!(app.login_as(&browser, &email, PASSWORD).await.status(), 303);
    let res = app
        .post_form_as(
            &browser,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "Copper-Lantern-58-Meadow"),
                ("password_confirm", "Copper-Lantern-58-Meadow"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    json_error(app.api_me(Some(&access(&b))).await, 401).await;
    json_error(
        app.api_refresh(json!({"refresh_token": refresh_of(&b)}))
            .await,
        401,
    )
    .await;

    // Deactivation: tokens refused at once.
    let c: Value = app
        .api_login_with(json!({"email": email, "password": "Copper-Lantern-58-Meadow"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(app.api_cart(Some(&access(&c))).await.status(), 200);
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username_key = 'ada'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let admin = {
        app.admin().await;
        app.admin_id().await
    };
    emporium::staff::customers::set_active(
        &app.state,
        admin,
        emporium::domain::UserId::new(id),
        false,
    )
    .await
    .unwrap();
    json_error(app.api_cart(Some(&access(&c))).await, 401).await;
    json_error(
        app.api_refresh(json!({"refresh_token": refresh_of(&c)}))
            .await,
        401,
    )
    .await;
}

fn sign(claims: &Value, key: &str) -> String {
    use jsonwebtoken::{EncodingKey, Header, encode};
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap()
}

fn claims_of(token: &str) -> Value {
    use base64_like::decode_segment;
    serde_json::from_slice(&decode_segment(token.split('.').nth(1).unwrap())).unwrap()
}

/// Base64url without padding, enough to read and forge test tokens.
mod base64_like {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn decode_segment(s: &str) -> Vec<u8> {
        let mut bits = 0u32;
        let mut n = 0;
        let mut out = Vec::new();
        for c in s.bytes() {
            let v = ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
            bits = (bits << 6) | v;
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push((bits >> n) as u8);
                bits &= (1 << n) - 1;
            }
        }
        out
    }

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((v >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
}

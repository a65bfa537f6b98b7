//! The JSON API (`/api/v1`): tokens, every endpoint and every error status, over real HTTP.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{GOOD_CARD, PASSWORD, TestApp};

const JWT_SECRET: &str = "test-jwt-secret-that-is-long-enough-0123456789";

fn reg_body(username: &str, email: &str) -> Value {
    json!({
        "username": username,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": email,
        "password": PASSWORD,
        "address": "12 Analytical Row\n10115 Berlin",
        "phone": "+49 170 1234567",
        "title": "Dr",
        "birthday": "1990-12-10"
    })
}

impl TestApp {
    /// Sends a JSON request (optionally with a bearer token) with a fresh, cookie-less client.
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> reqwest::Response {
        let client = reqwest::Client::new();
        let mut req = client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    /// Registers through the API and opens the confirmation link; returns the email address.
    pub async fn api_customer(&self, username: &str) -> String {
        let email = format!("{username}@example.com");
        let res = self
            .api(
                Method::POST,
                "/api/v1/customer/registration/",
                None,
                Some(reg_body(username, &email)),
            )
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let link = self.link_in_mail(&email, "Confirm your email");
        assert_eq!(self.get(&link).await.status(), 303);
        email
    }

    pub async fn api_login(&self, email: &str) -> Value {
        let res = self
            .api(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    /// A verified customer's access token.
    pub async fn api_token(&self, username: &str) -> String {
        let email = self.api_customer(username).await;
        self.api_login(&email).await["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

async fn json_error(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = res.json().await.unwrap();
    assert!(body["errorMessage"].is_string(), "{body}");
    body
}

#[tokio::test]
async fn registration_answers_201_400_409_and_refuses_non_json() {
    let app = TestApp::spawn().await;
    let res = app
        .api(
            Method::POST,
            "/api/v1/customer/registration/",
            None,
            Some(reg_body("ada", "Ada@Example.com")),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"username": "ada", "first_name": "Ada", "email": "ada@example.com"})
    );

    // Invalid input: per-field messages, nothing created.
    let mut bad = reg_body("bo", "not-an-email");
    bad["password"] = json!("password");
    bad["phone"] = json!("call me");
    let body = json_error(
        app.api(
            Method::POST,
            "/api/v1/customer/registration/",
            None,
            Some(bad),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(body["errorMessage"], "Invalid Input");
    for field in ["username", "email", "password", "phone"] {
        assert!(body["errors"][field][0].is_string(), "{field}: {body}");
    }
    let missing = json_error(
        app.api(
            Method::POST,
            "/api/v1/customer/registration/",
            None,
            Some(json!({"username": "carl"})),
        )
        .await,
        400,
    )
    .await;
    assert!(!missing.to_string().contains("RegistrationRequest"));
    assert_eq!(missing["errorMessage"], "Invalid Input");
    assert!(missing["errors"]["phone"].is_array(), "{missing}");
    let mut wrong_type = reg_body("carl", "carl@example.com");
    wrong_type["username"] = json!(5);
    let body = json_error(
        app.api(
            Method::POST,
            "/api/v1/customer/registration/",
            None,
            Some(wrong_type),
        )
        .await,
        400,
    )
    .await;
    assert!(
        body["errors"]["username"]
            .as_array()
            .unwrap()
            .contains(&json!("Must be a string.")),
        "{body}"
    );
    // The fields as an array (which serde alone would take in order) are not an object.
    json_error(
        app.api(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!(["ada@example.com", PASSWORD])),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(app.user_count().await, 1);

    // Taken username (any case) or email: 409.
    for (u, e) in [("ADA", "other@example.com"), ("other", "ada@example.com")] {
        let body = json_error(
            app.api(
                Method::POST,
                "/api/v1/customer/registration/",
                None,
                Some(reg_body(u, e)),
            )
            .await,
            409,
        )
        .await;
        assert!(body["errors"].is_object(), "{body}");
    }
    assert_eq!(app.user_count().await, 1);

    let client = reqwest::Client::new();
    let res = client
        .post(app.url("/api/v1/customer/registration/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=x")
        .send()
        .await
        .unwrap();
    json_error(res, 415).await;
    let res = client
        .post(app.url("/api/v1/customer/registration/"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    let body = json_error(res, 400).await;
    assert!(!body.to_string().contains("serde"), "{body}");
    let huge = format!("{{\"username\": \"{}\"}}", "x".repeat(200_000));
    let res = client
        .post(app.url("/api/v1/customer/registration/"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    json_error(res, 413).await;
    assert_eq!(app.user_count().await, 1);
}

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
        .api(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "ADA", "password": PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), 200);

    // Wrong password and unknown account look the same.
    let wrong = json_error(
        app.api(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": "Wrong-Password-123"})),
        )
        .await,
        401,
    )
    .await;
    let unknown = json_error(
        app.api(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "nobody@example.com", "password": "Wrong-Password-123"})),
        )
        .await,
        401,
    )
    .await;
    assert_eq!(wrong, unknown);

    // A login of any length is an ordinary failure (its audit key stays bounded).
    json_error(
        app.api(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "é".repeat(3000), "password": "Wrong-Password-123"})),
        )
        .await,
        401,
    )
    .await;

    // Unverified: 403, only with the right password.
    let res = app
        .api(
            Method::POST,
            "/api/v1/customer/registration/",
            None,
            Some(reg_body("bob", "bob@example.com")),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .api(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "bob@example.com", "password": PASSWORD})),
        )
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
        .api(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": "Wrong-Password-123"})),
        )
        .await;
    assert_eq!(res.status(), 401);
    let res = app
        .api(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": PASSWORD})),
        )
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
async fn profile_is_read_and_changed_with_the_pages_rules() {
    let app = TestApp::spawn().await;
    let token = app.api_token("ada").await;
    json_error(
        app.api(Method::GET, "/api/v1/customer/me", None, None)
            .await,
        401,
    )
    .await;
    let res = app
        .api(Method::GET, "/api/v1/customer/me", Some(&token), None)
        .await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["username"], "ada");
    assert_eq!(me["email_verified"], true);
    assert!(me.get("password_hash").is_none());

    let res = app
        .api(
            Method::PATCH,
            "/api/v1/customer/me",
            Some(&token),
            Some(json!({"phone": "+491707654321", "title": ""})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["phone"], "+491707654321");
    assert_eq!(me["title"], Value::Null);
    assert_eq!(me["first_name"], "Ada", "untouched fields are kept");

    let body = json_error(
        app.api(
            Method::PATCH,
            "/api/v1/customer/me",
            Some(&token),
            Some(json!({"phone": "call me", "birthday": "yesterday"})),
        )
        .await,
        400,
    )
    .await;
    assert!(body["errors"]["phone"].is_array() && body["errors"]["birthday"].is_array());
    // A new email needs the current password.
    let body = json_error(
        app.api(
            Method::PATCH,
            "/api/v1/customer/me",
            Some(&token),
            Some(json!({"email": "new@example.com"})),
        )
        .await,
        400,
    )
    .await;
    assert!(body["errors"]["current_password"].is_array());
    let res = app
        .api(
            Method::PATCH,
            "/api/v1/customer/me",
            Some(&token),
            Some(json!({"email": "new@example.com", "current_password": PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["pending_email"], "new@example.com");

    // Guessing the password through the email change is throttled like sign-in.
    for _ in 0..5 {
        json_error(
            app.api(
                Method::PATCH,
                "/api/v1/customer/me",
                Some(&token),
                Some(
                    json!({"email": "thief@example.com", "current_password": "Guess-Number-1234"}),
                ),
            )
            .await,
            400,
        )
        .await;
    }
    json_error(
        app.api(
            Method::PATCH,
            "/api/v1/customer/me",
            Some(&token),
            Some(json!({"email": "thief@example.com", "current_password": PASSWORD})),
        )
        .await,
        429,
    )
    .await;
    app.state.clock.advance(Duration::from_secs(16 * 60));
    // (The access token expired meanwhile.)
    let token = app.api_login("ada@example.com").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    app.api_customer("bob").await;
    json_error(
        app.api(
            Method::PATCH,
            "/api/v1/customer/me",
            Some(&token),
            Some(json!({"username": "BOB"})),
        )
        .await,
        409,
    )
    .await;
    let me: Value = app
        .api(Method::GET, "/api/v1/customer/me", Some(&token), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "ada");
    assert_eq!(me["phone"], "+491707654321");
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
        async move {
            app.api(Method::GET, "/api/v1/customer/me", Some(&t), None)
                .await
        }
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
        let res = me(t.clone()).await;
        assert_eq!(res.headers()["www-authenticate"], "Bearer", "{t}");
        json_error(res, 401).await;
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
    let refresh = |t: &str| {
        app.api(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({ "refresh_token": t })),
        )
    };
    let res = refresh(r1).await;
    assert_eq!(res.status(), 200);
    let second: Value = res.json().await.unwrap();
    let r2 = second["refresh_token"].as_str().unwrap();
    let a2 = second["access_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    assert_eq!(
        app.api(Method::GET, "/api/v1/cart", Some(a2), None)
            .await
            .status(),
        200
    );
    // An access token is not a refresh token.
    json_error(refresh(a2).await, 401).await;

    // R1 again: refused, and R2 and its access token stop working too.
    json_error(refresh(r1).await, 401).await;
    json_error(refresh(r2).await, 401).await;
    json_error(
        app.api(Method::GET, "/api/v1/cart", Some(a2), None).await,
        401,
    )
    .await;
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

    let res = app
        .api(Method::POST, "/api/v1/auth/logout", Some(&access(&a)), None)
        .await;
    assert_eq!(res.status(), 204);
    json_error(
        app.api(Method::GET, "/api/v1/customer/me", Some(&access(&a)), None)
            .await,
        401,
    )
    .await;
    json_error(
        app.api(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": refresh_of(&a)})),
        )
        .await,
        401,
    )
    .await;
    // The other sign-in still works.
    assert_eq!(
        app.api(Method::GET, "/api/v1/customer/me", Some(&access(&b)), None)
            .await
            .status(),
        200
    );

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
    json_error(
        app.api(Method::GET, "/api/v1/customer/me", Some(&access(&b)), None)
            .await,
        401,
    )
    .await;
    json_error(
        app.api(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": refresh_of(&b)})),
        )
        .await,
        401,
    )
    .await;

    // Deactivation: tokens refused at once.
    let c: Value = app
        .api(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": "Copper-Lantern-58-Meadow"})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        app.api(Method::GET, "/api/v1/cart", Some(&access(&c)), None)
            .await
            .status(),
        200
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username_key = 'ada'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    emporium::accounts::admin::deactivate(&app.state, emporium::domain::UserId::new(id))
        .await
        .unwrap();
    json_error(
        app.api(Method::GET, "/api/v1/cart", Some(&access(&c)), None)
            .await,
        401,
    )
    .await;
    json_error(
        app.api(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": refresh_of(&c)})),
        )
        .await,
        401,
    )
    .await;
}

#[tokio::test]
async fn products_list_with_filters_pages_and_strict_parameters() {
    let app = TestApp::spawn().await;
    app.seed(40).await;
    let teapot = app
        .product("Zephyr Teapot", "Zephyrware", "Kitchen", 2490, 12)
        .await;
    app.product("Steel Kettle", "Zephyrware", "Kitchen", 3990, 1)
        .await;
    app.product("Linen Apron", "Loom", "Textiles", 1500, 3)
        .await;

    let res = app
        .api(Method::GET, "/api/v1/product/?q=zephyr+teapot", None, None)
        .await;
    assert_eq!(res.status(), 200);
    let list: Value = res.json().await.unwrap();
    let item = &list["items"][0];
    assert_eq!(item["id"], teapot);
    assert_eq!(item["price"], "24.90");
    assert_eq!(item["price_cents"], 2490);
    assert_eq!(item["currency"], "EUR");
    assert_eq!(item["stock"], 12);
    assert_eq!(item["rating"], Value::Null);
    assert!(item["description"].as_str().unwrap().contains("Teapot"));
    for key in ["name", "brand", "image"] {
        assert!(item.get(key).is_some(), "{key}");
    }

    let list: Value = app
        .api(
            Method::GET,
            "/api/v1/product/?brand=Zephyrware&sort=price_desc&max_price=50",
            None,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Steel Kettle", "Zephyr Teapot"]);
    assert_eq!(list["total"], 2);

    let page2: Value = app
        .api(Method::GET, "/api/v1/product/?page=2&sort=name", None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page2["page"], 2);
    assert_eq!(page2["per_page"], 24);
    assert_eq!(page2["total"], 43);
    assert_eq!(page2["total_pages"], 2);
    assert_eq!(page2["items"].as_array().unwrap().len(), 19);

    for bad in [
        "page=0",
        "page=abc",
        "sort=cheapest",
        "min_price=ten",
        "max_price=1.234",
        "min_price=2000000",
        "min_price=5.%00",
    ] {
        let body = json_error(
            app.api(Method::GET, &format!("/api/v1/product/?{bad}"), None, None)
                .await,
            400,
        )
        .await;
        assert!(!body.to_string().contains("i64"), "{bad}: {body}");
    }

    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/product/{teapot}"),
            None,
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["name"], "Zephyr Teapot");
    for missing in ["999999", "abc", "-1"] {
        json_error(
            app.api(
                Method::GET,
                &format!("/api/v1/product/{missing}"),
                None,
                None,
            )
            .await,
            404,
        )
        .await;
    }
}

#[tokio::test]
async fn cart_add_change_remove_with_clear_errors() {
    let app = TestApp::spawn().await;
    let token = app.api_token("ada").await;
    let t = Some(token.as_str());
    let teapot = app
        .product("Enamel Teapot", "Kettle & Co", "Kitchen", 2490, 5)
        .await;
    let apron = app
        .product("Linen Apron", "Loom", "Textiles", 1500, 3)
        .await;

    json_error(app.api(Method::GET, "/api/v1/cart", None, None).await, 401).await;
    let res = app
        .api(
            Method::POST,
            "/api/v1/cart",
            t,
            Some(json!({"product_id": teapot, "quantity": 2})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .api(
            Method::POST,
            "/api/v1/cart",
            t,
            Some(json!({"product_id": apron, "quantity": 1})),
        )
        .await;
    let cart: Value = res.json().await.unwrap();
    assert_eq!(cart["item_count"], 3);
    assert_eq!(cart["subtotal_cents"], 2 * 2490 + 1500);
    assert_eq!(cart["shipping_cents"], 0);
    assert_eq!(cart["total_cents"], 6480);
    assert_eq!(cart["blocked"], false);

    // Over the stock (counting what is in the cart): 422, cart unchanged.
    let body = json_error(
        app.api(
            Method::POST,
            "/api/v1/cart",
            t,
            Some(json!({"product_id": teapot, "quantity": 4})),
        )
        .await,
        422,
    )
    .await;
    assert!(
        body["errors"]["quantity"][0]
            .as_str()
            .unwrap()
            .contains("Only 5")
    );
    for (body, status) in [
        (json!({"product_id": teapot, "quantity": 0}), 400),
        (json!({"product_id": teapot, "quantity": -3}), 400),
        (json!({"product_id": teapot, "quantity": "two"}), 400),
        (json!({"product_id": 999999, "quantity": 1}), 404),
    ] {
        json_error(
            app.api(Method::POST, "/api/v1/cart", t, Some(body)).await,
            status,
        )
        .await;
    }

    let res = app
        .api(
            Method::PATCH,
            "/api/v1/cart",
            t,
            Some(json!({"product_id": teapot, "quantity": 5})),
        )
        .await;
    assert_eq!(res.status(), 200);
    json_error(
        app.api(
            Method::PATCH,
            "/api/v1/cart",
            t,
            Some(json!({"product_id": teapot, "quantity": 6})),
        )
        .await,
        422,
    )
    .await;
    let stranger = app.product("Oak Spoon", "Loom", "Kitchen", 500, 9).await;
    json_error(
        app.api(
            Method::PATCH,
            "/api/v1/cart",
            t,
            Some(json!({"product_id": stranger, "quantity": 1})),
        )
        .await,
        404,
    )
    .await;

    let res = app
        .api(
            Method::DELETE,
            &format!("/api/v1/cart?product_id={apron}"),
            t,
            None,
        )
        .await;
    let cart: Value = res.json().await.unwrap();
    assert_eq!(cart["item_count"], 5);
    assert_eq!(cart["items"].as_array().unwrap().len(), 1);
    let cart: Value = app
        .api(Method::DELETE, "/api/v1/cart", t, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cart["item_count"], 0);
    json_error(
        app.api(Method::DELETE, "/api/v1/cart?product_id=abc", t, None)
            .await,
        400,
    )
    .await;
}

#[tokio::test]
async fn the_whole_journey_and_idempotent_ordering() {
    let app = TestApp::spawn().await;
    let token = app.api_token("ada").await;
    let t = Some(token.as_str());
    let teapot = app
        .product("Enamel Teapot", "Kettle & Co", "Kitchen", 2490, 5)
        .await;
    let order_body = json!({
        "card_name": "Ada Lovelace",
        "card_number": GOOD_CARD,
        "card_expiry": "12/30",
        "card_cvc": "123",
    });

    // Empty cart: 409, nothing charged.
    json_error(
        app.api(Method::POST, "/api/v1/orders", t, Some(order_body.clone()))
            .await,
        409,
    )
    .await;
    app.api(
        Method::POST,
        "/api/v1/cart",
        t,
        Some(json!({"product_id": teapot, "quantity": 2})),
    )
    .await;

    // Bad card fields: 400 per field; a declined card: 402; a wrong expected total: 409.
    let mut bad = order_body.clone();
    bad["card_number"] = json!("4242 4242 4242 4241");
    bad["card_expiry"] = json!("13/30");
    let body = json_error(
        app.api(Method::POST, "/api/v1/orders", t, Some(bad)).await,
        400,
    )
    .await;
    assert!(body["errors"]["card_number"].is_array() && body["errors"]["card_expiry"].is_array());
    let mut declined = order_body.clone();
    declined["card_number"] = json!("4000000000000002");
    json_error(
        app.api(Method::POST, "/api/v1/orders", t, Some(declined))
            .await,
        402,
    )
    .await;
    let mut stale = order_body.clone();
    stale["expected_total_cents"] = json!(100);
    json_error(
        app.api(Method::POST, "/api/v1/orders", t, Some(stale))
            .await,
        409,
    )
    .await;
    assert_eq!(app.order_count().await, 0);
    assert_eq!(app.stock(teapot).await, 5);

    let place = || {
        let client = reqwest::Client::new();
        let mut body = order_body.clone();
        body["expected_total_cents"] = json!(2 * 2490 + 495);
        client
            .post(app.url("/api/v1/orders"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "order-7f3a")
            .json(&body)
            .send()
    };
    let res = place().await.unwrap();
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let order: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/orders/{}", order["id"]));
    assert_eq!(order["status"], "paid");
    assert_eq!(order["total_cents"], 5475);
    assert_eq!(order["lines"][0]["quantity"], 2);
    assert_eq!(order["card_last4"], "4242");
    assert!(order["invoice_number"].is_string());
    assert_eq!(order["history"].as_array().unwrap().len(), 2);

    // The retry lands on the same order; stock taken once.
    let again = place().await.unwrap();
    assert_eq!(again.status(), 200);
    let same: Value = again.json().await.unwrap();
    assert_eq!(same["id"], order["id"]);
    assert_eq!(app.order_count().await, 1);
    assert_eq!(app.stock(teapot).await, 3);
    let bad_key = reqwest::Client::new()
        .post(app.url("/api/v1/orders"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "")
        .json(&order_body)
        .send()
        .await
        .unwrap();
    json_error(bad_key, 400).await;

    let list: Value = app
        .api(Method::GET, "/api/v1/orders", t, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], order["id"]);
    let res = app.api(Method::GET, &location, t, None).await;
    assert_eq!(res.status(), 200);

    // Another customer (even with the same key) sees none of it.
    let other = app.api_token("bob").await;
    json_error(
        app.api(Method::GET, &location, Some(&other), None).await,
        404,
    )
    .await;
    let theirs: Value = app
        .api(Method::GET, "/api/v1/orders", Some(&other), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs, json!([]));
    json_error(
        app.api(Method::GET, "/api/v1/orders/abc", t, None).await,
        404,
    )
    .await;
    // Confirmation mail as for the page checkout.
    assert!(
        app.mails_to("ada@example.com")
            .iter()
            .any(|m| m.subject.contains("is confirmed"))
    );
}

#[tokio::test]
async fn unknown_paths_methods_docs_and_cors() {
    let app = TestApp::spawn().await;
    json_error(
        app.api(Method::GET, "/api/v1/nothing", None, None).await,
        404,
    )
    .await;
    json_error(app.api(Method::GET, "/api/nothing", None, None).await, 404).await;
    let res = app.api(Method::PUT, "/api/v1/product/", None, None).await;
    json_error(res, 405).await;
    json_error(
        app.api(Method::GET, "/api/v1/auth/login", None, None).await,
        405,
    )
    .await;

    let res = app.get("/api/openapi.json").await;
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/customer/registration/",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/customer/me",
        "/api/v1/product/",
        "/api/v1/product/{id}",
        "/api/v1/cart",
        "/api/v1/orders",
        "/api/v1/orders/{id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} not documented");
    }
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().unwrap())
        .collect();
    let operations = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), operations, "operationIds must be unique");
    assert_eq!(operations, 15);
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());

    let res = app.get("/api/docs").await;
    assert!(res.status().is_redirection());
    assert_eq!(crate::helpers::location(&res), "/api/docs/");
    let html = app.get("/api/docs/").await.text().await.unwrap();
    assert!(html.contains("swagger-ui"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no CDN"
    );
    let js = app.get("/api/docs/swagger-ui-bundle.js").await;
    assert_eq!(js.status(), 200);
    assert!(js.bytes().await.unwrap().len() > 500_000);
    let init = app
        .get("/api/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api/openapi.json"));

    // CORS is off by default: no allow-origin for anyone.
    let res = reqwest::Client::new()
        .get(app.url("/api/v1/product/"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(!res.headers().contains_key("access-control-allow-origin"));

    let app =
        TestApp::spawn_with(|s| s.api.cors_origins = vec!["https://app.example".into()]).await;
    let client = reqwest::Client::new();
    let res = client
        .get(app.url("/api/v1/product/"))
        .header("Origin", "https://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let res = client
        .get(app.url("/api/v1/product/"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(!res.headers().contains_key("access-control-allow-origin"));
    let preflight = client
        .request(Method::OPTIONS, app.url("/api/v1/cart"))
        .header("Origin", "https://app.example")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
}

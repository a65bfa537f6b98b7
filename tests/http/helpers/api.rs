//! The JSON API, one helper per endpoint. Each request goes out from a fresh client without
//! cookies, with a bearer token when one is given.

use reqwest::Method;
use serde_json::{Value, json};

use super::TestApp;
use super::accounts::PASSWORD;

/// The registration fields of a valid customer, as JSON.
pub fn reg_body(username: &str, email: &str) -> Value {
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

/// Asserts an API error: this status, a JSON body with `errorMessage`; returns the body.
pub async fn json_error(res: reqwest::Response, status: u16) -> Value {
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

/// Asserts a refused token: 401 with `WWW-Authenticate: Bearer` and a JSON error.
pub async fn assert_token_refused(res: reqwest::Response) {
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    json_error(res, 401).await;
}

/// The string field of a JSON answer (tokens, ids as text).
pub fn text(v: &Value, field: &str) -> String {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {v}"))
        .to_string()
}

impl TestApp {
    /// Any request, for the paths and methods no endpoint helper covers.
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

    pub async fn api_register(&self, body: Value) -> reqwest::Response {
        self.api(
            Method::POST,
            "/api/v1/customer/registration/",
            None,
            Some(body),
        )
        .await
    }

    pub async fn api_login_with(&self, body: Value) -> reqwest::Response {
        self.api(Method::POST, "/api/v1/auth/login", None, Some(body))
            .await
    }

    pub async fn api_refresh(&self, body: Value) -> reqwest::Response {
        self.api(Method::POST, "/api/v1/auth/refresh", None, Some(body))
            .await
    }

    pub async fn api_logout(&self, token: Option<&str>) -> reqwest::Response {
        self.api(Method::POST, "/api/v1/auth/logout", token, None)
            .await
    }

    pub async fn api_me(&self, token: Option<&str>) -> reqwest::Response {
        self.api(Method::GET, "/api/v1/customer/me", token, None)
            .await
    }

    pub async fn api_update_me(&self, token: Option<&str>, body: Value) -> reqwest::Response {
        self.api(Method::PATCH, "/api/v1/customer/me", token, Some(body))
            .await
    }

    /// `GET /api/v1/product/` with a query string such as `?q=tea`.
    pub async fn api_products(&self, query: &str) -> reqwest::Response {
        self.api(Method::GET, &format!("/api/v1/product/{query}"), None, None)
            .await
    }

    pub async fn api_cart(&self, token: Option<&str>) -> reqwest::Response {
        self.api(Method::GET, "/api/v1/cart", token, None).await
    }

    pub async fn api_cart_add(&self, token: Option<&str>, body: Value) -> reqwest::Response {
        self.api(Method::POST, "/api/v1/cart", token, Some(body))
            .await
    }

    pub async fn api_cart_set(&self, token: Option<&str>, body: Value) -> reqwest::Response {
        self.api(Method::PATCH, "/api/v1/cart", token, Some(body))
            .await
    }

    /// `DELETE /api/v1/cart` with a query string (`?product_id=7`) or none (empties the cart).
    pub async fn api_cart_remove(&self, token: Option<&str>, query: &str) -> reqwest::Response {
        self.api(Method::DELETE, &format!("/api/v1/cart{query}"), token, None)
            .await
    }

    pub async fn api_orders(&self, token: Option<&str>) -> reqwest::Response {
        self.api(Method::GET, "/api/v1/orders", token, None).await
    }

    pub async fn api_place_order(&self, token: Option<&str>, body: Value) -> reqwest::Response {
        self.api(Method::POST, "/api/v1/orders", token, Some(body))
            .await
    }

    /// Registers through the API and opens the confirmation link; returns the email address.
    pub async fn api_customer(&self, username: &str) -> String {
        let email = format!("{username}@example.com");
        let res = self.api_register(reg_body(username, &email)).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let link = self.link_in_mail(&email, "Confirm your email").await;
        assert_eq!(self.get(&link).await.status(), 303);
        email
    }

    /// Signs in with the fixtures' password; the token pair.
    pub async fn api_login(&self, email: &str) -> Value {
        let res = self
            .api_login_with(json!({"email": email, "password": PASSWORD}))
            .await;
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    /// A verified customer's access token.
    pub async fn api_token(&self, username: &str) -> String {
        let email = self.api_customer(username).await;
        text(&self.api_login(&email).await, "access_token")
    }
}

//! Registration and the customer's profile through the API: the pages' rules, as JSON.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::api::{json_error, reg_body};
use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn registration_answers_201_400_409_and_refuses_non_json() {
    let app = TestApp::spawn().await;
    let res = app.api_register(reg_body("ada", "Ada@Example.com")).await;
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
    let body = json_error(app.api_register(bad).await, 400).await;
    assert_eq!(body["errorMessage"], "Invalid Input");
    for field in ["username", "email", "password", "phone"] {
        assert!(body["errors"][field][0].is_string(), "{field}: {body}");
    }
    let missing = json_error(app.api_register(json!({"username": "carl"})).await, 400).await;
    assert!(!missing.to_string().contains("RegistrationRequest"));
    assert_eq!(missing["errorMessage"], "Invalid Input");
    assert!(missing["errors"]["phone"].is_array(), "{missing}");
    let mut wrong_type = reg_body("carl", "carl@example.com");
    wrong_type["username"] = json!(5);
    let body = json_error(app.api_register(wrong_type).await, 400).await;
    assert!(
        body["errors"]["username"]
            .as_array()
            .unwrap()
            .contains(&json!("Must be a string.")),
        "{body}"
    );
    // The fields as an array (which serde alone would take in order) are not an object.
    json_error(
        app.api_login_with(json!(["ada@example.com", PASSWORD]))
            .await,
        400,
    )
    .await;
    assert_eq!(app.user_count().await, 1);

    // Taken username (any case) or email: 409.
    for (u, e) in [("ADA", "other@example.com"), ("other", "ada@example.com")] {
        let body = json_error(app.api_register(reg_body(u, e)).await, 409).await;
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
async fn profile_is_read_and_changed_with_the_pages_rules() {
    let app = TestApp::spawn().await;
    let token = app.api_token("ada").await;
    json_error(app.api_me(None).await, 401).await;
    let res = app.api_me(Some(&token)).await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["username"], "ada");
    assert_eq!(me["email_verified"], true);
    assert!(me.get("password_hash").is_none());

    let res = app
        .api_update_me(Some(&token), json!({"phone": "+491707654321", "title": ""}))
        .await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["phone"], "+491707654321");
    assert_eq!(me["title"], Value::Null);
    assert_eq!(me["first_name"], "Ada", "untouched fields are kept");

    let body = json_error(
        app.api_update_me(
            Some(&token),
            json!({"phone": "call me", "birthday": "yesterday"}),
        )
        .await,
        400,
    )
    .await;
    assert!(body["errors"]["phone"].is_array() && body["errors"]["birthday"].is_array());
    // A new email needs the current password.
    let body = json_error(
        app.api_update_me(Some(&token), json!({"email": "new@example.com"}))
            .await,
        400,
    )
    .await;
    assert!(body["errors"]["current_password"].is_array());
    let res = app
        .api_update_me(
            Some(&token),
            json!({"email": "new@example.com", "current_password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["pending_email"], "new@example.com");

    // Guessing the password through the email change is throttled like sign-in.
    for _ in 0..5 {
        json_error(
            app.api_update_me(
                Some(&token),
                json!({"email": "thief@example.com", "current_password": "Guess-Number-1234"}),
            )
            .await,
            400,
        )
        .await;
    }
    json_error(
        app.api_update_me(
            Some(&token),
            json!({"email": "thief@example.com", "current_password": PASSWORD}),
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
        app.api_update_me(Some(&token), json!({"username": "BOB"}))
            .await,
        409,
    )
    .await;
    let me: Value = app.api_me(Some(&token)).await.json().await.unwrap();
    assert_eq!(me["username"], "ada");
    assert_eq!(me["phone"], "+491707654321");
}

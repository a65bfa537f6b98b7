//! Ordering through the API: the whole journey, and idempotent retries.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::api::json_error;
use crate::helpers::{GOOD_CARD, TestApp};

#[tokio::test]
async fn the_whole_journey_and_idempotent_ordering() {
    let app = TestApp::spawn().await;
    let token = app.api_token("ada").await;
    let t = Some(token.as_str());
    let teapot = app
        .product("Enamel Teapot", "Kettle & Co", "Kitchen", 2490, 5)
        .await;
    let mut order_body = json!({
        "card_name": "Ada Lovelace",
        "card_number": GOOD_CARD,
        "card_expiry": "12/30",
        "card_cvc": "123",
        "expected_total_cents": 0,
    });

    // Empty cart: 409, nothing charged.
    json_error(app.api_place_order(t, order_body.clone()).await, 409).await;
    app.api_cart_add(t, json!({"product_id": teapot, "quantity": 2}))
        .await;
    // The total the customer was shown must come with the order.
    let mut unseen = order_body.clone();
    unseen
        .as_object_mut()
        .unwrap()
        .remove("expected_total_cents");
    let body = json_error(app.api_place_order(t, unseen).await, 400).await;
    assert!(body.to_string().contains("expected_total_cents"), "{body}");
    order_body["expected_total_cents"] = json!(2 * 2490 + 495);

    // Bad card fields: 400 per field; a declined card: 402; a wrong expected total: 409.
    let mut bad = order_body.clone();
    bad["card_number"] = json!("4242 4242 4242 4241");
    bad["card_expiry"] = json!("13/30");
    let body = json_error(app.api_place_order(t, bad).await, 400).await;
    assert!(body["errors"]["card_number"].is_array() && body["errors"]["card_expiry"].is_array());
    let mut declined = order_body.clone();
    declined["card_number"] = json!("4000000000000002");
    json_error(app.api_place_order(t, declined).await, 402).await;
    let mut stale = order_body.clone();
    stale["expected_total_cents"] = json!(100);
    json_error(app.api_place_order(t, stale).await, 409).await;
    assert_eq!(app.order_count().await, 0);
    assert_eq!(app.stock(teapot).await, 5);

    let place = || {
        let client = reqwest::Client::new();
        let body = order_body.clone();
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

    let list: Value = app.api_orders(t).await.json().await.unwrap();
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
    let theirs: Value = app.api_orders(Some(&other)).await.json().await.unwrap();
    assert_eq!(theirs, json!([]));
    json_error(
        app.api(Method::GET, "/api/v1/orders/abc", t, None).await,
        404,
    )
    .await;
    // Confirmation mail as for the page checkout.
    assert!(
        app.mails_to("ada@example.com")
            .await
            .iter()
            .any(|m| m.subject.contains("is confirmed"))
    );
}

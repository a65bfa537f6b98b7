//! The cart through the API: add, change, remove, and the errors of each.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::api::json_error;

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

    json_error(app.api_cart(None).await, 401).await;
    let res = app
        .api_cart_add(t, json!({"product_id": teapot, "quantity": 2}))
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .api_cart_add(t, json!({"product_id": apron, "quantity": 1}))
        .await;
    let cart: Value = res.json().await.unwrap();
    assert_eq!(cart["item_count"], 3);
    assert_eq!(cart["subtotal_cents"], 2 * 2490 + 1500);
    assert_eq!(cart["shipping_cents"], 0);
    assert_eq!(cart["total_cents"], 6480);
    assert_eq!(cart["blocked"], false);

    // Over the stock (counting what is in the cart): 422, cart unchanged.
    let body = json_error(
        app.api_cart_add(t, json!({"product_id": teapot, "quantity": 4}))
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
        json_error(app.api_cart_add(t, body).await, status).await;
    }

    let res = app
        .api_cart_set(t, json!({"product_id": teapot, "quantity": 5}))
        .await;
    assert_eq!(res.status(), 200);
    json_error(
        app.api_cart_set(t, json!({"product_id": teapot, "quantity": 6}))
            .await,
        422,
    )
    .await;
    let stranger = app.product("Oak Spoon", "Loom", "Kitchen", 500, 9).await;
    json_error(
        app.api_cart_set(t, json!({"product_id": stranger, "quantity": 1}))
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
    let cart: Value = app.api_cart_remove(t, "").await.json().await.unwrap();
    assert_eq!(cart["item_count"], 0);
    json_error(
        app.api(Method::DELETE, "/api/v1/cart?product_id=abc", t, None)
            .await,
        400,
    )
    .await;
}

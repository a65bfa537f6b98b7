//! The API's edges: unknown paths and methods, the OpenAPI document and Swagger UI, CORS.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::TestApp;
use crate::helpers::api::json_error;

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
        "/api/v1/product/{id}/reviews",
        "/api/v1/wishlist",
        "/api/v1/recommendations",
        "/api/v1/cart/voucher",
        "/api/v1/addresses",
        "/api/v1/addresses/{id}",
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
    assert_eq!(operations, 27);
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

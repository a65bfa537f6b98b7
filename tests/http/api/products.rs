//! The catalogue through the API: filters, sorts, pages, and strict parameters.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::TestApp;
use crate::helpers::api::json_error;

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

    let res = app.api_products("?q=zephyr+teapot").await;
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
        .api_products("?brand=Zephyrware&sort=price_desc&max_price=50")
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
        .api_products("?page=2&sort=name")
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

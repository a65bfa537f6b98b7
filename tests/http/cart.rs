use crate::helpers::{PASSWORD, TestApp, assert_is_redirect_to};

#[tokio::test]
async fn a_guest_fills_a_cart_and_sees_current_prices_and_totals() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 2000, 10)
        .await;
    let spoon = app
        .product("Oak Spoon", "Oakridge", "Kitchen", 450, 10)
        .await;
    let res = app.post_add_to_cart(&app.browser, kettle, 2).await;
    assert_is_redirect_to(&res, "/cart");
    app.add_to_cart(&app.browser, spoon, 1).await;
    let html = app.get("/cart").await.text().await.unwrap();
    assert!(
        html.contains("Added 1 × Oak Spoon"),
        "the last addition is confirmed"
    );
    assert!(
        html.contains("Cart <span class=\"cart-count\">(3"),
        "header count"
    );
    // 2 × 20.00 + 4.50 = 44.50, below free shipping: + 4.95 = 49.45; VAT 19% inside: 7.90.
    for s in ["€40.00", "€44.50", "€4.95", "€49.45", "€7.90"] {
        assert!(html.contains(s), "missing {s}");
    }
    assert!(
        html.contains(&format!(r#"action="/cart/items/{kettle}""#))
            && html.contains(r#"name="quantity""#)
    );
    // A price change shows at once.
    sqlx::query("UPDATE products SET price_cents = 2500 WHERE id = $1")
        .bind(kettle)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let html = app.get("/cart").await.text().await.unwrap();
    assert!(
        html.contains("€50.00") && html.contains("€54.50") && html.contains("€0.00"),
        "free shipping from 50.00"
    );
}

#[tokio::test]
async fn quantities_are_checked_against_the_stock_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 3)
        .await;
    app.add_to_cart(&app.browser, p, 2).await;
    // Over the stock: the product page again, the reason at its quantity field, as typed.
    let res = app.post_add_to_cart(&app.browser, p, 2).await;
    assert_eq!(res.status(), 422);
    let page = crate::helpers::Html::parse(&res.text().await.unwrap());
    assert_eq!(page.text_of("h1"), "Oak Bowl");
    assert_eq!(
        page.text_of("#quantity-error"),
        "Only 3 of Oak Bowl in stock, and 2 are already in your cart."
    );
    assert_eq!(page.input_value("quantity").as_deref(), Some("2"));
    let res = app
        .post_form(
            "/cart/items",
            &[("product_id", &p.to_string()), ("quantity", "abc")],
        )
        .await;
    let page = crate::helpers::Html::parse(&res.text().await.unwrap());
    assert!(!page.select("#quantity-error").is_empty());
    assert_eq!(page.input_value("quantity").as_deref(), Some("abc"));
    for bad in ["0", "-1", "1.5", "abc", "", "99999999999999999999"] {
        let res = app
            .post_form(
                "/cart/items",
                &[("product_id", &p.to_string()), ("quantity", bad)],
            )
            .await;
        assert_eq!(res.status(), 422, "quantity {bad:?}");
    }
    for bad in ["x", "999999", ""] {
        let res = app
            .post_form("/cart/items", &[("product_id", bad), ("quantity", "1")])
            .await;
        assert_eq!(res.status(), 422, "product {bad:?}");
    }
    let res = app
        .post_form(&format!("/cart/items/{p}"), &[("quantity", "4")])
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form(&format!("/cart/items/{p}"), &[("quantity", "3")])
        .await;
    assert_eq!(res.status(), 303);
    let qty: i64 = sqlx::query_scalar("SELECT quantity FROM cart_items")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(qty, 3);
    assert_eq!(
        app.post_form(&format!("/cart/items/{p}"), &[("quantity", "0")])
            .await
            .status(),
        303
    );
    assert!(
        app.get("/cart")
            .await
            .text()
            .await
            .unwrap()
            .contains("Your cart is empty")
    );
}

#[tokio::test]
async fn an_unavailable_product_is_flagged_and_blocks_checkout() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 3)
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, p, 2).await;
    sqlx::query("UPDATE products SET stock = 1 WHERE id = $1")
        .bind(p)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let html = app.get_as(&b, "/cart").await.text().await.unwrap();
    assert!(
        html.contains("Only 1 left. Please lower the quantity.")
            && !html.contains(r#"href="/checkout""#)
    );
    let res = app.get_as(&b, "/checkout").await;
    assert_is_redirect_to(&res, "/cart");
    sqlx::query("UPDATE products SET active = 0 WHERE id = $1")
        .bind(p)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert!(
        app.get_as(&b, "/cart")
            .await
            .text()
            .await
            .unwrap()
            .contains("No longer available")
    );
}

#[tokio::test]
async fn the_guest_cart_merges_into_the_customer_cart_capped_at_the_stock() {
    let app = TestApp::spawn().await;
    let bowl = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 3)
        .await;
    let cup = app.product("Tea Cup", "Oakridge", "Kitchen", 800, 9).await;
    let user = app.verified_user("ada").await;
    // Earlier, on another device, the customer put 2 bowls in the cart.
    let phone = app.new_browser();
    app.login_as(&phone, &user.email, PASSWORD).await;
    app.add_to_cart(&phone, bowl, 2).await;
    // Now, as a guest on this browser: 2 more bowls and a cup.
    let laptop = app.new_browser();
    app.add_to_cart(&laptop, bowl, 2).await;
    app.add_to_cart(&laptop, cup, 1).await;
    let res = app.login_as(&laptop, &user.email, PASSWORD).await;
    assert_eq!(res.status(), 303);

    let html = app.get_as(&laptop, "/cart").await.text().await.unwrap();
    assert!(
        html.contains("Oak Bowl: only 3 in stock, so your cart has 3."),
        "the customer is told"
    );
    assert!(html.contains("Tea Cup"));
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT product_id, quantity FROM cart_items ORDER BY product_id")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(rows, vec![(bowl, 3), (cup, 1)], "one cart, merged");
    // The same cart on the other device.
    assert!(
        app.get_as(&phone, "/cart")
            .await
            .text()
            .await
            .unwrap()
            .contains("Tea Cup")
    );
}

//! Product variants: staff give a product options and a variant per combination (own SKU,
//! price, stock); shoppers choose with plain form fields; carts, orders and stock work per
//! variant, and the last unit of a variant is sold once.

use serde_json::{Value, json};

use crate::helpers::html::Html;
use crate::helpers::{Browser, GOOD_CARD, TestApp, location};

impl TestApp {
    /// A T-shirt with Size × Colour variants made through the staff forms; returns the product
    /// and the variant ids by SKU order.
    async fn tshirt(&self, admin: &Browser, variants: &[(&str, &str, &str, &str, &str)]) -> i64 {
        let id = self
            .product("Cotton Tee", "Fieldhouse", "Clothing", 1900, 0)
            .await;
        let res = self
            .post_form_as(
                admin,
                &format!("/admin/products/{id}/options"),
                &[("options", "Size, Colour")],
            )
            .await;
        assert_eq!(res.status(), 303);
        for (size, colour, sku, price, stock) in variants {
            let fields = [
                ("option1", *size),
                ("option2", *colour),
                ("sku", *sku),
                ("price", *price),
                ("stock", *stock),
            ];
            let res = self.add_variant(admin, id, &fields, None).await;
            assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        }
        id
    }

    /// Posts the add-variant form (multipart: it may carry a picture).
    async fn add_variant(
        &self,
        admin: &Browser,
        product: i64,
        fields: &[(&'static str, &str)],
        image: Option<Vec<u8>>,
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(*k, v.to_string());
        }
        if let Some(bytes) = image {
            form = form.part(
                "image",
                reqwest::multipart::Part::bytes(bytes).file_name("shirt.png"),
            );
        }
        self.post_multipart(admin, &format!("/admin/products/{product}/variants"), form)
            .await
    }

    async fn variant_stock(&self, sku: &str) -> i64 {
        sqlx::query_scalar("SELECT stock FROM product_variants WHERE sku = $1")
            .bind(sku)
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }

    async fn add_variant_to_cart(
        &self,
        b: &Browser,
        product: i64,
        size: &str,
        colour: &str,
        qty: &str,
    ) -> reqwest::Response {
        self.post_form_as(
            b,
            "/cart/items",
            &[
                ("product_id", &product.to_string()),
                ("option1", size),
                ("option2", colour),
                ("quantity", qty),
            ],
        )
        .await
    }
}

const SHIRTS: &[(&str, &str, &str, &str, &str)] = &[
    ("M", "Blue", "TEE-M-B", "", "2"),
    ("M", "Red", "TEE-M-R", "25.00", "3"),
    ("L", "Blue", "TEE-L-B", "", "0"),
];

#[tokio::test]
async fn staff_give_a_product_variants_and_its_stock_is_their_sum() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = app.tshirt(&admin, SHIRTS).await;
    assert_eq!(app.stock(id).await, 5);
    // Refused: a missing option, a bad SKU, an existing combination; nothing changes.
    for (fields, reason) in [
        (
            vec![
                ("option1", "S"),
                ("option2", ""),
                ("sku", "TEE-S"),
                ("stock", "1"),
            ],
            "Enter the colour",
        ),
        (
            vec![
                ("option1", "S"),
                ("option2", "Blue"),
                ("sku", "bad sku!"),
                ("stock", "1"),
            ],
            "SKU",
        ),
        (
            vec![
                ("option1", "M"),
                ("option2", "Blue"),
                ("sku", "TEE-OTHER"),
                ("stock", "1"),
            ],
            "exists already",
        ),
        (
            vec![
                ("option1", "S"),
                ("option2", "Blue"),
                ("sku", "TEE-S-B"),
                ("stock", "-4"),
            ],
            "stock",
        ),
    ] {
        let res = app.add_variant(&admin, id, &fields, None).await;
        assert_eq!(res.status(), 422, "{reason}");
        let page = Html::parse(&res.text().await.unwrap());
        assert!(
            page.text_of("#variants .error-summary")
                .to_lowercase()
                .contains(&reason.to_lowercase()),
            "{reason}: {}",
            page.text_of("#variants .error-summary")
        );
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM product_variants")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 3);
    // A variant with its own picture: shown beside it on the product page and in the cart.
    let fields = [
        ("option1", "S"),
        ("option2", "Blue"),
        ("sku", "TEE-S-B"),
        ("stock", "2"),
    ];
    let res = app
        .add_variant(
            &admin,
            id,
            &fields,
            Some(crate::helpers::catalog::png(600, 600)),
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = app.get_html(&app.browser, &format!("/products/{id}")).await;
    assert_eq!(page.select("table.variants img").len(), 1);
    let res = app
        .add_variant(
            &admin,
            id,
            &[
                ("option1", "S"),
                ("option2", "Red"),
                ("sku", "TEE-S-R"),
                ("stock", "2"),
            ],
            Some(b"not a picture".to_vec()),
        )
        .await;
    assert_eq!(res.status(), 422, "a file that is no picture is refused");
    app.exec("DELETE FROM product_variants WHERE sku = 'TEE-S-B'")
        .await;
    app.exec("UPDATE products SET stock = 5").await;
    // A variant's stock changed by staff moves the product's sum; the product form's own stock
    // field cannot set it.
    let variant: i64 = sqlx::query_scalar("SELECT id FROM product_variants WHERE sku = 'TEE-L-B'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/products/{id}/variants/{variant}"),
            &[("price", "21.00"), ("stock", "4"), ("active", "on")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.stock(id).await, 9);
    let edit = app
        .get_html(&admin, &format!("/admin/products/{id}/edit"))
        .await;
    assert_eq!(
        edit.texts("#variants tbody td:first-child"),
        ["M / Blue", "M / Red", "L / Blue"]
    );
    let support = app
        .staff("sam", &[emporium::domain::StaffRole::Support])
        .await;
    let res = app
        .post_form_as(
            &support,
            &format!("/admin/products/{id}/options"),
            &[("options", "Size")],
        )
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn shoppers_choose_a_variant_with_plain_fields_and_carts_orders_and_stock_follow_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = app.tshirt(&admin, SHIRTS).await;
    // Search finds the product by a variant's SKU and by an option's value.
    for q in ["TEE-M-R", "red"] {
        let found = app
            .get(&format!("/products?q={q}"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(crate::helpers::html::product_ids(&found), [id], "{q}");
    }
    let page = app.get_html(&app.browser, &format!("/products/{id}")).await;
    assert_eq!(page.texts("#option1 option"), ["Choose…", "M", "L"]);
    assert_eq!(page.texts("#option2 option"), ["Choose…", "Blue", "Red"]);
    assert_eq!(
        page.texts("table.variants td:nth-child(3)"),
        ["€19.00", "€25.00", "€19.00"]
    );
    let (_, b) = app.signed_in("ada").await;
    for (size, colour, reason) in [
        ("", "", "Please choose the size and colour."),
        (
            "M",
            "Green",
            "Size M, Colour Green is not available; please choose another combination.",
        ),
        (
            "L",
            "Blue",
            "Size L, Colour Blue is sold out; please choose another.",
        ),
    ] {
        let res = app.add_variant_to_cart(&b, id, size, colour, "1").await;
        assert_eq!(res.status(), 422, "{size} {colour}");
        let page = Html::parse(&res.text().await.unwrap());
        assert_eq!(page.text_of("#quantity-error"), reason);
    }
    // Without choosing, the API and the cart refuse too.
    assert_eq!(app.post_add_to_cart(&b, id, 1).await.status(), 422);
    let res = app.add_variant_to_cart(&b, id, "M", "Blue", "3").await;
    assert_eq!(res.status(), 422, "only 2 of M / Blue");
    assert_eq!(
        app.add_variant_to_cart(&b, id, "m", "blue", "1")
            .await
            .status(),
        303
    );
    assert_eq!(
        app.add_variant_to_cart(&b, id, "M", "Red", "2")
            .await
            .status(),
        303
    );
    let cart = app.get_html(&b, "/cart").await;
    assert_eq!(
        cart.texts(".cart-table .variant"),
        ["(M / Blue)", "(M / Red)"]
    );
    assert!(cart.text_of(".cart-table").contains("TEE-M-R"));
    // One line's quantity changes, not the other's.
    let red: i64 = sqlx::query_scalar("SELECT id FROM product_variants WHERE sku = 'TEE-M-R'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let res = app
        .post_form_as(
            &b,
            &format!("/cart/items/{id}"),
            &[("quantity", "1"), ("variant_id", &red.to_string())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let cart = app.get_html(&b, "/cart").await;
    assert_eq!(cart.texts(".totals dd")[0], "€44.00");
    let res = app.pay(&b, GOOD_CARD).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let order = location(&res).trim_start_matches("/orders/").to_string();
    let lines: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT sku, name, unit_price_cents FROM order_lines ORDER BY id")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(
        lines,
        [
            (
                "TEE-M-B".to_string(),
                "Cotton Tee (M / Blue)".to_string(),
                1900
            ),
            (
                "TEE-M-R".to_string(),
                "Cotton Tee (M / Red)".to_string(),
                2500
            )
        ]
    );
    assert_eq!(app.variant_stock("TEE-M-B").await, 1);
    assert_eq!(app.variant_stock("TEE-M-R").await, 2);
    assert_eq!(app.stock(id).await, 3);
    let invoice = app.get_html(&b, &format!("/orders/{order}/invoice")).await;
    assert!(invoice.text_of("tbody").contains("Cotton Tee (M / Red)"));
    // Cancelling puts the units back on the variants and the product.
    let res = app
        .post_form_as(&b, &format!("/orders/{order}/cancel"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.variant_stock("TEE-M-B").await, 2);
    assert_eq!(app.variant_stock("TEE-M-R").await, 3);
    assert_eq!(app.stock(id).await, 5);
}

#[tokio::test]
async fn customers_racing_for_the_last_unit_of_a_variant_never_oversell() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = app
        .tshirt(
            &admin,
            &[
                ("M", "Blue", "TEE-M-B", "", "1"),
                ("M", "Red", "TEE-M-R", "", "5"),
            ],
        )
        .await;
    let mut buyers = Vec::new();
    for i in 0..6 {
        let (_, b) = app.signed_in(&format!("buyer{i}")).await;
        assert_eq!(
            app.add_variant_to_cart(&b, id, "M", "Blue", "1")
                .await
                .status(),
            303
        );
        let form = app.checkout_form(&b).await.fields(GOOD_CARD);
        buyers.push((b, form));
    }
    let mut tasks = Vec::new();
    for (b, form) in buyers {
        let url = app.url("/checkout");
        tasks.push(tokio::spawn(async move {
            let res = b.client.post(url).form(&form).send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            303 => ok += 1,
            409 => assert!(
                body.contains("Cotton Tee"),
                "the short line is named: {body}"
            ),
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(app.variant_stock("TEE-M-B").await, 0);
    assert_eq!(app.variant_stock("TEE-M-R").await, 5);
    assert_eq!(app.stock(id).await, 5);
    assert_eq!(app.order_count().await, 1);
}

#[tokio::test]
async fn the_api_lists_variants_and_puts_one_in_the_cart() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = app.tshirt(&admin, SHIRTS).await;
    let product: Value = app
        .get(&format!("/api/v1/product/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(product["options"], json!(["Size", "Colour"]));
    assert_eq!(product["variants"][1]["sku"], "TEE-M-R");
    assert_eq!(product["variants"][1]["options"], json!(["M", "Red"]));
    assert_eq!(product["variants"][1]["price_cents"], 2500);
    let variant = product["variants"][1]["id"].as_i64().unwrap();
    let token = app.api_token("ada").await;
    let res = app
        .api_cart_add(Some(&token), json!({"product_id": id, "quantity": 1}))
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .api_cart_add(
            Some(&token),
            json!({"product_id": id, "variant_id": variant, "quantity": 2}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let cart: Value = res.json().await.unwrap();
    assert_eq!(cart["items"][0]["variant"], "M / Red");
    assert_eq!(cart["items"][0]["sku"], "TEE-M-R");
    assert_eq!(cart["subtotal_cents"], 5000);
}

#[tokio::test]
async fn variants_go_out_and_come_back_in_the_csv_files() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = app.tshirt(&admin, SHIRTS).await;
    let csv = app
        .get_as(&admin, "/admin/products/export.csv")
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[1].ends_with(",Size|Colour,,,,"), "{}", lines[1]);
    assert_eq!(lines[3], "TEE-M-R,,,,,25.00,3,true,,,P-000001,M,Red,");
    // A new product with its options and two variants, one changed variant, and a bad row.
    let file = [
        "sku,name,description,brand,category,price,stock,active,options,variant_of,option1,option2",
        "HOODIE,Warm Hoodie,Soft,Fieldhouse,Clothing,45.00,0,true,Size|Colour,,,",
        "HOODIE-S-G,,,,,,4,true,,HOODIE,S,Grey",
        "HOODIE-M-G,,,,,49.00,2,true,,HOODIE,M,Grey",
        "TEE-M-B,,,,,,7,true,,P-000001,M,Blue",
        "ORPHAN-1,,,,,,1,true,,NOPE,S,Red",
    ]
    .join("\n")
        + "\n";
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(file.into_bytes()).file_name("v.csv"),
    );
    let res = app
        .post_multipart(&admin, "/admin/products/import", form)
        .await;
    // The good rows are saved; the bad one is named (422, as for any refused row).
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("no product has the SKU NOPE"), "{html}");
    let hoodie: i64 = sqlx::query_scalar("SELECT id FROM products WHERE sku = 'HOODIE'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(app.stock(hoodie).await, 6);
    assert_eq!(app.variant_stock("HOODIE-M-G").await, 2);
    assert_eq!(app.variant_stock("TEE-M-B").await, 7);
    assert_eq!(app.stock(id).await, 10);
    let page = app
        .get_html(&app.browser, &format!("/products/{hoodie}"))
        .await;
    assert_eq!(page.texts("#option2 option"), ["Choose…", "Grey"]);
}

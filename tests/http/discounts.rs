//! Vouchers and promotions: staff create them through their forms; shoppers see the discount
//! lines and why a code does not apply; checkout counts a code's use in the order's
//! transaction; VAT is computed on what discounted lines cost.

use serde_json::{Value, json};

use crate::helpers::html::Html;
use crate::helpers::{Browser, GOOD_CARD, TestApp, location};

impl TestApp {
    /// The shop's date `days` from now, as the forms take it.
    fn day(&self, days: i64) -> String {
        emporium::discounts::terms::day_of(
            self.state.clock.unix() + days * 24 * 3600,
            &self.state.settings.store.time_zone,
        )
    }

    /// Creates a voucher through the staff form; `extra` overrides the defaults.
    async fn voucher(&self, admin: &Browser, code: &str, extra: &[(&str, &str)]) -> i64 {
        let mut fields: Vec<(&str, &str)> = vec![
            ("name", "Test voucher"),
            ("kind", "percent"),
            ("amount", "10"),
            ("code", code),
        ];
        for (k, v) in extra {
            fields.retain(|(f, _)| f != k);
            fields.push((k, v));
        }
        let res = self.post_form_as(admin, "/admin/vouchers", &fields).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        location(&res)
            .trim_start_matches("/admin/vouchers/")
            .parse()
            .unwrap()
    }

    async fn apply_code(&self, b: &Browser, code: &str) -> reqwest::Response {
        self.post_form_as(b, "/cart/voucher", &[("code", code)])
            .await
    }

    async fn sku_of(&self, product: i64) -> String {
        sqlx::query_scalar("SELECT sku FROM products WHERE id = $1")
            .bind(product)
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }

    async fn count_of(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }
}

fn order_id(res: &reqwest::Response) -> i64 {
    location(res)
        .trim_start_matches("/orders/")
        .parse()
        .unwrap()
}

#[tokio::test]
async fn staff_create_vouchers_through_the_form_and_bad_input_is_refused_with_reasons() {
    let app = TestApp::spawn().await;
    app.product("Copper Kettle", "Hearth", "Kitchen", 4900, 5)
        .await;
    let admin = app.admin().await;
    let before = app.count_of("SELECT COUNT(*) FROM vouchers").await;
    let res = app
        .post_form_as(
            &admin,
            "/admin/vouchers",
            &[
                ("name", "Autumn"),
                ("kind", "percent"),
                ("amount", "150"),
                ("code", "x"),
                ("min_basket", "ten"),
                ("ends_on", "2020-01-01"),
                ("categories", "garden"),
                ("products", "NOPE-1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = Html::parse(&res.text().await.unwrap());
    let errors = page.texts(".field-errors li");
    for expected in [
        "Enter a whole number from 1 to 100.",
        "A code has 3 to 32 letters, digits, “-” or “_”.",
        "Enter an amount like 12.50 (at most two decimals).",
        "The last day must be after the first day and not in the past.",
        "No category is called garden.",
        "No product has the SKU NOPE-1.",
    ] {
        assert!(
            errors.iter().any(|e| e == expected),
            "{expected}: {errors:?}"
        );
    }
    assert_eq!(page.input_value("name").as_deref(), Some("Autumn"));
    assert_eq!(app.count_of("SELECT COUNT(*) FROM vouchers").await, before);

    let id = app
        .voucher(&admin, "autumn-10", &[("categories", "kitchen")])
        .await;
    let shown = app.get_html(&admin, &format!("/admin/vouchers/{id}")).await;
    assert!(shown.text_of("main").contains("AUTUMN-10"));
    assert!(shown.text_of("main").contains("Kitchen (category)"));
    assert!(shown.text_of("main").contains("best automatic promotion"));
    // The same code again is a form error, not a 500.
    let res = app
        .post_form_as(
            &admin,
            "/admin/vouchers",
            &[
                ("name", "Again"),
                ("kind", "fixed"),
                ("amount", "5"),
                ("code", "Autumn-10"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("The code AUTUMN-10 exists already.")
    );
    // Support staff do not manage prices.
    let support = app
        .staff("sam", &[emporium::domain::StaffRole::Support])
        .await;
    assert_eq!(app.get_as(&support, "/admin/vouchers").await.status(), 403);
    let res = app
        .post_form_as(&support, "/admin/vouchers/1/active", &[("active", "0")])
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_voucher_discounts_the_lines_and_vat_is_computed_on_what_they_cost_to_the_cent() {
    let app = TestApp::spawn().await;
    let lamp = app
        .product("Brass Lamp", "Oakridge", "Lighting", 10_000, 5)
        .await;
    let book = app
        .product("Field Guide to Mosses", "Northwind", "Books", 1070, 5)
        .await;
    sqlx::query("UPDATE products SET tax_class = 'reduced' WHERE id = $1")
        .bind(book)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let admin = app.admin().await;
    app.voucher(&admin, "SAVE10", &[]).await;
    let (user, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, lamp, 1).await;
    app.add_to_cart(&b, book, 1).await;
    // Typed in lower case with a space: still the code.
    let res = app.apply_code(&b, " save 10").await;
    assert_eq!(res.status(), 303);
    let cart = app.get_html(&b, "/cart").await;
    let totals = cart.texts(".totals dt, .totals dd");
    assert_eq!(
        totals,
        [
            "Subtotal",
            "€110.70",
            "Voucher SAVE10",
            "−€11.07",
            "Shipping",
            "€0.00",
            "Total",
            "€99.63",
            "Included VAT (19%)",
            "€14.37",
            "Included VAT (7%)",
            "€0.63"
        ]
    );
    let res = app.pay(&b, GOOD_CARD).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let id = order_id(&res);
    // The lamp costs 90.00 (net 75.63 + VAT 14.37), the book 9.63 (net 9.00 + VAT 0.63).
    let lines: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT unit_price_cents, discount_cents, line_total_cents FROM order_lines WHERE order_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(lines, [(10_000, 1_000, 9_000), (1_070, 107, 963)]);
    let (subtotal, discount, total, net, vat): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT subtotal_cents, discount_cents, total_cents, net_cents, vat_cents FROM orders WHERE id = $1",
    )
    .bind(id)
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(
        (subtotal, discount, total, net, vat),
        (11_070, 1_107, 9_963, 8_463, 1_500)
    );
    let order = app.get_html(&b, &format!("/orders/{id}")).await;
    let invoice = app.get_html(&b, &format!("/orders/{id}/invoice")).await;
    for page in [&order, &invoice] {
        assert_eq!(
            page.texts(".totals dt, .totals dd")[..4],
            ["Subtotal", "€110.70", "Voucher SAVE10", "−€11.07"]
        );
        assert_eq!(
            page.texts(".totals dt.minor, .totals dd.minor"),
            [
                "Net at 19%",
                "€75.63",
                "VAT 19%",
                "€14.37",
                "Net at 7%",
                "€9.00",
                "VAT 7%",
                "€0.63"
            ]
        );
    }
    assert!(
        invoice
            .text_of("tbody")
            .contains("Discount included: −€10.00")
    );
    let pdf = app
        .get_as(&b, &format!("/orders/{id}/invoice.pdf"))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // The e-invoice's nets add up to the discounted amounts.
    let xml = app
        .get_as(&b, &format!("/orders/{id}/invoice.xml"))
        .await
        .text()
        .await
        .unwrap();
    assert!(xml.contains("<ram:TaxBasisTotalAmount>84.63</ram:TaxBasisTotalAmount>"));
    // A credit note for the lamp gives back what it cost after its discount.
    let line_id: i64 =
        sqlx::query_scalar("SELECT id FROM order_lines WHERE order_id = $1 AND product_id = $2")
            .bind(id)
            .bind(lamp)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/orders/{id}/refunds"),
            &[
                (format!("qty_{line_id}").as_str(), "1"),
                ("reason", "broken"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let credited: i64 =
        sqlx::query_scalar("SELECT total_cents FROM credit_notes WHERE order_id = $1")
            .bind(id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(credited, 9_000);
    // The API shows the same order.
    let token = app.api_login(&user.email).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let body: Value = app
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/orders/{id}"),
            Some(&token),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["discount_cents"], 1_107);
    assert_eq!(body["discounts"][0]["code"], "SAVE10");
    assert_eq!(body["lines"][0]["discount_cents"], 1_000);
}

#[tokio::test]
async fn a_code_that_does_not_apply_is_refused_with_the_reason_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 2000, 5)
        .await;
    app.product("Garden Spade", "Terra", "Garden", 1500, 5)
        .await;
    let admin = app.admin().await;
    let tomorrow = app.day(1);
    let today = app.day(0);
    app.voucher(&admin, "LATER", &[("starts_on", &tomorrow)])
        .await;
    app.voucher(&admin, "SHORT", &[("ends_on", &today)]).await;
    app.voucher(&admin, "BIGBASKET", &[("min_basket", "50.00")])
        .await;
    app.voucher(&admin, "GARDEN", &[("categories", "garden")])
        .await;
    let off = app.voucher(&admin, "OFF", &[]).await;
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/vouchers/{off}/active"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, kettle, 1).await;
    for (code, reason) in [
        ("NOPE", "There is no voucher with the code NOPE."),
        ("later", "The code LATER is valid from"),
        (
            "BIGBASKET",
            "The code BIGBASKET needs a basket of at least €50.00; yours comes to €20.00.",
        ),
        (
            "GARDEN",
            "The code GARDEN does not apply to anything in your cart.",
        ),
        ("OFF", "The code OFF is no longer valid."),
        ("", "Enter a voucher code."),
    ] {
        let res = app.apply_code(&b, code).await;
        assert_eq!(res.status(), 422, "{code}");
        let page = Html::parse(&res.text().await.unwrap());
        let shown = page.text_of("#voucher-error");
        assert!(shown.starts_with(reason), "{code}: {shown}");
        assert_eq!(page.input_value("code").unwrap_or_default(), code, "kept");
    }
    assert_eq!(
        app.count_of("SELECT COUNT(*) FROM carts WHERE voucher_code IS NOT NULL")
            .await,
        0
    );
    // SHORT works today; once its last day is over the cart says so and charges full price.
    assert_eq!(app.apply_code(&b, "SHORT").await.status(), 303);
    let cart = app.get_html(&b, "/cart").await;
    assert!(
        cart.texts(".totals dt")
            .contains(&"Voucher SHORT".to_string())
    );
    // (Its last day ends now: moving the clock a day on would also end the session.)
    sqlx::query("UPDATE vouchers SET ends_at = $1 WHERE id = (SELECT voucher_id FROM voucher_codes WHERE code = 'SHORT')")
        .bind(app.state.clock.unix())
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let cart = app.get_html(&b, "/cart").await;
    assert!(
        !cart
            .texts(".totals dt")
            .contains(&"Voucher SHORT".to_string())
    );
    assert!(
        cart.text_of(".voucher")
            .contains("The code SHORT expired on")
    );
    let res = app.pay(&b, GOOD_CARD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.count_of("SELECT total_cents FROM orders").await,
        2000 + 495
    );
    assert_eq!(
        app.count_of("SELECT COUNT(*) FROM voucher_redemptions")
            .await,
        0
    );
}

#[tokio::test]
async fn a_voucher_worth_more_than_the_basket_leaves_the_shipping_to_pay() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 2000, 5)
        .await;
    let admin = app.admin().await;
    app.voucher(&admin, "BIG50", &[("kind", "fixed"), ("amount", "50.00")])
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, kettle, 1).await;
    assert_eq!(app.apply_code(&b, "BIG50").await.status(), 303);
    // The voucher takes the goods to nothing; the shipping is still charged (and never
    // discounted), so there is an amount to pay.
    assert_eq!(app.checkout_form(&b).await.expected, "495");
    assert_eq!(app.pay(&b, GOOD_CARD).await.status(), 303);
    assert_eq!(app.count_of("SELECT total_cents FROM orders").await, 495);
    assert_eq!(
        app.count_of("SELECT discount_cents FROM orders").await,
        2000
    );
}

#[tokio::test]
async fn customers_racing_for_the_last_use_of_a_code_get_one_discount() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 6000, 50)
        .await;
    let admin = app.admin().await;
    app.voucher(&admin, "LASTONE", &[("usage_limit", "1")])
        .await;
    let mut buyers = Vec::new();
    for i in 0..6 {
        let (_, b) = app.signed_in(&format!("buyer{i}")).await;
        app.add_to_cart(&b, kettle, 1).await;
        assert_eq!(app.apply_code(&b, "LASTONE").await.status(), 303);
        let form = app.checkout_form(&b).await;
        assert_eq!(form.expected, "5400", "each form shows the discount");
        buyers.push((b, form.fields(GOOD_CARD)));
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
            // Used up while this buyer's transaction waited, or before it began.
            409 => assert!(
                body.contains("The code LASTONE has just been used up")
                    || body.contains("The code LASTONE has been used up"),
                "{body}"
            ),
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(app.count_of("SELECT used FROM vouchers").await, 1);
    assert_eq!(
        app.count_of("SELECT COUNT(*) FROM voucher_redemptions")
            .await,
        1
    );
    assert_eq!(app.order_count().await, 1);
    assert_eq!(
        app.count_of("SELECT CAST(SUM(discount_cents) AS BIGINT) FROM orders")
            .await,
        600
    );
    assert_eq!(app.stock(kettle).await, 49);
    // The others' authorisations were released: nothing stays reserved on their cards.
    assert_eq!(
        app.count_of("SELECT COUNT(*) FROM mock_gateway_authorisations WHERE state = 'authorised'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_customer_limit_holds_and_single_use_batch_codes_work_once_until_the_order_is_cancelled()
{
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 3000, 50)
        .await;
    let admin = app.admin().await;
    app.voucher(&admin, "ONCEEACH", &[("per_customer_limit", "1")])
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, kettle, 1).await;
    assert_eq!(app.apply_code(&b, "ONCEEACH").await.status(), 303);
    assert_eq!(app.pay(&b, GOOD_CARD).await.status(), 303);
    app.add_to_cart(&b, kettle, 1).await;
    let res = app.apply_code(&b, "onceeach").await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("You have already used the code ONCEEACH.")
    );

    // A batch of three single-use codes, exported as CSV.
    let batch = app
        .voucher(
            &admin,
            "XMAS",
            &[("batch_size", "3"), ("kind", "fixed"), ("amount", "5")],
        )
        .await;
    let csv = app
        .get_as(&admin, &format!("/admin/vouchers/{batch}/codes.csv"))
        .await
        .text()
        .await
        .unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 4, "{csv}");
    assert_eq!(rows[0], "code,max_uses,used");
    let code = rows[1].split(',').next().unwrap().to_string();
    assert!(code.starts_with("XMAS-") && code.len() == 15, "{code}");
    let (_, c) = app.signed_in("cyd").await;
    app.add_to_cart(&c, kettle, 1).await;
    assert_eq!(app.apply_code(&c, &code).await.status(), 303);
    let res = app.pay(&c, GOOD_CARD).await;
    assert_eq!(res.status(), 303);
    let order = order_id(&res);
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT total_cents FROM orders WHERE id = $1")
            .bind(order)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap(),
        2500 + 495
    );
    let (_, d) = app.signed_in("dee").await;
    app.add_to_cart(&d, kettle, 1).await;
    let res = app.apply_code(&d, &code).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("has been used up"));
    // Cancelling the order gives the code back.
    let res = app
        .post_form_as(&c, &format!("/orders/{order}/cancel"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.apply_code(&d, &code).await.status(), 303);
}

#[tokio::test]
async fn promotions_show_struck_prices_combine_by_the_rule_and_end_on_time() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 4000, 50)
        .await;
    let mug = app
        .product("Stone Mug", "Hearth", "Kitchen", 1000, 50)
        .await;
    let spade = app
        .product("Garden Spade", "Terra", "Garden", 2000, 50)
        .await;
    let admin = app.admin().await;
    let today = app.day(0);
    // Refused first: a "buy N pay M" that pays for as many as it buys.
    let res = app
        .post_form_as(
            &admin,
            "/admin/promotions",
            &[
                ("name", "Odd"),
                ("kind", "buy_pay"),
                ("buy", "2"),
                ("pay", "2"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Pay for fewer than are bought.")
    );
    let res = app
        .post_form_as(
            &admin,
            "/admin/promotions",
            &[
                ("name", "10 % off Kitchen today"),
                ("kind", "percent"),
                ("percent", "10"),
                ("starts_on", &today),
                ("ends_on", &today),
                ("categories", "kitchen"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let page = app.get_html(&admin, &location(&res)).await;
    assert!(page.text_of("main").contains("running"));
    let mug_sku = app.sku_of(mug).await;
    let res = app
        .post_form_as(
            &admin,
            "/admin/promotions",
            &[
                ("name", "Mugs: buy 3, pay 2"),
                ("kind", "buy_pay"),
                ("buy", "3"),
                ("pay", "2"),
                ("products", &mug_sku),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    // Listings and the product page show the offer.
    let listing = app.get_html(&app.browser, "/products?sort=name").await;
    assert_eq!(listing.texts(".was-price"), ["was €40.00"]);
    assert!(
        listing
            .texts(".offer-badge")
            .contains(&"Buy 3, pay 2".to_string())
    );
    let page = app
        .get_html(&app.browser, &format!("/products/{kettle}"))
        .await;
    assert_eq!(page.text_of(".product-price"), "was €40.00 now €36.00");

    // Each line its best single offer; the voucher then on what is left.
    app.voucher(&admin, "TENOFF", &[]).await;
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, kettle, 1).await;
    app.add_to_cart(&b, mug, 3).await;
    app.add_to_cart(&b, spade, 1).await;
    assert_eq!(app.apply_code(&b, "TENOFF").await.status(), 303);
    let cart = app.get_html(&b, "/cart").await;
    // Kettle 40 − 4 (10 %); mugs 30 − 10 (3 for 2 beats 10 %); spade 20. Left 76 → voucher 7.60.
    assert_eq!(
        cart.texts(".totals dt, .totals dd")[..8],
        [
            "Subtotal",
            "€90.00",
            "10 % off Kitchen today",
            "−€4.00",
            "Mugs: buy 3, pay 2",
            "−€10.00",
            "Voucher TENOFF",
            "−€7.60"
        ]
    );
    assert_eq!(app.checkout_form(&b).await.expected, "6840");

    // The offer ends in ten minutes (set in the database as if created so; staff changes drop
    // the caches as the form's did). The listing is cached while it runs…
    sqlx::query("UPDATE promotions SET ends_at = $1 WHERE name = '10 % off Kitchen today'")
        .bind(app.state.clock.unix() + 600)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    emporium::catalog::changed(&app.state, false).await;
    let listing = app.get_html(&app.browser, "/products?sort=name").await;
    assert_eq!(listing.texts(".was-price"), ["was €40.00"]);
    // …and once it has ended the listing, the page and the cart show the list price, with no
    // change to the catalogue in between.
    app.state.clock.advance(std::time::Duration::from_secs(601));
    let listing = app.get_html(&app.browser, "/products?sort=name").await;
    assert!(listing.texts(".was-price").is_empty());
    let page = app
        .get_html(&app.browser, &format!("/products/{kettle}"))
        .await;
    assert_eq!(page.text_of(".product-price"), "€40.00");
    assert_eq!(app.checkout_form(&b).await.expected, "7200");
}

#[tokio::test]
async fn the_api_applies_a_voucher_and_says_why_one_does_not_apply() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 3000, 5)
        .await;
    let admin = app.admin().await;
    app.voucher(&admin, "API10", &[("min_basket", "40")]).await;
    let token = app.api_token("ada").await;
    app.api_cart_add(Some(&token), json!({"product_id": kettle, "quantity": 1}))
        .await;
    let res = app
        .api(
            reqwest::Method::POST,
            "/api/v1/cart/voucher",
            Some(&token),
            Some(json!({"code": "api10"})),
        )
        .await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["errors"]["code"][0],
        "The code API10 needs a basket of at least €40.00; yours comes to €30.00."
    );
    app.api_cart_set(Some(&token), json!({"product_id": kettle, "quantity": 2}))
        .await;
    let res = app
        .api(
            reqwest::Method::POST,
            "/api/v1/cart/voucher",
            Some(&token),
            Some(json!({"code": "api10"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let cart: Value = res.json().await.unwrap();
    assert_eq!(cart["voucher"], "API10");
    assert_eq!(cart["discount_cents"], 600);
    assert_eq!(cart["total_cents"], 5400);
    assert_eq!(cart["discounts"][0]["label"], "Voucher API10");
    let res = app
        .api(
            reqwest::Method::DELETE,
            "/api/v1/cart/voucher",
            Some(&token),
            None,
        )
        .await;
    let cart: Value = res.json().await.unwrap();
    assert_eq!(cart["discount_cents"], 0);
    assert_eq!(cart["voucher"], Value::Null);
}

//! VAT by rate: a product's tax class sets the rate its price includes; carts, orders, invoices
//! and the API show net and VAT per rate, and shipping goes at the standard rate.

use reqwest::multipart::Form;
use serde_json::Value;

use crate::helpers::{GOOD_CARD, TestApp, location};

impl TestApp {
    async fn set_tax_class(&self, product: i64, class: &str) {
        sqlx::query("UPDATE products SET tax_class = $2 WHERE id = $1")
            .bind(product)
            .bind(class)
            .execute(self.state.db.pool())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn staff_set_a_products_tax_class_in_its_form_and_a_bad_one_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let form = |class: &str| {
        Form::new()
            .text("name", "Field Guide to Mosses")
            .text("brand", "Northwind")
            .text("category", "Books")
            .text("price", "10.70")
            .text("stock", "4")
            .text("active", "on")
            .text("tax_class", class.to_string())
    };
    let res = app
        .post_multipart(&admin, "/admin/products", form("luxury"))
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("The tax class is standard, reduced or zero."));
    assert!(
        page.contains("Field Guide to Mosses"),
        "the values are kept"
    );
    let res = app
        .post_multipart(&admin, "/admin/products", form("reduced"))
        .await;
    assert_eq!(res.status(), 303);
    let edit = app.get_html(&admin, &location(&res)).await;
    assert_eq!(
        edit.texts("#tax_class option[selected]"),
        ["Reduced rate (7% VAT)"]
    );
    let class: String = sqlx::query_scalar("SELECT tax_class FROM products")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(class, "reduced");
}

#[tokio::test]
async fn an_order_of_two_rates_shows_net_and_vat_per_rate_everywhere_to_the_cent() {
    let app = TestApp::spawn().await;
    let book = app
        .product("Field Guide to Mosses", "Northwind", "Books", 1070, 5)
        .await;
    let lamp = app
        .product("Brass Lamp", "Oakridge", "Lighting", 2380, 5)
        .await;
    app.set_tax_class(book, "reduced").await;
    let (user, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, book, 1).await;
    app.add_to_cart(&b, lamp, 1).await;
    // 19 %: lamp 23.80 + shipping 4.95 = 28.75 → net 24.16, VAT 4.59; 7 %: 10.70 → 10.00 + 0.70.
    let cart = app.get_html(&b, "/cart").await;
    let totals = cart.texts(".totals dt.minor, .totals dd.minor");
    assert_eq!(
        totals,
        ["Included VAT (19%)", "€4.59", "Included VAT (7%)", "€0.70"]
    );
    let res = app.pay(&b, GOOD_CARD).await;
    assert_eq!(res.status(), 303);
    let id = location(&res).trim_start_matches("/orders/").to_string();
    let order = app.get_html(&b, &format!("/orders/{id}")).await;
    assert_eq!(
        order.texts(".totals dt.minor, .totals dd.minor"),
        [
            "Net at 19%",
            "€24.16",
            "VAT 19%",
            "€4.59",
            "Net at 7%",
            "€10.00",
            "VAT 7%",
            "€0.70"
        ]
    );
    let invoice = app.get_html(&b, &format!("/orders/{id}/invoice")).await;
    assert_eq!(
        invoice.texts(".totals dt.minor, .totals dd.minor"),
        order.texts(".totals dt.minor, .totals dd.minor")
    );
    assert!(invoice.texts("tbody td").contains(&"7%".to_string()));
    let (vat, net, total): (i64, i64, i64) =
        sqlx::query_as("SELECT vat_cents, net_cents, total_cents FROM orders")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((vat, net, total), (529, 3416, 3945));
    let pdf = app
        .get_as(&b, &format!("/orders/{id}/invoice.pdf"))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));

    // The API says the same.
    let login = app.api_login(&user.email).await;
    let token = login["access_token"].as_str().unwrap().to_string();
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
    assert_eq!(
        body["vat"],
        serde_json::json!([
            {"percent": 19, "net_cents": 2416, "vat_cents": 459},
            {"percent": 7, "net_cents": 1000, "vat_cents": 70}
        ])
    );
    // The rate a line was bought at stays with the order when the product changes class.
    app.set_tax_class(book, "zero").await;
    let again = app.get_html(&b, &format!("/orders/{id}")).await;
    assert_eq!(
        again.texts(".totals dd.minor"),
        order.texts(".totals dd.minor")
    );
}

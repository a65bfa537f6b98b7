//! The cart and checkout, driven through their forms.

use super::html::Html;
use super::{Browser, TestApp, location};

pub const GOOD_CARD: &str = "4242 4242 4242 4242";

impl TestApp {
    /// Puts units of a product in this browser's cart; the cart must take them.
    pub async fn add_to_cart(&self, b: &Browser, product: i64, quantity: i64) {
        let res = self.post_add_to_cart(b, product, quantity).await;
        assert_eq!(res.status(), 303, "adding to the cart failed");
    }

    /// Posts the product page's add-to-cart form, whatever the answer.
    pub async fn post_add_to_cart(
        &self,
        b: &Browser,
        product: i64,
        quantity: i64,
    ) -> reqwest::Response {
        self.post_form_as(
            b,
            "/cart/items",
            &[
                ("product_id", &product.to_string()),
                ("quantity", &quantity.to_string()),
            ],
        )
        .await
    }

    /// What the checkout page's form carries for a submission made outside the browser
    /// (concurrency tests): its token, the total it shows and the session's CSRF token.
    pub async fn checkout_form(&self, b: &Browser) -> CheckoutForm {
        let page = self.get_html(b, "/checkout").await;
        CheckoutForm {
            token: page.input_value("checkout_token").expect("a checkout form"),
            expected: page.input_value("expected_total_cents").expect("a total"),
            csrf: page.input_value("csrf_token").expect("a csrf token"),
        }
    }

    /// The checkout form's one-time token.
    pub async fn checkout_token(&self, b: &Browser) -> String {
        self.get_html(b, "/checkout")
            .await
            .input_value("checkout_token")
            .expect("a checkout form")
    }

    /// Submits the checkout with a card (number, expiry, cvc) and the given token, vouching for
    /// the total the checkout page shows now (as the page's form does).
    pub async fn pay_with_token(
        &self,
        b: &Browser,
        token: &str,
        card: &str,
        expiry: &str,
        cvc: &str,
    ) -> reqwest::Response {
        let res = self.get_as(b, "/checkout").await;
        let expected = if res.status() == 200 {
            Html::parse(&res.text().await.unwrap())
                .input_value("expected_total_cents")
                .unwrap_or_default()
        } else {
            // An emptied cart (the form was used already): the form still carried a total.
            "0".to_string()
        };
        self.post_form_as(
            b,
            "/checkout",
            &[
                ("checkout_token", token),
                ("expected_total_cents", &expected),
                ("shipping_address", "12 Analytical Row\n10115 Berlin"),
                ("card_name", "Ada Lovelace"),
                ("card_number", card),
                ("card_expiry", expiry),
                ("card_cvc", cvc),
            ],
        )
        .await
    }

    pub async fn pay(&self, b: &Browser, card: &str) -> reqwest::Response {
        let token = self.checkout_token(b).await;
        self.pay_with_token(b, &token, card, "12/30", "123").await
    }

    /// Posts the checkout form as a guest paying with a good card from `email` (the form's own
    /// fields carry its CSRF token).
    pub async fn guest_checkout(&self, guest: &Browser, email: &str) -> reqwest::Response {
        let form = self.checkout_form(guest).await;
        let mut fields = form.fields(GOOD_CARD);
        fields.push(("email", email.to_string()));
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        guest
            .client
            .post(self.url("/checkout"))
            .form(&refs)
            .send()
            .await
            .unwrap()
    }

    pub async fn stock(&self, product: i64) -> i64 {
        sqlx::query_scalar("SELECT stock FROM products WHERE id = $1")
            .bind(product)
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }

    pub async fn order_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM orders")
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }

    /// A signed-in customer who has bought `quantity` of `product`; returns the order id.
    pub async fn bought(&self, b: &Browser, product: i64, quantity: i64) -> i64 {
        self.add_to_cart(b, product, quantity).await;
        let res = self.pay(b, GOOD_CARD).await;
        assert_eq!(
            res.status(),
            303,
            "checkout failed: {}",
            res.text().await.unwrap()
        );
        location(&res)
            .trim_start_matches("/orders/")
            .parse()
            .unwrap()
    }
}

pub struct CheckoutForm {
    pub token: String,
    pub expected: String,
    pub csrf: String,
}

impl CheckoutForm {
    /// The form's fields with this card (valid expiry and code) and a shipping address.
    pub fn fields(&self, card: &str) -> Vec<(&'static str, String)> {
        vec![
            ("checkout_token", self.token.clone()),
            ("expected_total_cents", self.expected.clone()),
            ("shipping_address", "1 Road".into()),
            ("card_name", "Ada".into()),
            ("card_number", card.into()),
            ("card_expiry", "12/30".into()),
            ("card_cvc", "123".into()),
            ("csrf_token", self.csrf.clone()),
        ]
    }
}

/// Guests who each put one unit in their cart and hold a filled-in checkout form.
pub async fn guests_at_checkout(
    app: &TestApp,
    product: i64,
    n: usize,
) -> Vec<(Browser, Vec<(&'static str, String)>)> {
    let mut ready = Vec::new();
    for i in 0..n {
        let guest = app.new_browser();
        app.add_to_cart(&guest, product, 1).await;
        let mut fields = app.checkout_form(&guest).await.fields(GOOD_CARD);
        fields.push(("email", format!("guest{i}@example.com")));
        ready.push((guest, fields));
    }
    ready
}

pub async fn submit(
    url: String,
    guest: &Browser,
    fields: &[(&'static str, String)],
) -> Result<u16, reqwest::Error> {
    guest
        .client
        .post(url)
        .form(fields)
        .send()
        .await
        .map(|r| r.status().as_u16())
}

/// Every order has its invoice, with the order's total.
pub async fn every_order_has_its_invoice(app: &TestApp) -> i64 {
    use emporium::orders::detail::Viewer;
    let orders: Vec<(i64, i64)> = sqlx::query_as("SELECT id, total_cents FROM orders ORDER BY id")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    for (id, total) in &orders {
        let invoice = emporium::orders::invoice::for_order(
            &app.state,
            Viewer::Staff,
            emporium::domain::OrderId::new(*id),
        )
        .await
        .unwrap_or_else(|e| panic!("order {id} has no readable invoice: {e}"));
        assert_eq!(invoice.total_cents, *total, "invoice of order {id}");
        assert!(!invoice.lines.is_empty(), "invoice of order {id} has lines");
    }
    orders.len() as i64
}

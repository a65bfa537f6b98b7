//! The back office: staff roles on every admin route, customers, support, the dashboard, and
//! the questions asked before actions that cannot simply be undone.

mod confirmations;
mod customers;
mod dashboard;
mod roles;
mod support;

use crate::helpers::{Browser, TestApp};

/// A shop with one of everything an admin route can point at: a product, a customer with a paid
/// order and a review of it, and a support request of theirs.
pub struct Fixture {
    pub product: i64,
    pub order: i64,
    pub customer: i64,
    pub customer_browser: Browser,
    pub review: i64,
    pub request: i64,
}

impl Fixture {
    pub async fn new(app: &TestApp) -> Self {
        let product = app
            .product("Copper Kettle", "Hearth", "Kitchen", 4900, 50)
            .await;
        let (_, b) = app.signed_in("ada").await;
        let order = app.bought(&b, product, 1).await;
        let res = app
            .post_form_as(
                &b,
                &format!("/products/{product}/reviews"),
                &[("rating", "5"), ("comment", "Boils fast.")],
            )
            .await;
        assert_eq!(res.status(), 303);
        let res = app
            .post_form_as(
                &b,
                "/support",
                &[
                    ("subject", "Where is my kettle?"),
                    ("message", "It has not come yet."),
                    ("order_id", &order.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let pool = app.state.db.pool();
        let customer: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username_key = 'ada'")
            .fetch_one(pool)
            .await
            .unwrap();
        let review: i64 = sqlx::query_scalar("SELECT id FROM reviews")
            .fetch_one(pool)
            .await
            .unwrap();
        let request: i64 = sqlx::query_scalar("SELECT id FROM support_requests")
            .fetch_one(pool)
            .await
            .unwrap();
        Self {
            product,
            order,
            customer,
            customer_browser: b,
            review,
            request,
        }
    }

    /// A route pattern with this fixture's ids in it.
    pub fn path(&self, pattern: &str) -> String {
        let id = if pattern.starts_with("/admin/products/") {
            self.product
        } else if pattern.starts_with("/admin/orders/") {
            self.order
        } else if pattern.starts_with("/admin/customers/") {
            self.customer
        } else if pattern.starts_with("/admin/reviews/") {
            self.review
        } else {
            self.request
        };
        pattern.replace("{id}", &id.to_string())
    }
}

//! The page that asks before something that cannot simply be undone (deleting a product,
//! cancelling or refunding an order, deactivating an account) and says what will happen. It
//! posts to the same route the action always had, so scripts keep working; people get the
//! question first because the buttons that start these actions only link here.

use crate::web::views::orders::OrderView;

pub struct Confirmation {
    pub title: String,
    pub consequences: Vec<String>,
    /// Where the form posts, with its hidden fields.
    pub action: String,
    pub hidden: Vec<(&'static str, String)>,
    /// The button that does it ("Yes, cancel the order") and the way back.
    pub confirm: String,
    pub back: String,
    pub keep: String,
}

fn items(n: i64) -> String {
    if n == 1 {
        "1 item goes".into()
    } else {
        format!("{n} items go")
    }
}

/// Cancelling an order; `staff` decides how the page speaks of the customer.
pub fn cancel_order(o: &OrderView, staff: bool) -> Confirmation {
    let id = o.summary.id;
    let mut c = vec![
        format!("Order #{id} is cancelled; this cannot be undone."),
        format!("{} back into stock.", items(o.units)),
    ];
    if o.was_paid {
        c.push(format!(
            "The payment of {} is refunded to {}, with a credit note.",
            o.still_paid, o.payment
        ));
    }
    c.push(if staff {
        format!("The customer gets a mail saying so ({}).", o.email)
    } else {
        "You get a mail confirming it.".into()
    });
    let (action, hidden, back) = if staff {
        (
            format!("/admin/orders/{id}/status"),
            vec![("status", "cancelled".to_string())],
            format!("/admin/orders/{id}"),
        )
    } else {
        (
            format!("/orders/{id}/cancel"),
            Vec::new(),
            format!("/orders/{id}"),
        )
    };
    Confirmation {
        title: format!("Cancel order #{id}?"),
        consequences: c,
        action,
        hidden,
        confirm: "Yes, cancel the order".into(),
        back,
        keep: "No, keep it".into(),
    }
}

/// Refunding an order (staff only).
pub fn refund_order(o: &OrderView) -> Confirmation {
    let id = o.summary.id;
    let mut c = vec![format!(
        "{} is refunded to {}, with a credit note against the invoice.",
        o.still_paid, o.payment
    )];
    c.push(if o.shipped {
        "The goods are with the customer, so the stock does not change.".into()
    } else {
        format!(
            "The order has not shipped: {} back into stock.",
            items(o.units)
        )
    });
    c.push(format!("The customer gets a mail saying so ({}).", o.email));
    c.push("This cannot be undone.".into());
    Confirmation {
        title: format!("Refund order #{id}?"),
        consequences: c,
        action: format!("/admin/orders/{id}/status"),
        hidden: vec![("status", "refunded".to_string())],
        confirm: "Yes, refund the order".into(),
        back: format!("/admin/orders/{id}"),
        keep: "No, go back".into(),
    }
}

pub fn delete_product(id: crate::domain::ProductId, name: &str) -> Confirmation {
    Confirmation {
        title: format!("Delete \u{201c}{name}\u{201d}?"),
        consequences: vec![
            "If the product appears in orders, it stays for those orders and is hidden from the shop (deactivated) instead.".into(),
            "Otherwise the product and its images are deleted for good.".into(),
            "Customers who have it in their cart or wishlist see that it is no longer sold.".into(),
        ],
        action: format!("/admin/products/{id}/delete"),
        hidden: Vec::new(),
        confirm: "Yes, delete the product".into(),
        back: format!("/admin/products/{id}/edit"),
        keep: "No, keep it".into(),
    }
}

pub fn deactivate_account(id: crate::domain::UserId, name: &str, email: &str) -> Confirmation {
    Confirmation {
        title: format!("Deactivate {name}?"),
        consequences: vec![
            format!(
                "{name} ({email}) is signed out at once, in every browser, and every app sign-in (API token) ends."
            ),
            "They cannot sign in; they are told that the shop closed the account.".into(),
            "Their orders, reviews and support requests stay as they are. No mail is sent.".into(),
            "You can reactivate the account later from their page.".into(),
        ],
        action: format!("/admin/customers/{id}"),
        hidden: vec![("active", "0".to_string())],
        confirm: "Yes, deactivate the account".into(),
        back: format!("/admin/customers/{id}"),
        keep: "No, keep it active".into(),
    }
}

#[derive(askama::Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub ctx: crate::web::context::PageContext,
    pub c: Confirmation,
}

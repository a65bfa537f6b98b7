//! Deleting a product, cancelling or refunding an order and deactivating an account are asked
//! about first (no JavaScript needed) and the question says what will happen.

use super::Fixture;
use crate::helpers::TestApp;

#[tokio::test]
async fn destructive_buttons_lead_to_a_question_that_says_what_will_happen() {
    let app = TestApp::spawn().await;
    let f = Fixture::new(&app).await;
    let admin = app.admin().await;

    // Product: the edit page links to the question; the question posts the delete.
    let edit = app
        .get_html(&admin, &format!("/admin/products/{}/edit", f.product))
        .await;
    let ask = format!("/admin/products/{}/delete", f.product);
    assert!(edit.links("main a").contains(&ask));
    assert!(
        edit.select(&format!("form[action='{ask}']")).is_empty(),
        "no one-click delete"
    );
    let q = app.get_html(&admin, &ask).await;
    assert!(q.text_of("main").contains("hidden from the shop"));
    assert_eq!(
        q.select(&format!("form[method=post][action='{ask}']"))
            .len(),
        1
    );

    // Order (staff): cancel and refund each have a question with the consequences.
    let order = app
        .get_html(&admin, &format!("/admin/orders/{}", f.order))
        .await;
    let options = order.texts("#status option");
    assert!(
        !options.iter().any(|o| o == "Cancelled" || o == "Refunded"),
        "{options:?}"
    );
    let cancel = app
        .get_html(&admin, &format!("/admin/orders/{}/cancel", f.order))
        .await;
    let text = cancel.text_of("main");
    assert!(
        text.contains("1 item goes back into stock")
            && text.contains("refunded")
            && text.contains("mail"),
        "{text}"
    );
    assert_eq!(cancel.input_value("status").as_deref(), Some("cancelled"));
    let refund = app
        .get_html(&admin, &format!("/admin/orders/{}/refund", f.order))
        .await;
    assert_eq!(refund.input_value("status").as_deref(), Some("refunded"));
    assert!(
        refund.text_of("main").contains("back into stock"),
        "not shipped yet"
    );

    // Order (customer): the order page links to the question, which posts the cancellation.
    let mine = app
        .get_html(&f.customer_browser, &format!("/orders/{}", f.order))
        .await;
    let ask = format!("/orders/{}/cancel", f.order);
    assert!(mine.links("main a").contains(&ask));
    let q = app.get_html(&f.customer_browser, &ask).await;
    assert!(q.text_of("main").contains("You get a mail"));
    let res = app.post_form_as(&f.customer_browser, &ask, &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.stock(f.product).await, 50, "stock returned");
    // Nothing left to ask about: the question pages send back to the order.
    let res = app
        .get_as(&admin, &format!("/admin/orders/{}/cancel", f.order))
        .await;
    assert_eq!(res.status(), 303);
    // An account: the customer page links to the question (see the customers tests).
    let page = app
        .get_html(&admin, &format!("/admin/customers/{}", f.customer))
        .await;
    assert!(
        page.links("main a")
            .contains(&format!("/admin/customers/{}/deactivate", f.customer))
    );
}

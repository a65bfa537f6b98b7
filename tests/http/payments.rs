//! Safe charging: authorise before the order's transaction, capture after its commit, void what
//! will not be captured, reconcile what a crash left between the steps. The mock gateway keeps
//! its ledger in the store's database, so each test reads both sides: the store's order and the
//! gateway's authorisation.

use std::time::Duration;

use emporium::domain::Money;
use emporium::payments::Card;
use emporium::payments::mock::{CAPTURE_FAILS, SLOW_CAPTURE};
use emporium::payments::reconcile;

use crate::helpers::{GOOD_CARD, TestApp, location};

/// An authorisation as the gateway's ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
struct Ledger {
    state: String,
    amount_cents: i64,
    captured_cents: i64,
    refunded_cents: i64,
}

impl TestApp {
    /// The gateway's authorisations, by state (captured, declined, voided, …) then amount.
    async fn ledger(&self) -> Vec<Ledger> {
        sqlx::query_as(
            "SELECT state, amount_cents, captured_cents, refunded_cents FROM mock_gateway_authorisations ORDER BY state, amount_cents",
        )
        .fetch_all(self.state.db.pool())
        .await
        .unwrap()
    }

    async fn scalar(&self, sql: &'static str, order: i64) -> Option<String> {
        sqlx::query_scalar(sql)
            .bind(order)
            .fetch_optional(self.state.db.pool())
            .await
            .unwrap()
    }

    /// (status, payment_status) of an order.
    async fn order_state(&self, order: i64) -> (String, String) {
        sqlx::query_as("SELECT status, payment_status FROM orders WHERE id = $1")
            .bind(order)
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }

    async fn has_invoice(&self, order: i64) -> bool {
        self.scalar("SELECT number FROM invoices WHERE order_id = $1", order)
            .await
            .is_some()
    }
}

fn order_of(res: &reqwest::Response) -> i64 {
    location(res)
        .trim_start_matches("/orders/")
        .parse()
        .unwrap()
}

fn card(number: &str) -> Card {
    let today = time::Date::from_calendar_date(2026, time::Month::November, 28).unwrap();
    Card::parse("Ada", number, "12/30", "123", today).unwrap()
}

#[tokio::test]
async fn a_checkout_authorises_then_captures_and_a_refund_goes_back_through_the_gateway() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 5)
        .await;
    let (user, b) = app.signed_in("ada").await;
    // A declined card reserves nothing and makes no order.
    app.add_to_cart(&b, p, 2).await;
    assert_eq!(app.pay(&b, "4000 0000 0000 0002").await.status(), 402);
    assert_eq!(app.order_count().await, 0);
    let declined = Ledger {
        state: "declined".into(),
        amount_cents: 3000 + 495,
        captured_cents: 0,
        refunded_cents: 0,
    };
    assert_eq!(app.ledger().await, std::slice::from_ref(&declined));

    let res = app.pay(&b, GOOD_CARD).await;
    assert_eq!(res.status(), 303);
    let id = order_of(&res);
    assert_eq!(app.order_state(id).await, ("paid".into(), "paid".into()));
    assert!(app.has_invoice(id).await);
    let captured = Ledger {
        state: "captured".into(),
        amount_cents: 3495,
        captured_cents: 3495,
        refunded_cents: 0,
    };
    assert_eq!(app.ledger().await, [captured, declined]);
    // The store's own trail: authorised, then captured.
    let outcomes: Vec<String> =
        sqlx::query_scalar("SELECT outcome FROM payments WHERE order_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(outcomes, ["authorised", "succeeded"]);
    assert!(
        app.mails_to(&user.email)
            .await
            .iter()
            .any(|m| m.subject.contains("is confirmed"))
    );

    // The staff refund it: the money goes back at the gateway, once.
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/orders/{id}/status"),
            &[("status", "refunded")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.ledger().await[0].refunded_cents, 3495);
    assert_eq!(
        app.scalar(
            "SELECT CAST(refunded_cents AS TEXT) FROM order_payments WHERE order_id = $1",
            id
        )
        .await
        .as_deref(),
        Some("3495")
    );
}

#[tokio::test]
async fn a_capture_that_fails_leaves_the_order_unpaid_for_the_staff_who_retry_or_cancel() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 5)
        .await;
    let (user, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, p, 1).await;
    let res = app.pay(&b, CAPTURE_FAILS).await;
    assert_eq!(res.status(), 303, "the order is made");
    let id = order_of(&res);
    let page = app.get_html(&b, &format!("/orders/{id}")).await;
    assert!(
        page.text_of(".flash")
            .contains("could not be completed yet"),
        "{}",
        page.text_of("main")
    );
    assert!(page.text_of("main").contains("authorised, not taken yet"));
    // Not paid: no invoice, no confirmation, the money only reserved; the stock is held.
    assert_eq!(app.order_state(id).await, ("pending".into(), "none".into()));
    assert!(!app.has_invoice(id).await);
    assert!(
        !app.mails_to(&user.email)
            .await
            .iter()
            .any(|m| m.subject.contains("is confirmed"))
    );
    assert_eq!(app.ledger().await[0].state, "authorised");
    assert_eq!(app.stock(p).await, 4);
    // The staff see it: in the orders list and on the order with what to do.
    let list = app.get_html(&admin, "/admin/orders").await;
    assert_eq!(list.links(".attention a"), [format!("/admin/orders/{id}")]);
    let order = app.get_html(&admin, &format!("/admin/orders/{id}")).await;
    assert!(order.text_of(".attention").contains("refused the capture"));
    // Marking it paid tries the capture again: refused again, still not paid.
    let status = format!("/admin/orders/{id}/status");
    let res = app
        .post_form_as(&admin, &status, &[("status", "paid")])
        .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("refused the capture"));
    assert_eq!(app.order_state(id).await, ("pending".into(), "none".into()));
    // Cancelling releases the reservation and the stock, and clears the note.
    let res = app
        .post_form_as(&admin, &status, &[("status", "cancelled")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.ledger().await[0].state, "voided");
    assert_eq!(app.stock(p).await, 5);
    let list = app.get_html(&admin, "/admin/orders").await;
    assert!(list.select(".attention").is_empty());
    assert!(
        app.get_html(&b, &format!("/orders/{id}"))
            .await
            .text_of("main")
            .contains("released, nothing taken")
    );
}

/// Makes the order's transaction fail: on PostgreSQL at its COMMIT (a deferred constraint
/// trigger), on SQLite at its last insert (SQLite has no deferred triggers).
async fn break_the_checkout_commit(app: &TestApp) {
    if crate::helpers::postgres_url().is_some() {
        app.exec(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'injected commit failure'; END $$",
        )
        .await;
        app.exec(
            "CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON order_payments \
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse()",
        )
        .await;
    } else {
        app.exec(
            "CREATE TRIGGER refuse BEFORE INSERT ON order_payments \
             BEGIN SELECT RAISE(ABORT, 'injected commit failure'); END",
        )
        .await;
    }
}

#[tokio::test]
async fn a_checkout_whose_commit_fails_voids_its_authorisation_and_keeps_the_cart() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 5)
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, p, 1).await;
    break_the_checkout_commit(&app).await;
    let res = app.pay(&b, GOOD_CARD).await;
    assert_eq!(res.status(), 500);
    let page = res.text().await.unwrap();
    assert!(!page.contains("injected"), "nothing internal is shown");
    // No order, no money: the reservation was released; stock and cart as they were.
    assert_eq!(app.order_count().await, 0);
    let ledger = app.ledger().await;
    assert_eq!(ledger.len(), 1);
    assert_eq!(
        (ledger[0].state.as_str(), ledger[0].captured_cents),
        ("voided", 0)
    );
    assert_eq!(app.stock(p).await, 5);
    assert!(
        app.get_html(&b, "/cart")
            .await
            .text_of("main")
            .contains("Oak Bowl")
    );
    // Once the database takes orders again, the same cart is bought.
    if crate::helpers::postgres_url().is_some() {
        app.exec("DROP TRIGGER refuse ON order_payments").await;
    } else {
        app.exec("DROP TRIGGER refuse").await;
    }
    let res = app.pay(&b, GOOD_CARD).await;
    assert_eq!(res.status(), 303);
    let states: Vec<String> = app.ledger().await.into_iter().map(|l| l.state).collect();
    assert_eq!(states, ["captured", "voided"]);
}

#[tokio::test]
async fn reconcile_voids_old_authorisations_without_an_order_and_gateway_calls_are_idempotent() {
    let app = TestApp::spawn().await;
    let gateway = &app.state.payments;
    // What a checkout killed between its authorisation and its commit leaves at the gateway.
    let orphan = gateway
        .authorise(&card(GOOD_CARD), Money::from_cents(1234), "orphan-1")
        .await
        .unwrap();
    // The same key is the same authorisation.
    let again = gateway
        .authorise(&card(GOOD_CARD), Money::from_cents(1234), "orphan-1")
        .await
        .unwrap();
    assert_eq!(orphan, again);
    assert_eq!(app.ledger().await.len(), 1);
    // Young: it may belong to a checkout in flight.
    let r = reconcile::run(&app.state, 15 * 60).await.unwrap();
    assert_eq!(r, reconcile::Report::default());
    app.state.clock.advance(Duration::from_secs(16 * 60));
    let r = reconcile::run(&app.state, 15 * 60).await.unwrap();
    assert_eq!(r.voided_orphans, [orphan.as_str()]);
    assert_eq!(app.ledger().await[0].state, "voided");
    assert_eq!(
        reconcile::run(&app.state, 15 * 60).await.unwrap(),
        reconcile::Report::default(),
        "nothing left to do"
    );

    // Capture and refund: a repeated key answers as the first call, and nothing more moves.
    let auth = gateway
        .authorise(&card(GOOD_CARD), Money::from_cents(5000), "a-2")
        .await
        .unwrap();
    for _ in 0..2 {
        gateway
            .capture(&auth, Money::from_cents(5000), "capture-x")
            .await
            .unwrap();
        gateway
            .refund(&auth, Money::from_cents(2000), "refund-x-1")
            .await
            .unwrap();
    }
    let row = &app.ledger().await[0];
    assert_eq!((row.captured_cents, row.refunded_cents), (5000, 2000));
    // More back than was taken is refused; a captured authorisation cannot be voided.
    assert!(
        gateway
            .refund(&auth, Money::from_cents(3001), "refund-x-2")
            .await
            .is_err()
    );
    assert!(gateway.void(&auth, "void-x").await.is_err());
    assert_eq!(app.ledger().await[0].refunded_cents, 2000);
}

#[tokio::test]
async fn a_crash_between_the_commit_and_the_capture_is_finished_by_emporium_reconcile() {
    // The store runs as its own process, killed (SIGKILL) while the gateway takes its time
    // over the capture (the slow-capture test card).
    let mut app = TestApp::spawn().await;
    let product = app
        .product("Crash Mug", "Oakridge", "Kitchen", 1200, 10)
        .await;
    let port = crate::helpers::free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut child = app
        .store_process("serve", port, dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    app.use_process(port).await;
    let guest = app.new_browser();
    app.add_to_cart(&guest, product, 2).await;
    let mut fields = app.checkout_form(&guest).await.fields(SLOW_CAPTURE);
    fields.push(("email", "crash@example.com".into()));
    let checkout = tokio::spawn({
        let client = guest.client.clone();
        let url = app.url("/checkout");
        async move {
            client
                .post(url)
                .form(&fields)
                .send()
                .await
                .map(|r| r.status())
        }
    });
    // Wait until the order is committed (the capture is then under way), then kill.
    let mut order = None;
    for _ in 0..200 {
        order = sqlx::query_scalar::<_, i64>("SELECT id FROM orders")
            .fetch_optional(app.state.db.pool())
            .await
            .unwrap();
        if order.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let order = order.expect("the order was committed");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        checkout.await.unwrap().is_err(),
        "the checkout got no answer"
    );
    // Committed, reserved, not taken: the order is not paid, has no invoice and no mail.
    assert_eq!(
        app.order_state(order).await,
        ("pending".into(), "none".into())
    );
    assert!(!app.has_invoice(order).await);
    assert_eq!(app.ledger().await[0].state, "authorised");
    assert_eq!(app.stock(product).await, 8);

    // Younger than the grace period: left alone. Then captured and paid, once.
    let run = |minutes: &str| {
        let out = app
            .store_process("reconcile", port, dir.path())
            .args(["--older-than-minutes", minutes])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run("15").contains("0 voided, 0 captured, 0 failed, 0 waiting"));
    let out = run("0");
    assert!(
        out.contains(&format!("captured order #{order}: now paid")),
        "{out}"
    );
    assert_eq!(app.order_state(order).await, ("paid".into(), "paid".into()));
    assert!(app.has_invoice(order).await);
    let ledger = app.ledger().await;
    assert_eq!(
        (ledger[0].state.as_str(), ledger[0].captured_cents),
        ("captured", 2 * 1200 + 495)
    );
    let queued: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM mail_queue WHERE recipient = 'crash@example.com'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(
        queued, 1,
        "the confirmation is queued once the money is taken"
    );
    assert!(run("0").contains("0 voided, 0 captured, 0 failed, 0 waiting"));
}

#[tokio::test]
async fn cancelling_an_order_whose_capture_answer_was_lost_gives_the_money_back() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 5)
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, p, 1).await;
    let res = app.pay(&b, GOOD_CARD).await;
    let id = order_of(&res);
    // What a capture whose answer never came back leaves: the gateway took the money, the
    // store still has the order pending with the authorisation open.
    for sql in [
        "UPDATE orders SET status = 'pending', payment_status = 'none' WHERE id = $1",
        "UPDATE order_payments SET state = 'authorised' WHERE order_id = $1",
    ] {
        sqlx::query(sql)
            .bind(id)
            .execute(app.state.db.pool())
            .await
            .unwrap();
    }
    let res = app
        .post_form_as(&b, &format!("/orders/{id}/cancel"), &[])
        .await;
    assert_eq!(res.status(), 303);
    // The void is refused (it was captured), so the money goes back as a refund.
    let row = &app.ledger().await[0];
    assert_eq!(
        (row.state.as_str(), row.refunded_cents),
        ("captured", row.captured_cents)
    );
    let attention: Option<String> =
        sqlx::query_scalar("SELECT attention FROM order_payments WHERE order_id = $1")
            .bind(id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(attention, None);
}

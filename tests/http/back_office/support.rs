//! Support: customers write from `/support` and their order pages, guests through `/contact`
//! and follow their request by mailed links; staff answer from the inbox and each answer is
//! mailed. Text is shown as text.

use emporium::domain::StaffRole;

use super::Fixture;
use crate::helpers::{Html, TestApp, location};

#[tokio::test]
async fn a_customer_writes_about_an_order_the_staff_answer_and_the_customer_replies() {
    let app = TestApp::spawn().await;
    let f = Fixture::new(&app).await;
    let ada = &f.customer_browser;
    // The order page offers help with that order, preselected.
    let order_page = app.get_html(ada, &format!("/orders/{}", f.order)).await;
    let help = format!("/support?order_id={}", f.order);
    assert!(order_page.links("main a").contains(&help));
    let form = app.get_html(ada, &help).await;
    assert_eq!(form.texts("#order_id option[selected]").len(), 1);
    // The request of the fixture, in her list and on its page.
    let list = app.get_html(ada, "/support").await;
    assert!(
        list.links("main a")
            .contains(&format!("/support/{}", f.request))
    );
    let thread = app.get_html(ada, &format!("/support/{}", f.request)).await;
    assert!(thread.text_of(".thread").contains("It has not come yet."));

    // Support staff answer with HTML-looking text; the status becomes "waiting".
    let sam = app.staff("sam", &[StaffRole::Support]).await;
    let inbox = app.get_html(&sam, "/admin/support").await;
    assert!(
        inbox
            .links("main a")
            .contains(&format!("/admin/support/{}", f.request))
    );
    let staff_view = app
        .get_html(&sam, &format!("/admin/support/{}", f.request))
        .await;
    assert!(
        staff_view
            .links("aside a")
            .contains(&format!("/admin/orders/{}", f.order)),
        "order context"
    );
    assert!(
        staff_view
            .links("aside a")
            .contains(&format!("/admin/customers/{}", f.customer))
    );
    let res = app
        .post_form_as(
            &sam,
            &format!("/admin/support/{}", f.request),
            &[
                ("message", "It left today. <b>Tracking</b>: 123"),
                ("status", "waiting"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let mail = app
        .mails_to("ada@example.com")
        .await
        .into_iter()
        .rev()
        .find(|m| m.subject.contains("Where is my kettle?"))
        .expect("the answer is mailed");
    assert!(mail.text.contains("It left today."), "{}", mail.text);
    assert!(mail.links()[0].ends_with(&format!("/support/{}", f.request)));
    let res = app.get_as(ada, &format!("/support/{}", f.request)).await;
    let body = res.text().await.unwrap();
    assert!(body.contains("&#60;b&#62;Tracking&#60;/b&#62;") && !body.contains("<b>Tracking</b>"));
    assert!(Html::parse(&body).text_of("main").contains("Answered"));

    // She replies: open again for the shop. Then she closes it.
    let path = format!("/support/{}", f.request);
    let res = app
        .post_form_as(ada, &path, &[("message", "Thank you!")])
        .await;
    assert_eq!(res.status(), 303);
    let status = |app: &TestApp| {
        let pool = app.state.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT status FROM support_requests")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(status(&app).await, "open");
    let res = app.post_form_as(ada, &format!("{path}/close"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(status(&app).await, "closed");
    let closed = app.get_html(&sam, "/admin/support?status=closed").await;
    assert!(
        closed
            .links("main a")
            .contains(&format!("/admin/support/{}", f.request))
    );
    // Staff may change the status alone; an empty answer with the same status is refused.
    let res = app
        .post_form_as(
            &sam,
            &format!("/admin/support/{}", f.request),
            &[("status", "closed")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form_as(
            &sam,
            &format!("/admin/support/{}", f.request),
            &[("status", "nonsense")],
        )
        .await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn bad_requests_are_refused_at_their_fields_and_nobody_reads_anothers_request() {
    let app = TestApp::spawn().await;
    let f = Fixture::new(&app).await;
    let (_, bob) = app.signed_in("bob").await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM support_requests")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap()
    };
    // Someone else's order, an empty subject, a subject over two lines.
    let order = f.order.to_string();
    let res = app
        .post_form_as(
            &bob,
            "/support",
            &[
                ("subject", "Hi"),
                ("message", "Where?"),
                ("order_id", &order),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = Html::parse(&res.text().await.unwrap());
    assert!(!page.select("#order_id-error").is_empty());
    assert_eq!(
        page.input_value("subject").as_deref(),
        Some("Hi"),
        "values kept"
    );
    for (subject, message, field) in [
        ("", "Hello", "subject"),
        ("Hi\nthere", "Hello", "subject"),
        ("Hi", "  ", "message"),
    ] {
        let res = app
            .post_form_as(
                &bob,
                "/support",
                &[("subject", subject), ("message", message)],
            )
            .await;
        assert_eq!(res.status(), 422, "{subject:?} {message:?}");
        let page = Html::parse(&res.text().await.unwrap());
        assert!(
            !page.select(&format!("#{field}-error")).is_empty(),
            "{field}"
        );
    }
    assert_eq!(count().await, 1);
    // Bob cannot read or answer Ada's request; a guest is asked to sign in.
    let path = format!("/support/{}", f.request);
    assert_eq!(app.get_as(&bob, &path).await.status(), 404);
    assert_eq!(
        app.post_form_as(&bob, &path, &[("message", "mine now")])
            .await
            .status(),
        404
    );
    assert_eq!(
        app.post_form_as(&bob, &format!("{path}/close"), &[])
            .await
            .status(),
        404
    );
    let res = app.get_as(&app.new_browser(), &path).await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/login?next="));
    let messages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM support_messages")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(messages, 1);
}

#[tokio::test]
async fn a_guest_writes_through_the_contact_form_and_follows_the_mailed_link() {
    let app = TestApp::spawn().await;
    let guest = app.new_browser();
    let res = app
        .post_form_as(
            &guest,
            "/contact",
            &[
                ("email", "Visitor@Example.com"),
                ("name", "Vera"),
                ("subject", "Gift wrapping?"),
                ("message", "Do you wrap gifts?"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = location(&res);
    // The writer sees the request at once in this browser.
    assert!(
        app.get_html(&guest, &page)
            .await
            .text_of(".thread")
            .contains("Do you wrap gifts?")
    );
    // The mailed link works in another browser, and leaves the token out of the address.
    let link = app
        .link_in_mail("visitor@example.com", "We received your message")
        .await;
    assert!(link.starts_with(&format!("{page}?token=")), "{link}");
    let other = app.new_browser();
    let res = app.get_as(&other, &link).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), page);
    assert!(
        app.get_html(&other, &page)
            .await
            .text_of(".thread")
            .contains("Do you wrap gifts?")
    );
    // A wrong token opens nothing.
    let res = app
        .get_as(
            &app.new_browser(),
            &format!("{page}?token=00{}", &link[link.len() - 10..]),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        app.get_as(&app.new_browser(), &page).await.status(),
        303,
        "no access without a link"
    );

    // The staff answer; the guest gets a mail with a fresh link that works too, and replies.
    let sam = app.staff("sam", &[StaffRole::Support]).await;
    let id = page.trim_start_matches("/support/");
    let staff_page = app.get_html(&sam, &format!("/admin/support/{id}")).await;
    assert!(staff_page.text_of("aside").contains("guest"));
    let res = app
        .post_form_as(
            &sam,
            &format!("/admin/support/{id}"),
            &[("message", "Yes, for free."), ("status", "waiting")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let second = app
        .link_in_mail("visitor@example.com", "Re: Gift wrapping?")
        .await;
    assert_ne!(second, link);
    let third = app.new_browser();
    assert_eq!(app.get_as(&third, &second).await.status(), 303);
    let res = app
        .post_form_as(&third, &page, &[("message", "Lovely, thanks.")])
        .await;
    assert_eq!(res.status(), 303);
    let thread = app.get_html(&third, &page).await.texts(".message-body");
    assert_eq!(
        thread,
        ["Do you wrap gifts?", "Yes, for free.", "Lovely, thanks."]
    );
}

#[tokio::test]
async fn the_contact_form_checks_its_fields_and_limits_each_address() {
    let app = TestApp::spawn_with(|s| s.security.contact_per_address_per_hour = 2).await;
    let guest = app.new_browser();
    let res = app
        .post_form_as(
            &guest,
            "/contact",
            &[
                ("email", "not-an-address"),
                ("subject", "Hi"),
                ("message", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = Html::parse(&res.text().await.unwrap());
    assert!(!page.select("#email-error").is_empty() && !page.select("#message-error").is_empty());
    assert_eq!(page.input_value("subject").as_deref(), Some("Hi"));
    for i in 0..3 {
        let subject = format!("Question {i}");
        let res = app
            .post_form_as(
                &app.new_browser(),
                "/contact",
                &[
                    ("email", "pest@example.com"),
                    ("subject", &subject),
                    ("message", "Hello?"),
                ],
            )
            .await;
        if i < 2 {
            assert_eq!(res.status(), 303);
        } else {
            assert_eq!(res.status(), 429);
            assert!(res.headers().contains_key("retry-after"));
            let page = Html::parse(&res.text().await.unwrap());
            assert_eq!(
                page.input_value("subject").as_deref(),
                Some("Question 2"),
                "values kept"
            );
        }
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM support_requests")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 2);
    // A signed-in customer is sent to their support page instead.
    let (_, b) = app.signed_in("ada").await;
    let res = app.get_as(&b, "/contact").await;
    assert_eq!(location(&res), "/support");
}

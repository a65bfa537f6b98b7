//! `/admin/customers`: finding customers, what their page shows, correcting their details,
//! mails on their behalf, deactivation (which ends sessions and API tokens in use at once).

use emporium::domain::StaffRole;
use serde_json::json;

use super::Fixture;
use crate::helpers::api::{assert_token_refused, text};
use crate::helpers::{TestApp, accounts::PASSWORD};

async fn id_of(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE username_key = $1")
        .bind(username)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

fn names(page: &crate::helpers::Html) -> Vec<String> {
    page.texts("tbody td:first-child a")
}

#[tokio::test]
async fn staff_find_customers_by_name_email_or_phone_and_filter_and_sort_them() {
    let app = TestApp::spawn().await;
    let f = Fixture::new(&app).await;
    app.verified_user("bob").await;
    let b = app.new_browser();
    app.register(&b, "unconfirmed", "unconfirmed@example.com")
        .await;
    let admin = app.admin().await;
    let list = |q: &str| {
        let app = &app;
        let admin = admin.clone();
        let q = q.to_string();
        async move { app.get_html(&admin, &format!("/admin/customers{q}")).await }
    };
    // Every row links to the customer's page.
    let all = list("").await;
    assert!(
        all.links("tbody a")
            .contains(&format!("/admin/customers/{}", f.customer))
    );
    // By email, by username, by phone typed with spaces (stored without).
    for q in ["?q=ADA%40example", "?q=ada", "?q=%2B49+170"] {
        let found = list(q).await;
        assert!(found.text_of("main").contains("ada@example.com"), "{q}");
    }
    assert!(
        !list("?q=ada%40")
            .await
            .text_of("main")
            .contains("bob@example.com")
    );
    // A search that looks like a LIKE pattern finds nothing rather than everything.
    assert!(list("?q=%25").await.text_of("main").contains("0 accounts"));
    // Filters: has ordered, email confirmed, staff.
    let ordered = list("?orders=yes").await;
    assert!(ordered.text_of("main").contains("ada@example.com"));
    assert!(!ordered.text_of("main").contains("bob@example.com"));
    let unconfirmed = list("?verified=no").await;
    assert_eq!(names(&unconfirmed).len(), 1, "{:?}", names(&unconfirmed));
    assert!(
        list("?role=staff")
            .await
            .text_of("main")
            .contains("boss@example.com")
    );
    // By lifetime value, highest first: Ada bought something.
    let by_value = list("?sort=spent").await;
    let first = by_value.texts("tbody tr:first-child td:nth-child(2)");
    assert!(first[0].contains("ada@example.com"), "{first:?}");
    // A wrong filter value is ignored, not an error.
    assert_eq!(
        app.get_as(&admin, "/admin/customers?status=zzz&sort=nope&page=-3")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn the_customer_export_is_csv_with_neutralised_cells_and_only_for_admins() {
    let app = TestApp::spawn().await;
    let f = Fixture::new(&app).await;
    sqlx::query("UPDATE users SET first_name = '=HYPERLINK(1)' WHERE id = $1")
        .bind(f.customer)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let admin = app.admin().await;
    let res = app
        .get_as(&admin, "/admin/customers/export.csv?orders=yes")
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("customers-")
    );
    let body = res.text().await.unwrap();
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "only the customer with orders");
    assert_eq!(&rows[0][1], "ada");
    assert_eq!(&rows[0][3], "'=HYPERLINK(1)");
    assert_eq!(&rows[0][10], "1", "orders");
    let total: i64 = sqlx::query_scalar("SELECT total_cents FROM orders")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let total = emporium::domain::Money::from_cents(total).to_decimal();
    assert_eq!(&rows[0][11], total.as_str(), "lifetime value");
    let support = app.staff("sam", &[StaffRole::Support]).await;
    assert_eq!(
        app.get_as(&support, "/admin/customers/export.csv")
            .await
            .status(),
        403
    );
    // Support staff read the page but get no forms to change it.
    let page = app
        .get_html(&support, &format!("/admin/customers/{}", f.customer))
        .await;
    assert!(page.select("form[action^='/admin/customers/']").is_empty());
}

#[tokio::test]
async fn the_customer_page_shows_what_the_shop_knows_escaped() {
    let app = TestApp::spawn().await;
    let f = Fixture::new(&app).await;
    sqlx::query("UPDATE users SET last_name = '<script>alert(1)</script>' WHERE id = $1")
        .bind(f.customer)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    app.post_form_as(
        &f.customer_browser,
        &format!("/wishlist/{}", f.product),
        &[],
    )
    .await;
    let admin = app.admin().await;
    let res = app
        .get_as(&admin, &format!("/admin/customers/{}", f.customer))
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(!body.contains("<script>alert(1)"), "escaped");
    assert!(body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    let page = crate::helpers::Html::parse(&body);
    let links = page.links("main a");
    assert!(
        links.contains(&format!("/admin/orders/{}", f.order)),
        "orders"
    );
    assert!(
        links.contains(&format!("/admin/support/{}", f.request)),
        "support requests"
    );
    assert!(
        links.contains(&format!("/products/{}", f.product)),
        "reviews and recently viewed"
    );
    let main = page.text_of("main");
    assert!(main.contains("lifetime value"), "{main}");
    assert!(main.contains("Boils fast."));
    assert!(main.contains("Signed in"), "sign-in activity");
    assert_eq!(
        page.text_of(".stats .stat:nth-child(4) .stat-value"),
        "1",
        "wishlist size"
    );
}

#[tokio::test]
async fn staff_correct_details_by_the_customers_rules_and_it_is_audited() {
    let app = TestApp::spawn().await;
    app.verified_user("ada").await;
    let ada = id_of(&app, "ada").await;
    let admin = app.admin().await;
    let path = format!("/admin/customers/{ada}");
    let fields = |phone: &'static str, birthday: &'static str| {
        vec![
            ("first_name", "Ada"),
            ("last_name", "King"),
            ("title", "Countess"),
            ("birthday", birthday),
            ("phone", phone),
            ("address", "1 St James's Square\nLondon"),
        ]
    };
    let res = app
        .post_form_as(&admin, &path, &fields("12", "2030-01-01"))
        .await;
    assert_eq!(res.status(), 422);
    let page = crate::helpers::Html::parse(&res.text().await.unwrap());
    assert!(!page.select("#phone-error").is_empty() && !page.select("#birthday-error").is_empty());
    assert_eq!(
        page.input_value("title").as_deref(),
        Some("Countess"),
        "values kept"
    );
    let last: String = sqlx::query_scalar("SELECT last_name FROM users WHERE id = $1")
        .bind(ada)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(last, "Lovelace", "nothing changed");
    // The form speaks to staff about the customer, not to "you".
    let res = app.post_form_as(&admin, &path, &fields(" ", "")).await;
    let page = crate::helpers::Html::parse(&res.text().await.unwrap());
    assert_eq!(page.texts("#phone-error li"), ["Enter the phone number."]);

    let res = app
        .post_form_as(&admin, &path, &fields("+44 20 7946 0000", "1915-12-10"))
        .await;
    assert_eq!(res.status(), 303);
    let (last, phone): (String, String) =
        sqlx::query_as("SELECT last_name, phone FROM users WHERE id = $1")
            .bind(ada)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((last.as_str(), phone.as_str()), ("King", "+442079460000"));
    let (actor, details): (i64, String) = sqlx::query_as(
        "SELECT actor_id, details FROM audit_log WHERE entity = 'customer' AND action = 'edit'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(actor, app.admin_id().await.get());
    assert!(
        details.contains("last name: Lovelace \u{2192} King"),
        "{details}"
    );
}

#[tokio::test]
async fn deactivation_ends_a_session_and_an_api_token_in_use_and_refuses_sign_in() {
    let app = TestApp::spawn().await;
    let (user, b) = app.signed_in("ada").await;
    let tokens = app.api_login(&user.email).await;
    let access = text(&tokens, "access_token");
    assert_eq!(app.api_cart(Some(&access)).await.status(), 200);
    assert_eq!(app.get_as(&b, "/account").await.status(), 200);
    let ada = id_of(&app, "ada").await;
    let admin = app.admin().await;
    // The page asks first and says what will happen.
    let confirm = app
        .get_html(&admin, &format!("/admin/customers/{ada}/deactivate"))
        .await;
    assert!(confirm.text_of("main").contains("signed out at once"));
    assert_eq!(confirm.input_value("active").as_deref(), Some("0"));
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/customers/{ada}"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(res.status(), 303);
    // The browser that was signed in is sent to sign in on its next page; the token is dead.
    let res = app.get_as(&b, "/account").await;
    assert_eq!(res.status(), 303);
    assert!(crate::helpers::location(&res).starts_with("/login"));
    assert_token_refused(app.api_cart(Some(&access)).await).await;
    let res = app
        .api_refresh(json!({"refresh_token": text(&tokens, "refresh_token")}))
        .await;
    assert_eq!(res.status(), 401);
    // Signing in again is refused with a clear message (to whoever knows the password).
    let res = app
        .login_as(&app.new_browser(), &user.email, PASSWORD)
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("closed by the shop"));
    let res = app
        .api_login_with(json!({"email": user.email, "password": PASSWORD}))
        .await;
    assert_eq!(res.status(), 403);
    let audit: String =
        sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'deactivate'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert!(audit.starts_with("active: true \u{2192} false"), "{audit}");
    // Reactivated, they sign in again.
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/customers/{ada}"),
            &[("active", "1")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(app.can_sign_in(&user.email, PASSWORD).await);
    // A value that is neither is refused, changing nothing.
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/customers/{ada}"),
            &[("active", "maybe")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(app.can_sign_in(&user.email, PASSWORD).await);
}

#[tokio::test]
async fn staff_send_a_confirmation_or_a_reset_mail_but_never_learn_a_password() {
    let app = TestApp::spawn().await;
    let b = app.new_browser();
    app.register(&b, "late", "late@example.com").await;
    let late = id_of(&app, "late").await;
    let admin = app.admin().await;
    let before = app.mails_to("late@example.com").await.len();
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/customers/{late}/verification"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.mails_to("late@example.com").await.len(), before + 1);
    let link = app
        .link_in_mail("late@example.com", "Confirm your email")
        .await;
    assert_eq!(app.get(&link).await.status(), 303);
    // Confirmed now: resending is refused with the reason.
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/customers/{late}/verification"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("already confirmed"));
    // The reset mail carries a working link.
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/customers/{late}/password-reset"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    let link = app.link_in_mail("late@example.com", "Reset").await;
    assert!(link.starts_with("/reset-password?token="), "{link}");
    assert_eq!(app.get(&link).await.status(), 200);
}

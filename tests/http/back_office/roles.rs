//! Every `/admin` route in the access table, walked by every role: the roles the table names
//! (and admins) get an answer, everyone else 403; guests are sent to sign in.

use emporium::domain::StaffRole;
use emporium::staff::access::RULES;

use super::Fixture;
use crate::helpers::{Browser, TestApp, assert_is_redirect_to};

async fn status(app: &TestApp, b: &Browser, method: &str, path: &str) -> u16 {
    let res = if method == "GET" {
        app.get_as(b, path).await
    } else {
        app.post_form_as(b, path, &[]).await
    };
    res.status().as_u16()
}

#[tokio::test]
async fn every_admin_route_answers_the_roles_it_names_and_refuses_the_others() {
    let app = TestApp::spawn().await;
    let f = Fixture::new(&app).await;
    let mut staff = Vec::new();
    for role in StaffRole::ALL {
        let b = app.staff(&format!("{}staff", role.as_str()), &[role]).await;
        staff.push((role, b));
    }
    // Deleting the product goes last, so the other product routes still find it.
    let mut rules: Vec<_> = RULES.iter().collect();
    rules.sort_by_key(|r| r.pattern.ends_with("/delete") && r.method == "POST");
    for rule in rules {
        let path = f.path(rule.pattern);
        for (role, b) in &staff {
            let got = status(&app, b, rule.method, &path).await;
            let allowed =
                *role == StaffRole::Admin || rule.roles.is_empty() || rule.roles.contains(role);
            if allowed {
                assert_ne!(got, 403, "{} {path} refused to {role}", rule.method);
                assert!(got < 500, "{} {path} as {role}: {got}", rule.method);
            } else {
                assert_eq!(got, 403, "{} {path} allowed to {role}", rule.method);
            }
        }
        assert_eq!(
            status(&app, &f.customer_browser, rule.method, &path).await,
            403,
            "{} {path} as a customer",
            rule.method
        );
        if rule.method == "GET" {
            let res = app.get_as(&app.new_browser(), &path).await;
            assert_eq!(res.status(), 303, "{path} as a guest");
            assert!(crate::helpers::location(&res).starts_with("/login?next="));
        }
    }
}

#[tokio::test]
async fn the_menu_shows_each_role_only_its_pages_and_staff_land_on_the_dashboard() {
    let app = TestApp::spawn().await;
    let b = app.staff("sam", &[StaffRole::Support]).await;
    let page = app.get_html(&b, "/admin").await;
    assert_eq!(
        page.links(".admin-nav a"),
        ["/admin", "/admin/customers", "/admin/support"]
    );
    let b = app
        .staff("cat", &[StaffRole::Catalog, StaffRole::Orders])
        .await;
    let menu = app.get_html(&b, "/admin").await.links(".admin-nav a");
    assert!(
        menu.contains(&"/admin/products".to_string())
            && menu.contains(&"/admin/orders".to_string())
    );
    assert!(!menu.contains(&"/admin/customers".to_string()), "{menu:?}");
    // Staff land on the dashboard after signing in; customers on their account.
    let res = app
        .login_as(
            &app.new_browser(),
            "sam",
            crate::helpers::accounts::ADMIN_PASSWORD,
        )
        .await;
    assert_is_redirect_to(&res, "/admin");
    let user = app.verified_user("carol").await;
    let res = app
        .login_as(&app.new_browser(), &user.email, &user.password)
        .await;
    assert_is_redirect_to(&res, "/account");
}

#[tokio::test]
async fn an_admin_grants_and_removes_roles_but_the_last_admin_keeps_theirs() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let boss = app.admin_id().await;
    let (_, carol_browser) = app.signed_in("carol").await;
    let carol: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username_key = 'carol'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(
        app.get_as(&carol_browser, "/admin/support").await.status(),
        403
    );
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/customers/{carol}/roles"),
            &[("role_support", "1")],
        )
        .await;
    assert_eq!(res.status(), 303);
    // At once, on her next page: no new sign-in needed.
    assert_eq!(
        app.get_as(&carol_browser, "/admin/support").await.status(),
        200
    );
    assert_eq!(
        app.get_as(&carol_browser, "/admin/products").await.status(),
        403
    );
    // The change is audited with before and after.
    let details: String =
        sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'roles'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(details, "roles: customer \u{2192} support");

    // The only admin cannot take the role from themselves...
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/customers/{boss}/roles"),
            &[("role_support", "1")],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("last active administrator")
    );
    assert_eq!(app.get_as(&admin, "/admin/customers").await.status(), 200);
    // ...nor deactivate their own account.
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/customers/{boss}"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(
        app.can_sign_in("boss", crate::helpers::accounts::ADMIN_PASSWORD)
            .await
    );
    // With a second admin, they can step down.
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/customers/{carol}/roles"),
            &[("role_admin", "1")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/customers/{boss}/roles"),
            &[("role_orders", "1")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.get_as(&admin, "/admin/customers").await.status(), 403);
    assert_eq!(app.get_as(&admin, "/admin/orders").await.status(), 200);
}

#[tokio::test]
async fn two_admins_stepping_down_at_once_leave_one_admin() {
    let app = TestApp::spawn().await;
    let first = app.staff("first", &[StaffRole::Admin]).await;
    let second = app.staff("second", &[StaffRole::Admin]).await;
    let id = |name: &'static str| {
        let pool = app.state.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE username_key = $1")
                .bind(name)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let (a, b) = (id("first").await, id("second").await);
    // Each removes their own admin role (keeping support), at the same moment.
    let step_down = |browser: &crate::helpers::Browser, who: i64| {
        let path = format!("/admin/customers/{who}/roles");
        let browser = browser.clone();
        let app = &app;
        async move {
            app.post_form_as(&browser, &path, &[("role_support", "1")])
                .await
                .status()
                .as_u16()
        }
    };
    let (x, y) = tokio::join!(step_down(&first, a), step_down(&second, b));
    let mut answers = [x, y];
    answers.sort_unstable();
    assert_eq!(answers, [303, 409], "one steps down, the other is refused");
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_roles WHERE role = 'admin'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(admins, 1);
}

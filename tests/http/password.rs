use std::time::Duration;

use crate::helpers::{PASSWORD, TestApp, assert_is_redirect_to, location};

const NEW_PASSWORD: &str = "Copper-Lantern-58-Meadow";

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_the_rules() {
    let app = TestApp::spawn().await;
    let (user, b) = app.signed_in("ada").await;
    let res = app
        .post_form_as(
            &b,
            "/account/password",
            &[
                ("current_password", "Not-My-Password-1!"),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("current password is not correct")
    );
    let res = app
        .post_form_as(
            &b,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "Qwertyuiop1!"),
                ("password_confirm", "Qwertyuiop1!"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form_as(
            &b,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_confirm", "Copper-Lantern-58-Meadoww"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    // Nothing changed.
    assert!(app.can_sign_in(&user.email, PASSWORD).await);
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session() {
    let app = TestApp::spawn().await;
    let (user, a) = app.signed_in("ada").await;
    let other = app.new_browser();
    assert_eq!(
        app.login_as(&other, &user.email, PASSWORD).await.status(),
        303
    );
    let res = app
        .post_form_as(
            &a,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_is_redirect_to(&res, "/account");
    let page = app.get_as(&a, "/account").await;
    assert_eq!(
        page.status(),
        200,
        "the browser that changed it stays signed in"
    );
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("password has been changed")
    );
    assert_eq!(
        app.get_as(&other, "/account").await.status(),
        303,
        "the other session survived"
    );
    assert!(!app.can_sign_in(&user.email, PASSWORD).await);
    assert!(app.can_sign_in(&user.email, NEW_PASSWORD).await);
    assert!(
        app.mails_to(&user.email)
            .await
            .iter()
            .any(|m| m.subject == "Your password was changed")
    );
}

#[tokio::test]
async fn forgot_password_answers_the_same_whether_or_not_the_address_exists() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    let before = app.mails().await.len();
    let known = app
        .post_form("/forgot-password", &[("email", &user.email)])
        .await;
    let unknown = app
        .post_form("/forgot-password", &[("email", "nobody@example.com")])
        .await;
    let invalid = app
        .post_form("/forgot-password", &[("email", "not an email")])
        .await;
    for res in [&known, &unknown, &invalid] {
        assert_eq!(res.status(), 303);
        assert_eq!(location(res), "/login");
    }
    assert_eq!(app.mails().await.len(), before + 1);
    assert!(
        app.get("/login")
            .await
            .text()
            .await
            .unwrap()
            .contains("If an account exists")
    );
}

#[tokio::test]
async fn a_reset_link_works_once_and_ends_every_session() {
    let app = TestApp::spawn().await;
    let (user, signed_in) = app.signed_in("ada").await;
    app.post_form("/forgot-password", &[("email", &user.email)])
        .await;
    let link = app.link_in_mail(&user.email, "Reset your password").await;
    let page = app.get(&link).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let token = link.split("token=").nth(1).unwrap().to_string();
    let res = app
        .post_form(
            "/reset-password",
            &[
                ("token", &token),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        422,
        "a weak password is refused and the link stays valid"
    );
    let res = app
        .post_form(
            "/reset-password",
            &[
                ("token", &token),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_is_redirect_to(&res, "/login?reset=1");
    assert!(
        app.get("/login?reset=1")
            .await
            .text()
            .await
            .unwrap()
            .contains("password has been reset")
    );
    assert_eq!(
        app.get_as(&signed_in, "/account").await.status(),
        303,
        "old sessions must end"
    );
    assert_eq!(app.get(&link).await.status(), 400, "the link works once");
    let again = app
        .post_form(
            "/reset-password",
            &[
                ("token", &token),
                ("password", "Another-Lantern-77-Field"),
                ("password_confirm", "Another-Lantern-77-Field"),
            ],
        )
        .await;
    assert_eq!(again.status(), 400);
    assert!(!app.can_sign_in(&user.email, PASSWORD).await);
    assert!(app.can_sign_in(&user.email, NEW_PASSWORD).await);
    assert!(
        app.mails_to(&user.email)
            .await
            .iter()
            .any(|m| m.subject == "Your password was changed")
    );
}

#[tokio::test]
async fn tampered_and_expired_reset_links_are_refused() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    app.post_form("/forgot-password", &[("email", &user.email)])
        .await;
    let link = app.link_in_mail(&user.email, "Reset your password").await;
    let token = link.split("token=").nth(1).unwrap().to_string();
    let tampered = format!("{}00000", &token[..token.len() - 5]);
    let res = app
        .post_form(
            "/reset-password",
            &[
                ("token", &tampered),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
    app.state.clock.advance(Duration::from_secs(3601));
    assert_eq!(app.get(&link).await.status(), 400);
    let res = app
        .post_form(
            "/reset-password",
            &[
                ("token", &token),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(app.can_sign_in(&user.email, PASSWORD).await);
}

#[tokio::test]
async fn a_password_change_retires_an_earlier_reset_link() {
    let app = TestApp::spawn().await;
    let (user, b) = app.signed_in("ada").await;
    app.post_form("/forgot-password", &[("email", &user.email)])
        .await;
    let link = app.link_in_mail(&user.email, "Reset your password").await;
    let res = app
        .post_form_as(
            &b,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "the password change itself");
    assert_eq!(app.get(&link).await.status(), 400);
}

#[tokio::test]
async fn a_locked_out_owner_can_reset_and_sign_in() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    for _ in 0..5 {
        app.login_as(&app.new_browser(), &user.email, "Wrong-Password-123!")
            .await;
    }
    assert_eq!(
        app.login_as(&app.new_browser(), &user.email, PASSWORD)
            .await
            .status(),
        429
    );
    let res = app.reset_password(&user.email, NEW_PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert!(app.can_sign_in(&user.email, NEW_PASSWORD).await);
}

#[tokio::test]
async fn no_password_token_or_cookie_reaches_the_log() {
    let app = TestApp::spawn().await;
    let (user, b) = app.signed_in("ada").await;
    app.post_form("/forgot-password", &[("email", &user.email)])
        .await;
    let link = app.link_in_mail(&user.email, "Reset your password").await;
    let token = link.split("token=").nth(1).unwrap().to_string();
    app.get(&link).await;
    app.post_form(
        "/reset-password",
        &[
            ("token", &token),
            ("password", NEW_PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ],
    )
    .await;
    let cookie = b.cookie_header(&app.address);
    let cookie_value = cookie.split('=').nth(1).unwrap_or_default().to_string();
    let logs = crate::helpers::captured_logs();
    assert!(logs.contains("/reset-password"), "request lines are logged");
    for secret in [
        PASSWORD,
        NEW_PASSWORD,
        token.as_str(),
        cookie_value.as_str(),
    ] {
        assert!(
            !secret.is_empty() && !logs.contains(secret),
            "a secret reached the log"
        );
    }
}

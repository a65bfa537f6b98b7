use std::time::Duration;

use crate::helpers::{PASSWORD, TestApp, assert_is_redirect_to, location};

#[tokio::test]
async fn an_unverified_account_cannot_sign_in_and_is_offered_a_new_link() {
    let app = TestApp::spawn().await;
    app.register(&app.new_browser(), "ada", "ada@example.com")
        .await;
    let res = app
        .login_as(&app.browser, "ada@example.com", PASSWORD)
        .await;
    assert_eq!(res.status(), 403);
    let html = res.text().await.unwrap();
    assert!(html.contains("confirm your email address"));
    assert!(html.contains(r#"action="/verify-email/resend""#));
    // A wrong password says nothing about verification.
    let res = app
        .login_as(&app.browser, "ada@example.com", "Wrong-Password-123!")
        .await;
    assert_eq!(res.status(), 422);
    assert!(!res.text().await.unwrap().contains("confirm your email"));
}

#[tokio::test]
async fn the_link_verifies_once_and_then_sign_in_works() {
    let app = TestApp::spawn().await;
    app.register(&app.new_browser(), "ada", "ada@example.com")
        .await;
    let link = app
        .link_in_mail("ada@example.com", "Confirm your email")
        .await;
    let res = app.get(&link).await;
    assert_is_redirect_to(&res, "/login");
    assert!(
        app.get("/login")
            .await
            .text()
            .await
            .unwrap()
            .contains("email address is confirmed")
    );
    let again = app.get(&link).await;
    assert_eq!(again.status(), 400);
    assert!(again.text().await.unwrap().contains("not valid"));
    let res = app.login_as(&app.browser, "ada", PASSWORD).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn tampered_and_expired_links_do_not_verify() {
    let app = TestApp::spawn().await;
    app.register(&app.new_browser(), "ada", "ada@example.com")
        .await;
    let link = app
        .link_in_mail("ada@example.com", "Confirm your email")
        .await;
    let mut tampered = link.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    assert_eq!(app.get(&tampered).await.status(), 400);
    assert_eq!(app.get("/verify-email").await.status(), 400);
    assert_eq!(app.get("/verify-email?token=%00%ff").await.status(), 400);
    app.state.clock.advance(Duration::from_secs(24 * 3600 + 1));
    assert_eq!(app.get(&link).await.status(), 400);
    assert_eq!(
        app.login_as(&app.browser, "ada", PASSWORD).await.status(),
        403
    );
}

#[tokio::test]
async fn resend_answers_the_same_for_any_address_and_only_the_newest_link_works() {
    let app = TestApp::spawn().await;
    app.register(&app.new_browser(), "ada", "ada@example.com")
        .await;
    let first = app
        .link_in_mail("ada@example.com", "Confirm your email")
        .await;
    let known = app
        .post_form("/verify-email/resend", &[("email", "ada@example.com")])
        .await;
    let unknown = app
        .post_form("/verify-email/resend", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(known.status(), 303);
    assert_eq!(unknown.status(), 303);
    assert_eq!(location(&known), location(&unknown));
    assert_eq!(app.mails_to("ada@example.com").await.len(), 2);
    assert!(app.mails_to("nobody@example.com").await.is_empty());
    let second = app
        .link_in_mail("ada@example.com", "Confirm your email")
        .await;
    assert_ne!(first, second);
    assert_eq!(app.get(&first).await.status(), 400);
    assert_eq!(app.get(&second).await.status(), 303);
}

#[tokio::test]
async fn resend_mails_are_limited_per_address() {
    let app = TestApp::spawn_with(|s| s.security.emails_per_address_per_hour = 2).await;
    app.register(&app.new_browser(), "ada", "ada@example.com")
        .await;
    for _ in 0..4 {
        let res = app
            .post_form("/verify-email/resend", &[("email", "ada@example.com")])
            .await;
        assert_eq!(res.status(), 303);
    }
    // One from registration plus two resends.
    assert_eq!(app.mails_to("ada@example.com").await.len(), 3);
}

#[tokio::test]
async fn links_use_the_configured_base_url_not_the_host_header() {
    let app = TestApp::spawn_with(|s| s.server.base_url = "https://shop.example".into()).await;
    let b = app.new_browser();
    let token = app.csrf_token(&b).await;
    let mut fields = crate::helpers::registration_fields("ada", "ada@example.com");
    fields.push(("csrf_token", token));
    let res = b
        .client
        .post(app.url("/register"))
        .header("X-Forwarded-Host", "evil.example")
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let mail = &app.mails_to("ada@example.com").await[0];
    assert!(mail.links()[0].starts_with("https://shop.example/verify-email?token="));
    assert!(!mail.text.contains("evil.example"));
}

#[tokio::test]
async fn mail_failure_does_not_lose_the_registration() {
    // An SMTP server that is not there: the account is still created and resend works later.
    let app = TestApp::spawn_with(|s| {
        s.email.transport = emporium::config::EmailTransportKind::Smtp;
        s.email.smtp_host = "127.0.0.1".into();
        s.email.smtp_port = 9; // discard port; nothing listens
        s.email.smtp_timeout_seconds = 2;
    })
    .await;
    let res = app
        .register(&app.new_browser(), "ada", "ada@example.com")
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.user_count().await, 1);
    app.deliver_mail().await;
    // Kept for another attempt, with the reason, not lost.
    let (status, attempts, error): (String, i64, Option<String>) = sqlx::query_as(
        "SELECT status, attempts, last_error FROM mail_queue WHERE recipient = 'ada@example.com'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert!(error.is_some());
    assert!(crate::helpers::captured_logs().contains("mail not delivered"));
}

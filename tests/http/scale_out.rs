//! Several instances on one database: they start together safely, share the keys they generate,
//! and behind a load balancer the client's address comes from a trusted proxy's headers only.

use emporium::config::Networks;

use crate::helpers::TestApp;

/// A failed sign-in (unknown account, a new one each time) as sent through a proxy that says
/// the client is `forwarded`; returns the status.
async fn fail_sign_in(app: &TestApp, n: usize, forwarded: &str) -> u16 {
    let b = app.new_browser();
    let token = app.csrf_token(&b).await;
    let email = format!("nobody{n}@example.com");
    b.client
        .post(app.url("/login"))
        .header("x-forwarded-for", forwarded)
        .form(&[
            ("email", email.as_str()),
            ("password", "Wrong-Pass-123"),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn only_a_trusted_proxy_names_the_client_for_throttling_and_audit() {
    // Nobody trusted: the header is ignored, so changing it does not escape the address's lock.
    let app = TestApp::spawn_with(|s| s.security.login_failures_per_ip = 2).await;
    assert_eq!(fail_sign_in(&app, 1, "198.51.100.1").await, 422);
    assert_eq!(fail_sign_in(&app, 2, "198.51.100.2").await, 422);
    assert_eq!(fail_sign_in(&app, 3, "198.51.100.3").await, 429);

    // The load balancer on 127.0.0.1 is trusted: each client has its own counter, and a forged
    // address prepended by the client changes nothing (the proxy appends what it saw).
    let app = TestApp::spawn_with(|s| {
        s.security.login_failures_per_ip = 2;
        s.server.trusted_proxies = Networks::parse(&["127.0.0.1/32".into()]).unwrap();
    })
    .await;
    assert_eq!(fail_sign_in(&app, 1, "203.0.113.1").await, 422);
    assert_eq!(fail_sign_in(&app, 2, "203.0.113.1").await, 422);
    assert_eq!(fail_sign_in(&app, 3, "203.0.113.1").await, 429);
    assert_eq!(fail_sign_in(&app, 4, "6.6.6.6, 203.0.113.1").await, 429);
    assert_eq!(fail_sign_in(&app, 5, "6.6.6.6, 203.0.113.2").await, 422);
    let seen: Vec<String> = sqlx::query_scalar("SELECT DISTINCT ip FROM auth_events ORDER BY ip")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(seen, ["203.0.113.1", "203.0.113.2"]);
}


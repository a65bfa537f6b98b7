use crate::helpers::{PASSWORD, TestApp, registration_fields};

#[tokio::test]
async fn posts_without_a_valid_token_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    let other = app.new_browser();
    let foreign_token = app.csrf_token(&other).await;
    let b = app.new_browser();
    let own_token = app.csrf_token(&b).await;
    let wrong_same_length = "0".repeat(own_token.len());
    let fields = registration_fields("mallory", "mallory@example.com");
    for token in [
        None,
        Some(""),
        Some(foreign_token.as_str()),
        Some(wrong_same_length.as_str()),
    ] {
        let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if let Some(t) = token {
            form.push(("csrf_token", t));
        }
        let res = b
            .client
            .post(app.url("/register"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "token {token:?}");
        assert!(res.text().await.unwrap().contains("reload the page"));
        let res = b
            .client
            .post(app.url("/login"))
            .form(&[
                ("email", user.email.as_str()),
                ("password", PASSWORD),
                ("csrf_token", token.unwrap_or("")),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }
    assert_eq!(app.user_count().await, 1);
    assert_eq!(
        app.get_as(&b, "/account").await.status(),
        303,
        "signed in without a token"
    );
    assert!(crate::helpers::captured_logs().contains("request refused by CSRF protection"));
}

#[tokio::test]
async fn sign_out_needs_the_token_too() {
    let app = TestApp::spawn().await;
    let (_, b) = app.signed_in("ada").await;
    let res = b.client.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(app.get_as(&b, "/account").await.status(), 200);
}

#[tokio::test]
async fn cross_origin_posts_are_refused_even_with_a_token() {
    let app = TestApp::spawn().await;
    let (_, b) = app.signed_in("ada").await;
    let token = app.csrf_token(&b).await;
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let res = b
            .client
            .post(app.url("/logout"))
            .header(name, value)
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{name}: {value}");
    }
    assert_eq!(app.get_as(&b, "/account").await.status(), 200);
    let res = b
        .client
        .post(app.url("/logout"))
        .header("origin", &app.address)
        .header("sec-fetch-site", "same-origin")
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn the_token_before_sign_in_no_longer_works_after() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    let b = app.new_browser();
    let old = app.csrf_token(&b).await;
    let res = app.login_as(&b, &user.email, PASSWORD).await;
    assert_eq!(res.status(), 303, "signed in");
    let res = b
        .client
        .post(app.url("/logout"))
        .form(&[("csrf_token", old.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

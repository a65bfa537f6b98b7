use std::time::Duration;

use crate::helpers::{PASSWORD, TestApp, extract_csrf, location};

#[tokio::test]
async fn sign_in_works_with_email_or_username_in_any_case() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("Ada").await;
    for login in [
        user.email.to_uppercase(),
        "ada".to_string(),
        "ADA".to_string(),
    ] {
        let b = app.new_browser();
        let res = app.login_as(&b, &login, PASSWORD).await;
        assert_eq!(res.status(), 303, "{login}");
        assert_eq!(location(&res), "/account");
        let page = app.get_as(&b, "/account").await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("ada@example.com"));
    }
}

#[tokio::test]
async fn unknown_account_and_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.verified_user("ada").await;
    let wrong = app
        .login_as(&app.new_browser(), "ada@example.com", "Wrong-Password-123!")
        .await;
    let unknown = app
        .login_as(
            &app.new_browser(),
            "nobody@example.com",
            "Wrong-Password-123!",
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert_eq!(unknown.status(), 422);
    let normalise = |html: String, login: &str| {
        let token = extract_csrf(&html).unwrap();
        html.replace(&token, "TOKEN").replace(login, "LOGIN")
    };
    let a = normalise(wrong.text().await.unwrap(), "ada@example.com");
    let b = normalise(unknown.text().await.unwrap(), "nobody@example.com");
    assert_eq!(a, b);
    assert!(a.contains("username or password is not correct"));
}

#[tokio::test]
async fn next_returns_only_to_local_paths() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    for (next, expected) in [
        ("/account/profile", "/account/profile"),
        ("//evil.example", "/account"),
        ("https://evil.example/", "/account"),
        ("/\\evil.example", "/account"),
        ("javascript:alert(1)", "/account"),
    ] {
        let b = app.new_browser();
        let res = app
            .post_form_as(
                &b,
                "/login",
                &[
                    ("email", &user.email),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), expected, "next={next}");
    }
    // The login page carries a valid next into its form, and drops a foreign one.
    let html = app
        .get("/login?next=%2Faccount%2Fpassword")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"name="next" value="/account/password""#));
    let html = app
        .get("/login?next=%2F%2Fevil.example")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"name="next" value="""#));
}

#[tokio::test]
async fn the_session_is_renewed_at_sign_in() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    let b = app.new_browser();
    let before_token = app.csrf_token(&b).await;
    let before = b.cookie_header(&app.address);
    assert!(!before.is_empty(), "a guest with a form has a session");
    let res = b
        .client
        .post(app.url("/login"))
        .form(&[
            ("email", user.email.as_str()),
            ("password", PASSWORD),
            ("csrf_token", &before_token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let after = b.cookie_header(&app.address);
    assert_ne!(before, after);
    // The pre-login cookie (a fixation attempt) is not signed in.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/account"))
        .header("cookie", before)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // The CSRF token rotated too.
    assert_ne!(app.csrf_token(&b).await, before_token);
}

#[tokio::test]
async fn an_account_is_locked_after_five_failures_even_for_the_right_password_until_the_window_ends()
 {
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    // The form warns once two or fewer attempts remain.
    for i in 0..5 {
        let res = app
            .login_as(&app.browser, &user.email, "Wrong-Password-123!")
            .await;
        assert_eq!(res.status(), 422);
        let text = res.text().await.unwrap();
        let warned = match i {
            0..=1 => !text.contains("attempt"),
            2 => text.contains("2 attempts left before sign-in is paused for 15 minutes"),
            3 => text.contains("One attempt left"),
            _ => !text.contains("attempts left"),
        };
        assert!(warned, "attempt {i}: {text}");
    }
    // The owner is told once, with a link that resets the password (and ends the pause).
    let mails: Vec<_> = app
        .mails_to(&user.email)
        .await
        .into_iter()
        .filter(|m| m.subject == "Someone tried to sign in to your account")
        .collect();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].links()[0].contains("/reset-password?token="));
    let res = app.login_as(&app.browser, &user.email, PASSWORD).await;
    assert_eq!(res.status(), 429);
    let retry: i64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 14 * 60 && retry <= 15 * 60, "{retry}");
    // The pause page keeps the form and the way out, and says when in the shop's time zone.
    let page = crate::helpers::Html::parse(&res.text().await.unwrap());
    let said = page.text_of(".error-summary");
    assert!(said.contains("paused for 15 minutes, until "), "{said}");
    assert!(said.contains("(Europe/Berlin)"), "{said}");
    assert!(!page.select("form[action='/login'] #password").is_empty());
    assert!(
        page.links("main a")
            .contains(&"/forgot-password".to_string())
    );
    assert_eq!(
        page.input_value("email").as_deref(),
        Some(user.email.as_str())
    );
    // More attempts during the pause send no more mail.
    app.login_as(&app.browser, &user.email, "Wrong-Password-123!")
        .await;
    let more = app
        .mails_to(&user.email)
        .await
        .into_iter()
        .filter(|m| m.subject == "Someone tried to sign in to your account")
        .count();
    assert_eq!(more, 1);
    // The username and look-alike spellings count for the same account.
    for variant in ["ADA", " ada ", "ⓐⓓⓐ"] {
        assert_eq!(
            app.login_as(&app.new_browser(), variant, PASSWORD)
                .await
                .status(),
            429,
            "{variant}"
        );
    }
    app.state.clock.advance(Duration::from_secs(14 * 60));
    assert_eq!(
        app.login_as(&app.browser, &user.email, PASSWORD)
            .await
            .status(),
        429
    );
    app.state.clock.advance(Duration::from_secs(61));
    assert_eq!(
        app.login_as(&app.browser, &user.email, PASSWORD)
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn a_success_resets_the_account_counter() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    for _ in 0..4 {
        app.login_as(&app.new_browser(), &user.email, "Wrong-Password-123!")
            .await;
    }
    assert!(app.can_sign_in(&user.email, PASSWORD).await);
    for _ in 0..4 {
        assert!(!app.can_sign_in(&user.email, "Wrong-Password-123!").await);
    }
    assert!(app.can_sign_in(&user.email, PASSWORD).await);
}

#[tokio::test]
async fn one_address_is_locked_after_twenty_failures_across_accounts() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    for i in 0..20 {
        let res = app
            .login_as(
                &app.browser,
                &format!("nobody{i}@example.com"),
                "Wrong-Password-123!",
            )
            .await;
        assert_eq!(res.status(), 422);
    }
    let res = app
        .login_as(&app.new_browser(), &user.email, PASSWORD)
        .await;
    assert_eq!(res.status(), 429);
    // Forged forwarding headers do not change the address that is counted.
    let b = app.new_browser();
    let token = app.csrf_token(&b).await;
    let res = b
        .client
        .post(app.url("/login"))
        .header("X-Forwarded-For", "203.0.113.9")
        .header("Forwarded", "for=203.0.113.9")
        .form(&[
            ("email", user.email.as_str()),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    app.state.clock.advance(Duration::from_secs(15 * 60 + 1));
    assert!(app.can_sign_in(&user.email, PASSWORD).await);
}

#[tokio::test]
async fn every_attempt_is_audited_without_the_password() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    app.login_as(&app.new_browser(), &user.email, "Wrong-Password-123!")
        .await;
    app.login_as(&app.new_browser(), &user.email, PASSWORD)
        .await;
    let rows: Vec<(String, Option<i64>, String)> = sqlx::query_as(
        "SELECT event, user_id, ip FROM auth_events WHERE event LIKE 'login%' ORDER BY id",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    let events: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(events, ["login_failure", "login_success"]);
    assert!(rows.iter().all(|r| r.1.is_some() && r.2 == "127.0.0.1"));
    let logs = crate::helpers::captured_logs();
    assert!(logs.contains("sign-in failed") && logs.contains("signed in"));
    assert!(!logs.contains("Wrong-Password-123!"));
}

#[tokio::test]
async fn an_older_hash_is_upgraded_at_sign_in() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    use argon2::password_hash::PasswordHasher;
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(8192, 1, 1, None).unwrap(),
    )
    .hash_password(PASSWORD.as_bytes())
    .unwrap()
    .to_string();
    sqlx::query("UPDATE users SET password_hash = $1")
        .bind(&weak)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert!(app.can_sign_in(&user.email, PASSWORD).await);
    let now: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(now.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{now}");
}

#[tokio::test]
async fn a_deactivated_account_cannot_sign_in_and_its_sessions_end() {
    let app = TestApp::spawn().await;
    let (user, b) = app.signed_in("ada").await;
    app.exec("UPDATE users SET active = 0").await;
    let res = app.get_as(&b, "/account").await;
    assert_eq!(res.status(), 303);
    // Whoever knows the password learns why; a wrong guess learns nothing new.
    let res = app
        .login_as(&app.new_browser(), &user.email, PASSWORD)
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("closed by the shop"));
    let res = app
        .login_as(&app.new_browser(), &user.email, "Wrong-Guess-12-Harbour")
        .await;
    assert_eq!(res.status(), 422);
    assert!(!res.text().await.unwrap().contains("closed by the shop"));
}

async fn failures_checked(app: &TestApp) -> i64 {
    // One `login_failure` is written for each password that was checked and was wrong.
    sqlx::query_scalar("SELECT COUNT(*) FROM auth_events WHERE event = 'login_failure'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn simultaneous_wrong_passwords_never_check_more_than_the_limit() {
    let app = TestApp::spawn().await;
    let email = app.api_customer("ada").await;
    // 40 guesses at once through the API and 20 through the page, from one address.
    let api = (0..40).map(|i| {
        let app = &app;
        let email = email.clone();
        async move {
            app.api_login_with(
                serde_json::json!({"email": email, "password": format!("Guess-{i}-wrong!")}),
            )
            .await
            .status()
            .as_u16()
        }
    });
    let page = (0..20).map(|i| {
        let app = &app;
        let email = email.clone();
        async move {
            app.login_as(&app.new_browser(), &email, &format!("Guess-{i}-page!"))
                .await
                .status()
                .as_u16()
        }
    });
    let (api, page) = tokio::join!(
        futures_util::future::join_all(api),
        futures_util::future::join_all(page)
    );
    let limit = i64::from(app.state.settings.security.login_failures_per_account);
    assert!(
        failures_checked(&app).await <= limit,
        "more than {limit} passwords were checked"
    );
    assert!(api.iter().all(|s| *s == 401 || *s == 429), "{api:?}");
    assert!(page.iter().all(|s| *s == 422 || *s == 429), "{page:?}");
    // Locked now, even for the right password.
    assert!(!app.can_sign_in(&email, PASSWORD).await);
}

#[tokio::test]
async fn simultaneous_password_confirmations_never_check_more_than_the_limit() {
    let app = TestApp::spawn().await;
    let token = app.api_token("ada").await;
    let guesses = (0..30).map(|i| {
        let app = &app;
        let token = token.clone();
        async move {
            app.api_update_me(
                Some(&token),
                serde_json::json!({"email": "thief@example.com", "current_password": format!("Guess-{i}-wrong!")}),
            )
            .await
            .status()
            .as_u16()
        }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let limit = i64::from(app.state.settings.security.login_failures_per_account);
    assert!(failures_checked(&app).await <= limit);
    assert!(
        answers.iter().all(|s| *s == 400 || *s == 429),
        "{answers:?}"
    );
    assert!(answers.contains(&429));
}

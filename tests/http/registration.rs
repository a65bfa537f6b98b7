use crate::helpers::{PASSWORD, TestApp, assert_is_redirect_to, registration_fields};

async fn post_registration(app: &TestApp, overrides: &[(&str, &str)]) -> reqwest::Response {
    let mut fields = registration_fields("ada", "ada@example.com");
    for (k, v) in overrides {
        if let Some(f) = fields.iter_mut().find(|(name, _)| name == k) {
            f.1 = v.to_string();
        }
    }
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form("/register", &refs).await
}

#[tokio::test]
async fn every_invalid_field_is_refused_with_its_message_and_values_kept() {
    let app = TestApp::spawn().await;
    let too_long = "x".repeat(101);
    let cases: Vec<(&str, String, &str)> = vec![
        ("username", "ab".into(), "3 to 32 characters"),
        ("username", "bad name!".into(), "only letters, digits"),
        ("username", "".into(), "Choose a username"),
        ("email", "not-an-email".into(), "valid email address"),
        ("email", "".into(), "Enter your email address"),
        ("first_name", "   ".into(), "Enter your first name"),
        ("last_name", too_long.clone(), "at most 100 characters"),
        ("address", "".into(), "Enter your address"),
        ("phone", "0170 1234567".into(), "international form"),
        ("phone", "+12".into(), "international form"),
        (
            "title",
            "Professor Doctor Honourable".into(),
            "at most 20 characters",
        ),
        ("birthday", "1990-02-30".into(), "real date"),
        ("birthday", "2099-01-01".into(), "in the past"),
        ("birthday", "2020-01-01".into(), "at least 13"),
        ("password", "Short1!".into(), "at least 12 characters"),
        (
            "password",
            "velvet-harbor-93-quartz".into(),
            "upper-case letter",
        ),
        (
            "password",
            "VELVET-HARBOR-93-QUARTZ".into(),
            "lower-case letter",
        ),
        ("password", "Velvet-Harbor-Quartz".into(), "digit"),
        (
            "password",
            "VelvetHarbor93Quartz".into(),
            "not a letter or digit",
        ),
        ("password", "Ada-Velvet-93-Harbor".into(), "username"),
        ("password", "Qwertyuiop1!".into(), "too easy to guess"),
        (
            "password_confirm",
            "Something-Else-42!".into(),
            "do not match",
        ),
    ];
    for (field, value, message) in cases {
        let mut overrides = vec![(field, value.as_str())];
        if field == "password" {
            overrides.push(("password_confirm", value.as_str()));
        }
        let res = post_registration(&app, &overrides).await;
        assert_eq!(res.status(), 422, "{field}={value:?} was accepted");
        let html = res.text().await.unwrap();
        assert!(
            html.contains(message),
            "{field}={value:?}: no message {message:?}"
        );
        assert!(
            html.contains(r#"aria-invalid="true""#),
            "{field}: error not tied to a field"
        );
        if field != "first_name" {
            assert!(
                html.contains(r#"value="Ada""#),
                "{field}: entered values were not kept"
            );
        }
        assert!(
            !html.contains(PASSWORD),
            "{field}: the password was echoed back"
        );
    }
    assert_eq!(app.user_count().await, 0);
    assert!(app.mails().await.is_empty());
}

#[tokio::test]
async fn a_common_password_and_one_containing_the_email_are_refused() {
    let app = TestApp::spawn().await;
    // From the shipped list, long enough to pass the length rule.
    for (pw, why) in [
        ("Qwertyuiop123!", "too easy"),
        ("xX-ada@example-93", "email address"),
    ] {
        let res = post_registration(&app, &[("password", pw), ("password_confirm", pw)]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains(why), "{pw}");
    }
    let policy = &app.state.policy;
    assert!(
        policy.is_common("iloveyou"),
        "the common-password list is not loaded"
    );
}

#[tokio::test]
async fn registration_creates_an_unverified_account_and_mails_a_link() {
    let app = TestApp::spawn().await;
    let res = post_registration(&app, &[]).await;
    assert_is_redirect_to(&res, "/login");
    let page = app.get("/login").await.text().await.unwrap();
    assert!(
        page.contains("confirmation link is on its way to ada@example.com"),
        "no flash message"
    );
    assert_eq!(app.user_count().await, 1);
    let mails = app.mails_to("ada@example.com").await;
    assert_eq!(mails.len(), 1);
    assert!(
        !mails[0].html.is_empty() && !mails[0].text.is_empty(),
        "mail needs text and HTML"
    );
    let link = app
        .link_in_mail("ada@example.com", "Confirm your email")
        .await;
    assert!(link.starts_with("/verify-email?token="));
    assert!(
        link.len() >= "/verify-email?token=".len() + 32,
        "token shorter than 128 bits"
    );
    // Stored only as a hash.
    let token = link.split('=').nth(1).unwrap();
    let raw: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM email_tokens WHERE token_hash = $1")
        .bind(token)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(raw, 0);
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    let email: String = sqlx::query_scalar("SELECT email FROM users")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(email, "ada@example.com");
}

#[tokio::test]
async fn email_is_stored_trimmed_and_lower_cased_and_phone_normalised() {
    let app = TestApp::spawn().await;
    let res = post_registration(
        &app,
        &[
            ("email", "  Ada.L@Example.COM "),
            ("phone", "+49 170-123 4567"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (email, phone): (String, String) = sqlx::query_as("SELECT email, phone FROM users")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(email, "ada.l@example.com");
    assert_eq!(phone, "+491701234567");
}

#[tokio::test]
async fn username_and_email_are_unique_regardless_of_case() {
    let app = TestApp::spawn().await;
    assert_eq!(post_registration(&app, &[]).await.status(), 303);
    let res = post_registration(&app, &[("username", "ADA"), ("email", "other@example.com")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("username is taken"));
    let res = post_registration(&app, &[("username", "other"), ("email", "ADA@EXAMPLE.COM")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already exists"));
    assert_eq!(app.user_count().await, 1);
}

#[tokio::test]
async fn simultaneous_registrations_with_one_email_give_one_account_and_one_form_error() {
    let app = TestApp::spawn().await;
    let mut tasks = Vec::new();
    for i in 0..6 {
        let b = app.new_browser();
        let token = app.csrf_token(&b).await;
        let mut fields = registration_fields(&format!("racer{i}"), "race@example.com");
        fields.push(("csrf_token", token));
        let url = app.url("/register");
        tasks.push(tokio::spawn(async move {
            b.client
                .post(url)
                .form(&fields)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 303 || *s == 422),
        "{statuses:?}"
    );
    assert_eq!(app.user_count().await, 1);
}

#[tokio::test]
async fn extra_fields_cannot_make_an_admin_or_a_verified_account() {
    let app = TestApp::spawn().await;
    let mut fields = registration_fields("mallory", "mallory@example.com");
    for (k, v) in [
        ("role", "admin"),
        ("is_admin", "true"),
        ("email_verified_at", "1"),
        ("active", "1"),
    ] {
        fields.push((k, v.to_string()));
    }
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.post_form("/register", &refs).await.status(), 303);
    let (roles, verified): (i64, Option<i64>) =
        sqlx::query_as("SELECT (SELECT COUNT(*) FROM staff_roles), email_verified_at FROM users")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(roles, 0, "no staff role");
    assert_eq!(verified, None);
}

#[tokio::test]
async fn registrations_per_ip_are_limited() {
    let app = TestApp::spawn_with(|s| s.security.registrations_per_ip_per_hour = 2).await;
    for i in 0..2 {
        let res = app
            .register(
                &app.new_browser(),
                &format!("user{i}"),
                &format!("u{i}@example.com"),
            )
            .await;
        assert_eq!(res.status(), 303);
    }
    let res = app
        .register(&app.new_browser(), "user3", "u3@example.com")
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("try again in"));
    assert_eq!(app.user_count().await, 2);
}

#[tokio::test]
async fn registration_page_labels_every_field() {
    let app = TestApp::spawn().await;
    let html = app.get("/register").await.text().await.unwrap();
    for name in [
        "username",
        "first_name",
        "last_name",
        "email",
        "password",
        "password_confirm",
        "address",
        "phone",
        "title",
        "birthday",
    ] {
        assert!(
            html.contains(&format!(r#"name="{name}""#)),
            "no field {name}"
        );
        assert!(
            html.contains(&format!(r#"<label for="{name}">"#)),
            "no label for {name}"
        );
    }
    assert!(html.contains(r#"autocomplete="new-password""#));
}

#[tokio::test]
async fn names_stay_on_one_line_and_passwords_avoid_the_shops_name() {
    let app = TestApp::spawn().await;
    let res = post_registration(
        &app,
        &[
            ("first_name", "Ada\r\nBcc: victim@example.com"),
            ("last_name", "Love\u{7}lace"),
            ("password", "Emporium-Velvet-93-Quartz"),
            ("password_confirm", "Emporium-Velvet-93-Quartz"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let page = crate::helpers::Html::parse(&res.text().await.unwrap());
    let errors = page
        .texts(".field-errors li, .error-summary li")
        .join(" | ");
    assert!(errors.contains("must fit on one line"), "{errors}");
    assert!(errors.contains("not allowed"), "{errors}");
    assert!(errors.contains("shop's name"), "{errors}");
    assert_eq!(app.user_count().await, 0);
}

//! Customers and admins: registration through the form, verification by the mailed link,
//! signing in, and resetting a password the way a customer does.

use super::{Browser, TestApp, assert_is_redirect_to};

pub const PASSWORD: &str = "Velvet-Harbor-93-Quartz";

impl TestApp {
    /// Registers (through the form) with the given username and email.
    pub async fn register(&self, b: &Browser, username: &str, email: &str) -> reqwest::Response {
        let fields = registration_fields(username, email);
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post_form_as(b, "/register", &refs).await
    }

    /// A registered, verified customer (not signed in).
    pub async fn verified_user(&self, username: &str) -> TestUser {
        let email = format!("{}@example.com", username.to_lowercase());
        let b = self.new_browser();
        let res = self.register(&b, username, &email).await;
        assert_eq!(
            res.status(),
            303,
            "registration failed: {}",
            res.text().await.unwrap()
        );
        let link = self.link_in_mail(&email, "Confirm your email").await;
        let res = self.get_as(&b, &link).await;
        assert_eq!(res.status(), 303);
        TestUser {
            email,
            password: PASSWORD.to_string(),
        }
    }

    pub async fn login_as(&self, b: &Browser, login: &str, password: &str) -> reqwest::Response {
        self.post_form_as(b, "/login", &[("email", login), ("password", password)])
            .await
    }

    /// A verified customer signed in on a new browser.
    pub async fn signed_in(&self, username: &str) -> (TestUser, Browser) {
        let user = self.verified_user(username).await;
        let b = self.new_browser();
        let res = self.login_as(&b, &user.email, &user.password).await;
        assert_is_redirect_to(&res, "/account");
        (user, b)
    }

    /// True when this login and password open a new session (the sign-in form answers 303).
    pub async fn can_sign_in(&self, login: &str, password: &str) -> bool {
        let res = self.login_as(&self.new_browser(), login, password).await;
        match res.status().as_u16() {
            303 => true,
            403 | 422 | 429 => false,
            other => panic!("sign-in answered {other}"),
        }
    }

    /// The whole reset the way a customer does it: ask, open the mailed link, set the password.
    pub async fn reset_password(&self, email: &str, new_password: &str) -> reqwest::Response {
        let b = self.new_browser();
        let res = self
            .post_form_as(&b, "/forgot-password", &[("email", email)])
            .await;
        assert_eq!(res.status(), 303, "forgot-password");
        let link = self.link_in_mail(email, "Reset your password").await;
        let token = link.split("token=").nth(1).expect("a token").to_string();
        assert_eq!(self.get_as(&b, &link).await.status(), 200);
        self.post_form_as(
            &b,
            "/reset-password",
            &[
                ("token", &token),
                ("password", new_password),
                ("password_confirm", new_password),
            ],
        )
        .await
    }
}

pub struct TestUser {
    pub email: String,
    pub password: String,
}

pub fn registration_fields(username: &str, email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("username", username.to_string()),
        ("first_name", "Ada".to_string()),
        ("last_name", "Lovelace".to_string()),
        ("email", email.to_string()),
        ("password", PASSWORD.to_string()),
        ("password_confirm", PASSWORD.to_string()),
        ("address", "12 Analytical Row\n10115 Berlin".to_string()),
        ("phone", "+49 170 1234567".to_string()),
        ("title", "Dr".to_string()),
        ("birthday", "1990-12-10".to_string()),
    ]
}

pub const ADMIN_PASSWORD: &str = "Granite-Falcon-42-Orchard";

impl TestApp {
    /// An administrator signed in on a new browser.
    pub async fn admin(&self) -> Browser {
        emporium::accounts::admin::create_or_promote(
            &self.state,
            "boss@example.com",
            "boss",
            Some(ADMIN_PASSWORD),
            emporium::domain::StaffRole::Admin,
        )
        .await
        .expect("admin created");
        let b = self.new_browser();
        let res = self.login_as(&b, "boss", ADMIN_PASSWORD).await;
        assert_eq!(res.status(), 303);
        b
    }

    /// A staff member holding `roles`, signed in on a new browser.
    pub async fn staff(&self, username: &str, roles: &[emporium::domain::StaffRole]) -> Browser {
        let email = format!("{username}@example.com");
        for (i, role) in roles.iter().enumerate() {
            let password = (i == 0).then_some(ADMIN_PASSWORD);
            emporium::accounts::admin::create_or_promote(
                &self.state,
                &email,
                username,
                password,
                *role,
            )
            .await
            .expect("staff account created");
        }
        let b = self.new_browser();
        let res = self.login_as(&b, username, ADMIN_PASSWORD).await;
        assert_eq!(res.status(), 303);
        b
    }

    pub async fn admin_id(&self) -> emporium::domain::UserId {
        let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username_key = 'boss'")
            .fetch_one(self.state.db.pool())
            .await
            .expect("an admin exists");
        emporium::domain::UserId::new(id)
    }
}

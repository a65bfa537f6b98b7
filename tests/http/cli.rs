use std::io::Write;
use std::process::{Command, Stdio};

use secrecy::ExposeSecret;

use crate::helpers::TestApp;

fn emporium() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_emporium"));
    // Never pick up a developer's environment.
    c.env_remove("DATABASE_URL").env_remove("EMPORIUM_CONFIG");
    c
}

#[test]
fn help_explains_every_command() {
    let out = emporium().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for cmd in ["serve", "migrate", "create-admin", "seed-demo", "outbox"] {
        assert!(text.contains(cmd), "{cmd} missing from --help");
    }
}

#[test]
fn bad_configuration_stops_with_a_message_naming_the_key() {
    let out = emporium()
        .args(["migrate"])
        .env("EMPORIUM_SERVER__PORT", "notaport")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("server.port"), "{err}");
    assert!(!err.contains("panicked"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[security]\nlogin_lock_minutes = 0\n").unwrap();
    let out = emporium()
        .args(["--config", file.to_str().unwrap(), "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("security.login_lock_minutes"));

    // The example secret printed in config.toml is refused as a real one.
    std::fs::write(
        &file,
        "[security]\nsession_key = \"change-me-to-a-long-random-value-of-at-least-32-chars\"\n",
    )
    .unwrap();
    let out = emporium()
        .args(["--config", file.to_str().unwrap(), "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("security.session_key") && err.contains("example"),
        "{err}"
    );

    std::fs::write(&file, "[server]\nprot = 1\n").unwrap();
    let out = emporium()
        .args(["--config", file.to_str().unwrap(), "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("prot"));

    // API settings: keys shared with the session key, bad origins and lifetimes are refused.
    for (toml, key) in [
        (
            "[security]\nsession_key = \"same-secret-same-secret-same-secret-1\"\njwt_secret = \"same-secret-same-secret-same-secret-1\"\n",
            "security.jwt_secret",
        ),
        (
            "[security]\njwt_secret = \"short\"\n",
            "security.jwt_secret",
        ),
        ("[api]\ncors_origins = [\"*\"]\n", "api.cors_origins"),
        (
            "[api]\naccess_token_minutes = 0\n",
            "api.access_token_minutes",
        ),
    ] {
        std::fs::write(&file, toml).unwrap();
        let out = emporium()
            .args(["--config", file.to_str().unwrap(), "migrate"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{toml}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(key), "{toml}");
    }

    let out = emporium()
        .args(["--config", "/no/such/file.toml", "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[tokio::test]
async fn create_admin_makes_a_verified_admin_who_can_sign_in() {
    let app = TestApp::spawn().await;
    let url = app.state.settings.database.url.expose_secret().to_string();
    let run = |args: &[&str], stdin: &str| {
        let mut child = emporium()
            .args(args)
            .env("EMPORIUM_DATABASE__URL", &url)
            .env("EMPORIUM_EMAIL__OUTBOX_DIR", &app.outbox)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let weak = run(
        &[
            "create-admin",
            "--email",
            "boss@example.com",
            "--username",
            "boss",
            "--password-stdin",
        ],
        "admin\n",
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12"));
    let ok = run(
        &[
            "create-admin",
            "--email",
            "Boss@Example.com",
            "--username",
            "boss",
            "--password-stdin",
        ],
        "Granite-Falcon-42-Orchard\n",
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let res = app
        .login_as(&app.browser, "boss", "Granite-Falcon-42-Orchard")
        .await;
    assert_eq!(res.status(), 303);
    let html = app.get("/account").await.text().await.unwrap();
    assert!(
        html.contains(r#"href="/admin""#),
        "admins see the admin link"
    );

    // Promotion of an existing customer needs no password.
    let user = app.verified_user("carol").await;
    let out = run(
        &[
            "create-admin",
            "--email",
            &user.email,
            "--username",
            "carol",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let roles = |email: String| {
        let pool = app.state.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT r.role FROM staff_roles r JOIN users u ON u.id = r.user_id \
                 WHERE u.email = $1 ORDER BY r.role",
            )
            .bind(email)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(roles(user.email.clone()).await, ["admin"]);

    // `--role` gives one of the other staff roles; an unknown one is refused and named.
    let dave = app.verified_user("dave").await;
    let args = |role: &'static str| {
        vec![
            "create-admin".to_string(),
            "--email".into(),
            dave.email.clone(),
            "--username".into(),
            "dave".into(),
            "--role".into(),
            role.into(),
        ]
    };
    let wrong = run(
        &args("root").iter().map(String::as_str).collect::<Vec<_>>(),
        "",
    );
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("catalog"));
    let out = run(
        &args("support")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(roles(dave.email.clone()).await, ["support"]);

    // `emporium outbox` shows the verification link of the newest mail.
    let out = run(&["outbox", "--count", "1"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("To:      dave@example.com") && text.contains("/verify-email?token="),
        "{text}"
    );
}

#[tokio::test]
async fn migrate_applies_the_schema() {
    let app = TestApp::spawn().await;
    let url = app.state.settings.database.url.expose_secret().to_string();
    let out = emporium()
        .arg("migrate")
        .env("EMPORIUM_DATABASE__URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied"));
}

//! The SMTP path, against a small SMTP sink on loopback that records what it receives.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::TestApp;

async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    smtp_server(Arc::new(AtomicBool::new(true))).await
}

/// An SMTP server on a loopback port of its own (held for the whole test, so no other test can
/// take it). While `up` is false it turns every client away (`421`), as a server that is down;
/// then it records what it receives.
async fn smtp_server(up: Arc<AtomicBool>) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            let up = up.load(Ordering::SeqCst);
            tokio::spawn(async move {
                let (r, mut w) = socket.into_split();
                if !up {
                    w.write_all(b"421 down for maintenance\r\n").await.ok();
                    return;
                }
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.ok();
                let mut in_data = false;
                let mut data = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store.lock().unwrap().push(std::mem::take(&mut data));
                            w.write_all(b"250 queued\r\n").await.ok();
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            w.write_all(b"221 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    w.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, received)
}

#[tokio::test]
async fn registration_mail_goes_out_over_smtp() {
    let (port, received) = smtp_sink().await;
    let app = TestApp::spawn_with(|s| {
        s.email.transport = emporium::config::EmailTransportKind::Smtp;
        s.email.smtp_host = "127.0.0.1".into();
        s.email.smtp_port = port;
    })
    .await;
    let res = app
        .register(&app.new_browser(), "ada", "ada@example.com")
        .await;
    assert_eq!(res.status(), 303);
    app.deliver_mail().await;
    let mails = received.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.contains("To: ada@example.com"));
    assert!(mail.contains("Subject: Confirm your email address"));
    assert!(mail.contains("multipart/alternative") && mail.contains("text/html"));
}

/// The store sending its mail to an SMTP server on this loopback port.
async fn smtp_app(port: u16, timeout_seconds: u64) -> TestApp {
    TestApp::spawn_with(|s| {
        s.email.transport = emporium::config::EmailTransportKind::Smtp;
        s.email.smtp_host = "127.0.0.1".into();
        s.email.smtp_port = port;
        s.email.smtp_timeout_seconds = timeout_seconds;
    })
    .await
}

/// A mail server that accepts connections and never says a word.
async fn stalled_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    port
}

async fn queued(app: &TestApp, to: &str) -> (String, i64) {
    sqlx::query_as("SELECT status, attempts FROM mail_queue WHERE recipient = $1 ORDER BY id DESC")
        .bind(to)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_stalled_mail_server_delays_mail_but_never_a_page() {
    let port = stalled_server().await;
    // Far longer than the guard below: a page that waited for mail would time out here.
    let app = smtp_app(port, 600).await;
    let guard = std::time::Duration::from_secs(20);
    let res = tokio::time::timeout(
        guard,
        app.register(&app.new_browser(), "ada", "ada@example.com"),
    )
    .await
    .expect("registration answered without waiting for the mail server");
    assert_eq!(res.status(), 303);
    let res = tokio::time::timeout(
        guard,
        app.post_form("/forgot-password", &[("email", "ada@example.com")]),
    )
    .await
    .expect("forgot-password answered without waiting for the mail server");
    assert_eq!(res.status(), 303);
    // Both mails wait in the queue (the worker may be holding one in its stalled conversation).
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_queue WHERE recipient = 'ada@example.com' AND status = 'queued'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(n, 2);
}

#[tokio::test]
async fn mail_is_retried_until_the_server_is_back() {
    let up = Arc::new(AtomicBool::new(false));
    let (port, received) = smtp_server(up.clone()).await;
    let app = smtp_app(port, 2).await;
    let res = app
        .register(&app.new_browser(), "ada", "ada@example.com")
        .await;
    assert_eq!(res.status(), 303);
    app.deliver_mail().await;
    assert_eq!(queued(&app, "ada@example.com").await, ("queued".into(), 1));

    // The server comes back; after the back-off the mail goes out, once.
    up.store(true, Ordering::SeqCst);
    app.deliver_mail().await;
    assert!(received.lock().unwrap().is_empty(), "not before its time");
    app.state.clock.advance(std::time::Duration::from_secs(31));
    app.deliver_mail().await;
    assert_eq!(received.lock().unwrap().len(), 1);
    assert_eq!(queued(&app, "ada@example.com").await.0, "sent");
}

#[tokio::test]
async fn mail_that_keeps_failing_is_shown_to_the_staff() {
    let (port, _) = smtp_server(Arc::new(AtomicBool::new(false))).await;
    let app = smtp_app(port, 2).await;
    app.register(&app.new_browser(), "ada", "ada@example.com")
        .await;
    for _ in 0..emporium::email::queue::MAX_ATTEMPTS {
        app.deliver_mail().await;
        app.state
            .clock
            .advance(std::time::Duration::from_secs(4 * 3600));
    }
    app.deliver_mail().await;
    assert_eq!(
        queued(&app, "ada@example.com").await,
        ("failed".into(), emporium::email::queue::MAX_ATTEMPTS)
    );
    let admin = app.admin().await;
    let page = app.get_html(&admin, "/admin").await;
    let problems = page.texts(".mail-problems td");
    assert!(
        problems.iter().any(|t| t.contains("ada@example.com")),
        "{problems:?}"
    );
}

/// Two workers read the same due mail; one tries and fails it. The other's claim, made after
/// that, must not try it again before its back-off ends (it did: the attempts ran ahead).
#[tokio::test]
async fn a_worker_with_a_stale_read_does_not_retry_a_mail_before_its_back_off() {
    use emporium::db::mail_queue;
    let app = TestApp::spawn().await;
    let pool = app.state.db.pool();
    let now = app.state.clock.unix();
    let mut tx = app.state.db.begin_write().await.unwrap();
    let mail = mail_queue::NewMail {
        recipient: "late@example.com",
        subject: "Hello",
        content: "{}",
        attachment: None,
    };
    // Due in the future, so the store's own worker leaves it alone until the clock moves.
    mail_queue::enqueue(&mut tx, &mail, now + 100)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let at = now + 100;
    let seen = mail_queue::due(pool, at, 10).await.unwrap();
    let id = seen
        .iter()
        .find(|m| m.recipient == "late@example.com")
        .unwrap()
        .id;
    // Worker A: claims, fails, backs off 30 s.
    assert!(mail_queue::claim(pool, id, at, at + 60).await.unwrap());
    mail_queue::mark_failed_attempt(pool, id, Some(at + 30), "refused")
        .await
        .unwrap();
    // Worker B, acting on its earlier read.
    assert!(!mail_queue::claim(pool, id, at, at + 60).await.unwrap());
    assert_eq!(queued(&app, "late@example.com").await, ("queued".into(), 1));
    // After the back-off it is due again.
    assert!(mail_queue::claim(pool, id, at + 31, at + 91).await.unwrap());
}

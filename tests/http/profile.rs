use crate::helpers::{PASSWORD, TestApp, assert_is_redirect_to};

fn profile_fields<'a>(email: &'a str, username: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("username", username),
        ("first_name", "Augusta"),
        ("last_name", "King"),
        ("email", email),
        ("address", "1 Engine Lane\nLondon"),
        ("phone", "+44 20 7946 0958"),
        ("title", "Countess"),
        ("birthday", "1985-12-10"),
    ]
}

#[tokio::test]
async fn the_account_page_shows_the_details_escaped() {
    let app = TestApp::spawn().await;
    let (user, b) = app.signed_in("ada").await;
    let mut fields = profile_fields(&user.email, "ada");
    fields[1] = ("first_name", "<script>alert(1)</script>");
    assert_eq!(
        app.post_form_as(&b, "/account/profile", &fields)
            .await
            .status(),
        303
    );
    let html = app.get_as(&b, "/account").await.text().await.unwrap();
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || html.contains("&lt;script&gt;")
    );
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("+442079460958"));
    assert!(html.contains("Signed in"), "recent activity is listed");
}

#[tokio::test]
async fn profile_changes_are_saved_and_bad_ones_refused_with_values_kept() {
    let app = TestApp::spawn().await;
    let (user, b) = app.signed_in("ada").await;
    let res = app
        .post_form_as(
            &b,
            "/account/profile",
            &profile_fields(&user.email, "ada_k"),
        )
        .await;
    assert_is_redirect_to(&res, "/account");
    let html = app.get_as(&b, "/account").await.text().await.unwrap();
    assert!(
        html.contains("profile has been saved")
            && html.contains("Augusta")
            && html.contains("ada_k")
    );
    let mut bad = profile_fields(&user.email, "ada_k");
    bad[5] = ("phone", "12345");
    bad[7] = ("birthday", "2024-01-01");
    let res = app.post_form_as(&b, "/account/profile", &bad).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("international form") && html.contains("at least 13"));
    assert!(html.contains(r#"value="Augusta""#));
}

#[tokio::test]
async fn a_username_taken_in_another_case_is_refused() {
    let app = TestApp::spawn().await;
    app.verified_user("bob").await;
    let (user, b) = app.signed_in("ada").await;
    let res = app
        .post_form_as(&b, "/account/profile", &profile_fields(&user.email, "BOB"))
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("username is taken"));
}

#[tokio::test]
async fn a_new_email_needs_the_password_and_takes_effect_only_when_confirmed() {
    let app = TestApp::spawn().await;
    let (user, b) = app.signed_in("ada").await;
    let mut fields = profile_fields("ada.new@example.com", "ada");
    let res = app.post_form_as(&b, "/account/profile", &fields).await;
    assert_eq!(res.status(), 422, "no current password");
    assert!(res.text().await.unwrap().contains("current password"));
    fields.push(("current_password", PASSWORD));
    let res = app.post_form_as(&b, "/account/profile", &fields).await;
    assert_eq!(res.status(), 303);
    assert!(
        app.get_as(&b, "/account")
            .await
            .text()
            .await
            .unwrap()
            .contains("confirmation link is on its way to ada.new@example.com")
    );
    // The old address still works and was told.
    assert!(app.can_sign_in(&user.email, PASSWORD).await);
    assert!(
        app.mails_to(&user.email)
            .await
            .iter()
            .any(|m| m.subject.contains("about to change"))
    );
    let link = app
        .link_in_mail("ada.new@example.com", "Confirm your new email")
        .await;
    assert_eq!(app.get_as(&b, &link).await.status(), 303);
    assert!(app.can_sign_in("ada.new@example.com", PASSWORD).await);
    assert!(!app.can_sign_in(&user.email, PASSWORD).await);
    assert!(
        app.mails_to(&user.email)
            .await
            .iter()
            .any(|m| m.subject == "Your email address was changed")
    );
    assert_eq!(app.get(&link).await.status(), 400, "the link works once");
}

#[tokio::test]
async fn an_email_that_belongs_to_someone_else_is_refused() {
    let app = TestApp::spawn().await;
    let bob = app.verified_user("bob").await;
    let (_, b) = app.signed_in("ada").await;
    let mut fields = profile_fields(&bob.email, "ada");
    fields.push(("current_password", PASSWORD));
    let res = app.post_form_as(&b, "/account/profile", &fields).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already exists"));
}

//! The store's account mails. Links are built from `server.base_url`, never the request.

use super::{Action, EmailContent};

fn link(base_url: &str, path_and_query: &str) -> String {
    format!("{}{}", base_url.trim_end_matches('/'), path_and_query)
}

pub fn verify_email(base_url: &str, first_name: &str, token: &str) -> EmailContent {
    EmailContent {
        subject: "Confirm your email address".into(),
        greeting: format!("Hello {first_name},"),
        paragraphs: vec![
            "Thank you for registering. Please confirm your email address to activate your account.".into(),
        ],
        action: Some(Action {
            label: "Confirm my email address".into(),
            url: link(base_url, &format!("/verify-email?token={token}")),
        }),
        closing: vec![
            "The link is valid for 24 hours and works once.".into(),
            "If you did not register, ignore this mail; no account will be activated.".into(),
        ],
    }
}

pub fn confirm_new_email(base_url: &str, first_name: &str, token: &str) -> EmailContent {
    EmailContent {
        subject: "Confirm your new email address".into(),
        greeting: format!("Hello {first_name},"),
        paragraphs: vec![
            "You asked to use this address for your account. Confirm it to make the change.".into(),
        ],
        action: Some(Action {
            label: "Confirm my new address".into(),
            url: link(base_url, &format!("/verify-email?token={token}")),
        }),
        closing: vec![
            "The link is valid for 24 hours. Until you open it, your old address stays in force."
                .into(),
        ],
    }
}

pub fn email_change_requested(first_name: &str, new_email: &str) -> EmailContent {
    EmailContent {
        subject: "Your email address is about to change".into(),
        greeting: format!("Hello {first_name},"),
        paragraphs: vec![
            format!(
                "Someone signed in to your account asked to change its email address to {new_email}."
            ),
            "The change takes effect only when the link sent to the new address is opened.".into(),
        ],
        action: None,
        closing: vec!["If this was not you, change your password now.".into()],
    }
}

pub fn email_changed(first_name: &str, new_email: &str) -> EmailContent {
    EmailContent {
        subject: "Your email address was changed".into(),
        greeting: format!("Hello {first_name},"),
        paragraphs: vec![format!(
            "Your account now uses {new_email}. Mail will no longer come to this address."
        )],
        action: None,
        closing: vec!["If this was not you, contact the shop at once.".into()],
    }
}

pub fn password_reset(base_url: &str, first_name: &str, token: &str) -> EmailContent {
    EmailContent {
        subject: "Reset your password".into(),
        greeting: format!("Hello {first_name},"),
        paragraphs: vec![
            "Someone asked to reset the password of your account. Choose a new one here:".into(),
        ],
        action: Some(Action {
            label: "Choose a new password".into(),
            url: link(base_url, &format!("/reset-password?token={token}")),
        }),
        closing: vec![
            "The link is valid for one hour and works once.".into(),
            "If you did not ask for this, ignore this mail; your password stays as it is.".into(),
        ],
    }
}

pub fn password_changed(first_name: &str, how: &str) -> EmailContent {
    EmailContent {
        subject: "Your password was changed".into(),
        greeting: format!("Hello {first_name},"),
        paragraphs: vec![format!(
            "The password of your account was {how}. Every other signed-in device was signed out."
        )],
        action: None,
        closing: vec![
            "If this was not you, reset your password at once and contact the shop.".into(),
        ],
    }
}

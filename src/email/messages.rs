//! Every mail the store writes: accounts first, then orders. Links are built from
//! `server.base_url`, never from the request.

use super::{Action, EmailContent};
use crate::domain::{OrderId, RequestId};

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

/// To an account's owner when wrong passwords paused its sign-in (once per pause).
pub fn sign_in_paused(base_url: &str, first_name: &str, until: &str, token: &str) -> EmailContent {
    EmailContent {
        subject: "Someone tried to sign in to your account".into(),
        greeting: format!("Hello {first_name},"),
        paragraphs: vec![
            "Someone tried to sign in to your account several times with a wrong password, so we paused sign-in to it.".into(),
            format!("You can sign in again after {until}. If it was you and you forgot your password, choose a new one now; that also ends the pause."),
        ],
        action: Some(Action {
            label: "Choose a new password".into(),
            url: link(base_url, &format!("/reset-password?token={token}")),
        }),
        closing: vec![
            "The link is valid for one hour and works once.".into(),
            "If it was not you, your password kept your account safe; nothing else is needed, though a new, unique password never hurts.".into(),
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

/// The order confirmation (the invoice PDF goes with it as an attachment).
pub fn order_confirmed(
    base_url: &str,
    path: &str,
    customer: &str,
    order_id: OrderId,
    paid: &str,
    payment: &str,
    invoice_number: &str,
) -> EmailContent {
    EmailContent {
        subject: format!("Your order #{order_id} is confirmed"),
        greeting: format!("Hello {customer},"),
        paragraphs: vec![
            format!("Thank you for your order. We received your payment of {paid} ({payment})."),
            format!("Your invoice {invoice_number} is attached."),
        ],
        action: Some(Action {
            label: "Follow your order".into(),
            url: link(base_url, path),
        }),
        closing: vec!["We will write again when your parcel is on its way.".into()],
    }
}

fn attached(credit_note: &str) -> String {
    format!("Your credit note {credit_note} is attached.")
}

/// What changed about an order, for the mail that tells the customer.
pub enum OrderNews<'a> {
    Shipped {
        tracking: &'a str,
    },
    Cancelled {
        refunded: Option<&'a str>,
        credit_note: Option<&'a str>,
    },
    Refunded {
        amount: &'a str,
        credit_note: Option<&'a str>,
    },
    /// Some lines (or the shipping) were refunded; the order goes on.
    PartlyRefunded {
        amount: &'a str,
        credit_note: &'a str,
    },
}

pub fn order_status_changed(
    base_url: &str,
    path: &str,
    customer: &str,
    order_id: OrderId,
    news: OrderNews<'_>,
) -> EmailContent {
    let (subject, paragraphs) = match news {
        OrderNews::Shipped { tracking } => (
            format!("Your order #{order_id} has shipped"),
            vec![
                format!("Good news: your order #{order_id} is on its way."),
                format!("Tracking number: {tracking}"),
            ],
        ),
        OrderNews::Cancelled {
            refunded,
            credit_note,
        } => {
            let mut p = vec![format!("Your order #{order_id} has been cancelled.")];
            if let Some(amount) = refunded {
                p.push(format!(
                    "The payment of {amount} has been refunded to your card."
                ));
            }
            p.extend(credit_note.map(attached));
            (format!("Your order #{order_id} was cancelled"), p)
        }
        OrderNews::Refunded {
            amount,
            credit_note,
        } => {
            let mut p = vec![format!(
                "We refunded {amount} for your order #{order_id} to your card."
            )];
            p.extend(credit_note.map(attached));
            (format!("Your order #{order_id} was refunded"), p)
        }
        OrderNews::PartlyRefunded {
            amount,
            credit_note,
        } => (
            format!("A refund for your order #{order_id}"),
            vec![
                format!("We refunded {amount} for part of your order #{order_id} to your card."),
                attached(credit_note),
            ],
        ),
    };
    EmailContent {
        subject,
        greeting: format!("Hello {customer},"),
        paragraphs,
        action: Some(Action {
            label: "See your order".into(),
            url: link(base_url, path),
        }),
        closing: vec!["Thank you for shopping with us.".into()],
    }
}

fn greeting(name: &str) -> String {
    if name.trim().is_empty() {
        "Hello,".into()
    } else {
        format!("Hello {name},")
    }
}

/// To a guest who wrote through the contact form: the link follows the conversation.
pub fn support_received(
    base_url: &str,
    name: &str,
    request: RequestId,
    subject: &str,
    path: &str,
) -> EmailContent {
    EmailContent {
        subject: format!("We received your message (request #{request})"),
        greeting: greeting(name),
        paragraphs: vec![
            format!("Thank you for writing to us about \u{201c}{subject}\u{201d}. We will answer as soon as we can, usually within one working day."),
            "You can read our answers and reply from the page behind the button; no account is needed.".into(),
        ],
        action: Some(Action {
            label: "Follow your request".into(),
            url: link(base_url, path),
        }),
        closing: vec!["If you did not write to us, ignore this mail.".into()],
    }
}

/// The shop answered a request; the answer is in the mail, the link leads to the conversation.
pub fn support_reply(
    base_url: &str,
    name: &str,
    request: RequestId,
    subject: &str,
    reply: &str,
    path: &str,
) -> EmailContent {
    let mut paragraphs = vec![format!(
        "We answered your request #{request} \u{201c}{subject}\u{201d}:"
    )];
    paragraphs.extend(
        reply
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string),
    );
    EmailContent {
        subject: format!("Re: {subject} (request #{request})"),
        greeting: greeting(name),
        paragraphs,
        action: Some(Action {
            label: "Read and reply".into(),
            url: link(base_url, path),
        }),
        closing: vec!["Please answer from the page behind the button, not to this mail.".into()],
    }
}

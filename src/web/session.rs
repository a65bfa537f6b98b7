//! Typed access to what the session holds: the signed-in user, flash messages, the cart.

use actix_session::Session;
use serde::{Deserialize, Serialize};

use super::session_store::USER_ID;
use crate::domain::UserId;

const CART: &str = "cart";
const FLASH: &str = "flash";
const PENDING_WISH: &str = "pending_wish";
const SUPPORT_LINKS: &str = "support_links";
const ORDER_LINKS: &str = "order_links";
/// Guest requests one session remembers (a link opened, or the request just written).
const SUPPORT_LINKS_MAX: usize = 20;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    pub level: FlashLevel,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FlashLevel {
    Success,
    Info,
    Warning,
}

impl FlashLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            FlashLevel::Success => "success",
            FlashLevel::Info => "info",
            FlashLevel::Warning => "warning",
        }
    }
}

/// A product a guest tried to save to a wishlist, kept until they sign in.
pub fn set_pending_wish(session: &Session, product: crate::domain::ProductId) {
    let _ = session.insert(PENDING_WISH, product);
}

pub fn take_pending_wish(session: &Session) -> Option<crate::domain::ProductId> {
    session
        .remove_as::<crate::domain::ProductId>(PENDING_WISH)
        .and_then(Result::ok)
}

/// Guest support requests this session proved access to.
pub fn support_links(session: &Session) -> Vec<crate::domain::RequestId> {
    session
        .get::<Vec<crate::domain::RequestId>>(SUPPORT_LINKS)
        .ok()
        .flatten()
        .unwrap_or_default()
}

pub fn add_support_link(session: &Session, id: crate::domain::RequestId) {
    let mut ids = support_links(session);
    if !ids.contains(&id) {
        ids.push(id);
    }
    let skip = ids.len().saturating_sub(SUPPORT_LINKS_MAX);
    let _ = session.insert(SUPPORT_LINKS, &ids[skip..]);
}

/// Guest orders this session may open (placed here, or a mailed link opened here).
pub fn order_links(session: &Session) -> Vec<crate::domain::OrderId> {
    session
        .get::<Vec<crate::domain::OrderId>>(ORDER_LINKS)
        .ok()
        .flatten()
        .unwrap_or_default()
}

pub fn add_order_link(session: &Session, id: crate::domain::OrderId) {
    let mut ids = order_links(session);
    if !ids.contains(&id) {
        ids.push(id);
    }
    let skip = ids.len().saturating_sub(SUPPORT_LINKS_MAX);
    let _ = session.insert(ORDER_LINKS, &ids[skip..]);
}

pub fn user_id(session: &Session) -> Option<UserId> {
    session.get::<UserId>(USER_ID).ok().flatten()
}

/// Signs the user in on a brand-new session (no fixation); the forms' CSRF token changes with
/// the user it is signed for (see `web::csrf`).
pub fn sign_in(session: &Session, id: UserId) {
    session.renew();
    // Guest links opened in this browser were someone's without an account; the person signing
    // in now may be someone else (their own guest orders join their account at sign-in).
    session.remove(ORDER_LINKS);
    session.remove(SUPPORT_LINKS);
    // Inserting an i64 cannot fail to serialise.
    let _ = session.insert(USER_ID, id);
}

/// Keeps the user signed in on a new session key after the old ones were ended.
pub fn renew(session: &Session) {
    session.renew();
}

pub fn sign_out(session: &Session) {
    session.purge();
}

pub fn flash(session: &Session, level: FlashLevel, message: impl Into<String>) {
    let mut all = session
        .get::<Vec<Flash>>(FLASH)
        .ok()
        .flatten()
        .unwrap_or_default();
    all.push(Flash {
        level,
        message: message.into(),
    });
    let _ = session.insert(FLASH, all);
}

/// Takes the pending flash messages (they show once).
pub fn take_flashes(session: &Session) -> Vec<Flash> {
    if session
        .get::<serde_json::Value>(FLASH)
        .ok()
        .flatten()
        .is_none()
    {
        return Vec::new();
    }
    session
        .remove_as::<Vec<Flash>>(FLASH)
        .and_then(Result::ok)
        .unwrap_or_default()
}

/// The guest cart's token, if this session has one.
pub fn cart_token(session: &Session) -> Option<String> {
    session.get::<String>(CART).ok().flatten()
}

/// The guest cart's token, created on first use.
pub fn ensure_cart_token(session: &Session) -> String {
    if let Some(t) = cart_token(session) {
        return t;
    }
    let token = hex::encode(rand::random::<[u8; 32]>());
    let _ = session.insert(CART, &token);
    token
}

pub fn forget_cart(session: &Session) {
    session.remove(CART);
}

//! Support requests and their messages as the customer and the staff see them.

use crate::clock::format_unix;
use crate::db::support::{Message, Request};
use crate::domain::{OrderId, RequestId, SupportStatus};

pub struct RequestRow {
    pub id: RequestId,
    pub subject: String,
    /// For the customer ("Answered") or the staff ("Waiting for customer").
    pub status: &'static str,
    pub status_key: &'static str,
    pub from: String,
    pub email: String,
    pub order: Option<OrderId>,
    pub updated: String,
    pub messages: i64,
    /// Who wrote last, in words.
    pub last: &'static str,
}

impl RequestRow {
    pub fn for_customer(r: &Request) -> Self {
        Self::new(r, r.status.customer_label(), "You", "Shop")
    }

    pub fn for_staff(r: &Request) -> Self {
        Self::new(r, r.status.label(), "Customer", "Staff")
    }

    fn new(r: &Request, status: &'static str, them: &'static str, shop: &'static str) -> Self {
        Self {
            id: r.id,
            subject: r.subject.clone(),
            status,
            status_key: r.status.as_str(),
            from: if r.name.is_empty() {
                r.email.clone()
            } else {
                r.name.clone()
            },
            email: r.email.clone(),
            order: r.order_id,
            updated: format_unix(r.updated_at),
            messages: r.message_count,
            last: if r.last_from_staff == 1 { shop } else { them },
        }
    }

    pub fn closed(&self) -> bool {
        self.status_key == SupportStatus::Closed.as_str()
    }
}

pub struct MessageView {
    pub who: String,
    pub when: String,
    pub body: String,
    pub from_staff: bool,
}

impl MessageView {
    /// `customer_view`: the shop's people are "Emporium support (Sam)"; the customer is "You".
    pub fn new(m: &Message, customer_view: bool, requester_name: &str, shop: &str) -> Self {
        let staff = m.from_staff == 1;
        let first = m.author_name.clone().unwrap_or_default();
        let who = match (staff, customer_view) {
            (true, true) if first.is_empty() => format!("{shop} support"),
            (true, true) => format!("{shop} support ({first})"),
            (true, false) => format!(
                "{} (staff)",
                if first.is_empty() { "Staff" } else { &first }
            ),
            (false, true) => "You".into(),
            (false, false) if requester_name.is_empty() => "Customer".into(),
            (false, false) => requester_name.to_string(),
        };
        Self {
            who,
            when: format_unix(m.created_at),
            body: m.body.clone(),
            from_staff: staff,
        }
    }
}

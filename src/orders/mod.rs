//! Buying: the cart, checkout with payment, orders and their status rules, invoices.

pub mod cart;
pub mod checkout;
pub mod invoice;
pub mod manage;
pub mod payment;
pub mod pricing;

use crate::domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("the input is not valid")]
    Invalid(FieldErrors),
    #[error("no such order or product")]
    NotFound,
    /// A cart change asked for more than the stock (the message is under `quantity`).
    #[error("not enough in stock")]
    NotEnoughStock(FieldErrors),
    /// Lines that cannot be bought as they are (names and what is wrong).
    #[error("some products are not available")]
    Unavailable(Vec<String>),
    #[error("the payment was refused")]
    Payment(payment::Decline),
    #[error("{0}")]
    NotAllowed(String),
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<FieldErrors> for OrderError {
    fn from(e: FieldErrors) -> Self {
        OrderError::Invalid(e)
    }
}

/// Order statuses and the moves between them (the contract's rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Pending,
        Status::Paid,
        Status::Shipped,
        Status::Delivered,
        Status::Cancelled,
        Status::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Paid => "paid",
            Status::Shipped => "shipped",
            Status::Delivered => "delivered",
            Status::Cancelled => "cancelled",
            Status::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Pending => "Awaiting payment",
            Status::Paid => "Paid",
            Status::Shipped => "Shipped",
            Status::Delivered => "Delivered",
            Status::Cancelled => "Cancelled",
            Status::Refunded => "Refunded",
        }
    }

    /// The statuses an order may come from to reach this one.
    pub fn allowed_from(self) -> &'static [Status] {
        match self {
            Status::Pending => &[],
            Status::Paid => &[Status::Pending],
            Status::Shipped => &[Status::Paid],
            Status::Delivered => &[Status::Shipped],
            Status::Cancelled => &[Status::Pending, Status::Paid],
            Status::Refunded => &[Status::Paid, Status::Shipped, Status::Delivered],
        }
    }

    pub fn can_move_to(self, to: Status) -> bool {
        to.allowed_from().contains(&self)
    }

    /// Where an admin may move an order from here.
    pub fn next(self) -> Vec<Status> {
        Status::ALL
            .into_iter()
            .filter(|to| self.can_move_to(*to))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;

    #[test]
    fn transitions_follow_the_contract() {
        assert!(
            Pending.can_move_to(Paid)
                && Paid.can_move_to(Shipped)
                && Shipped.can_move_to(Delivered)
        );
        assert!(Pending.can_move_to(Cancelled) && Paid.can_move_to(Cancelled));
        assert!(!Shipped.can_move_to(Cancelled) && !Delivered.can_move_to(Cancelled));
        assert!(
            Paid.can_move_to(Refunded)
                && Shipped.can_move_to(Refunded)
                && Delivered.can_move_to(Refunded)
        );
        assert!(
            !Pending.can_move_to(Refunded)
                && !Cancelled.can_move_to(Paid)
                && !Refunded.can_move_to(Shipped)
        );
        assert!(!Paid.can_move_to(Delivered) && !Delivered.can_move_to(Shipped));
        assert!(Cancelled.next().is_empty() && Refunded.next().is_empty());
    }
}

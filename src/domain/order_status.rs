//! Order and payment statuses as stored (lower-case words) and the contract's moves between them.
//! A stored word that is not one of these is a decode error, never a silent default.

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Pending,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
}

/// A stored word that names no known status or event.
#[derive(Debug, thiserror::Error)]
#[error("unknown status {0:?}")]
pub struct UnknownStatus(pub(crate) String);

impl UnknownStatus {
    pub fn new(word: String) -> Self {
        Self(word)
    }
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::Pending,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    /// Parses a status typed in a form or query (surrounding spaces allowed).
    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Pending => "Awaiting payment",
            OrderStatus::Paid => "Paid",
            OrderStatus::Shipped => "Shipped",
            OrderStatus::Delivered => "Delivered",
            OrderStatus::Cancelled => "Cancelled",
            OrderStatus::Refunded => "Refunded",
        }
    }

    /// The statuses an order may come from to reach this one.
    pub fn allowed_from(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            Pending => &[],
            Paid => &[Pending],
            Shipped => &[Paid],
            Delivered => &[Shipped],
            Cancelled => &[Pending, Paid],
            Refunded => &[Paid, Shipped, Delivered],
        }
    }

    /// Paid, shipped or delivered: the customer has bought what it holds (and may review it).
    pub fn counts_as_bought(self) -> bool {
        matches!(
            self,
            OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Delivered
        )
    }

    pub fn can_move_to(self, to: OrderStatus) -> bool {
        to.allowed_from().contains(&self)
    }

    /// Where staff may move an order from here.
    pub fn next(self) -> Vec<OrderStatus> {
        OrderStatus::ALL
            .into_iter()
            .filter(|to| self.can_move_to(*to))
            .collect()
    }
}

impl TryFrom<String> for OrderStatus {
    type Error = UnknownStatus;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        OrderStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or(UnknownStatus(s))
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to an order's money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// Nothing charged (yet).
    None,
    Paid,
    Refunded,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::None => "none",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Refunded => "refunded",
        }
    }
}

impl TryFrom<String> for PaymentStatus {
    type Error = UnknownStatus;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        [
            PaymentStatus::None,
            PaymentStatus::Paid,
            PaymentStatus::Refunded,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
        .ok_or(UnknownStatus(s))
    }
}

/// Where an order's authorisation stands at the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentState {
    /// Money reserved, not taken yet (a capture is due, or the order is to be cancelled).
    Authorised,
    Captured,
    /// The gateway refused the capture: the order waits for the staff.
    CaptureFailed,
    /// The reservation was released (the order was cancelled before capture).
    Voided,
}

impl PaymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Authorised => "authorised",
            PaymentState::Captured => "captured",
            PaymentState::CaptureFailed => "capture_failed",
            PaymentState::Voided => "voided",
        }
    }

    /// Whether the reserved money may still be captured (and must be voided if not).
    pub fn is_open(self) -> bool {
        matches!(self, PaymentState::Authorised | PaymentState::CaptureFailed)
    }
}

impl TryFrom<String> for PaymentState {
    type Error = UnknownStatus;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        [
            PaymentState::Authorised,
            PaymentState::Captured,
            PaymentState::CaptureFailed,
            PaymentState::Voided,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
        .ok_or(UnknownStatus(s))
    }
}

#[cfg(test)]
mod tests {
    use super::OrderStatus::{self, *};

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

    #[test]
    fn stored_words_decode_strictly() {
        assert_eq!(OrderStatus::try_from("paid".to_string()).ok(), Some(Paid));
        assert!(OrderStatus::try_from("Paid".to_string()).is_err());
        assert!(OrderStatus::try_from(String::new()).is_err());
    }
}

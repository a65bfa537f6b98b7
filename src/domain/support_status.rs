//! Where a support request stands, as stored and as the contract's `status` field spells it.

use super::UnknownStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SupportStatus {
    /// The shop owes an answer.
    Open,
    /// The shop answered; the customer's turn.
    Waiting,
    Closed,
}

impl SupportStatus {
    pub const ALL: [SupportStatus; 3] = [
        SupportStatus::Open,
        SupportStatus::Waiting,
        SupportStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SupportStatus::Open => "open",
            SupportStatus::Waiting => "waiting",
            SupportStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    /// As the staff see it.
    pub fn label(self) -> &'static str {
        match self {
            SupportStatus::Open => "Open",
            SupportStatus::Waiting => "Waiting for customer",
            SupportStatus::Closed => "Closed",
        }
    }

    /// As the customer sees it.
    pub fn customer_label(self) -> &'static str {
        match self {
            SupportStatus::Open => "We are on it",
            SupportStatus::Waiting => "Answered",
            SupportStatus::Closed => "Closed",
        }
    }
}

impl TryFrom<String> for SupportStatus {
    type Error = UnknownStatus;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).ok_or_else(|| UnknownStatus::new(s))
    }
}

//! Staff roles. An account with none is a customer; staff hold one or more.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StaffRole {
    /// Everything, including staff management.
    Admin,
    /// Products, CSV, reviews.
    Catalog,
    /// Orders, refunds, shipping.
    Orders,
    /// The support inbox and a read-only view of customers.
    Support,
}

impl StaffRole {
    pub const ALL: [StaffRole; 4] = [
        StaffRole::Admin,
        StaffRole::Catalog,
        StaffRole::Orders,
        StaffRole::Support,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Admin => "admin",
            StaffRole::Catalog => "catalog",
            StaffRole::Orders => "orders",
            StaffRole::Support => "support",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StaffRole::Admin => "Administrator",
            StaffRole::Catalog => "Catalogue",
            StaffRole::Orders => "Orders",
            StaffRole::Support => "Support",
        }
    }

    /// What holding the role allows, as the staff page explains it.
    pub fn description(self) -> &'static str {
        match self {
            StaffRole::Admin => "everything, including customers' accounts and staff roles",
            StaffRole::Catalog => "products, images, CSV import and export, reviews",
            StaffRole::Orders => "orders: status, shipping, cancellation and refunds",
            StaffRole::Support => "the support inbox and a read-only view of customers",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// Its bit in [`Roles`] (and in the sum `db::users` reads).
    pub fn bit(self) -> u8 {
        match self {
            StaffRole::Admin => 1,
            StaffRole::Catalog => 2,
            StaffRole::Orders => 4,
            StaffRole::Support => 8,
        }
    }
}

impl fmt::Display for StaffRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The set of roles an account holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles(u8);

impl Roles {
    pub const NONE: Roles = Roles(0);

    pub fn of(roles: &[StaffRole]) -> Self {
        Roles(roles.iter().fold(0, |acc, r| acc | r.bit()))
    }

    /// From the bits the user query adds up (see `db::users`); unknown bits are dropped.
    pub fn from_bits(bits: i64) -> Self {
        Roles(u8::try_from(bits & 0x0f).unwrap_or(0))
    }

    pub fn contains(self, role: StaffRole) -> bool {
        self.0 & role.bit() != 0
    }

    pub fn with(self, role: StaffRole) -> Self {
        Roles(self.0 | role.bit())
    }

    pub fn without(self, role: StaffRole) -> Self {
        Roles(self.0 & !role.bit())
    }

    pub fn is_staff(self) -> bool {
        self.0 != 0
    }

    pub fn iter(self) -> impl Iterator<Item = StaffRole> {
        StaffRole::ALL
            .into_iter()
            .filter(move |r| self.contains(*r))
    }

    /// "admin, support" (or "customer" when none).
    pub fn describe(self) -> String {
        if !self.is_staff() {
            return "customer".into();
        }
        self.iter()
            .map(StaffRole::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_hold_what_was_put_in() {
        let r = Roles::of(&[StaffRole::Catalog, StaffRole::Support]);
        assert!(r.contains(StaffRole::Catalog) && r.contains(StaffRole::Support));
        assert!(!r.contains(StaffRole::Admin) && r.is_staff());
        assert_eq!(r.describe(), "catalog, support");
        assert_eq!(
            r.without(StaffRole::Catalog).without(StaffRole::Support),
            Roles::NONE
        );
        assert_eq!(
            Roles::from_bits(1 | 8),
            Roles::of(&[StaffRole::Admin, StaffRole::Support])
        );
        assert_eq!(StaffRole::parse(" orders "), Some(StaffRole::Orders));
        assert_eq!(StaffRole::parse("root"), None);
        assert_eq!(Roles::NONE.describe(), "customer");
    }
}

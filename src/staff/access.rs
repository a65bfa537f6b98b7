//! Who may use which `/admin` route: the one table the guard in front of `/admin` reads
//! (`web::context::require_staff`), the admin menu is built from, and a test walks with every
//! role. A route missing here is refused to everyone, so a new page is closed until it is listed.

use crate::domain::{Roles, StaffRole};

use StaffRole::{Catalog, Orders, Support};

/// A route as actix names it (the pattern, with `{id}`), and who besides admins may use it.
/// An empty `roles` means any staff member.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub method: &'static str,
    pub pattern: &'static str,
    pub roles: &'static [StaffRole],
}

const fn rule(method: &'static str, pattern: &'static str, roles: &'static [StaffRole]) -> Rule {
    Rule {
        method,
        pattern,
        roles,
    }
}

/// Admins may use every route; these are the others' rights.
pub const RULES: &[Rule] = &[
    rule("GET", "/admin", &[]),
    // The catalogue.
    rule("GET", "/admin/products", &[Catalog]),
    rule("POST", "/admin/products", &[Catalog]),
    rule("GET", "/admin/products/new", &[Catalog]),
    rule("GET", "/admin/products/import", &[Catalog]),
    rule("POST", "/admin/products/import", &[Catalog]),
    rule("GET", "/admin/products/export.csv", &[Catalog]),
    rule("GET", "/admin/products/{id}/edit", &[Catalog]),
    rule("POST", "/admin/products/{id}", &[Catalog]),
    rule("POST", "/admin/products/{id}/options", &[Catalog]),
    rule("POST", "/admin/products/{id}/variants", &[Catalog]),
    rule(
        "POST",
        "/admin/products/{id}/variants/{variant}",
        &[Catalog],
    ),
    rule("GET", "/admin/products/{id}/delete", &[Catalog]),
    rule("POST", "/admin/products/{id}/delete", &[Catalog]),
    rule("GET", "/admin/reviews", &[Catalog]),
    rule("POST", "/admin/reviews/{id}/visibility", &[Catalog]),
    // Prices: promotions and vouchers belong with the catalogue.
    rule("GET", "/admin/promotions", &[Catalog]),
    rule("POST", "/admin/promotions", &[Catalog]),
    rule("GET", "/admin/promotions/new", &[Catalog]),
    rule("GET", "/admin/promotions/{id}", &[Catalog]),
    rule("POST", "/admin/promotions/{id}/active", &[Catalog]),
    rule("GET", "/admin/vouchers", &[Catalog]),
    rule("POST", "/admin/vouchers", &[Catalog]),
    rule("GET", "/admin/vouchers/new", &[Catalog]),
    rule("GET", "/admin/vouchers/{id}", &[Catalog]),
    rule("GET", "/admin/vouchers/{id}/codes.csv", &[Catalog]),
    rule("POST", "/admin/vouchers/{id}/active", &[Catalog]),
    // Orders.
    rule("GET", "/admin/orders", &[Orders]),
    rule("GET", "/admin/orders/{id}", &[Orders]),
    rule("GET", "/admin/orders/{id}/cancel", &[Orders]),
    rule("GET", "/admin/orders/{id}/refund", &[Orders]),
    rule("GET", "/admin/orders/{id}/refunds", &[Orders]),
    rule("POST", "/admin/orders/{id}/refunds", &[Orders]),
    rule("POST", "/admin/orders/{id}/status", &[Orders]),
    // Shipping prices: admins only (they change what every order costs).
    rule("GET", "/admin/shipping", &[StaffRole::Admin]),
    rule("POST", "/admin/shipping/rates/{id}", &[StaffRole::Admin]),
    rule(
        "POST",
        "/admin/shipping/methods/{id}/active",
        &[StaffRole::Admin],
    ),
    // Accounting: the money of the whole shop, for admins only.
    rule("GET", "/admin/reports", &[StaffRole::Admin]),
    rule("GET", "/admin/reports/documents.csv", &[StaffRole::Admin]),
    rule("GET", "/admin/reports/vat.csv", &[StaffRole::Admin]),
    // Customers: support reads, only admins change or export.
    rule("GET", "/admin/customers", &[Support]),
    rule("GET", "/admin/customers/{id}", &[Support]),
    rule("GET", "/admin/customers/export.csv", &[StaffRole::Admin]),
    rule("POST", "/admin/customers/{id}", &[StaffRole::Admin]),
    rule(
        "GET",
        "/admin/customers/{id}/deactivate",
        &[StaffRole::Admin],
    ),
    rule(
        "POST",
        "/admin/customers/{id}/verification",
        &[StaffRole::Admin],
    ),
    rule(
        "POST",
        "/admin/customers/{id}/password-reset",
        &[StaffRole::Admin],
    ),
    rule("POST", "/admin/customers/{id}/roles", &[StaffRole::Admin]),
    // Support.
    rule("GET", "/admin/support", &[Support]),
    rule("GET", "/admin/support/{id}", &[Support]),
    rule("POST", "/admin/support/{id}", &[Support]),
];

/// The rule for a method and route pattern (HEAD is asked as GET).
pub fn rule_for(method: &str, pattern: &str) -> Option<&'static Rule> {
    let method = if method == "HEAD" { "GET" } else { method };
    RULES
        .iter()
        .find(|r| r.method == method && r.pattern == pattern)
}

impl Rule {
    pub fn allows(&self, roles: Roles) -> bool {
        roles.contains(StaffRole::Admin)
            || (roles.is_staff() && self.roles.is_empty())
            || self.roles.iter().any(|r| roles.contains(*r))
    }
}

/// Whether someone holding `roles` may use this route; unknown routes are nobody's.
pub fn allows(roles: Roles, method: &str, pattern: &str) -> bool {
    rule_for(method, pattern).is_some_and(|r| r.allows(roles))
}

/// An entry of the admin menu.
#[derive(Debug, Clone, Copy)]
pub struct MenuLink {
    pub href: &'static str,
    pub label: &'static str,
}

const MENU: &[MenuLink] = &[
    MenuLink {
        href: "/admin",
        label: "Dashboard",
    },
    MenuLink {
        href: "/admin/orders",
        label: "Orders",
    },
    MenuLink {
        href: "/admin/customers",
        label: "Customers",
    },
    MenuLink {
        href: "/admin/support",
        label: "Support",
    },
    MenuLink {
        href: "/admin/products",
        label: "Products",
    },
    MenuLink {
        href: "/admin/products/new",
        label: "New product",
    },
    MenuLink {
        href: "/admin/products/import",
        label: "Import CSV",
    },
    MenuLink {
        href: "/admin/reviews",
        label: "Reviews",
    },
    MenuLink {
        href: "/admin/promotions",
        label: "Promotions",
    },
    MenuLink {
        href: "/admin/vouchers",
        label: "Vouchers",
    },
    MenuLink {
        href: "/admin/shipping",
        label: "Shipping",
    },
    MenuLink {
        href: "/admin/reports",
        label: "Reports",
    },
];

/// The admin menu as someone holding `roles` sees it: only what they may open.
pub fn menu(roles: Roles) -> Vec<MenuLink> {
    MENU.iter()
        .copied()
        .filter(|l| allows(roles, "GET", l.href))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_may_do_everything_and_the_others_what_their_role_lists() {
        let admin = Roles::of(&[StaffRole::Admin]);
        assert!(RULES.iter().all(|r| r.allows(admin)));
        let support = Roles::of(&[Support]);
        assert!(allows(support, "GET", "/admin/customers/{id}"));
        assert!(!allows(support, "POST", "/admin/customers/{id}"));
        assert!(!allows(support, "GET", "/admin/products"));
        assert!(allows(support, "GET", "/admin"));
        assert!(allows(support, "HEAD", "/admin/support"));
        assert!(!allows(Roles::NONE, "GET", "/admin"));
        assert!(!allows(admin, "GET", "/admin/unlisted"));
        let both = Roles::of(&[Catalog, Orders]);
        assert!(allows(both, "POST", "/admin/products/{id}"));
        assert!(allows(both, "POST", "/admin/orders/{id}/status"));
        assert!(!allows(both, "GET", "/admin/support"));
    }

    #[test]
    fn every_rule_is_listed_once_and_the_menu_only_links_to_listed_pages() {
        for (i, a) in RULES.iter().enumerate() {
            assert!(
                RULES[i + 1..]
                    .iter()
                    .all(|b| (a.method, a.pattern) != (b.method, b.pattern)),
                "{a:?} twice"
            );
        }
        for l in MENU {
            assert!(rule_for("GET", l.href).is_some(), "{}", l.href);
        }
        assert_eq!(menu(Roles::of(&[Support])).len(), 3);
    }
}

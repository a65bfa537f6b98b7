//! Validated domain values. Each is parsed once where input enters (forms, CLI, API), so code
//! past that point cannot hold an invalid one. Parse errors are user-facing sentences.

mod birthday;
mod catalog;
mod email;
mod errors;
mod ids;
mod money;
mod order_status;
mod pagination;
mod password;
mod phone;
mod quantity;
mod username;

pub use birthday::Birthday;
pub use catalog::{Sku, Sort, UnknownSort, parse_stock};
pub use email::Email;
pub use errors::FieldErrors;
pub use ids::{CartId, CategoryId, OrderId, ProductId, UserId};
pub use money::{MAX_PRICE_CENTS, Money};
pub use order_status::{OrderStatus, PaymentStatus, UnknownStatus};
pub use pagination::{MAX_PAGE, Pagination};
pub use password::{Password, PasswordContext, PasswordPolicy, confirm_matches};
pub use phone::Phone;
pub use quantity::{MAX_QUANTITY, Quantity};
pub use username::Username;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Customer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Admin => "admin",
        }
    }

    pub fn from_db(s: &str) -> Self {
        if s == "admin" {
            Role::Admin
        } else {
            Role::Customer
        }
    }
}

/// Trims a free-text field and checks its length in characters; `None` when it is empty.
pub fn optional_text(value: &str, max: usize, label: &str) -> Result<Option<String>, String> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    check_text(v, max, label).map(|()| Some(v.to_string()))
}

/// Trims a required free-text field and checks it.
pub fn required_text(value: &str, max: usize, label: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(format!("Enter your {label}."));
    }
    check_text(v, max, label).map(|()| v.to_string())
}

fn check_text(v: &str, max: usize, label: &str) -> Result<(), String> {
    if v.chars().count() > max {
        return Err(format!(
            "Your {label} can be at most {max} characters long."
        ));
    }
    // Control characters (other than line breaks in addresses) have no place in a profile.
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(format!(
            "Your {label} contains characters that are not allowed."
        ));
    }
    Ok(())
}

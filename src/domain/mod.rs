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
mod roles;
mod support_status;
mod tax;
mod username;

pub use birthday::Birthday;
pub use catalog::{Sku, Sort, UnknownSort, parse_stock};
pub use email::Email;
pub use errors::FieldErrors;
pub use ids::{CartId, CategoryId, OrderId, ProductId, RequestId, UserId};
pub use money::{MAX_PRICE_CENTS, Money};
pub use order_status::{OrderStatus, PaymentState, PaymentStatus, UnknownStatus};
pub use pagination::{MAX_PAGE, Pagination};
pub use password::{Password, PasswordContext, PasswordPolicy, confirm_matches};
pub use phone::Phone;
pub use quantity::{MAX_QUANTITY, Quantity};
pub use roles::{Roles, StaffRole};
pub use support_status::SupportStatus;
pub use tax::TaxClass;
pub use username::Username;

/// Trims a one-line text field (a name, a title) and checks it; `None` when it is empty.
/// `label` names the field with its article, as the message speaks: "your title", "the brand".
pub fn optional_line(value: &str, max: usize, label: &str) -> Result<Option<String>, String> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    check_text(v, max, label, false).map(|()| Some(v.to_string()))
}

/// Trims an optional text that may span lines (a comment, a message); `None` when it is empty.
pub fn optional_text(value: &str, max: usize, label: &str) -> Result<Option<String>, String> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    check_text(v, max, label, true).map(|()| Some(v.to_string()))
}

/// Trims a required one-line text field and checks it (no line breaks, no control characters).
pub fn required_line(value: &str, max: usize, label: &str) -> Result<String, String> {
    required(value, max, label, false)
}

/// Trims a required text that may span lines (an address) and checks it.
pub fn required_text(value: &str, max: usize, label: &str) -> Result<String, String> {
    required(value, max, label, true)
}

fn required(value: &str, max: usize, label: &str, lines: bool) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(format!("Enter {label}."));
    }
    check_text(v, max, label, lines).map(|()| v.to_string())
}

/// "your title" → "Your title".
fn capitalised(label: &str) -> String {
    let mut c = label.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn check_text(v: &str, max: usize, label: &str, lines: bool) -> Result<(), String> {
    if v.chars().count() > max {
        return Err(format!(
            "{} can be at most {max} characters long.",
            capitalised(label)
        ));
    }
    if !lines && v.contains(['\n', '\r']) {
        return Err(format!("{} must fit on one line.", capitalised(label)));
    }
    // Control characters (other than line breaks where lines are allowed) have no place here.
    if v.chars()
        .any(|c| c.is_control() && !(lines && (c == '\n' || c == '\r')))
    {
        return Err(format!(
            "{} contains characters that are not allowed.",
            capitalised(label)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_fields_refuse_line_breaks_and_control_characters() {
        assert_eq!(
            required_line(" Ada ", 10, "your first name").unwrap(),
            "Ada"
        );
        assert_eq!(
            required_line("Ada\nLovelace", 50, "your first name").unwrap_err(),
            "Your first name must fit on one line."
        );
        assert!(required_line("Ad\u{7}a", 50, "your first name").is_err());
        assert_eq!(
            required_line("", 5, "the brand").unwrap_err(),
            "Enter the brand."
        );
        assert!(required_text("1 Road\n10115 Berlin", 50, "your address").is_ok());
        assert!(required_text("1 Road\u{0}", 50, "your address").is_err());
        assert_eq!(optional_line("  ", 5, "your title").unwrap(), None);
    }
}

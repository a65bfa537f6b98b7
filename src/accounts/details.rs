//! The personal details an account holds, parsed by one set of rules wherever they are typed:
//! registration, the customer's profile form, the API, and the staff's customer form. The
//! sentences for a taken username or email address live here too.

use time::Date;

use crate::domain::{Birthday, FieldErrors, Phone, optional_line, required_line, required_text};

pub const NAME_MAX: usize = 100;
pub const ADDRESS_MAX: usize = 500;
pub const TITLE_MAX: usize = 20;

/// The fields as typed (borrowed from whichever form carried them).
#[derive(Debug, Clone, Copy)]
pub struct DetailsInput<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub title: &'a str,
    pub birthday: &'a str,
}

/// Details that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalDetails {
    pub first_name: String,
    pub last_name: String,
    pub address: String,
    pub phone: Phone,
    pub title: Option<String>,
    pub birthday: Option<Birthday>,
}

impl PersonalDetails {
    /// Parses every field, recording each problem under its field in `e`; `None` when any failed.
    pub fn parse(i: DetailsInput<'_>, today: Date, e: &mut FieldErrors) -> Option<Self> {
        let first_name = e.check(
            "first_name",
            required_line(i.first_name, NAME_MAX, "your first name"),
        );
        let last_name = e.check(
            "last_name",
            required_line(i.last_name, NAME_MAX, "your last name"),
        );
        let address = e.check(
            "address",
            required_text(i.address, ADDRESS_MAX, "your address"),
        );
        let phone = e.check("phone", Phone::parse(i.phone));
        let title = e.check("title", optional_line(i.title, TITLE_MAX, "your title"));
        let birthday = if i.birthday.trim().is_empty() {
            Some(None)
        } else {
            e.check("birthday", Birthday::parse(i.birthday, today).map(Some))
        };
        Some(Self {
            first_name: first_name?,
            last_name: last_name?,
            address: address?,
            phone: phone?,
            title: title?,
            birthday: birthday?,
        })
    }

    /// The birthday as stored (`YYYY-MM-DD`).
    pub fn birthday_iso(&self) -> Option<String> {
        self.birthday.as_ref().map(Birthday::to_iso)
    }
}

/// What a form says when the username belongs to another account.
pub const USERNAME_TAKEN: &str = "This username is taken; choose another.";
/// What a form says when the email address belongs to another account.
pub const EMAIL_TAKEN: &str =
    "An account with this email address already exists. Sign in or reset your password.";

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(first: &'a str, phone: &'a str, birthday: &'a str) -> DetailsInput<'a> {
        DetailsInput {
            first_name: first,
            last_name: "Lovelace",
            address: "12 Analytical Row",
            phone,
            title: "",
            birthday,
        }
    }

    #[test]
    fn collects_every_problem_at_its_field() {
        let today = time::macros::date!(2026 - 11 - 27);
        let mut e = FieldErrors::new();
        assert!(PersonalDetails::parse(input("", "12", "2020-01-01"), today, &mut e).is_none());
        assert!(e.has("first_name") && e.has("phone") && e.has("birthday"));
        let mut e = FieldErrors::new();
        let ok = PersonalDetails::parse(input("Ada", "+49 170 1234567", ""), today, &mut e);
        assert!(e.is_empty());
        assert_eq!(ok.map(|d| d.birthday), Some(None));
    }
}

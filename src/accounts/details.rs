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

/// Who fills in the form, which decides how its messages speak: to customers about their own
/// details ("Enter your first name.") or to staff about a customer's ("Enter the first name.").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    Customer,
    Staff,
}

impl Voice {
    /// The field's name with the article this voice uses.
    fn label(self, field: &str) -> String {
        match self {
            Self::Customer => format!("your {field}"),
            Self::Staff => format!("the {field}"),
        }
    }
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
    pub fn parse(
        i: DetailsInput<'_>,
        today: Date,
        voice: Voice,
        e: &mut FieldErrors,
    ) -> Option<Self> {
        let label = |field| voice.label(field);
        let first_name = e.check(
            "first_name",
            required_line(i.first_name, NAME_MAX, &label("first name")),
        );
        let last_name = e.check(
            "last_name",
            required_line(i.last_name, NAME_MAX, &label("last name")),
        );
        let address = e.check(
            "address",
            required_text(i.address, ADDRESS_MAX, &label("address")),
        );
        // Blank also when only the separators `Phone` drops were typed.
        let phone = if i.phone.chars().all(|c| c.is_whitespace() || c == '-') {
            e.add("phone", format!("Enter {}.", label("phone number")));
            None
        } else {
            e.check("phone", Phone::parse(i.phone))
        };
        let title = e.check("title", optional_line(i.title, TITLE_MAX, &label("title")));
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
        assert!(
            PersonalDetails::parse(
                input("", "12", "2020-01-01"),
                today,
                Voice::Customer,
                &mut e
            )
            .is_none()
        );
        assert!(e.has("first_name") && e.has("phone") && e.has("birthday"));
        let mut e = FieldErrors::new();
        let ok = PersonalDetails::parse(
            input("Ada", "+49 170 1234567", ""),
            today,
            Voice::Customer,
            &mut e,
        );
        assert!(e.is_empty());
        assert_eq!(ok.map(|d| d.birthday), Some(None));
    }

    #[test]
    fn speaks_to_staff_about_the_customer() {
        let today = time::macros::date!(2026 - 11 - 27);
        for (voice, expected) in [
            (Voice::Customer, "Enter your phone number."),
            (Voice::Staff, "Enter the phone number."),
        ] {
            let mut e = FieldErrors::new();
            PersonalDetails::parse(input("", " ", ""), today, voice, &mut e);
            assert_eq!(e.get("phone"), [expected.to_string()]);
            assert!(e.get("first_name")[0].contains(&voice.label("first name")));
        }
    }
}

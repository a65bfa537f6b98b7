//! A card as typed at checkout, parsed once (Luhn, expiry, CVC). Only the brand and the last
//! four digits are ever stored or shown; the number goes to the gateway and nowhere else.

use time::Date;

use crate::domain::FieldErrors;

/// A card as typed at checkout; the full number lives only as long as the request.
pub struct Card {
    number: String,
    pub name: String,
    pub brand: &'static str,
    pub last4: String,
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Card({} •••• {})", self.brand, self.last4)
    }
}

fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let mut d = c.to_digit(10).unwrap_or(0);
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

fn brand_of(digits: &str) -> &'static str {
    let two: u32 = digits.get(..2).and_then(|d| d.parse().ok()).unwrap_or(0);
    let four: u32 = digits.get(..4).and_then(|d| d.parse().ok()).unwrap_or(0);
    match () {
        _ if digits.starts_with('4') => "Visa",
        _ if (51..=55).contains(&two) || (2221..=2720).contains(&four) => "Mastercard",
        _ if two == 34 || two == 37 => "American Express",
        _ => "Card",
    }
}

impl Card {
    /// The full number, for the gateway only.
    pub(crate) fn number(&self) -> &str {
        &self.number
    }

    /// Checks the card fields; each problem is reported on its field. `today` decides expiry.
    pub fn parse(
        name: &str,
        number: &str,
        expiry: &str,
        cvc: &str,
        today: Date,
    ) -> Result<Card, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = name.trim();
        if name.is_empty() {
            e.add("card_name", "Enter the name on the card.");
        } else if name.chars().count() > 100 {
            e.add("card_name", "The name can be at most 100 characters long.");
        }
        let digits: String = number.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.is_empty() {
            e.add("card_number", "Enter the card number.");
        } else if !digits.chars().all(|c| c.is_ascii_digit()) || !(12..=19).contains(&digits.len())
        {
            e.add("card_number", "A card number has 12 to 19 digits.");
        } else if !luhn(&digits) {
            e.add(
                "card_number",
                "This card number is not valid; please check it.",
            );
        }
        match parse_expiry(expiry) {
            None => e.add("card_expiry", "Enter the expiry date as MM/YY, e.g. 04/29."),
            Some((year, month)) => {
                let this = (today.year(), today.month() as u8);
                if (year, month) < this {
                    e.add("card_expiry", "This card has expired.");
                }
            }
        }
        let cvc = cvc.trim();
        if !(3..=4).contains(&cvc.len()) || !cvc.chars().all(|c| c.is_ascii_digit()) {
            e.add("card_cvc", "The security code has 3 or 4 digits.");
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(Card {
            brand: brand_of(&digits),
            last4: digits[digits.len() - 4..].to_string(),
            number: digits,
            name: name.to_string(),
        })
    }
}

/// `MM/YY` (also `MM/YYYY`, `MMYY`) → (year, month).
fn parse_expiry(s: &str) -> Option<(i32, u8)> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !s.is_ascii() {
        return None;
    }
    let (m, y) = match s.split_once('/') {
        Some(parts) => parts,
        None if s.len() == 4 => s.split_at(2),
        None => return None,
    };
    let month: u8 = m.parse().ok().filter(|m| (1..=12).contains(m))?;
    let year: i32 = match y.len() {
        2 => 2000 + y.parse::<i32>().ok()?,
        4 => y.parse().ok()?,
        _ => return None,
    };
    Some((year, month))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decline {
    Declined,
    InsufficientFunds,
}

impl Decline {
    pub fn as_str(self) -> &'static str {
        match self {
            Decline::Declined => "declined",
            Decline::InsufficientFunds => "insufficient_funds",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Decline::Declined => "Your card was declined. Please use another card.",
            Decline::InsufficientFunds => {
                "The payment failed: insufficient funds. Please use another card."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::from_calendar_date(2026, time::Month::November, 22).unwrap()
    }

    #[test]
    fn test_cards_and_input_errors() {
        let ok = Card::parse("Ada", "4242 4242 4242 4242", "12/30", "123", today()).unwrap();
        assert_eq!((ok.brand, ok.last4.as_str()), ("Visa", "4242"));
        assert_eq!(format!("{ok:?}"), "Card(Visa •••• 4242)");
        assert!(
            Card::parse("Ada", "5555 5555 5555 4444", "11/26", "1234", today()).is_ok(),
            "this month is valid"
        );
        // The mock gateway's test cards pass the input checks.
        for number in super::super::mock::TEST_CARDS {
            assert!(
                Card::parse("Ada", number, "12/30", "123", today()).is_ok(),
                "{number}"
            );
        }
        for (number, expiry, cvc, field) in [
            ("4242 4242 4242 4241", "12/30", "123", "card_number"),
            ("4242", "12/30", "123", "card_number"),
            ("4242 4242 4242 424x", "12/30", "123", "card_number"),
            ("4242424242424242", "10/26", "123", "card_expiry"),
            ("4242424242424242", "13/30", "123", "card_expiry"),
            ("4242424242424242", "soon", "123", "card_expiry"),
            ("4242424242424242", "1é1", "123", "card_expiry"),
            ("4242424242424242", "12/30", "12", "card_cvc"),
            ("4242424242424242", "12/30", "12a", "card_cvc"),
        ] {
            let e = Card::parse("Ada", number, expiry, cvc, today()).unwrap_err();
            assert!(e.has(field), "{number} {expiry} {cvc}: {e:?}");
        }
    }
}

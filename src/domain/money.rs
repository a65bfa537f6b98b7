/// An amount of money in minor units (cents). Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, sqlx::Type)]
#[sqlx(transparent)]
pub struct Money(i64);

/// Prices above this are refused as typos (one million in major units).
pub const MAX_PRICE_CENTS: i64 = 100_000_000;

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_cents(cents: i64) -> Self {
        Money(cents)
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    /// Parses a price typed as a decimal: `12`, `12.5`, `12.50` (a comma works as the separator
    /// too). At most two decimals, not negative, at most [`MAX_PRICE_CENTS`].
    pub fn parse_decimal(input: &str) -> Result<Self, String> {
        let s = input.trim().replace(',', ".");
        let bad = || "Enter an amount like 12.50 (at most two decimals).".to_string();
        if s.is_empty() {
            return Err("Enter an amount.".into());
        }
        if s.starts_with('-') {
            return Err("The amount cannot be negative.".into());
        }
        let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
        if whole.is_empty() && frac.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
            || frac.len() > 2
            || whole.len() > 9
        {
            return Err(bad());
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let frac: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        let cents = whole * 100 + frac;
        if cents > MAX_PRICE_CENTS {
            return Err("The amount is too large.".into());
        }
        Ok(Money(cents))
    }

    /// `12.50`: for form fields and CSV files.
    pub fn to_decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// `€1,234.50`: for people.
    pub fn display(self, currency: &str) -> String {
        let abs = self.0.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        let amount = format!("{grouped}.{:02}", abs % 100);
        match currency {
            "EUR" => format!("{sign}€{amount}"),
            "USD" => format!("{sign}${amount}"),
            "GBP" => format!("{sign}£{amount}"),
            other => format!("{sign}{amount} {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimals_exactly() {
        for (s, c) in [
            ("12", 1200),
            ("12.5", 1250),
            ("12.50", 1250),
            ("0.05", 5),
            ("2,50", 250),
            (".99", 99),
            ("1000000", 100_000_000),
        ] {
            assert_eq!(Money::parse_decimal(s).unwrap().cents(), c, "{s}");
        }
        for s in [
            "",
            "-1",
            "abc",
            "1.234",
            "1e3",
            "12.5.0",
            "1000000.01",
            "NaN",
            ".",
            "99999999999",
        ] {
            assert!(Money::parse_decimal(s).is_err(), "{s} accepted");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(Money::from_cents(123_450).display("EUR"), "€1,234.50");
        assert_eq!(Money::from_cents(5).display("USD"), "$0.05");
        assert_eq!(Money::from_cents(100).display("CHF"), "1.00 CHF");
        assert_eq!(Money::from_cents(1250).to_decimal(), "12.50");
    }
}

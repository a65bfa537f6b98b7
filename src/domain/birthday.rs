use time::Date;

/// A birthday: a real date (`YYYY-MM-DD`) in the past, at least 13 years before today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Birthday(Date);

pub const MINIMUM_AGE: i32 = 13;

impl Birthday {
    pub fn parse(input: &str, today: Date) -> Result<Self, String> {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        let date = Date::parse(input.trim(), &fmt)
            .map_err(|_| "Enter a real date as YYYY-MM-DD, e.g. 1990-04-23.".to_string())?;
        if date >= today {
            return Err("The birthday must be in the past.".into());
        }
        if date.year() < 1900 {
            return Err("Enter a birthday after 1900.".into());
        }
        if Self::age_on(date, today) < MINIMUM_AGE {
            return Err(format!(
                "Customers must be at least {MINIMUM_AGE} years old."
            ));
        }
        Ok(Self(date))
    }

    fn age_on(born: Date, today: Date) -> i32 {
        let mut age = today.year() - born.year();
        if (today.month() as u8, today.day()) < (born.month() as u8, born.day()) {
            age -= 1;
        }
        age
    }

    pub fn date(&self) -> Date {
        self.0
    }

    pub fn to_iso(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month() as u8,
            self.0.day()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u8, d: u8) -> Option<Date> {
        Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
    }

    #[test]
    fn age_rule() {
        let today = date(2026, 11, 22).unwrap();
        assert!(Birthday::parse("2013-11-22", today).is_ok());
        assert!(Birthday::parse("2013-11-23", today).is_err());
        assert!(Birthday::parse("1990-02-30", today).is_err());
        assert!(Birthday::parse("2030-01-01", today).is_err());
        assert!(Birthday::parse("22.11.1990", today).is_err());
        assert_eq!(
            Birthday::parse(" 1990-04-23 ", today).unwrap().to_iso(),
            "1990-04-23"
        );
    }
}

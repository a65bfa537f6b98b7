/// A phone number in international form: `+` then 7–15 digits; spaces and dashes are allowed on
/// input and dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, String> {
        let compact: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if compact.is_empty() {
            return Err("Enter your phone number.".into());
        }
        let digits = compact.strip_prefix('+').unwrap_or("");
        if !compact.starts_with('+')
            || !(7..=15).contains(&digits.len())
            || !digits.chars().all(|c| c.is_ascii_digit())
        {
            return Err("Enter the number in international form: + then 7 to 15 digits, e.g. +49 170 1234567.".into());
        }
        Ok(Self(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises() {
        assert_eq!(
            Phone::parse("+49 170-123 4567").unwrap().as_str(),
            "+491701234567"
        );
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "0170 1234567",
            "+123456",
            "+1234567890123456",
            "+49 170 12a4567",
            "++491701234567",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad} accepted");
        }
    }
}

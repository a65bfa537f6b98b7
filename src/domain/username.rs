/// 3–32 characters of ASCII letters, digits, `.`, `_`, `-`. Kept as typed; compared by
/// [`key`](Username::key), its lower-case form, so uniqueness ignores case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, String> {
        let v = input.trim();
        if v.is_empty() {
            return Err("Choose a username.".into());
        }
        let len = v.chars().count();
        if !(3..=32).contains(&len) {
            return Err("A username has 3 to 32 characters.".into());
        }
        // ASCII only: rules out look-alike letters, zero-width and non-breaking spaces.
        if !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err("A username may contain only letters, digits, '.', '_' and '-'.".into());
        }
        Ok(Self(v.to_string()))
    }

    pub fn from_trusted(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_allowed_characters() {
        assert_eq!(Username::parse(" Bob.S_1-x ").unwrap().key(), "bob.s_1-x");
    }

    #[test]
    fn rejects_bad_ones() {
        for bad in [
            "",
            "ab",
            &"a".repeat(33),
            "bob smith",
            "bob\u{200b}",
            "bøb",
            "bob!",
            "bob\u{a0}x",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}

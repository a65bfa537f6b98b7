use std::collections::HashSet;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use unicode_normalization::UnicodeNormalization;

pub const MAX_PASSWORD_CHARS: usize = 128;

/// A password that passed the policy. Held as a secret so it never reaches a log by `Debug`.
#[derive(Debug)]
pub struct Password(SecretString);

impl Password {
    /// NFKC-normalised form, the one that is hashed and verified, so the same password typed on
    /// different keyboards (composed or decomposed accents) matches.
    pub fn normalise(raw: &str) -> String {
        raw.nfkc().collect()
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// The "type it again" check of every form that sets a password.
pub fn confirm_matches(password: &str, confirm: &str) -> Result<(), String> {
    if password == confirm {
        Ok(())
    } else {
        Err("The two passwords do not match.".into())
    }
}

/// What the password must not contain or resemble.
pub struct PasswordContext<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
}

/// The contract's password rule. Every failed rule yields its own message.
#[derive(Clone)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub require_classes: bool,
    pub min_strength: u8,
    common: Arc<HashSet<String>>,
    /// The shop's own name and the words of `store.name`, lower-cased: a password containing
    /// one is the first thing an attacker of this shop tries.
    shop_words: Arc<Vec<String>>,
}

const COMMON_PASSWORDS: &str = include_str!("../../assets/common-passwords.txt");

impl PasswordPolicy {
    pub fn new(min_length: usize, require_classes: bool, min_strength: u8) -> Self {
        Self::for_shop(min_length, require_classes, min_strength, "")
    }

    /// The policy of a shop named `shop_name` (its words of 4+ letters are refused too).
    pub fn for_shop(
        min_length: usize,
        require_classes: bool,
        min_strength: u8,
        shop_name: &str,
    ) -> Self {
        let mut shop_words = vec!["emporium".to_string()];
        for w in shop_name
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_lowercase)
            .filter(|w| w.chars().count() >= 4)
        {
            if !shop_words.contains(&w) {
                shop_words.push(w);
            }
        }
        let common = COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_lowercase)
            .collect();
        Self {
            min_length,
            require_classes,
            min_strength,
            common: Arc::new(common),
            shop_words: Arc::new(shop_words),
        }
    }

    pub fn is_common(&self, password: &str) -> bool {
        self.common.contains(&password.to_lowercase())
    }

    pub fn check(&self, raw: &str, ctx: &PasswordContext<'_>) -> Result<Password, Vec<String>> {
        let pw = Password::normalise(raw);
        let mut problems = Vec::new();
        let len = pw.chars().count();
        if len == 0 {
            return Err(vec!["Enter a password.".into()]);
        }
        if len < self.min_length {
            problems.push(format!("Use at least {} characters.", self.min_length));
        }
        if len > MAX_PASSWORD_CHARS {
            // Checked before anything costly: a 1 MB password is refused cheaply.
            problems.push(format!("Use at most {MAX_PASSWORD_CHARS} characters."));
            return Err(problems);
        }
        if self.require_classes {
            if !pw.chars().any(char::is_lowercase) {
                problems.push("Add a lower-case letter.".into());
            }
            if !pw.chars().any(char::is_uppercase) {
                problems.push("Add an upper-case letter.".into());
            }
            if !pw.chars().any(|c| c.is_numeric()) {
                problems.push("Add a digit.".into());
            }
            if !pw.chars().any(|c| !c.is_alphanumeric()) {
                problems.push(
                    "Add a character that is not a letter or digit, such as ! or a space.".into(),
                );
            }
        }
        if self.is_common(&pw) {
            problems
                .push("This is one of the most commonly used passwords; choose another.".into());
        }
        let lower = pw.to_lowercase();
        let username = ctx.username.trim().to_lowercase();
        if username.chars().count() >= 3 && lower.contains(&username) {
            problems.push("Don't use your username in your password.".into());
        }
        let local = ctx.email.trim().to_lowercase();
        let local = local.split('@').next().unwrap_or_default();
        if local.chars().count() >= 3 && lower.contains(local) {
            problems.push("Don't use your email address in your password.".into());
        }
        if self.shop_words.iter().any(|w| lower.contains(w.as_str())) {
            problems.push("Don't use the shop's name in your password.".into());
        }
        let mut inputs = vec![
            ctx.username,
            ctx.email,
            local,
            ctx.first_name,
            ctx.last_name,
        ];
        inputs.extend(self.shop_words.iter().map(String::as_str));
        let estimate = zxcvbn::zxcvbn(&pw, &inputs);
        if u8::from(estimate.score()) < self.min_strength {
            let mut msg = String::from("This password is too easy to guess.");
            if let Some(feedback) = estimate.feedback() {
                if let Some(w) = feedback.warning() {
                    msg.push(' ');
                    msg.push_str(&w.to_string());
                }
                if let Some(s) = feedback.suggestions().first() {
                    msg.push(' ');
                    msg.push_str(&s.to_string());
                }
            }
            problems.push(msg);
        }
        if problems.is_empty() {
            Ok(Password(SecretString::from(pw)))
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PasswordPolicy {
        PasswordPolicy::new(12, true, 3)
    }

    fn ctx() -> PasswordContext<'static> {
        PasswordContext {
            username: "alice",
            email: "alice.w@example.com",
            first_name: "Alice",
            last_name: "Wonder",
        }
    }

    #[test]
    fn strong_password_passes() {
        assert!(policy().check("Velvet-Harbor-93-Quartz", &ctx()).is_ok());
        assert!(
            policy()
                .check("Grüne Äpfel 7 schmecken süß", &ctx())
                .is_ok()
        );
    }

    #[test]
    fn each_rule_named() {
        let errs = policy().check("short", &ctx()).unwrap_err();
        assert!(errs.iter().any(|e| e.contains("at least 12")));
        assert!(errs.iter().any(|e| e.contains("upper-case")));
        assert!(errs.iter().any(|e| e.contains("digit")));
        assert!(errs.iter().any(|e| e.contains("not a letter or digit")));
        let errs = policy()
            .check("Alice-Velvet-93-Harbor", &ctx())
            .unwrap_err();
        assert!(errs.iter().any(|e| e.contains("username")), "{errs:?}");
        let errs = policy()
            .check("Alice.W-Velvet-93-Harbor", &ctx())
            .unwrap_err();
        assert!(errs.iter().any(|e| e.contains("email")), "{errs:?}");
        let errs = policy().check("Qwertyuiop1!", &ctx()).unwrap_err();
        assert!(errs.iter().any(|e| e.contains("too easy")), "{errs:?}");
        let errs = policy().check(&"Ab1!".repeat(40), &ctx()).unwrap_err();
        assert!(errs.iter().any(|e| e.contains("at most 128")));
        let shop = PasswordPolicy::for_shop(12, true, 3, "Harbor Teas & Co");
        for pw in ["Velvet-Harbor-93-Quartz", "Quartz-Emporium-93-Velvet"] {
            let errs = shop.check(pw, &ctx()).unwrap_err();
            assert!(
                errs.iter().any(|e| e.contains("shop's name")),
                "{pw}: {errs:?}"
            );
        }
    }

    #[test]
    fn common_list_is_loaded_and_used() {
        let p = PasswordPolicy::new(8, false, 0);
        assert!(p.common.len() >= 10_000);
        assert!(p.check("baseball", &ctx()).unwrap_err()[0].contains("commonly used"));
    }

    #[test]
    fn classes_are_a_setting() {
        let p = PasswordPolicy::new(12, false, 3);
        assert!(
            p.check("correct horse battery staple zebra", &ctx())
                .is_ok()
        );
        assert!(
            policy()
                .check("correct horse battery staple zebra", &ctx())
                .is_err()
        );
    }
}

/// How many units of a product: a whole number from 0 (remove) or 1 (add) to [`MAX_QUANTITY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(i64);

pub const MAX_QUANTITY: i64 = 999;

impl Quantity {
    pub fn parse(input: &str, allow_zero: bool) -> Result<Self, String> {
        let n: i64 = input
            .trim()
            .parse()
            .map_err(|_| "Enter the quantity as a whole number, like 2.".to_string())?;
        Self::from_number(n, allow_zero)
    }

    /// The same rules for a number that arrived as one (JSON).
    pub fn from_number(n: i64, allow_zero: bool) -> Result<Self, String> {
        let min = if allow_zero { 0 } else { 1 };
        if n < min {
            return Err(if allow_zero {
                "The quantity cannot be negative."
            } else {
                "Choose at least 1."
            }
            .into());
        }
        if n > MAX_QUANTITY {
            return Err(format!("At most {MAX_QUANTITY} at a time."));
        }
        Ok(Self(n))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert_eq!(Quantity::parse(" 3 ", false).unwrap().get(), 3);
        assert_eq!(Quantity::parse("0", true).unwrap().get(), 0);
        for bad in [
            "0",
            "-1",
            "1.5",
            "1e9",
            "9223372036854775808",
            "NaN",
            "",
            "1000",
        ] {
            assert!(Quantity::parse(bad, false).is_err(), "{bad}");
        }
    }
}

/// A product's primary key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ProductId(pub i64);

impl std::fmt::Display for ProductId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A stock-keeping unit: 1–64 characters of letters, digits, `-`, `_`, `.`, `/`; upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sku(String);

impl Sku {
    pub fn parse(input: &str) -> Result<Self, String> {
        let v = input.trim().to_ascii_uppercase();
        if v.is_empty() {
            return Err("Enter a SKU.".into());
        }
        if v.len() > 64
            || !v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        {
            return Err("A SKU has up to 64 letters, digits, '-', '_', '.' or '/'.".into());
        }
        Ok(Self(v))
    }

    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Units in stock: a whole number from 0 to 1,000,000.
pub fn parse_stock(input: &str) -> Result<i64, String> {
    let v = input.trim();
    let n: i64 = v
        .parse()
        .map_err(|_| "Enter the stock as a whole number, like 12.".to_string())?;
    if !(0..=1_000_000).contains(&n) {
        return Err("Stock must be between 0 and 1,000,000.".into());
    }
    Ok(n)
}

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

/// The orders a listing can be sorted in; the words are the `sort` parameter of `/products`
/// and of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Sort {
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Name,
    Newest,
    Rating,
}

impl Sort {
    pub const ALL: [Sort; 6] = [
        Sort::Relevance,
        Sort::PriceAsc,
        Sort::PriceDesc,
        Sort::Name,
        Sort::Newest,
        Sort::Rating,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::PriceAsc => "price_asc",
            Sort::PriceDesc => "price_desc",
            Sort::Name => "name",
            Sort::Newest => "newest",
            Sort::Rating => "rating",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown sort order")]
pub struct UnknownSort;

impl std::str::FromStr for Sort {
    type Err = UnknownSort;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sort::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
            .ok_or(UnknownSort)
    }
}

impl<'de> serde::Deserialize<'de> for Sort {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|_| {
            serde::de::Error::custom(format!(
                "sort must be one of {}",
                Sort::ALL.map(Sort::as_str).join(", ")
            ))
        })
    }
}

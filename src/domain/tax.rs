//! A product's tax class: which of the shop's VAT rates applies to it (the rates are settings).

/// The VAT class of a product (and of shipping).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum TaxClass {
    #[default]
    Standard,
    Reduced,
    Zero,
}

impl TaxClass {
    pub const ALL: [TaxClass; 3] = [TaxClass::Standard, TaxClass::Reduced, TaxClass::Zero];

    pub fn as_str(self) -> &'static str {
        match self {
            TaxClass::Standard => "standard",
            TaxClass::Reduced => "reduced",
            TaxClass::Zero => "zero",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TaxClass::Standard => "Standard rate",
            TaxClass::Reduced => "Reduced rate",
            TaxClass::Zero => "Zero rate",
        }
    }

    /// The class named by a form or CSV value (`standard`, `reduced`, `zero`).
    pub fn parse(s: &str) -> Option<TaxClass> {
        let s = s.trim().to_ascii_lowercase();
        TaxClass::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl TryFrom<String> for TaxClass {
    type Error = super::UnknownStatus;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        TaxClass::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or(super::UnknownStatus(s))
    }
}

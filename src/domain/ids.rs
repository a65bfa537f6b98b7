//! Primary keys as distinct types, so an order id can never be passed where a product id is
//! expected. They bind and decode as plain BIGINTs (`#[sqlx(transparent)]`), parse from path
//! segments and JSON as numbers, and display as numbers.

macro_rules! decl_id {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )*};
}

decl_id! {
    /// An account.
    UserId;
    /// A product.
    ProductId;
    /// An order.
    OrderId;
    /// A cart (a customer's or a guest's).
    CartId;
    /// A product category.
    CategoryId;
    /// A support request (its thread of messages).
    RequestId;
}

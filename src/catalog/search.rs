//! Catalogue listings. Both skins parse their parameters into one [`SearchQuery`]: the page
//! leniently (nonsense is dropped with a notice), the API strictly (nonsense is a 400). The
//! listing itself is the same for both.

use serde::Deserialize;

use super::CatalogError;
use super::cache::Counts;
use super::terms::{MAX_QUERY_CHARS, query_terms};
use crate::db::catalog::{self, Facet, Filter, ProductCard};
use crate::domain::{MAX_PAGE, Money, Pagination, Sort};
use crate::state::AppState;

pub const PAGE_SIZE: i64 = 24;
/// Category slugs and brand names longer than this match nothing, so they are dropped.
pub const MAX_FACET_CHARS: usize = 100;

/// What a shopper asked the catalogue for, after parsing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    /// The search text as kept (trimmed, at most [`MAX_QUERY_CHARS`]).
    pub text: String,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub min_price: Option<Money>,
    pub max_price: Option<Money>,
    pub sort: Sort,
    pub page: i64,
}

/// A query, and what was changed in it on the way (for the page to say).
pub struct Parsed {
    pub query: SearchQuery,
    pub notices: Vec<String>,
}

impl SearchQuery {
    /// The rules both skins share: the text is cut to its first [`MAX_QUERY_CHARS`], a minimum
    /// above the maximum swaps them, empty or overlong facet values are dropped.
    pub fn from_parts(
        text: &str,
        category: &str,
        brand: &str,
        min_price: Option<Money>,
        max_price: Option<Money>,
        sort: Sort,
        page: i64,
    ) -> Parsed {
        let mut notices = Vec::new();
        let trimmed = text.trim();
        if trimmed.chars().count() > MAX_QUERY_CHARS {
            notices.push(format!(
                "Your search was shortened to its first {MAX_QUERY_CHARS} characters."
            ));
        }
        let (mut min, mut max) = (min_price, max_price);
        if let (Some(a), Some(b)) = (min, max)
            && a > b
        {
            notices.push("The minimum price was above the maximum; they were swapped.".into());
            (min, max) = (Some(b), Some(a));
        }
        let keep = |s: &str| -> Option<String> {
            let v = s.trim();
            (!v.is_empty() && v.chars().count() <= MAX_FACET_CHARS).then(|| v.to_string())
        };
        Parsed {
            query: SearchQuery {
                text: trimmed.chars().take(MAX_QUERY_CHARS).collect(),
                category: keep(category),
                brand: keep(brand),
                min_price: min,
                max_price: max,
                sort,
                page: page.clamp(1, MAX_PAGE),
            },
            notices,
        }
    }

    /// Everything on sale, in one order.
    pub fn all(sort: Sort) -> Self {
        Self::from_parts("", "", "", None, None, sort, 1).query
    }

    /// What the database narrows the listing to.
    pub fn filter(&self) -> Filter {
        let terms = query_terms(&self.text);
        Filter {
            // A query of punctuation only matches nothing rather than everything: no indexed
            // word starts with a space.
            terms: if self.text.is_empty() || !terms.is_empty() {
                terms
            } else {
                vec![" ".to_string()]
            },
            category: self.category.clone(),
            brand: self.brand.clone(),
            min_cents: self.min_price.map(Money::cents),
            max_cents: self.max_price.map(Money::cents),
            include_inactive: false,
        }
    }
}

/// The listing's query string exactly as the page received it (anything may be wrong).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct SearchParams {
    pub q: String,
    pub category: String,
    pub brand: String,
    pub min_price: String,
    pub max_price: String,
    pub sort: String,
    pub page: String,
}

impl SearchParams {
    /// Parses leniently: a parameter that makes no sense is dropped with a notice.
    pub fn parse(&self) -> Parsed {
        let mut notices = Vec::new();
        let mut price = |raw: &str, label: &str| -> Option<Money> {
            if raw.trim().is_empty() {
                return None;
            }
            match Money::parse_decimal(raw) {
                Ok(m) => Some(m),
                Err(_) => {
                    notices.push(format!(
                        "The {label} price \u{201c}{}\u{201d} is not an amount and was ignored.",
                        raw.chars().take(20).collect::<String>()
                    ));
                    None
                }
            }
        };
        let min = price(&self.min_price, "minimum");
        let max = price(&self.max_price, "maximum");
        let sort = match self.sort.trim() {
            "" => Sort::default(),
            s => s.parse().unwrap_or_else(|_| {
                notices.push("That sort order does not exist; showing the default order.".into());
                Sort::default()
            }),
        };
        let page = Pagination::parse(&self.page, PAGE_SIZE).page();
        let mut parsed =
            SearchQuery::from_parts(&self.q, &self.category, &self.brand, min, max, sort, page);
        notices.append(&mut parsed.notices);
        parsed.notices = notices;
        parsed
    }
}

pub struct Listing {
    pub cards: Vec<ProductCard>,
    pub total: i64,
    /// The page shown: the one asked for, or the last one when that was past the end.
    pub page: Pagination,
    pub pages: i64,
    pub categories: Vec<Facet>,
    pub brands: Vec<Facet>,
}

/// Runs a listing; a page past the end shows the last page.
pub async fn list(state: &AppState, q: &SearchQuery) -> Result<Listing, CatalogError> {
    let pool = state.db.pool();
    let filter = q.filter();
    let counts = match state.catalog_cache.get(&filter) {
        Some(c) => c,
        None => {
            let c = Counts {
                total: catalog::count(pool, &filter).await?,
                categories: catalog::category_facets(pool, &filter).await?,
                brands: catalog::brand_facets(pool, &filter).await?,
            };
            state.catalog_cache.put(filter.clone(), c.clone());
            c
        }
    };
    let page = Pagination::new(q.page, PAGE_SIZE).within(counts.total);
    let cards = match state.catalog_cache.page(&filter, q.sort, page.page()) {
        Some(cards) => cards,
        None => {
            let ids =
                catalog::search_ids(pool, &filter, q.sort, page.per_page(), page.offset()).await?;
            let cards = catalog::cards(pool, &ids).await?;
            state
                .catalog_cache
                .put_page(filter, q.sort, page.page(), cards.clone());
            cards
        }
    };
    Ok(Listing {
        cards,
        total: counts.total,
        pages: page.pages(counts.total),
        page,
        categories: counts.categories,
        brands: counts.brands,
    })
}

/// The first `n` products on sale in one order, for the home page.
pub async fn showcase(
    state: &AppState,
    sort: Sort,
    n: i64,
) -> Result<Vec<ProductCard>, CatalogError> {
    let pool = state.db.pool();
    let filter = SearchQuery::all(sort).filter();
    let ids = catalog::search_ids(pool, &filter, sort, n, 0).await?;
    Ok(catalog::cards(pool, &ids).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> SearchParams {
        serde_urlencoded::from_str(&serde_urlencoded::to_string(pairs).unwrap()).unwrap()
    }

    #[test]
    fn bad_parameters_fall_back_with_notices() {
        let p = params(&[
            ("page", "-1"),
            ("min_price", "abc"),
            ("sort", "bogus"),
            ("q", &"x".repeat(10_000)),
        ])
        .parse();
        assert_eq!(p.query.page, 1);
        assert_eq!(p.query.min_price, None);
        assert_eq!(p.query.sort, Sort::Relevance);
        assert_eq!(p.query.text.len(), 200);
        assert_eq!(p.notices.len(), 3);
    }

    #[test]
    fn prices_swap() {
        let p = params(&[("min_price", "20"), ("max_price", "2.5")]).parse();
        assert_eq!(
            (p.query.min_price, p.query.max_price),
            (Some(Money::from_cents(250)), Some(Money::from_cents(2000)))
        );
        assert_eq!(p.notices.len(), 1);
    }

    #[test]
    fn punctuation_only_matches_nothing() {
        let p = params(&[("q", "%_%")]).parse();
        assert_eq!(p.query.filter().terms, vec![" ".to_string()]);
    }
}

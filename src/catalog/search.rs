//! Catalogue listings: query parameters as typed by people (anything may be wrong), the word
//! index behind search, and the page model.

use serde::Deserialize;

use super::CatalogError;
use super::cache::Counts;
use crate::db::catalog::{self, Facet, Filter, ProductCard, Sort};
use crate::domain::Money;
use crate::state::AppState;

pub const PAGE_SIZE: i64 = 24;
const MAX_QUERY_CHARS: usize = 200;
const MAX_QUERY_TERMS: usize = 6;
const MAX_TERM_CHARS: usize = 40;

/// The listing's query string, exactly as received.
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

/// A listing request after parsing; parameters that made no sense were dropped with a notice.
#[derive(Debug, Clone)]
pub struct Search {
    pub filter: Filter,
    pub sort: Sort,
    pub page: i64,
    /// The parameters as they will be kept in links (valid ones only).
    pub q: String,
    pub category: String,
    pub brand: String,
    pub min_price: String,
    pub max_price: String,
    pub sort_key: &'static str,
    pub notices: Vec<String>,
}

pub const SORTS: &[(&str, &str)] = &[
    ("relevance", "Relevance"),
    ("price_asc", "Price: low to high"),
    ("price_desc", "Price: high to low"),
    ("name", "Name"),
    ("newest", "Newest"),
    ("rating", "Rating"),
];

fn sort_of(key: &str) -> Option<(Sort, &'static str)> {
    Some(match key {
        "relevance" => (Sort::Relevance, "relevance"),
        "price_asc" => (Sort::PriceAsc, "price_asc"),
        "price_desc" => (Sort::PriceDesc, "price_desc"),
        "name" => (Sort::Name, "name"),
        "newest" => (Sort::Newest, "newest"),
        "rating" => (Sort::Rating, "rating"),
        _ => return None,
    })
}

/// Lower-cased words of a text (letters and digits; everything else separates).
pub fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().chars().take(MAX_TERM_CHARS).collect())
        .collect()
}

/// The index entries of a product: each word with the weight of the field it came from.
pub fn product_terms(
    sku: &str,
    name: &str,
    brand: &str,
    category: &str,
    description: &str,
) -> Vec<(String, i64)> {
    let mut terms: Vec<(String, i64)> = Vec::new();
    let mut add = |text: &str, weight: i64| {
        for t in tokenize(text) {
            match terms.iter_mut().find(|(x, _)| *x == t) {
                Some(e) => e.1 = e.1.max(weight),
                None => terms.push((t, weight)),
            }
        }
    };
    add(name, 10);
    add(sku, 8);
    add(brand, 6);
    add(category, 3);
    add(description, 1);
    // The SKU also as a whole, so `emp-0042` finds exactly that product.
    let whole = sku.to_lowercase();
    if whole.chars().count() <= MAX_TERM_CHARS && !terms.iter().any(|(t, _)| *t == whole) {
        terms.push((whole, 8));
    }
    terms
}

impl Search {
    pub fn parse(p: &SearchParams) -> Self {
        let mut notices = Vec::new();
        let q: String = p.q.trim().chars().take(MAX_QUERY_CHARS).collect();
        if p.q.trim().chars().count() > MAX_QUERY_CHARS {
            notices.push(format!(
                "Your search was shortened to its first {MAX_QUERY_CHARS} characters."
            ));
        }
        let mut terms = Vec::new();
        for t in tokenize(&q) {
            if !terms.contains(&t) && terms.len() < MAX_QUERY_TERMS {
                terms.push(t);
            }
        }
        let price = |raw: &str, label: &str, notices: &mut Vec<String>| -> Option<i64> {
            if raw.trim().is_empty() {
                return None;
            }
            match Money::parse_decimal(raw) {
                Ok(m) => Some(m.cents()),
                Err(_) => {
                    notices.push(format!(
                        "The {label} price \u{201c}{}\u{201d} is not an amount and was ignored.",
                        raw.chars().take(20).collect::<String>()
                    ));
                    None
                }
            }
        };
        let mut min = price(&p.min_price, "minimum", &mut notices);
        let mut max = price(&p.max_price, "maximum", &mut notices);
        if let (Some(a), Some(b)) = (min, max)
            && a > b
        {
            notices.push("The minimum price was above the maximum; they were swapped.".into());
            (min, max) = (Some(b), Some(a));
        }
        let (sort, sort_key) = match sort_of(p.sort.trim()) {
            Some(s) => s,
            None => {
                if !p.sort.trim().is_empty() {
                    notices
                        .push("That sort order does not exist; showing the default order.".into());
                }
                (Sort::Relevance, "relevance")
            }
        };
        let page = p
            .page
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .unwrap_or(1);
        let keep = |s: &str| -> Option<String> {
            let v = s.trim();
            (!v.is_empty() && v.chars().count() <= 100).then(|| v.to_string())
        };
        let category = keep(&p.category);
        let brand = keep(&p.brand);
        Search {
            filter: Filter {
                // A query of punctuation only matches nothing rather than everything: no indexed
                // word starts with a space.
                terms: if q.is_empty() || !terms.is_empty() {
                    terms
                } else {
                    vec![" ".to_string()]
                },
                category: category.clone(),
                brand: brand.clone(),
                min_cents: min,
                max_cents: max,
                include_inactive: false,
            },
            sort,
            page,
            q,
            category: category.unwrap_or_default(),
            brand: brand.unwrap_or_default(),
            min_price: min
                .map(|c| Money::from_cents(c).to_decimal())
                .unwrap_or_default(),
            max_price: max
                .map(|c| Money::from_cents(c).to_decimal())
                .unwrap_or_default(),
            sort_key,
            notices,
        }
    }

    /// This listing narrowed to a category (or all categories with an empty slug).
    pub fn category_link(&self, slug: &str) -> String {
        Search {
            category: slug.to_string(),
            ..self.clone()
        }
        .link(None, None)
    }

    /// This listing narrowed to a brand (or all brands with an empty key).
    pub fn brand_link(&self, brand: &str) -> String {
        Search {
            brand: brand.to_string(),
            ..self.clone()
        }
        .link(None, None)
    }

    /// The query string of this listing with some parameters replaced (for links).
    pub fn link(&self, sort: Option<&str>, page: Option<i64>) -> String {
        let page = page.unwrap_or(1).to_string();
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for (k, v) in [
            ("q", self.q.as_str()),
            ("category", self.category.as_str()),
            ("brand", self.brand.as_str()),
            ("min_price", self.min_price.as_str()),
            ("max_price", self.max_price.as_str()),
        ] {
            if !v.is_empty() {
                pairs.push((k, v));
            }
        }
        let sort = sort.unwrap_or(self.sort_key);
        if sort != "relevance" {
            pairs.push(("sort", sort));
        }
        if page != "1" {
            pairs.push(("page", &page));
        }
        let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if qs.is_empty() {
            "/products".into()
        } else {
            format!("/products?{qs}")
        }
    }
}

pub struct Listing {
    pub cards: Vec<ProductCard>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub categories: Vec<Facet>,
    pub brands: Vec<Facet>,
}

/// Runs a listing; a page past the end shows the last page.
pub async fn list(state: &AppState, s: &Search) -> Result<Listing, CatalogError> {
    let pool = state.db.pool();
    let counts = match state.catalog_cache.get(&s.filter) {
        Some(c) => c,
        None => {
            let c = Counts {
                total: catalog::count(pool, &s.filter).await?,
                categories: catalog::category_facets(pool, &s.filter).await?,
                brands: catalog::brand_facets(pool, &s.filter).await?,
            };
            state.catalog_cache.put(s.filter.clone(), c.clone());
            c
        }
    };
    let pages = ((counts.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = s.page.min(pages);
    let cards = match state.catalog_cache.page(&s.filter, s.sort, page) {
        Some(cards) => cards,
        None => {
            let offset = (page - 1) * PAGE_SIZE;
            let ids = catalog::search_ids(pool, &s.filter, s.sort, PAGE_SIZE, offset).await?;
            let cards = catalog::cards(pool, &ids).await?;
            state
                .catalog_cache
                .put_page(s.filter.clone(), s.sort, page, cards.clone());
            cards
        }
    };
    Ok(Listing {
        cards,
        total: counts.total,
        page,
        pages,
        categories: counts.categories,
        brands: counts.brands,
    })
}

/// Newest and most popular active products, for the home page.
pub async fn showcase(
    state: &AppState,
    sort: Sort,
    n: i64,
) -> Result<Vec<ProductCard>, CatalogError> {
    let pool = state.db.pool();
    let ids = catalog::search_ids(pool, &Filter::default(), sort, n, 0).await?;
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
        let s = Search::parse(&params(&[
            ("page", "-1"),
            ("min_price", "abc"),
            ("sort", "bogus"),
            ("q", &"x".repeat(10_000)),
        ]));
        assert_eq!(s.page, 1);
        assert_eq!(s.filter.min_cents, None);
        assert_eq!(s.sort, Sort::Relevance);
        assert_eq!(s.q.len(), 200);
        assert_eq!(s.notices.len(), 3);
    }

    #[test]
    fn prices_swap_and_links_keep_filters() {
        let s = Search::parse(&params(&[
            ("min_price", "20"),
            ("max_price", "2.5"),
            ("category", "tea"),
            ("sort", "name"),
        ]));
        assert_eq!(
            (s.filter.min_cents, s.filter.max_cents),
            (Some(250), Some(2000))
        );
        assert_eq!(
            s.link(None, Some(2)),
            "/products?category=tea&min_price=2.50&max_price=20.00&sort=name&page=2"
        );
    }

    #[test]
    fn terms_weigh_fields() {
        let t = product_terms(
            "EMP-0042",
            "Copper Kettle",
            "Hearth & Co",
            "Kitchen",
            "A kettle for tea",
        );
        assert!(t.contains(&("kettle".into(), 10)));
        assert!(t.contains(&("emp-0042".into(), 8)));
        assert!(t.contains(&("tea".into(), 1)));
        assert_eq!(tokenize("50% off_now!"), vec!["50", "off", "now"]);
    }

    #[test]
    fn punctuation_only_matches_nothing() {
        let s = Search::parse(&params(&[("q", "%_%")]));
        assert_eq!(s.filter.terms, vec![" ".to_string()]);
    }
}

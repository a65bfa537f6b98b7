//! The catalogue page's state as its form and links show it, and the URLs of its links.

use crate::catalog::search::{Parsed, SearchQuery};
use crate::domain::{Money, Sort};

use super::url_with;

/// What the sort menu says.
pub fn sort_label(s: Sort) -> &'static str {
    match s {
        Sort::Relevance => "Relevance",
        Sort::PriceAsc => "Price: low to high",
        Sort::PriceDesc => "Price: high to low",
        Sort::Name => "Name",
        Sort::Newest => "Newest",
        Sort::Rating => "Rating",
    }
}

/// (value, label) of every sort order, for the menu.
pub fn sort_options() -> Vec<(&'static str, &'static str)> {
    Sort::ALL
        .into_iter()
        .map(|s| (s.as_str(), sort_label(s)))
        .collect()
}

/// The listing's parameters as the form shows them again, and the links that change one.
pub struct ListingState {
    pub q: String,
    pub category: String,
    pub brand: String,
    pub min_price: String,
    pub max_price: String,
    pub sort_key: &'static str,
    pub notices: Vec<String>,
    query: SearchQuery,
}

fn price(m: Option<Money>) -> String {
    m.map(Money::to_decimal).unwrap_or_default()
}

/// The `/products` URL of a query (default values left out).
pub fn listing_url(q: &SearchQuery) -> String {
    let page = q.page.to_string();
    let (min, max) = (price(q.min_price), price(q.max_price));
    let sort = if q.sort == Sort::default() {
        ""
    } else {
        q.sort.as_str()
    };
    url_with(
        "/products",
        &[
            ("q", &q.text),
            ("category", q.category.as_deref().unwrap_or("")),
            ("brand", q.brand.as_deref().unwrap_or("")),
            ("min_price", &min),
            ("max_price", &max),
            ("sort", sort),
            ("page", if q.page == 1 { "" } else { &page }),
        ],
    )
}

impl ListingState {
    pub fn new(parsed: Parsed) -> Self {
        let q = parsed.query;
        Self {
            q: q.text.clone(),
            category: q.category.clone().unwrap_or_default(),
            brand: q.brand.clone().unwrap_or_default(),
            min_price: price(q.min_price),
            max_price: price(q.max_price),
            sort_key: q.sort.as_str(),
            notices: parsed.notices,
            query: q,
        }
    }

    /// This listing narrowed to a category (or all categories with an empty slug), from page 1.
    pub fn category_link(&self, slug: &str) -> String {
        listing_url(&SearchQuery {
            category: (!slug.is_empty()).then(|| slug.to_string()),
            page: 1,
            ..self.query.clone()
        })
    }

    /// This listing narrowed to a brand (or all brands with an empty key), from page 1.
    pub fn brand_link(&self, brand: &str) -> String {
        listing_url(&SearchQuery {
            brand: (!brand.is_empty()).then(|| brand.to_string()),
            page: 1,
            ..self.query.clone()
        })
    }

    /// How many filters and non-default choices narrow or order the list (shown on the collapsed
    /// "Filter and sort" control, so a phone user knows the list is filtered).
    pub fn active_filters(&self) -> usize {
        let q = &self.query;
        [
            q.category.is_some(),
            q.brand.is_some(),
            q.min_price.is_some() || q.max_price.is_some(),
            q.sort != Sort::default(),
        ]
        .into_iter()
        .filter(|on| *on)
        .count()
    }

    /// The document title: distinct for every search, filter and page, so tabs and history can
    /// be told apart.
    pub fn title(&self) -> String {
        let mut t = if self.q.is_empty() {
            "Catalogue".to_string()
        } else {
            format!("Search: {}", self.q)
        };
        for facet in [&self.category, &self.brand] {
            if !facet.is_empty() {
                t = format!("{facet} · {t}");
            }
        }
        if self.query.page > 1 {
            t = format!("{t}, page {}", self.query.page);
        }
        t
    }

    pub fn page_link(&self, page: i64) -> String {
        listing_url(&SearchQuery {
            page,
            ..self.query.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::search::SearchParams;

    #[test]
    fn links_keep_the_filters() {
        let params: SearchParams =
            serde_urlencoded::from_str("min_price=20&max_price=2.5&category=tea&sort=name&page=3")
                .unwrap();
        let s = ListingState::new(params.parse());
        assert_eq!(
            s.page_link(2),
            "/products?category=tea&min_price=2.50&max_price=20.00&sort=name&page=2"
        );
        assert_eq!(s.active_filters(), 3);
        assert_eq!(s.title(), "tea · Catalogue, page 3");
        assert_eq!(
            s.category_link(""),
            "/products?min_price=2.50&max_price=20.00&sort=name"
        );
    }
}

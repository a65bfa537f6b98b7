//! View models: what templates show, prepared from domain data (formatting and display rules
//! live here, not in templates or handlers).
//!
//! - this module: product cards and page links
//! - `listing`: the catalogue's filter state and the URLs it links to
//! - `orders`: orders, their lines and history
//! - `cart`: the cart and its totals
//! - `engagement`: ratings, reviews, wishlists
//! - `support`: support requests and their messages
//! - `charts`: the dashboard's SVG charts
//! - `confirm`: the questions asked before actions that cannot simply be undone

pub mod cart;
pub mod charts;
pub mod confirm;
pub mod engagement;
pub mod listing;
pub mod orders;
pub mod support;

use crate::catalog::StockState;
use crate::db::catalog::ProductCard;
use crate::discounts::Promotion;
use crate::discounts::promotions::deal;
use crate::domain::{CategoryId, Money, ProductId};
use crate::http::media_url;

pub struct CardView {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub category: String,
    pub price: String,
    pub stock_label: String,
    pub stock_class: &'static str,
    pub stock: i64,
    pub active: bool,
    pub thumb: Option<String>,
    pub width: i64,
    pub height: i64,
    /// Images below the fold load lazily.
    pub lazy: bool,
    /// The average rating ("4.3") and how many ratings, when rated.
    pub rating: Option<String>,
    pub rating_count: i64,
    /// On the signed-in customer's wishlist (None for guests: no wishlist control).
    pub wished: Option<bool>,
    pub category_id: CategoryId,
    pub price_cents: i64,
    /// The best running promotion: its badge, and the list price struck through when the
    /// offer lowers the price of one unit.
    pub deal: Option<String>,
    pub was_price: Option<String>,
}

/// Cards shown before the fold on a phone and a desktop.
const EAGER_CARDS: usize = 8;

/// CSS modifier of a stock state (`stock--in`, `stock--low`, `stock--out`).
pub fn stock_class(s: StockState) -> &'static str {
    match s {
        StockState::InStock => "in",
        StockState::Low(_) => "low",
        StockState::Out => "out",
    }
}

impl CardView {
    pub fn new(c: ProductCard, currency: &str) -> Self {
        let state = StockState::of(c.stock);
        Self {
            id: c.id,
            sku: c.sku,
            price: c.price.display(currency),
            price_cents: c.price.cents(),
            category_id: c.category_id,
            deal: None,
            was_price: None,
            stock_label: state.label(),
            stock_class: stock_class(state),
            stock: c.stock,
            active: c.active,
            thumb: c.thumb.as_deref().map(media_url),
            width: c.thumb_width.unwrap_or(400),
            height: c.thumb_height.unwrap_or(400),
            lazy: false,
            rating: engagement::rating_text(c.rating_count, c.rating_sum),
            rating_count: c.rating_count,
            wished: None,
            name: c.name,
            brand: c.brand,
            category: c.category_name,
        }
    }

    /// Marks the cards the customer wishes for (and gives every card its wishlist control).
    pub fn mark_wished(cards: &mut [Self], wished: &[ProductId]) {
        for c in cards {
            c.wished = Some(wished.contains(&c.id));
        }
    }

    /// Shows the running promotions on the cards (after the listing cache, so an offer starts
    /// and ends on time).
    pub fn show_deals(cards: &mut [Self], running: &[Promotion], currency: &str) {
        for c in cards {
            if let Some(d) = deal(running, c.id, c.category_id, c.price_cents) {
                if let Some(unit) = d.unit_cents {
                    c.was_price = Some(std::mem::take(&mut c.price));
                    c.price = Money::from_cents(unit).display(currency);
                }
                c.deal = Some(d.badge);
            }
        }
    }

    pub fn list(cards: Vec<ProductCard>, currency: &str) -> Vec<Self> {
        cards
            .into_iter()
            .enumerate()
            .map(|(i, c)| Self {
                lazy: i >= EAGER_CARDS,
                ..Self::new(c, currency)
            })
            .collect()
    }
}

/// One entry of a page list: a numbered page, a gap (…, `number` None and no `step`), or the
/// Previous/Next step (`step` names it; a phone user pages with these rather than the numbers).
pub struct PageLink {
    pub number: Option<i64>,
    pub href: String,
    pub current: bool,
    pub step: Option<&'static str>,
}

impl PageLink {
    /// `prev`/`next` on the steps, for the link's `rel`.
    pub fn rel(&self) -> &'static str {
        match self.step {
            Some("Previous") => "prev",
            Some(_) => "next",
            None => "",
        }
    }
}

/// Previous · 1 … 4 5 [6] 7 8 … 20 · Next
pub fn page_links(page: i64, pages: i64, href: impl Fn(i64) -> String) -> Vec<PageLink> {
    let mut out = Vec::new();
    if pages <= 1 {
        return out;
    }
    let link = |number: Option<i64>, href: String, step: Option<&'static str>| PageLink {
        number,
        href,
        current: number == Some(page) && step.is_none(),
        step,
    };
    if page > 1 {
        out.push(link(None, href(page - 1), Some("Previous")));
    }
    let mut last = 0;
    for n in 1..=pages {
        if n == 1 || n == pages || (n - page).abs() <= 2 {
            if n > last + 1 {
                out.push(link(None, String::new(), None));
            }
            out.push(link(Some(n), href(n), None));
            last = n;
        }
    }
    if page < pages {
        out.push(link(None, href(page + 1), Some("Next")));
    }
    out
}

/// `path?k=v&…` with the empty values left out.
pub fn url_with(path: &str, pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let qs = serde_urlencoded::to_string(&kept).unwrap_or_default();
    if qs.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{qs}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pages_with_gaps() {
        let links = super::page_links(6, 20, |n| n.to_string());
        let shown: Vec<String> = links
            .iter()
            .map(|l| match (l.step, l.number) {
                (Some(step), _) => format!("{step}:{}", l.href),
                (None, Some(n)) if l.current => format!("[{n}]"),
                (None, Some(n)) => n.to_string(),
                (None, None) => "…".into(),
            })
            .collect();
        assert_eq!(
            shown,
            [
                "Previous:5",
                "1",
                "…",
                "4",
                "5",
                "[6]",
                "7",
                "8",
                "…",
                "20",
                "Next:7"
            ]
        );
        let first = super::page_links(1, 3, |n| n.to_string());
        assert!(first[0].current && first.last().is_some_and(|l| l.step == Some("Next")));
        let last = super::page_links(3, 3, |n| n.to_string());
        assert_eq!(last[0].step, Some("Previous"));
        assert!(last.last().is_some_and(|l| l.current));
        assert!(super::page_links(1, 1, |n| n.to_string()).is_empty());
    }

    #[test]
    fn urls_leave_out_empty_values() {
        assert_eq!(
            super::url_with("/x", &[("q", ""), ("page", "2")]),
            "/x?page=2"
        );
        assert_eq!(super::url_with("/x", &[("q", "")]), "/x");
    }
}

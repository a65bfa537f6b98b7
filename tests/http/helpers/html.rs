//! Pages read the way a browser does: parsed, then selected with CSS selectors, so tests do not
//! depend on attribute order or whitespace.

use scraper::{ElementRef, Selector};

/// A parsed page.
pub struct Html(scraper::Html);

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e}"))
}

impl Html {
    pub fn parse(text: &str) -> Self {
        Self(scraper::Html::parse_document(text))
    }

    pub fn select(&self, css: &str) -> Vec<ElementRef<'_>> {
        self.0.select(&selector(css)).collect()
    }

    /// The text of each element matching `css`, whitespace collapsed.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.select(css)
            .into_iter()
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// The text of the first element matching `css` exactly as written (line breaks kept).
    pub fn text_of(&self, css: &str) -> String {
        self.select(css)
            .first()
            .map(|e| e.text().collect::<String>().trim().to_string())
            .unwrap_or_default()
    }

    /// The value of the first form field with this name.
    pub fn input_value(&self, name: &str) -> Option<String> {
        self.select(&format!(r#"[name="{name}"]"#))
            .first()
            .and_then(|e| e.value().attr("value"))
            .map(str::to_string)
    }

    /// The `href`s of the links matching `css`.
    pub fn links(&self, css: &str) -> Vec<String> {
        self.select(css)
            .into_iter()
            .filter_map(|e| e.value().attr("href"))
            .map(str::to_string)
            .collect()
    }
}

pub fn extract_csrf(html: &str) -> Option<String> {
    Html::parse(html).input_value("csrf_token")
}

/// The product ids a listing page's results link to, in order (not the popular products shown
/// when nothing was found).
pub fn product_ids(html: &str) -> Vec<i64> {
    Html::parse(html)
        .links(".results-grid .card a.card-link")
        .iter()
        .map(|h| h.trim_start_matches("/products/").parse().unwrap())
        .collect()
}

/// Prices shown on a listing page's cards, in cents.
pub fn prices(html: &str) -> Vec<i64> {
    Html::parse(html)
        .texts(".card .card-price")
        .iter()
        .map(|p| {
            let digits: String = p.chars().filter(char::is_ascii_digit).collect();
            digits.parse().unwrap()
        })
        .collect()
}

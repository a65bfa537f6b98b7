//! The word index behind search: how a product's fields and a shopper's query become terms.
//! Words are folded (lower case, accents dropped) on both sides; the index also holds each
//! word's stem (a light English stemmer), so "teapots", "knives" and "dishes" find "teapot",
//! "knife" and "dish".

use unicode_normalization::UnicodeNormalization;

/// Searches read at most this much of what was typed.
pub const MAX_QUERY_CHARS: usize = 200;
/// …and at most this many distinct words of it.
pub const MAX_QUERY_TERMS: usize = 6;
pub(crate) const MAX_TERM_CHARS: usize = 40;

/// The version of how terms are made; the index is rebuilt when it changes (see
/// `catalog::reindex_if_needed`).
pub const TERMS_VERSION: i64 = 2;

/// A word as the index keeps it: lower case, accents dropped (`Café` → `cafe`).
pub fn fold(word: &str) -> String {
    word.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .take(MAX_TERM_CHARS)
        .collect()
}

/// Folded words of a text (letters and digits; everything else separates).
pub fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
        .filter(|w| !w.is_empty())
        .collect()
}

/// A light English stemmer for plurals and common inflections. It only shortens, so a stem is
/// also found as a prefix: `knives`/`knife` → `knif`, `batteries` → `battery`, `dishes` →
/// `dish`, `cups` → `cup`, `painted` → `paint`, `baking` → `bak`.
pub fn stem(word: &str) -> String {
    let w = word;
    let n = w.chars().count();
    if n <= 3 || !w.chars().all(|c| c.is_alphabetic()) {
        return w.to_string();
    }
    let cut = |suffix: &str, with: &str| format!("{}{with}", &w[..w.len() - suffix.len()]);
    if n > 4 && w.ends_with("ies") {
        return cut("ies", "y");
    }
    if w.ends_with("ves") {
        return cut("ves", "f");
    }
    if w.ends_with("fe") {
        return cut("fe", "f");
    }
    for es in ["sses", "xes", "ches", "shes", "zes"] {
        if w.ends_with(es) {
            return cut("es", "");
        }
    }
    if w.ends_with('s') && !(w.ends_with("ss") || w.ends_with("us") || w.ends_with("is")) {
        return cut("s", "");
    }
    if n > 5 && w.ends_with("ing") {
        return cut("ing", "");
    }
    if n > 4 && w.ends_with("ed") && !w.ends_with("eed") {
        return cut("ed", "");
    }
    w.to_string()
}

/// The distinct words a search looks for, in the order typed, at most [`MAX_QUERY_TERMS`].
pub fn query_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for t in tokenize(text) {
        if !terms.contains(&t) && terms.len() < MAX_QUERY_TERMS {
            terms.push(t);
        }
    }
    terms
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
        for word in tokenize(text) {
            let stemmed = stem(&word);
            for t in [word, stemmed] {
                match terms.iter_mut().find(|(x, _)| *x == t) {
                    Some(e) => e.1 = e.1.max(weight),
                    None => terms.push((t, weight)),
                }
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn stems_meet_their_plurals_and_accents_fold() {
        for (a, b) in [
            ("teapots", "teapot"),
            ("knives", "knife"),
            ("dishes", "dish"),
            ("batteries", "battery"),
            ("shelves", "shelf"),
            ("cups", "cup"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} {b}");
        }
        assert_eq!(stem("glass"), "glass");
        assert_eq!(stem("bus"), "bus");
        assert_eq!(fold("Café"), "cafe");
        assert_eq!(tokenize("TÉAPOT  Crème"), vec!["teapot", "creme"]);
        let t = product_terms("S-1", "Oak Teapots", "B", "C", "");
        assert!(t.contains(&("teapots".into(), 10)) && t.contains(&("teapot".into(), 10)));
    }

    #[test]
    fn query_terms_are_distinct_and_bounded() {
        assert_eq!(query_terms("tea Tea pot"), vec!["tea", "pot"]);
        assert_eq!(query_terms("a b c d e f g h").len(), MAX_QUERY_TERMS);
    }
}

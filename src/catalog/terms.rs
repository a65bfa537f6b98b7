//! The word index behind search: how a product's fields and a shopper's query become terms.

/// Searches read at most this much of what was typed.
pub const MAX_QUERY_CHARS: usize = 200;
/// …and at most this many distinct words of it.
pub const MAX_QUERY_TERMS: usize = 6;
const MAX_TERM_CHARS: usize = 40;

/// Lower-cased words of a text (letters and digits; everything else separates).
pub fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().chars().take(MAX_TERM_CHARS).collect())
        .collect()
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
    fn query_terms_are_distinct_and_bounded() {
        assert_eq!(query_terms("tea Tea pot"), vec!["tea", "pot"]);
        assert_eq!(query_terms("a b c d e f g h").len(), MAX_QUERY_TERMS);
    }
}

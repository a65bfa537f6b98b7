//! Catalogue listings. Both skins parse their parameters into one [`SearchQuery`]: the page
//! leniently (nonsense is dropped with a notice), the API strictly (nonsense is a 400). The
//! listing itself is the same for both.

use serde::Deserialize;

use super::CatalogError;
use super::cache::Counts;
use super::lanes::{Lane, Place};
use std::sync::Arc;
use std::time::Duration;

use super::spelling::Vocabulary;
use super::terms::{MAX_QUERY_CHARS, query_terms, stem};
use crate::db::catalog::{self, Facet, Filter, ProductCard, SearchWord};
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
    /// The filter of this query: each typed word looked for as typed and as its stem (by
    /// prefix); spelling corrections are added by [`list`] where a word matches nothing.
    pub fn filter(&self) -> Filter {
        let terms = query_terms(&self.text);
        let words = if self.text.is_empty() {
            Vec::new()
        } else if terms.is_empty() {
            // Punctuation only matches nothing rather than everything: no indexed word starts
            // with a space.
            vec![SearchWord::plain(" ")]
        } else {
            terms
                .iter()
                .map(|t| {
                    let s = stem(t);
                    let mut prefixes = vec![t.clone()];
                    if s != *t {
                        prefixes.push(s);
                    }
                    SearchWord {
                        prefixes,
                        ..SearchWord::plain("")
                    }
                })
                .collect()
        };
        Filter {
            words,
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
    /// Words too common to search for, left out of the search.
    pub ignored: Vec<String>,
    /// Words that matched nothing and what was searched for instead (typed, corrected).
    pub corrected: Vec<(String, String)>,
    /// When nothing was found: a search that would find something ("Did you mean …?").
    pub suggestion: Option<String>,
    /// When nothing was found: popular products to show instead of an empty page.
    pub popular: Vec<ProductCard>,
    pub cards: Vec<ProductCard>,
    pub total: i64,
    /// The page shown: the one asked for, or the last one when that was past the end.
    pub page: Pagination,
    pub pages: i64,
    pub categories: Vec<Facet>,
    pub brands: Vec<Facet>,
}

/// Typed words of at most this many letters match as whole words only: as prefixes they would
/// stand for much of the catalogue (and their most used words are the most costly to expand
/// to). A short whole word used by more than `catalog.broad_search_entries` products ("a",
/// "by") is left out of the search, as search engines leave out stop words.
const SHORT_WORD: usize = 2;
/// Listings show at most this many products of a result (the first 400 pages), as search
/// engines do: no shopper pages further, and the cost of a page grows with its depth.
pub const MAX_RESULT_WINDOW: i64 = 400 * PAGE_SIZE;

/// The catalogue's words, from the cache or the index. Aged words are served while one caller
/// reads them again in the background; without any, one caller reads them and the rest wait.
async fn vocabulary(state: &AppState) -> Result<Arc<Vocabulary>, CatalogError> {
    let cache = &state.catalog_cache;
    if let Some((v, fresh)) = cache.vocabulary() {
        if !fresh && cache.start_vocabulary_refresh() {
            let state = state.clone();
            tokio::spawn(async move {
                match catalog::vocabulary(state.db.pool()).await {
                    Ok(words) => state
                        .catalog_cache
                        .put_vocabulary(Arc::new(Vocabulary::new(words))),
                    Err(e) => tracing::warn!(error = %e, "catalogue words not refreshed"),
                }
            });
        }
        return Ok(v);
    }
    let _loading = cache.vocabulary_loading.lock().await;
    if let Some((v, _)) = cache.vocabulary() {
        return Ok(v);
    }
    let v = Arc::new(Vocabulary::new(catalog::vocabulary(state.db.pool()).await?));
    cache.put_vocabulary(v.clone());
    Ok(v)
}

#[derive(Default)]
struct Prepared {
    corrected: Vec<(String, String)>,
    /// Index entries the search is expected to read.
    entries: i64,
    /// Short words too common to search for, left out.
    ignored: Vec<String>,
}

/// Fits the typed words to the catalogue's words: a short word matches whole (with its most
/// used longer words), a word that no catalogue word starts with gets the closest words
/// instead. Returns (typed, first correction) for each corrected word, and how many index
/// entries the search is expected to read.
async fn prepare(state: &AppState, filter: &mut Filter) -> Result<Prepared, CatalogError> {
    if filter.words.is_empty() {
        return Ok(Prepared::default());
    }
    let vocabulary = vocabulary(state).await?;
    let mut corrected = Vec::new();
    let mut entries = 0;
    let common = state.settings.catalog.broad_search_entries;
    let mut ignored = Vec::new();
    filter.words.retain(|w| {
        let typed = w.prefixes.first().map(String::as_str).unwrap_or_default();
        let stop = typed.chars().count() <= SHORT_WORD && vocabulary.entries_of(typed) > common;
        if stop {
            ignored.push(typed.to_string());
        }
        !stop
    });
    for w in &mut filter.words {
        let Some(typed) = w.prefixes.first().cloned() else {
            continue;
        };
        if typed.chars().count() <= SHORT_WORD {
            w.whole = true;
            entries += vocabulary.entries_of(&typed);
            if vocabulary.entries_of(&typed) > 0 {
                continue;
            }
        } else if w.prefixes.iter().any(|p| vocabulary.has_prefix(p)) {
            entries += w
                .prefixes
                .iter()
                .map(|p| vocabulary.entries_with_prefix(p))
                .max()
                .unwrap_or(0);
            continue;
        }
        w.corrections = vocabulary.corrections(&typed);
        entries += w
            .corrections
            .iter()
            .map(|c| vocabulary.entries_of(c))
            .sum::<i64>();
        if let Some(first) = w.corrections.first() {
            corrected.push((typed, first.clone()));
        }
    }
    Ok(Prepared {
        corrected,
        entries,
        ignored,
    })
}

/// A refused listing, logged with everything it asked for.
fn refused(q: &SearchQuery, entries: i64, why: &str) -> CatalogError {
    tracing::warn!(
        q = %q.text, category = ?q.category, brand = ?q.brand,
        min_price = ?q.min_price.map(Money::cents), max_price = ?q.max_price.map(Money::cents),
        sort = ?q.sort, page = q.page, entries, why, "catalogue query refused"
    );
    CatalogError::TooBroad
}

/// A place in the lane this search needs (see [`super::lanes`]), if it needs one: a broad
/// search (expected to read more than `catalog.broad_search_entries` index entries) or one
/// with a word of one or two letters. A lane that stays full is [`CatalogError::TooBroad`].
async fn enter_lane(
    state: &AppState,
    q: &SearchQuery,
    filter: &Filter,
    entries: i64,
) -> Result<Option<Place>, CatalogError> {
    let lane = if entries > state.settings.catalog.broad_search_entries {
        Lane::Broad
    } else if filter.words.iter().any(|w| w.whole) {
        Lane::Short
    } else {
        return Ok(None);
    };
    match state.search_lanes.enter(lane).await {
        Some(place) => Ok(Some(place)),
        None => Err(refused(q, entries, "broad searches busy")),
    }
}

/// Runs one listing statement within the catalogue's time limit; past it the statement is
/// [`CatalogError::TooBroad`], logged with the query.
async fn bounded_search(
    state: &AppState,
    q: &SearchQuery,
    filter: &Filter,
    entries: i64,
    page: Pagination,
) -> Result<catalog::Found, CatalogError> {
    let limit = Duration::from_millis(state.settings.catalog.statement_timeout_ms);
    let at = state.catalog_cache.shared_version();
    let run = state.db.catalogue_read(at, |pool| async move {
        let mut tx = crate::db::bounded_read_on(&pool, limit).await?;
        let found = catalog::search(&mut tx, filter, q.sort, page.per_page(), page.offset()).await;
        tx.rollback().await?;
        found
    });
    match tokio::time::timeout(limit, run).await {
        Err(_) => Err(refused(q, entries, "time limit")),
        Ok(Err(e)) if crate::db::is_query_cancelled(&e) => Err(refused(q, entries, "time limit")),
        Ok(Err(e)) => Err(e.into()),
        Ok(Ok(found)) => Ok(found),
    }
}

/// Runs a listing; a page past the end shows the last page. Words that match nothing are
/// searched by their spelling corrections; a search that finds nothing suggests another and
/// brings popular products.
pub async fn list(state: &AppState, q: &SearchQuery) -> Result<Listing, CatalogError> {
    let mut filter = q.filter();
    let Prepared {
        corrected,
        entries,
        ignored,
    } = prepare(state, &mut filter).await?;
    super::keep_cache_current(state).await;
    let cache = &state.catalog_cache;
    let window = |total: i64| total.min(MAX_RESULT_WINDOW);
    let asked = Pagination::new(q.page, PAGE_SIZE);
    let cached = cache.get(&filter).and_then(|counts| {
        let page = asked.within(window(counts.total));
        cache
            .page(&filter, q.sort, page.page())
            .map(|cards| (counts, page, cards))
    });
    state.metrics.listing_cache(cached.is_some());
    let (counts, page, cards) = match cached {
        Some(hit) => hit,
        None => {
            let place = enter_lane(state, q, &filter, entries).await?;
            let searched = async {
                let mut page = asked.within(MAX_RESULT_WINDOW);
                let mut found = bounded_search(state, q, &filter, entries, page).await?;
                let last = page.within(window(found.total));
                if last != page {
                    page = last;
                    // Nothing found is nothing on the first page too.
                    if found.total > 0 {
                        found = bounded_search(state, q, &filter, entries, page).await?;
                    }
                }
                Ok::<_, CatalogError>((found, page))
            }
            .await;
            if let Some(place) = place {
                place.leave();
            }
            let (found, page) = searched?;
            let counts = Counts {
                total: found.total,
                categories: found.categories,
                brands: found.brands,
            };
            let ids = &found.ids;
            let cards = state
                .db
                .catalogue_read(cache.shared_version(), |pool| async move {
                    catalog::cards(&pool, ids).await
                })
                .await?;
            cache.put(filter.clone(), counts.clone());
            cache.put_page(filter.clone(), q.sort, page.page(), cards.clone());
            (counts, page, cards)
        }
    };
    let (suggestion, popular) = if counts.total == 0 && !filter.words.is_empty() {
        (
            suggest(state, &filter).await?,
            showcase(state, Sort::Relevance, 8).await?,
        )
    } else {
        (None, Vec::new())
    };
    Ok(Listing {
        ignored,
        corrected,
        suggestion,
        popular,
        cards,
        total: counts.total,
        pages: page.pages(window(counts.total)),
        page,
        categories: counts.categories,
        brands: counts.brands,
    })
}

/// A search that finds something, for one that found nothing: with several words, the one
/// word (as corrected) that the most products use (by the catalogue's word counts, which cost
/// no query); with one word, the closest catalogue word within three edits.
async fn suggest(state: &AppState, filter: &Filter) -> Result<Option<String>, CatalogError> {
    let vocabulary = vocabulary(state).await?;
    if let [only] = filter.words.as_slice() {
        let typed = only.prefixes.first().cloned().unwrap_or_default();
        return Ok(vocabulary.closest(&typed, 3).into_iter().next());
    }
    let mut best: Option<(i64, String)> = None;
    for w in &filter.words {
        let shown = w
            .corrections
            .first()
            .or_else(|| w.prefixes.first())
            .cloned();
        let n = if w.corrections.is_empty() {
            w.prefixes
                .iter()
                .map(|p| vocabulary.entries_with_prefix(p))
                .max()
                .unwrap_or(0)
        } else {
            w.corrections.iter().map(|c| vocabulary.entries_of(c)).sum()
        };
        if n > 0 && best.as_ref().is_none_or(|(m, _)| n > *m) {
            best = shown.map(|s| (n, s));
        }
    }
    Ok(best.map(|(_, s)| s))
}

/// The first `n` products on sale in one order, for the home page.
pub async fn showcase(
    state: &AppState,
    sort: Sort,
    n: i64,
) -> Result<Vec<ProductCard>, CatalogError> {
    let filter = SearchQuery::all(sort).filter();
    let filter = &filter;
    let at = state.catalog_cache.shared_version();
    let cards = state
        .db
        .catalogue_read(at, |pool| async move {
            // The connection goes back before the cards take one: a request holding one while
            // waiting for a second can starve the pool when many arrive at once.
            let found = {
                let mut conn = pool.acquire().await?;
                catalog::search(&mut conn, filter, sort, n, 0).await?
            };
            catalog::cards(&pool, &found.ids).await
        })
        .await?;
    Ok(cards)
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
        assert_eq!(p.query.filter().words, vec![SearchWord::plain(" ")]);
    }

    #[test]
    fn words_are_looked_for_as_typed_and_as_stems() {
        let p = params(&[("q", "Copper TEAPOTS")]).parse();
        let prefixes: Vec<Vec<String>> = p
            .query
            .filter()
            .words
            .into_iter()
            .map(|w| w.prefixes)
            .collect();
        assert_eq!(prefixes, vec![vec!["copper"], vec!["teapots", "teapot"]]);
    }
}

//! Catalogue listings change only when the catalogue does (admin edits, imports, and stock moved
//! by checkouts and cancellations). Counts and facets are cached per filter, whole pages per
//! filter, sort and page, and product pages' product and images per product; everything is dropped on every such change in this process and after a
//! short time (so several instances converge, and stock shown is at most that old).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use std::sync::Arc;

use super::spelling::Vocabulary;
use crate::db::catalog::{Facet, Filter, ImageRow, Product, ProductCard};
use crate::discounts::promotions::Scheduled;
use crate::domain::{ProductId, Sort};

/// The cache's last resort; changes reach every instance through the shared version (see
/// [`CatalogCache::saw_version`]) within a second.
const MAX_AGE: Duration = Duration::from_secs(30);
/// Another instance's product edits reach this one's spelling within this time.
const VOCABULARY_MAX_AGE: Duration = Duration::from_secs(300);
const MAX_ENTRIES: usize = 1024;

#[derive(Clone)]
pub struct Counts {
    pub total: i64,
    pub categories: Vec<Facet>,
    pub brands: Vec<Facet>,
}

type PageKey = (Filter, Sort, i64);
type Stamped<T> = (u64, Instant, T);
/// A product page's product and its images.
type ProductEntry = (Product, Vec<ImageRow>);

#[derive(Default)]
pub struct CatalogCache {
    version: AtomicU64,
    entries: Mutex<HashMap<Filter, Stamped<Counts>>>,
    pages: Mutex<HashMap<PageKey, Stamped<Vec<ProductCard>>>>,
    /// Product pages' product and images (shoppers' view only: on sale).
    products: Mutex<HashMap<ProductId, Stamped<ProductEntry>>>,
    /// The catalogue's words for spelling corrections; they change with product edits only
    /// (not with stock), so [`words_changed`](Self::words_changed) drops them.
    vocabulary: Mutex<Option<(Instant, Arc<Vocabulary>)>>,
    /// Held while the words are read from the index, so concurrent searches read them once.
    pub vocabulary_loading: tokio::sync::Mutex<()>,
    /// A background refresh of aged words is under way.
    vocabulary_refreshing: std::sync::atomic::AtomicBool,
    /// The shared catalogue version this cache last saw, and when it last looked.
    shared_version: std::sync::atomic::AtomicI64,
    shared_checked: Mutex<Option<Instant>>,
    /// Switched-on promotions that have not ended, with their dates: which of them run is
    /// decided by the clock at each use, so one starts and ends on time without a refresh.
    promotions: Mutex<Option<Stamped<Arc<Vec<Scheduled>>>>>,
}

impl CatalogCache {
    pub fn promotions(&self) -> Option<Arc<Vec<Scheduled>>> {
        let version = self.version.load(Ordering::Acquire);
        let held = self.promotions.lock().ok()?;
        let (v, at, list) = held.as_ref()?;
        (*v == version && at.elapsed() < MAX_AGE).then(|| list.clone())
    }

    pub fn put_promotions(&self, list: Arc<Vec<Scheduled>>) {
        let version = self.version.load(Ordering::Acquire);
        if let Ok(mut held) = self.promotions.lock() {
            *held = Some((version, Instant::now(), list));
        }
    }

    /// The cards of one listing page, if cached and still current.
    pub fn page(&self, f: &Filter, sort: Sort, page: i64) -> Option<Vec<ProductCard>> {
        let version = self.version.load(Ordering::Acquire);
        let pages = self.pages.lock().ok()?;
        let (v, at, cards) = pages.get(&(f.clone(), sort, page))?;
        (*v == version && at.elapsed() < MAX_AGE).then(|| cards.clone())
    }

    pub fn put_page(&self, f: Filter, sort: Sort, page: i64, cards: Vec<ProductCard>) {
        let version = self.version.load(Ordering::Acquire);
        if let Ok(mut pages) = self.pages.lock() {
            if pages.len() >= MAX_ENTRIES {
                pages.clear();
            }
            pages.insert((f, sort, page), (version, Instant::now(), cards));
        }
    }

    pub fn get(&self, f: &Filter) -> Option<Counts> {
        let version = self.version.load(Ordering::Acquire);
        let entries = self.entries.lock().ok()?;
        let (v, at, counts) = entries.get(f)?;
        (*v == version && at.elapsed() < MAX_AGE).then(|| counts.clone())
    }

    pub fn put(&self, f: Filter, counts: Counts) {
        let version = self.version.load(Ordering::Acquire);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(f, (version, Instant::now(), counts));
        }
    }

    /// A product page's product and images, if cached and still current.
    pub fn product(&self, id: ProductId) -> Option<ProductEntry> {
        let version = self.version.load(Ordering::Acquire);
        let products = self.products.lock().ok()?;
        let (v, at, p) = products.get(&id)?;
        (*v == version && at.elapsed() < MAX_AGE).then(|| p.clone())
    }

    pub fn put_product(&self, id: ProductId, product: Product, images: Vec<ImageRow>) {
        let version = self.version.load(Ordering::Acquire);
        if let Ok(mut products) = self.products.lock() {
            if products.len() >= MAX_ENTRIES * 4 {
                products.clear();
            }
            products.insert(id, (version, Instant::now(), (product, images)));
        }
    }

    /// The catalogue's words and whether they are recent. Aged words are still served while one
    /// caller refreshes them (see [`start_vocabulary_refresh`](Self::start_vocabulary_refresh)):
    /// reading them from a large index takes seconds, which no shopper should wait for.
    pub fn vocabulary(&self) -> Option<(Arc<Vocabulary>, bool)> {
        let v = self.vocabulary.lock().ok()?;
        v.as_ref()
            .map(|(at, v)| (v.clone(), at.elapsed() < VOCABULARY_MAX_AGE))
    }

    /// True for the one caller that should refresh aged words; false while another does.
    pub fn start_vocabulary_refresh(&self) -> bool {
        !self.vocabulary_refreshing.swap(true, Ordering::AcqRel)
    }

    pub fn put_vocabulary(&self, v: Arc<Vocabulary>) {
        if let Ok(mut slot) = self.vocabulary.lock() {
            *slot = Some((Instant::now(), v));
        }
        self.vocabulary_refreshing.store(false, Ordering::Release);
    }

    /// Products were created, renamed, described, activated or removed.
    pub fn words_changed(&self) {
        if let Ok(mut slot) = self.vocabulary.lock() {
            *slot = None;
        }
        self.invalidate();
    }

    /// Whether it is time to look at the shared version again (at most once per `every`).
    pub fn due_for_check(&self, every: Duration) -> bool {
        let Ok(mut last) = self.shared_checked.lock() else {
            return true;
        };
        if last.is_some_and(|t| t.elapsed() < every) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    /// The shared catalogue version as last seen (a replica must have replayed it to answer).
    pub fn shared_version(&self) -> i64 {
        self.shared_version.load(Ordering::Acquire)
    }

    /// The shared version is `version`: if it moved since last seen, another instance (or this
    /// one, or the command line) changed the catalogue, and everything cached goes.
    pub fn saw_version(&self, version: i64) {
        if self.shared_version.swap(version, Ordering::AcqRel) != version {
            self.invalidate();
        }
    }

    /// Called after every change to products or categories.
    pub fn invalidate(&self) {
        self.version.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
        if let Ok(mut pages) = self.pages.lock() {
            pages.clear();
        }
        if let Ok(mut products) = self.products.lock() {
            products.clear();
        }
    }
}

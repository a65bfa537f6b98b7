//! Listing counts and facets are the costly part of a catalogue page and change only when the
//! catalogue does. They are cached per filter, dropped on every catalogue write in this process
//! and after a short time (so several instances converge).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::db::catalog::{Facet, Filter};

const MAX_AGE: Duration = Duration::from_secs(30);
const MAX_ENTRIES: usize = 1024;

#[derive(Clone)]
pub struct Counts {
    pub total: i64,
    pub categories: Vec<Facet>,
    pub brands: Vec<Facet>,
}

#[derive(Default)]
pub struct CatalogCache {
    version: AtomicU64,
    entries: Mutex<HashMap<Filter, (u64, Instant, Counts)>>,
}

impl CatalogCache {
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

    /// Called after every change to products or categories.
    pub fn invalidate(&self) {
        self.version.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

//! Lanes for the searches that a crowd could use to keep the store busy: broad searches (many
//! index entries) and searches with a word of one or two letters (cheap each, but the easiest to
//! send by the thousand with a cache-busting filter). Each kind runs at most
//! `catalog.broad_searches_at_once` at a time, in a lane of its own, so a flood of one kind
//! neither waits behind nor slows the other; every other listing needs no place at all.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a search waits for a place in its lane before the shopper is asked to narrow it.
const WAIT: Duration = Duration::from_millis(300);

/// Which lane a search needs, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Expected to read more than `catalog.broad_search_entries` index entries.
    Broad,
    /// Has a word of one or two letters.
    Short,
}

pub struct SearchLanes {
    broad: Arc<Semaphore>,
    short: Arc<Semaphore>,
}

/// A place in a lane, held while its search runs.
pub struct Place {
    permit: OwnedSemaphorePermit,
    since: Instant,
}

impl SearchLanes {
    pub fn new(places: usize) -> Self {
        Self {
            broad: Arc::new(Semaphore::new(places)),
            short: Arc::new(Semaphore::new(places)),
        }
    }

    fn of(&self, lane: Lane) -> &Arc<Semaphore> {
        match lane {
            Lane::Broad => &self.broad,
            Lane::Short => &self.short,
        }
    }

    /// A place in `lane`, waiting at most [`WAIT`]; `None` when the lane stayed full.
    pub async fn enter(&self, lane: Lane) -> Option<Place> {
        let permit = tokio::time::timeout(WAIT, self.of(lane).clone().acquire_owned())
            .await
            .ok()?
            .ok()?;
        Some(Place {
            permit,
            since: Instant::now(),
        })
    }

    /// Takes a place without waiting and without the pause on leaving (for tests that need a
    /// full lane).
    pub async fn occupy(&self, lane: Lane) -> Option<OwnedSemaphorePermit> {
        self.of(lane).clone().acquire_owned().await.ok()
    }
}

impl Place {
    /// Gives the place back after as long again as it was held: searches in a lane then use at
    /// most half of their places' time however many arrive, and the rest of the shop keeps the rest.
    pub fn leave(self) {
        let pause = self.since.elapsed();
        let permit = self.permit;
        tokio::spawn(async move {
            tokio::time::sleep(pause).await;
            drop(permit);
        });
    }
}

/// A page of a list: which page (from 1) and how many rows a page has. Page numbers typed by
/// people are bounded, so offsets can never overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pagination {
    page: i64,
    per_page: i64,
}

/// No list is browsed this deep; bigger numbers are treated as this (the last page anyway).
pub const MAX_PAGE: i64 = 100_000;

impl Pagination {
    pub fn new(page: i64, per_page: i64) -> Self {
        Self {
            page: page.clamp(1, MAX_PAGE),
            per_page: per_page.max(1),
        }
    }

    /// A page number as typed in a query string; anything that is not a number from 1 up is
    /// the first page.
    pub fn parse(raw: &str, per_page: i64) -> Self {
        let page = raw
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1);
        Self::new(page, per_page)
    }

    pub fn page(self) -> i64 {
        self.page
    }

    pub fn per_page(self) -> i64 {
        self.per_page
    }

    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// How many pages `total` rows fill (at least one, so an empty list has a page 1).
    pub fn pages(self, total: i64) -> i64 {
        ((total + self.per_page - 1) / self.per_page).max(1)
    }

    /// This page, or the last one when it is past the end.
    pub fn within(self, total: i64) -> Self {
        Self::new(self.page.min(self.pages(total)), self.per_page)
    }

    /// The 1-based position of this page's first row.
    pub fn first_index(self) -> i64 {
        self.offset() + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_counts() {
        assert_eq!(Pagination::parse("x", 10).page(), 1);
        assert_eq!(Pagination::parse("-3", 10).page(), 1);
        assert_eq!(Pagination::parse("99999999999999", 10).page(), MAX_PAGE);
        let p = Pagination::parse("3", 10);
        assert_eq!((p.offset(), p.pages(21), p.pages(0)), (20, 3, 1));
        assert_eq!(Pagination::parse("9", 10).within(21).page(), 3);
    }
}

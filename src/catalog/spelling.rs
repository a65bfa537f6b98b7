//! Spelling forgiveness: the catalogue's own words (the index's distinct terms) and the closest
//! ones to a word that matches nothing, by Damerau-Levenshtein distance (a swap of two
//! neighbouring letters counts as one edit). Plain Rust over an in-memory list: no search
//! server, the same on SQLite and PostgreSQL.

/// Words shorter than this are never corrected (too many neighbours to guess right).
const MIN_LEN: usize = 4;
/// How many corrections a word may get (the most frequent among the closest).
const MAX_CORRECTIONS: usize = 2;

/// Edits allowed for a word of this many letters: one up to five letters, then two.
fn allowed_edits(len: usize) -> usize {
    if len <= 5 { 1 } else { 2 }
}

/// The catalogue's words with how many products use each, sorted by word.
#[derive(Debug, Default)]
pub struct Vocabulary {
    words: Vec<(String, i64)>,
}

impl Vocabulary {
    /// From the index's terms; only words of letters are kept (not SKUs or numbers).
    pub fn new(mut terms: Vec<(String, i64)>) -> Self {
        terms.retain(|(t, _)| t.chars().all(char::is_alphabetic));
        terms.sort();
        Self { words: terms }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether some catalogue word starts with `prefix`.
    pub fn has_prefix(&self, prefix: &str) -> bool {
        let i = self.words.partition_point(|(w, _)| w.as_str() < prefix);
        self.words
            .get(i)
            .is_some_and(|(w, _)| w.starts_with(prefix))
    }

    /// The words that start with `prefix`, with their counts (a slice of the sorted list).
    fn starting_with(&self, prefix: &str) -> &[(String, i64)] {
        let from = self.words.partition_point(|(w, _)| w.as_str() < prefix);
        let len = self.words[from..]
            .iter()
            .take_while(|(w, _)| w.starts_with(prefix))
            .count();
        &self.words[from..from + len]
    }

    /// How many index entries the words starting with `prefix` have (what a search for it
    /// reads).
    pub fn entries_with_prefix(&self, prefix: &str) -> i64 {
        self.starting_with(prefix).iter().map(|(_, n)| n).sum()
    }

    /// How many products use exactly this word.
    pub fn entries_of(&self, word: &str) -> i64 {
        self.words
            .binary_search_by(|(w, _)| w.as_str().cmp(word))
            .map_or(0, |i| self.words[i].1)
    }

    /// The catalogue words closest to `word` within the allowed edits, most used first.
    pub fn corrections(&self, word: &str) -> Vec<String> {
        self.closest(word, allowed_edits(word.chars().count()))
    }

    /// The catalogue words closest to `word` within `max` edits, most used first.
    pub fn closest(&self, word: &str, max: usize) -> Vec<String> {
        let typed: Vec<char> = word.chars().collect();
        if typed.len() < MIN_LEN || !typed.iter().all(|c| c.is_alphabetic()) {
            return Vec::new();
        }
        let mut best: Vec<(usize, i64, &str)> = Vec::new();
        for (w, n) in &self.words {
            let candidate: Vec<char> = w.chars().collect();
            if candidate.len().abs_diff(typed.len()) > max {
                continue;
            }
            if let Some(d) = distance(&typed, &candidate, max) {
                best.push((d, *n, w));
            }
        }
        let Some(min) = best.iter().map(|(d, _, _)| *d).min() else {
            return Vec::new();
        };
        best.retain(|(d, _, _)| *d == min);
        best.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(b.2)));
        best.into_iter()
            .take(MAX_CORRECTIONS)
            .map(|(_, _, w)| w.to_string())
            .collect()
    }
}

/// Damerau-Levenshtein (optimal string alignment) distance, or `None` when above `max`.
pub fn distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max {
        return None;
    }
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[m] <= max).then_some(prev[m])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str) -> Option<usize> {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        distance(&a, &b, 3)
    }

    #[test]
    fn a_swap_is_one_edit() {
        assert_eq!(d("teapto", "teapot"), Some(1));
        assert_eq!(d("kettel", "kettle"), Some(1));
        assert_eq!(d("ketle", "kettle"), Some(1));
        assert_eq!(d("lnatren", "lantern"), Some(2));
        assert_eq!(d("abc", "xyzuvw"), None);
    }

    #[test]
    fn corrections_are_the_closest_catalogue_words() {
        let v = Vocabulary::new(vec![
            ("teapot".into(), 5),
            ("teapots".into(), 1),
            ("kettle".into(), 3),
            ("emp-0042".into(), 1),
            ("lamp".into(), 4),
        ]);
        assert_eq!(v.corrections("teapto"), vec!["teapot"]);
        assert_eq!(v.corrections("kettel"), vec!["kettle"]);
        assert!(v.corrections("lmp").is_empty(), "too short to guess");
        assert!(v.corrections("zzzzzz").is_empty());
        assert!(v.has_prefix("tea") && !v.has_prefix("teb") && !v.has_prefix("emp"));
    }
}

//! Measuring search quality: a query set (`tests/data/search_queries.tsv`: kind, query, the
//! words a relevant product's name has) run against the store, scored by recall@10 and mean
//! reciprocal rank. Relevance comes from the product names alone, never from the search, so the
//! measure cannot flatter it. Used by the HTTP test and `examples/search_eval.rs`.

use std::collections::BTreeMap;

use super::terms::tokenize;

/// One query of the set.
#[derive(Debug, Clone)]
pub struct EvalQuery {
    pub kind: String,
    pub query: String,
    /// A product is relevant when its name has all these words.
    pub expected: Vec<String>,
}

/// Reads the set (tab-separated; `#` starts a comment line).
pub fn parse(tsv: &str) -> Vec<EvalQuery> {
    tsv.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split('\t');
            let (kind, query, expected) = (parts.next()?, parts.next()?, parts.next()?);
            Some(EvalQuery {
                kind: kind.to_string(),
                query: query.to_string(),
                expected: tokenize(expected),
            })
        })
        .collect()
}

pub fn relevant(q: &EvalQuery, name: &str) -> bool {
    let words = tokenize(name);
    q.expected.iter().all(|e| words.contains(e))
}

/// Recall@10 and reciprocal rank of one query, given the names of the first results and of
/// the whole catalogue; `None` when no product of the catalogue is relevant.
pub fn score(q: &EvalQuery, results: &[String], catalogue: &[String]) -> Option<(f64, f64)> {
    let wanted = catalogue.iter().filter(|n| relevant(q, n)).count();
    if wanted == 0 {
        return None;
    }
    let top: Vec<&String> = results.iter().take(10).collect();
    let found = top.iter().filter(|n| relevant(q, n)).count();
    let recall = found as f64 / wanted.min(10) as f64;
    let rank = top.iter().position(|n| relevant(q, n));
    let rr = rank.map_or(0.0, |r| 1.0 / (r + 1) as f64);
    Some((recall, rr))
}

/// Sums per kind of query, and over all.
#[derive(Debug, Default)]
pub struct Report {
    pub kinds: BTreeMap<String, (usize, f64, f64)>,
    /// Queries with no relevant product in the catalogue (a broken query set).
    pub unanswerable: Vec<String>,
    /// Queries whose top 10 missed a relevant product.
    pub misses: Vec<String>,
}

impl Report {
    pub fn add(&mut self, q: &EvalQuery, scored: Option<(f64, f64)>) {
        match scored {
            None => self.unanswerable.push(q.query.clone()),
            Some((recall, rr)) => {
                let e = self.kinds.entry(q.kind.clone()).or_default();
                e.0 += 1;
                e.1 += recall;
                e.2 += rr;
                if recall < 1.0 {
                    self.misses
                        .push(format!("{} {:?} recall {recall:.2}", q.kind, q.query));
                }
            }
        }
    }

    /// (queries, recall@10, MRR) over all kinds.
    pub fn overall(&self) -> (usize, f64, f64) {
        let (n, r, m) = self
            .kinds
            .values()
            .fold((0, 0.0, 0.0), |(n, r, m), (a, b, c)| (n + a, r + b, m + c));
        if n == 0 {
            (0, 0.0, 0.0)
        } else {
            (n, r / n as f64, m / n as f64)
        }
    }

    /// A Markdown table: each kind, then all.
    pub fn table(&self) -> String {
        let mut out = String::from("| queries | n | recall@10 | MRR |\n|---|---:|---:|---:|\n");
        for (kind, (n, r, m)) in &self.kinds {
            let n_f = *n as f64;
            out.push_str(&format!(
                "| {kind} | {n} | {:.3} | {:.3} |\n",
                r / n_f,
                m / n_f
            ));
        }
        let (n, r, m) = self.overall();
        out.push_str(&format!("| **all** | {n} | **{r:.3}** | **{m:.3}** |\n"));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_count_relevant_names_in_the_top_ten() {
        let q = &parse("# c\nplural\tteapots\tteapot\n")[0];
        let catalogue: Vec<String> = ["Oak Teapot", "Brass Teapot", "Copper Kettle"]
            .map(String::from)
            .to_vec();
        let results = vec!["Copper Kettle".to_string(), "Oak Teapot".to_string()];
        assert_eq!(score(q, &results, &catalogue), Some((0.5, 0.5)));
        let none = &parse("exact\tlamp\tlamp\n")[0];
        assert_eq!(score(none, &results, &catalogue), None);
    }
}

use std::collections::BTreeMap;

/// Messages per form field, shown next to the field (HTML) or as `errors` (JSON API).
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_default()
            .push(message.into());
    }

    /// Runs a parse and records its error under `field`; returns the value when it parsed.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(msg) => {
                self.add(field, msg);
                None
            }
        }
    }

    /// Like [`check`](Self::check) for parses that report several problems at once.
    pub fn check_all<T>(&mut self, field: &str, result: Result<T, Vec<String>>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(msgs) => {
                for m in msgs {
                    self.add(field, m);
                }
                None
            }
        }
    }

    /// Adds every message of `other` (errors found by another check of the same form).
    pub fn merge(&mut self, other: FieldErrors) {
        for (field, messages) in other.0 {
            self.0.entry(field).or_default().extend(messages);
        }
    }

    pub fn get(&self, field: &str) -> &[String] {
        self.0.get(field).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> impl Iterator<Item = (&String, &Vec<String>)> {
        self.0.iter()
    }

    /// The messages in the order the form shows its fields (`order`), then any other field's;
    /// for error summaries, which must read in the order of the form.
    pub fn ordered<'a, 's, O>(&'a self, order: &O) -> Vec<(&'a str, &'a [String])>
    where
        O: AsRef<[&'s str]> + ?Sized,
    {
        let order = order.as_ref();
        let mut out: Vec<(&str, &[String])> = order
            .iter()
            .filter_map(|f| self.0.get_key_value(*f))
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect();
        for (k, v) in &self.0 {
            if !order.contains(&k.as_str()) {
                out.push((k.as_str(), v.as_slice()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::FieldErrors;

    #[test]
    fn summaries_follow_the_forms_order() {
        let mut e = FieldErrors::new();
        e.add("phone", "p");
        e.add("address", "a");
        e.add("zzz", "z");
        e.add("first_name", "f");
        let order: Vec<&str> = e
            .ordered(&["first_name", "phone", "address"])
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(order, ["first_name", "phone", "address", "zzz"]);
    }
}

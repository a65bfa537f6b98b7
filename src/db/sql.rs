//! The one builder for statements assembled at run time (optional filters, `IN` lists, bulk
//! inserts). It numbers `$n` placeholders as it goes. `sqlx::QueryBuilder<Any>` cannot do this:
//! under `Any` it writes `?`, which PostgreSQL refuses.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Any, Executor, FromRow};

use super::DbError;

/// A statement built at run time with `$n` placeholders and its arguments in order.
#[derive(Default, Debug, Clone)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

#[derive(Debug, Clone)]
enum Arg {
    Int(i64),
    Text(String),
}

trait Bind: Sized {
    fn bind_int(self, v: i64) -> Self;
    fn bind_text(self, v: String) -> Self;
}

impl<'q> Bind for Query<'q, Any, AnyArguments> {
    fn bind_int(self, v: i64) -> Self {
        self.bind(v)
    }
    fn bind_text(self, v: String) -> Self {
        self.bind(v)
    }
}

impl<'q, T> Bind for QueryAs<'q, Any, T, AnyArguments> {
    fn bind_int(self, v: i64) -> Self {
        self.bind(v)
    }
    fn bind_text(self, v: String) -> Self {
        self.bind(v)
    }
}

impl<'q, T> Bind for QueryScalar<'q, Any, T, AnyArguments> {
    fn bind_int(self, v: i64) -> Self {
        self.bind(v)
    }
    fn bind_text(self, v: String) -> Self {
        self.bind(v)
    }
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    /// Appends SQL text (never a value: values go through [`int`](Self::int) and
    /// [`text`](Self::text)).
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    pub fn int(&mut self, v: i64) -> &mut Self {
        self.args.push(Arg::Int(v));
        self.placeholder()
    }

    pub fn text(&mut self, v: &str) -> &mut Self {
        self.args.push(Arg::Text(v.to_string()));
        self.placeholder()
    }

    /// A `LIKE` pattern for text containing `needle` literally (its `%`, `_` and `\` escaped),
    /// with its `ESCAPE` clause: `push(" LOWER(name) LIKE ").contains(&q)`.
    pub fn contains(&mut self, needle: &str) -> &mut Self {
        let pattern = format!(
            "%{}%",
            needle
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        self.text(&pattern);
        self.push(" ESCAPE '\\'")
    }

    /// Appends another statement part, renumbering its placeholders after this one's.
    pub fn append(&mut self, other: &Sql) -> &mut Self {
        let offset = self.args.len();
        let mut rest = other.text.as_str();
        while let Some(i) = rest.find('$') {
            self.text.push_str(&rest[..i]);
            let digits: String = rest[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            match digits.parse::<usize>() {
                Ok(n) => self.text.push_str(&format!("${}", n + offset)),
                Err(_) => self.text.push('$'),
            }
            rest = &rest[i + 1 + digits.len()..];
        }
        self.text.push_str(rest);
        self.args.extend(other.args.iter().cloned());
        self
    }

    fn placeholder(&mut self) -> &mut Self {
        let n = self.args.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    /// `(a, b, c)` of integer values, for `IN` lists; `(NULL)` when empty (matches nothing).
    pub fn int_list(&mut self, values: impl IntoIterator<Item = i64>) -> &mut Self {
        self.push("(");
        let mut any = false;
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.int(v);
            any = true;
        }
        if !any {
            self.push("NULL");
        }
        self.push(")")
    }

    /// `(a, b)` of text values, for `IN` lists; `(NULL)` when empty.
    pub fn text_list<'a>(&mut self, values: impl IntoIterator<Item = &'a str>) -> &mut Self {
        self.push("(");
        let mut any = false;
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.text(v);
            any = true;
        }
        if !any {
            self.push("NULL");
        }
        self.push(")")
    }

    fn bind_all<Q: Bind>(args: Vec<Arg>, mut q: Q) -> Q {
        for a in args {
            q = match a {
                Arg::Int(v) => q.bind_int(v),
                Arg::Text(v) => q.bind_text(v),
            };
        }
        q
    }

    pub async fn fetch_all<'e, T, E>(self, exec: E) -> Result<Vec<T>, DbError>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
        E: Executor<'e, Database = Any>,
    {
        let q = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(self.text));
        Self::bind_all(self.args, q).fetch_all(exec).await
    }

    pub async fn fetch_optional<'e, T, E>(self, exec: E) -> Result<Option<T>, DbError>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
        E: Executor<'e, Database = Any>,
    {
        let q = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(self.text));
        Self::bind_all(self.args, q).fetch_optional(exec).await
    }

    pub async fn fetch_scalar<'e, E>(self, exec: E) -> Result<i64, DbError>
    where
        E: Executor<'e, Database = Any>,
    {
        let q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(self.text));
        Self::bind_all(self.args, q).fetch_one(exec).await
    }

    /// Runs the statement; the number of rows it changed.
    pub async fn execute<'e, E>(self, exec: E) -> Result<u64, DbError>
    where
        E: Executor<'e, Database = Any>,
    {
        let q = sqlx::query(sqlx::AssertSqlSafe(self.text));
        Ok(Self::bind_all(self.args, q)
            .execute(exec)
            .await?
            .rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::Sql;

    #[test]
    fn numbers_placeholders_in_order() {
        let mut s = Sql::new("SELECT 1 WHERE a = ");
        s.int(1).push(" AND b IN ").text_list(["x", "y"]);
        s.push(" AND c IN ").int_list([]);
        assert_eq!(
            s.text,
            "SELECT 1 WHERE a = $1 AND b IN ($2, $3) AND c IN (NULL)"
        );
        assert_eq!(s.args.len(), 3);
        let mut t = Sql::new("SELECT ");
        t.int(7).push(", ").append(&s);
        assert_eq!(
            t.text,
            "SELECT $1, SELECT 1 WHERE a = $2 AND b IN ($3, $4) AND c IN (NULL)"
        );
        assert_eq!(t.args.len(), 4);
    }
}

//! The staff's view of accounts: the searchable, filterable customer list (and its CSV) with
//! each account's order count and lifetime value.

use sqlx::{AnyPool, FromRow};

use super::DbError;
use super::sql::Sql;
use super::users::ROLE_BITS;
use crate::domain::{Money, Roles, UserId};

/// Which accounts the list shows; `None` means either.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Over name, username, email address and phone number.
    pub search: Option<String>,
    pub active: Option<bool>,
    pub verified: Option<bool>,
    pub has_orders: Option<bool>,
    pub staff: Option<bool>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CustomerSort {
    #[default]
    Newest,
    Oldest,
    Name,
    /// Lifetime value, highest first.
    Spent,
    Orders,
}

impl CustomerSort {
    pub const ALL: [CustomerSort; 5] = [
        CustomerSort::Newest,
        CustomerSort::Oldest,
        CustomerSort::Name,
        CustomerSort::Spent,
        CustomerSort::Orders,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CustomerSort::Newest => "newest",
            CustomerSort::Oldest => "oldest",
            CustomerSort::Name => "name",
            CustomerSort::Spent => "spent",
            CustomerSort::Orders => "orders",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CustomerSort::Newest => "Newest first",
            CustomerSort::Oldest => "Oldest first",
            CustomerSort::Name => "Name",
            CustomerSort::Spent => "Lifetime value",
            CustomerSort::Orders => "Number of orders",
        }
    }

    pub fn parse(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .unwrap_or_default()
    }

    fn order_by(self) -> &'static str {
        match self {
            CustomerSort::Newest => " ORDER BY users.created_at DESC, users.id DESC",
            CustomerSort::Oldest => " ORDER BY users.created_at, users.id",
            CustomerSort::Name => {
                " ORDER BY LOWER(users.last_name), LOWER(users.first_name), users.id"
            }
            CustomerSort::Spent => " ORDER BY spent_cents DESC, users.id DESC",
            CustomerSort::Orders => " ORDER BY order_count DESC, users.id DESC",
        }
    }
}

/// Orders that brought money in (not pending, cancelled or refunded).
pub const PAID_STATUSES: &str = "('paid', 'shipped', 'delivered')";

#[derive(Debug, Clone, FromRow)]
struct CustomerRowRaw {
    id: UserId,
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    phone: String,
    address: String,
    active: i64,
    email_verified_at: Option<i64>,
    created_at: i64,
    role_bits: i64,
    order_count: i64,
    spent_cents: i64,
}

/// One row of the list.
#[derive(Debug, Clone)]
pub struct CustomerRow {
    pub id: UserId,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub address: String,
    pub active: bool,
    pub verified: bool,
    pub created_at: i64,
    pub roles: Roles,
    pub order_count: i64,
    pub spent: Money,
}

impl From<CustomerRowRaw> for CustomerRow {
    fn from(r: CustomerRowRaw) -> Self {
        Self {
            id: r.id,
            username: r.username,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            phone: r.phone,
            address: r.address,
            active: super::flag_of(r.active),
            verified: r.email_verified_at.is_some(),
            created_at: r.created_at,
            roles: Roles::from_bits(r.role_bits),
            order_count: r.order_count,
            spent: Money::from_cents(r.spent_cents),
        }
    }
}

fn conditions(f: &CustomerFilter) -> Sql {
    let mut cond = Sql::new(" WHERE 1 = 1");
    if let Some(q) = f.search.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let q = q.to_lowercase();
        cond.push(" AND (LOWER(users.first_name || ' ' || users.last_name) LIKE ")
            .contains(&q)
            .push(" OR users.username_key LIKE ")
            .contains(&q)
            .push(" OR users.email LIKE ")
            .contains(&q);
        // Phone numbers are stored without spaces or dashes; so is what is looked for.
        let digits: String = q.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.len() >= 3 && digits.chars().all(|c| c.is_ascii_digit() || c == '+') {
            cond.push(" OR users.phone LIKE ").contains(&digits);
        }
        cond.push(")");
    }
    if let Some(a) = f.active {
        cond.push(" AND users.active = ").int(super::flag(a));
    }
    match f.verified {
        Some(true) => {
            cond.push(" AND users.email_verified_at IS NOT NULL");
        }
        Some(false) => {
            cond.push(" AND users.email_verified_at IS NULL");
        }
        None => {}
    }
    if let Some(o) = f.has_orders {
        cond.push(if o { " AND EXISTS" } else { " AND NOT EXISTS" })
            .push(" (SELECT 1 FROM orders o WHERE o.user_id = users.id)");
    }
    if let Some(s) = f.staff {
        cond.push(if s { " AND EXISTS" } else { " AND NOT EXISTS" })
            .push(" (SELECT 1 FROM staff_roles r WHERE r.user_id = users.id)");
    }
    cond
}

fn select() -> Sql {
    Sql::new(&format!(
        "SELECT users.id, users.username, users.email, users.first_name, users.last_name, users.phone, users.address, users.active, \
         users.email_verified_at, users.created_at, {ROLE_BITS} AS role_bits, \
         (SELECT COUNT(*) FROM orders o WHERE o.user_id = users.id) AS order_count, \
         CAST((SELECT COALESCE(SUM(o.total_cents), 0) FROM orders o WHERE o.user_id = users.id \
         AND o.status IN {PAID_STATUSES}) AS BIGINT) AS spent_cents FROM users"
    ))
}

/// One page of the list, and how many accounts match.
pub async fn list(
    pool: &AnyPool,
    filter: &CustomerFilter,
    sort: CustomerSort,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CustomerRow>, i64), DbError> {
    let cond = conditions(filter);
    let mut count = Sql::new("SELECT COUNT(*) FROM users");
    count.append(&cond);
    let total = count.fetch_scalar(pool).await?;
    let mut rows = select();
    rows.append(&cond)
        .push(sort.order_by())
        .push(" LIMIT ")
        .int(limit)
        .push(" OFFSET ")
        .int(offset);
    let rows: Vec<CustomerRowRaw> = rows.fetch_all(pool).await?;
    Ok((rows.into_iter().map(CustomerRow::from).collect(), total))
}

/// Every matching account, for the CSV export.
pub async fn all(
    pool: &AnyPool,
    filter: &CustomerFilter,
    sort: CustomerSort,
) -> Result<Vec<CustomerRow>, DbError> {
    let mut rows = select();
    rows.append(&conditions(filter)).push(sort.order_by());
    let rows: Vec<CustomerRowRaw> = rows.fetch_all(pool).await?;
    Ok(rows.into_iter().map(CustomerRow::from).collect())
}

/// One account's row (its order count and lifetime value with it).
pub async fn one(pool: &AnyPool, id: UserId) -> Result<Option<CustomerRow>, DbError> {
    let mut row = select();
    row.push(" WHERE users.id = ").int(id.get());
    let row: Option<CustomerRowRaw> = row.fetch_optional(pool).await?;
    Ok(row.map(CustomerRow::from))
}

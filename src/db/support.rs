//! Support requests, their messages, and the links that let a guest follow theirs.

use sqlx::{AnyPool, FromRow};

use super::sql::Sql;
use super::{DbError, Tx};
use crate::domain::{OrderId, RequestId, SupportStatus, UserId};

pub struct NewRequest<'a> {
    pub user_id: Option<UserId>,
    pub email: &'a str,
    pub name: &'a str,
    pub subject: &'a str,
    pub order_id: Option<OrderId>,
}

/// Opens a request (status open); its first message goes in with [`add_message`].
pub async fn insert_request(
    tx: &mut Tx,
    r: &NewRequest<'_>,
    now: i64,
) -> Result<RequestId, DbError> {
    sqlx::query_scalar(
        "INSERT INTO support_requests (user_id, email, name, subject, order_id, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $6) RETURNING id",
    )
    .bind(r.user_id)
    .bind(r.email)
    .bind(r.name)
    .bind(r.subject)
    .bind(r.order_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// Adds a message and moves the request to `status` (its activity time too).
pub async fn add_message(
    tx: &mut Tx,
    request: RequestId,
    author: Option<UserId>,
    from_staff: bool,
    body: &str,
    status: SupportStatus,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO support_messages (request_id, author_id, from_staff, body, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(request)
    .bind(author)
    .bind(super::flag(from_staff))
    .bind(body)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    set_status(tx, request, status, now).await
}

pub async fn set_status(
    tx: &mut Tx,
    request: RequestId,
    status: SupportStatus,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE support_requests SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(request)
        .bind(status.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A request with what the lists show of it.
#[derive(Debug, Clone, FromRow)]
pub struct Request {
    pub id: RequestId,
    pub user_id: Option<UserId>,
    pub email: String,
    pub name: String,
    pub subject: String,
    pub order_id: Option<OrderId>,
    #[sqlx(try_from = "String")]
    pub status: SupportStatus,
    pub created_at: i64,
    pub updated_at: i64,
    pub message_count: i64,
    /// Whether the newest message is the shop's.
    pub last_from_staff: i64,
}

const REQUEST_COLUMNS: &str = "SELECT s.id, s.user_id, s.email, s.name, s.subject, s.order_id, s.status, \
     s.created_at, s.updated_at, \
     (SELECT COUNT(*) FROM support_messages m WHERE m.request_id = s.id) AS message_count, \
     COALESCE((SELECT m.from_staff FROM support_messages m WHERE m.request_id = s.id \
     ORDER BY m.id DESC LIMIT 1), 0) AS last_from_staff FROM support_requests s";

pub async fn get(pool: &AnyPool, id: RequestId) -> Result<Option<Request>, DbError> {
    let mut sql = Sql::new(REQUEST_COLUMNS);
    sql.push(" WHERE s.id = ").int(id.get());
    sql.fetch_optional(pool).await
}

/// A customer's requests, latest activity first.
pub async fn for_user(pool: &AnyPool, user: UserId) -> Result<Vec<Request>, DbError> {
    let mut sql = Sql::new(REQUEST_COLUMNS);
    sql.push(" WHERE s.user_id = ")
        .int(user.get())
        .push(" ORDER BY s.updated_at DESC, s.id DESC");
    sql.fetch_all(pool).await
}

/// The staff inbox: by status (or all that are not closed), searched by subject, email address,
/// name or number; the longest-waiting first among open ones, else the latest activity first.
pub async fn inbox(
    pool: &AnyPool,
    status: Option<SupportStatus>,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Request>, i64), DbError> {
    let mut cond = Sql::new(" WHERE 1 = 1");
    match status {
        Some(st) => cond.push(" AND s.status = ").text(st.as_str()),
        None => cond.push(" AND s.status <> 'closed'"),
    };
    if let Some(q) = search {
        let q = q.trim().trim_start_matches('#').to_lowercase();
        cond.push(" AND (CAST(s.id AS TEXT) = ")
            .text(&q)
            .push(" OR LOWER(s.subject) LIKE ")
            .contains(&q)
            .push(" OR s.email LIKE ")
            .contains(&q)
            .push(" OR LOWER(s.name) LIKE ")
            .contains(&q)
            .push(")");
    }
    let mut count = Sql::new("SELECT COUNT(*) FROM support_requests s");
    count.append(&cond);
    let total = count.fetch_scalar(pool).await?;
    let order = if status == Some(SupportStatus::Open) {
        " ORDER BY s.updated_at, s.id"
    } else {
        " ORDER BY s.updated_at DESC, s.id DESC"
    };
    let mut rows = Sql::new(REQUEST_COLUMNS);
    rows.append(&cond)
        .push(order)
        .push(" LIMIT ")
        .int(limit)
        .push(" OFFSET ")
        .int(offset);
    Ok((rows.fetch_all(pool).await?, total))
}

/// How many requests are in each status: (open, waiting, closed).
pub async fn counts(pool: &AnyPool) -> Result<(i64, i64, i64), DbError> {
    sqlx::query_as(
        "SELECT \
         (SELECT COUNT(*) FROM support_requests WHERE status = 'open'), \
         (SELECT COUNT(*) FROM support_requests WHERE status = 'waiting'), \
         (SELECT COUNT(*) FROM support_requests WHERE status = 'closed')",
    )
    .fetch_one(pool)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct Message {
    pub author_id: Option<UserId>,
    /// The author's first name (empty for a guest or a deleted account).
    pub author_name: Option<String>,
    pub from_staff: i64,
    pub body: String,
    pub created_at: i64,
}

pub async fn messages(pool: &AnyPool, request: RequestId) -> Result<Vec<Message>, DbError> {
    sqlx::query_as(
        "SELECT m.author_id, u.first_name AS author_name, m.from_staff, m.body, m.created_at \
         FROM support_messages m LEFT JOIN users u ON u.id = m.author_id \
         WHERE m.request_id = $1 ORDER BY m.id",
    )
    .bind(request)
    .fetch_all(pool)
    .await
}

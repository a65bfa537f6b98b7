//! Private links mailed to guests, for an order or a support request: only each token's hash is
//! kept, with its expiry. The two kinds have their own tables (each with its foreign key) and
//! the same statements.

use sqlx::AnyPool;

use super::{DbError, Tx};
use crate::domain::{OrderId, RequestId};

/// What a link opens.
#[derive(Debug, Clone, Copy)]
pub enum LinkTo {
    Order(OrderId),
    Request(RequestId),
}

impl LinkTo {
    fn id(self) -> i64 {
        match self {
            Self::Order(id) => id.get(),
            Self::Request(id) => id.get(),
        }
    }

    fn insert_sql(self) -> &'static str {
        match self {
            Self::Order(_) => {
                "INSERT INTO order_links (token_hash, order_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
            }
            Self::Request(_) => {
                "INSERT INTO support_links (token_hash, request_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
            }
        }
    }

    fn valid_sql(self) -> &'static str {
        match self {
            Self::Order(_) => {
                "SELECT COUNT(*) FROM order_links WHERE token_hash = $1 AND order_id = $2 AND expires_at > $3"
            }
            Self::Request(_) => {
                "SELECT COUNT(*) FROM support_links WHERE token_hash = $1 AND request_id = $2 AND expires_at > $3"
            }
        }
    }
}

/// Keeps the hash of a link mailed to a guest.
pub async fn add(
    tx: &mut Tx,
    to: LinkTo,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query(to.insert_sql())
        .bind(token_hash)
        .bind(to.id())
        .bind(now)
        .bind(expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether the hash belongs to an unexpired link to this order or request.
pub async fn valid(
    pool: &AnyPool,
    to: LinkTo,
    token_hash: &str,
    now: i64,
) -> Result<bool, DbError> {
    let n: i64 = sqlx::query_scalar(to.valid_sql())
        .bind(token_hash)
        .bind(to.id())
        .bind(now)
        .fetch_one(pool)
        .await?;
    Ok(n > 0)
}

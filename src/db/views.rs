//! Recently viewed products of signed-in customers (written in batches by the view recorder).

use sqlx::{AnyPool, FromRow};

use super::DbError;
use super::sql::Sql;
use crate::domain::{ProductId, UserId};

/// One customer's views of one product since the last flush.
#[derive(Debug, Clone, Copy)]
pub struct ViewBatchRow {
    pub user: UserId,
    pub product: ProductId,
    pub last_at: i64,
    pub views: i64,
}

/// Records a batch in one statement per 200 rows: an upsert per customer and product. Views of
/// products or customers deleted meanwhile are skipped.
pub async fn record(pool: &AnyPool, rows: &[ViewBatchRow]) -> Result<(), DbError> {
    for chunk in rows.chunks(200) {
        let mut sql = Sql::new(
            "INSERT INTO product_views (user_id, product_id, viewed_at, views) \
             SELECT v.user_id, v.product_id, v.viewed_at, v.views FROM (",
        );
        for (i, r) in chunk.iter().enumerate() {
            sql.push(if i == 0 {
                "SELECT "
            } else {
                " UNION ALL SELECT "
            })
            .int(r.user.get())
            .push(" AS user_id, ")
            .int(r.product.get())
            .push(" AS product_id, ")
            .int(r.last_at)
            .push(" AS viewed_at, ")
            .int(r.views)
            .push(" AS views");
        }
        sql.push(
            ") v JOIN users u ON u.id = v.user_id JOIN products p ON p.id = v.product_id \
             WHERE 1 = 1 \
             ON CONFLICT (user_id, product_id) DO UPDATE SET \
             viewed_at = CASE WHEN excluded.viewed_at > product_views.viewed_at THEN excluded.viewed_at ELSE product_views.viewed_at END, \
             views = product_views.views + excluded.views",
        );
        sql.execute(pool).await?;
    }
    Ok(())
}

/// The products a customer opened, newest first.
pub async fn recent(pool: &AnyPool, user: UserId, limit: i64) -> Result<Vec<ProductId>, DbError> {
    #[derive(FromRow)]
    struct Row {
        product_id: ProductId,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT product_id FROM product_views WHERE user_id = $1 ORDER BY viewed_at DESC, product_id DESC LIMIT $2",
    )
    .bind(user)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.product_id).collect())
}

pub async fn clear(pool: &AnyPool, user: UserId) -> Result<(), DbError> {
    sqlx::query("DELETE FROM product_views WHERE user_id = $1")
        .bind(user)
        .execute(pool)
        .await?;
    Ok(())
}

//! Single numbers the store keeps about itself (`store_figures`): the rating prior, the
//! version the search index was built with.

use sqlx::AnyPool;

use super::DbError;

pub async fn figure(pool: &AnyPool, name: &str) -> Result<Option<i64>, DbError> {
    sqlx::query_scalar("SELECT value FROM store_figures WHERE figure = $1")
        .bind(name)
        .fetch_optional(pool)
        .await
}

pub async fn set_figure<'e, E>(exec: E, name: &str, value: i64) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO store_figures (figure, value) VALUES ($1, $2) \
         ON CONFLICT (figure) DO UPDATE SET value = excluded.value",
    )
    .bind(name)
    .bind(value)
    .execute(exec)
    .await?;
    Ok(())
}

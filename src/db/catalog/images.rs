//! Product pictures: the original and its thumbnail, both named by content hash under `media/`.

use sqlx::{AnyPool, FromRow};

use crate::db::{DbError, Tx};
use crate::domain::ProductId;

#[derive(Debug, Clone, FromRow)]
pub struct ImageRow {
    pub id: i64,
    pub file: String,
    pub thumb: String,
    pub width: i64,
    pub height: i64,
    pub thumb_width: i64,
    pub thumb_height: i64,
    pub alt: String,
}

pub async fn images(pool: &AnyPool, id: ProductId) -> Result<Vec<ImageRow>, DbError> {
    sqlx::query_as(
        "SELECT id, file, thumb, width, height, thumb_width, thumb_height, alt FROM product_images \
         WHERE product_id = $1 ORDER BY position, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
}

pub struct NewImage<'a> {
    pub file: &'a str,
    pub thumb: &'a str,
    pub width: i64,
    pub height: i64,
    pub thumb_width: i64,
    pub thumb_height: i64,
    pub alt: &'a str,
}

/// Adds an image as the product's main one (shown first).
pub async fn add_main_image(tx: &mut Tx, id: ProductId, img: &NewImage<'_>) -> Result<(), DbError> {
    sqlx::query("UPDATE product_images SET position = position + 1 WHERE product_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO product_images (product_id, position, file, thumb, width, height, thumb_width, thumb_height, alt) \
         VALUES ($1, 0, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(img.file)
    .bind(img.thumb)
    .bind(img.width)
    .bind(img.height)
    .bind(img.thumb_width)
    .bind(img.thumb_height)
    .bind(img.alt)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

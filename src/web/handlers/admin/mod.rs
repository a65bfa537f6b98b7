//! The admin area, one file per part of `/admin`. Every route here sits behind `require_admin`
//! (see `web::routes`).

pub mod dashboard;
pub mod import;
pub mod orders;
pub mod products;
pub mod reviews;

/// Rows per page of every admin list.
pub const PAGE_SIZE: i64 = 50;

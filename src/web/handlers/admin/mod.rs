//! The admin area, one file per part of `/admin`. Every route here sits behind `require_staff`
//! (see `web::routes`).

pub mod customers;
pub mod dashboard;
pub mod import;
pub mod orders;
pub mod products;
pub mod promotions;
pub mod reports;
pub mod reviews;
pub mod shipping;
pub mod support;
pub mod vouchers;

/// Rows per page of every admin list.
pub const PAGE_SIZE: i64 = 50;

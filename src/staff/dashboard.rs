//! The business at a glance: today, the last 7 and the last 30 days (UTC days, today included),
//! what waits for the staff, and the series the charts draw.

use time::Date;

use crate::catalog::LOW_STOCK;
use crate::db::catalog::Stats;
use crate::db::dashboard::{self as db, PeriodFigures, StockRow, TopProduct};
use crate::domain::{Money, OrderStatus};
use crate::state::AppState;

const DAY: i64 = 86_400;
/// Days in the charts' series.
pub const SERIES_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub label: &'static str,
    pub days: i64,
}

pub const PERIODS: [Period; 3] = [
    Period {
        label: "Today",
        days: 1,
    },
    Period {
        label: "Last 7 days",
        days: 7,
    },
    Period {
        label: "Last 30 days",
        days: 30,
    },
];

/// One day of the series.
#[derive(Debug, Clone, Copy)]
pub struct Day {
    pub date: Date,
    pub orders: i64,
    pub revenue: Money,
}

pub struct Dashboard {
    pub periods: Vec<(Period, PeriodFigures)>,
    /// The last [`SERIES_DAYS`] days, oldest first, days without orders as zeros.
    pub days: Vec<Day>,
    /// Orders placed in the last 30 days by status, in the statuses' order.
    pub by_status: Vec<(OrderStatus, i64)>,
    pub waiting_to_ship: i64,
    pub support_open: i64,
    pub support_waiting: i64,
    pub stock: Stats,
    pub low_stock: Vec<StockRow>,
    pub out_of_stock: Vec<StockRow>,
    pub top_products: Vec<TopProduct>,
}

/// Average order value in whole cents (0 without orders).
pub fn average(f: &PeriodFigures) -> Money {
    if f.orders == 0 {
        Money::from_cents(0)
    } else {
        Money::from_cents(f.revenue.cents() / f.orders)
    }
}

/// Reads everything at once: the queries are independent, so they run side by side on the
/// pool's connections and the page waits for the slowest, not for their sum.
pub async fn load(state: &AppState) -> Result<Dashboard, sqlx::Error> {
    let today = state.clock.now().date();
    let today_start = today.midnight().assume_utc().unix_timestamp();
    let start_of = move |days: i64| today_start - (days - 1) * DAY;
    let series_start = start_of(SERIES_DAYS);
    // Figures a moment old are fine here: a replica may answer.
    let (periods, found, counted, waiting_to_ship, support, stock, low_stock, out_of_stock, top) =
        state
            .db
            .figures_read(|pool| async move {
                let pool = &pool;
                tokio::try_join!(
                    futures_util::future::try_join_all(PERIODS.map(|p| async move {
                        Ok::<_, sqlx::Error>((p, db::period(pool, start_of(p.days)).await?))
                    })),
                    db::per_day(pool, series_start),
                    db::by_status(pool, series_start),
                    db::waiting_to_ship(pool),
                    crate::db::support::counts(pool),
                    crate::db::catalog::stats(pool, LOW_STOCK),
                    db::short_of_stock(pool, 1, LOW_STOCK, 10),
                    db::short_of_stock(pool, 0, 0, 10),
                    db::top_products(pool, series_start, 10),
                )
            })
            .await?;
    let days = (0..SERIES_DAYS)
        .map(|i| {
            let hit = found.iter().find(|d| d.day == i);
            Day {
                date: today - time::Duration::days(SERIES_DAYS - 1 - i),
                orders: hit.map_or(0, |d| d.orders),
                revenue: Money::from_cents(hit.map_or(0, |d| d.revenue_cents)),
            }
        })
        .collect();
    let by_status = OrderStatus::ALL
        .into_iter()
        .map(|s| {
            let n = counted
                .iter()
                .find(|(k, _)| k == s.as_str())
                .map_or(0, |(_, n)| *n);
            (s, n)
        })
        .collect();
    let (support_open, support_waiting, _) = support;
    Ok(Dashboard {
        periods,
        days,
        by_status,
        waiting_to_ship,
        support_open,
        support_waiting,
        stock,
        low_stock,
        out_of_stock,
        top_products: top,
    })
}

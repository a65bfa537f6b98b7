//! `/admin`: the business at a glance (revenue, orders, customers; today, 7 and 30 days), what
//! waits for the staff, stock, top products, newest reviews, charts, mail that could not be
//! delivered, and (for admins) the latest audited changes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::clock::format_unix;
use crate::db::audit::{self, AuditRow};
use crate::db::catalog::Stats;
use crate::db::dashboard::StockRow;
use crate::db::mail_queue::{self, MailProblem};
use crate::domain::{Money, ProductId, StaffRole};
use crate::staff::access;
use crate::staff::dashboard::{self, Dashboard, Day, SERIES_DAYS};
use crate::state::AppState;
use crate::web::context::{PageContext, Staff};
use crate::web::errors::AppError;
use crate::web::render;
use crate::web::views::charts::{BarChart, ChartText, Point, bar_chart};
use crate::web::views::engagement::StaffReviewView;

pub struct AuditView {
    pub when: String,
    pub who: String,
    pub what: String,
}

impl From<AuditRow> for AuditView {
    fn from(r: AuditRow) -> Self {
        let target = r.entity_id.map(|id| format!(" #{id}")).unwrap_or_default();
        Self {
            when: format_unix(r.at),
            who: r.actor.unwrap_or_else(|| "(deleted user)".into()),
            what: format!("{} {}{target}: {}", r.action, r.entity, r.details),
        }
    }
}

/// A mail that could not be delivered (yet), for the staff to act on.
pub struct MailProblemView {
    pub when: String,
    pub to: String,
    pub subject: String,
    pub state: String,
    pub error: String,
}

impl From<MailProblem> for MailProblemView {
    fn from(m: MailProblem) -> Self {
        Self {
            when: format_unix(m.created_at),
            state: if m.status == "failed" {
                format!("gave up after {} attempts", m.attempts)
            } else {
                format!("retrying ({} attempts so far)", m.attempts)
            },
            error: m.last_error.unwrap_or_default(),
            to: m.recipient,
            subject: m.subject,
        }
    }
}

/// One period's figures as shown.
pub struct PeriodView {
    pub label: &'static str,
    pub revenue: String,
    pub orders: i64,
    pub average: String,
    pub new_customers: i64,
}

pub struct StockView {
    pub id: ProductId,
    pub name: String,
    pub stock: i64,
}

impl From<StockRow> for StockView {
    fn from(r: StockRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            stock: r.stock,
        }
    }
}

pub struct TopView {
    pub id: ProductId,
    pub name: String,
    pub units: i64,
    pub revenue: String,
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage {
    ctx: PageContext,
    periods: Vec<PeriodView>,
    waiting_to_ship: i64,
    support_open: i64,
    support_waiting: i64,
    stats: Stats,
    low_stock: Vec<StockView>,
    out_of_stock: Vec<StockView>,
    top_products: Vec<TopView>,
    reviews: Vec<StaffReviewView>,
    charts: Vec<BarChart>,
    audit: Vec<AuditView>,
    mail_problems: Vec<MailProblemView>,
    /// Links to pages the viewer may open (the figures are for every staff member).
    may_orders: bool,
    may_support: bool,
    may_catalog: bool,
    may_audit: bool,
}

fn charts(d: &Dashboard, currency: &str) -> Vec<BarChart> {
    let money = |cents: i64| {
        Money::from_cents(cents)
            .display(currency)
            .replace(".00", "")
    };
    let day_points = |value: &dyn Fn(&Day) -> (i64, String)| {
        let last = d.days.len().saturating_sub(1);
        d.days
            .iter()
            .enumerate()
            .map(|(i, day)| {
                let (v, shown) = value(day);
                Point {
                    category: day.date.to_string(),
                    // A label every week, and on the last day.
                    tick: if i % 7 == 0 || i == last {
                        format!("{} {}", day.date.day(), &day.date.month().to_string()[..3])
                    } else {
                        String::new()
                    },
                    value: v,
                    shown,
                }
            })
            .collect()
    };
    let revenue = bar_chart(
        ChartText {
            id: "chart-revenue",
            title: format!("Revenue per day, last {SERIES_DAYS} days"),
            x_label: "Day (UTC)".into(),
            y_label: format!("Revenue ({currency})"),
            category_heading: "Day".into(),
            value_heading: "Revenue".into(),
        },
        day_points(&|day: &Day| (day.revenue.cents(), day.revenue.display(currency))),
        100,
        money,
    );
    let orders = bar_chart(
        ChartText {
            id: "chart-orders",
            title: format!("Orders per day, last {SERIES_DAYS} days"),
            x_label: "Day (UTC)".into(),
            y_label: "Orders".into(),
            category_heading: "Day".into(),
            value_heading: "Orders".into(),
        },
        day_points(&|day: &Day| (day.orders, day.orders.to_string())),
        1,
        |v| v.to_string(),
    );
    let statuses = bar_chart(
        ChartText {
            id: "chart-status",
            title: format!("Orders of the last {SERIES_DAYS} days by status"),
            x_label: "Status".into(),
            y_label: "Orders".into(),
            category_heading: "Status".into(),
            value_heading: "Orders".into(),
        },
        d.by_status
            .iter()
            .map(|(s, n)| Point {
                category: s.label().to_string(),
                tick: s.label().to_string(),
                value: *n,
                shown: n.to_string(),
            })
            .collect(),
        1,
        |v| v.to_string(),
    );
    vec![revenue, orders, statuses]
}

pub async fn show(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.db.pool();
    let currency = &state.settings.store.currency;
    let d = dashboard::load(&state).await?;
    let roles = staff.0.roles;
    let may_audit = roles.contains(StaffRole::Admin);
    let page = DashboardPage {
        ctx,
        periods: d
            .periods
            .iter()
            .map(|(p, f)| PeriodView {
                label: p.label,
                revenue: f.revenue.display(currency),
                orders: f.orders,
                average: dashboard::average(f).display(currency),
                new_customers: f.new_customers,
            })
            .collect(),
        charts: charts(&d, currency),
        waiting_to_ship: d.waiting_to_ship,
        support_open: d.support_open,
        support_waiting: d.support_waiting,
        stats: d.stock,
        low_stock: d.low_stock.into_iter().map(StockView::from).collect(),
        out_of_stock: d.out_of_stock.into_iter().map(StockView::from).collect(),
        top_products: d
            .top_products
            .into_iter()
            .map(|t| TopView {
                id: t.product_id,
                name: t.name,
                units: t.units,
                revenue: Money::from_cents(t.revenue_cents).display(currency),
            })
            .collect(),
        reviews: crate::db::reviews::newest(pool, None, 5, 0)
            .await?
            .into_iter()
            .map(StaffReviewView::from)
            .collect(),
        audit: if may_audit {
            audit::recent(pool, 20)
                .await?
                .into_iter()
                .map(AuditView::from)
                .collect()
        } else {
            Vec::new()
        },
        mail_problems: mail_queue::problems(pool, 20)
            .await?
            .into_iter()
            .map(MailProblemView::from)
            .collect(),
        may_orders: access::allows(roles, "GET", "/admin/orders"),
        may_support: access::allows(roles, "GET", "/admin/support"),
        may_catalog: access::allows(roles, "GET", "/admin/products/{id}/edit"),
        may_audit,
    };
    render(StatusCode::OK, &page)
}

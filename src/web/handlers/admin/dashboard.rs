//! `/admin`: the catalogue at a glance and the latest audited changes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::catalog::LOW_STOCK;
use crate::clock::format_unix;
use crate::db::audit::{self, AuditRow};
use crate::db::catalog::{self as db, Stats};
use crate::state::AppState;
use crate::web::context::{AdminUser, PageContext};
use crate::web::errors::AppError;
use crate::web::render;

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

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage {
    ctx: PageContext,
    stats: Stats,
    audit: Vec<AuditView>,
}

pub async fn show(
    _admin: AdminUser,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.db.pool();
    let page = DashboardPage {
        ctx,
        stats: db::stats(pool, LOW_STOCK).await?,
        audit: audit::recent(pool, 20)
            .await?
            .into_iter()
            .map(AuditView::from)
            .collect(),
    };
    render(StatusCode::OK, &page)
}

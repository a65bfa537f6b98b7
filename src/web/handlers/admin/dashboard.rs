//! `/admin`: the catalogue at a glance, mail that could not be delivered, and the latest
//! audited changes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::catalog::LOW_STOCK;
use crate::clock::format_unix;
use crate::db::audit::{self, AuditRow};
use crate::db::catalog::{self as db, Stats};
use crate::db::mail_queue::{self, MailProblem};
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

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage {
    ctx: PageContext,
    stats: Stats,
    audit: Vec<AuditView>,
    mail_problems: Vec<MailProblemView>,
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
        mail_problems: mail_queue::problems(pool, 20)
            .await?
            .into_iter()
            .map(MailProblemView::from)
            .collect(),
    };
    render(StatusCode::OK, &page)
}

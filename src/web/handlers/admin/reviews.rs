//! `/admin/reviews`: the newest reviews, with hide and show (audited).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::reviews as db;
use crate::domain::Pagination;
use crate::engagement::reviews;
use crate::http::Path;
use crate::state::AppState;
use crate::web::context::{PageContext, Staff};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::views::engagement::StaffReviewView;
use crate::web::views::{PageLink, page_links};
use crate::web::{render, see_other};

#[derive(Template)]
#[template(path = "admin/reviews.html")]
struct ReviewsPage {
    ctx: PageContext,
    reviews: Vec<StaffReviewView>,
    pages: Vec<PageLink>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    page: String,
}

pub async fn list(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let pool = state.db.pool();
    let total = db::count_all(pool).await?;
    let page = Pagination::parse(&query.page, super::PAGE_SIZE).within(total);
    let reviews = db::newest(pool, None, page.per_page(), page.offset())
        .await?
        .into_iter()
        .map(StaffReviewView::from)
        .collect();
    let pages = page_links(page.page(), page.pages(total), |n| {
        format!("/admin/reviews?page={n}")
    });
    render(
        StatusCode::OK,
        &ReviewsPage {
            ctx,
            reviews,
            pages,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VisibilityForm {
    hidden: String,
}

pub async fn set_visibility(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: web::Form<VisibilityForm>,
) -> Result<HttpResponse, AppError> {
    let hidden = form.hidden == "1";
    reviews::set_hidden(&state, staff.0.id, id, hidden).await?;
    let note = if hidden {
        "The review is hidden from the shop."
    } else {
        "The review is shown again."
    };
    session::flash(&session, FlashLevel::Success, note);
    Ok(see_other("/admin/reviews"))
}

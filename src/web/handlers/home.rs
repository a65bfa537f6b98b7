//! The home page: new and popular products.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::catalog::search;
use crate::domain::Sort;
use crate::state::AppState;
use crate::web::context::PageContext;
use crate::web::errors::AppError;
use crate::web::render;
use crate::web::views::CardView;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageContext,
    newest: Vec<CardView>,
    popular: Vec<CardView>,
}

pub async fn home(ctx: PageContext, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let currency = &state.settings.store.currency;
    let newest = search::showcase(&state, Sort::Newest, 8).await?;
    let popular = search::showcase(&state, Sort::Relevance, 8).await?;
    let page = HomePage {
        ctx,
        newest: CardView::list(newest, currency),
        popular: CardView::list(popular, currency),
    };
    render(StatusCode::OK, &page)
}

//! The home page: for a signed-in customer, what the recommender picked for them, "because you
//! viewed …" and their recently viewed products; for guests, popular and new products.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::catalog::search;
use crate::db::catalog::{self as catalog_db, ProductCard};
use crate::domain::Sort;
use crate::engagement::{recommend, views};
use crate::state::AppState;
use crate::web::context::PageContext;
use crate::web::errors::AppError;
use crate::web::handlers::catalog::mark_wished;
use crate::web::render;
use crate::web::views::CardView;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageContext,
    recommended: Vec<CardView>,
    /// The product last viewed, and what is like it.
    because: Option<(String, Vec<CardView>)>,
    recent: Vec<CardView>,
    newest: Vec<CardView>,
    popular: Vec<CardView>,
}

/// A customer's recently viewed products, as cards.
pub async fn recently_viewed(
    state: &AppState,
    user: crate::domain::UserId,
) -> Result<Vec<ProductCard>, AppError> {
    let ids = views::recent(state, user).await?;
    Ok(catalog_db::cards(state.db.pool(), &ids).await?)
}

pub async fn home(ctx: PageContext, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let currency = &state.settings.store.currency;
    let cards = |c: Vec<ProductCard>| CardView::list(c, currency);
    let mut page = HomePage {
        recommended: Vec::new(),
        because: None,
        recent: Vec::new(),
        newest: Vec::new(),
        popular: Vec::new(),
        ctx,
    };
    match page.ctx.user.as_ref().map(|u| u.id) {
        Some(user) => {
            let picks = recommend::home(&state, user).await?;
            page.recommended = cards(picks.recommended);
            page.because = picks.because.map(|(seen, like)| (seen.name, cards(like)));
            page.recent = cards(picks.recently_viewed);
        }
        None => {
            page.popular = cards(recommend::popular(&state, 8).await?);
            page.newest = cards(search::showcase(&state, Sort::Newest, 8).await?);
        }
    }
    let ctx = &page.ctx;
    for list in [&mut page.recommended, &mut page.recent] {
        mark_wished(&state, ctx, list).await?;
    }
    if let Some((_, like)) = &mut page.because {
        mark_wished(&state, ctx, like).await?;
    }
    render(StatusCode::OK, &page)
}

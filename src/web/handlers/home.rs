use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::web::context::PageContext;
use crate::web::errors::AppError;
use crate::web::render;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageContext,
}

pub async fn home(ctx: PageContext) -> Result<HttpResponse, AppError> {
    render(StatusCode::OK, &HomePage { ctx })
}

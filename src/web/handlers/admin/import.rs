//! `/admin/products/import` and `/admin/products/export.csv`: the catalogue as a CSV file.

use actix_multipart::form::MultipartForm;
use actix_multipart::form::bytes::Bytes as FileBytes;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::catalog::csv_io::{self, ImportError, ImportReport};
use crate::clock::format_unix;
use crate::state::AppState;
use crate::web::context::{PageContext, Staff};
use crate::web::errors::AppError;
use crate::web::render;

pub async fn export_csv(
    _staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let body = csv_io::export(&state).await?;
    let date = format_unix(state.clock.unix())
        .chars()
        .take(10)
        .collect::<String>();
    Ok(crate::web::csv_download("products", &date, body))
}

#[derive(Template)]
#[template(path = "admin/import.html")]
struct ImportPage {
    ctx: PageContext,
    error: Option<String>,
    report: Option<ImportReport>,
    columns: String,
}

fn import_page(
    ctx: PageContext,
    error: Option<String>,
    report: Option<ImportReport>,
) -> ImportPage {
    ImportPage {
        ctx,
        error,
        report,
        columns: csv_io::COLUMNS.join(","),
    }
}

pub async fn form(_staff: Staff, ctx: PageContext) -> Result<HttpResponse, AppError> {
    render(StatusCode::OK, &import_page(ctx, None, None))
}

#[derive(MultipartForm)]
pub struct ImportForm {
    file: Option<FileBytes>,
}

pub async fn import(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    MultipartForm(form): MultipartForm<ImportForm>,
) -> Result<HttpResponse, AppError> {
    let Some(file) = form.file.filter(|f| !f.data.is_empty()) else {
        let page = import_page(ctx, Some("Choose a CSV file to import.".into()), None);
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    match csv_io::import(&state, staff.0.id, &file.data).await {
        Ok(report) => {
            let status = if report.errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(status, &import_page(ctx, None, Some(report)))
        }
        Err(e) => {
            let status = match &e {
                ImportError::Db(cause) => {
                    tracing::error!(error = %cause, "CSV import failed");
                    StatusCode::SERVICE_UNAVAILABLE
                }
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            render(status, &import_page(ctx, Some(e.message()), None))
        }
    }
}

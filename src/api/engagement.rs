//! `/api/v1/product/{id}/reviews`, `/api/v1/wishlist` and `/api/v1/recommendations`: the same
//! reviews, wishlist and recommendations as the pages.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::ApiUser;
use super::error::{ApiError, ErrorBody};
use super::products::Product;
use super::{ApiJson, rfc3339};
use crate::domain::{FieldErrors, Pagination, ProductId};
use crate::engagement::{recommend, reviews, wishlist};
use crate::http::Path;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Review {
    /// The reviewer's first name.
    pub reviewer: String,
    /// 1 to 5.
    pub rating: i64,
    pub comment: String,
    /// Every review is by a customer who bought the product.
    pub verified_purchase: bool,
    /// RFC 3339, UTC: when it was written or last edited.
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewList {
    /// Average to one decimal; null while unrated.
    pub average: Option<f64>,
    pub count: i64,
    /// How many gave 1, 2, 3, 4 and 5 stars.
    pub distribution: [i64; 5],
    pub items: Vec<Review>,
    pub page: i64,
    pub total_pages: i64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewPage {
    /// Page number, from 1 (10 reviews a page, newest first).
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<i64>,
}

/// A product's reviews, newest first.
#[utoipa::path(
    operation_id = "listReviews",
    get,
    path = "/api/v1/product/{id}/reviews",
    tag = "reviews",
    params(("id" = i64, Path, description = "Product id"), ReviewPage),
    responses(
        (status = 200, description = "The reviews", body = ReviewList),
        (status = 400, description = "A parameter is not valid", body = ErrorBody),
        (status = 404, description = "No such product", body = ErrorBody),
    )
)]
pub async fn list_reviews(
    state: web::Data<AppState>,
    Path(id): Path<ProductId>,
    query: web::Query<ReviewPage>,
) -> Result<HttpResponse, ApiError> {
    let product = crate::catalog::product_on_sale(&state, id).await?.product;
    let mut errors = FieldErrors::new();
    let page = super::check_page(query.page, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let page = Pagination::new(page, reviews::PAGE_SIZE);
    let r = reviews::for_product(&state, id, product.rating_count > 0, page).await?;
    Ok(HttpResponse::Ok().json(ReviewList {
        average: r.average,
        count: r.count,
        distribution: r.distribution,
        page: r.page.page(),
        total_pages: r.pages,
        items: r
            .reviews
            .into_iter()
            .map(|x| Review {
                reviewer: x.first_name,
                rating: x.rating,
                comment: x.comment,
                verified_purchase: true,
                updated_at: rfc3339(x.updated_at),
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"rating": 5, "comment": "Pours without a drip."}))]
pub struct PostReview {
    /// A whole number from 1 to 5.
    #[schema(minimum = 1, maximum = 5)]
    pub rating: f64,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub comment: String,
}

/// Posts the customer's review of a product they bought, or edits the one they posted.
#[utoipa::path(
    operation_id = "postReview",
    post,
    path = "/api/v1/product/{id}/reviews",
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Product id")),
    request_body = PostReview,
    responses(
        (status = 204, description = "Saved"),
        (status = 400, description = "The body is not valid", body = ErrorBody),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 403, description = "Only customers who bought the product can review it", body = ErrorBody),
        (status = 404, description = "No such product", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "The rating is not a whole number from 1 to 5, or the comment is too long", body = ErrorBody),
    )
)]
pub async fn post_review(
    state: web::Data<AppState>,
    user: ApiUser,
    Path(id): Path<ProductId>,
    ApiJson(body): ApiJson<PostReview>,
) -> Result<HttpResponse, ApiError> {
    let review = reviews::validate_number(body.rating, &body.comment).map_err(|errors| {
        let mut e = ApiError::unprocessable("The review is not valid.");
        e.body.errors = Some(errors);
        e
    })?;
    reviews::post(&state, user.0.user.id, id, &review).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes the customer's own review of a product.
#[utoipa::path(
    operation_id = "deleteReview",
    delete,
    path = "/api/v1/product/{id}/reviews",
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Product id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 404, description = "The customer has no review of this product", body = ErrorBody),
    )
)]
pub async fn delete_review(
    state: web::Data<AppState>,
    user: ApiUser,
    Path(id): Path<ProductId>,
) -> Result<HttpResponse, ApiError> {
    if reviews::delete(&state, user.0.user.id, id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("You have no review of this product."))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WishlistItem {
    #[schema(value_type = i64)]
    pub product_id: ProductId,
    pub name: String,
    pub brand: String,
    pub price_cents: i64,
    pub stock: i64,
    /// False when the shop no longer sells it (it stays on the wishlist).
    pub available: bool,
}

fn wish_items(list: Vec<crate::db::wishlist::WishedProduct>) -> Vec<WishlistItem> {
    list.into_iter()
        .map(|w| WishlistItem {
            product_id: w.product_id,
            name: w.name,
            brand: w.brand,
            price_cents: w.price.cents(),
            stock: w.stock,
            available: w.active,
        })
        .collect()
}

/// The customer's wishlist, newest first.
#[utoipa::path(
    operation_id = "getWishlist",
    get,
    path = "/api/v1/wishlist",
    tag = "wishlist",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The wishlist", body = Vec<WishlistItem>),
        (status = 401, description = "No valid access token", body = ErrorBody),
    )
)]
pub async fn wishlist(state: web::Data<AppState>, user: ApiUser) -> Result<HttpResponse, ApiError> {
    let list = wishlist::list(&state, user.0.user.id).await?;
    Ok(HttpResponse::Ok().json(wish_items(list)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"product_id": 7}))]
pub struct WishAdd {
    #[schema(value_type = i64)]
    pub product_id: ProductId,
}

/// Adds a product (adding it again changes nothing).
#[utoipa::path(
    operation_id = "addToWishlist",
    post,
    path = "/api/v1/wishlist",
    tag = "wishlist",
    security(("bearer" = [])),
    request_body = WishAdd,
    responses(
        (status = 200, description = "The wishlist after the change", body = Vec<WishlistItem>),
        (status = 400, description = "The body is not valid", body = ErrorBody),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 404, description = "No such product", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    )
)]
pub async fn wishlist_add(
    state: web::Data<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<WishAdd>,
) -> Result<HttpResponse, ApiError> {
    let id = user.0.user.id;
    wishlist::add(&state, id, body.product_id).await?;
    Ok(HttpResponse::Ok().json(wish_items(wishlist::list(&state, id).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WishRemove {
    #[param(value_type = i64)]
    pub product_id: ProductId,
}

/// Removes a product (`?product_id=`).
#[utoipa::path(
    operation_id = "removeFromWishlist",
    delete,
    path = "/api/v1/wishlist",
    tag = "wishlist",
    security(("bearer" = [])),
    params(WishRemove),
    responses(
        (status = 200, description = "The wishlist after the change", body = Vec<WishlistItem>),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 401, description = "No valid access token", body = ErrorBody),
    )
)]
pub async fn wishlist_remove(
    state: web::Data<AppState>,
    user: ApiUser,
    query: web::Query<WishRemove>,
) -> Result<HttpResponse, ApiError> {
    let id = user.0.user.id;
    wishlist::remove(&state, id, query.product_id).await?;
    Ok(HttpResponse::Ok().json(wish_items(wishlist::list(&state, id).await?)))
}

/// Products recommended for the signed-in customer (popular ones for a new customer).
#[utoipa::path(
    operation_id = "getRecommendations",
    get,
    path = "/api/v1/recommendations",
    tag = "recommendations",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Up to 12 products", body = Vec<Product>),
        (status = 401, description = "No valid access token", body = ErrorBody),
    )
)]
pub async fn recommendations(
    state: web::Data<AppState>,
    user: ApiUser,
) -> Result<HttpResponse, ApiError> {
    let cards = recommend::for_customer(&state, user.0.user.id, 12).await?;
    let currency = &state.settings.store.currency;
    let items: Vec<Product> = cards
        .into_iter()
        .map(|c| Product::from_card(c, currency))
        .collect();
    Ok(HttpResponse::Ok().json(items))
}

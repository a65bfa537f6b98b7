//! Request extractors: the signed-in user (loaded fresh from the database on every request, so a
//! deactivation or role change applies at once) and the context every page layout needs.

use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};

use super::assets::CSS_VERSION;
use super::errors::AppError;
use super::session::{self, Flash};
use crate::db::users::{self, User};
use crate::state::AppState;

/// Cached per request so the user is read once.
#[derive(Clone)]
struct LoadedUser(Option<User>);

async fn load_user(req: &HttpRequest) -> Result<Option<User>, AppError> {
    if let Some(LoadedUser(u)) = req.extensions().get::<LoadedUser>() {
        return Ok(u.clone());
    }
    let session = req.get_session();
    let user = match session::user_id(&session) {
        None => None,
        Some(id) => {
            let state = app_state(req)?;
            match users::find(state.db.pool(), id).await? {
                Some(u) if u.active => Some(u),
                // Deleted or deactivated: the session ends here.
                _ => {
                    session::sign_out(&session);
                    None
                }
            }
        }
    };
    req.extensions_mut().insert(LoadedUser(user.clone()));
    Ok(user)
}

/// The signed-in user of this request, if any (read once per request).
pub async fn signed_in_user(req: &HttpRequest) -> Result<Option<User>, AppError> {
    load_user(req).await
}

pub fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))
}

/// A signed-in user; guests are sent to `/login?next=<this page>`.
pub struct SignedIn(pub User);

impl FromRequest for SignedIn {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match load_user(&req).await? {
                Some(u) => Ok(SignedIn(u)),
                None => Err(AppError::LoginRequired {
                    next: local_target(&req),
                }),
            }
        })
    }
}

/// Whoever shops in this browser: the signed-in customer (if any) and the guest orders this
/// session holds links to (placed here, or opened from a mailed link).
pub struct Shopper {
    pub user: Option<User>,
    pub orders: Vec<crate::domain::OrderId>,
    target: String,
}

impl Shopper {
    pub fn viewer(&self) -> crate::orders::detail::Viewer<'_> {
        crate::orders::detail::Viewer::Shopper {
            user: self.user.as_ref().map(|u| u.id),
            links: &self.orders,
        }
    }

    /// What an order this shopper cannot open answers: a guest is asked to sign in (it may be
    /// their account's), a customer is told it does not exist.
    pub fn not_theirs(&self) -> AppError {
        match self.user {
            Some(_) => AppError::NotFound,
            None => AppError::LoginRequired {
                next: self.target.clone(),
            },
        }
    }
}

impl FromRequest for Shopper {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            Ok(Shopper {
                user: load_user(&req).await?,
                orders: session::order_links(&req.get_session()),
                target: local_target(&req),
            })
        })
    }
}

/// Path and query of the request, for returning here after sign-in (GET only: a POST cannot be
/// replayed by a redirect).
fn local_target(req: &HttpRequest) -> String {
    if req.method() == actix_web::http::Method::GET {
        req.uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into())
    } else {
        req.path().to_string()
    }
}

/// The signed-in user as the layout shows them.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub id: crate::domain::UserId,
    pub username: String,
    pub first_name: String,
    pub roles: crate::domain::Roles,
}

impl NavUser {
    pub fn is_staff(&self) -> bool {
        self.roles.is_staff()
    }
}

/// What the base layout needs: who is signed in, flash messages, the CSRF token for forms.
pub struct PageContext {
    pub user: Option<NavUser>,
    /// Units in the cart, for the header.
    pub cart_items: i64,
    pub flashes: Vec<Flash>,
    pub css_version: &'static str,
    /// For the forms' CSRF token, made when a form first asks (a page without forms sets no
    /// cookie): the request, and who is signed in.
    csrf: Option<(HttpRequest, Option<crate::domain::UserId>)>,
}

impl PageContext {
    /// The token the page's forms carry (see `web::csrf`).
    pub fn csrf_token(&self) -> String {
        self.csrf
            .as_ref()
            .map(|(req, user)| super::csrf::token(req, *user))
            .unwrap_or_default()
    }

    /// The admin menu: the pages the signed-in staff member may open.
    pub fn admin_menu(&self) -> Vec<crate::staff::access::MenuLink> {
        self.user
            .as_ref()
            .map(|u| crate::staff::access::menu(u.roles))
            .unwrap_or_default()
    }

    /// For error pages rendered outside a handler: no session, nobody signed in.
    pub fn bare() -> Self {
        Self {
            user: None,
            flashes: Vec::new(),
            css_version: &CSS_VERSION,
            cart_items: 0,
            csrf: None,
        }
    }
}

/// Whose cart this request works on: the customer's, or the guest session's (if it has one).
pub async fn cart_owner(req: &HttpRequest) -> Result<Option<crate::orders::cart::Owner>, AppError> {
    use crate::orders::cart::Owner;
    Ok(match load_user(req).await? {
        Some(u) => Some(Owner::User(u.id)),
        None => session::cart_token(&req.get_session()).map(Owner::Guest),
    })
}

impl FromRequest for PageContext {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = load_user(&req).await?;
            let session = req.get_session();
            let state = app_state(&req)?;
            let cart_items = match cart_owner(&req).await? {
                Some(owner) => crate::orders::cart::item_count(&state, &owner).await?,
                None => 0,
            };
            let csrf = Some((req.clone(), user.as_ref().map(|u| u.id)));
            Ok(PageContext {
                cart_items,
                user: user.map(|u| NavUser {
                    id: u.id,
                    roles: u.roles,
                    username: u.username.as_str().to_string(),
                    first_name: u.first_name,
                }),
                flashes: session::take_flashes(&session),
                css_version: &CSS_VERSION,
                csrf,
            })
        })
    }
}

/// A signed-in staff member. Behind [`require_staff`] the route's role was already checked;
/// on its own this still refuses customers.
pub struct Staff(pub User);

impl FromRequest for Staff {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match load_user(&req).await? {
                Some(u) if u.is_staff() => Ok(Staff(u)),
                Some(_) => Err(AppError::Forbidden),
                None => Err(AppError::LoginRequired {
                    next: local_target(&req),
                }),
            }
        })
    }
}

/// The one guard in front of every `/admin` route: guests go to sign in; everyone else needs a
/// role the route's rule in [`crate::staff::access::RULES`] names (403 otherwise, also for a
/// route the table does not list).
pub async fn require_staff(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::ResponseError;
    let pattern = req.match_pattern();
    let verdict = match load_user(req.request()).await {
        Ok(Some(u)) if !u.is_staff() => {
            tracing::warn!(user_id = %u.id, path = req.path(), "admin page refused to a customer");
            Some(AppError::Forbidden)
        }
        Ok(Some(u)) => {
            let rule = pattern
                .as_deref()
                .and_then(|p| crate::staff::access::rule_for(req.method().as_str(), p));
            match rule {
                Some(rule) if rule.allows(u.roles) => None,
                Some(_) => {
                    tracing::warn!(user_id = %u.id, path = req.path(), roles = %u.roles.describe(), "admin page refused: role");
                    Some(AppError::Forbidden)
                }
                // No such page (404 as anywhere else), or a page nobody listed (refused).
                None if pattern.is_none() => None,
                None => {
                    tracing::error!(pattern = ?pattern, method = %req.method(), "admin route without an access rule");
                    Some(AppError::Forbidden)
                }
            }
        }
        Ok(None) => Some(AppError::LoginRequired {
            next: local_target(req.request()),
        }),
        Err(e) => Some(e),
    };
    match verdict {
        None => Ok(next.call(req).await?.map_into_boxed_body()),
        Some(e) => Ok(req.into_response(e.error_response())),
    }
}

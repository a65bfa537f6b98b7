//! `/admin/customers`: the list (search, filters, sort, pages, CSV) and one customer's page with
//! everything the shop knows of them; admins correct details, send mails, deactivate and
//! reactivate, and grant staff roles there.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::accounts::details::DetailsInput;
use crate::clock::format_unix;
use crate::db::customers::{CustomerRow, CustomerSort};
use crate::db::users::User;
use crate::domain::{FieldErrors, Pagination, Roles, StaffRole, UserId};
use crate::http::Path;
use crate::staff::StaffError;
use crate::staff::access;
use crate::staff::customers::{self, CustomerQuery};
use crate::state::AppState;
use crate::web::context::{PageContext, Staff};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::views::confirm::{self, ConfirmPage};
use crate::web::views::engagement::StaffReviewView;
use crate::web::views::orders::OrderSummary;
use crate::web::views::support::RequestRow;
use crate::web::views::{PageLink, page_links, url_with};
use crate::web::{csv_download, render, see_other};

/// A row of the list.
pub struct CustomerListRow {
    pub id: UserId,
    pub name: String,
    pub username: String,
    pub email: String,
    pub phone: String,
    pub registered: String,
    pub orders: i64,
    pub spent: String,
    pub active: bool,
    pub verified: bool,
    pub roles: String,
}

impl CustomerListRow {
    fn new(r: &CustomerRow, currency: &str) -> Self {
        Self {
            id: r.id,
            name: format!("{} {}", r.first_name, r.last_name),
            username: r.username.clone(),
            email: r.email.clone(),
            phone: r.phone.clone(),
            registered: format_unix(r.created_at),
            orders: r.order_count,
            spent: r.spent.display(currency),
            active: r.active,
            verified: r.verified,
            roles: if r.roles.is_staff() {
                r.roles.describe()
            } else {
                String::new()
            },
        }
    }
}

/// One choice of a filter's `<select>`.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

const fn choice(value: &'static str, label: &'static str) -> Choice {
    Choice { value, label }
}

/// A filter of the list: its field, label, choices and what is chosen.
pub struct Filter {
    pub name: &'static str,
    pub label: &'static str,
    pub choices: &'static [Choice],
    pub chosen: String,
}

const STATUS: &[Choice] = &[
    choice("", "Any"),
    choice("active", "Active"),
    choice("deactivated", "Deactivated"),
];
const YES_NO: &[Choice] = &[choice("", "Any"), choice("yes", "Yes"), choice("no", "No")];
const ROLE: &[Choice] = &[
    choice("", "Anyone"),
    choice("customer", "Customers"),
    choice("staff", "Staff"),
];

#[derive(Template)]
#[template(path = "admin/customers.html")]
struct CustomersPage {
    ctx: PageContext,
    rows: Vec<CustomerListRow>,
    total: i64,
    q: String,
    filters: Vec<Filter>,
    sorts: [CustomerSort; 5],
    sort: &'static str,
    export_href: Option<String>,
    pages: Vec<PageLink>,
}

pub async fn list(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<CustomerQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let page = Pagination::parse(&query.page, super::PAGE_SIZE);
    let (rows, total) = customers::list(&state, &query, page.per_page(), page.offset()).await?;
    let filter = |name, label, choices: &'static [Choice], chosen: &str| Filter {
        name,
        label,
        choices,
        chosen: chosen.to_string(),
    };
    let sort = query.sort().as_str();
    let q: String = query.q.trim().to_string();
    let pairs = |page: &str| {
        url_with(
            "",
            &[
                ("q", &q),
                ("status", &query.status),
                ("verified", &query.verified),
                ("orders", &query.orders),
                ("role", &query.role),
                ("sort", sort),
                ("page", page),
            ],
        )
    };
    let href = |n: i64| format!("/admin/customers{}", pairs(&n.to_string()));
    let currency = &state.settings.store.currency;
    let shown = page.within(total);
    let may_export = access::allows(staff.0.roles, "GET", "/admin/customers/export.csv");
    let page = CustomersPage {
        rows: rows
            .iter()
            .map(|r| CustomerListRow::new(r, currency))
            .collect(),
        total,
        filters: vec![
            filter("status", "Account", STATUS, &query.status),
            filter("verified", "Email confirmed", YES_NO, &query.verified),
            filter("orders", "Has ordered", YES_NO, &query.orders),
            filter("role", "Role", ROLE, &query.role),
        ],
        sorts: CustomerSort::ALL,
        sort,
        export_href: may_export.then(|| format!("/admin/customers/export.csv{}", pairs(""))),
        pages: page_links(shown.page(), shown.pages(total), href),
        q,
        ctx,
    };
    render(StatusCode::OK, &page)
}

pub async fn export_csv(
    _staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<CustomerQuery>,
) -> Result<HttpResponse, AppError> {
    let body = customers::export_csv(&state, &query).await?;
    let today = state.clock.now().date().to_string();
    Ok(csv_download("customers", &today, body))
}

/// The details form as typed (or as stored).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DetailsForm {
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub birthday: String,
    pub phone: String,
    pub address: String,
}

impl DetailsForm {
    fn of(u: &User) -> Self {
        Self {
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            title: u.title.clone().unwrap_or_default(),
            birthday: u.birthday.clone().unwrap_or_default(),
            phone: u.phone.clone(),
            address: u.address.clone(),
        }
    }

    fn input(&self) -> DetailsInput<'_> {
        DetailsInput {
            first_name: &self.first_name,
            last_name: &self.last_name,
            address: &self.address,
            phone: &self.phone,
            title: &self.title,
            birthday: &self.birthday,
        }
    }

    fn is_empty(&self) -> bool {
        [
            &self.first_name,
            &self.last_name,
            &self.title,
            &self.birthday,
            &self.phone,
            &self.address,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

/// A role checkbox on the customer's page.
pub struct RoleBox {
    pub role: StaffRole,
    pub held: bool,
}

pub struct EventView {
    pub when: String,
    pub what: &'static str,
    pub ip: String,
}

pub struct ViewedView {
    pub id: crate::domain::ProductId,
    pub name: String,
}

#[derive(Template)]
#[template(path = "admin/customer.html")]
struct CustomerPage {
    ctx: PageContext,
    c: CustomerListRow,
    username: String,
    details: DetailsForm,
    errors: FieldErrors,
    orders: Vec<OrderSummary>,
    reviews: Vec<StaffReviewView>,
    wishlist_size: i64,
    viewed: Vec<ViewedView>,
    requests: Vec<RequestRow>,
    events: Vec<EventView>,
    roles: Vec<RoleBox>,
    /// Why the last action was refused (409).
    refusal: Option<String>,
    /// What the viewer may do here (support staff only read).
    may_edit: bool,
    may_manage_roles: bool,
}

/// What the page shows besides the customer: a form typed with errors, or a refusal.
#[derive(Default)]
struct Outcome {
    details: Option<DetailsForm>,
    errors: FieldErrors,
    refusal: Option<String>,
}

impl Outcome {
    fn invalid(field: &str, message: &str) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        Self {
            errors,
            ..Self::default()
        }
    }

    fn refused(message: String) -> Self {
        Self {
            refusal: Some(message),
            ..Self::default()
        }
    }
}

async fn customer_page(
    viewer: &User,
    ctx: PageContext,
    state: &AppState,
    id: UserId,
    outcome: Outcome,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let pool = state.db.pool();
    let (Some(row), Some(user)) = (
        crate::db::customers::one(pool, id).await?,
        crate::db::users::find(pool, id).await?,
    ) else {
        return Err(AppError::NotFound);
    };
    let currency = &state.settings.store.currency;
    let viewed_ids = crate::engagement::views::recent(state, id).await?;
    let mut cards = crate::db::catalog::cards(pool, &viewed_ids).await?;
    cards.sort_by_key(|c| viewed_ids.iter().position(|v| *v == c.id));
    let roles = user.roles;
    let page = CustomerPage {
        c: CustomerListRow::new(&row, currency),
        username: user.username.as_str().to_string(),
        details: outcome.details.unwrap_or_else(|| DetailsForm::of(&user)),
        errors: outcome.errors,
        refusal: outcome.refusal,
        orders: crate::db::orders::list_for_user(pool, id)
            .await?
            .iter()
            .map(OrderSummary::new)
            .collect(),
        reviews: crate::db::reviews::newest(pool, Some(id), 20, 0)
            .await?
            .into_iter()
            .map(StaffReviewView::from)
            .collect(),
        wishlist_size: crate::db::wishlist::count(pool, id).await?,
        viewed: cards
            .into_iter()
            .map(|c| ViewedView {
                id: c.id,
                name: c.name,
            })
            .collect(),
        requests: crate::support::for_customer(state, id)
            .await?
            .iter()
            .map(RequestRow::for_staff)
            .collect(),
        events: crate::db::auth_events::recent_for_user(pool, id, 20)
            .await?
            .into_iter()
            .map(|e| EventView {
                when: format_unix(e.at),
                what: e.event.label(),
                ip: e.ip,
            })
            .collect(),
        roles: StaffRole::ALL
            .into_iter()
            .map(|role| RoleBox {
                role,
                held: roles.contains(role),
            })
            .collect(),
        may_edit: access::allows(viewer.roles, "POST", "/admin/customers/{id}"),
        may_manage_roles: access::allows(viewer.roles, "POST", "/admin/customers/{id}/roles"),
        ctx,
    };
    render(status, &page)
}

pub async fn show(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<UserId>,
) -> Result<HttpResponse, AppError> {
    customer_page(
        &staff.0,
        ctx,
        &state,
        id,
        Outcome::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/customers/{id}`: the details form, and/or `active` (`0` deactivates, `1`
/// reactivates; the page asks for confirmation before it posts a deactivation).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UpdateForm {
    #[serde(flatten)]
    details: DetailsForm,
    active: Option<String>,
}

fn parse_flag(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Some(true),
        "0" | "false" | "off" | "no" => Some(false),
        _ => None,
    }
}

pub async fn update(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<UserId>,
    form: web::Form<UpdateForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let actor = staff.0.id;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let active = match form.active.as_deref() {
        None => None,
        Some(v) => match parse_flag(v) {
            Some(a) => Some(a),
            None => {
                let o = Outcome::invalid(
                    "active",
                    "Say 1 to reactivate the account or 0 to deactivate it.",
                );
                return customer_page(&staff.0, ctx, &state, id, o, unprocessable).await;
            }
        },
    };
    if active.is_none() && form.details.is_empty() {
        let o = Outcome::invalid("first_name", "Nothing to change: fill in the details form.");
        return customer_page(&staff.0, ctx, &state, id, o, unprocessable).await;
    }
    if !form.details.is_empty() {
        match customers::edit(&state, actor, id, form.details.input()).await {
            Ok(()) => session::flash(
                &session,
                FlashLevel::Success,
                "The customer's details are saved.",
            ),
            Err(StaffError::Invalid(errors)) => {
                let o = Outcome {
                    details: Some(form.details.clone()),
                    errors,
                    refusal: None,
                };
                return customer_page(&staff.0, ctx, &state, id, o, unprocessable).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(active) = active {
        match customers::set_active(&state, actor, id, active).await {
            Ok(()) => session::flash(
                &session,
                FlashLevel::Success,
                if active {
                    "The account is active again; the customer can sign in."
                } else {
                    "The account is deactivated: its sessions and app sign-ins have ended and it cannot sign in."
                },
            ),
            Err(StaffError::NotAllowed(message)) => {
                let conflict = StatusCode::CONFLICT;
                let o = Outcome::refused(message);
                return customer_page(&staff.0, ctx, &state, id, o, conflict).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(see_other(&format!("/admin/customers/{id}")))
}

/// Asks before deactivating, and says what will happen.
pub async fn confirm_deactivate(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let row = crate::db::customers::one(state.db.pool(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = format!("{} {}", row.first_name, row.last_name);
    let c = confirm::deactivate_account(id, &name, &row.email);
    render(StatusCode::OK, &ConfirmPage { ctx, c })
}

pub async fn resend_verification(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let outcome = customers::resend_verification(&state, staff.0.id, id).await;
    let done = "A new confirmation link is on its way to the customer.";
    finish(&staff.0, ctx, &state, &session, id, outcome, done).await
}

pub async fn send_password_reset(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let outcome = customers::send_password_reset(&state, staff.0.id, id).await;
    let done = "A password-reset link is on its way to the customer (valid for one hour).";
    finish(&staff.0, ctx, &state, &session, id, outcome, done).await
}

/// Back to the customer's page: with `done` as a flash, or the refusal and 409.
async fn finish(
    viewer: &User,
    ctx: PageContext,
    state: &AppState,
    session: &Session,
    id: UserId,
    outcome: Result<(), StaffError>,
    done: &str,
) -> Result<HttpResponse, AppError> {
    match outcome {
        Ok(()) => {
            session::flash(session, FlashLevel::Success, done);
            Ok(see_other(&format!("/admin/customers/{id}")))
        }
        Err(StaffError::NotAllowed(message)) => {
            let o = Outcome::refused(message);
            customer_page(viewer, ctx, state, id, o, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The role checkboxes (`role_admin`, `role_catalog`, `role_orders`, `role_support`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RolesForm {
    role_admin: Option<String>,
    role_catalog: Option<String>,
    role_orders: Option<String>,
    role_support: Option<String>,
}

impl RolesForm {
    fn roles(&self) -> Roles {
        let mut roles = Roles::NONE;
        for (field, role) in [
            (&self.role_admin, StaffRole::Admin),
            (&self.role_catalog, StaffRole::Catalog),
            (&self.role_orders, StaffRole::Orders),
            (&self.role_support, StaffRole::Support),
        ] {
            if field.as_deref().and_then(parse_flag).unwrap_or(false) {
                roles = roles.with(role);
            }
        }
        roles
    }
}

pub async fn set_roles(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<UserId>,
    form: web::Form<RolesForm>,
) -> Result<HttpResponse, AppError> {
    let roles = form.roles();
    let outcome = customers::set_roles(&state, staff.0.id, id, roles).await;
    let done = format!("Roles saved: {}.", roles.describe());
    finish(&staff.0, ctx, &state, &session, id, outcome, &done).await
}

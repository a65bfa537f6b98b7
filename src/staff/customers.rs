//! What staff do to a customer's account: correct their details, resend the verification mail,
//! send a password-reset mail, deactivate and reactivate, grant and remove staff roles. Every
//! change is audited (who, when, before and after) in the transaction that makes it.

use super::StaffError;
use crate::accounts::details::{DetailsInput, PersonalDetails, Voice};
use crate::accounts::verification::issue_token;
use crate::accounts::{api_tokens, queue_mail};
use crate::db::audit::{self, Changes, Entry};
use crate::db::auth_events::{self, AuthEvent};
use crate::db::customers::{self as db, CustomerFilter, CustomerSort};
use crate::db::email_tokens::Purpose;
use crate::db::users::{self, DetailsUpdate, User};
use crate::db::{Tx, sessions};
use crate::domain::{Roles, StaffRole, UserId};
use crate::email::messages;
use crate::state::AppState;

pub use crate::db::customers::CustomerRow;

/// The list's query as typed (`/admin/customers?q=…&status=…`); unknown values mean "any".
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CustomerQuery {
    pub q: String,
    /// `active` or `deactivated`.
    pub status: String,
    /// `yes` or `no`.
    pub verified: String,
    /// `yes` or `no`.
    pub orders: String,
    /// `staff` or `customer`.
    pub role: String,
    pub sort: String,
    pub page: String,
}

fn yes_no(v: &str) -> Option<bool> {
    match v {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

impl CustomerQuery {
    pub fn filter(&self) -> CustomerFilter {
        let q: String = self.q.trim().chars().take(100).collect();
        CustomerFilter {
            search: (!q.is_empty()).then_some(q),
            active: match self.status.as_str() {
                "active" => Some(true),
                "deactivated" => Some(false),
                _ => None,
            },
            verified: yes_no(&self.verified),
            has_orders: yes_no(&self.orders),
            staff: match self.role.as_str() {
                "staff" => Some(true),
                "customer" => Some(false),
                _ => None,
            },
        }
    }

    pub fn sort(&self) -> CustomerSort {
        CustomerSort::parse(&self.sort)
    }
}

/// The account to act on; `NotFound` when there is none.
async fn target(state: &AppState, id: UserId) -> Result<User, StaffError> {
    users::find(state.db.pool(), id)
        .await?
        .ok_or(StaffError::NotFound)
}

async fn record(
    tx: &mut Tx,
    actor: UserId,
    action: &str,
    id: UserId,
    details: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let entry = Entry {
        actor: Some(actor),
        action,
        entity: "customer",
        entity_id: Some(id.get()),
        details,
    };
    audit::record(tx, &entry, now).await
}

/// Corrects a customer's details, by the same rules as their own profile form.
pub async fn edit(
    state: &AppState,
    actor: UserId,
    id: UserId,
    input: DetailsInput<'_>,
) -> Result<(), StaffError> {
    let user = target(state, id).await?;
    let mut e = crate::domain::FieldErrors::new();
    let Some(d) = PersonalDetails::parse(input, state.clock.now().date(), Voice::Staff, &mut e)
    else {
        return Err(StaffError::Invalid(e));
    };
    let birthday = d.birthday_iso();
    let mut c = Changes::new();
    c.field("first name", &user.first_name, &d.first_name)
        .field("last name", &user.last_name, &d.last_name)
        .field("phone", &user.phone, d.phone.as_str())
        .field(
            "title",
            user.title.as_deref().unwrap_or(""),
            d.title.as_deref().unwrap_or(""),
        )
        .field(
            "birthday",
            user.birthday.as_deref().unwrap_or(""),
            birthday.as_deref().unwrap_or(""),
        )
        .field("address", &user.address, &d.address);
    if c.is_empty() {
        return Ok(());
    }
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    users::update_details(
        &mut tx,
        id,
        &DetailsUpdate {
            first_name: &d.first_name,
            last_name: &d.last_name,
            address: &d.address,
            phone: d.phone.as_str(),
            title: d.title.as_deref(),
            birthday: birthday.as_deref(),
        },
        now,
    )
    .await?;
    record(&mut tx, actor, "edit", id, &c.text(), now).await?;
    tx.commit().await?;
    tracing::info!(%actor, customer = %id, "customer details corrected by staff");
    Ok(())
}

/// Deactivates (every session and API token of the account ends in the same transaction, and
/// it can no longer sign in) or reactivates an account. The last active admin stays.
pub async fn set_active(
    state: &AppState,
    actor: UserId,
    id: UserId,
    active: bool,
) -> Result<(), StaffError> {
    let user = target(state, id).await?;
    if user.active == active {
        return Ok(());
    }
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    if !active && user.has(StaffRole::Admin) && users::count_active_admins(&mut tx).await? <= 1 {
        return Err(StaffError::NotAllowed(
            "This is the shop's last active administrator; make someone else an administrator first.".into(),
        ));
    }
    users::set_active(&mut tx, id, active, now).await?;
    let ended = if active {
        0
    } else {
        sessions::delete_for_user(&mut *tx, id).await?
            + api_tokens::revoke_all(&mut *tx, id, now, "deactivated").await?
    };
    let details = if active {
        "active: false \u{2192} true".to_string()
    } else {
        format!("active: true \u{2192} false ({ended} sessions and app sign-ins ended)")
    };
    let action = if active { "reactivate" } else { "deactivate" };
    record(&mut tx, actor, action, id, &details, now).await?;
    tx.commit().await?;
    if !active {
        auth_events::record(
            state.db.pool(),
            AuthEvent::Deactivated,
            Some(id),
            &format!("user:{id}"),
            "",
            now,
        )
        .await?;
    }
    tracing::info!(%actor, customer = %id, active, "account access changed by staff");
    Ok(())
}

/// Mails a new verification link to an account that has not confirmed its address.
pub async fn resend_verification(
    state: &AppState,
    actor: UserId,
    id: UserId,
) -> Result<(), StaffError> {
    mail_link(state, actor, id, Purpose::VerifyEmail).await
}

/// Mails a password-reset link (the customer chooses the new password; staff never see one).
pub async fn send_password_reset(
    state: &AppState,
    actor: UserId,
    id: UserId,
) -> Result<(), StaffError> {
    mail_link(state, actor, id, Purpose::ResetPassword).await
}

/// Issues a one-time link of `purpose` and queues its mail, audited, in one transaction.
async fn mail_link(
    state: &AppState,
    actor: UserId,
    id: UserId,
    purpose: Purpose,
) -> Result<(), StaffError> {
    let user = target(state, id).await?;
    let verify = purpose == Purpose::VerifyEmail;
    if verify && user.is_verified() {
        return Err(StaffError::NotAllowed(
            "This email address is already confirmed.".into(),
        ));
    }
    if !user.active {
        return Err(StaffError::NotAllowed(
            "The account is deactivated; reactivate it first.".into(),
        ));
    }
    let now = state.clock.unix();
    let base = &state.settings.server.base_url;
    let mut tx = state.db.begin_write().await?;
    let token = issue_token(&mut tx, state, id, &user.email, purpose).await?;
    let (mail, action) = if verify {
        let m = messages::verify_email(base, &user.first_name, &token);
        (m, "resend verification")
    } else {
        let m = messages::password_reset(base, &user.first_name, &token);
        (m, "send password reset")
    };
    queue_mail(&mut tx, state, user.email.as_str(), &mail).await?;
    record(&mut tx, actor, action, id, user.email.as_str(), now).await?;
    tx.commit().await?;
    state.mail_wakeup.wake();
    Ok(())
}

/// Gives the account exactly `roles`. Nobody takes the administrator role from the shop's last
/// active administrator (themselves included).
pub async fn set_roles(
    state: &AppState,
    actor: UserId,
    id: UserId,
    roles: Roles,
) -> Result<(), StaffError> {
    let user = target(state, id).await?;
    if user.roles == roles {
        return Ok(());
    }
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    let drops_admin = user.has(StaffRole::Admin) && !roles.contains(StaffRole::Admin);
    if drops_admin && user.active && users::count_active_admins(&mut tx).await? <= 1 {
        return Err(StaffError::NotAllowed(
            "This is the shop's last active administrator; make someone else an administrator first.".into(),
        ));
    }
    for role in StaffRole::ALL {
        if user.has(role) != roles.contains(role) {
            users::set_staff_role(&mut tx, id, role, roles.contains(role), now).await?;
        }
    }
    let details = format!(
        "roles: {} \u{2192} {}",
        user.roles.describe(),
        roles.describe()
    );
    record(&mut tx, actor, "roles", id, &details, now).await?;
    tx.commit().await?;
    tracing::info!(%actor, customer = %id, roles = %roles.describe(), "staff roles changed");
    Ok(())
}

/// One page of the list.
pub async fn list(
    state: &AppState,
    query: &CustomerQuery,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CustomerRow>, i64), StaffError> {
    Ok(db::list(
        state.db.pool(),
        &query.filter(),
        query.sort(),
        limit,
        offset,
    )
    .await?)
}

/// The CSV columns of the customer export.
pub const CSV_COLUMNS: [&str; 14] = [
    "id",
    "username",
    "email",
    "first_name",
    "last_name",
    "phone",
    "address",
    "verified",
    "active",
    "roles",
    "orders",
    "lifetime_value",
    "currency",
    "registered",
];

/// Every account the query matches as CSV (cells that a spreadsheet would run are neutralised).
pub async fn export_csv(state: &AppState, query: &CustomerQuery) -> Result<Vec<u8>, StaffError> {
    use crate::catalog::csv_io::neutralise;
    let rows = db::all(state.db.pool(), &query.filter(), query.sort()).await?;
    let currency = &state.settings.store.currency;
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| StaffError::Internal(e.into());
    w.write_record(CSV_COLUMNS).map_err(io)?;
    for r in rows {
        let record = [
            r.id.to_string(),
            r.username,
            r.email,
            r.first_name,
            r.last_name,
            r.phone,
            r.address,
            r.verified.to_string(),
            r.active.to_string(),
            r.roles.describe(),
            r.order_count.to_string(),
            r.spent.to_decimal(),
            currency.clone(),
            crate::clock::format_unix(r.created_at),
        ];
        w.write_record(record.iter().map(|c| neutralise(c)))
            .map_err(io)?;
    }
    w.into_inner()
        .map_err(|e| StaffError::Internal(anyhow::anyhow!("csv: {e}")))
}

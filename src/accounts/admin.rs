//! Staff accounts made at the console (`emporium create-admin`) and deactivating accounts.

use super::AccountError;
use crate::db::users::{self, NewUser};
use crate::domain::{Email, FieldErrors, PasswordContext, StaffRole, Username};
use crate::state::AppState;

#[derive(Debug, PartialEq, Eq)]
pub enum AdminOutcome {
    Created,
    Promoted,
}

/// Gives the account with this email `role`, or creates a verified staff account holding it
/// when there is none (then `password` is required and must pass the password rules).
pub async fn create_or_promote(
    state: &AppState,
    email: &str,
    username: &str,
    password: Option<&str>,
    role: StaffRole,
) -> Result<AdminOutcome, AccountError> {
    let mut e = FieldErrors::new();
    let email = e.check("email", Email::parse(email));
    let username = e.check("username", Username::parse(username));
    let (Some(email), Some(username)) = (email, username) else {
        return Err(e.into());
    };
    let now = state.clock.unix();
    if let Some(user) = users::find_by_email(state.db.pool(), &email).await? {
        let mut tx = state.db.begin_write().await?;
        users::set_staff_role(&mut tx, user.id, role, true, now).await?;
        tx.commit().await?;
        return Ok(AdminOutcome::Promoted);
    }
    let Some(raw) = password else {
        e.add("password", "A password is needed to create a new account.");
        return Err(e.into());
    };
    let ctx = PasswordContext {
        username: username.as_str(),
        email: email.as_str(),
        first_name: "",
        last_name: "",
    };
    let Some(password) = e.check_all("password", state.policy.check(raw, &ctx)) else {
        return Err(e.into());
    };
    let hash = state.hasher.hash(&password).await?;
    let mut tx = state.db.begin_write().await?;
    let id = users::insert(
        &mut tx,
        &NewUser {
            username: &username,
            email: &email,
            first_name: "Shop",
            last_name: if role == StaffRole::Admin {
                "Administrator"
            } else {
                "Staff"
            },
            password_hash: &hash,
            address: "",
            phone: "",
            title: None,
            birthday: None,
            // The operator typed the address at the console: nothing to verify by mail.
            verified_at: Some(now),
        },
        now,
    )
    .await?;
    users::set_staff_role(&mut tx, id, role, true, now).await?;
    tx.commit().await?;
    Ok(AdminOutcome::Created)
}

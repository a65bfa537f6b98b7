//! Administrator accounts (`emporium create-admin`) and deactivating accounts.

use super::AccountError;
use crate::db::users::{self, NewUser};
use crate::domain::{Email, FieldErrors, PasswordContext, Role, Username};
use crate::state::AppState;

#[derive(Debug, PartialEq, Eq)]
pub enum AdminOutcome {
    Created,
    Promoted,
}

/// Promotes the account with this email, or creates a verified admin account when there is none
/// (then `password` is required and must pass the password rules).
pub async fn create_or_promote(
    state: &AppState,
    email: &str,
    username: &str,
    password: Option<&str>,
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
        users::set_role(&mut tx, user.id, Role::Admin, now).await?;
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
    users::insert(
        &mut tx,
        &NewUser {
            username: &username,
            email: &email,
            first_name: "Shop",
            last_name: "Administrator",
            password_hash: &hash,
            address: "",
            phone: "",
            title: None,
            birthday: None,
            role: Role::Admin,
            // The operator typed the address at the console: nothing to verify by mail.
            verified_at: Some(now),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(AdminOutcome::Created)
}

/// Deactivates an account: it can no longer sign in, and its sessions and API tokens end now.
pub async fn deactivate(state: &AppState, id: crate::domain::UserId) -> Result<(), AccountError> {
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    users::set_active(&mut tx, id, false, now).await?;
    crate::db::sessions::delete_for_user(&mut *tx, id).await?;
    super::api_tokens::revoke_all(&mut *tx, id, now, "deactivated").await?;
    tx.commit().await?;
    crate::db::auth_events::record(
        state.db.pool(),
        crate::db::auth_events::AuthEvent::Deactivated,
        Some(id),
        &format!("user:{id}"),
        "",
        now,
    )
    .await?;
    tracing::info!(user_id = %id, "account deactivated");
    Ok(())
}

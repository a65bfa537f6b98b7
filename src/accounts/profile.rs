//! Profile changes. A new email address takes effect only when the link mailed to it is opened.

use serde::Deserialize;

use super::AccountError;
use super::details::{DetailsInput, EMAIL_TAKEN, PersonalDetails, Voice};
use super::verification::issue_token;
use crate::db::email_tokens::Purpose;
use crate::db::users::{self, ProfileUpdate, User};
use crate::domain::{Email, FieldErrors, Username};
use crate::email::messages;
use crate::state::AppState;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ProfileInput {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub address: String,
    pub phone: String,
    pub title: String,
    pub birthday: String,
    /// Needed only when the email address changes (re-authentication for a sensitive change).
    pub current_password: String,
}

impl ProfileInput {
    pub fn from_user(u: &User) -> Self {
        Self {
            username: u.username.as_str().to_string(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            email: u.email.as_str().to_string(),
            address: u.address.clone(),
            phone: u.phone.clone(),
            title: u.title.clone().unwrap_or_default(),
            birthday: u.birthday.clone().unwrap_or_default(),
            current_password: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileOutcome {
    Saved,
    /// Saved, and a confirmation link went to this new address.
    EmailPending(String),
}

impl ProfileInput {
    pub fn details(&self) -> DetailsInput<'_> {
        DetailsInput {
            first_name: &self.first_name,
            last_name: &self.last_name,
            address: &self.address,
            phone: &self.phone,
            title: &self.title,
            birthday: &self.birthday,
        }
    }
}

pub async fn update(
    state: &AppState,
    user: &User,
    input: &ProfileInput,
    ip: &str,
) -> Result<ProfileOutcome, AccountError> {
    let mut e = FieldErrors::new();
    let username = e.check("username", Username::parse(&input.username));
    let details = PersonalDetails::parse(
        input.details(),
        state.clock.now().date(),
        Voice::Customer,
        &mut e,
    );
    let email = e.check("email", Email::parse(&input.email));
    let mut taken = FieldErrors::new();
    let new_email = email.as_ref().filter(|m| **m != user.email).cloned();
    if let Some(m) = &new_email {
        if !super::login::confirm_password(state, user, &input.current_password, ip).await? {
            e.add(
                "current_password",
                "Enter your current password to change your email address.",
            );
        } else if users::find_by_email(state.db.pool(), m).await?.is_some() {
            taken.add("email", EMAIL_TAKEN);
        }
    }
    let (Some(username), Some(d)) = (username, details) else {
        e.merge(taken);
        return Err(e.into());
    };
    if !e.is_empty() {
        e.merge(taken);
        return Err(e.into());
    }
    if !taken.is_empty() {
        return Err(AccountError::Taken(taken));
    }
    let birthday = d.birthday_iso();
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    users::update_profile(
        &mut tx,
        user.id,
        &ProfileUpdate {
            username: &username,
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
    let Some(m) = new_email else {
        tx.commit().await?;
        return Ok(ProfileOutcome::Saved);
    };
    let token = issue_token(&mut tx, state, user.id, &m, Purpose::ChangeEmail).await?;
    let confirm =
        messages::confirm_new_email(&state.settings.server.base_url, &d.first_name, &token);
    super::queue_mail(&mut tx, state, m.as_str(), &confirm).await?;
    let notice = messages::email_change_requested(&d.first_name, m.as_str());
    super::queue_mail(&mut tx, state, user.email.as_str(), &notice).await?;
    tx.commit().await?;
    state.mail_wakeup.wake();
    Ok(ProfileOutcome::EmailPending(m.as_str().to_string()))
}

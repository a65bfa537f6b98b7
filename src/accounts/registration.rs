//! Registration: the form's (and the API's) fields, their rules, and creating the unverified
//! account with its verification mail.

use serde::Deserialize;

use super::details::{DetailsInput, EMAIL_TAKEN, PersonalDetails, USERNAME_TAKEN, Voice};
use super::{AccountError, limits, verification};
use crate::db::auth_events::{self, AuthEvent};
use crate::db::users::{self, NewUser};
use crate::domain::{
    Email, FieldErrors, Password, PasswordContext, UserId, Username, confirm_matches,
};
use crate::state::AppState;

/// The registration fields as typed (the HTML form and the JSON API share it). Unknown fields
/// such as `role` or `is_admin` are ignored: nothing else can be set at registration.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RegistrationInput {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password: String,
    pub password_confirm: String,
    pub address: String,
    pub phone: String,
    pub title: String,
    pub birthday: String,
}

impl RegistrationInput {
    /// The input to show again in a re-rendered form: never the passwords.
    pub fn without_passwords(mut self) -> Self {
        self.password.clear();
        self.password_confirm.clear();
        self
    }

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

/// Registration input that passed every rule.
pub struct ValidRegistration {
    pub username: Username,
    pub email: Email,
    pub password: Password,
    pub details: PersonalDetails,
}

/// Checks every field in the form's order, collecting each problem at its field.
pub fn validate(
    state: &AppState,
    input: &RegistrationInput,
) -> Result<ValidRegistration, FieldErrors> {
    let mut e = FieldErrors::new();
    let username = e.check("username", Username::parse(&input.username));
    let details = PersonalDetails::parse(
        input.details(),
        state.clock.now().date(),
        Voice::Customer,
        &mut e,
    );
    let email = e.check("email", Email::parse(&input.email));
    let ctx = PasswordContext {
        username: &input.username,
        email: &input.email,
        first_name: &input.first_name,
        last_name: &input.last_name,
    };
    let password = e.check_all("password", state.policy.check(&input.password, &ctx));
    e.check(
        "password_confirm",
        confirm_matches(&input.password, &input.password_confirm),
    );
    match (username, email, password, details) {
        (Some(username), Some(email), Some(password), Some(details)) if e.is_empty() => {
            Ok(ValidRegistration {
                username,
                email,
                password,
                details,
            })
        }
        _ => Err(e),
    }
}

/// Creates the account (unverified) and mails the verification link. A taken username or email
/// comes back as a field error, also when two registrations race (the unique indexes decide).
pub async fn register(
    state: &AppState,
    reg: ValidRegistration,
    ip: &str,
) -> Result<UserId, AccountError> {
    let limit = state.settings.security.registrations_per_ip_per_hour;
    let now = state.clock.unix();
    let pool = state.db.pool();
    // Every attempt counts, also one that finds the name or address taken: otherwise the
    // "taken" answer could be used to test addresses without limit.
    if let limits::Verdict::Refused { until, now } =
        limits::hit(state, "register", ip, limit, limits::HOUR).await?
    {
        return Err(AccountError::Throttled { until, now });
    }
    // Cheap duplicate check first, so a taken name costs no hashing; the index has the last word.
    let mut taken = FieldErrors::new();
    if users::find_by_username(pool, &reg.username)
        .await?
        .is_some()
    {
        taken.add("username", USERNAME_TAKEN);
    }
    if users::find_by_email(pool, &reg.email).await?.is_some() {
        taken.add("email", EMAIL_TAKEN);
    }
    if !taken.is_empty() {
        return Err(AccountError::Taken(taken));
    }
    let hash = state.hasher.hash(&reg.password).await?;
    let d = &reg.details;
    let birthday = d.birthday_iso();
    let mut tx = state.db.begin_write().await?;
    let id = users::insert(
        &mut tx,
        &NewUser {
            username: &reg.username,
            email: &reg.email,
            first_name: &d.first_name,
            last_name: &d.last_name,
            password_hash: &hash,
            address: &d.address,
            phone: d.phone.as_str(),
            title: d.title.as_deref(),
            birthday: birthday.as_deref(),
            verified_at: None,
        },
        now,
    )
    .await?;
    let token = verification::issue_token(
        &mut tx,
        state,
        id,
        &reg.email,
        crate::db::email_tokens::Purpose::VerifyEmail,
    )
    .await?;
    let mail = crate::email::messages::verify_email(
        &state.settings.server.base_url,
        &reg.details.first_name,
        &token,
    );
    super::queue_mail(&mut tx, state, reg.email.as_str(), &mail).await?;
    tx.commit().await?;
    state.mail_wakeup.wake();
    auth_events::record(
        pool,
        AuthEvent::Registered,
        Some(id),
        &format!("user:{id}"),
        ip,
        now,
    )
    .await?;
    tracing::info!(user_id = %id, "account registered");
    Ok(id)
}

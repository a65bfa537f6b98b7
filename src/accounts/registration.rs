use serde::Deserialize;
use validator::Validate;

use super::{AccountError, limits, verification};
use crate::db::auth_events::{self, AuthEvent};
use crate::db::users::{self, NewUser};
use crate::domain::{
    Birthday, Email, FieldErrors, Password, PasswordContext, Phone, Role, UserId, Username,
    optional_text, required_text,
};
use crate::state::AppState;

/// The registration fields as typed (the HTML form and the JSON API share it). Unknown fields
/// such as `role` or `is_admin` are ignored: nothing else can be set at registration.
#[derive(Debug, Default, Clone, Deserialize, Validate)]
#[serde(default)]
pub struct RegistrationInput {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password: String,
    #[validate(must_match(other = "password", message = "The two passwords do not match."))]
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
}

pub const NAME_MAX: usize = 100;
pub const ADDRESS_MAX: usize = 500;
pub const TITLE_MAX: usize = 20;

/// Registration input that passed every rule.
pub struct ValidRegistration {
    pub username: Username,
    pub email: Email,
    pub password: Password,
    pub first_name: String,
    pub last_name: String,
    pub address: String,
    pub phone: Phone,
    pub title: Option<String>,
    pub birthday: Option<Birthday>,
}

pub fn validate(
    state: &AppState,
    input: &RegistrationInput,
) -> Result<ValidRegistration, FieldErrors> {
    let mut e = FieldErrors::new();
    if let Err(v) = input.validate() {
        e.extend_validator(v);
    }
    let username = e.check("username", Username::parse(&input.username));
    let email = e.check("email", Email::parse(&input.email));
    let first_name = e.check(
        "first_name",
        required_text(&input.first_name, NAME_MAX, "first name"),
    );
    let last_name = e.check(
        "last_name",
        required_text(&input.last_name, NAME_MAX, "last name"),
    );
    let address = e.check(
        "address",
        required_text(&input.address, ADDRESS_MAX, "address"),
    );
    let phone = e.check("phone", Phone::parse(&input.phone));
    let title = e.check("title", optional_text(&input.title, TITLE_MAX, "title"));
    let today = state.clock.now().date();
    let birthday = if input.birthday.trim().is_empty() {
        Some(None)
    } else {
        e.check(
            "birthday",
            Birthday::parse(&input.birthday, today).map(Some),
        )
    };
    let ctx = PasswordContext {
        username: &input.username,
        email: &input.email,
        first_name: &input.first_name,
        last_name: &input.last_name,
    };
    let password = e.check_all("password", state.policy.check(&input.password, &ctx));
    match (
        username, email, first_name, last_name, address, phone, title, birthday, password,
    ) {
        (
            Some(username),
            Some(email),
            Some(first_name),
            Some(last_name),
            Some(address),
            Some(phone),
            Some(title),
            Some(birthday),
            Some(password),
        ) if e.is_empty() => Ok(ValidRegistration {
            username,
            email,
            password,
            first_name,
            last_name,
            address,
            phone,
            title,
            birthday,
        }),
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
    if crate::db::rate_limits::count_since(pool, "register", ip, now - limits::HOUR).await?
        >= i64::from(limit)
    {
        return Err(AccountError::Throttled {
            until: now + limits::HOUR,
            now,
        });
    }
    // Cheap duplicate check first, so a taken name costs no hashing; the index has the last word.
    let mut taken = FieldErrors::new();
    if users::find_by_username(pool, &reg.username)
        .await?
        .is_some()
    {
        taken.add("username", "This username is taken; choose another.");
    }
    if users::find_by_email(pool, &reg.email).await?.is_some() {
        taken.add(
            "email",
            "An account with this email address already exists. Sign in or reset your password.",
        );
    }
    if !taken.is_empty() {
        return Err(AccountError::Taken(taken));
    }
    let hash = state.hasher.hash(&reg.password).await?;
    let birthday = reg.birthday.map(|b| b.to_iso());
    let mut tx = state.db.begin_write().await?;
    let id = users::insert(
        &mut tx,
        &NewUser {
            username: &reg.username,
            email: &reg.email,
            first_name: &reg.first_name,
            last_name: &reg.last_name,
            password_hash: &hash,
            address: &reg.address,
            phone: reg.phone.as_str(),
            title: reg.title.as_deref(),
            birthday: birthday.as_deref(),
            role: Role::Customer,
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
    tx.commit().await?;
    crate::db::rate_limits::hit(pool, "register", ip, now).await?;
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
    let mail = crate::email::messages::verify_email(
        &state.settings.server.base_url,
        &reg.first_name,
        &token,
    );
    super::send_after_commit(state, reg.email.as_str(), mail).await;
    Ok(id)
}

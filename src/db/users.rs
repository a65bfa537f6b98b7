//! Accounts. Rows become `User` values here (typed id, `Username`, `Email`, `Role`, `active`).

use sqlx::{AnyPool, FromRow};

use super::{DbError, Tx, flag};
use crate::domain::{Email, Roles, StaffRole, UserId, Username};

#[derive(Debug, Clone, FromRow)]
struct UserRow {
    id: UserId,
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    password_hash: String,
    address: String,
    phone: String,
    title: Option<String>,
    birthday: Option<String>,
    role_bits: i64,
    email_verified_at: Option<i64>,
    active: i64,
    created_at: i64,
}

/// A stored account.
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub email: Email,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: String,
    pub address: String,
    pub phone: String,
    pub title: Option<String>,
    pub birthday: Option<String>,
    /// Staff roles; none for a customer.
    pub roles: Roles,
    pub email_verified_at: Option<i64>,
    pub active: bool,
    pub created_at: i64,
}

impl User {
    pub fn is_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }

    pub fn is_staff(&self) -> bool {
        self.roles.is_staff()
    }

    pub fn has(&self, role: StaffRole) -> bool {
        self.roles.contains(role)
    }
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        Self {
            id: r.id,
            username: Username::from_trusted(r.username),
            email: Email::from_trusted(r.email),
            first_name: r.first_name,
            last_name: r.last_name,
            password_hash: r.password_hash,
            address: r.address,
            phone: r.phone,
            title: r.title,
            birthday: r.birthday,
            roles: Roles::from_bits(r.role_bits),
            email_verified_at: r.email_verified_at,
            active: super::flag_of(r.active),
            created_at: r.created_at,
        }
    }
}

/// A user's roles added up as bits (see `StaffRole::bit`; a unit test keeps the two in step), so
/// the account and its roles come in one query on every request. For queries `FROM users`.
macro_rules! role_bits {
    () => {
        "CAST((SELECT COALESCE(SUM(CASE r.role WHEN 'admin' THEN 1 WHEN 'catalog' THEN 2 \
         WHEN 'orders' THEN 4 WHEN 'support' THEN 8 ELSE 0 END), 0) FROM staff_roles r \
         WHERE r.user_id = users.id) AS BIGINT)"
    };
}

pub(super) const ROLE_BITS: &str = role_bits!();

const COLUMNS: &str = concat!(
    "id, username, email, first_name, last_name, password_hash, address, phone, title, birthday, ",
    role_bits!(),
    " AS role_bits, email_verified_at, active, created_at"
);

/// Everything needed to insert an account; built only from parsed values.
pub struct NewUser<'a> {
    pub username: &'a Username,
    pub email: &'a Email,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password_hash: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub title: Option<&'a str>,
    pub birthday: Option<&'a str>,
    pub verified_at: Option<i64>,
}

/// Profile fields a customer may change themselves (the email goes through verification).
pub struct ProfileUpdate<'a> {
    pub username: &'a Username,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub title: Option<&'a str>,
    pub birthday: Option<&'a str>,
}

/// The details staff may correct for a customer (not the username or email address).
pub struct DetailsUpdate<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub title: Option<&'a str>,
    pub birthday: Option<&'a str>,
}

/// Which unique key an insert or update ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    Username,
    Email,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0:?} already taken")]
    Conflict(Conflict),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn classify(err: DbError) -> WriteError {
    if super::is_unique_violation(&err) {
        let text = err.to_string();
        if text.contains("email") {
            return WriteError::Conflict(Conflict::Email);
        }
        return WriteError::Conflict(Conflict::Username);
    }
    WriteError::Db(err)
}

pub async fn insert(tx: &mut Tx, u: &NewUser<'_>, now: i64) -> Result<UserId, WriteError> {
    sqlx::query_scalar(
        "INSERT INTO users (username, username_key, email, first_name, last_name, password_hash, \
         address, phone, title, birthday, email_verified_at, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12) RETURNING id",
    )
    .bind(u.username.as_str())
    .bind(u.username.key())
    .bind(u.email.as_str())
    .bind(u.first_name)
    .bind(u.last_name)
    .bind(u.password_hash)
    .bind(u.address)
    .bind(u.phone)
    .bind(u.title)
    .bind(u.birthday)
    .bind(u.verified_at)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(classify)
}

pub async fn find(pool: &AnyPool, id: UserId) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(User::from))
}

pub async fn find_by_email(pool: &AnyPool, email: &Email) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(email.as_str())
        .fetch_optional(pool)
        .await?;
    Ok(row.map(User::from))
}

/// Finds by email address or username, both case-insensitively (`login` is already lower-cased).
pub async fn find_by_login(pool: &AnyPool, login: &str) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1 OR username_key = $1");
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(login)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(User::from))
}

pub async fn find_by_username(
    pool: &AnyPool,
    username: &Username,
) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE username_key = $1");
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(username.key())
        .fetch_optional(pool)
        .await?;
    Ok(row.map(User::from))
}

pub async fn mark_verified(tx: &mut Tx, id: UserId, now: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2), updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves the account to a newly verified address.
pub async fn change_email(
    tx: &mut Tx,
    id: UserId,
    email: &Email,
    now: i64,
) -> Result<(), WriteError> {
    sqlx::query(
        "UPDATE users SET email = $2, email_verified_at = $3, updated_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(email.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(classify)?;
    Ok(())
}

pub async fn set_password_hash(
    tx: &mut Tx,
    id: UserId,
    hash: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Replaces a hash only if it is still the one that was verified (a concurrent password change wins).
pub async fn upgrade_password_hash(
    pool: &AnyPool,
    id: UserId,
    old: &str,
    new: &str,
) -> Result<bool, DbError> {
    let done =
        sqlx::query("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2")
            .bind(id)
            .bind(old)
            .bind(new)
            .execute(pool)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Locks the user's row for this transaction if the password is still the one just checked;
/// false when it changed meanwhile (a password change then wins over a sign-in in flight).
pub async fn lock_if_password(tx: &mut Tx, id: UserId, hash: &str) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE users SET password_hash = password_hash WHERE id = $1 AND password_hash = $2 AND active = 1",
    )
    .bind(id)
    .bind(hash)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn update_profile(
    tx: &mut Tx,
    id: UserId,
    p: &ProfileUpdate<'_>,
    now: i64,
) -> Result<(), WriteError> {
    sqlx::query(
        "UPDATE users SET username = $2, username_key = $3, first_name = $4, last_name = $5, address = $6, \
         phone = $7, title = $8, birthday = $9, updated_at = $10 WHERE id = $1",
    )
    .bind(id)
    .bind(p.username.as_str())
    .bind(p.username.key())
    .bind(p.first_name)
    .bind(p.last_name)
    .bind(p.address)
    .bind(p.phone)
    .bind(p.title)
    .bind(p.birthday)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(classify)?;
    Ok(())
}

pub async fn update_details(
    tx: &mut Tx,
    id: UserId,
    d: &DetailsUpdate<'_>,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE users SET first_name = $2, last_name = $3, address = $4, phone = $5, title = $6, \
         birthday = $7, updated_at = $8 WHERE id = $1",
    )
    .bind(id)
    .bind(d.first_name)
    .bind(d.last_name)
    .bind(d.address)
    .bind(d.phone)
    .bind(d.title)
    .bind(d.birthday)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_active(tx: &mut Tx, id: UserId, active: bool, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET active = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(flag(active))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Gives or takes away one staff role (granting one held, or removing one not held, does nothing).
pub async fn set_staff_role(
    tx: &mut Tx,
    id: UserId,
    role: StaffRole,
    held: bool,
    now: i64,
) -> Result<(), DbError> {
    let sql = if held {
        "INSERT INTO staff_roles (user_id, role, granted_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, role) DO NOTHING"
    } else {
        "DELETE FROM staff_roles WHERE user_id = $1 AND role = $2 AND $3 = $3"
    };
    sqlx::query(sql)
        .bind(id)
        .bind(role.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// How many active accounts are admins, counted inside the transaction that is about to change
/// roles or deactivate someone. The admins' rows are written first: on PostgreSQL that locks
/// them, so two admins cannot both step down at once (SQLite's write transaction already
/// serialises).
pub async fn count_active_admins(tx: &mut Tx) -> Result<i64, DbError> {
    sqlx::query(
        "UPDATE users SET updated_at = updated_at WHERE id IN \
         (SELECT user_id FROM staff_roles WHERE role = 'admin')",
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM staff_roles r JOIN users u ON u.id = r.user_id \
         WHERE r.role = 'admin' AND u.active = 1",
    )
    .fetch_one(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use crate::domain::StaffRole;

    #[test]
    fn the_role_sum_uses_each_roles_bit() {
        for role in StaffRole::ALL {
            let case = format!("WHEN '{}' THEN {}", role.as_str(), role.bit());
            assert!(super::ROLE_BITS.contains(&case), "{case}");
        }
    }
}

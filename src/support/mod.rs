//! Support: a customer (from `/support` or an order's page) or a guest (through `/contact`)
//! opens a request; the shop answers from its inbox; each answer is mailed. A guest follows
//! their request through links mailed to them (a new one in every mail, only its hash kept).
//! Messages are plain text. The pages are in `web::handlers::support` and
//! `web::handlers::admin::support`, the SQL in `db::support`.

use crate::accounts::limits::{self, HOUR, Verdict};
use crate::accounts::tokens;
use crate::db::Tx;
use crate::db::customers::{self, CustomerRow};
use crate::db::orders::{self as order_db, Order};
use crate::db::private_links::LinkTo;
use crate::db::support::{self as db, Message, NewRequest, Request};
use crate::db::users::User;
use crate::domain::{
    Email, FieldErrors, OrderId, RequestId, SupportStatus, UserId, optional_line, optional_text,
    required_line, required_text,
};
use crate::email::messages;
use crate::state::AppState;

pub const SUBJECT_MAX: usize = 150;
pub const MESSAGE_MAX: usize = 5000;
pub const NAME_MAX: usize = 100;
/// How long a link mailed to a guest works.
pub const LINK_TTL: i64 = 90 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    #[error("the input is not valid")]
    Invalid(FieldErrors),
    /// No such request, or not this person's.
    #[error("no such request")]
    NotFound,
    #[error("too many messages")]
    Throttled { until: i64, now: i64 },
    #[error("database error")]
    Db(#[from] sqlx::Error),
}

impl From<FieldErrors> for SupportError {
    fn from(e: FieldErrors) -> Self {
        SupportError::Invalid(e)
    }
}

/// Who asks to see or answer a request from the shop's front: a signed-in customer (their own
/// requests) and anyone holding links to guest requests (ids proven this session).
#[derive(Debug, Clone, Copy)]
pub struct Requester<'a> {
    pub user: Option<UserId>,
    pub links: &'a [RequestId],
}

impl Requester<'_> {
    fn may_see(&self, r: &Request) -> bool {
        match r.user_id {
            Some(owner) => self.user == Some(owner),
            None => self.links.contains(&r.id),
        }
    }
}

/// A request as typed in a form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RequestInput {
    pub subject: String,
    pub message: String,
    /// One of the customer's orders, or empty.
    pub order_id: String,
}

/// The contact form of a guest.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ContactInput {
    pub email: String,
    pub name: String,
    pub subject: String,
    pub message: String,
}

fn subject_and_message(
    subject: &str,
    message: &str,
    e: &mut FieldErrors,
) -> Option<(String, String)> {
    let subject = e.check(
        "subject",
        required_line(subject, SUBJECT_MAX, "the subject"),
    );
    let message = e.check(
        "message",
        required_text(message, MESSAGE_MAX, "your message"),
    );
    Some((subject?, message?))
}

fn throttled(v: Verdict) -> Result<(), SupportError> {
    match v {
        Verdict::Allowed => Ok(()),
        Verdict::Refused { until, now } => Err(SupportError::Throttled { until, now }),
    }
}

/// Opens a request for a signed-in customer, about one of their orders if they chose one.
pub async fn open_for_customer(
    state: &AppState,
    user: &User,
    input: &RequestInput,
) -> Result<RequestId, SupportError> {
    let mut e = FieldErrors::new();
    let texts = subject_and_message(&input.subject, &input.message, &mut e);
    let order = match input.order_id.trim() {
        "" => None,
        raw => {
            let own = match raw.parse::<OrderId>() {
                Ok(id) => order_db::find_for_user(state.db.pool(), id, user.id).await?,
                Err(_) => None,
            };
            if own.is_none() {
                e.add("order_id", "Choose one of your orders, or none.");
            }
            own.map(|o| o.id)
        }
    };
    let Some((subject, message)) = texts.filter(|_| e.is_empty()) else {
        return Err(e.into());
    };
    let limit = state.settings.security.support_requests_per_hour;
    throttled(limits::hit(state, "support_user", &user.id.to_string(), limit, HOUR).await?)?;
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    let id = db::insert_request(
        &mut tx,
        &NewRequest {
            user_id: Some(user.id),
            email: user.email.as_str(),
            name: &user.first_name,
            subject: &subject,
            order_id: order,
        },
        now,
    )
    .await?;
    db::add_message(
        &mut tx,
        id,
        Some(user.id),
        false,
        &message,
        SupportStatus::Open,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(request = %id, user_id = %user.id, "support request opened");
    Ok(id)
}

/// Opens a request for a guest and mails them a link to follow it. Limited per IP address and
/// per email address (every attempt counts).
pub async fn open_for_guest(
    state: &AppState,
    input: &ContactInput,
    ip: &str,
) -> Result<RequestId, SupportError> {
    let mut e = FieldErrors::new();
    let email = e.check("email", Email::parse(&input.email));
    let name = e.check("name", optional_line(&input.name, NAME_MAX, "your name"));
    let texts = subject_and_message(&input.subject, &input.message, &mut e);
    let (Some(email), Some(name), Some((subject, message))) = (email, name, texts) else {
        return Err(e.into());
    };
    let s = &state.settings.security;
    throttled(limits::hit(state, "contact_ip", ip, s.contact_per_ip_per_hour, HOUR).await?)?;
    throttled(
        limits::hit(
            state,
            "contact_address",
            email.as_str(),
            s.contact_per_address_per_hour,
            HOUR,
        )
        .await?,
    )?;
    let name = name.unwrap_or_default();
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    let id = db::insert_request(
        &mut tx,
        &NewRequest {
            user_id: None,
            email: email.as_str(),
            name: &name,
            subject: &subject,
            order_id: None,
        },
        now,
    )
    .await?;
    db::add_message(&mut tx, id, None, false, &message, SupportStatus::Open, now).await?;
    let path = guest_link(&mut tx, id, now).await?;
    let mail =
        messages::support_received(&state.settings.server.base_url, &name, id, &subject, &path);
    crate::email::queue::enqueue(&mut tx, email.as_str(), &mail, None, now).await?;
    tx.commit().await?;
    state.mail_wakeup.wake();
    tracing::info!(request = %id, "support request opened by a guest");
    Ok(id)
}

/// A new link for a guest's request (its hash stored); the path to mail.
async fn guest_link(tx: &mut Tx, id: RequestId, now: i64) -> Result<String, sqlx::Error> {
    let (token, hash) = tokens::new_token();
    crate::db::private_links::add(tx, LinkTo::Request(id), &hash, now, now + LINK_TTL).await?;
    Ok(format!("/support/{id}?token={token}"))
}

/// Whether a mailed link opens this request.
pub async fn link_opens(
    state: &AppState,
    id: RequestId,
    token: &str,
) -> Result<bool, SupportError> {
    let hash = tokens::hash_token(token);
    Ok(crate::db::private_links::valid(
        state.db.pool(),
        LinkTo::Request(id),
        &hash,
        state.clock.unix(),
    )
    .await?)
}

/// A request and its messages.
pub struct Thread {
    pub request: Request,
    pub messages: Vec<Message>,
}

async fn load(state: &AppState, id: RequestId) -> Result<Thread, SupportError> {
    let request = db::get(state.db.pool(), id)
        .await?
        .ok_or(SupportError::NotFound)?;
    let messages = db::messages(state.db.pool(), id).await?;
    Ok(Thread { request, messages })
}

/// A request as its customer (or guest) sees it; someone else's is `NotFound`.
pub async fn thread_for(
    state: &AppState,
    who: Requester<'_>,
    id: RequestId,
) -> Result<Thread, SupportError> {
    let t = load(state, id).await?;
    if who.may_see(&t.request) {
        Ok(t)
    } else {
        Err(SupportError::NotFound)
    }
}

/// The customer (or guest) answers: the request is open again, for the shop to act on.
pub async fn reply_as_requester(
    state: &AppState,
    who: Requester<'_>,
    id: RequestId,
    message: &str,
) -> Result<(), SupportError> {
    let t = thread_for(state, who, id).await?;
    let mut e = FieldErrors::new();
    let Some(message) = e.check(
        "message",
        required_text(message, MESSAGE_MAX, "your message"),
    ) else {
        return Err(e.into());
    };
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    db::add_message(
        &mut tx,
        t.request.id,
        who.user,
        false,
        &message,
        SupportStatus::Open,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The customer (or guest) considers the matter settled.
pub async fn close_by_requester(
    state: &AppState,
    who: Requester<'_>,
    id: RequestId,
) -> Result<(), SupportError> {
    let t = thread_for(state, who, id).await?;
    let mut tx = state.db.begin_write().await?;
    db::set_status(
        &mut tx,
        t.request.id,
        SupportStatus::Closed,
        state.clock.unix(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A customer's requests.
pub async fn for_customer(state: &AppState, user: UserId) -> Result<Vec<Request>, SupportError> {
    Ok(db::for_user(state.db.pool(), user).await?)
}

/// A request as the staff see it: the thread with the customer's account and the order.
pub struct StaffThread {
    pub thread: Thread,
    pub customer: Option<CustomerRow>,
    pub order: Option<Order>,
}

pub async fn thread_for_staff(
    state: &AppState,
    id: RequestId,
) -> Result<StaffThread, SupportError> {
    let thread = load(state, id).await?;
    let pool = state.db.pool();
    let customer = match thread.request.user_id {
        Some(u) => customers::one(pool, u).await?,
        None => None,
    };
    let order = match thread.request.order_id {
        Some(o) => order_db::find(pool, o).await?,
        None => None,
    };
    Ok(StaffThread {
        thread,
        customer,
        order,
    })
}

/// The staff's answer (mailed to the customer) and/or a new status. `status` defaults to
/// "waiting for the customer" when there is an answer.
pub async fn answer(
    state: &AppState,
    staff: &User,
    id: RequestId,
    message: &str,
    status: Option<SupportStatus>,
) -> Result<(), SupportError> {
    let t = load(state, id).await?;
    let r = &t.request;
    let mut e = FieldErrors::new();
    let Some(message) = e.check("message", optional_text(message, MESSAGE_MAX, "the answer"))
    else {
        return Err(e.into());
    };
    if message.is_none() && status.is_none_or(|s| s == r.status) {
        e.add("message", "Write an answer, or choose a new status.");
        return Err(e.into());
    }
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    match &message {
        Some(text) => {
            let to = status.unwrap_or(SupportStatus::Waiting);
            db::add_message(&mut tx, r.id, Some(staff.id), true, text, to, now).await?;
            let (address, path) = match r.user_id {
                Some(u) => {
                    let email = crate::db::users::find(state.db.pool(), u)
                        .await?
                        .map(|u| u.email.as_str().to_string())
                        .unwrap_or_else(|| r.email.clone());
                    (email, format!("/support/{}", r.id))
                }
                None => (r.email.clone(), guest_link(&mut tx, r.id, now).await?),
            };
            let mail = messages::support_reply(
                &state.settings.server.base_url,
                &r.name,
                r.id,
                &r.subject,
                text,
                &path,
            );
            crate::email::queue::enqueue(&mut tx, &address, &mail, None, now).await?;
        }
        None => {
            if let Some(s) = status {
                db::set_status(&mut tx, r.id, s, now).await?;
            }
        }
    }
    tx.commit().await?;
    if message.is_some() {
        state.mail_wakeup.wake();
    }
    tracing::info!(request = %r.id, staff = %staff.id, answered = message.is_some(), "support request handled");
    Ok(())
}

/// The staff inbox.
pub async fn inbox(
    state: &AppState,
    status: Option<SupportStatus>,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Request>, i64), SupportError> {
    Ok(db::inbox(state.db.pool(), status, search, limit, offset).await?)
}

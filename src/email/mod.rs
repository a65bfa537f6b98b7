//! Outgoing mail: lettre with an `outbox` transport (one `.eml` file per mail) or SMTP.
//! Messages are plain text + HTML rendered from `templates/email/`.

pub mod messages;
pub mod outbox;
pub mod queue;

use std::time::Duration;

use askama::Template;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{EmailSettings, EmailTransportKind, SmtpTls};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid mail address: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("could not build the message")]
    Build(#[from] lettre::error::Error),
    #[error("could not render the message")]
    Render(#[from] askama::Error),
    #[error("SMTP delivery failed")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the attachment could not be added")]
    Attachment,
    #[error("writing to the outbox failed")]
    Outbox(#[from] lettre::transport::file::Error),
}

/// What a message says; both the text and the HTML part are rendered from it. Queued mail
/// keeps it as JSON.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EmailContent {
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub action: Option<Action>,
    pub closing: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Action {
    pub label: String,
    pub url: String,
}

#[derive(Template)]
#[template(path = "email/message.txt")]
struct TextPart<'a> {
    c: &'a EmailContent,
    shop: &'a str,
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct HtmlPart<'a> {
    c: &'a EmailContent,
    shop: &'a str,
}

#[derive(Clone)]
enum Transport {
    Outbox(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    pub fn new(settings: &EmailSettings) -> anyhow::Result<Self> {
        let from: Mailbox = settings.from.parse()?;
        let transport = match settings.transport {
            EmailTransportKind::Outbox => {
                std::fs::create_dir_all(&settings.outbox_dir).map_err(|e| {
                    anyhow::anyhow!(
                        "cannot create email.outbox_dir {}: {e}",
                        settings.outbox_dir.display()
                    )
                })?;
                Transport::Outbox(AsyncFileTransport::new(&settings.outbox_dir))
            }
            EmailTransportKind::Smtp => {
                let host = settings.smtp_host.as_str();
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(settings.smtp_port)
                    .timeout(Some(Duration::from_secs(settings.smtp_timeout_seconds)));
                builder = match settings.smtp_tls {
                    SmtpTls::None => builder.tls(Tls::None),
                    SmtpTls::Starttls => {
                        builder.tls(Tls::Required(TlsParameters::new(host.to_string())?))
                    }
                    SmtpTls::Tls => {
                        builder.tls(Tls::Wrapper(TlsParameters::new(host.to_string())?))
                    }
                };
                if let (Some(user), Some(pw)) = (&settings.smtp_username, &settings.smtp_password) {
                    builder = builder.credentials(Credentials::new(
                        user.clone(),
                        pw.expose_secret().to_string(),
                    ));
                }
                Transport::Smtp(builder.build())
            }
        };
        Ok(Self { transport, from })
    }

    /// Sends one message. Callers decide whether a failure matters; most log it and go on,
    /// since a lost mail can be requested again.
    pub async fn send(&self, to: &str, content: &EmailContent) -> Result<(), MailError> {
        self.send_with_attachment(to, content, None).await
    }

    /// Sends a message with an optional PDF attachment (file name, bytes).
    pub async fn send_with_attachment(
        &self,
        to: &str,
        content: &EmailContent,
        attachment: Option<(String, Vec<u8>)>,
    ) -> Result<(), MailError> {
        let shop = self.from.name.as_deref().unwrap_or("Emporium");
        let text = TextPart { c: content, shop }.render()?;
        let html = HtmlPart { c: content, shop }.render()?;
        let body = MultiPart::alternative_plain_html(text, html);
        let body = match attachment {
            None => body,
            Some((name, bytes)) => {
                let pdf = lettre::message::header::ContentType::parse("application/pdf")
                    .map_err(|_| MailError::Attachment)?;
                MultiPart::mixed()
                    .multipart(body)
                    .singlepart(lettre::message::Attachment::new(name).body(bytes, pdf))
            }
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.parse()?)
            .subject(&content.subject)
            .multipart(body)?;
        match &self.transport {
            Transport::Outbox(t) => {
                t.send(message).await?;
            }
            Transport::Smtp(t) => {
                t.send(message).await?;
            }
        }
        Ok(())
    }
}
